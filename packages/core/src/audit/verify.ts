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
import { CHAIN_COLUMNS, GENESIS_HASH, hashCanonical, hashedValuesOfRow, HASH_INDEX, LISTED_INDEX, listedIds, PREV_HASH_INDEX, STORED_COLUMNS, withSeq } from './chain.js';

export type ChainFailureReason =
  /** The event's content does not match its hash (a field was edited in place). */
  | 'altered'
  /** An event is absent: a gap in seq, rows renumbered to close one, or the tail cut off. */
  | 'missing'
  /** An event the chain never produced was inserted (rows after it renumbered, or past the head). */
  | 'inserted'
  /** Events were moved: the content at this position belongs elsewhere in the chain. */
  | 'reordered'
  /**
   * The event is self-consistent but is not what the chain committed to: its successor, the
   * chain head or an anchor names a different hash (it was edited and re-hashed).
   */
  | 'broken_link'
  /** The chain head row is gone, so the end of the log cannot be checked. */
  | 'head_missing'
  /**
   * The event at an anchor's seq does not carry the anchored hash, though the chain holds
   * together: events up to it were rewritten and the chain recomputed. Which one was changed
   * cannot be told from the database, so none up to the anchor can be vouched for.
   */
  | 'anchor_mismatch'
  /**
   * The log ends before an anchor's seq, though the chain holds together up to its end: it was
   * cut short, or rewritten shorter and recomputed. Either way none of the events up to the
   * anchor can be vouched for.
   */
  | 'anchor_missing'
  /**
   * The event is intact, but the index that finds it by patient (audit_event_patients) does
   * not hold exactly the patients it lists: a patient's access log would miss it, or show an
   * access that never happened.
   */
  | 'listing_altered';

export type ChainVerification =
  | { ok: true; count: number; head: { seq: number; hash: string } }
  /** `count`: events before the first bad one (all intact). */
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

export type ChainFailure = { firstBadSeq: number; reason: ChainFailureReason };

/** check() asks for the row again with exact JavaScript serialisation before judging it. */
export const RECHECK = Symbol('recheck');

/**
 * Checks events one at a time, in seq order. Each event is given as its seq, its stored
 * prev_hash and hash, and the canonical JSON of its chain values.
 */
export class ChainChecker {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  /** An event that hashes as seq + 1: the next event tells a swap from a deletion. */
  private suspect: { seq: number; prevHash: string } | undefined;
  count = 0;
  /** The chain head as read before the walk, once known: tells a row past it from a gap. */
  head: { seq: number; hash: string } | undefined;

  constructor(private readonly anchor?: { seq: number; hash: string }) {}

  /**
   * Undefined to go on, or the first failure. With `provisional`, the canonical JSON came
   * from a faster serialiser (SQLite's json_array) and a mismatch returns RECHECK instead.
   */
  check(seq: number, prev: string, stored: string, canonical: string, provisional = false): ChainFailure | typeof RECHECK | undefined {
    if (this.suspect) return this.decideSuspect(stored);
    if (seq !== this.expectedSeq) {
      // Every event up to the head walked, and a row numbered past it: one the chain never
      // produced (a plain INSERT), not a gap before it.
      if (this.head && this.expectedSeq === this.head.seq + 1 && seq > this.head.seq) return { firstBadSeq: seq, reason: 'inserted' };
      return { firstBadSeq: this.expectedSeq, reason: 'missing' };
    }
    if (hashCanonical(canonical) !== stored) {
      if (provisional) return RECHECK;
      return this.classify(seq, prev, stored, canonical);
    }
    if (prev !== this.prevHash) return { firstBadSeq: seq > 1 ? seq - 1 : seq, reason: 'broken_link' };
    if (this.anchor && seq === this.anchor.seq && stored !== this.anchor.hash) return { firstBadSeq: seq, reason: 'anchor_mismatch' };
    this.prevHash = stored;
    this.expectedSeq = seq + 1;
    this.count += 1;
    return undefined;
  }

