import { sql, type Kysely } from 'kysely';
import { dialectOf } from './helpers.js';

/**
 * The tamper-evident audit log (docs/audit.md). `seq` is the position in the hash chain and
 * is assigned by the writer from the chain head, never by a sequence (a rolled-back sequence
 * value would leave a gap that verify must treat as a deleted event). The database refuses
 * UPDATE and DELETE of events, and lets the chain head only move forward.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  // SQLite: INTEGER PRIMARY KEY is the rowid itself (no second index); PostgreSQL: 64 bits.
  const seqType = dialect === 'postgres' ? 'bigint' : 'integer';

  await db.schema
    .createTable('audit_events')
    .addColumn('seq', seqType, (c) => c.primaryKey())
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('role', 'text')
    .addColumn('tool', 'text')
    .addColumn('patient_id', 'text')
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('break_glass', 'integer', (c) => c.notNull().check(sql`break_glass in (0, 1)`))
    .addColumn('purpose_of_use', 'text')
    .addColumn('redactions', 'text', (c) => c.notNull())
    .addColumn('client_address', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();

  // get_audit_log filters, newest first (keyset on seq).
  await db.schema.createIndex('audit_events_patient').on('audit_events').columns(['patient_id', 'seq']).execute();
  await db.schema.createIndex('audit_events_user').on('audit_events').columns(['user_id', 'seq']).execute();
  await db.schema.createIndex('audit_events_time').on('audit_events').columns(['time', 'seq']).execute();
  await db.schema.createIndex('audit_events_decision').on('audit_events').columns(['decision', 'seq']).execute();
  await db.schema.createIndex('audit_events_break_glass').on('audit_events').columns(['break_glass', 'seq']).execute();

  await db.schema
    .createTable('audit_chain_head')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('seq', seqType, (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await sql`insert into audit_chain_head (id, seq, hash) values (1, 0, ${'0'.repeat(64)})`.execute(db);

  if (dialect === 'postgres') await postgresGuards(db);
  else await sqliteGuards(db);
}

async function sqliteGuards(db: Kysely<unknown>): Promise<void> {
  await sql`create trigger audit_events_no_update before update on audit_events
    begin select raise(abort, 'audit_events is append-only'); end`.execute(db);
  await sql`create trigger audit_events_no_delete before delete on audit_events
    begin select raise(abort, 'audit_events is append-only'); end`.execute(db);
  await sql`create trigger audit_chain_head_no_delete before delete on audit_chain_head
    begin select raise(abort, 'audit_chain_head cannot be deleted'); end`.execute(db);
  await sql`create trigger audit_chain_head_forward_only before update on audit_chain_head
    when new.id <> old.id or new.seq <= old.seq
    begin select raise(abort, 'audit chain head only moves forward'); end`.execute(db);
}

async function postgresGuards(db: Kysely<unknown>): Promise<void> {
  await sql`create function audit_events_append_only() returns trigger language plpgsql as $$
    begin raise exception 'audit_events is append-only'; end $$`.execute(db);
  await sql`create trigger audit_events_no_update before update or delete on audit_events
    for each row execute function audit_events_append_only()`.execute(db);
  await sql`create trigger audit_events_no_truncate before truncate on audit_events
    for each statement execute function audit_events_append_only()`.execute(db);

  await sql`create function audit_chain_head_guard() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' then
        if new.id = old.id and new.seq > old.seq then
          return new;
        end if;
      end if;
      raise exception 'audit chain head only moves forward';
    end $$`.execute(db);
  await sql`create trigger audit_chain_head_guard before update or delete on audit_chain_head
    for each row execute function audit_chain_head_guard()`.execute(db);
  await sql`create trigger audit_chain_head_no_truncate before truncate on audit_chain_head
    for each statement execute function audit_chain_head_guard()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_chain_head').execute();
  await db.schema.dropTable('audit_events').execute();
  if (dialectOf(db) === 'postgres') {
    await sql`drop function if exists audit_chain_head_guard()`.execute(db);
    await sql`drop function if exists audit_events_append_only()`.execute(db);
  }
}
