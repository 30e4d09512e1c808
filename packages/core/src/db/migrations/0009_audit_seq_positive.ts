import { sql, type Kysely } from 'kysely';
import { dialectOf } from './helpers.js';

/**
 * The chain starts at seq 1. A row numbered 0 or below passed 0003's and 0007's guards and
 * went unseen by `audit verify`, which walks from 1, while get_audit_log showed it as a real
 * event (a patient's access log could be given an access that never happened). Such a row is
 * now refused on insert; verify reports any that exist.
 *
 * PostgreSQL: a CHECK constraint, NOT VALID so that a log already holding such a row still
 * migrates (verify names the row; the operator decides what it means).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql`alter table audit_events add constraint audit_events_seq_positive check (seq >= 1) not valid`.execute(db);
    return;
  }
  await sql`create trigger audit_events_seq_positive before insert on audit_events
    when new.seq < 1
    begin select raise(abort, 'audit_events: seq starts at 1'); end`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql`alter table audit_events drop constraint if exists audit_events_seq_positive`.execute(db);
    return;
  }
  await sql`drop trigger if exists audit_events_seq_positive`.execute(db);
}
