/**
 * What both servers must know about an account on every request, fresh from the database
 * (deactivation and role changes apply at the next request, not at token expiry): is it
 * active, what is its role now, is this token id revoked, and when were its sessions last ended. One query, one round trip;
 * on PostgreSQL the lookups of concurrent requests share their query (`oneRow` in db/prepared.ts).
 */
import type { Role } from './domain.js';
import { isRole } from './domain.js';
import type { Database } from './db/database.js';
import { preparedQuery } from './db/prepared.js';

export interface AccountState {
  readonly active: boolean;
  readonly role: Role;
  readonly patientId: string | null;
  readonly revoked: boolean;
  /** Seconds since the epoch of the account's last ending of all sessions; access tokens issued before it are void. */
  readonly sessionsEndedAt: number | undefined;
}

export interface AccountStateLookup {
  /** undefined when the account does not exist. */
  lookup(userId: string, jti: string): Promise<AccountState | undefined>;
}

/** One row when the account exists; on PostgreSQL, concurrent lookups share one statement. */
const accountStateOf = preparedQuery(
  (db, args: { jti: string; accountId: number }) =>
    db
      .selectFrom('accounts')
      .select((eb) => [
        'accounts.is_active as active',
        'accounts.role as role',
        'accounts.patient_id as patient_id',
        'accounts.sessions_ended_at as sessions_ended_at',
        eb.exists(eb.selectFrom('revoked_tokens').select(eb.lit(1).as('one')).where('revoked_tokens.jti', '=', args.jti)).as('revoked'),
      ])
      .where('accounts.id', '=', args.accountId),
  { jti: '\u0000jti', accountId: -2_000_000_019 },
  { oneRow: true },
);

function toState(
  row: { active: number; role: string; patient_id: string | null; sessions_ended_at: string | null; revoked: unknown } | undefined,
): AccountState | undefined {
  if (!row || !isRole(row.role)) return undefined;
  return {
    active: row.active === 1,
    role: row.role,
    patientId: row.patient_id,
    revoked: Boolean(row.revoked),
    sessionsEndedAt: row.sessions_ended_at === null ? undefined : Math.floor(Date.parse(row.sessions_ended_at) / 1000),
  };
}

/** Account ids are 32-bit integers in both schemas; anything else names no account. */
const MAX_ACCOUNT_ID = 2_147_483_647;

export function accountStateLookup(database: Database): AccountStateLookup {
  const db = database.db;
  return {
    async lookup(userId, jti) {
      const accountId = Number(userId);
      if (!Number.isSafeInteger(accountId) || Math.abs(accountId) > MAX_ACCOUNT_ID) return undefined;
      const [row] = await accountStateOf(db, { jti, accountId });
      return toState(row);
    },
  };
}
