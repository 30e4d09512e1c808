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
   * SQLite only: how long to wait for a transaction someone else opened on the shared
   * connection (a Kysely transaction between its awaits) before failing, in ms.
   */
  connectionWaitMs?: number;
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
type AppendBatch = (batch: readonly AuditEventFields[]) => Promise<void>;

export function createAuditWriter(database: Database, options: AuditWriterOptions = {}): AuditWriter {
  const maxBatch = options.maxBatch ?? 2000;
  const windowMs = options.batchWindowMs ?? 0;
  const append =
    database.dialect === 'postgres'
      ? postgresAppender(requirePool(database))
      : sqliteAppender(requireSqlite(database), options.connectionWaitMs ?? 5000);

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
    while (queue.length > 0) {
      const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
      try {
        await append(batch.map((p) => p.fields));
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
 * SQLite: better-sqlite3 is synchronous, so a whole batch (lock, chain, insert, commit) runs
 * without yielding; no other code of this process can interleave with it. BEGIN IMMEDIATE
 * takes the write lock up front, so the head we read cannot move before we commit, whatever
 * other processes do (they wait on busy_timeout).
 */
function sqliteAppender(sqlite: BetterSqlite3.Database, connectionWaitMs: number): AppendBatch {
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

  function appendNow(batch: readonly AuditEventFields[]): void {
    const s = prepare();
    sqlite.exec('BEGIN IMMEDIATE');
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

  return async (batch) => {
    // The connection is shared with Kysely. If a Kysely transaction is open on it (between
    // two of its awaits), our statements would join that transaction and vanish with its
    // rollback; wait for it to finish instead.
    const deadline = Date.now() + connectionWaitMs;
    while (sqlite.inTransaction) {
      if (Date.now() > deadline) throw new Error('shared SQLite connection stayed in a transaction');
      await new Promise((r) => setTimeout(r, 1));
    }
    appendNow(batch);
  };
}

/**
 * PostgreSQL: the head row is locked FOR UPDATE, which serialises appenders across every
 * instance on the same database; READ COMMITTED re-reads the head after the lock is granted,
 * so each batch starts from the previous batch's last hash. One multi-row INSERT (unnest of
 * column arrays) per batch, whatever its size.
 */
function postgresAppender(pool: pg.Pool): AppendBatch {
  const columnTypes: Record<string, string> = { seq: 'bigint', break_glass: 'integer' };
  const arrays = STORED_COLUMNS.map((c, i) => `$${i + 3}::${columnTypes[c] ?? 'text'}[]`).join(', ');
  // A data-modifying CTE runs to completion even though the UPDATE does not read it: one
  // round trip for the insert and the head move.
  const insertAndMove =
    `WITH inserted AS (INSERT INTO audit_events (${INSERT_COLUMNS}) SELECT * FROM unnest(${arrays}) RETURNING 1) ` +
    'UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1';

  return async (batch) => {
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
  };
}