  /** After the last event: the chain must end where the head says it does. */
  finish(head: { seq: number; hash: string } | undefined): ChainFailure | undefined {
    if (this.suspect) return { firstBadSeq: this.suspect.seq, reason: 'missing' };
    const lastSeq = this.expectedSeq - 1;
    if (!head) return { firstBadSeq: lastSeq + 1, reason: 'head_missing' };
    if (lastSeq < head.seq) return { firstBadSeq: lastSeq + 1, reason: 'missing' };
    if (lastSeq > head.seq) return { firstBadSeq: head.seq + 1, reason: 'inserted' };
    if (head.hash !== this.prevHash) return { firstBadSeq: lastSeq, reason: 'broken_link' };
    if (this.anchor && this.anchor.seq > lastSeq) return { firstBadSeq: lastSeq + 1, reason: 'anchor_missing' };
    return undefined;
  }

  /** The event at `seq` does not match its hash: work out why (runs once, on failure). */
  private classify(seq: number, prev: string, stored: string, canonical: string): ChainFailure | undefined {
    // Hashes as seq + 1: an earlier event was deleted and the later ones renumbered to close
    // the gap, or this event and the next were swapped. The next event tells which.
    if (hashCanonical(withSeq(canonical, seq + 1)) === stored) {
      this.suspect = { seq, prevHash: prev };
      return undefined;
    }
    // Hashes as seq - 1: a forged event was slipped in before it, and it was renumbered up.
    if (seq > 1 && hashCanonical(withSeq(canonical, seq - 1)) === stored) return { firstBadSeq: seq - 1, reason: 'inserted' };
    // Still links to its predecessor: edited in place. Links elsewhere: moved here.
    return { firstBadSeq: seq, reason: prev === this.prevHash ? 'altered' : 'reordered' };
  }

  private decideSuspect(nextStoredHash: string): ChainFailure {
    const suspect = this.suspect as { seq: number; prevHash: string };
    // The suspect's predecessor is the very next event: the two were swapped.
    return { firstBadSeq: suspect.seq, reason: nextStoredHash === suspect.prevHash ? 'reordered' : 'missing' };
  }
}

export async function verifyAuditChain(database: Database, options: VerifyOptions = {}): Promise<ChainVerification> {
  if (database.dialect === 'postgres') {
    if (!database.pool) throw new Error('PostgreSQL database without a pool');
    return verifyPostgres(database.pool, options);
  }
  if (!database.sqlite) throw new Error('SQLite database without a raw handle');
  return verifySqlite(database.sqlite, options);
}

/**
 * The chain starts at seq 1, and the walk with it: a row numbered below (which a plain INSERT
 * could place, and which get_audit_log would show as a real event) is a forgery wherever it is.
 */
function beforeTheChain(seq: number): ChainFailure {
  return { firstBadSeq: seq, reason: 'inserted' };
}

/** Failures that say some event up to an anchor was rewritten, without saying which. */
export function vouchesForNone(reason: ChainFailureReason): boolean {
  return reason === 'anchor_mismatch' || reason === 'anchor_missing';
}

function result(checker: ChainChecker, failure: ChainFailure | undefined, head: { seq: number; hash: string } | undefined): ChainVerification {
  // count: the events before the first bad one, every one of them intact, and never more than
  // the walk found (a row past the head, or an index row past the last event, names a seq far
  // beyond them). After an anchor mismatch, or a log that no longer reaches the anchor, any of
  // them may be the rewritten one.
  if (failure) {
    const before = Math.max(0, failure.firstBadSeq - 1);
    const count = vouchesForNone(failure.reason) ? 0 : Math.min(before, checker.count);
    return { ok: false, ...failure, count };
  }
  return { ok: true, count: checker.count, head: head as { seq: number; hash: string } };
}

/** JSON of a stored row's hashed values, exactly as the writer serialised them. */
function canonicalOf(row: unknown[]): string {
  return JSON.stringify(hashedValuesOfRow(row));
}

/**
 * The index of listed patients (audit_event_patients) against the hashed lists, as the walk
 * goes: each event with a list, once its hash holds, must find exactly its patients there, and
 * at the end the index must hold no row besides those. Each engine hands over an event's index
 * rows as one JSON array text; equal to the list's text is the usual case, and anything else
 * is judged as sets of ids, so a difference of order or escaping can slow this down but never
 * make it wrong.
 */
