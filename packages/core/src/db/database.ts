/**
 * Opens the database: the embedded SQLite file by default (zero set-up), PostgreSQL when
 * DATABASE_URL says so. Both servers open it; SQLite in WAL mode lets two processes share
 * one file, one writer at a time, readers never blocked.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { LruMap } from '../lru.js';
import { registerRawHandle } from './prepared.js';
import type { Tables } from './schema.js';
import { openTurnReads, type TurnReads } from './turn-reads.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Database {
  readonly db: Kysely<Tables>;
  readonly dialect: DialectName;
  /** The raw SQLite handle, for the few hot paths that skip the query builder. */
  readonly sqlite: BetterSqlite3.Database | undefined;
  /** SQLite: the connection the hot reads share one read transaction per turn on (`turn-reads.ts`). */
  readonly turnReads: TurnReads | undefined;
  /**
   * The raw PostgreSQL pool, likewise: the hot paths' named statements run on it, apart from
   * the query builder's own pool (see openPostgres).
   */
  readonly pool: pg.Pool | undefined;
  /** Human-readable location without credentials, for logs. */
  readonly location: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  /** PostgreSQL pool size per process. */
  poolSize?: number;
  /**
   * SQLite: how long a write on the shared connection waits for another process's write lock.
   * SQLite waits by sleeping in the calling thread, so a server's whole event loop stands still
   * meanwhile: servers keep it short (SERVER_BUSY_TIMEOUT_MS); a command-line tool may wait. Default 10 s.
   */
  busyTimeoutMs?: number;
  /**
   * PostgreSQL: how long a query may go without its answer, and how long getting a connection
   * may take, before the connection is given up (servers: SERVER_POSTGRES_DEADLINE_MS). Unset,
   * a command-line tool waits as long as its query takes.
   */
  postgresDeadlineMs?: number;
  /**
   * Reads only (`audit verify`, `audit export`, which may be pointed at a forensic copy): SQLite
   * opens the file read-only and leaves its journal mode as it is; PostgreSQL makes every
   * transaction read-only. Before, verifying a copy switched it to WAL, and a 0-byte file
   * got a header.
   */
  readOnly?: boolean;
}

/** What a server waits for another process's lock, at most, with everything else it serves on hold. */
export const SERVER_BUSY_TIMEOUT_MS = 1_000;

/**
 * What a server waits for PostgreSQL's answer. A server that stalls (frozen, or a network path
 * that holds the connection open and carries nothing) had wedged a connection for good: the
 * MCP server answered 504 to every call minutes after the database was back. Shorter than the
 * gateway's 20 s to the MCP server, so that a call is refused (503) before the proxy gives up.
 */
export const SERVER_POSTGRES_DEADLINE_MS = 10_000;

// Counts and sums come back as text from node-postgres (int8 may exceed 2^53); every count
// we take is far below that, so parse them as numbers for both engines to agree.
pg.types.setTypeParser(20, (value: string) => Number.parseInt(value, 10));
pg.types.setTypeParser(1700, (value: string) => Number.parseFloat(value));

export function openDatabase(options: DatabaseOptions): Database {
  const database = options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10, options.postgresDeadlineMs, options.readOnly === true)
    : openSqlite(options.dataDir, options.busyTimeoutMs ?? 10_000, options.readOnly === true);
  registerRawHandle(database);
  return database;
}

export function sqliteFile(dataDir: string): string {
  return join(dataDir, 'hospital.db');
}

function openSqlite(dataDir: string, busyTimeoutMs: number, readOnly: boolean): Database {
  const file = sqliteFile(dataDir);
  const busyTimeout = `busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`;
  const opened = readOnly ? openSqliteReadOnly(file) : { sqlite: openSqliteForWriting(dataDir, file, busyTimeout), file, discard: () => undefined };
  const { sqlite } = opened;
  sqlite.pragma(busyTimeout);
  sqlite.pragma('foreign_keys = ON');
  let turnReads: TurnReads;
  try {
    turnReads = openTurnReads(opened.file, { readonly: readOnly });
  } catch (error) {
    sqlite.close();
    opened.discard();
    throw error;
  }
  endSnapshotBeforeRawWrites(sqlite, turnReads);
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite, turnReads) }) });
  return {
    db,
    dialect: 'sqlite',
    sqlite,
    turnReads,
    pool: undefined,
    location: file,
    async close() {
      turnReads.close();
      await db.destroy();
      opened.discard();
    },
  };
}

