import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database.js';
import { auditEvent } from '../../../../test/audit/support.js';
import type { Database } from '../db/database.js';
import { testDatabaseKind } from '../db/test-database.js';
import { auditLogQuery, queryAuditLog } from './query.js';
import { createAuditWriter } from './writer.js';

let database: Database;
useTestDatabase((opened) => (database = opened));

/** 30 tool calls on P001/P002 by three users, a few denials and break-glass reads, plus security events. */
beforeAll(async () => {
  const writer = createAuditWriter(database);
  for (let i = 0; i < 30; i += 1) {
    await writer.record(
      auditEvent({
        time: new Date(Date.UTC(2026, 0, 1, 8, i)).toISOString(),
        request_id: `r${i}`,
        user_id: String(1 + (i % 3)),
        role: i % 3 === 2 ? 'nurse' : 'doctor',
        patient_id: i % 2 === 0 ? 'P001' : 'P002',
        tool: i % 5 === 0 ? 'get_clinical_notes' : 'get_patient_overview',
        decision: i % 7 === 6 ? 'deny' : 'allow',
        reason: i % 7 === 6 ? 'no_relationship' : 'care_team',
        break_glass: i % 10 === 4,
        purpose_of_use: i % 10 === 4 ? 'ETREAT' : 'TREAT',
      }),
    );
  }
  // Accounts 1 and 2 exist (3 has no row: a patient's view then names nobody).
  const at = '2026-01-01T00:00:00.000Z';
  for (const [id, name] of [[1, 'Dr. One'], [2, 'Dr. Two']] as const) {
    await database.db
      .insertInto('accounts')
      .values({ id, username: `user${id}`, password_hash: 'not-a-hash', role: 'doctor', display_name: name, patient_id: null, is_active: 1, is_demo: 0, created_at: at, updated_at: at })
      .execute();
  }
  await writer.record(auditEvent({ time: '2026-01-01T09:00:00.000Z', action: 'request.refused', tool: null, patient_id: 'P001', decision: 'deny', reason: 'token_expired' }));
  await writer.record(auditEvent({ time: '2026-01-01T09:01:00.000Z', source: 'gateway', action: 'login.success', tool: null, patient_id: null, reason: 'password' }));
  await writer.close();
});

const auditor = { role: 'auditor' } as const;

