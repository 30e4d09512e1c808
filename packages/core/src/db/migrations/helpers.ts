import { sql, type CreateTableBuilder, type Kysely } from 'kysely';

/** Which engine a migration runs on; the few differences (ids, triggers) branch on it. */
export function dialectOf(db: Kysely<unknown>): 'sqlite' | 'postgres' {
  const name = db.getExecutor().adapter.constructor.name;
  return name.startsWith('Postgres') ? 'postgres' : 'sqlite';
}

/** An integer primary key the engine assigns: SQLite's rowid alias, PostgreSQL's identity. */
export function idColumn<T extends string>(db: Kysely<unknown>, table: CreateTableBuilder<T, never>) {
  return dialectOf(db) === 'postgres'
    ? table.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

export { sql };
