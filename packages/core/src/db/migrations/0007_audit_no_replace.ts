import { sql, type Kysely } from 'kysely';
import { dialectOf } from './helpers.js';

/**
 * SQLite's REPLACE (`REPLACE INTO`, `INSERT OR REPLACE`) settles a primary-key conflict by
 * deleting the row in the way, and fires no DELETE trigger doing so (unless recursive_triggers
 * is on, which is a setting of whichever connection writes, not of the file). So 0003's guards
 * let anyone able to write the file rewrite an event in place, or move the chain head back:
 * re-hash the last event, replace the head to match, and verify passed. An INSERT naming an
 * event or a head that already exists is now refused before any conflict is settled.
 *
 * PostgreSQL needs nothing: its upsert (ON CONFLICT DO UPDATE) and MERGE fire the UPDATE
 * trigger of 0003, which refuses them, and a plain duplicate key is an error.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) === 'postgres') return;
  await sql`create trigger audit_events_no_replace before insert on audit_events
    when exists (select 1 from audit_events where seq = new.seq)
    begin select raise(abort, 'audit_events is append-only'); end`.execute(db);
  await sql`create trigger audit_chain_head_no_replace before insert on audit_chain_head
    when exists (select 1 from audit_chain_head)
    begin select raise(abort, 'audit chain head only moves forward'); end`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) === 'postgres') return;
  await sql`drop trigger if exists audit_chain_head_no_replace`.execute(db);
  await sql`drop trigger if exists audit_events_no_replace`.execute(db);
}
