import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database.js';
import { accountStateLookup } from '@secure-hospital-ai/core/account-state';
import { findAccountByUsername } from '@secure-hospital-ai/core/accounts';
import { Authenticator } from '@secure-hospital-ai/core/authenticate';
import { auditDb } from '@secure-hospital-ai/core/audit/tables';
import { loadConfig } from '@secure-hospital-ai/core/config';
import { openDatabase, sqliteFile, type Database } from '@secure-hospital-ai/core/db/database';
import { migrateToLatest, pendingMigrations } from '@secure-hospital-ai/core/db/migrate';
import { demoAccountsPresent, seedDemoData } from '@secure-hospital-ai/core/db/seed';
import { verifyPassword } from '@secure-hospital-ai/core/passwords';
import { nowSeconds, TokenService } from '@secure-hospital-ai/core/tokens';
import { refuseAuditWrites } from '../../../../test/support/audit-outage.js';
import { consoleBuffers } from '../../../../test/support/console-buffers.js';
import { run, runAccounts } from './accounts.js';

let database: Database;
useTestDatabase((opened) => (database = opened));
let tokens: TokenService;
let authenticator: Authenticator;

beforeAll(async () => {
  await seedDemoData(database.db);
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: randomBytes(32).toString('hex') }, { envFile: false });
  tokens = new TokenService(config.jwt);
  authenticator = new Authenticator(tokens, accountStateLookup(database));
});
async function accounts(argv: string[], passwords: string[] = []) {
  const buffers = consoleBuffers(passwords);
  const code = await runAccounts(argv, { database, io: buffers });
  return { code, ...buffers };
}

async function bearerFor(username: string, issuedAt = nowSeconds()): Promise<Record<string, string>> {
  const account = await findAccountByUsername(database.db, username);
  if (!account) throw new Error(`no ${username}`);
  const issued = await tokens.issueAccess({ userId: String(account.id), role: account.role as 'doctor', patientId: account.patient_id }, issuedAt);
  return { authorization: `Bearer ${issued.token}` };
}

async function changeEvents(): Promise<Array<{ reason: string; patient_id: string | null }>> {
  return auditDb(database).selectFrom('audit_events').select(['reason', 'patient_id']).where('action', '=', 'account.change').orderBy('seq').execute();
}