const PRIVATE_COPY_PREFIX = 'shai-read-only-';

/** Private copies whose process is gone (killed before it could remove its own). */
function removeAbandonedCopies(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = name.startsWith(PRIVATE_COPY_PREFIX) ? Number(/^(\d+)-/.exec(name.slice(PRIVATE_COPY_PREFIX.length))?.[1]) : Number.NaN;
    if (!Number.isSafeInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, and someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The file as it is, read-only. A WAL-mode file is read beside its -wal file, which SQLite
 * makes when it is missing; on read-only media (a copy kept as evidence, a WORM store) it
 * cannot, and the file would not open at all. Then a private copy is read instead, and
 * removed on close.
 */
function openSqliteReadOnly(file: string): { sqlite: BetterSqlite3.Database; file: string; discard: () => void } {
  let sqlite: BetterSqlite3.Database | undefined;
  try {
    sqlite = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    // Opening reads nothing: the first read is where a WAL-mode file whose -wal cannot be made fails.
    sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
    return { sqlite, file, discard: () => undefined };
  } catch (error) {
    sqlite?.close();
    if ((error as { code?: string }).code !== 'SQLITE_CANTOPEN' || !existsSync(file)) throw error;
  }
  removeAbandonedCopies();
  const dir = mkdtempSync(join(tmpdir(), `${PRIVATE_COPY_PREFIX}${process.pid}-`));
  // The copy holds the whole record: gone on close, or when the process exits first. One
  // killed outright (Ctrl-C during a long verify) leaves it, for the next such open to remove.
  const discard = () => {
    process.removeListener('exit', discard);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', discard);
  try {
    const copy = join(dir, basename(file));
    copyFileSync(file, copy);
    // Committed transactions not yet checkpointed live in the -wal file: they are part of what is read.
    if (statSync(`${file}-wal`, { throwIfNoEntry: false })?.isFile() === true) copyFileSync(`${file}-wal`, `${copy}-wal`);
    return { sqlite: new BetterSqlite3(copy, { readonly: true, fileMustExist: true }), file: copy, discard };
  } catch (error) {
    discard();
    throw error;
  }
}

function openSqliteForWriting(dataDir: string, file: string, busyTimeout: string): BetterSqlite3.Database {
  // The file holds PHI and password hashes: a new one is its owner's alone (SQLite gives the
  // -wal and -shm files the database file's mode). An existing file keeps the mode it was given.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const created = !existsSync(file);
  const sqlite = new BetterSqlite3(file);
  if (created) chmodSync(file, 0o600);
  // Before the switch to WAL, which needs the lock: a second process opening a fresh file while
  // the first migrates it had failed at once with "database is locked".
  sqlite.pragma(busyTimeout);
  sqlite.pragma('journal_mode = WAL');
  // FULL makes every commit durable (the audit log must survive a crash); group commit in
  // the audit writer keeps that affordable.
  sqlite.pragma('synchronous = FULL');
  return sqlite;
}

/**
 * The raw handle's writers (the bulk generator and importer, migrations) run in `transaction()`
 * or `exec()`; each ends the hot reads' snapshot first, so what they wrote is read afterwards
 * even within the same turn. A statement run on the raw handle outside both would not.
 */
function endSnapshotBeforeRawWrites(sqlite: BetterSqlite3.Database, turnReads: TurnReads): void {
  const transaction = sqlite.transaction.bind(sqlite);
  const exec = sqlite.exec.bind(sqlite);
  sqlite.transaction = ((fn: (...args: unknown[]) => unknown) =>
    transaction(function (this: unknown, ...args: unknown[]) {
      turnReads.end();
      return fn.apply(this, args);
    })) as BetterSqlite3.Database['transaction'];
  sqlite.exec = (source: string) => {
    turnReads.end();
    return exec(source);
  };
}

/**
 * Kysely's SQLite driver prepares every statement anew, which profiling showed to be a
 * sixth of a tool call's time. The query builder emits the same SQL text for the same
 * query shape, so a small LRU of prepared statements removes that cost. Safe because the
 * driver runs one query at a time on its single connection.
 *
 * The driver prepares each statement just before it runs it: a statement that may write
 * (`readonly` is false for INSERT … RETURNING too) ends the hot reads' snapshot there.
 */
function withStatementCache(sqlite: BetterSqlite3.Database, turnReads: TurnReads, capacity = 512) {
  const cache = new LruMap<string, BetterSqlite3.Statement>(capacity);
  return {
    close: () => sqlite.close(),
    prepare(sql: string): BetterSqlite3.Statement {
      let statement = cache.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        cache.set(sql, statement);
      }
      if (!statement.readonly) turnReads.end();
      return statement;
    },
  };
}

/**
 * Two pools of up to `poolSize` connections each. The query builder's runs everything written
 * with Kysely. The raw one runs the named statements of the hot paths (account state, the
 * prepared reads, the audit append), and its sessions plan prepared statements once
 * (plan_cache_mode=force_generic_plan): those statements take arrays (batched lookups, the
 * audit rows), and PostgreSQL's default then finds every custom plan cheaper than the generic
 * one and plans the statement again on each execution. That planning was a third of the
 * database's CPU per tool call. The query builder's pool keeps the default, so no ad-hoc query
 * is planned without its values.
 */
function openPostgres(url: string, poolSize: number, deadlineMs: number | undefined, readOnly: boolean): Database {
  const limits = deadlineMs === undefined ? {} : { connectionTimeoutMillis: deadlineMs };
  const readOnlyOption = readOnly ? ' -c default_transaction_read_only=on' : '';
  const pool = new pg.Pool({ connectionString: url, max: poolSize, ...limits, ...(readOnly && { options: readOnlyOption.trim() }) });
  const raw = new pg.Pool({ connectionString: url, max: poolSize, options: `-c plan_cache_mode=force_generic_plan${readOnlyOption}`, ...limits });
  // A connection's error must not crash the process. The pool hears of an idle client's (a
  // server restart); a client checked out has only its own 'error' event, and without a
  // listener a network blip mid-request killed the server. Its query fails and the pool drops
  // it on release; the next query gets a fresh connection.
  for (const each of [pool, raw]) {
    each.on('error', () => undefined);
    each.on('connect', (client) => {
      client.on('error', () => undefined);
      if (deadlineMs !== undefined) endWhenUnanswered(client, deadlineMs);
    });
  }
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  let closing: Promise<void> | undefined;
  return {
    db,
    dialect: 'postgres',
    sqlite: undefined,
    turnReads: undefined,
    pool: raw,
    location: redactUrl(url),
    close() {
      // Idempotent, as Kysely's destroy is: a second end() of a pg pool throws.
      closing ??= Promise.all([db.destroy(), raw.end()]).then(() => undefined);
      return closing;
    },
  };
}

/**
 * Ends a connection whose query goes unanswered past the deadline: the query fails, the pool
 * drops the connection on its release, and the next query gets a new one. node-postgres's own
 * query_timeout fails the query but keeps the connection, with the unanswered query still at its
 * head, so every later query on it waited too. Queries that return a promise or call back are
 * timed (the query builder's, the pool's and the hot paths' all do); a cursor manages its own.
 */
function endWhenUnanswered(client: pg.PoolClient, deadlineMs: number): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const giveUp = () =>
    (client as unknown as { connection?: { stream?: { destroy(error?: Error): void } } }).connection?.stream?.destroy(
      Object.assign(new Error(`no answer from PostgreSQL in ${deadlineMs} ms`), { code: 'ETIMEDOUT' }),
    );
  const arm = () => setTimeout(giveUp, deadlineMs).unref();
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const callback = args[args.length - 1];
    if (typeof callback === 'function') {
      // The pool's own pool.query() calls back.
      const timer = arm();
      args[args.length - 1] = (...answer: unknown[]) => {
        clearTimeout(timer);
        (callback as (...answer: unknown[]) => void)(...answer);
      };
      return query(...args);
    }
    const result = query(...args);
    if (!(result instanceof Promise)) return result;
    const timer = arm();
    return result.finally(() => clearTimeout(timer));
  };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}
