import type { Kysely } from 'kysely';

/**
 * A break-glass event keeps the justification its caller gave, so the reviewer the flag is
 * for can read why, and inside the event's hash, so it cannot be edited afterwards (it lived
 * only in break_glass_grants, which no tool shows and the chain does not cover). Every other
 * event keeps it NULL and hashes as before (audit/chain.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('justification', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_events').dropColumn('justification').execute();
}
