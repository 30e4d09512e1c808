// The shared read transaction is SQLite's alone, so this file opens SQLite files under either suite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.js';
import { migrateToLatest } from './migrate.js';
import { preparedQuery } from './prepared.js';
import { nextTurn } from './test-database.js';

const activeOf = preparedQuery(
  (db, { username }: { username: string }) => db.selectFrom('accounts').select('is_active').where('username', '=', username),
  { username: '\u0000username' },
  { oneRow: true },
);

function account(username: string, active: number) {
  const now = new Date().toISOString();
  return { username, password_hash: 'not-a-hash', role: 'doctor', display_name: username, patient_id: null, is_active: active, is_demo: 0, created_at: now, updated_at: now };
}

describe('hot reads share one read transaction per turn of the event loop (SQLite)', () => {
  let dataDir: string;
  let database: Database;
  /** Another connection to the same file, as another process would have. */
  let other: Database;

  const active = async (username: string) => (await activeOf(database.db, { username }))[0]?.is_active;
  const setActiveElsewhere = (username: string, value: number) =>
    other.db.updateTable('accounts').set({ is_active: value }).where('username', '=', username).execute();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'shai-turn-reads-'));
    database = openDatabase({ dataDir });
    await migrateToLatest(database);
    other = openDatabase({ dataDir });
    await other.db.insertInto('accounts').values(account('turn_a', 1)).execute();
  });
  afterAll(async () => {
    await database?.close();
    await other?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sees the database as at the turn’s first read, and another connection’s commit from the next turn on', async () => {
    await setActiveElsewhere('turn_a', 1);
    await nextTurn();
    expect(await active('turn_a')).toBe(1);
    expect(database.turnReads?.connection.inTransaction).toBe(true);

    await setActiveElsewhere('turn_a', 0);
    expect(await active('turn_a')).toBe(1); // same turn: the same snapshot

    await nextTurn();
    expect(database.turnReads?.connection.inTransaction).toBe(false);
    expect(await active('turn_a')).toBe(0);
  });

  it('ends the snapshot before a write through the query builder, so a caller reads what it wrote in the same turn', async () => {
    await setActiveElsewhere('turn_a', 1);
    await nextTurn();
    expect(await active('turn_a')).toBe(1);
    await database.db.updateTable('accounts').set({ is_active: 0 }).where('username', '=', 'turn_a').execute();
    expect(await active('turn_a')).toBe(0);
  });

  it('ends it before INSERT … RETURNING, which SQLite counts as a statement that returns rows', async () => {
    await nextTurn();
    expect(await active('turn_b')).toBeUndefined();
    const inserted = await database.db.insertInto('accounts').values(account('turn_b', 1)).returning('id').executeTakeFirstOrThrow();
    expect(inserted.id).toBeGreaterThan(0);
    expect(await active('turn_b')).toBe(1);
  });

  it('ends it when a query-builder transaction writes, so the reads after its commit see it', async () => {
    await setActiveElsewhere('turn_a', 0);
    await nextTurn();
    expect(await active('turn_a')).toBe(0);
    await database.db.transaction().execute(async (trx) => {
      await trx.updateTable('accounts').set({ is_active: 1 }).where('username', '=', 'turn_a').execute();
    });
    expect(await active('turn_a')).toBe(1);
  });

  it('ends it before a transaction or exec on the raw handle (the bulk writers, migrations)', async () => {
    const sqlite = database.sqlite!;
    await setActiveElsewhere('turn_a', 1);
    await nextTurn();
    expect(await active('turn_a')).toBe(1);
    sqlite.transaction(() => sqlite.prepare('UPDATE accounts SET is_active = ? WHERE username = ?').run(0, 'turn_a'))();
    expect(await active('turn_a')).toBe(0);
    sqlite.exec("UPDATE accounts SET is_active = 1 WHERE username = 'turn_a'");
    expect(await active('turn_a')).toBe(1);
  });

  it('reads on a connection that refuses to write', async () => {
    await nextTurn();
    const reader = database.turnReads!.connection;
    expect(() => reader.prepare("UPDATE accounts SET is_active = 0 WHERE username = 'turn_a'").run()).toThrow(/readonly|read-only/i);
    expect(await active('turn_a')).toBe(1);
  });

  it('closes the reader with the database, its end-of-turn callback finding nothing to end', async () => {
    const second = openDatabase({ dataDir });
    const reader = second.turnReads!.connection;
    expect((await activeOf(second.db, { username: 'turn_a' }))[0]?.is_active).toBe(1);
    expect(reader.inTransaction).toBe(true);
    await second.close();
    expect(reader.open).toBe(false);
    await nextTurn(); // the scheduled end of turn runs against a closed connection without throwing
    expect(await active('turn_a')).toBe(1);
  });
});
