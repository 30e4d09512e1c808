import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../test/support/test-database.js';
import { createAccount, endSessions } from './accounts.js';
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
