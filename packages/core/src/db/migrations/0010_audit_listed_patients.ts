import { sql, type Kysely } from 'kysely';
import { dialectOf } from './helpers.js';

/**
 * A search shows several patients at once, and each of them must find it in their access log
 * (HIPAA accounting of disclosures). The event keeps the ids it listed in `listed_patients`
 * (canonical JSON: sorted, unique), which the hash covers whenever it is set (audit/chain.ts);
 * older events keep it NULL and their hashes as they were. `audit_event_patients` is the index
 * that finds them by patient: derived from that column, written in the same transaction, as
 * append-only as the log, and checked against it by `audit verify` (a row taken out of it would
 * hide the event from the patient's log without touching the chain).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  const seqType = dialect === 'postgres' ? 'bigint' : 'integer';

  await db.schema.alterTable('audit_events').addColumn('listed_patients', 'text').execute();

  // In seq order, as verify walks the log; by patient for the access log.
  let table = db.schema
    .createTable('audit_event_patients')
    .addColumn('seq', seqType, (c) => c.notNull())
    .addColumn('patient_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_event_patients_pkey', ['seq', 'patient_id']);
  if (dialect === 'sqlite') table = table.modifyEnd(sql`without rowid`);
  await table.execute();
  await db.schema.createIndex('audit_event_patients_patient').on('audit_event_patients').columns(['patient_id', 'seq']).execute();

  if (dialect === 'postgres') {
    await sql`create function audit_event_patients_append_only() returns trigger language plpgsql as $$
      begin raise exception 'audit_event_patients is append-only'; end $$`.execute(db);
    await sql`create trigger audit_event_patients_no_update before update or delete on audit_event_patients
      for each row execute function audit_event_patients_append_only()`.execute(db);
    await sql`create trigger audit_event_patients_no_truncate before truncate on audit_event_patients
      for each statement execute function audit_event_patients_append_only()`.execute(db);
    return;
  }
  await sql`create trigger audit_event_patients_no_update before update on audit_event_patients
    begin select raise(abort, 'audit_event_patients is append-only'); end`.execute(db);
  await sql`create trigger audit_event_patients_no_delete before delete on audit_event_patients
    begin select raise(abort, 'audit_event_patients is append-only'); end`.execute(db);
  // REPLACE deletes the row in its way without a DELETE trigger (see 0007).
  await sql`create trigger audit_event_patients_no_replace before insert on audit_event_patients
    when exists (select 1 from audit_event_patients where patient_id = new.patient_id and seq = new.seq)
    begin select raise(abort, 'audit_event_patients is append-only'); end`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  await db.schema.dropTable('audit_event_patients').execute();
  if (dialect === 'postgres') await sql`drop function if exists audit_event_patients_append_only()`.execute(db);
  await db.schema.alterTable('audit_events').dropColumn('listed_patients').execute();
}
