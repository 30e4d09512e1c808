/**
 * The audit writer: appends events to the single hash chain with group commit.
 *
 * Events recorded while a commit is in progress (or in the same tick) are appended together
 * in ONE transaction that locks the chain head, chains them in order, inserts them, moves
 * the head and commits. Every `record()` promise settles only after that commit, so a caller
 * that awaits it knows the event is durable; if the commit fails, every event of the batch
 * is rejected with ERR_AUDIT_UNAVAILABLE and the caller must return no data (fail closed).
 *
 * Concurrency (docs/audit.md): writers in other processes or on other instances serialise on
 * the chain head (SQLite: BEGIN IMMEDIATE takes the database's write lock; PostgreSQL: the
 * head row is locked FOR UPDATE), so whole batches interleave and the chain stays linear.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { chainEvent, HASH_INDEX, STORED_COLUMNS } from './chain.js';
import type { AuditEventFields, AuditEventInput, AuditSink } from './event.js';
import { normalizeAuditEvent } from './normalize.js';

export interface AuditWriterOptions {
  /** Most events appended in one transaction; more wait for the next one. */
  maxBatch?: number;
  /**
   * How long a batch may wait for company before it commits, in ms. 0 (the default) commits
   * on the next turn of the event loop; batches still grow while a commit is in flight.
   */
  batchWindowMs?: number;
  /**
   * How long one batch may wait for the database's write lock (another process's batch, or a
   * transaction someone else opened on the shared SQLite connection) before it fails, in ms.
   */
  lockWaitMs?: number;
}

export interface AuditWriter extends AuditSink {
  /** Commits what is queued, then refuses new events. Does not close the database. */
  close(): Promise<void>;
}