class ListingChecker {
  /** Index rows the events walked so far account for. */
  private accounted = 0;

  check(seq: number, listed: string | null, indexed: string | null): ChainFailure | undefined {
    if (listed === null) return undefined;
    // The hash held, so this is the writer's canonical JSON.
    const ids = listedIds(listed);
    this.accounted += ids.length;
    if (indexed === listed || sameIds(ids, indexed)) return undefined;
    return { firstBadSeq: seq, reason: 'listing_altered' };
  }

  /**
   * SQLite's shortcut: the database compared the two texts and counted the list. Anything but
   * an equal text comes back as RECHECK, to be judged by `check` from the strings.
   */
  checkCompared(length: number | null, sameText: number | null): typeof RECHECK | undefined {
    if (sameText === null) return undefined;
    if (sameText !== 1 || length === null) return RECHECK;
    this.accounted += length;
    return undefined;
  }

  /**
   * After the walk, with `rows` index rows in all: whether some may belong to no list (more rows
   * than the lists account for, or a walk that stopped early), so that `unlistedIndexRowSql`
   * must look for the lowest (below the walk's failure, when it failed).
   */
  needsLocating(walk: ChainFailure | undefined, rows: number): boolean {
    return walk !== undefined || rows !== this.accounted;
  }
}

function sameIds(ids: readonly string[], indexed: string | null): boolean {
  if (indexed === null) return false;
  const found = listedIds(indexed);
  if (found.length !== ids.length) return false;
  const wanted = new Set(ids);
  return found.every((id) => wanted.delete(id)) && wanted.size === 0;
}

/** The lowest index row, below `below`, that no event's list accounts for: an event without a list, or no event at all. */
function unlistedIndexRowSql(below: string): string {
  return (
    `SELECT min(l.seq) AS seq FROM audit_event_patients l WHERE l.seq < ${below} AND NOT EXISTS ` +
    '(SELECT 1 FROM audit_events e WHERE e.seq = l.seq AND e.listed_patients IS NOT NULL)'
  );
}

/** An event's index rows as one JSON array text, in the table's order. */
function indexedSqlite(seq: string): string {
  return `SELECT json_group_array(patient_id) FROM audit_event_patients l WHERE l.seq = ${seq}`;
}
/**
 * For an event with a list: its length, and whether the index rows give the same text (NULL
 * for an event without one). Compared in C, so a list costs JavaScript no strings at all.
 */
const LISTING_SQLITE =
  'CASE WHEN json_valid(listed_patients) THEN json_array_length(listed_patients) END, ' +
  `CASE WHEN listed_patients IS NULL THEN NULL ELSE listed_patients = (${indexedSqlite('audit_events.seq')}) END`;
const INDEX_ROWS = 'SELECT count(*) AS n FROM audit_event_patients';

/** The earlier of the walk's failure and the lowest index row that no list accounts for. */
function firstOf(walk: ChainFailure | undefined, unlisted: unknown): ChainFailure | undefined {
  if (unlisted === null || unlisted === undefined) return walk;
  const seq = Number(unlisted);
  if (walk && walk.firstBadSeq <= seq) return walk;
  return { firstBadSeq: seq, reason: 'listing_altered' };
}

/** Where `unlistedIndexRowSql` looks: below the walk's failure, or anywhere. */
function bound(walk: ChainFailure | undefined): number {
  return walk ? walk.firstBadSeq : Number.MAX_SAFE_INTEGER;
}

