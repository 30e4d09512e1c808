import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { auditEvent, exec, rows } from '../../../../test/audit/support.js';
import { useTestDatabase } from '../../../../test/support/test-database.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { verifyAuditChain } from './verify.js';
import { createAuditWriter } from './writer.js';

let database: Database;
useTestDatabase((opened) => (database = opened), { each: true });

async function seqs(): Promise<number[]> {
  return (await rows(database, 'SELECT seq FROM audit_events ORDER BY seq')).map((r) => Number(r.seq));
}

async function head(): Promise<{ seq: number; hash: string }> {
  const [row] = await rows(database, 'SELECT seq, hash FROM audit_chain_head');
  return { seq: Number(row?.seq), hash: String(row?.hash) };
}

describe(`audit writer (${process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite'})`, () => {
  it('appends 1,000 concurrent record() calls as one gap-free, valid chain, in call order', async () => {
    const writer = createAuditWriter(database);
    await Promise.all(Array.from({ length: 1000 }, (_, i) => writer.record(auditEvent({ request_id: `req-${i}` }))));
    await writer.close();

    expect(await seqs()).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    const verified = await verifyAuditChain(database);
    expect(verified).toMatchObject({ ok: true, count: 1000, head: { seq: 1000 } });
    expect(await head()).toEqual((verified as { head: unknown }).head);
    // Events keep the order in which they were recorded.
    const ids = (await rows(database, 'SELECT request_id FROM audit_events ORDER BY seq')).map((r) => r.request_id);
    expect(ids).toEqual(Array.from({ length: 1000 }, (_, i) => `req-${i}`));
  });

  it('commits the calls of one tick in one transaction (one move of the chain head)', async () => {
    // Count head moves with a trigger: one per committed batch.
    await exec(database, 'CREATE TABLE head_moves (seq integer)');
    if (database.dialect === 'postgres') {
      await exec(database, `CREATE FUNCTION count_move() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO head_moves VALUES (NEW.seq); RETURN NEW; END $$`);
      await exec(database, 'CREATE TRIGGER count_move AFTER UPDATE ON audit_chain_head FOR EACH ROW EXECUTE FUNCTION count_move()');
    } else {
      await exec(database, 'CREATE TRIGGER count_move AFTER UPDATE ON audit_chain_head BEGIN INSERT INTO head_moves VALUES (NEW.seq); END');
    }
    const writer = createAuditWriter(database);
    await Promise.all(Array.from({ length: 500 }, () => writer.record(auditEvent())));
    await writer.record(auditEvent());
    await writer.close();
    const moves = (await rows(database, 'SELECT seq FROM head_moves ORDER BY seq')).map((r) => Number(r.seq));
    expect(moves).toEqual([500, 501]);
    expect((await verifyAuditChain(database)).ok).toBe(true);
  });

  it('caps a batch at maxBatch and still chains across batches', async () => {
    const writer = createAuditWriter(database, { maxBatch: 7 });
    await Promise.all(Array.from({ length: 100 }, (_, i) => writer.record(auditEvent({ request_id: `r${i}` }))));
    await writer.close();
    expect(await seqs()).toHaveLength(100);
    expect(await verifyAuditChain(database)).toMatchObject({ ok: true, count: 100 });
  });

  it('lets two writers on one database interleave batches without breaking the chain', async () => {
    const a = createAuditWriter(database);
    const b = createAuditWriter(database);
    const work: Promise<void>[] = [];
    for (let i = 0; i < 300; i += 1) {
      work.push(a.record(auditEvent({ request_id: `a${i}` })), b.record(auditEvent({ request_id: `b${i}`, source: 'gateway' })));
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(work);
    await Promise.all([a.close(), b.close()]);
    expect(await seqs()).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    expect(await verifyAuditChain(database)).toMatchObject({ ok: true, count: 600 });
  });

  it('chains on the real head when another writer moved it since this writer last appended', async () => {
    // On PostgreSQL each writer chains a batch on the head it last saw and writes it only if
    // the head is unchanged; here `a`'s remembered head is two events out of date.
    const a = createAuditWriter(database);
    const b = createAuditWriter(database);
    await a.record(auditEvent({ request_id: 'a1' }));
    await b.record(auditEvent({ request_id: 'b1', source: 'gateway' }));
    await b.record(auditEvent({ request_id: 'b2', source: 'gateway' }));
    await a.record(auditEvent({ request_id: 'a2' }));
    await a.record(auditEvent({ request_id: 'a3' }));
    await Promise.all([a.close(), b.close()]);
    const stored = await rows(database, 'SELECT seq, request_id FROM audit_events ORDER BY seq');
    expect(stored.map((r) => [Number(r.seq), r.request_id])).toEqual([
      [1, 'a1'],
      [2, 'b1'],
      [3, 'b2'],
      [4, 'a2'],
      [5, 'a3'],
    ]);
    expect(await head()).toMatchObject({ seq: 5 });
    expect(await verifyAuditChain(database)).toMatchObject({ ok: true, count: 5 });
  });

  it('can be verified while it appends: verify sees a consistent snapshot', async () => {
    const writer = createAuditWriter(database);
    let stop = false;
    const appending = (async () => {
      for (let i = 0; !stop && i < 5000; i += 1) await Promise.all([writer.record(auditEvent()), writer.record(auditEvent())]);
    })();
    const results = [];
    for (let i = 0; i < 5; i += 1) {
      await new Promise((r) => setTimeout(r, 10));
      results.push(await verifyAuditChain(database));
    }
    stop = true;
    await appending;
    await writer.close();
    for (const r of results) expect(r.ok).toBe(true);
    expect((await verifyAuditChain(database)).ok).toBe(true);
  });

  it('stores what was hashed: the stored row reads back as the normalised event', async () => {
    const writer = createAuditWriter(database);
    await writer.record(
      auditEvent({ time: '2026-02-03T04:05:06.789Z', break_glass: true, purpose_of_use: 'ETREAT', redactions: { name: 2, ssn: 1 }, user_agent: 'é😀 agent' }),
    );
    await writer.close();
    const [row] = await rows(database, 'SELECT * FROM audit_events');
    expect(row).toMatchObject({
      time: '2026-02-03T04:05:06.789Z',
      break_glass: 1,
      purpose_of_use: 'ETREAT',
      redactions: '{"name":2,"ssn":1}',
      user_agent: 'é😀 agent',
      prev_hash: '0'.repeat(64),
    });
    expect(row?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await verifyAuditChain(database)).ok).toBe(true);
  });

  describe('fails closed', () => {
    it('rejects every event of a batch whose commit fails, and moves nothing', async () => {
      const writer = createAuditWriter(database);
      await writer.record(auditEvent());
      // Make the next append fail inside the transaction, after some rows went in.
      if (database.dialect === 'postgres') {
        await exec(database, `CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.seq >= 3 THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$`);
        await exec(database, 'CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION fail_audit()');
      } else {
        await exec(database, `CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events WHEN NEW.seq >= 3 BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
      }
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => writer.record(auditEvent())));
      for (const r of results) {
        expect(r.status).toBe('rejected');
        expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE', http: 503 });
        // The client-facing text says nothing about the database.
        expect((r as PromiseRejectedResult).reason.message).not.toContain('disk full');
      }
      expect(await seqs()).toEqual([1]);
      expect((await head()).seq).toBe(1);

      // Once the fault is gone the chain continues where it stopped: no gap, still valid.
      await exec(database, database.dialect === 'postgres' ? 'DROP TRIGGER fail_audit ON audit_events' : 'DROP TRIGGER fail_audit');
      await writer.record(auditEvent());
      await writer.close();
      expect(await seqs()).toEqual([1, 2]);
      expect((await verifyAuditChain(database)).ok).toBe(true);
    });

    it('rejects when the database is gone', async () => {
      const writer = createAuditWriter(database);
      await database.close();
      await expect(writer.record(auditEvent())).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' });
    });

    it('rejects after close()', async () => {
      const writer = createAuditWriter(database);
      await writer.close();
      await expect(writer.record(auditEvent())).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' });
    });

    it('refuses a malformed event instead of storing it', async () => {
      const writer = createAuditWriter(database);
      await expect(writer.record(auditEvent({ decision: 'perhaps' as never }))).rejects.toMatchObject({ code: 'ERR_INTERNAL' });
      await writer.close();
      expect(await seqs()).toEqual([]);
    });
  });

  it('waits for a transaction another module holds open on the shared SQLite connection, and stays out of it', async () => {
    // A SQLite-only hazard, so this test always uses an embedded database.
    const dataDir = mkdtempSync(join(tmpdir(), 'shai-audit-shared-'));
    const embedded = openDatabase({ dataDir });
    try {
      await migrateToLatest(embedded);
      const writer = createAuditWriter(embedded);
      let recorded: Promise<void> | undefined;
      await expect(
        embedded.db.transaction().execute(async (trx) => {
          await sql`CREATE TABLE scratch (x integer)`.execute(trx);
          recorded = writer.record(auditEvent());
          await new Promise((r) => setTimeout(r, 20)); // the writer's tick passes meanwhile
          throw new Error('roll back the other transaction');
        }),
      ).rejects.toThrow('roll back');
      await recorded;
      await writer.close();
      // The audit row survived the other transaction's rollback.
      expect(embedded.sqlite?.prepare('SELECT seq FROM audit_events').pluck().all()).toEqual([1]);
    } finally {
      await embedded.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('waits for another connection\'s write lock without blocking the event loop, and leaves the busy timeout as it found it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'shai-audit-lock-'));
    const embedded = openDatabase({ dataDir });
    const other = openDatabase({ dataDir });
    try {
      await migrateToLatest(embedded);
      const sqlite = embedded.sqlite as NonNullable<Database['sqlite']>;
      sqlite.pragma('busy_timeout = 4321');
      const writer = createAuditWriter(embedded);
      other.sqlite?.exec('BEGIN IMMEDIATE');
      let settled = false;
      const recorded = writer.record(auditEvent()).then(() => (settled = true));
      // SQLite's own busy handler would hold the loop for up to 4.3 s; these timers fire meanwhile.
      const started = performance.now();
      await new Promise((r) => setTimeout(r, 30));
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(settled).toBe(false);
      other.sqlite?.exec('COMMIT');
      await recorded;
      await writer.close();
      expect(sqlite.pragma('busy_timeout', { simple: true })).toBe(4321);
      expect(sqlite.prepare('SELECT seq FROM audit_events').pluck().all()).toEqual([1]);
    } finally {
      await other.close();
      await embedded.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('commits on a connection of its own: a read snapshot held open on the shared connection neither blocks it nor sees it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'shai-audit-own-'));
    const embedded = openDatabase({ dataDir });
    try {
      await migrateToLatest(embedded);
      const sqlite = embedded.sqlite as NonNullable<Database['sqlite']>;
      const writer = createAuditWriter(embedded, { lockWaitMs: 500 });
      // A read transaction held open over many awaits, as verifyAuditChain holds one.
      sqlite.exec('BEGIN');
      const count = () => sqlite.prepare('SELECT count(*) FROM audit_events').pluck().get();
      expect(count()).toBe(0);
      await writer.record(auditEvent());
      expect(count()).toBe(0);
      sqlite.exec('COMMIT');
      expect(count()).toBe(1);
      await writer.close();
    } finally {
      await embedded.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
