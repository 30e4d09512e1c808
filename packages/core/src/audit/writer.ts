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
import BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import type { Database } from '../db/database.js';
import { tryBeginImmediate } from '../db/write-lock.js';
import { AppError } from '../errors.js';
import { chainEvent, HASH_INDEX, listedIds, STORED_COLUMNS } from './chain.js';
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
  /**
   * Commits what is queued, then refuses new events. Closes the SQLite connection the writer
   * opened for itself, not the database.
   */
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
  /** Releases what the appender holds of its own (SQLite: its connection). */
  close?(): void;
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
      appender.close?.();
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
 * SQLite: the writer appends on a connection of its own to the same file, so nothing else in
 * the process can ever run inside its transaction or it inside theirs (a Kysely transaction
 * open between two awaits, a read snapshot), and its busy timeout can stay 0.
 *
 * better-sqlite3 is synchronous, so once the write lock is held a whole batch (read head,
 * chain, insert, move head, commit) runs without yielding. BEGIN IMMEDIATE takes the write
 * lock up front, so the head cannot move before we commit, whatever other connections do.
 *
 * Waiting for the lock is done here, asynchronously, not by SQLite's busy handler: that one
 * blocks the event loop and backs off to 100 ms sleeps, so a process that commits batch
 * after batch would starve the other one. Polling every millisecond, and pausing a
 * millisecond between our own batches, lets two processes take turns.
 */
function sqliteAppender(shared: BetterSqlite3.Database, lockWaitMs: number): Appender {
  let own:
    | {
        sqlite: BetterSqlite3.Database;
        head: BetterSqlite3.Statement;
        insert: BetterSqlite3.Statement;
        insertListed: BetterSqlite3.Statement;
        moveHead: BetterSqlite3.Statement;
      }
    | undefined;

  /** Opened at the first append, after whoever created the writer has migrated the file. */
  function connection() {
    // The writer belongs to its database: once that is closed, nothing more is appended.
    if (!shared.open) throw new Error('database closed');
    if (own) return own;
    const sqlite = new BetterSqlite3(shared.name, { fileMustExist: true });
    try {
      sqlite.pragma('busy_timeout = 0');
      // Every commit durable: the answer that waits for it must not outlive a lost event.
      sqlite.pragma('synchronous = FULL');
      own = {
        sqlite,
        head: sqlite.prepare('SELECT seq, hash FROM audit_chain_head WHERE id = 1'),
        insert: sqlite.prepare(`INSERT INTO audit_events (${INSERT_COLUMNS}) VALUES (${STORED_COLUMNS.map(() => '?').join(', ')})`),
        insertListed: sqlite.prepare('INSERT INTO audit_event_patients (patient_id, seq) VALUES (?, ?)'),
        moveHead: sqlite.prepare('UPDATE audit_chain_head SET seq = ?, hash = ? WHERE id = 1'),
      };
    } catch (error) {
      sqlite.close();
      throw error;
    }
    return own;
  }

  function appendLocked(s: NonNullable<typeof own>, batch: readonly AuditEventFields[]): void {
    try {
      const head = s.head.get() as { seq: number; hash: string } | undefined;
      if (!head) throw new Error('audit chain head missing');
      let seq = head.seq;
      let prev = head.hash;
      for (const fields of batch) {
        seq += 1;
        const row = chainEvent(fields, seq, prev);
        s.insert.run(row);
        for (const patientId of listedIds(fields.listed_patients)) s.insertListed.run(patientId, seq);
        prev = row[HASH_INDEX] as string;
      }
      s.moveHead.run(seq, prev);
      s.sqlite.exec('COMMIT');
    } catch (error) {
      if (s.sqlite.inTransaction) s.sqlite.exec('ROLLBACK');
      throw error;
    }
  }

  return {
    yieldMs: 1,
    async append(batch) {
      const s = connection(); // fails here, before any lock, if the table is missing or the database closed
      const deadline = Date.now() + lockWaitMs;
      while (!tryBeginImmediate(s.sqlite)) {
        if (Date.now() > deadline) throw new Error('audit write lock not obtained in time');
        await sleep(1);
        connection(); // the database may have been closed meanwhile
      }
      appendLocked(s, batch);
    },
    // Called once the writer has drained and refuses new events: nothing appends after it.
    close() {
      own?.sqlite.close();
      own = undefined;
    },
  };
}

