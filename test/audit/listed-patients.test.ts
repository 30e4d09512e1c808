/**
 * A search's audit event names every patient it showed (migration 0010), so that each one's
 * access log finds it: written in the event's own commit, covered by its hash, indexed by
 * patient, as append-only as the log, and checked by verify against the hashed list. Runs on
 * the embedded database, and on PostgreSQL with TEST_DATABASE=postgres.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { exportAuditEvents } from '../../packages/core/src/audit/export.js';
import { queryAuditLog } from '../../packages/core/src/audit/query.js';
import { verifyAuditChain } from '../../packages/core/src/audit/verify.js';
import { createAuditWriter } from '../../packages/core/src/audit/writer.js';
import type { Database } from '../../packages/core/src/db/database.js';
import { testDatabaseKind } from '../../packages/core/src/db/test-database.js';
import { useTestDatabase } from '../support/test-database.js';
import { auditEvent, dropGuards, exec, rows, storedEvent } from './support.js';

let database: Database;
useTestDatabase((opened) => (database = opened), { each: true });

const SEARCH = { tool: 'search_patients', patient_id: null, role: 'receptionist', user_id: '3', reason: 'all_patients' } as const;

/** Six events: reads of P001 and P002, two searches (the second listing P001 with others), a denied search, a login. */
beforeEach(async () => {
  const writer = createAuditWriter(database);
  // Recorded together, so that they share one commit (and, on PostgreSQL, one statement).
  await Promise.all([
    writer.record(auditEvent({ request_id: 'read-1', patient_id: 'P001' })),
    writer.record(auditEvent({ request_id: 'read-2', patient_id: 'P002' })),
    writer.record(auditEvent({ ...SEARCH, request_id: 'search-1', listed_patients: ['P003', 'P002'] })),
  ]);
  await writer.record(auditEvent({ ...SEARCH, request_id: 'search-2', listed_patients: ['P002', 'P001', 'P003', 'P001'] }));
  await writer.record(auditEvent({ ...SEARCH, request_id: 'denied', decision: 'deny', reason: 'not_in_policy', role: 'auditor', user_id: '5' }));
  await writer.record(auditEvent({ request_id: 'login', source: 'gateway', action: 'login.success', tool: null, patient_id: null, reason: 'password' }));
  await writer.close();
});

async function index(): Promise<string[]> {
  const found = await rows(database, 'SELECT seq, patient_id FROM audit_event_patients ORDER BY seq, patient_id');
  return found.map((r) => `${Number(r.seq)}:${String(r.patient_id)}`);
}

