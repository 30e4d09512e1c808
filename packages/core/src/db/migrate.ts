import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { Database } from './database.js';
import type { Tables } from './schema.js';
import { writeTransaction } from './write-transaction.js';
import * as m0001 from './migrations/0001_accounts.js';
import * as m0002 from './migrations/0002_clinical.js';
import * as m0003 from './migrations/0003_audit.js';
import * as m0004 from './migrations/0004_patient_revisions.js';
import * as m0005 from './migrations/0005_audit_partial_indexes.js';
import * as m0006 from './migrations/0006_access_tokens_in_ledger.js';
import * as m0007 from './migrations/0007_audit_no_replace.js';
import * as m0008 from './migrations/0008_sessions_ended_at.js';
import * as m0009 from './migrations/0009_audit_seq_positive.js';
import * as m0010 from './migrations/0010_audit_listed_patients.js';
import * as m0011 from './migrations/0011_audit_justification.js';

/**
 * Versioned migrations, compiled in (no directory scanning), so the same list runs on
 * SQLite and PostgreSQL and a build cannot miss one. Append only; never edit a landed one.
 */
const MIGRATIONS = {
  '0001_accounts': m0001,
  '0002_clinical': m0002,
  '0003_audit': m0003,
  '0004_patient_revisions': m0004,
  '0005_audit_partial_indexes': m0005,
  '0006_access_tokens_in_ledger': m0006,
  '0007_audit_no_replace': m0007,
  '0008_sessions_ended_at': m0008,
  '0009_audit_seq_positive': m0009,
  '0010_audit_listed_patients': m0010,
  '0011_audit_justification': m0011,
} satisfies Record<string, Migration>;

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export async function migrateToLatest(database: Database): Promise<string[]> {
  if (database.dialect === 'postgres') return outcome(await new Migrator({ db: database.db, provider }).migrateToLatest());
  return onSqliteWriteLock(database, (db) => new Migrator({ db, provider }).migrateToLatest());
}

/**
 * Kysely's migration lock is a no-op on SQLite (it assumes one process), and it runs SQLite
 * migrations outside a transaction: two `migrate` runs on a fresh file both found the
 * migrations pending, and the second failed half-way ("table audit_events already exists").
 * Here the whole run is one transaction that takes the write lock first: a second process
 * waits (the busy timeout) and then finds nothing pending, and a failed run leaves the schema
 * as it was. SQLite's DDL is transactional; no migration starts a transaction of its own.
 */
async function onSqliteWriteLock(database: Database, run: (db: Kysely<Tables>) => Promise<MigrationResultSet>): Promise<string[]> {
  let result: MigrationResultSet | undefined;
  try {
    await writeTransaction(database.db, async (db) => {
      result = await run(db);
      // Kysely reports a failed migration instead of throwing it: thrown here, it rolls the run back.
      if (result.error !== undefined) throw result.error;
    });
  } catch (error) {
    // The failed migration, rolled back: outcome() names it. Anything else (the commit) is thrown as it is.
    if (result?.error === undefined) throw error;
  }
  return outcome(result as MigrationResultSet);
}

/** Migrations this code knows that the database has not run: a server must not start on such a schema. */
export async function pendingMigrations(database: Database): Promise<string[]> {
  const known = await new Migrator({ db: database.db, provider }).getMigrations();
  return known.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name);
}

/** Up (or down) to the named migration: for upgrade tests, and for an operator's rollback. */
export async function migrateTo(database: Database, target: keyof typeof MIGRATIONS): Promise<string[]> {
  if (database.dialect === 'postgres') return outcome(await new Migrator({ db: database.db, provider }).migrateTo(target));
  return onSqliteWriteLock(database, (db) => new Migrator({ db, provider }).migrateTo(target));
}

function outcome({ error, results }: MigrationResultSet): string[] {
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
