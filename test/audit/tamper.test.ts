/**
 * The audit log against an attacker with database administrator rights: the append-only
 * guards refuse ordinary UPDATE and DELETE; once the attacker drops them, every kind of
 * tampering is still caught by verify, which names the first bad event. Runs on the
 * embedded database, and on PostgreSQL with TEST_DATABASE=postgres.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { chainEvent, HASH_INDEX, STORED_COLUMNS } from '../../packages/core/src/audit/chain.js';
import { normalizeAuditEvent } from '../../packages/core/src/audit/normalize.js';
import { verifyAuditChain } from '../../packages/core/src/audit/verify.js';
import { createAuditWriter } from '../../packages/core/src/audit/writer.js';
import type { Database } from '../../packages/core/src/db/database.js';
import { testDatabaseKind } from '../../packages/core/src/db/test-database.js';
import { useTestDatabase } from '../support/test-database.js';
import { auditEvent, dropGuards, exec, insertRaw, overwrite, renumber, rows, storedEvent } from './support.js';

let database: Database;
useTestDatabase((opened) => (database = opened), { each: true });
const EVENTS = 10;

beforeEach(async () => {
  const writer = createAuditWriter(database);
  for (let i = 1; i <= EVENTS; i += 1) {
    await writer.record(auditEvent({ request_id: `req-${i}`, patient_id: `P00${i % 3}`, user_id: String(i % 4) }));
  }
  await writer.close();
});

describe(`append-only guards (${testDatabaseKind()})`, () => {
  it.each([
    ['UPDATE of a field', "UPDATE audit_events SET decision = 'deny' WHERE seq = 3"],
    ['UPDATE of the hashes', "UPDATE audit_events SET hash = prev_hash WHERE seq = 3"],
    ['DELETE of one event', 'DELETE FROM audit_events WHERE seq = 3'],
    ['DELETE of all events', 'DELETE FROM audit_events'],
    ['deleting the chain head', 'DELETE FROM audit_chain_head'],
    ['moving the chain head back', 'UPDATE audit_chain_head SET seq = seq - 1'],
    ...(testDatabaseKind() === 'postgres'
      ? [
          ['TRUNCATE', 'TRUNCATE audit_events'],
          ['an upsert over an event', `INSERT INTO audit_events SELECT * FROM audit_events WHERE seq = 3 ON CONFLICT (seq) DO UPDATE SET decision = 'deny'`],
          ['an upsert moving the head back', `INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 3, 'x') ON CONFLICT (id) DO UPDATE SET seq = 3`],
        ]
      : [
          // REPLACE deletes the row in its way without firing DELETE triggers.
          ['REPLACE of an event', `REPLACE INTO audit_events SELECT * FROM audit_events WHERE seq = 3`],
          ['INSERT OR REPLACE of an event', `INSERT OR REPLACE INTO audit_events SELECT * FROM audit_events WHERE seq = 10`],
          ['REPLACE moving the head back', `REPLACE INTO audit_chain_head (id, seq, hash) SELECT 1, seq, hash FROM audit_events WHERE seq = 3`],
          ['an upsert over an event', `INSERT INTO audit_events SELECT * FROM audit_events WHERE seq = 3 ON CONFLICT (seq) DO UPDATE SET decision = 'deny'`],
        ]),
  ])('refuses %s', async (_kind, statement) => {
    await expect(exec(database, statement)).rejects.toThrow(/append-only|cannot be deleted|only moves forward/);
    expect(await verifyAuditChain(database)).toMatchObject({ ok: true, count: EVENTS });
  });

  it('refuses the forgery REPLACE made possible: the last event rewritten, re-hashed, and the head replaced to match', async () => {
    const last = await storedEvent(database, EVENTS);
    const forged = chainEvent(normalizeAuditEvent(auditEvent({ request_id: last.request_id as string, reason: 'nothing_to_see' })), EVENTS, last.prev_hash as string);
    const placeholders = STORED_COLUMNS.map(() => '?').join(', ');
    const replace = database.dialect === 'postgres' ? 'INSERT' : 'REPLACE';
    await expect(exec(database, `${replace} INTO audit_events (${STORED_COLUMNS.join(', ')}) VALUES (${placeholders})`, ...forged)).rejects.toThrow();
    await expect(exec(database, `${replace} INTO audit_chain_head (id, seq, hash) VALUES (1, ?, ?)`, EVENTS, forged[HASH_INDEX])).rejects.toThrow();
    expect(await storedEvent(database, EVENTS)).toMatchObject({ reason: last.reason, hash: last.hash });
    expect(await verifyAuditChain(database)).toMatchObject({ ok: true, count: EVENTS });
  });

  it.each([0, -1])('refuses an event numbered %i, before the chain starts', async (seq) => {
    const forged = chainEvent(normalizeAuditEvent(auditEvent({ user_id: '2', patient_id: 'P001', tool: 'get_clinical_notes' })), seq, '0'.repeat(64));
    await expect(insertRaw(database, Object.fromEntries(STORED_COLUMNS.map((c, i) => [c, forged[i]])))).rejects.toThrow(/seq starts at 1|audit_events_seq_positive/);
    expect(await verifyAuditChain(database)).toMatchObject({ ok: true, count: EVENTS });
  });

  it('still accepts appends', async () => {
    const writer = createAuditWriter(database);
    await writer.record(auditEvent());
    await writer.close();
    expect(await verifyAuditChain(database)).toMatchObject({ ok: true, count: EVENTS + 1 });
  });
});

describe(`tampering is detected (${testDatabaseKind()})`, () => {
  beforeEach(async () => {
    await dropGuards(database);
  });

  it('passes an untouched log', async () => {
    expect(await verifyAuditChain(database)).toMatchObject({ ok: true, count: EVENTS, head: { seq: EVENTS } });
  });

  it('an edited field: altered, at that event', async () => {
    await exec(database, "UPDATE audit_events SET patient_id = 'P999' WHERE seq = 4");
    expect(await verifyAuditChain(database)).toEqual({ ok: false, firstBadSeq: 4, reason: 'altered', count: 3 });
  });

  it('an edited field on the first event', async () => {
    await exec(database, "UPDATE audit_events SET decision = 'deny' WHERE seq = 1");
    expect(await verifyAuditChain(database)).toMatchObject({ ok: false, firstBadSeq: 1, reason: 'altered' });
  });

  it('an edited field with its hash recomputed: broken link, naming the edited event', async () => {
    const row = await storedEvent(database, 6);
    const forged = chainEvent(normalizeAuditEvent(auditEvent({ time: String(row.time), decision: 'deny', reason: 'no_relationship' })), 6, String(row.prev_hash));
    await overwrite(database, 6, Object.fromEntries(STORED_COLUMNS.map((c, i) => [c, forged[i]])));
    expect(await verifyAuditChain(database)).toMatchObject({ ok: false, firstBadSeq: 6, reason: 'broken_link' });
  });

  it('the last event edited and re-hashed: caught by the chain head', async () => {
    const row = await storedEvent(database, EVENTS);
    const forged = chainEvent(normalizeAuditEvent(auditEvent({ time: String(row.time), user_id: '99' })), EVENTS, String(row.prev_hash));
    await overwrite(database, EVENTS, Object.fromEntries(STORED_COLUMNS.map((c, i) => [c, forged[i]])));
    expect(await verifyAuditChain(database)).toMatchObject({ ok: false, firstBadSeq: EVENTS, reason: 'broken_link' });
  });

  it('a deleted middle event: missing', async () => {
    await exec(database, 'DELETE FROM audit_events WHERE seq = 5');
    expect(await verifyAuditChain(database)).toEqual({ ok: false, firstBadSeq: 5, reason: 'missing', count: 4 });
  });

  it('a deleted middle event with the later ones renumbered to hide the gap: missing', async () => {
    await exec(database, 'DELETE FROM audit_events WHERE seq = 5');
    await renumber(database, 6, -1);
    await exec(database, 'UPDATE audit_chain_head SET seq = seq - 1');
    expect(await verifyAuditChain(database)).toMatchObject({ ok: false, firstBadSeq: 5, reason: 'missing' });
  });

  it('the first event deleted: missing', async () => {
    await exec(database, 'DELETE FROM audit_events WHERE seq = 1');
    expect(await verifyAuditChain(database)).toMatchObject({ ok: false, firstBadSeq: 1, reason: 'missing' });
  });

  it('the last event deleted: missing (the chain head still names it)', async () => {
    await exec(database, `DELETE FROM audit_events WHERE seq = ${EVENTS}`);
    expect(await verifyAuditChain(database)).toEqual({ ok: false, firstBadSeq: EVENTS, reason: 'missing', count: EVENTS - 1 });
  });

  it('every event deleted: missing from the first', async () => {
    await exec(database, 'DELETE FROM audit_events');
    expect(await verifyAuditChain(database)).toMatchObject({ ok: false, firstBadSeq: 1, reason: 'missing' });
  });

  it('a forged event with a plausible hash slipped into the middle (later events renumbered): inserted', async () => {
    const before = await storedEvent(database, 3);
    await renumber(database, 4, +1);
    const forged = chainEvent(normalizeAuditEvent(auditEvent({ user_id: '7', patient_id: 'P001', time: String(before.time) })), 4, String(before.hash));
    await insertRaw(database, Object.fromEntries(STORED_COLUMNS.map((c, i) => [c, forged[i]])));
    await exec(database, 'UPDATE audit_chain_head SET seq = seq + 1');
    expect(await verifyAuditChain(database)).toMatchObject({ ok: false, firstBadSeq: 4, reason: 'inserted' });
  });

  it('a forged event appended past the chain head: inserted', async () => {
    const last = await storedEvent(database, EVENTS);
    const forged = chainEvent(normalizeAuditEvent(auditEvent({ user_id: '7' })), EVENTS + 1, String(last.hash));
    await insertRaw(database, Object.fromEntries(STORED_COLUMNS.map((c, i) => [c, forged[i]])));
    expect(await verifyAuditChain(database)).toEqual({ ok: false, firstBadSeq: EVENTS + 1, reason: 'inserted', count: EVENTS });
  });

  it('a forged event numbered far past the chain head: inserted at it, not a gap before it', async () => {
    // A plain INSERT needs no guard dropped (found by a reviewer: reported as "missing" at a seq that never existed).
    const forged = chainEvent(normalizeAuditEvent(auditEvent({ user_id: '7' })), EVENTS + 4990, 'e'.repeat(64));
    await insertRaw(database, Object.fromEntries(STORED_COLUMNS.map((c, i) => [c, forged[i]])));
    expect(await verifyAuditChain(database)).toEqual({ ok: false, firstBadSeq: EVENTS + 4990, reason: 'inserted', count: EVENTS });
  });

  it.each([0, -5])('a forged event numbered %i, before the chain (which get_audit_log would list): inserted', async (seq) => {
    const forged = chainEvent(normalizeAuditEvent(auditEvent({ user_id: '2', patient_id: 'P001', tool: 'get_clinical_notes' })), seq, 'junk');
    await insertRaw(database, Object.fromEntries(STORED_COLUMNS.map((c, i) => [c, forged[i]])));
    expect(await verifyAuditChain(database)).toEqual({ ok: false, firstBadSeq: seq, reason: 'inserted', count: 0 });
    // An anchor on the genuine head does not make it pass either.
    const head = await storedEvent(database, EVENTS);
    expect(await verifyAuditChain(database, { anchor: { seq: EVENTS, hash: String(head.hash) } })).toMatchObject({ ok: false, firstBadSeq: seq });
  });

  it('a forged event with a made-up hash: altered', async () => {
    await exec(database, 'DELETE FROM audit_events WHERE seq = 7');
    const genuine = chainEvent(normalizeAuditEvent(auditEvent()), 7, 'c'.repeat(64));
    genuine[HASH_INDEX] = 'd'.repeat(64);
    await insertRaw(database, Object.fromEntries(STORED_COLUMNS.map((c, i) => [c, genuine[i]])));
    expect(await verifyAuditChain(database)).toMatchObject({ ok: false, firstBadSeq: 7 });
  });

  it('two events swapped: reordered, at the first of them', async () => {
    const a = await storedEvent(database, 3);
    const b = await storedEvent(database, 8);
    await overwrite(database, 3, b);
    await overwrite(database, 8, a);
    expect(await verifyAuditChain(database)).toEqual({ ok: false, firstBadSeq: 3, reason: 'reordered', count: 2 });
  });

  it('two adjacent events swapped: reordered', async () => {
    const a = await storedEvent(database, 5);
    const b = await storedEvent(database, 6);
    await overwrite(database, 5, b);
    await overwrite(database, 6, a);
    expect(await verifyAuditChain(database)).toMatchObject({ ok: false, firstBadSeq: 5, reason: 'reordered' });
  });

  it('the last two events swapped: reordered', async () => {
    const a = await storedEvent(database, EVENTS - 1);
    const b = await storedEvent(database, EVENTS);
    await overwrite(database, EVENTS - 1, b);
    await overwrite(database, EVENTS, a);
    expect(await verifyAuditChain(database)).toMatchObject({ ok: false, firstBadSeq: EVENTS - 1, reason: 'reordered' });
  });

  it('the chain head removed: reported, not ignored', async () => {
    await exec(database, 'DELETE FROM audit_chain_head');
    expect(await verifyAuditChain(database)).toMatchObject({ ok: false, reason: 'head_missing' });
  });

  it('the whole history re-chained after an edit: caught by an anchor recorded earlier', async () => {
    const anchor = await storedEvent(database, 5);
    // Rewrite event 2 and re-chain everything after it, head included: self-consistent.
    const all = await rows(database, 'SELECT * FROM audit_events ORDER BY seq');
    let prev = String(all[0]?.hash);
    for (const row of all.slice(1)) {
      const seq = Number(row.seq);
      const fields = { ...(row as never as Record<string, unknown>), ...(seq === 2 ? { decision: 'deny' } : {}) };
      const rechained = chainEvent(fields as never, seq, prev);
      await overwrite(database, seq, Object.fromEntries(STORED_COLUMNS.map((c, i) => [c, rechained[i]])));
      prev = rechained[HASH_INDEX] as string;
    }
    await exec(database, 'UPDATE audit_chain_head SET hash = ?', prev);
    expect((await verifyAuditChain(database)).ok).toBe(true); // undetectable from inside the database
    // The anchor says the history up to it changed, and vouches for none of it: event 2 is the one.
    expect(await verifyAuditChain(database, { anchor: { seq: 5, hash: String(anchor.hash) } })).toEqual({
      ok: false,
      firstBadSeq: 5,
      reason: 'anchor_mismatch',
      count: 0,
    });
  });

  it('the log rewritten shorter (an event removed, the rest renumbered and re-chained): an anchor past its end vouches for nothing', async () => {
    // Found by a reviewer: verify said "missing" at the new end and called every event before
    // it intact, the rewritten ones among them.
    const anchor = await storedEvent(database, EVENTS);
    const all = await rows(database, 'SELECT * FROM audit_events ORDER BY seq');
    await exec(database, 'DELETE FROM audit_events WHERE seq >= 3');
    let prev = String(all[1]?.hash);
    let seq = 2;
    for (const row of all.slice(3)) {
      seq += 1;
      const rechained = chainEvent({ ...(row as never as Record<string, unknown>) } as never, seq, prev);
      await insertRaw(database, Object.fromEntries(STORED_COLUMNS.map((c, i) => [c, rechained[i]])));
      prev = rechained[HASH_INDEX] as string;
    }
    await exec(database, 'UPDATE audit_chain_head SET seq = ?, hash = ?', seq, prev);
    expect((await verifyAuditChain(database)).ok).toBe(true); // undetectable from inside the database
    expect(await verifyAuditChain(database, { anchor: { seq: EVENTS, hash: String(anchor.hash) } })).toEqual({
      ok: false,
      firstBadSeq: EVENTS,
      reason: 'anchor_missing',
      count: 0,
    });
  });

  it('a field rewritten as binary data: altered, at that event, not an error without a place', async () => {
    if (database.dialect === 'postgres') {
      // Text columns cannot hold bytes there; the same edit is a plain altered field.
      await exec(database, "UPDATE audit_events SET user_id = 'x' WHERE seq = 6");
    } else {
      await exec(database, "UPDATE audit_events SET user_id = X'00FF' WHERE seq = 6");
    }
    expect(await verifyAuditChain(database)).toMatchObject({ ok: false, firstBadSeq: 6, reason: 'altered' });
  });

  it('verification stays correct when SQLite and JavaScript would serialise a value differently', async () => {
    // A lone surrogate stored directly (bypassing the writer) makes json_array() and
    // JSON.stringify disagree; verify must still judge the row by its real content.
    await exec(database, 'UPDATE audit_events SET user_agent = ? WHERE seq = 2', 'x\ud800y');
    expect(await verifyAuditChain(database)).toMatchObject({ ok: false, firstBadSeq: 2, reason: 'altered' });
  });
});