/**
 * PostgreSQL. A batch is chained on the head this writer last saw and written in ONE
 * statement, one round trip, in its own implicit transaction: the head moves only if it is
 * still exactly what the batch was chained on (seq and hash), and the rows go in only if it
 * moved. The UPDATE locks the head row, so a writer that got there first makes ours wait,
 * then find the head changed (READ COMMITTED re-checks the condition on the new row) and
 * insert nothing. Then, and for the first batch, the locking path runs: the head row is
 * locked FOR UPDATE, which serialises appenders across every instance on the same database,
 * and the batch is chained on what it holds. A lone writer, the usual case, pays one round
 * trip per batch instead of three. Either way, one multi-row INSERT (unnest of column
 * arrays) per batch, whatever its size.
 */
function postgresAppender(pool: pg.Pool): Appender {
  /** The head after this writer's last append; undefined until the first one, or after a failure. */
  let known: ChainHead | undefined;

  // PostgreSQL queues lock waiters fairly: no pause needed between batches.
  return { yieldMs: 0, append };

  async function append(batch: readonly AuditEventFields[]): Promise<void> {
    try {
      if (known !== undefined) {
        const chained = chainBatch(batch, known);
        const { rows } = await pool.query<{ moved: number }>({
          name: 'shai_audit_append_if_head',
          text: appendIfHeadIs,
          values: [chained.head.seq, chained.head.hash, known.seq, known.hash, ...chained.columns, ...chained.listed],
        });
        if (rows[0]?.moved === 1) {
          known = chained.head;
          return;
        }
      }
      known = await appendLocked(batch);
    } catch (error) {
      known = undefined;
      throw error;
    }
  }

  async function appendLocked(batch: readonly AuditEventFields[]): Promise<ChainHead> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      const results = (await client.query(
        'BEGIN; SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE',
      )) as unknown as pg.QueryResult[];
      const head = results[1]?.rows[0] as { seq: number | string; hash: string } | undefined;
      if (!head) throw new Error('audit chain head missing');
      const chained = chainBatch(batch, { seq: Number(head.seq), hash: head.hash });
      await client.query({
        name: 'shai_audit_insert_and_move',
        text: insertAndMove,
        values: [chained.head.seq, chained.head.hash, ...chained.columns, ...chained.listed],
      });
      await client.query('COMMIT');
      return chained.head;
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

const COLUMN_TYPES: Readonly<Record<string, string>> = { seq: 'bigint', break_glass: 'integer' };

/** The batch's rows from one array parameter per stored column, the first being $`first`. */
function unnestRows(first: number): string {
  return `SELECT * FROM unnest(${STORED_COLUMNS.map((c, i) => `$${i + first}::${COLUMN_TYPES[c] ?? 'text'}[]`).join(', ')})`;
}

/** The batch's listed patients, as (patient_id, seq) arrays in the two parameters after the columns. */
function unnestListed(first: number): string {
  const at = first + STORED_COLUMNS.length;
  return `INSERT INTO audit_event_patients (patient_id, seq) SELECT * FROM unnest($${at}::text[], $${at + 1}::bigint[])`;
}

/**
 * The lone writer's statement. Data-modifying CTEs always run to completion, read or not;
 * `inserted` and `listed` read `moved`, so their rows exist only if the head moved.
 */
const appendIfHeadIs =
  'WITH moved AS (UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1 AND seq = $3 AND hash = $4 RETURNING 1), ' +
  `inserted AS (INSERT INTO audit_events (${INSERT_COLUMNS}) ${unnestRows(5)} WHERE EXISTS (SELECT 1 FROM moved) RETURNING 1), ` +
  `listed AS (${unnestListed(5)} WHERE EXISTS (SELECT 1 FROM moved) RETURNING 1) ` +
  'SELECT count(*) AS moved FROM moved';

/** The locking path's inserts and head move, inside its transaction, in one round trip. */
const insertAndMove =
  `WITH inserted AS (INSERT INTO audit_events (${INSERT_COLUMNS}) ${unnestRows(3)} RETURNING 1), ` +
  `listed AS (${unnestListed(3)} RETURNING 1) ` +
  'UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1';

interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * The batch chained on `head`, as one array per stored column, its listed patients as two
 * arrays (ids and their events' seq), and the head after it.
 */
function chainBatch(batch: readonly AuditEventFields[], head: ChainHead): { columns: unknown[][]; listed: [string[], number[]]; head: ChainHead } {
  let seq = head.seq;
  let prev = head.hash;
  const columns: unknown[][] = STORED_COLUMNS.map(() => new Array<unknown>(batch.length));
  const listed: [string[], number[]] = [[], []];
  batch.forEach((fields, i) => {
    seq += 1;
    const row = chainEvent(fields, seq, prev);
    for (let c = 0; c < row.length; c += 1) (columns[c] as unknown[])[i] = row[c];
    for (const patientId of listedIds(fields.listed_patients)) {
      listed[0].push(patientId);
      listed[1].push(seq);
    }
    prev = row[HASH_INDEX] as string;
  });
  return { columns, listed, head: { seq, hash: prev } };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
