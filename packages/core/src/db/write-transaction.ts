/**
 * A transaction that holds the write lock from its first statement. Kysely's SQLite
 * transactions BEGIN DEFERRED: one that reads and then writes fails at once with "database is
 * locked" when another connection wrote in between (SQLite cannot wait there without risking
 * a deadlock), so an operator's `wards admit` failed beside ordinary traffic. BEGIN IMMEDIATE
 * takes the lock up front and waits the connection's busy timeout for it. On PostgreSQL it is
 * an ordinary transaction; callers lock the rows they read (SELECT … FOR UPDATE).
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from './migrations/helpers.js';
import type { Tables } from './schema.js';

/** What writeTransaction hands its work: a transaction of Kysely's, or a SQLite connection holding one. */
export type WriteTransaction = Kysely<Tables>;

/** The SQLite connections writeTransaction holds a transaction on: Kysely does not know it as one. */
const OPEN = new WeakSet<Kysely<Tables>>();

/** Whether `db` is inside a transaction already, Kysely's own or writeTransaction's. */
export function inTransaction(db: Kysely<Tables>): boolean {
  return db.isTransaction || OPEN.has(db);
}

export async function writeTransaction<T>(db: Kysely<Tables>, work: (trx: WriteTransaction) => Promise<T>): Promise<T> {
  if (dialectOf(db as Kysely<unknown>) === 'postgres') return db.transaction().execute(work);
  return db.connection().execute(async (connection) => {
    await sql`BEGIN IMMEDIATE`.execute(connection);
    OPEN.add(connection);
    let result: T;
    try {
      result = await work(connection);
    } catch (error) {
      OPEN.delete(connection);
      await sql`ROLLBACK`.execute(connection);
      throw error;
    }
    OPEN.delete(connection);
    await sql`COMMIT`.execute(connection);
    return result;
  });
}

/**
 * Makes the writers of one kind of row take turns until the transaction ends, where a unique
 * index cannot: names that must differ by more than case (accounts, wards), checked before
 * the insert. PostgreSQL: a transaction-scoped advisory lock on the name; SQLite: the write
 * lock writeTransaction holds already does it.
 */
export async function serialiseWriters(trx: WriteTransaction, name: string): Promise<void> {
  if (dialectOf(trx as Kysely<unknown>) === 'postgres') await sql`SELECT pg_advisory_xact_lock(hashtext(${name}))`.execute(trx);
}

/**
 * A read of rows the transaction is about to change, locked until it ends: FOR UPDATE on
 * PostgreSQL; on SQLite the write lock writeTransaction holds already keeps every other writer out.
 */
export function lockedForWrite<Q extends { forUpdate(): Q }>(trx: WriteTransaction, query: Q): Q {
  return dialectOf(trx as Kysely<unknown>) === 'postgres' ? query.forUpdate() : query;
}