describe(`listed patients in the audit log (${testDatabaseKind()})`, () => {
  it('stores the list sorted and without repeats, indexes each patient, and verifies', async () => {
    expect((await storedEvent(database, 3)).listed_patients).toBe('["P002","P003"]');
    expect((await storedEvent(database, 4)).listed_patients).toBe('["P001","P002","P003"]');
    expect((await storedEvent(database, 1)).listed_patients).toBeNull();
    expect(await index()).toEqual(['3:P002', '3:P003', '4:P001', '4:P002', '4:P003']);
    expect(await verifyAuditChain(database)).toMatchObject({ ok: true, count: 6 });
  });

  it("puts a search in each listed patient's access log, and in no one else's", async () => {
    const p001 = await queryAuditLog(database, {}, { role: 'patient', patientId: 'P001' });
    expect(p001.events.map((e) => e.tool)).toEqual(['search_patients', 'get_patient_overview']);
    // The patient learns who searched and when; not whom else the search showed.
    expect(p001.events[0]).toEqual({ time: expect.any(String), user_id: '3', user_name: null, role: 'receptionist', tool: 'search_patients', patient_id: 'P001' });
    expect(JSON.stringify(p001)).not.toMatch(/P00[23]/);

    const p003 = await queryAuditLog(database, {}, { role: 'patient', patientId: 'P003' });
    expect(p003.events).toHaveLength(2);
    const p009 = await queryAuditLog(database, {}, { role: 'patient', patientId: 'P009' });
    expect(p009.events).toEqual([]);
  });

  it("gives the auditor each search's list, and finds it by any patient on it", async () => {
    const all = await queryAuditLog(database, { limit: 200 }, { role: 'auditor' });
    const byRequest = new Map(all.events.map((e) => [e.request_id, e]));
    expect(byRequest.get('search-2')?.listed_patients).toEqual(['P001', 'P002', 'P003']);
    expect(byRequest.get('read-1')?.listed_patients).toEqual([]);
    const p002 = await queryAuditLog(database, { patient_id: 'P002' }, { role: 'auditor' });
    expect(p002.events.map((e) => e.request_id)).toEqual(['search-2', 'search-1', 'read-2']);
    const paged = await queryAuditLog(database, { patient_id: 'P002', limit: 2 }, { role: 'auditor' });
    const rest = await queryAuditLog(database, { patient_id: 'P002', limit: 2, cursor: paged.next_cursor as string }, { role: 'auditor' });
    expect([...paged.events, ...rest.events].map((e) => e.request_id)).toEqual(['search-2', 'search-1', 'read-2']);
  });

  it('exports each listed patient as an AuditEvent entity', async () => {
    const exported = [];
    for await (const resource of exportAuditEvents(database)) exported.push(resource);
    const search = exported.find((r) => r.id === 'audit-4');
    const patients = search?.entity.map((e) => (e.what as { reference?: string }).reference).filter(Boolean);
    expect(patients).toEqual(['Patient/P001', 'Patient/P002', 'Patient/P003']);
    expect(exported.find((r) => r.id === 'audit-1')?.entity.filter((e) => (e.what as { reference?: string }).reference)).toHaveLength(1);
  });

  it('verifies a list whose ids the database orders differently from the writer (judged as sets)', async () => {
    // U+FFFF sorts after U+10000 in UTF-8 (the index's order) and before it in UTF-16 (the writer's).
    const writer = createAuditWriter(database);
    await writer.record(auditEvent({ ...SEARCH, request_id: 'astral', listed_patients: ['P\u{10000}', 'P\uFFFF'] }));
    await writer.close();
    expect(await verifyAuditChain(database)).toMatchObject({ ok: true, count: 7 });
    await dropGuards(database);
    await exec(database, "DELETE FROM audit_event_patients WHERE seq = 7 AND patient_id = ?", 'P\uFFFF');
    expect(await verifyAuditChain(database)).toMatchObject({ ok: false, firstBadSeq: 7, reason: 'listing_altered' });
  });

  it('refuses a list that is not ids', async () => {
    const writer = createAuditWriter(database);
    await expect(writer.record(auditEvent({ ...SEARCH, listed_patients: ['P001', 'P\n002'] }))).rejects.toMatchObject({ code: 'ERR_INTERNAL' });
    await expect(writer.record(auditEvent({ ...SEARCH, listed_patients: [''] }))).rejects.toMatchObject({ code: 'ERR_INTERNAL' });
    // A justification is kept as written or not at all: never altered on the way in.
    for (const justification of ['bad\u0000text', '   ', 'x'.repeat(1001), 'lone \ud800']) {
      await expect(writer.record(auditEvent({ tool: 'break_glass', justification }))).rejects.toMatchObject({ code: 'ERR_INTERNAL' });
    }
    await writer.close();
    expect(await index()).toHaveLength(5);
  });
});

describe(`the patients index is append-only (${testDatabaseKind()})`, () => {
  it.each([
    ['UPDATE', "UPDATE audit_event_patients SET patient_id = 'P009' WHERE seq = 4"],
    ['DELETE', "DELETE FROM audit_event_patients WHERE patient_id = 'P001'"],
    ...(testDatabaseKind() === 'postgres'
      ? [['TRUNCATE', 'TRUNCATE audit_event_patients']]
      : [['REPLACE', "REPLACE INTO audit_event_patients (patient_id, seq) VALUES ('P001', 4)"]]),
  ])('refuses %s', async (_kind, statement) => {
    await expect(exec(database, statement)).rejects.toThrow(/append-only/);
    expect(await index()).toEqual(['3:P002', '3:P003', '4:P001', '4:P002', '4:P003']);
  });
});

