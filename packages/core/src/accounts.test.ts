import { beforeAll, describe, expect, it } from 'vitest';
import { insertPatients } from '../../../test/support/patients.js';
import { useTestDatabase } from '../../../test/support/test-database.js';
import { assignCareTeam, assignWard, createAccount, endSessions, findAccountByUsername, removeCareTeam, removeWard, resetPassword, setAccountRole } from './accounts.js';
import type { Database } from './db/database.js';
import { testDatabaseKind } from './db/test-database.js';

describe(`endSessions (${testDatabaseKind()})`, () => {
  let database: Database;
  useTestDatabase((opened) => (database = opened));
  let doctor: number;
  let nurse: number;
  const inOneHour = new Date(Date.now() + 3_600_000).toISOString();
  const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();

  async function ledgerRow(jti: string, accountId: number, familyId: string, access: { jti: string; expiresAt: string } | null, revoked = false) {
    await database.db
      .insertInto('refresh_tokens')
      .values({
        jti,
        account_id: accountId,
        family_id: familyId,
        issued_at: anHourAgo,
        expires_at: inOneHour,
        revoked_at: revoked ? anHourAgo : null,
        revoked_reason: revoked ? 'rotated' : null,
        replaced_by: null,
        access_jti: access?.jti ?? null,
        access_expires_at: access?.expiresAt ?? null,
      })
      .execute();
  }

  async function revoked(): Promise<Record<string, string>> {
    const rows = await database.db.selectFrom('revoked_tokens').select(['jti', 'reason']).execute();
    return Object.fromEntries(rows.map((r) => [r.jti, r.reason]));
  }

  async function liveRefresh(): Promise<string[]> {
    const rows = await database.db.selectFrom('refresh_tokens').select('jti').where('revoked_at', 'is', null).orderBy('jti').execute();
    return rows.map((r) => r.jti);
  }

  beforeAll(async () => {
    doctor = (await createAccount(database.db, { username: 'end_doc', password: 'password-d', role: 'doctor' })).id;
    nurse = (await createAccount(database.db, { username: 'end_nurse', password: 'password-n', role: 'nurse' })).id;
    // Family f1: a rotated token and its live successor; family f2: one live token; a row from
    // before the ledger named access tokens; the nurse's own session.
    await ledgerRow('r1', doctor, 'f1', { jti: 'a1', expiresAt: inOneHour }, true);
    await ledgerRow('r2', doctor, 'f1', { jti: 'a2', expiresAt: inOneHour });
    await ledgerRow('r3', doctor, 'f1', { jti: 'a3-expired', expiresAt: anHourAgo }, true);
    await ledgerRow('r4', doctor, 'f2', { jti: 'a4', expiresAt: inOneHour });
    await ledgerRow('r5', doctor, 'f3', null);
    await ledgerRow('n1', nurse, 'fn', { jti: 'an', expiresAt: inOneHour });
  });

  it('changes nothing when the caller\'s transaction rolls back', async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await endSessions(trx, { accountId: doctor }, 'password_reset');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await revoked()).toEqual({});
    expect(await liveRefresh()).toEqual(['n1', 'r2', 'r4', 'r5']);
  });

  it('ends one family: its live refresh token, and every unexpired access token it was given', async () => {
    expect(await endSessions(database.db, { familyId: 'f1' }, 'reuse_detected')).toBe(1);
    expect(await revoked()).toEqual({ a1: 'reuse_detected', a2: 'reuse_detected' });
    expect(await liveRefresh()).toEqual(['n1', 'r4', 'r5']);
  });

  it('ends all of an account\'s sessions, and no one else\'s; a token already revoked keeps its first reason', async () => {
    expect(await endSessions(database.db, { accountId: doctor }, 'password_reset')).toBe(2);
    expect(await revoked()).toEqual({ a1: 'reuse_detected', a2: 'reuse_detected', a4: 'password_reset' });
    expect(await liveRefresh()).toEqual(['n1']);
    // Again: nothing left to end, and nothing fails.
    expect(await endSessions(database.db, { accountId: doctor }, 'password_reset')).toBe(0);
  });
});

