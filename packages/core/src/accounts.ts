/**
 * Accounts and their relationships to patients (care teams, wards). Used by the gateway's
 * login, the admin routes and the `accounts` CLI. Changes take effect at both servers at
 * the next request because both read account state per request (account-state.ts).
 */
import { randomBytes } from 'node:crypto';
import type { ExpressionBuilder, Kysely } from 'kysely';
import { isRole, type Role } from './domain.js';
import { AppError } from './errors.js';
import { labelProblem } from './free-text.js';
import type { RecordChange } from './audit/append-in-transaction.js';
import { PUBLISHED_PASSWORDS } from './db/demo-accounts.js';
import type { Account, Tables } from './db/schema.js';
import { inTransaction, lockedForWrite, serialiseWriters, writeTransaction } from './db/write-transaction.js';
import { hashPassword, needsRehash } from './passwords.js';

export interface NewAccountInput {
  username: string;
  password: string;
  role: Role;
  displayName?: string;
  patientId?: string | null;
  isDemo?: boolean;
  active?: boolean;
}

const USERNAME = /^[a-zA-Z0-9_.@-]{3,64}$/;

/**
 * The passwords people pick first, refused whatever the length rule says (OWASP ASVS 2.1.7
 * asks for a check against breached passwords; this is its smallest useful form).
 */
const COMMON_PASSWORDS = new Set([
  'password', 'password1', 'password123', '12345678', '123456789', '1234567890', 'qwertyui', 'qwerty123',
  'iloveyou', 'letmein1', 'welcome1', 'admin123', 'abc12345', '11111111', '00000000', 'changeme',
  'passw0rd', 'football', 'baseball', 'sunshine', 'trustno1', 'hospital', 'doctor123', 'nurse123',
]);

/**
 * A password an account may have: 8 characters or more, not blank, not one everybody tries,
 * and not a demo account's (the README publishes those; an account retired for production had
 * been given another demo account's password, and production started with it). Only seeding
 * the demo accounts themselves gives them out.
 */
export function checkNewPassword(password: string, options: { demoSeed?: boolean } = {}): void {
  if (password.length < 8) throw new AppError('ERR_VALIDATION', { detail: 'password must be at least 8 characters' });
  if (password.trim() === '') throw new AppError('ERR_VALIDATION', { detail: 'password must not be blank' });
  if (COMMON_PASSWORDS.has(password.toLowerCase())) {
    throw new AppError('ERR_VALIDATION', { detail: 'password is one of the most common passwords; choose another' });
  }
  // In any case and with spaces around it: "Kingjulien100" is the published one to anyone who tries.
  if (options.demoSeed !== true && PUBLISHED_PASSWORDS.has(password.trim().toLowerCase())) {
    throw new AppError('ERR_VALIDATION', { detail: 'password is a published demo password; choose another' });
  }
}

/** A patient account must point at a record that exists: one made later under that id would be theirs. */
async function requirePatientRecord(db: Kysely<Tables>, patientId: string): Promise<void> {
  const patient = await db.selectFrom('patients').select('id').where('id', '=', patientId).executeTakeFirst();
  if (!patient) throw new AppError('ERR_NOT_FOUND', { detail: `no patient ${patientId}`, internalReason: 'patient_not_found' });
}

/** Care teams are for doctors, wards for nurses (policy.ts): on any other account they grant nothing. */
function requireRoleFor(account: Account, what: 'care team' | 'ward', roles: readonly Role[]): void {
  if (!roles.includes(account.role as Role)) {
    throw new AppError('ERR_VALIDATION', { detail: `a ${account.role} account has no ${what}; only ${roles.join(' or ')} accounts do` });
  }
}

export function nowIso(): string {
  return new Date().toISOString();
}

/**
 * The reason of an `account.change` audit event, the same from the gateway and the CLI: the
 * change and the account's id (`account.deactivate:account/17`) and, when a role is given or
 * changed, the role before and after (`account.set_role:account/13:from/nurse:to/admin`), so a
 * reviewer can tell what an account could do at any time. Never a password or a name.
 */
export function accountChangeReason(change: string, accountId: number, role?: { from?: string; to: string }): string {
  const roles = role === undefined ? '' : role.from === undefined ? `:role/${role.to}` : `:from/${role.from}:to/${role.to}`;
  return `${change}:account/${accountId}${roles}`;
}