/**
 * SQLite: the rows come out of the database already serialised by json_array(), which
 * builds the same JSON as the writer's JSON.stringify for every value the writer stores, in
 * C and without materialising 17 JavaScript strings per row (three times faster). Any
 * mismatch is re-judged from the raw columns with JSON.stringify before it counts, so a
 * serialisation difference can slow verify down but never make it wrong.
 */
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
    checker.head = head;
    const chain = CHAIN_COLUMNS.join(', ');
    const fast = sqlite
      .prepare(
        'SELECT seq, prev_hash, hash, ' +
          `CASE WHEN justification IS NOT NULL THEN json_array(${chain}, listed_patients, justification) ` +
          `WHEN listed_patients IS NULL THEN json_array(${chain}) ELSE json_array(${chain}, listed_patients) END, ` +
          `${LISTING_SQLITE} ` +
          'FROM audit_events WHERE seq >= ? ORDER BY seq',
      )
      .raw(true);
    const exact = sqlite.prepare(`SELECT ${STORED_COLUMNS.join(', ')} FROM audit_events WHERE seq = ?`).raw(true);
    const indexedOf = sqlite.prepare(indexedSqlite('?')).pluck();
    const listings = new ListingChecker();
    const lowest = (sqlite.prepare('SELECT min(seq) AS seq FROM audit_events').get() as { seq: number | null }).seq;
    if (lowest !== null && lowest < 1) return result(checker, beforeTheChain(lowest), head);

    let failure: ChainFailure | undefined;
    let from = 1;
    let recheck: number | undefined;
    /** Whether the recheck is of the listing only: the hash of that event already held. */
    let listingOnly = false;
    for (;;) {
      if (recheck !== undefined) {
        const row = exact.get(recheck) as unknown[];
        const outcome = listingOnly
          ? undefined
          : checker.check(row[0] as number, row[PREV_HASH_INDEX] as string, row[HASH_INDEX] as string, canonicalOf(row));
        if (outcome !== undefined && outcome !== RECHECK) failure = outcome;
        else failure = listings.check(recheck, row[LISTED_INDEX] as string | null, indexedOf.get(recheck) as string);
        if (failure) break;
        from = recheck + 1;
        recheck = undefined;
      }
      try {
        for (const row of fast.iterate(from) as IterableIterator<[number, string, string, string, number | null, number | null]>) {
          const hashed = checker.check(row[0], row[1], row[2], row[3], true);
          const outcome = hashed ?? listings.checkCompared(row[4], row[5]);
          if (outcome === RECHECK) {
            recheck = row[0];
            listingOnly = hashed === undefined;
            break; // leaving the loop closes the iterator, freeing the connection for the exact read
          }
          if (outcome) {
            failure = outcome;
            break;
          }
          if (options.onProgress && checker.count % every === 0) options.onProgress(checker.count);
        }
      } catch (error) {
        // json_array() refuses a BLOB, which the writer never stores: a row rewritten with one.
        const blob = firstBlobRow(sqlite);
        if (blob === undefined) throw error;
        failure = { firstBadSeq: blob, reason: 'altered' };
        break;
      }
      if (recheck === undefined) break;
    }
    failure ??= checker.finish(head);
    const rows = (sqlite.prepare(INDEX_ROWS).get() as { n: number }).n;
    const unlisted = listings.needsLocating(failure, rows) ? sqlite.prepare(unlistedIndexRowSql('?')).pluck().get(bound(failure)) : undefined;
    return result(checker, firstOf(failure, unlisted), head);
  } finally {
    if (ownTransaction && sqlite.inTransaction) sqlite.exec('COMMIT');
  }
}

/** The first event holding a BLOB in any column, if any. */
function firstBlobRow(sqlite: BetterSqlite3.Database): number | undefined {
  const anyBlob = STORED_COLUMNS.map((c) => `typeof(${c}) = 'blob'`).join(' OR ');
  const row = sqlite.prepare(`SELECT min(seq) AS seq FROM audit_events WHERE ${anyBlob}`).get() as { seq: number | null };
  return row.seq ?? undefined;
}

const PAGE = 10_000;

/** Integer columns are printed as digits, text columns as JSON strings: the writer's JSON. */
const INTEGER_COLUMNS = new Set<string>(['seq', 'break_glass']);
const PG_CANONICAL = `'[' || ${CHAIN_COLUMNS.map((c) =>
  INTEGER_COLUMNS.has(c) ? `coalesce(${c}::text, 'null')` : `coalesce(to_json(${c})::text, 'null')`,
).join(` || ',' || `)} || CASE WHEN justification IS NOT NULL THEN ',' || coalesce(to_json(listed_patients)::text, 'null') || ',' || to_json(justification)::text WHEN listed_patients IS NULL THEN '' ELSE ',' || to_json(listed_patients)::text END || ']'`;

