/**
 * SQLite's write lock, taken without SQLite's busy handler (which sleeps on the event loop):
 * callers poll this asynchronously until their own deadline (the audit writer, the readiness probe).
 */
import type BetterSqlite3 from 'better-sqlite3';

/** BEGIN IMMEDIATE without waiting: false when another connection holds the write lock. */
export function tryBeginImmediate(sqlite: BetterSqlite3.Database): boolean {
  try {
    sqlite.exec('BEGIN IMMEDIATE');
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return false;
    throw error;
  }
}
