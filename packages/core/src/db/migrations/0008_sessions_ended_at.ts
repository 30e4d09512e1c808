import type { Kysely } from 'kysely';

/**
 * When an account's sessions were last ended (deactivation, password reset, role change).
 * The ledger ends the tokens this gateway issued by their ids (0006); a token minted
 * elsewhere with the shared secret (Django REST framework SimpleJWT, which SPEC accepts) is in
 * no ledger, and outlived a deactivation followed by a reactivation. Both servers now refuse
 * any access token issued before this instant.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('sessions_ended_at', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('sessions_ended_at').execute();
}