describe(`account rules (${testDatabaseKind()})`, () => {
  let database: Database;
  useTestDatabase((opened) => (database = opened));
  beforeAll(async () => {
    await insertPatients(database.db, ['P001']);
    await database.db.insertInto('wards').values({ id: 'W9', name: 'Ward nine' }).execute();
  });

  it('refuses a blank or common password, at creation and at reset', async () => {
    for (const password of ['        ', 'password', 'Password1', '12345678']) {
      await expect(createAccount(database.db, { username: `weak_${password.trim().length}`, password, role: 'doctor' })).rejects.toMatchObject({
        code: 'ERR_VALIDATION',
      });
    }
    await createAccount(database.db, { username: 'strong_doc', password: 'a long passphrase', role: 'doctor' });
    await expect(resetPassword(database.db, 'strong_doc', 'letmein1')).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
  });

  it('links a patient account only to a patient that exists', async () => {
    await expect(createAccount(database.db, { username: 'ghost_pt', password: 'a long passphrase', role: 'patient', patientId: 'P999' })).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    });
    expect(await findAccountByUsername(database.db, 'ghost_pt')).toBeUndefined();
    await createAccount(database.db, { username: 'real_pt', password: 'a long passphrase', role: 'patient', patientId: 'P001' });
    await createAccount(database.db, { username: 'to_patient', password: 'a long passphrase', role: 'nurse' });
    await expect(setAccountRole(database.db, 'to_patient', 'patient', 'P999')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    expect((await findAccountByUsername(database.db, 'to_patient'))?.role).toBe('nurse');
  });

  it('refuses a username that differs from a taken one only in case', async () => {
    await createAccount(database.db, { username: 'casey', password: 'a long passphrase', role: 'doctor' });
    await expect(createAccount(database.db, { username: 'CASEY', password: 'a long passphrase', role: 'doctor' })).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
  });

  it('gives care teams to doctors and wards to nurses only', async () => {
    await createAccount(database.db, { username: 'desk_rules', password: 'a long passphrase', role: 'receptionist' });
    await expect(assignCareTeam(database.db, 'desk_rules', 'P001')).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await expect(assignWard(database.db, 'desk_rules', 'W9')).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await createAccount(database.db, { username: 'nurse_rules', password: 'a long passphrase', role: 'nurse' });
    await expect(assignWard(database.db, 'nurse_rules', 'W9')).resolves.toBe(true);
  });

  it('says whether a link change changed anything: an existing link assigned again, or a missing one removed, is none', async () => {
    await createAccount(database.db, { username: 'doc_links', password: 'a long passphrase', role: 'doctor' });
    await createAccount(database.db, { username: 'nurse_links', password: 'a long passphrase', role: 'nurse' });
    expect(await assignCareTeam(database.db, 'doc_links', 'P001')).toBe(true);
    expect(await assignCareTeam(database.db, 'doc_links', 'P001')).toBe(false);
    expect(await removeCareTeam(database.db, 'doc_links', 'P001')).toBe(true);
    expect(await removeCareTeam(database.db, 'doc_links', 'P001')).toBe(false);
    expect(await assignWard(database.db, 'nurse_links', 'W9')).toBe(true);
    expect(await assignWard(database.db, 'nurse_links', 'W9')).toBe(false);
    expect(await removeWard(database.db, 'nurse_links', 'W9')).toBe(true);
    expect(await removeWard(database.db, 'nurse_links', 'W9')).toBe(false);
  });

  it('setting the role an account already has ends none of its sessions', async () => {
    const account = await createAccount(database.db, { username: 'same_role', password: 'a long passphrase', role: 'doctor' });
    await database.db
      .insertInto('refresh_tokens')
      .values({
        jti: 'same-role-refresh',
        account_id: account.id,
        family_id: 'same-role-family',
        issued_at: new Date().toISOString(),
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        revoked_at: null,
        revoked_reason: null,
        replaced_by: null,
        access_jti: null,
        access_expires_at: null,
      })
      .execute();
    await setAccountRole(database.db, 'same_role', 'doctor');
    const row = await database.db.selectFrom('refresh_tokens').select('revoked_at').where('jti', '=', 'same-role-refresh').executeTakeFirstOrThrow();
    expect(row.revoked_at).toBeNull();
    await setAccountRole(database.db, 'same_role', 'nurse');
    const after = await database.db.selectFrom('refresh_tokens').select('revoked_at').where('jti', '=', 'same-role-refresh').executeTakeFirstOrThrow();
    expect(after.revoked_at).not.toBeNull();
  });
});
