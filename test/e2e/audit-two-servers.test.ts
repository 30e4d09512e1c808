/**
 * Issue 6: two MCP server processes under load on one database (PostgreSQL with
 * TEST_DATABASE=postgres, else one embedded SQLite file) leave one valid audit chain with
 * no gaps, and exactly one event per tool call.
 */
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '@secure-hospital-ai/core/audit/verify';
import { loadConfig } from '@secure-hospital-ai/core/config';
import { seedDemoData } from '@secure-hospital-ai/core/db/seed';
import { openTestDatabase, type TestDatabase } from '@secure-hospital-ai/core/db/test-database';
import { TokenService } from '@secure-hospital-ai/core/tokens';
import { buildOnce, freePort, spawnCli, stop, waitFor } from '../support/processes.js';
import { scratchDir } from '../support/scratch.js';

const CALLS_PER_SERVER = 300;
const CONCURRENCY = 16;

describe('two MCP server processes writing one audit chain', () => {
  let testDb: TestDatabase;
  let servers: Array<{ url: string; child: ReturnType<typeof spawnCli> }> = [];
  const secret = randomBytes(32).toString('hex');
  const cwd = scratchDir('shai-two-');

  beforeAll(async () => {
    buildOnce();
    testDb = await openTestDatabase();
    await seedDemoData(testDb.database.db);
    const location: Record<string, string> =
      testDb.database.dialect === 'postgres' ? { DATABASE_URL: testDb.database.location } : { DATA_DIR: dirname(testDb.database.location) };
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const child = spawnCli(['mcp-server'], {
        cwd,
        env: { ...location, MCP_PORT: String(port), JWT_SECRET: secret, PSEUDONYM_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'warn' },
      });
      servers.push({ url: `http://127.0.0.1:${port}/mcp/`, child });
      await waitFor(`http://127.0.0.1:${port}/healthz`);
    }
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) await stop(server.child);
    servers = [];
    await testDb?.cleanup();
  });

  it('leaves a valid chain, no gaps, one event per call', async () => {
    const db = testDb.database.db;
    const tokens = new TokenService(loadConfig({ NODE_ENV: 'test', JWT_SECRET: secret }, { envFile: false }).jwt);
    const idOf = async (username: string) =>
      String((await db.selectFrom('accounts').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id);
    const doctor = (await tokens.issueAccess({ userId: await idOf('yenji100'), role: 'doctor' })).token;
    const other = (await tokens.issueAccess({ userId: await idOf('dr_grey'), role: 'doctor' })).token;
    const before = await verifyAuditChain(testDb.database);
    expect(before.ok).toBe(true);

    const jobs: Array<() => Promise<number>> = [];
    for (let i = 0; i < CALLS_PER_SERVER * 2; i++) {
      const server = servers[i % 2]!;
      // A third of the calls are refused (dr_grey is not on P001's care team): denials are audited too.
      const token = i % 3 === 0 ? other : doctor;
      jobs.push(async () => {
        const response = await fetch(server.url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'get_patient_overview', arguments: { patient_id: 'P001' } } }),
        });
        await response.arrayBuffer();
        return response.status;
      });
    }
    const statuses: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < jobs.length) statuses.push(await jobs[next++]!());
      }),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(CALLS_PER_SERVER * 2 - Math.ceil((CALLS_PER_SERVER * 2) / 3));
    expect(statuses.filter((s) => s === 403)).toHaveLength(Math.ceil((CALLS_PER_SERVER * 2) / 3));

    const after = await verifyAuditChain(testDb.database);
    expect(after).toMatchObject({ ok: true });
    const calls = await db
      .selectFrom('audit_events' as never)
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min<number>('seq' as never).as('lo'), eb.fn.max<number>('seq' as never).as('hi')])
      .where('action' as never, '=', 'tools/call' as never)
      .executeTakeFirstOrThrow() as { n: number; lo: number; hi: number };
    expect(Number(calls.n)).toBe(CALLS_PER_SERVER * 2);
    const all = await db
      .selectFrom('audit_events' as never)
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max<number>('seq' as never).as('hi')])
      .executeTakeFirstOrThrow() as { n: number; hi: number };
    // seq runs 1..n with no gap, whichever process wrote which event.
    expect(Number(all.hi)).toBe(Number(all.n));
  }, 120_000);
});
