import { sql, type Kysely } from 'kysely';

/**
 * The decision and break-glass indexes of the audit log cover only the events they exist to
 * find: refusals and errors, and emergency access. Allowed calls are nearly every event and
 * are found by patient, user or time instead; they now update three indexes instead of five.
 * Each index's condition is a literal that the audit query repeats word for word
 * (audit/query.ts): SQLite uses a partial index only for a query whose WHERE holds that term.
 */

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('audit_events_decision').execute();
  await db.schema.dropIndex('audit_events_break_glass').execute();
  await sql`CREATE INDEX audit_events_refused ON audit_events (decision, seq) WHERE decision <> 'allow'`.execute(db);
  await sql`CREATE INDEX audit_events_break_glass ON audit_events (seq) WHERE break_glass = 1`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('audit_events_refused').execute();
  await db.schema.dropIndex('audit_events_break_glass').execute();
  await db.schema.createIndex('audit_events_decision').on('audit_events').columns(['decision', 'seq']).execute();
  await db.schema.createIndex('audit_events_break_glass').on('audit_events').columns(['break_glass', 'seq']).execute();
}
