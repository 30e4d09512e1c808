import type { Kysely } from 'kysely';

/**
 * The refresh-token ledger also names the access token issued with each refresh token, so
 * ending a session ends its access tokens at once: revoking a family (a stolen refresh token
 * presented again, a logout) or all of an account's sessions (password reset, deactivation,
 * role change) now lists their unexpired access tokens in revoked_tokens, which both servers
 * read on every request. Before, they stayed valid until expiry (up to 5 minutes). Rows
 * written before this migration have no access token to name.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('refresh_tokens').addColumn('access_jti', 'text').execute();
  await db.schema.alterTable('refresh_tokens').addColumn('access_expires_at', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('refresh_tokens').dropColumn('access_expires_at').execute();
  await db.schema.alterTable('refresh_tokens').dropColumn('access_jti').execute();
}
