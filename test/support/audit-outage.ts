/**
 * An audit log that refuses every write (a full disk, a failing database), made real by a
 * trigger on its table, on either engine; and taken back.
 */
import { sql } from 'kysely';
import type { Database } from '../../packages/core/src/db/database.js';

export async function refuseAuditWrites(database: Database, refuse: boolean): Promise<void> {
  const { db } = database;
  if (database.dialect === 'postgres') {
    if (refuse) {
      await sql`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit log down'; END $$`.execute(db);
      await sql`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_audit()`.execute(db);
    } else {
      await sql`DROP TRIGGER refuse_audit ON audit_events`.execute(db);
      await sql`DROP FUNCTION refuse_audit()`.execute(db);
    }
  } else if (refuse) {
    await sql`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit log down'); END`.execute(db);
  } else {
    await sql`DROP TRIGGER refuse_audit`.execute(db);
  }
}
