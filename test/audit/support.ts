/**
 * Shared by the audit tests: a realistic event factory, and the tampering an attacker with
 * database administrator rights could do (drop the append-only guards, then edit rows).
 */
import { sql } from 'kysely';
import type { AuditEventInput } from '../../packages/core/src/audit/event.js';
import { STORED_COLUMNS } from '../../packages/core/src/audit/chain.js';
import type { Database } from '../../packages/core/src/db/database.js';

export function auditEvent(overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    request_id: 'req-1',
    source: 'mcp-server',
    action: 'tools/call',
    user_id: '1',
    role: 'doctor',
    tool: 'get_patient_overview',
    patient_id: 'P001',
    decision: 'allow',
    reason: 'care_team',
    break_glass: false,
    purpose_of_use: 'TREAT',
    redactions: { ssn: 1 },
    client_address: '127.0.0.1',
    user_agent: 'vitest',
    ...overrides,
  };
}

/** Runs one SQL statement with `?` placeholders (Kysely turns them into the dialect's own). */
export async function exec(database: Database, text: string, ...values: unknown[]): Promise<void> {
  const parts = text.split('?');
  const pieces = parts.map((part, i) => (i < parts.length - 1 ? sql`${sql.raw(part)}${values[i]}` : sql.raw(part)));
  await sql.join(pieces, sql``).execute(database.db);
}

export async function rows(database: Database, text: string): Promise<Record<string, unknown>[]> {
  const result = await sql.raw<Record<string, unknown>>(text).execute(database.db);
  return result.rows;
}

/** What an attacker with DDL rights does first. */
export async function dropGuards(database: Database): Promise<void> {
  if (database.dialect === 'postgres') {
    await exec(database, 'ALTER TABLE audit_events DISABLE TRIGGER USER');
    await exec(database, 'ALTER TABLE audit_chain_head DISABLE TRIGGER USER');
    await exec(database, 'ALTER TABLE audit_event_patients DISABLE TRIGGER USER');
    await exec(database, 'ALTER TABLE audit_events DROP CONSTRAINT audit_events_seq_positive');
    return;
  }
  for (const trigger of [
    'audit_events_seq_positive',
    'audit_events_no_update',
    'audit_events_no_delete',
    'audit_events_no_replace',
    'audit_chain_head_no_delete',
    'audit_chain_head_forward_only',
    'audit_chain_head_no_replace',
    'audit_event_patients_no_update',
    'audit_event_patients_no_delete',
    'audit_event_patients_no_replace',
  ]) {
    await exec(database, `DROP TRIGGER ${trigger}`);
  }
}

/** Shifts seq of every event at or after `from` by `delta`, in two steps to dodge the primary key. */
export async function renumber(database: Database, from: number, delta: number): Promise<void> {
  await exec(database, 'UPDATE audit_events SET seq = -seq WHERE seq >= ?', from);
  await exec(database, `UPDATE audit_events SET seq = -seq + (${delta}) WHERE seq < 0`);
}

export async function storedEvent(database: Database, seq: number): Promise<Record<string, unknown>> {
  const result = await sql<Record<string, unknown>>`SELECT * FROM audit_events WHERE seq = ${seq}`.execute(database.db);
  const row = result.rows[0];
  if (!row) throw new Error(`no event ${seq}`);
  return { ...row, seq: Number(row.seq) };
}

/** Overwrites every column of event `seq` but seq itself. */
export async function overwrite(database: Database, seq: number, values: Record<string, unknown>): Promise<void> {
  const columns = STORED_COLUMNS.filter((c) => c !== 'seq');
  await exec(database, `UPDATE audit_events SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE seq = ?`, ...columns.map((c) => values[c]), seq);
}

export async function insertRaw(database: Database, values: Record<string, unknown>): Promise<void> {
  await exec(
    database,
    `INSERT INTO audit_events (${STORED_COLUMNS.join(', ')}) VALUES (${STORED_COLUMNS.map(() => '?').join(', ')})`,
    ...STORED_COLUMNS.map((c) => values[c]),
  );
}