interface Pending {
  fields: AuditEventFields;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Appends one batch atomically; resolves after the commit. */
interface Appender {
  append(batch: readonly AuditEventFields[]): Promise<void>;
  /** Pause between two batches of this writer, so writers in other processes get the lock too. */
  readonly yieldMs: number;
}

export function createAuditWriter(database: Database, options: AuditWriterOptions = {}): AuditWriter {
  const maxBatch = options.maxBatch ?? 2000;
  const windowMs = options.batchWindowMs ?? 0;
  const lockWaitMs = options.lockWaitMs ?? 10_000;
  const appender =
    database.dialect === 'postgres'
      ? postgresAppender(requirePool(database))
      : sqliteAppender(requireSqlite(database), lockWaitMs);

  let queue: Pending[] = [];
  let scheduled = false;
  let flushing: Promise<void> | undefined;
  let closed = false;

  function schedule(): void {
    if (scheduled || flushing) return;
    scheduled = true;
    const start = () => {
      scheduled = false;
      flushing = drain().finally(() => {
        flushing = undefined;
        // Events that arrived during the last commit and were not taken by it.
        if (queue.length > 0) schedule();
      });
    };
    if (windowMs > 0) setTimeout(start, windowMs);
    else setImmediate(start);
  }

  async function drain(): Promise<void> {
    let first = true;
    while (queue.length > 0) {
      if (!first && appender.yieldMs > 0) await sleep(appender.yieldMs);
      first = false;
      const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
      try {
        await appender.append(batch.map((p) => p.fields));
      } catch (error) {
        const failure = new AppError('ERR_AUDIT_UNAVAILABLE', {
          internalReason: `audit append failed: ${error instanceof Error ? error.message : String(error)}`,
        });
        for (const p of batch) p.reject(failure);
        continue;
      }
      for (const p of batch) p.resolve();
    }
  }

  return {
    record(event: AuditEventInput): Promise<void> {
      if (closed) {
        return Promise.reject(new AppError('ERR_AUDIT_UNAVAILABLE', { internalReason: 'audit writer closed' }));
      }
      let fields: AuditEventFields;
      try {
        fields = normalizeAuditEvent(event);
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise<void>((resolve, reject) => {
        queue.push({ fields, resolve, reject });
        schedule();
      });
    },
    async close(): Promise<void> {
      closed = true;
      while (scheduled || flushing || queue.length > 0) {
        if (flushing) await flushing;
        else await new Promise((r) => setTimeout(r, Math.max(1, windowMs)));
      }
    },
  };
}

function requireSqlite(database: Database): BetterSqlite3.Database {
  if (!database.sqlite) throw new Error('SQLite database without a raw handle');
  return database.sqlite;
}

function requirePool(database: Database): pg.Pool {
  if (!database.pool) throw new Error('PostgreSQL database without a pool');
  return database.pool;
}

const INSERT_COLUMNS = STORED_COLUMNS.join(', ');

/**
 * SQLite: better-sqlite3 is synchronous, so once the write lock is held a whole batch (read
 * head, chain, insert, move head, commit) runs without yielding: no other code of this
 * process can interleave with it. BEGIN IMMEDIATE takes the write lock up front, so the head
 * cannot move before we commit, whatever other processes do.
 *
 * Waiting for the lock is done here, asynchronously, not by SQLite's busy handler: that one
 * blocks the event loop and backs off to 100 ms sleeps, so a process that commits batch
 * after batch would starve the other one. Polling every millisecond, and pausing a
 * millisecond between our own batches, lets two processes take turns.
 */
function sqliteAppender(sqlite: BetterSqlite3.Database, lockWaitMs: number): Appender {
  let statements:
    | { head: BetterSqlite3.Statement; insert: BetterSqlite3.Statement; moveHead: BetterSqlite3.Statement }
    | undefined;
  const prepare = () =>
    (statements ??= {
      head: sqlite.prepare('SELECT seq, hash FROM audit_chain_head WHERE id = 1'),
      insert: sqlite.prepare(
        `INSERT INTO audit_events (${INSERT_COLUMNS}) VALUES (${STORED_COLUMNS.map(() => '?').join(', ')})`,
      ),
      moveHead: sqlite.prepare('UPDATE audit_chain_head SET seq = ?, hash = ? WHERE id = 1'),
    });

  /** BEGIN IMMEDIATE without waiting: false when another connection holds the write lock. */
  function tryBegin(): boolean {
    const busyTimeout = sqlite.pragma('busy_timeout', { simple: true }) as number;
    sqlite.pragma('busy_timeout = 0');
    try {
      sqlite.exec('BEGIN IMMEDIATE');
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_BUSY') return false;
      throw error;
    } finally {
      sqlite.pragma(`busy_timeout = ${busyTimeout}`);
    }
  }

  function appendLocked(batch: readonly AuditEventFields[]): void {
    const s = prepare();
    try {
      const head = s.head.get() as { seq: number; hash: string } | undefined;
      if (!head) throw new Error('audit chain head missing');
      let seq = head.seq;
      let prev = head.hash;
      for (const fields of batch) {
        seq += 1;
        const row = chainEvent(fields, seq, prev);
        s.insert.run(row);
        prev = row[HASH_INDEX] as string;
      }
      s.moveHead.run(seq, prev);
      sqlite.exec('COMMIT');
    } catch (error) {
      if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
      throw error;
    }
  }

  return {
    yieldMs: 1,
    async append(batch) {
      prepare(); // fails here, before any lock, if the table is missing or the database closed
      const deadline = Date.now() + lockWaitMs;
      for (;;) {
        // The connection is shared with Kysely. While a Kysely transaction is open on it
        // (between two of its awaits), our statements would join that transaction and vanish
        // with its rollback: wait for it to finish instead.
        if (!sqlite.inTransaction && tryBegin()) break;
        if (Date.now() > deadline) throw new Error('audit write lock not obtained in time');
        await sleep(1);
      }
      appendLocked(batch);
    },
  };
}

/**
 * PostgreSQL: the head row is locked FOR UPDATE, which serialises appenders across every
 * instance on the same database; READ COMMITTED re-reads the head after the lock is granted,
 * so each batch starts from the previous batch's last hash. One multi-row INSERT (unnest of
 * column arrays) per batch, whatever its size.
 */
function postgresAppender(pool: pg.Pool): Appender {
  const columnTypes: Record<string, string> = { seq: 'bigint', break_glass: 'integer' };
  const arrays = STORED_COLUMNS.map((c, i) => `$${i + 3}::${columnTypes[c] ?? 'text'}[]`).join(', ');
  // A data-modifying CTE runs to completion even though the UPDATE does not read it: one
  // round trip for the insert and the head move.
  const insertAndMove =
    `WITH inserted AS (INSERT INTO audit_events (${INSERT_COLUMNS}) SELECT * FROM unnest(${arrays}) RETURNING 1) ` +
    'UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1';

  // PostgreSQL queues lock waiters fairly: no pause needed between batches.
  return { yieldMs: 0, append };

  async function append(batch: readonly AuditEventFields[]): Promise<void> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      const results = (await client.query(
        'BEGIN; SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE',
      )) as unknown as pg.QueryResult[];
      const head = results[1]?.rows[0] as { seq: number | string; hash: string } | undefined;
      if (!head) throw new Error('audit chain head missing');
      let seq = Number(head.seq);
      let prev = head.hash;
      const columns: unknown[][] = STORED_COLUMNS.map(() => new Array<unknown>(batch.length));
      batch.forEach((fields, i) => {
        seq += 1;
        const row = chainEvent(fields, seq, prev);
        for (let c = 0; c < row.length; c += 1) (columns[c] as unknown[])[i] = row[c];
        prev = row[HASH_INDEX] as string;
      });
      await client.query(insertAndMove, [seq, prev, ...columns]);
      await client.query('COMMIT');
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection is unusable; destroy it rather than return it to the pool.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
