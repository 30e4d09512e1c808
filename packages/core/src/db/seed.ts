/**
 * Demo data for development (SPEC "Demo data"): fixed accounts, wards, care teams and
 * patients P001…P010, so tests and examples can rely on them. Idempotent: running it again
 * changes nothing. Production refuses to start while any demo account exists.
 */
import type { Kysely } from 'kysely';
import { assignCareTeam, assignWard, createAccount, findAccountByUsername, nowIso, setAccountActive } from '../accounts.js';
import { verifyPassword } from '../passwords.js';
import { insertPatientBundle } from '../clinical/store.js';
import { demoPatientBundles } from '../synthetic/index.js';
import { DEMO_ACCOUNTS } from './demo-accounts.js';
import type { Tables } from './schema.js';

export { DEMO_ACCOUNTS, type DemoAccount } from './demo-accounts.js';

export const DEMO_WARDS = [
  { id: 'W1', name: 'Ward 1 — Internal Medicine' },
  { id: 'W2', name: 'Ward 2 — Cardiology' },
] as const;

/** Who lies in which ward now: P001 and P004 in W1 (nurse_joy's), P006 in W2. */
export const DEMO_ADMISSIONS = [
  { id: 'ADM-P001-1', patient_id: 'P001', ward_id: 'W1', admitted_at: '2026-11-18T09:30:00.000Z' },
  { id: 'ADM-P004-1', patient_id: 'P004', ward_id: 'W1', admitted_at: '2026-11-20T14:05:00.000Z' },
  { id: 'ADM-P006-1', patient_id: 'P006', ward_id: 'W2', admitted_at: '2026-11-21T22:40:00.000Z' },
] as const;

export interface SeedSummary {
  accountsCreated: number;
  patientsCreated: number;
}

/**
 * Seeds what is missing. Two processes seeding one fresh database at once (`start` beside
 * `seed`) each found a patient or account missing, and the second to insert it failed
 * ("UNIQUE constraint failed"); now whichever inserts it first seeds it, links and all, and the
 * other leaves it to that one.
 */
export async function seedDemoData(db: Kysely<Tables>): Promise<SeedSummary> {
  const summary: SeedSummary = { accountsCreated: 0, patientsCreated: 0 };
  for (const ward of DEMO_WARDS) {
    await db.insertInto('wards').values(ward).onConflict((oc) => oc.column('id').doNothing()).execute();
  }
  for (const bundle of demoPatientBundles()) {
    const exists = await db.selectFrom('patients').select('id').where('id', '=', bundle.patient.id).executeTakeFirst();
    if (exists) continue;
    if (await insertedFirst(() => db.transaction().execute((trx) => insertPatientBundle(trx, bundle)))) summary.patientsCreated += 1;
  }
  for (const admission of DEMO_ADMISSIONS) {
    await db
      .insertInto('admissions')
      .values({ ...admission, discharged_at: null })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
  for (const demo of DEMO_ACCOUNTS) {
    if (await findAccountByUsername(db, demo.username)) continue;
    const input = { username: demo.username, password: demo.password, role: demo.role, displayName: demo.displayName, patientId: demo.patientId ?? null, isDemo: true };
    if (!(await insertedFirst(() => createAccount(db, input)))) continue;
    for (const patientId of demo.careTeam ?? []) await assignCareTeam(db, demo.username, patientId, 'attending');
    for (const wardId of demo.wards ?? []) await assignWard(db, demo.username, wardId);
    if (demo.active === false) await setAccountActive(db, demo.username, false);
    summary.accountsCreated += 1;
  }
  return summary;
}

/** Runs an insert; false when another writer inserted the same row first (a unique violation, a username taken). */
async function insertedFirst(insert: () => Promise<unknown>): Promise<boolean> {
  try {
    await insert();
    return true;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505' || code === 'ERR_CONFLICT') return false;
    throw error;
  }
}

/**
 * Production must not run with a published demo password in the account table: an account
 * seeded as a demo one, or one with a demo user name whose password is still the published
 * one. An operator's own `admin` with a password of its own is not a demo account; refusing
 * it had left no way out but SQL, as accounts are never deleted.
 */
export async function demoAccountsPresent(db: Kysely<Tables>): Promise<string[]> {
  const rows = await db
    .selectFrom('accounts')
    .select(['username', 'password_hash', 'is_demo'])
    .where((eb) => eb.or([eb('is_demo', '=', 1), eb('username', 'in', DEMO_ACCOUNTS.map((a) => a.username))]))
    .execute();
  const present: string[] = [];
  for (const row of rows) {
    const published = DEMO_ACCOUNTS.find((a) => a.username === row.username)?.password;
    if (row.is_demo === 1 || (published !== undefined && (await verifyPassword(row.password_hash, published)))) present.push(row.username);
  }
  return present;
}

export { nowIso };
