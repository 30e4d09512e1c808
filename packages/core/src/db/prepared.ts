/**
 * Hot reads without the query builder's per-call cost. A query is still written once, with
 * Kysely; it is compiled once per engine with sentinel values standing in for its
 * parameters, and each call only swaps the real values in and runs the prepared statement on
 * a raw handle (better-sqlite3: the turn's shared read transaction, `turn-reads.ts`; or a named
 * pg statement). Profiling showed Kysely's build, compile and executor at 15–50 µs for reads
 * SQLite runs in 1.5–3 µs, several times per call.
 */
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type pg from 'pg';
import { batchLoader, POSTGRES_BATCHING } from '../batch-loader.js';
import type { Database } from './database.js';
import type { Tables } from './schema.js';

const handles = new WeakMap<object, Database>();

/** Called by openDatabase: lets prepared queries find the raw handle behind a Kysely instance. */
export function registerRawHandle(database: Database): void {
  handles.set(database.db, database);
}

export interface Plan {
  sql: string;
  /** For each positional parameter: the name of the argument it takes, or a constant. */
  slots: Array<{ arg: string } | { constant: unknown }>;
}

let counter = 0;

export interface PreparedQueryOptions {
  /**
   * The query returns at most one row per call (a lookup by key). SQLite then stops at the
   * first row, and on PostgreSQL calls made while earlier ones are running share one statement
   * (see `batchedSql`), which keeps no order among one call's rows: hence only for these.
   */
  oneRow?: boolean;
}

type Run<Args, Row> = (args: Args) => Promise<Row[]>;

export function preparedQuery<Args extends Record<string, string | number>, Row>(
  build: (db: Kysely<Tables>, args: Args) => Compilable<Row>,
  sentinels: Args,
  options: PreparedQueryOptions = {},
): (db: Kysely<Tables>, args: Args) => Promise<Row[]> {
  const name = `shai_prepared_${++counter}`;
  const plans = new Map<string, Plan>();
  const byValue = new Map<unknown, string>(Object.entries(sentinels).map(([key, value]) => [value, key]));
  /**
   * Per database: its plan, statement or batcher, found on the first call. Hot reads run
   * several times per request, and looking these up on each call cost more than a SQLite read.
   */
  const runs = new WeakMap<Kysely<Tables>, Run<Args, Row>>();

  function planFor(db: Kysely<Tables>): Plan {
    const engine = db.getExecutor().adapter.constructor.name;
    let plan = plans.get(engine);
    if (!plan) {
      const compiled = build(db, sentinels).compile();
      plan = {
        sql: compiled.sql,
        slots: compiled.parameters.map((value) => (byValue.has(value) ? { arg: byValue.get(value) as string } : { constant: value })),
      };
      plans.set(engine, plan);
    }
    return plan;
  }

  function valuesFor(plan: Plan): (args: Args) => unknown[] {
    const slots = plan.slots.map((slot) => ('arg' in slot ? { arg: slot.arg as keyof Args, constant: undefined } : { arg: undefined, constant: slot.constant }));
    return (args) => slots.map((slot) => (slot.arg === undefined ? slot.constant : args[slot.arg]));
  }

  async function throughKysely(db: Kysely<Tables>, plan: Plan, values: unknown[]): Promise<Row[]> {
    return (await db.executeQuery<Row>(CompiledQuery.raw(plan.sql, values))).rows as Row[];
  }

  function batched(pool: pg.Pool, plan: Plan): Run<Args, Row> {
    const statement = batchedSql(plan, sentinels);
    return batchLoader<Args, Row[]>(async (keys) => {
      const values = [...statement.argNames.map((arg) => keys.map((k) => k[arg])), ...statement.constants];
      const { rows } = await pool.query<Row & { shai_batch_ord: number }>({ name: `${name}_batch`, text: statement.text, values });
      const perKey = keys.map((): Row[] => []);
      for (const { shai_batch_ord: ord, ...row } of rows) perKey[ord - 1]?.push(row as Row);
      return perKey;
    }, POSTGRES_BATCHING);
  }

  /** undefined for a Kysely instance with no raw handle behind it (a transaction's). */
  function runFor(db: Kysely<Tables>): Run<Args, Row> | undefined {
    const raw = handles.get(db);
    if (raw === undefined) return undefined;
    const plan = planFor(db);
    const values = valuesFor(plan);
    const { sqlite, pool, turnReads } = raw;
    if (sqlite && turnReads) {
      const statement = turnReads.connection.prepare(plan.sql);
      const rowsOf =
        options.oneRow === true
          ? (bound: unknown[]): Row[] => {
              const row = statement.get(bound) as Row | undefined;
              return row === undefined ? [] : [row];
            }
          : (bound: unknown[]): Row[] => statement.all(bound) as Row[];
      // While a Kysely transaction holds the connection, go through Kysely so the read waits
      // for, and sees, that transaction; otherwise in the turn's shared read transaction.
      return async (args) => {
        if (sqlite.inTransaction) return throughKysely(db, plan, values(args));
        turnReads.enter();
        return rowsOf(values(args));
      };
    }
    if (pool && options.oneRow === true) return batched(pool, plan);
    if (pool) return async (args) => (await pool.query({ name, text: plan.sql, values: values(args) })).rows as Row[];
    return undefined;
  }

  return (db, args) => {
    let run = runs.get(db);
    if (run === undefined) {
      run = runFor(db);
      if (run === undefined) {
        const plan = planFor(db);
        return throughKysely(db, plan, valuesFor(plan)(args));
      }
      runs.set(db, run);
    }
    return run(args);
  };
}

/**
 * The PostgreSQL statement that runs a one-row query for many calls at once: the calls'
 * arguments arrive as one array per argument, numbered by `unnest … WITH ORDINALITY`, and the
 * query, with each argument placeholder pointing at its array's column, runs once per call as
 * a LATERAL subquery. Each row comes back tagged with its call's number. Placeholders that
 * stand for constants of the query stay parameters, after the arrays.
 */
export function batchedSql(plan: Plan, sentinels: Record<string, string | number>): { text: string; argNames: string[]; constants: unknown[] } {
  const argNames = Object.keys(sentinels);
  const constants: unknown[] = [];
  const inner = plan.sql.replace(/\$(\d+)/g, (_match, digits: string) => {
    const slot = plan.slots[Number(digits) - 1];
    if (slot === undefined) throw new Error(`batchedSql: no parameter $${digits}`);
    if ('arg' in slot) return `shai_batch_args.a${argNames.indexOf(slot.arg)}`;
    constants.push(slot.constant);
    return `$${argNames.length + constants.length}`;
  });
  const arrays = argNames.map((arg, i) => `$${i + 1}::${sqlArrayType(sentinels[arg] as string | number)}`);
  const columns = argNames.map((_arg, i) => `a${i}`).join(', ');
  return {
    text:
      `SELECT shai_batch_args.ord AS shai_batch_ord, shai_batch_row.* FROM unnest(${arrays.join(', ')}) ` +
      `WITH ORDINALITY AS shai_batch_args(${columns}, ord) CROSS JOIN LATERAL (${inner}) AS shai_batch_row`,
    argNames,
    constants,
  };
}

function sqlArrayType(sentinel: string | number): string {
  if (typeof sentinel === 'string') return 'text[]';
  return Number.isInteger(sentinel) ? 'bigint[]' : 'double precision[]';
}
