/**
 * What the MCP server writes to its log: one line per request (debug for answers, info for
 * refusals) naming the route, never the URL's query, a token or PHI; and an error line an
 * operator can alert on when the audit log cannot take a call's event.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountStateLookup } from '@secure-hospital-ai/core/account-state';
import { Authenticator } from '@secure-hospital-ai/core/authenticate';
import { createAuditWriter, type AuditWriter } from '@secure-hospital-ai/core/audit/writer';
import { loadConfig } from '@secure-hospital-ai/core/config';
import type { Database } from '@secure-hospital-ai/core/db/database';
import { seedDemoData } from '@secure-hospital-ai/core/db/seed';
import { openTestDatabase, type TestDatabase } from '@secure-hospital-ai/core/db/test-database';
import { TokenService } from '@secure-hospital-ai/core/tokens';
import { buildMcpServer } from '@secure-hospital-ai/mcp-server';
import { createToolBackend } from '@secure-hospital-ai/mcp-server/tools/index';
import type { FastifyInstance } from 'fastify';

let opened: TestDatabase;
let database: Database;
let tokens: TokenService;
const lines: Array<Record<string, unknown>> = [];
const servers: FastifyInstance[] = [];
const writers: AuditWriter[] = [];

beforeAll(async () => {
  opened = await openTestDatabase();
  database = opened.database;
  await seedDemoData(database.db);
});
afterAll(async () => {
  for (const server of servers) await server.close();
  for (const writer of writers) await writer.close();
  await opened?.cleanup();
});

/** An MCP server at trace level whose log lines land in `lines`; `audit` open or already closed. */
async function server(auditOpen: boolean): Promise<string> {
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: randomBytes(32).toString('hex'), PSEUDONYM_KEY: randomBytes(32).toString('hex') }, { envFile: false });
  tokens = new TokenService(config.jwt);
  const logger = pino({ level: 'trace' }, new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(JSON.parse(chunk.toString('utf8'))), done()) }));
  const audit = createAuditWriter(database);
  writers.push(audit);
  if (!auditOpen) await audit.close();
  const backend = createToolBackend({ database, audit, pseudonymKey: config.pseudonymKey as string });
  const app = await buildMcpServer({ config, database, authenticator: new Authenticator(tokens, accountStateLookup(database)), audit, backend, logger });
  servers.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}/mcp/`;
}

async function call(url: string, patientId: string): Promise<{ status: number; text: string; token: string }> {
  const account = await database.db.selectFrom('accounts').select('id').where('username', '=', 'yenji100').executeTakeFirstOrThrow();
  const { token } = await tokens.issueAccess({ userId: String(account.id), role: 'doctor' });
  const response = await fetch(`${url}?probe=${patientId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-request-id': `logs-${patientId}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_patient_overview', arguments: { patient_id: patientId } } }),
  });
  return { status: response.status, text: await response.text(), token };
}

describe('MCP server log', () => {
  it('logs each request by route and status, and an error when the audit log cannot take a call, with nothing a client sent', async () => {
    const healthy = await server(true);
    const answered = await call(healthy, 'P001');
    expect(answered.status).toBe(200);
    const refused = await call(healthy, 'P009');
    expect(refused.status).toBe(403);
    const broken = await server(false);
    const failed = await call(broken, 'P001');
    expect(failed.status).toBe(503);

    const requests = lines.filter((line) => line.msg === 'request');
    // Each under the request id the client (or the gateway) sent, as in the audit log.
    expect(requests.map((line) => [line.level, line.route, line.status, line.reqId])).toEqual([
      [20, '/mcp/', 200, 'logs-P001'],
      [30, '/mcp/', 403, 'logs-P009'],
      [40, '/mcp/', 503, 'logs-P001'],
    ]);
    expect(lines.filter((line) => line.msg === 'mcp request failed')).toEqual([
      expect.objectContaining({ level: 50, code: 'ERR_AUDIT_UNAVAILABLE', reason: 'audit writer closed' }),
    ]);
    const patient = await database.db.selectFrom('patients').selectAll().where('id', '=', 'P001').executeTakeFirstOrThrow();
    const text = JSON.stringify(lines);
    for (const secret of [answered.token, failed.token, 'probe=', patient.family_name, patient.mrn, patient.birth_date]) expect(text).not.toContain(secret);
  });
});
