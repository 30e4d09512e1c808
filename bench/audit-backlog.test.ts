import { describe, expect, it } from 'vitest';
import { createAuditWriter } from '@secure-hospital-ai/core/audit/writer';
import { verifyAuditChain } from '@secure-hospital-ai/core/audit/verify';
import type { Database } from '@secure-hospital-ai/core/db/database';
import { testDatabaseKind } from '@secure-hospital-ai/core/db/test-database';
import { auditEvent, rows } from '../test/audit/support.js';
import { useTestDatabase } from '../test/support/test-database.js';
import { fillAuditBacklog } from './audit-backlog.js';

let database: Database;
useTestDatabase((opened) => (database = opened), { each: true });

describe(`audit backlog for bench:versus (${testDatabaseKind()})`, () => {
  it('puts the events in front of the head, and the writer carries on after them without a gap', async () => {
    const before = createAuditWriter(database);
    for (let i = 0; i < 3; i += 1) await before.record(auditEvent({ request_id: `before-${i}` }));
    await before.close();

    const lines: string[] = [];
    await fillAuditBacklog(database, 2_500, (line) => lines.push(line), 1_000);
    expect(lines).toHaveLength(3);
    expect(lines.at(-1)).toContain('2,500 of 2,500 events');

    const after = createAuditWriter(database);
    await Promise.all([after.record(auditEvent({ request_id: 'after-0' })), after.record(auditEvent({ request_id: 'after-1' }))]);
    await after.close();

    const [counts] = await rows(database, 'SELECT count(*) AS n, count(DISTINCT seq) AS d, min(seq) AS lo, max(seq) AS hi FROM audit_events');
    expect([Number(counts?.n), Number(counts?.d), Number(counts?.lo), Number(counts?.hi)]).toEqual([2_505, 2_505, 1, 2_505]);
    const newest = await rows(database, 'SELECT seq, request_id, prev_hash FROM audit_events WHERE seq > 2503 ORDER BY seq');
    expect(newest.map((r) => [Number(r.seq), r.request_id])).toEqual([
      [2_504, 'after-0'],
      [2_505, 'after-1'],
    ]);
    // The first new event is chained on the head the backlog left.
    expect(newest[0]?.prev_hash).toBe('f'.repeat(64));

    const backlog = await rows(database, "SELECT time, patient_id, hash FROM audit_events WHERE user_agent = 'bench-backlog/1' ORDER BY seq");
    expect(backlog).toHaveLength(2_500);
    for (const row of [backlog[0], backlog[1_234], backlog[2_499]]) {
      expect(String(row?.time)).toMatch(/^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(String(row?.hash)).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(new Set(backlog.map((r) => r.patient_id)).size).toBe(2_000);
  });

  it('leaves a log that does not verify: its hashes are random, for measuring the append only', async () => {
    await fillAuditBacklog(database, 10, () => undefined);
    const verification = await verifyAuditChain(database);
    expect(verification.ok).toBe(false);
  });
});
