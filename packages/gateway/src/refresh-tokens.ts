/**
 * The refresh-token ledger (table refresh_tokens): every refresh token issued, its rotation
 * family, and when and why it stopped being valid. Rotation with reuse detection follows
 * RFC 6819 §5.2.2.3 and the OAuth 2.0 Security BCP (RFC 9700 §4.14.2): presenting a
 * token that was already replaced means two parties hold the family, so the family ends
 * (`endSessions` in core/accounts.ts, which also ends the family's access tokens).
 */
import type { Kysely } from 'kysely';
import type { Tables } from '@secure-hospital-ai/core/db/schema';

export interface RefreshTokenRecord {
  readonly jti: string;
  readonly accountId: number;
  readonly familyId: string;
  /** Seconds since the epoch. */
  readonly exp: number;
  /** The access token issued with it, so that ending the session ends that one too (endSessions). */
  readonly access: { readonly jti: string; readonly exp: number };
}

export interface LedgerEntry {
  readonly jti: string;
  readonly accountId: number;
  readonly familyId: string;
  readonly revokedAt: string | null;
  readonly revokedReason: string | null;
}

function row(record: RefreshTokenRecord, issuedAt: string) {
  return {
    jti: record.jti,
    account_id: record.accountId,
    family_id: record.familyId,
    issued_at: issuedAt,
    expires_at: new Date(record.exp * 1000).toISOString(),
    revoked_at: null,
    revoked_reason: null,
    replaced_by: null,
    access_jti: record.access.jti,
    access_expires_at: new Date(record.access.exp * 1000).toISOString(),
  };
}

export async function recordRefreshToken(db: Kysely<Tables>, record: RefreshTokenRecord): Promise<void> {
  await db.insertInto('refresh_tokens').values(row(record, new Date().toISOString())).execute();
}

export async function findRefreshToken(db: Kysely<Tables>, jti: string): Promise<LedgerEntry | undefined> {
  const found = await db
    .selectFrom('refresh_tokens')
    .select(['jti', 'account_id', 'family_id', 'revoked_at', 'revoked_reason'])
    .where('jti', '=', jti)
    .executeTakeFirst();
  if (!found) return undefined;
  return {
    jti: found.jti,
    accountId: found.account_id,
    familyId: found.family_id,
    revokedAt: found.revoked_at,
    revokedReason: found.revoked_reason,
  };
}

/**
 * Replaces `oldJti` with `next` in one transaction. Resolves false, changing nothing, when
 * `oldJti` was no longer live: a concurrent rotation won, which is itself a reuse.
 */
export async function rotateRefreshToken(db: Kysely<Tables>, oldJti: string, next: RefreshTokenRecord): Promise<boolean> {
  const now = new Date().toISOString();
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('refresh_tokens')
      .set({ revoked_at: now, revoked_reason: 'rotated', replaced_by: next.jti })
      .where('jti', '=', oldJti)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    await trx.insertInto('refresh_tokens').values(row(next, now)).execute();
    return true;
  });
}

/** Refuses one access token before its expiry (logout); both servers consult revoked_tokens. */
export async function revokeAccessToken(
  db: Kysely<Tables>,
  token: { jti: string; accountId: number; exp: number },
  reason: string,
): Promise<void> {
  await db
    .insertInto('revoked_tokens')
    .values({
      jti: token.jti,
      account_id: token.accountId,
      expires_at: new Date(token.exp * 1000).toISOString(),
      revoked_at: new Date().toISOString(),
      reason,
    })
    .onConflict((oc) => oc.column('jti').doNothing())
    .execute();
}

export async function isAccessTokenRevoked(db: Kysely<Tables>, jti: string): Promise<boolean> {
  const found = await db.selectFrom('revoked_tokens').select('jti').where('jti', '=', jti).executeTakeFirst();
  return found !== undefined;
}