describe(`tampering with a list is detected (${testDatabaseKind()})`, () => {
  beforeEach(async () => {
    await dropGuards(database);
  });

  it("a patient taken out of the index (the search hidden from their log): listing_altered, at that event", async () => {
    await exec(database, "DELETE FROM audit_event_patients WHERE patient_id = 'P001' AND seq = 4");
    expect(await verifyAuditChain(database)).toEqual({ ok: false, firstBadSeq: 4, reason: 'listing_altered', count: 3 });
  });

  it('a patient added to the index (an access that never happened): listing_altered, at that event', async () => {
    await exec(database, "INSERT INTO audit_event_patients (patient_id, seq) VALUES ('P009', 1)");
    expect(await verifyAuditChain(database)).toMatchObject({ ok: false, firstBadSeq: 1, reason: 'listing_altered' });
  });

  it('an index row for an event that does not exist: listing_altered, at its seq', async () => {
    await exec(database, "INSERT INTO audit_event_patients (patient_id, seq) VALUES ('P001', 99)");
    expect(await verifyAuditChain(database)).toEqual({ ok: false, firstBadSeq: 99, reason: 'listing_altered', count: 6 });
  });

  it('an index row moved to another event: listing_altered, at the earlier of the two', async () => {
    await exec(database, "DELETE FROM audit_event_patients WHERE patient_id = 'P003' AND seq = 4");
    await exec(database, "INSERT INTO audit_event_patients (patient_id, seq) VALUES ('P003', 5)");
    expect(await verifyAuditChain(database)).toMatchObject({ ok: false, firstBadSeq: 4, reason: 'listing_altered' });
  });

  it.each([
    ['edited', `'["P001","P002"]'`],
    ['cleared', 'NULL'],
    ['not JSON', `'P001'`],
  ])('the hashed list %s: altered, at that event', async (_kind, value) => {
    await exec(database, `UPDATE audit_events SET listed_patients = ${value} WHERE seq = 4`);
    expect(await verifyAuditChain(database)).toEqual({ ok: false, firstBadSeq: 4, reason: 'altered', count: 3 });
  });

  it.each([
    ['edited', 'Routine check'],
    ['cleared', null],
  ])('a break-glass justification %s: altered, at that event', async (_kind, value) => {
    const writer = createAuditWriter(database);
    await writer.record(auditEvent({ request_id: 'btg', tool: 'break_glass', reason: 'break_glass', break_glass: true, purpose_of_use: 'ETREAT', justification: 'Unconscious in the ED, no care team reachable' }));
    await writer.close();
    const [row] = await rows(database, "SELECT seq, justification FROM audit_events WHERE request_id = 'btg'");
    expect(row?.justification).toBe('Unconscious in the ED, no care team reachable');
    expect(await verifyAuditChain(database)).toMatchObject({ ok: true });
    await exec(database, 'UPDATE audit_events SET justification = ? WHERE seq = ?', value, Number(row?.seq));
    expect(await verifyAuditChain(database)).toMatchObject({ ok: false, firstBadSeq: Number(row?.seq), reason: 'altered' });
  });

  it('a justification given to an event that had none: altered, at that event', async () => {
    await exec(database, "UPDATE audit_events SET justification = 'Emergency, patient unconscious' WHERE seq = 1");
    expect(await verifyAuditChain(database)).toMatchObject({ ok: false, firstBadSeq: 1, reason: 'altered' });
  });

  it('a list given to an event that had none: altered, at that event', async () => {
    await exec(database, `UPDATE audit_events SET listed_patients = '["P001"]' WHERE seq = 2`);
    expect(await verifyAuditChain(database)).toMatchObject({ ok: false, firstBadSeq: 2, reason: 'altered' });
  });
});
