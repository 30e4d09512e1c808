/**
 * Verifies the audit chain: streams every event in seq order, recomputes each hash, checks
 * each link and finally that the last event is the one the chain head names. The first
 * failure is classified so the report says what happened, not only where.
 *
 * Reads run in one snapshot (a read transaction), so writers appending meanwhile neither
 * disturb nor fail the check: it verifies the log as of the moment it started.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import type { Database } from '../db/database.js';
import { GENESIS_HASH, hashChainValues, HASH_INDEX, PREV_HASH_INDEX, STORED_COLUMNS } from './chain.js';

export type ChainFailureReason =
  /** The event's content does not match its hash (a field was edited in place). */
  | 'altered'
  /** An event is absent: a gap in seq, rows renumbered to close one, or the tail cut off. */
  | 'missing'
  /** An event that the chain never produced was inserted (rows after it renumbered, or past the head). */
  | 'inserted'
  /** Events were moved: the content at this position belongs elsewhere in the chain. */
  | 'reordered'
  /**
   * Each event is self-consistent but this one's hash is not what its successor committed
   * to (it was edited and re-hashed), or it does not match the chain head or an anchor.
   */
  | 'broken_link'
  /** The chain head row is gone, so the end of the log cannot be checked. */
  | 'head_missing';

export type ChainVerification =
  | { ok: true; count: number; head: { seq: number; hash: string } }
  | { ok: false; firstBadSeq: number; reason: ChainFailureReason; count: number };

export interface VerifyOptions {
  /** Called every `progressEvery` events with the number checked so far. */
  onProgress?: (checked: number) => void;
  progressEvery?: number;
  /**
   * A (seq, hash) pair recorded earlier outside the database (docs/audit.md "Anchors"):
   * the event at that seq must still carry that hash. Catches a history rewritten and fully
   * re-chained up to the head, which no in-database check can.
   */
  anchor?: { seq: number; hash: string };
}

type Failure = { firstBadSeq: number; reason: ChainFailureReason };

/**
 * Checks rows one at a time. Rows are arrays laid out as STORED_COLUMNS; the checker may
 * modify them (it reuses the array to recompute hashes without copying).
 */
export class ChainChecker {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  /** A row that looked moved down by one: decided by the next row (swap or deletion). */
  private suspect: { seq: number; prevHash: string } | undefined;
  count = 0;

  constructor(private readonly anchor?: { seq: number; hash: string }) {}

  /** Returns the first failure, or undefined to go on. */
  check(row: unknown[]): Failure | undefined {
    const stored = row[HASH_INDEX] as string;
    if (this.suspect) return this.decideSuspect(stored);
    const seq = row[0] as number;
    if (seq !== this.expectedSeq) return { firstBadSeq: this.expectedSeq, reason: 'missing' };

    const prev = row[PREV_HASH_INDEX] as string;
    row.length = HASH_INDEX; // the chain values: every column but `hash`
    if (hashChainValues(row) === stored) {
      if (prev !== this.prevHash) return { firstBadSeq: seq > 1 ? seq - 1 : seq, reason: 'broken_link' };
      if (this.anchor && seq === this.anchor.seq && stored !== this.anchor.hash) {
        return { firstBadSeq: seq, reason: 'broken_link' };
      }
      this.prevHash = stored;
      this.expectedSeq = seq + 1;
      this.count += 1;
      return undefined;
    }
    return this.classify(row, seq, prev, stored);
  }

  /** After the last row: the chain must end where the head says it does. */
  finish(head: { seq: number; hash: string } | undefined): Failure | undefined {
    if (this.suspect) return { firstBadSeq: this.suspect.seq, reason: 'missing' };
    const lastSeq = this.expectedSeq - 1;
    if (!head) return { firstBadSeq: lastSeq + 1, reason: 'head_missing' };
    if (lastSeq < head.seq) return { firstBadSeq: lastSeq + 1, reason: 'missing' };
    if (lastSeq > head.seq) return { firstBadSeq: head.seq + 1, reason: 'inserted' };
    if (head.hash !== this.prevHash) return { firstBadSeq: lastSeq, reason: 'broken_link' };
    if (this.anchor && this.anchor.seq > lastSeq) return { firstBadSeq: lastSeq + 1, reason: 'missing' };
    return undefined;
  }

  get lastHash(): string {
    return this.prevHash;
  }

