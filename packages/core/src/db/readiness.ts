/**
 * What a readiness probe asks of the database, for both servers: does it answer, and can it
 * take a write now. A database that answers reads but refuses writes (a SQLite file another
 * process holds locked, a PostgreSQL standby or read-only session) fails every tool call and
 * every login closed, since each needs its audit event committed: such an instance is not
 * ready, and a load balancer should send its traffic elsewhere.
 */
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import type { Database } from './database.js';
import { tryBeginImmediate } from './write-lock.js';

export interface DatabaseReadiness {
  readonly database: boolean;
  readonly databaseWrites: boolean;
}

/** The /readyz answer of both servers: 200 `ready` when every check passed, else 503 `unavailable`, each check named `ok` or `failed`. */
export function readinessAnswer(checks: Readonly<Record<string, boolean>>): {
  code: 200 | 503;
  body: { status: 'ready' | 'unavailable'; checks: Record<string, 'ok' | 'failed'> };
} {
  const ready = Object.values(checks).every(Boolean);
  const named = Object.fromEntries(Object.entries(checks).map(([name, passed]) => [name, passed ? 'ok' : 'failed'] as const));
  return { code: ready ? 200 : 503, body: { status: ready ? 'ready' : 'unavailable', checks: named } };
}

/** The database's checks, under the names /readyz gives them. */
export function databaseChecks(readiness: DatabaseReadiness): { database: boolean; database_writes: boolean } {
  return { database: readiness.database, database_writes: readiness.databaseWrites };
}

/** How long the write probe waits for the write lock: other writers' commits take milliseconds. */
const WRITE_LOCK_WAIT_MS = 2_000;

export async function databaseReadiness(database: Database): Promise<DatabaseReadiness> {
  try {
    await sql`SELECT 1`.execute(database.db);
  } catch {
    return { database: false, databaseWrites: false };
  }
  return { database: true, databaseWrites: await takesWrites(database) };
}

async function takesWrites(database: Database): Promise<boolean> {
  try {
    if (database.dialect === 'postgres') {
      // The lock every audit append takes: refused in a read-only session or on a standby, and
      // not granted in time while someone holds it.
      await database.db.transaction().execute(async (trx) => {
        await sql.raw(`SET LOCAL lock_timeout = '${WRITE_LOCK_WAIT_MS}ms'`).execute(trx);
        await sql`SELECT 1 FROM audit_chain_head WHERE id = 1 FOR UPDATE`.execute(trx);
      });
      return true;
    }
    return await sqliteWriteLockFree(database);
  } catch {
    return false;
  }
}

/**
 * Takes and drops the write lock on a connection of the probe's own, waiting asynchronously:
 * the shared connection's busy handler would block the event loop while it waited.
 */
async function sqliteWriteLockFree(database: Database): Promise<boolean> {
  if (!database.sqlite) return false;
  const probe = new BetterSqlite3(database.sqlite.name, { fileMustExist: true });
  try {
    probe.pragma('busy_timeout = 0');
    const deadline = Date.now() + WRITE_LOCK_WAIT_MS;
    for (;;) {
      if (tryBeginImmediate(probe)) {
        probe.exec('ROLLBACK');
        return true;
      }
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    probe.close();
  }
}
