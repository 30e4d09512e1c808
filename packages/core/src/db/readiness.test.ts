import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database.js';
import { openDatabase, type Database } from './database.js';
import { toAppError } from '../errors.js';
import { migrateToLatest } from './migrate.js';
import { databaseChecks, databaseReadiness, readinessAnswer } from './readiness.js';
import { testDatabaseKind } from './test-database.js';

describe(`databaseReadiness (${testDatabaseKind()})`, () => {
  let database: Database;
  useTestDatabase((opened) => (database = opened));

  it('is ready when the database answers and takes writes', async () => {
    expect(await databaseReadiness(database)).toEqual({ database: true, databaseWrites: true });
  });

  it('is not ready while the database answers reads but cannot take a write', async () => {
    if (database.dialect === 'sqlite') {
      // Another process holding the write lock: every audit append would wait, then fail closed.
      const holder = new BetterSqlite3(database.sqlite!.name);
      holder.exec('BEGIN IMMEDIATE');
      try {
        expect(await databaseReadiness(database)).toEqual({ database: true, databaseWrites: false });
      } finally {
        holder.exec('ROLLBACK');
        holder.close();
      }
    } else {
      const url = (database.pool as unknown as { options: { connectionString: string } }).options.connectionString;
      // Someone holding the audit chain's lock: every append would wait behind them.
      const holder = openDatabase({ databaseUrl: url, dataDir: '/tmp', poolSize: 1 });
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const held = new Promise<void>((resolve) => (locked = resolve));
      const holding = holder.db.transaction().execute(async (trx) => {
        await sql`SELECT 1 FROM audit_chain_head WHERE id = 1 FOR UPDATE`.execute(trx);
        locked();
        await released;
      });
      await held;
      try {
        expect(await databaseReadiness(database)).toEqual({ database: true, databaseWrites: false });
      } finally {
        release();
        await holding;
        await holder.close();
      }
      // A read-only session, as on a standby or with default_transaction_read_only set.
      const readOnlyUrl = new URL(url);
      readOnlyUrl.searchParams.set('options', '-c default_transaction_read_only=on');
      const readOnly = openDatabase({ databaseUrl: readOnlyUrl.toString(), dataDir: '/tmp', poolSize: 1 });
      try {
        expect(await databaseReadiness(readOnly)).toEqual({ database: true, databaseWrites: false });
      } finally {
        await readOnly.close();
      }
    }
    expect(await databaseReadiness(database)).toEqual({ database: true, databaseWrites: true });
  });

  it('is not ready when the database does not answer', async () => {
    // A PostgreSQL that refuses connections (nothing listens on port 1); needs no server, so both suites run it.
    const refused = openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', dataDir: '/tmp', poolSize: 1 });
    try {
      expect(await databaseReadiness(refused)).toEqual({ database: false, databaseWrites: false });
    } finally {
      await refused.close();
    }
  });
});

describe('a write while another process holds the lock (SQLite)', () => {
  it('waits no longer than the busy timeout it was opened with, and fails as a 503 with Retry-After, not a 500', async () => {
    // An embedded database of its own, whichever engine the suite runs on.
    const dataDir = mkdtempSync(join(tmpdir(), 'shai-busy-'));
    const server = openDatabase({ dataDir, busyTimeoutMs: 200 });
    try {
      await migrateToLatest(server);
      const holder = new BetterSqlite3(server.sqlite!.name);
      holder.exec('BEGIN IMMEDIATE');
      const started = Date.now();
      let caught: unknown;
      try {
        await server.db.insertInto('wards').values({ id: 'W77', name: 'busy' }).execute();
      } catch (error) {
        caught = error;
      } finally {
        holder.exec('ROLLBACK');
        holder.close();
      }
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(toAppError(caught)).toMatchObject({ code: 'ERR_UNAVAILABLE', http: 503, headers: { 'retry-after': '1' } });
      // Once the lock is free, the same write goes through.
      await server.db.insertInto('wards').values({ id: 'W77', name: 'busy' }).execute();
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('readinessAnswer', () => {
  it('is 200 ready only when every check passed, naming each check ok or failed', () => {
    expect(readinessAnswer({ database: true, database_writes: true })).toEqual({ code: 200, body: { status: 'ready', checks: { database: 'ok', database_writes: 'ok' } } });
    expect(readinessAnswer({ ...databaseChecks({ database: true, databaseWrites: false }), mcp_server: true })).toEqual({
      code: 503,
      body: { status: 'unavailable', checks: { database: 'ok', database_writes: 'failed', mcp_server: 'ok' } },
    });
  });
});