/** An event's index rows as one JSON array text, in the writer's order (code points, as "C" sorts). */
function indexedPostgres(seq: string): string {
  return `SELECT '[' || coalesce(string_agg(to_json(l.patient_id)::text, ',' ORDER BY l.patient_id COLLATE "C"), '') || ']' FROM audit_event_patients l WHERE l.seq = ${seq}`;
}

/**
 * PostgreSQL: like SQLite, each row arrives serialised by the server (to_json() escapes text
 * exactly as JSON.stringify does for what the writer stores), with an exact re-check from the
 * raw columns whenever a hash does not match. Keyset pages of 10,000 in one snapshot.
 */
async function verifyPostgres(pool: pg.Pool, options: VerifyOptions): Promise<ChainVerification> {
  const checker = new ChainChecker(options.anchor);
  const every = options.progressEvery ?? 100_000;
  const client = await pool.connect();
  try {
    // One snapshot for the head and every page.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const headRows = await client.query<{ seq: number | string; hash: string }>('SELECT seq, hash FROM audit_chain_head WHERE id = 1');
    const headRow = headRows.rows[0];
    const head = headRow ? { seq: Number(headRow.seq), hash: headRow.hash } : undefined;
    checker.head = head;
    const page = (after: number) =>
      client.query<[number | string, string, string, string, string | null, string | null]>({
        text:
          `SELECT seq, prev_hash, hash, ${PG_CANONICAL}, listed_patients, ` +
          `CASE WHEN listed_patients IS NULL THEN NULL ELSE (${indexedPostgres('audit_events.seq')}) END ` +
          `FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT ${PAGE}`,
        values: [after],
        rowMode: 'array',
      });
    const exact = async (seq: number): Promise<unknown[]> => {
      const result = await client.query<unknown[]>({
        text: `SELECT ${STORED_COLUMNS.join(', ')} FROM audit_events WHERE seq = $1`,
        values: [seq],
        rowMode: 'array',
      });
      const row = result.rows[0] as unknown[];
      row[0] = Number(row[0]); // int8 arrives as text unless a type parser converted it
      return row;
    };
    const indexedOf = async (seq: number): Promise<string> =>
      (await client.query<[string]>({ text: indexedPostgres('$1'), values: [seq], rowMode: 'array' })).rows[0]?.[0] ?? '[]';
    const listings = new ListingChecker();

    const lowest = (await client.query<{ seq: string | null }>('SELECT min(seq) AS seq FROM audit_events')).rows[0]?.seq;
    if (lowest !== null && lowest !== undefined && Number(lowest) < 1) return result(checker, beforeTheChain(Number(lowest)), head);

    let failure: ChainFailure | undefined;
    let current = await page(0);
    while (current.rows.length > 0) {
      const rows = current.rows;
      const last = rows[rows.length - 1] as unknown[];
      // Keyset paging; the next page is fetched while this one is hashed.
      const next = rows.length === PAGE ? page(Number(last[0])) : undefined;
      for (const row of rows) {
        const seq = Number(row[0]);
        let outcome = checker.check(seq, row[1], row[2], row[3], true) ?? listings.check(seq, row[4], row[5]);
        if (outcome === RECHECK) {
          const raw = await exact(seq);
          outcome = checker.check(seq, raw[PREV_HASH_INDEX] as string, raw[HASH_INDEX] as string, canonicalOf(raw));
          outcome ??= listings.check(seq, raw[LISTED_INDEX] as string | null, await indexedOf(seq));
        }
        if (outcome !== undefined && outcome !== RECHECK) {
          failure = outcome;
          break;
        }
        if (options.onProgress && checker.count % every === 0) options.onProgress(checker.count);
      }
      if (failure || !next) {
        next?.catch(() => undefined); // abandoned: its result no longer matters
        break;
      }
      current = await next;
    }
    failure ??= checker.finish(head);
    const rows = Number((await client.query<{ n: string }>(INDEX_ROWS)).rows[0]?.n ?? 0);
    const unlisted = listings.needsLocating(failure, rows)
      ? (await client.query<{ seq: string | null }>({ text: unlistedIndexRowSql('$1'), values: [bound(failure)] })).rows[0]?.seq
      : undefined;
    return result(checker, firstOf(failure, unlisted), head);
  } finally {
    await client.query('COMMIT').catch(() => undefined);
    client.release();
  }
}