export async function createAccount(db: Kysely<Tables>, input: NewAccountInput, record?: RecordChange<Account>): Promise<Account> {
  if (!USERNAME.test(input.username)) {
    throw new AppError('ERR_VALIDATION', { detail: 'username must be 3-64 characters of letters, digits, _ . @ -' });
  }
  if (!isRole(input.role)) throw new AppError('ERR_VALIDATION', { detail: `unknown role ${String(input.role)}` });
  // The name signs every note the account writes: held to what a note is (a reviewer stored a
  // bell, a right-to-left override and a lone surrogate, which came back as U+FFFD).
  const nameProblem = input.displayName === undefined ? undefined : labelProblem(input.displayName);
  if (nameProblem !== undefined) throw new AppError('ERR_VALIDATION', { detail: `display name ${nameProblem}` });
  checkNewPassword(input.password, { demoSeed: input.isDemo === true });
  if (input.role === 'patient' && !input.patientId) {
    throw new AppError('ERR_VALIDATION', { detail: 'a patient account must be linked to a patient id' });
  }
  if (input.role === 'patient') await requirePatientRecord(db, input.patientId as string);
  // Logins are throttled by the name case-folded: two names that differ only in case would
  // share it. Refused before the password is hashed, and again with creators taking turns
  // (six creating "Twin", "TWIN", … at once had made six such twins).
  await refuseTakenUsername(db, input.username);
  // Hashed before the write lock is taken: it takes a tenth of a second on purpose.
  const passwordHash = await hashPassword(input.password);
  const now = nowIso();
  return writeTransaction(db, async (trx) => {
    await serialiseWriters(trx, 'accounts.create');
    await refuseTakenUsername(trx, input.username);
    const account = await trx
      .insertInto('accounts')
      .values({
        username: input.username,
        password_hash: passwordHash,
        role: input.role,
        display_name: input.displayName ?? input.username,
        patient_id: input.role === 'patient' ? (input.patientId ?? null) : null,
        is_active: input.active === false ? 0 : 1,
        is_demo: input.isDemo ? 1 : 0,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await record?.(trx, account);
    return account;
  });
}

async function refuseTakenUsername(db: Kysely<Tables>, username: string): Promise<void> {
  const existing = await db
    .selectFrom('accounts')
    .select('username')
    .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
    .executeTakeFirst();
  if (existing) throw new AppError('ERR_CONFLICT', { detail: `username ${username} is taken` });
}

export async function findAccountByUsername(db: Kysely<Tables>, username: string): Promise<Account | undefined> {
  return db.selectFrom('accounts').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function findAccountById(db: Kysely<Tables>, id: number): Promise<Account | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function requireAccount(db: Kysely<Tables>, username: string): Promise<Account> {
  const account = await findAccountByUsername(db, username);
  if (!account) throw new AppError('ERR_NOT_FOUND', { detail: `no account named ${username}` });
  return account;
}

/** Activates or deactivates; `changed` is false when the account already was so (callers record no change then). */
export async function setAccountActive(
  db: Kysely<Tables>,
  username: string,
  active: boolean,
  record?: RecordChange<Account>,
): Promise<{ account: Account; changed: boolean }> {
  const changed = await writeTransaction(db, async (trx) => {
    const account = await lockedAccount(trx, username);
    if ((account.is_active === 1) === active) return false;
    await trx.updateTable('accounts').set({ is_active: active ? 1 : 0, updated_at: nowIso() }).where('id', '=', account.id).execute();
    // Deactivation also ends every session, access tokens included, so a later reactivation starts clean.
    if (!active) await endSessions(trx, { accountId: account.id }, 'account_deactivated');
    await record?.(trx, account);
    return true;
  });
  return { account: await requireAccount(db, username), changed };
}

/**
 * The account as it is inside a write transaction, its row locked on PostgreSQL (SQLite's
 * write lock already holds): a change decides on what it then changes, and its audit event
 * says so. Read before the transaction, two admins' changes at once had recorded "from
 * receptionist" after a change to auditor, and one deactivation twice.
 */
async function lockedAccount(trx: Kysely<Tables>, username: string): Promise<Account> {
  const account = await lockedForWrite(trx, trx.selectFrom('accounts').selectAll().where('username', '=', username)).executeTakeFirst();
  if (!account) throw new AppError('ERR_NOT_FOUND', { detail: `no account named ${username}` });
  return account;
}

/** `record` is told the account as it was before, with the role it now has. */
export async function setAccountRole(
  db: Kysely<Tables>,
  username: string,
  role: Role,
  patientId?: string | null,
  record?: RecordChange<{ before: Account; patientId: string | null }>,
): Promise<Account> {
  if (!isRole(role)) throw new AppError('ERR_VALIDATION', { detail: `unknown role ${String(role)}` });
  await writeTransaction(db, async (trx) => {
    const account = await lockedAccount(trx, username);
    if (role === 'patient' && patientId) await requirePatientRecord(trx, patientId);
    if (role === 'patient' && !patientId && !account.patient_id) {
      throw new AppError('ERR_VALIDATION', { detail: 'a patient account must be linked to a patient id' });
    }
    const linked = role === 'patient' ? (patientId ?? account.patient_id) : null;
    // Nothing changes: the account's sessions need not end, and nothing is recorded.
    if (role === account.role && linked === account.patient_id) return;
    await trx
      .updateTable('accounts')
      .set({ role, patient_id: linked, updated_at: nowIso() })
      .where('id', '=', account.id)
      .execute();
    await endSessions(trx, { accountId: account.id }, 'role_changed');
    await record?.(trx, { before: account, patientId: linked });
  });
  return requireAccount(db, username);
}

export async function resetPassword(db: Kysely<Tables>, username: string, password: string, record?: RecordChange<Account>): Promise<void> {
  checkNewPassword(password);
  const account = await requireAccount(db, username);
  const hash = await hashPassword(password);
  await writeTransaction(db, async (trx) => {
    await trx.updateTable('accounts').set({ password_hash: hash, updated_at: nowIso() }).where('id', '=', account.id).execute();
    await endSessions(trx, { accountId: account.id }, 'password_reset');
    await record?.(trx, account);
  });
}

/**
 * Takes a demo account out of service for good, which production asks for before it starts
 * (db/seed.ts demoAccountsPresent): deactivated with its sessions ended, its published
 * password replaced by one nobody knows, its care teams and wards removed, and no longer
 * marked as a demo. It is not deleted: the audit log names it, and an account id is never
 * reused for someone else.
 */
export async function retireDemoAccount(db: Kysely<Tables>, username: string, record?: RecordChange<Account>): Promise<Account> {
  const account = await requireAccount(db, username);
  const unknowable = await hashPassword(randomBytes(32).toString('base64url'));
  await writeTransaction(db, async (trx) => {
    await trx
      .updateTable('accounts')
      .set({ is_active: 0, is_demo: 0, password_hash: unknowable, updated_at: nowIso() })
      .where('id', '=', account.id)
      .execute();
    await trx.deleteFrom('care_team_members').where('account_id', '=', account.id).execute();
    await trx.deleteFrom('ward_assignments').where('account_id', '=', account.id).execute();
    await endSessions(trx, { accountId: account.id }, 'demo_account_retired');
    await record?.(trx, account);
  });
  return requireAccount(db, username);
}

/**
 * After a successful login with a hash made under older parameters: store one made with
 * today's (passwords.ts). Only if the hash is still the one that was verified, so a password
 * reset that raced the login wins.
 */
export async function upgradePasswordHash(db: Kysely<Tables>, accountId: number, verifiedHash: string, password: string): Promise<boolean> {
  if (!needsRehash(verifiedHash)) return false;
  const hash = await hashPassword(password);
  const result = await db
    .updateTable('accounts')
    .set({ password_hash: hash })
    .where('id', '=', accountId)
    .where('password_hash', '=', verifiedHash)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/*
 * The four link changes below answer whether anything changed: assigning a link that exists,
 * or removing one that does not, is no change, and is not recorded.
 *
 * Every change here takes an optional `record`, called inside the change's transaction once it
 * is made: the audit event (audit/append-in-transaction.ts) commits with the change or neither
 * does. The CLI and the admin API pass one; seeding the demo data does not.
 */

export async function assignCareTeam(
  db: Kysely<Tables>,
  username: string,
  patientId: string,
  teamRole = 'member',
  record?: RecordChange<Account>,
): Promise<boolean> {
  const account = await requireAccount(db, username);
  requireRoleFor(account, 'care team', ['doctor']);
  await requirePatientRecord(db, patientId);
  return writeTransaction(db, async (trx) => {
    const result = await trx
      .insertInto('care_team_members')
      .values({ account_id: account.id, patient_id: patientId, team_role: teamRole, since: nowIso() })
      .onConflict((oc) => oc.columns(['account_id', 'patient_id']).doNothing())
      .executeTakeFirst();
    return recordedIfChanged(trx, changedRows(result.numInsertedOrUpdatedRows), account, record);
  });
}

export async function removeCareTeam(db: Kysely<Tables>, username: string, patientId: string, record?: RecordChange<Account>): Promise<boolean> {
  const account = await requireAccount(db, username);
  return writeTransaction(db, async (trx) => {
    const result = await trx.deleteFrom('care_team_members').where('account_id', '=', account.id).where('patient_id', '=', patientId).executeTakeFirst();
    return recordedIfChanged(trx, changedRows(result.numDeletedRows), account, record);
  });
}

export async function assignWard(db: Kysely<Tables>, username: string, wardId: string, record?: RecordChange<Account>): Promise<boolean> {
  const account = await requireAccount(db, username);
  requireRoleFor(account, 'ward', ['nurse']);
  const ward = await db.selectFrom('wards').select('id').where('id', '=', wardId).executeTakeFirst();
  if (!ward) throw new AppError('ERR_NOT_FOUND', { detail: `no ward ${wardId}` });
  return writeTransaction(db, async (trx) => {
    const result = await trx
      .insertInto('ward_assignments')
      .values({ account_id: account.id, ward_id: wardId })
      .onConflict((oc) => oc.columns(['account_id', 'ward_id']).doNothing())
      .executeTakeFirst();
    return recordedIfChanged(trx, changedRows(result.numInsertedOrUpdatedRows), account, record);
  });
}

export async function removeWard(db: Kysely<Tables>, username: string, wardId: string, record?: RecordChange<Account>): Promise<boolean> {
  const account = await requireAccount(db, username);
  return writeTransaction(db, async (trx) => {
    const result = await trx.deleteFrom('ward_assignments').where('account_id', '=', account.id).where('ward_id', '=', wardId).executeTakeFirst();
    return recordedIfChanged(trx, changedRows(result.numDeletedRows), account, record);
  });
}

/** A link change is recorded only when it changed something. */
async function recordedIfChanged(trx: Kysely<Tables>, changed: boolean, account: Account, record: RecordChange<Account> | undefined): Promise<boolean> {
  if (changed) await record?.(trx, account);
  return changed;
}

function changedRows(count: bigint | undefined): boolean {
  return count !== undefined && count > 0n;
}

/** An account as listed: never its password hash. */
export type AccountListing = Omit<Account, 'password_hash' | 'sessions_ended_at'>;

export async function listAccounts(db: Kysely<Tables>): Promise<AccountListing[]> {
  return db
    .selectFrom('accounts')
    .select(['id', 'username', 'role', 'display_name', 'patient_id', 'is_active', 'is_demo', 'created_at', 'updated_at'])
    .orderBy('id')
    .execute();
}

/**
 * Why every session of an account was ended, as endSessions records it: a refresh token ended
 * so is refused as ended, not treated as stolen (a retired demo account's token had raised a
 * theft alarm). One family's endings (logout, reuse) are not among them.
 */
export const ACCOUNT_WIDE_ENDINGS: ReadonlySet<string> = new Set(['account_deactivated', 'password_reset', 'role_changed', 'demo_account_retired']);

/** Which sessions end: one rotation family (one login and its refreshes), or all of an account's. */
export type SessionScope = { readonly familyId: string } | { readonly accountId: number };

/** The ledger rows of a scope, as a WHERE both of endSessions' statements share. */
function inScope(scope: SessionScope) {
  return (eb: ExpressionBuilder<Tables, 'refresh_tokens'>) =>
    'familyId' in scope ? eb('family_id', '=', scope.familyId) : eb('account_id', '=', scope.accountId);
}

/**
 * Ends sessions at once: their live refresh tokens are revoked, and the unexpired access
 * tokens issued with any refresh token of theirs (the ledger names each, migration 0006) are
 * listed in revoked_tokens, which both servers read on every request. Resolves how many
 * refresh tokens were still live. Atomic: inside the caller's transaction if there is one.
 */
export async function endSessions(db: Kysely<Tables>, scope: SessionScope, reason: string): Promise<number> {
  if (!inTransaction(db)) return writeTransaction(db, (trx) => endSessions(trx, scope, reason));
  const now = nowIso();
  // Refresh tokens first: that locks the family's live row, so a rotation racing this one
  // waits, then finds it revoked and fails; any rotation that committed before is seen by both
  // statements, its access token included.
  // Tokens in no ledger (minted elsewhere with the shared secret) end by their issue time.
  if ('accountId' in scope) await db.updateTable('accounts').set({ sessions_ended_at: now }).where('id', '=', scope.accountId).execute();
  const result = await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: now, revoked_reason: reason })
    .where(inScope(scope))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  await db
    .insertInto('revoked_tokens')
    .columns(['jti', 'account_id', 'expires_at', 'revoked_at', 'reason'])
    .expression(
      db
        .selectFrom('refresh_tokens')
        .select((eb) => [
          eb.ref('access_jti').$notNull().as('jti'),
          'account_id',
          eb.ref('access_expires_at').$notNull().as('expires_at'),
          eb.val(now).as('revoked_at'),
          eb.val(reason).as('reason'),
        ])
        .where(inScope(scope))
        .where('access_jti', 'is not', null)
        .where('access_expires_at', '>', now),
    )
    .onConflict((oc) => oc.column('jti').doNothing())
    .execute();
  return Number(result.numUpdatedRows);
}