describe('accounts CLI', () => {
  it('deactivation refuses the very next request; after reactivation only tokens issued since work; a repeat is no change', async () => {
    const headers = await bearerFor('dr_grey', nowSeconds() - 5);
    await expect(authenticator.authenticate(headers)).resolves.toMatchObject({ role: 'doctor' });
    expect((await accounts(['deactivate', 'dr_grey'])).code).toBe(0);
    await expect(authenticator.authenticate(headers)).rejects.toMatchObject({ code: 'ERR_ACCOUNT_INACTIVE' });
    const recorded = (await changeEvents()).length;
    expect(await accounts(['deactivate', 'dr_grey'])).toMatchObject({ code: 0, stdout: 'no change: dr_grey is already deactivated\n' });
    expect(await changeEvents()).toHaveLength(recorded);
    expect((await accounts(['reactivate', 'dr_grey'])).code).toBe(0);
    await expect(authenticator.authenticate(headers)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
    await expect(authenticator.authenticate(await bearerFor('dr_grey'))).resolves.toMatchObject({ role: 'doctor' });
    const account = await findAccountByUsername(database.db, 'dr_grey');
    const reasons = (await changeEvents()).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining([`account.deactivate:account/${account?.id}`, `account.reactivate:account/${account?.id}`]));
  });

  it('a role change refuses tokens minted under the old role at once', async () => {
    const headers = await bearerFor('front_desk');
    await expect(authenticator.authenticate(headers)).resolves.toMatchObject({ role: 'receptionist' });
    expect((await accounts(['set-role', 'front_desk', 'nurse'])).code).toBe(0);
    await expect(authenticator.authenticate(headers)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
    await expect(authenticator.authenticate(await bearerFor('front_desk'))).resolves.toMatchObject({ role: 'nurse' });
    // The roles before and after are on the record: the accounts table keeps only the now.
    expect((await changeEvents()).at(-1)?.reason).toMatch(/^account\.set_role:account\/\d+:from\/receptionist:to\/nurse$/);
  });

  it('creates an account with a prompted password and never prints or audits the password', async () => {
    const result = await accounts(['create', 'dr_house', '--role', 'doctor', '--name', 'Dr. House'], ['vicodin-and-puzzles']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/created dr_house \(doctor/);
    expect(result.stdout + result.stderr).not.toContain('vicodin');
    const stored = await auditDb(database).selectFrom('audit_events').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain('vicodin');
    expect((await findAccountByUsername(database.db, 'dr_house'))?.role).toBe('doctor');
  });

  it('assigns and removes a care team and a ward, auditing each with the patient id', async () => {
    expect((await accounts(['assign-care-team', 'dr_house', 'P005'])).code).toBe(0);
    const house = await findAccountByUsername(database.db, 'dr_house');
    const member = () => database.db.selectFrom('care_team_members').selectAll().where('account_id', '=', house!.id).execute();
    expect((await member()).map((m) => m.patient_id)).toEqual(['P005']);
    expect((await accounts(['unassign-care-team', 'dr_house', 'P005'])).code).toBe(0);
    expect(await member()).toEqual([]);
    // Wards are for nurses: a doctor's would grant nothing, and is refused.
    await expect(accounts(['assign-ward', 'dr_house', 'W2'])).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    expect((await accounts(['assign-ward', 'nurse_joy', 'W2'])).code).toBe(0);
    expect((await accounts(['unassign-ward', 'nurse_joy', 'W2'])).code).toBe(0);
    const joy = await findAccountByUsername(database.db, 'nurse_joy');
    const events = await changeEvents();
    expect(events).toEqual(expect.arrayContaining([
      { reason: `account.assign_care_team:account/${house!.id}`, patient_id: 'P005' },
      { reason: `account.unassign_care_team:account/${house!.id}`, patient_id: 'P005' },
      // Reasons are stored in lower case (audit/normalize.ts).
      { reason: `account.assign_ward:ward/w2:account/${joy!.id}`, patient_id: null },
    ]));
    // Removing what is not there changes nothing, says so, and records nothing.
    const recorded = events.length;
    const again = await accounts(['unassign-care-team', 'dr_house', 'P005']);
    expect(again).toMatchObject({ code: 0, stdout: 'no change: dr_house is not on the care team of P005\n' });
    expect((await accounts(['unassign-ward', 'nurse_joy', 'W2'])).stdout).toBe('no change: nurse_joy is not assigned to ward W2\n');
    expect(await changeEvents()).toHaveLength(recorded);
  });

  it('resets a password from --password and ends the sessions', async () => {
    expect((await accounts(['reset-password', 'dr_house', '--password', 'a-new-long-password'])).code).toBe(0);
  });

  it('lists accounts without password hashes', async () => {
    const result = await accounts(['list']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/former_staff\s+doctor\s+DEACTIVATED/);
    expect(result.stdout).not.toContain('$argon2');
  });

  it('refuses bad input clearly', async () => {
    await expect(accounts(['create', 'someone', '--role', 'wizard'], ['long-enough-pw'])).rejects.toMatchObject({ code: 'ERR_VALIDATION', detail: expect.stringMatching(/--role/) });
    await expect(accounts(['create', 'someone', '--role', 'doctor'], ['short'])).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await expect(accounts(['deactivate', 'nobody_here'])).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await expect(accounts(['assign-care-team', 'dr_house', 'P999'])).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await expect(accounts(['deactivate'])).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await expect(accounts(['list', '--bogus'])).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    expect((await accounts(['frobnicate'])).code).toBe(2);
    // An option another sub-command takes is refused, not ignored: the account stays active.
    await expect(accounts(['deactivate', 'dr_grey', '--role', 'nurse'])).rejects.toMatchObject({ code: 'ERR_VALIDATION', detail: 'unknown option --role' });
    expect(await findAccountByUsername(database.db, 'dr_grey')).toMatchObject({ is_active: 1, role: 'doctor' });
  });

  it('makes no account change the audit log cannot take: the change and its event commit together', async () => {
    const before = await database.db.selectFrom('accounts').selectAll().orderBy('id').execute();
    const links = async () => [
      await database.db.selectFrom('care_team_members').selectAll().orderBy('patient_id').orderBy('account_id').execute(),
      await database.db.selectFrom('ward_assignments').selectAll().orderBy('ward_id').orderBy('account_id').execute(),
    ];
    const linksBefore = await links();
    const recorded = (await changeEvents()).length;
    await refuseAuditWrites(database, true);
    try {
      for (const argv of [
        ['create', 'outage_nurse', '--role', 'nurse', '--password', 'a long enough passphrase'],
        ['deactivate', 'dr_grey'],
        ['set-role', 'front_desk', 'doctor'],
        ['reset-password', 'dr_grey', '--password', 'another long passphrase'],
        ['assign-care-team', 'dr_grey', 'P005'],
        ['assign-ward', 'nurse_joy', 'W2'],
      ]) {
        await expect(accounts(argv), argv.join(' ')).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' });
      }
    } finally {
      await refuseAuditWrites(database, false);
    }
    expect(await database.db.selectFrom('accounts').selectAll().orderBy('id').execute()).toEqual(before);
    expect(await links()).toEqual(linksBefore);
    expect(await changeEvents()).toHaveLength(recorded);
  });

  // Last in this block: it retires the demo accounts the tests above use.
  it('retires every demo account for good: deactivated, published password gone, links removed, tokens refused', async () => {
    const headers = await bearerFor('nurse_joy');
    await expect(authenticator.authenticate(headers)).resolves.toMatchObject({ role: 'nurse' });
    const demo = await demoAccountsPresent(database.db);
    expect(demo).toEqual(expect.arrayContaining(['yenji100', 'nurse_joy', 'admin']));
    // An operator's own account is no demo one and is left alone.
    expect((await accounts(['create', 'ops_lead', '--role', 'admin', '--password', 'an operator passphrase'])).code).toBe(0);
    const retired = await accounts(['retire-demo']);
    expect(retired.code).toBe(0);
    expect(retired.stdout.trim().split('\n')).toHaveLength(demo.length);
    expect(await demoAccountsPresent(database.db)).toEqual([]);
    await expect(authenticator.authenticate(headers)).rejects.toMatchObject({ code: 'ERR_ACCOUNT_INACTIVE' });
    const joy = (await findAccountByUsername(database.db, 'nurse_joy'))!;
    const yenji = (await findAccountByUsername(database.db, 'yenji100'))!;
    expect(joy).toMatchObject({ is_active: 0, is_demo: 0 });
    expect(await verifyPassword(joy.password_hash, 'joy-demo-2026')).toBe(false);
    expect(await database.db.selectFrom('ward_assignments').selectAll().where('account_id', '=', joy.id).execute()).toEqual([]);
    expect(await database.db.selectFrom('care_team_members').selectAll().where('account_id', '=', yenji.id).execute()).toEqual([]);
    expect((await findAccountByUsername(database.db, 'ops_lead'))).toMatchObject({ is_active: 1 });
    const reasons = (await changeEvents()).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining([`account.retire_demo:account/${joy.id}`, `account.retire_demo:account/${yenji.id}`]));
    const recorded = reasons.length;
    expect(await accounts(['retire-demo'])).toMatchObject({ code: 0, stdout: 'no change: there are no demo accounts\n' });
    // No account is given a published demo password again, its own or another's.
    for (const password of ['joy-demo-2026', 'admin-demo-2026', 'Admin-Demo-2026', ' KINGJULIEN100 ']) {
      await expect(accounts(['reset-password', 'nurse_joy', '--password', password])).rejects.toMatchObject({ code: 'ERR_VALIDATION', detail: expect.stringMatching(/published demo password/) });
    }
    await expect(accounts(['create', 'copycat', '--role', 'doctor', '--password', 'kingjulien100'])).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    expect(await demoAccountsPresent(database.db)).toEqual([]);
    expect(await changeEvents()).toHaveLength(recorded);
  });
});

describe('accounts command entry point', () => {
  it('opens the configured database only once it is migrated, and exits 0 / 1 / 2 for done / refused / misused', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'shai-accounts-'));
    const saved = { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL, NODE_ENV: process.env.NODE_ENV };
    // The embedded database in a fresh directory; an empty DATABASE_URL counts as unset.
    Object.assign(process.env, { DATA_DIR: dataDir, DATABASE_URL: '', NODE_ENV: 'test' });
    const stderr = process.stderr.write;
    const stdout = process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      // No database there: said so, and none is created (a mistyped DATA_DIR or DATABASE_URL).
      await expect(run(['create', 'night_auditor', '--role', 'auditor', '--password', 'a-long-enough-password'])).rejects.toThrow(/no database at/);
      expect(existsSync(sqliteFile(dataDir))).toBe(false);
      // A database that is there but not migrated: said so, and left as it was.
      const empty = openDatabase({ dataDir });
      await empty.close();
      await expect(run(['list'])).rejects.toThrow(/not migrated.*npm run migrate/);
      const migrated = openDatabase({ dataDir });
      try {
        expect(await pendingMigrations(migrated)).not.toEqual([]);
        await migrateToLatest(migrated);
      } finally {
        await migrated.close();
      }
      expect(await run(['create', 'night_auditor', '--role', 'auditor', '--password', 'a-long-enough-password'])).toBe(0);
      expect(await run(['deactivate', 'night_auditor'])).toBe(0);
      expect(await run(['deactivate', 'nobody_at_all'])).toBe(1);
      expect(await run(['create', 'x_user', '--role', 'wizard', '--password', 'a-long-enough-password'])).toBe(2);
      expect(await run(['--help'])).toBe(0);
      expect(await run([])).toBe(2);
    } finally {
      process.stderr.write = stderr;
      process.stdout.write = stdout;
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