describe(`get_audit_log query (${testDatabaseKind()})`, () => {
  it('gives the auditor everything, newest first, without the chain hashes', async () => {
    const page = await queryAuditLog(database, { limit: 200 }, auditor);
    expect(page.events).toHaveLength(32);
    expect(page.next_cursor).toBeNull();
    expect(page.events.map((e) => e.seq)).toEqual(Array.from({ length: 32 }, (_, i) => 32 - i));
    const first = page.events.find((e) => e.request_id === 'r4');
    expect(first).toMatchObject({ break_glass: true, purpose_of_use: 'ETREAT', redactions: { ssn: 1 }, client_address: '127.0.0.1' });
    expect(Object.keys(first ?? {})).not.toContain('hash');
    expect(Object.keys(first ?? {})).not.toContain('prev_hash');
  });

  it('filters by patient, user, decision, break-glass and time, combined', async () => {
    const p1 = await queryAuditLog(database, { patient_id: 'P001', limit: 200 }, auditor);
    expect(p1.events.every((e) => e.patient_id === 'P001')).toBe(true);
    expect(p1.events).toHaveLength(16);
    const user2 = await queryAuditLog(database, { user_id: '2', limit: 200 }, auditor);
    expect(user2.events.every((e) => e.user_id === '2')).toBe(true);
    const denied = await queryAuditLog(database, { decision: 'deny', limit: 200 }, auditor);
    // The four denied tool calls and the refused request (request id 'req-1').
    expect(denied.events.map((e) => e.request_id)).toEqual(['req-1', 'r27', 'r20', 'r13', 'r6']);
    const btg = await queryAuditLog(database, { break_glass: true, limit: 200 }, auditor);
    expect(btg.events.map((e) => e.request_id)).toEqual(['r24', 'r14', 'r4']);
    const window = await queryAuditLog(database, { since: '2026-01-01T08:10:00Z', until: '2026-01-01T08:12:00Z' }, auditor);
    expect(window.events.map((e) => e.request_id)).toEqual(['r11', 'r10']);
    const combined = await queryAuditLog(database, { patient_id: 'P001', user_id: '2', break_glass: true }, auditor);
    expect(combined.events.map((e) => e.request_id)).toEqual(['r4']);
  });

  it('keeps the decision and break-glass indexes to the events they find: refusals and emergency access', async () => {
    const definitions = (
      testDatabaseKind() === 'postgres'
        ? await sql<{ name: string; definition: string }>`SELECT indexname AS name, indexdef AS definition FROM pg_indexes
            WHERE tablename = 'audit_events' AND indexname <> 'audit_events_pkey'`.execute(database.db)
        : await sql<{ name: string; definition: string }>`SELECT name, sql AS definition FROM sqlite_master
            WHERE type = 'index' AND tbl_name = 'audit_events' AND sql IS NOT NULL`.execute(database.db)
    ).rows;
    const byName = new Map(definitions.map((d) => [d.name, d.definition]));
    expect([...byName.keys()].sort()).toEqual([
      'audit_events_break_glass',
      'audit_events_patient',
      'audit_events_refused',
      'audit_events_time',
      'audit_events_user',
    ]);
    expect(byName.get('audit_events_refused')).toMatch(/WHERE \(?\(?decision\)?(::text)? <> 'allow'/);
    expect(byName.get('audit_events_break_glass')).toMatch(/WHERE \(?break_glass = 1\)?/);
  });

  it.runIf(testDatabaseKind() === 'sqlite')('finds refusals and emergency access through those partial indexes (SQLite\'s plan)', () => {
    const plan = (filters: Parameters<typeof auditLogQuery>[1]) => {
      const compiled = auditLogQuery(database, filters, auditor).compile();
      const rows = database.sqlite?.prepare(`EXPLAIN QUERY PLAN ${compiled.sql}`).all(...(compiled.parameters as unknown[])) as Array<{ detail: string }>;
      return rows.map((r) => r.detail).join('; ');
    };
    expect(plan({ decision: 'deny' })).toContain('USING INDEX audit_events_refused');
    expect(plan({ decision: 'error' })).toContain('USING INDEX audit_events_refused');
    expect(plan({ break_glass: true })).toContain('USING INDEX audit_events_break_glass');
    // An allowed call is found by who, whom or when instead: by patient, through both the
    // events' patient index and the searches' (migration 0010), never a scan of the log.
    const byPatient = plan({ decision: 'allow', patient_id: 'P001' });
    expect(byPatient).toMatch(/USING (COVERING )?INDEX audit_events_patient \(patient_id=\?\)/);
    expect(byPatient).toMatch(/SEARCH audit_event_patients USING (COVERING )?INDEX audit_event_patients_patient \(patient_id=\?\)/);
    expect(byPatient).not.toMatch(/SCAN audit_events/);
  });

  it('pages with a cursor: no repeats, no gaps, stable while events are appended', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await queryAuditLog(database, { limit: 7, ...(cursor ? { cursor } : {}) }, auditor);
      seen.push(...page.events.map((e) => e.seq));
      cursor = page.next_cursor ?? undefined;
      pages += 1;
      if (pages === 2) {
        // A new event arriving between pages must not shift the pages after it.
        const writer = createAuditWriter(database);
        await writer.record(auditEvent({ request_id: 'late', patient_id: 'P009' }));
        await writer.close();
      }
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual(Array.from({ length: 32 }, (_, i) => 32 - i));
  });

  it('refuses a bad cursor, limit or date with a validation error', async () => {
    await expect(queryAuditLog(database, { cursor: 'nonsense' }, auditor)).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await expect(queryAuditLog(database, { limit: 0 }, auditor)).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await expect(queryAuditLog(database, { limit: 201 }, auditor)).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await expect(queryAuditLog(database, { since: 'soon' }, auditor)).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
  });

  describe('a patient', () => {
    const p001 = { role: 'patient', patientId: 'P001' } as const;

    it('sees who accessed their own record: user (by name), role, time, tool, the record, and nothing else', async () => {
      const page = await queryAuditLog(database, { limit: 200 }, p001);
      expect(page.events.length).toBeGreaterThan(0);
      for (const e of page.events) expect(Object.keys(e).sort()).toEqual(['patient_id', 'role', 'time', 'tool', 'user_id', 'user_name']);
      const names = new Map(page.events.map((e) => [e.user_id, e.user_name]));
      expect([...names].sort()).toEqual([
        ['1', 'Dr. One'],
        ['2', 'Dr. Two'],
        ['3', null],
      ]);
      expect(page.events.every((e) => e.patient_id === 'P001')).toBe(true);
      // Only allowed tool calls on P001 (15 even-numbered calls, 2 of them denied), not the refused request.
      const expected = Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 2 === 0 && i % 7 !== 6);
      expect(page.events.map((e) => e.time)).toEqual(expected.reverse().map((i) => new Date(Date.UTC(2026, 0, 1, 8, i)).toISOString()));
    });

    it('cannot ask about another patient', async () => {
      await expect(queryAuditLog(database, { patient_id: 'P002' }, p001)).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    });

    it('can narrow by user and time, and pages like the auditor', async () => {
      const page = await queryAuditLog(database, { user_id: '1', limit: 2 }, p001);
      expect(page.events).toHaveLength(2);
      expect(page.events.every((e) => e.user_id === '1')).toBe(true);
      const next = await queryAuditLog(database, { user_id: '1', limit: 2, cursor: page.next_cursor as string }, p001);
      expect((next.events[0]?.time ?? '') < (page.events[1]?.time ?? '')).toBe(true);
    });
  });
});
