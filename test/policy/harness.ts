/**
 * The tool backend on a fresh demo database with a real audit writer, as the MCP server runs
 * it, minus HTTP: for the policy matrix, property and break-glass tests. A movable clock
 * lets tests run break-glass grants out.
 */
import { randomBytes } from 'node:crypto';
import { auditDb } from '@secure-hospital-ai/core/audit/tables';
import { createAuditWriter, type AuditWriter } from '@secure-hospital-ai/core/audit/writer';
import type { Database } from '@secure-hospital-ai/core/db/database';
import { seedDemoData } from '@secure-hospital-ai/core/db/seed';
import { openTestDatabase, type TestDatabase } from '@secure-hospital-ai/core/db/test-database';
import type { Principal, Role } from '@secure-hospital-ai/core/domain';
import { AppError } from '@secure-hospital-ai/core/errors';
import { pseudonymFor } from '@secure-hospital-ai/core/redaction/pseudonym';
import type { CallToolResult, McpBackend, RequestContext } from '../../packages/mcp-server/src/protocol/types.js';
import { createToolBackend } from '../../packages/mcp-server/src/tools/index.js';

export const DEMO_USERS = ['yenji100', 'dr_grey', 'nurse_joy', 'front_desk', 'p001', 'auditor1', 'researcher1', 'admin'] as const;
export type DemoUser = (typeof DEMO_USERS)[number];

export const PATIENT_IDS = ['P001', 'P002', 'P003', 'P004', 'P005', 'P006', 'P007', 'P008', 'P009', 'P010'] as const;

export interface Harness {
  test: TestDatabase;
  database: Database;
  audit: AuditWriter;
  backend: McpBackend;
  pseudonymKey: string;
  clock: { now: Date };
  principals: Record<DemoUser, Principal>;
  /** Real identifiers of every demo patient, from the database. */
  patients: Map<string, { id: string; given_name: string; family_name: string; mrn: string; ssn: string | null; phone: string | null; email: string | null }>;
  call(user: DemoUser, tool: string, args: unknown): Promise<CallToolResult>;
  /** The thrown AppError of a refused call (fails the test if the call succeeded). */
  refusal(user: DemoUser, tool: string, args: unknown): Promise<AppError>;
  pseudonym(patientId: string): string;
  auditCount(): Promise<number>;
  lastAuditEvents(n: number): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

let requestCounter = 0;

export function requestContext(principal: Principal): RequestContext {
  requestCounter += 1;
  return {
    requestId: `test-${requestCounter}`,
    clientAddress: '127.0.0.1',
    userAgent: 'policy-tests',
    traceparent: undefined,
    principal,
    protocolVersion: '2025-11-25',
  };
}

export async function openHarness(start = new Date('2026-11-23T12:00:00.000Z')): Promise<Harness> {
  const test = await openTestDatabase();
  const { database } = test;
  await seedDemoData(database.db);
  const audit = createAuditWriter(database);
  const pseudonymKey = randomBytes(32).toString('hex');
  const clock = { now: start };
  const backend = createToolBackend({ database, audit, pseudonymKey, now: () => clock.now });

  const accounts = await database.db.selectFrom('accounts').select(['id', 'username', 'role', 'patient_id']).execute();
  const principals = {} as Record<DemoUser, Principal>;
  for (const user of DEMO_USERS) {
    const account = accounts.find((a) => a.username === user);
    if (!account) throw new Error(`demo account ${user} missing`);
    principals[user] = {
      userId: String(account.id),
      role: account.role as Role,
      jti: `jti-${user}`,
      exp: 4_102_444_800,
      ...(account.patient_id ? { patientId: account.patient_id } : {}),
    };
  }
  const rows = await database.db.selectFrom('patients').select(['id', 'given_name', 'family_name', 'mrn', 'ssn', 'phone', 'email']).execute();
  const patients = new Map(rows.map((r) => [r.id, r]));

  const call = (user: DemoUser, tool: string, args: unknown) => backend.callTool(requestContext(principals[user]), tool, args);
  return {
    test,
    database,
    audit,
    backend,
    pseudonymKey,
    clock,
    principals,
    patients,
    call,
    async refusal(user, tool, args) {
      const outcome = await call(user, tool, args).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      if ('result' in outcome) throw new Error(`${user} ${tool} ${JSON.stringify(args)} was allowed: ${JSON.stringify(outcome.result).slice(0, 200)}`);
      if (!(outcome.error instanceof AppError)) throw outcome.error;
      return outcome.error;
    },
    pseudonym: (patientId) => pseudonymFor(patientId, pseudonymKey),
    async auditCount() {
      const row = await auditDb(database).selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async lastAuditEvents(n) {
      const rows = await auditDb(database).selectFrom('audit_events').selectAll().orderBy('seq', 'desc').limit(n).execute();
      return rows.reverse() as unknown as Array<Record<string, unknown>>;
    },
    async close() {
      await audit.close();
      await test.cleanup();
    },
  };
}
