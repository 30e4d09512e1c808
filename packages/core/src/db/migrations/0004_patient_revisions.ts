import { sql, type Kysely } from 'kysely';
import { dialectOf } from './helpers.js';

/**
 * A revision number per patient that the database itself moves on every change to the rows
 * a patient's overview is read from. The MCP server keeps recently read charts in memory and
 * serves one again only while its revision is unchanged (clinical/chart-cache.ts), so the
 * bump is done by triggers: no writer (the tools, the importer, a DBA's UPDATE, another
 * server process) can change a chart without moving its revision. A patient without a row
 * is at revision 0.
 */

/** Tables whose rows make up the overview, and the column that names their patient. */
export const CHART_TABLES: ReadonlyArray<readonly [table: string, patientColumn: string]> = [
  ['patients', 'id'],
  ['patient_contacts', 'patient_id'],
  ['conditions', 'patient_id'],
  ['medications', 'patient_id'],
  ['allergies', 'patient_id'],
  ['observations', 'patient_id'],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  await db.schema
    .createTable('patient_revisions')
    .addColumn('patient_id', 'text', (c) => c.primaryKey())
    .addColumn('revision', dialect === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull())
    .execute();
  if (dialect === 'postgres') await postgresTriggers(db);
  else await sqliteTriggers(db);
}

const bumpSqlite = (key: string) =>
  `insert into patient_revisions (patient_id, revision) values (${key}, 1)
     on conflict (patient_id) do update set revision = revision + 1;`;

async function sqliteTriggers(db: Kysely<unknown>): Promise<void> {
  for (const [table, column] of CHART_TABLES) {
    await sql.raw(`create trigger ${table}_revision_insert after insert on ${table} begin ${bumpSqlite(`new.${column}`)} end`).execute(db);
    await sql.raw(`create trigger ${table}_revision_delete after delete on ${table} begin ${bumpSqlite(`old.${column}`)} end`).execute(db);
    // A row moved to another patient changes both charts.
    await sql
      .raw(`create trigger ${table}_revision_update after update on ${table} begin ${bumpSqlite(`old.${column}`)} ${bumpSqlite(`new.${column}`)} end`)
      .execute(db);
  }
}

/**
 * Statement-level triggers with transition tables: a bulk import of thousands of rows for
 * one patient bumps its revision once per statement, not once per row. The patient column
 * is passed as the trigger's argument and read through to_jsonb, so one function serves
 * every table.
 */
async function postgresTriggers(db: Kysely<unknown>): Promise<void> {
  const upsert = (rows: string) => `
    insert into patient_revisions (patient_id, revision)
      select distinct k, 1 from (${rows}) changed where k is not null
    on conflict (patient_id) do update set revision = patient_revisions.revision + 1;`;
  const key = (alias: string) => `to_jsonb(${alias}) ->> tg_argv[0]`;
  await sql
    .raw(`create function patient_revision_from_new() returns trigger language plpgsql as $$
      begin ${upsert(`select ${key('n')} as k from new_rows n`)} return null; end $$`)
    .execute(db);
  await sql
    .raw(`create function patient_revision_from_old() returns trigger language plpgsql as $$
      begin ${upsert(`select ${key('o')} as k from old_rows o`)} return null; end $$`)
    .execute(db);
  await sql
    .raw(`create function patient_revision_from_both() returns trigger language plpgsql as $$
      begin ${upsert(`select ${key('o')} as k from old_rows o union select ${key('n')} from new_rows n`)} return null; end $$`)
    .execute(db);
  // TRUNCATE names no rows: every patient's chart may have changed.
  await sql
    .raw(`create function patient_revision_all() returns trigger language plpgsql as $$
      begin ${upsert('select id as k from patients')} return null; end $$`)
    .execute(db);
  for (const [table, column] of CHART_TABLES) {
    const each = (event: string, transition: string, fn: string) =>
      sql
        .raw(`create trigger ${table}_revision_${event} after ${event} on ${table} referencing ${transition}
          for each statement execute function ${fn}('${column}')`)
        .execute(db);
    await each('insert', 'new table as new_rows', 'patient_revision_from_new');
    await each('delete', 'old table as old_rows', 'patient_revision_from_old');
    await each('update', 'old table as old_rows new table as new_rows', 'patient_revision_from_both');
    // Runs before the rows go, so the patients are still there to be named.
    await sql.raw(`create trigger ${table}_revision_truncate before truncate on ${table} for each statement execute function patient_revision_all()`).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  for (const [table] of CHART_TABLES) {
    for (const event of ['insert', 'delete', 'update', ...(dialect === 'postgres' ? ['truncate'] : [])]) {
      await sql.raw(`drop trigger if exists ${table}_revision_${event}${dialect === 'postgres' ? ` on ${table}` : ''}`).execute(db);
    }
  }
  if (dialect === 'postgres') {
    for (const fn of ['patient_revision_from_new', 'patient_revision_from_old', 'patient_revision_from_both', 'patient_revision_all']) {
      await sql.raw(`drop function if exists ${fn}()`).execute(db);
    }
  }
  await db.schema.dropTable('patient_revisions').execute();
}
