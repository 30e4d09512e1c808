import { beforeAll, describe, expect, it, vi } from 'vitest';
import { insertPatients } from '../../../test/support/patients.js';
import { useTestDatabase } from '../../../test/support/test-database.js';
import { accountStateLookup } from './account-state.js';
import { createAccount, setAccountActive } from './accounts.js';
import type { Database } from './db/database.js';

describe(`account state lookup (${process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite'})`, () => {
  let database: Database;
  useTestDatabase((opened) => (database = opened));
  let ids: { doctor: string; former: string; patient: string };

  beforeAll(async () => {
    const db = database.db;
    await insertPatients(db, ['P001']);
    ids = {
      doctor: String((await createAccount(db, { username: 'doc_state', password: 'password-d', role: 'doctor' })).id),
      former: String((await createAccount(db, { username: 'former_state', password: 'password-f', role: 'nurse' })).id),
      patient: String((await createAccount(db, { username: 'pat_state', password: 'password-p', role: 'patient', patientId: 'P001' })).id),
    };
    await setAccountActive(db, 'former_state', false);
    await db
      .insertInto('revoked_tokens')
      .values({ jti: 'jti-revoked', account_id: Number(ids.doctor), expires_at: '2999-01-01T00:00:00.000Z', revoked_at: new Date().toISOString(), reason: 'test' })
      .execute();
  });

  it('answers concurrent lookups each with its own account and token, whether or not they share a query', async () => {
    const lookup = accountStateLookup(database);
    const pool = database.pool;
    const queries = pool ? vi.spyOn(pool, 'query') : undefined;
    const asked: [string, string][] = [
      [ids.doctor, 'jti-live'],
      [ids.former, 'jti-other'],
      [ids.doctor, 'jti-revoked'],
      ['999999', 'jti-x'],
      [ids.patient, 'jti-p'],
      ['2147483648', 'jti-overflow'],
      ['not-a-number', 'jti-y'],
      [ids.doctor, 'jti-live-2'],
    ];
    const states = await Promise.all(asked.map(([userId, jti]) => lookup.lookup(userId, jti)));
    expect(states).toEqual([
      { active: true, role: 'doctor', patientId: null, revoked: false, sessionsEndedAt: undefined },
      { active: false, role: 'nurse', patientId: null, revoked: false, sessionsEndedAt: expect.any(Number) },
      { active: true, role: 'doctor', patientId: null, revoked: true, sessionsEndedAt: undefined },
      undefined,
      { active: true, role: 'patient', patientId: 'P001', revoked: false, sessionsEndedAt: undefined },
      undefined,
      undefined,
      { active: true, role: 'doctor', patientId: null, revoked: false, sessionsEndedAt: undefined },
    ]);
    if (queries) {
      // Asked in one turn of the event loop, the six lookups with a well-formed account id share one query.
      expect(queries.mock.calls.length).toBe(1);
      queries.mockRestore();
    }
  });

  it('fails only the lookup the database refuses, not the others that shared its query', async () => {
    const lookup = accountStateLookup(database);
    // PostgreSQL refuses a NUL character in text; SQLite stores it.
    const results = await Promise.allSettled([
      lookup.lookup(ids.doctor, 'jti-a'),
      lookup.lookup(ids.former, 'jti-b'),
      lookup.lookup(ids.doctor, 'jti-\u0000'),
      lookup.lookup(ids.patient, 'jti-c'),
    ]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { active: true, role: 'doctor' } });
    expect(results[1]).toMatchObject({ status: 'fulfilled', value: { active: false, role: 'nurse' } });
    expect(results[2]?.status).toBe(database.dialect === 'postgres' ? 'rejected' : 'fulfilled');
    expect(results[3]).toMatchObject({ status: 'fulfilled', value: { active: true, role: 'patient' } });
  });

  it('sees a change made between two lookups', async () => {
    const lookup = accountStateLookup(database);
    expect(await lookup.lookup(ids.patient, 'jti-p')).toMatchObject({ active: true });
    await setAccountActive(database.db, 'pat_state', false);
    expect(await lookup.lookup(ids.patient, 'jti-p')).toMatchObject({ active: false });
    await setAccountActive(database.db, 'pat_state', true);
  });

  it('reads committed state only: a deactivation still in an open transaction, later rolled back, never shows', async () => {
    const lookup = accountStateLookup(database);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let changed!: () => void;
    const inside = new Promise<void>((resolve) => (changed = resolve));
    const transaction = database.db
      .transaction()
      .execute(async (trx) => {
        await trx.updateTable('accounts').set({ is_active: 0 }).where('id', '=', Number(ids.doctor)).execute();
        changed();
        await held;
        throw new Error('rolled back on purpose');
      })
      .catch((error: Error) => error.message);
    await inside;
    let settled = false;
    const during = lookup.lookup(ids.doctor, 'jti-during').finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // On the embedded database the transaction holds the one connection, so the read waits
    // for it; PostgreSQL answers at once from the last committed state.
    expect(settled).toBe(database.dialect === 'postgres');
    release();
    expect(await transaction).toBe('rolled back on purpose');
    expect(await during).toEqual({ active: true, role: 'doctor', patientId: null, revoked: false, sessionsEndedAt: undefined });
  });
});