  /** The row at `seq` does not match its hash: work out why (only runs once, on failure). */
  private classify(values: unknown[], seq: number, prev: string, stored: string): Failure | undefined {
    // Hashed as seq + 1: an earlier event was deleted and the rows after it renumbered, or
    // this row and the next were swapped. The next row tells which.
    values[0] = seq + 1;
    if (hashChainValues(values) === stored) {
      this.suspect = { seq, prevHash: prev };
      return undefined;
    }
    // Hashed as seq - 1: a forged event was slipped in before it, and it was renumbered up.
    values[0] = seq - 1;
    if (seq > 1 && hashChainValues(values) === stored) return { firstBadSeq: seq - 1, reason: 'inserted' };
    values[0] = seq;
    // Links to its predecessor but the content changed: edited in place. Links elsewhere:
    // the whole row came from another position.
    return { firstBadSeq: seq, reason: prev === this.prevHash ? 'altered' : 'reordered' };
  }

  private decideSuspect(nextStoredHash: string): Failure {
    const suspect = this.suspect as { seq: number; prevHash: string };
    // The suspect row's predecessor is the very next row: the two were swapped.
    return { firstBadSeq: suspect.seq, reason: nextStoredHash === suspect.prevHash ? 'reordered' : 'missing' };
  }
}

const SELECT_COLUMNS = STORED_COLUMNS.join(', ');

export async function verifyAuditChain(database: Database, options: VerifyOptions = {}): Promise<ChainVerification> {
  if (database.dialect === 'postgres') {
    if (!database.pool) throw new Error('PostgreSQL database without a pool');
    return verifyPostgres(database.pool, options);
  }
  if (!database.sqlite) throw new Error('SQLite database without a raw handle');
  return verifySqlite(database.sqlite, options);
}

function result(checker: ChainChecker, failure: Failure | undefined, head: { seq: number; hash: string } | undefined) {
  if (failure) return { ok: false as const, ...failure, count: checker.count };
  return { ok: true as const, count: checker.count, head: head as { seq: number; hash: string } };
}

function verifySqlite(sqlite: BetterSqlite3.Database, options: VerifyOptions): ChainVerification {
  const checker = new ChainChecker(options.anchor);
  const every = options.progressEvery ?? 100_000;
  // A deferred read transaction: in WAL mode its snapshot is fixed at the first read, so the
  // head and the rows are seen as of the same instant.
  const ownTransaction = !sqlite.inTransaction;
  if (ownTransaction) sqlite.exec('BEGIN');
  try {
    const head = sqlite.prepare('SELECT seq, hash FROM audit_chain_head WHERE id = 1').get() as
      | { seq: number; hash: string }
      | undefined;
    const rows = sqlite.prepare(`SELECT ${SELECT_COLUMNS} FROM audit_events ORDER BY seq`).raw(true);
    let failure: Failure | undefined;
    let n = 0;
    for (const row of rows.iterate() as IterableIterator<unknown[]>) {
      failure = checker.check(row);
      if (failure) break; // leaving the loop closes the iterator
      n += 1;
      if (options.onProgress && n % every === 0) options.onProgress(n);
    }
    failure ??= checker.finish(head);
    return result(checker, failure, head);
  } finally {
    if (ownTransaction && sqlite.inTransaction) sqlite.exec('COMMIT');
  }
}

const PAGE = 10_000;

async function verifyPostgres(pool: pg.Pool, options: VerifyOptions): Promise<ChainVerification> {
  const checker = new ChainChecker(options.anchor);
  const every = options.progressEvery ?? 100_000;
  const client = await pool.connect();
  try {
    // One snapshot for the head and every page.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const headRows = await client.query<{ seq: number | string; hash: string }>(
      'SELECT seq, hash FROM audit_chain_head WHERE id = 1',
    );
    const headRow = headRows.rows[0];
    const head = headRow ? { seq: Number(headRow.seq), hash: headRow.hash } : undefined;
    const page = (after: number) =>
      client.query<unknown[]>({
        text: `SELECT ${SELECT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT ${PAGE}`,
        values: [after],
        rowMode: 'array',
      });

    let failure: Failure | undefined;
    let n = 0;
    let current = await page(0);
    while (current.rows.length > 0 && !failure) {
      const rows = current.rows;
      const last = rows[rows.length - 1] as unknown[];
      // Keyset paging; the next page is fetched while this one is hashed.
      const next = rows.length === PAGE ? page(Number(last[0])) : undefined;
      for (const row of rows) {
        row[0] = Number(row[0]);
        failure = checker.check(row);
        if (failure) break;
        n += 1;
        if (options.onProgress && n % every === 0) options.onProgress(n);
      }
      if (!next) break;
      if (failure) {
        next.catch(() => undefined); // abandoned: its result no longer matters
        break;
      }
      current = await next;
    }
    failure ??= checker.finish(head);
    return result(checker, failure, head);
  } finally {
    await client.query('COMMIT').catch(() => undefined);
    client.release();
  }
}
