import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database.js';
import { NOW, seedPolicyFixture, type PolicyFixture } from '../../../../test/policy/fixtures.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { planBreakGlass, startBreakGlass } from './break-glass.js';
import { loadRowContext } from './relationships.js';

let database: Database;
let f: PolicyFixture;

useTestDatabase((opened) => (database = opened));
beforeAll(async () => {
  f = await seedPolicyFixture(database);
});

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const minutes = (m: number) => new Date(NOW.getTime() + m * 60_000);

describe('startBreakGlass', () => {
  it('refuses a reason shorter than 10 characters once trimmed, naming the field', async () => {
    const error = await refusal(startBreakGlass(database.db, f.doctor, 'PD', '   too short   ', NOW));
    expect(error.code).toBe('ERR_VALIDATION');
    expect(error.detail).toMatch(/^reason:/);
  });

  it('refuses every role but doctor and nurse', async () => {
    for (const who of [f.patient, f.receptionist, f.researcher, f.auditor, f.admin]) {
      expect((await refusal(startBreakGlass(database.db, who, 'PD', 'cardiac arrest in corridor', NOW))).code).toBe('ERR_FORBIDDEN');
    }
  });

  it('refuses a patient that does not exist as forbidden', async () => {
    expect((await refusal(startBreakGlass(database.db, f.doctor, 'NOPE', 'cardiac arrest in corridor', NOW))).code).toBe('ERR_FORBIDDEN');
  });

  it('grants that one patient for exactly 60 minutes', async () => {
    const grant = await startBreakGlass(database.db, f.nurse, 'PD', '  unresponsive, ward W2 short-staffed ', NOW);
    expect(grant).toMatchObject({ patient_id: 'PD', granted_at: NOW.toISOString(), expires_at: minutes(60).toISOString() });
    const stored = await database.db.selectFrom('break_glass_grants').selectAll().where('id', '=', grant.id).executeTakeFirstOrThrow();
    expect(stored.reason).toBe('unresponsive, ward W2 short-staffed');
    expect((await loadRowContext(database.db, f.nurse, 'PD', minutes(59))).breakGlass).toBe(true);
    expect((await loadRowContext(database.db, f.nurse, 'PD', minutes(60))).breakGlass).toBe(false);
    expect((await loadRowContext(database.db, f.nurse, 'PC', minutes(1))).breakGlass).toBe(false);
  });

  it('never extends silently: the same reason while active is refused, a new one grants anew', async () => {
    const reason = 'anaphylaxis after contrast, attending unreachable';
    const first = await startBreakGlass(database.db, f.doctor, 'PB', reason, NOW);
    const again = await refusal(startBreakGlass(database.db, f.doctor, 'PB', `  ${reason.toUpperCase()} `, minutes(30)));
    expect(again.code).toBe('ERR_CONFLICT');
    expect(again.detail).toMatch(/^reason:/);
    const second = await startBreakGlass(database.db, f.doctor, 'PB', 'second episode, still no attending available', minutes(30));
    expect(second.expires_at).toBe(minutes(90).toISOString());
    expect(first.expires_at).toBe(minutes(60).toISOString());
    // Once the first grant has expired, its reason may be given again.
    const third = await startBreakGlass(database.db, f.doctor, 'PB', reason, minutes(95));
    expect(third.expires_at).toBe(minutes(155).toISOString());
  });

  it('plans a grant without recording it, and checks the reason again when it records it', async () => {
    const reason = 'sepsis alert, no team reachable';
    const planned = await planBreakGlass(database.db, f.doctor, 'PC', reason, NOW);
    const twin = await planBreakGlass(database.db, f.doctor, 'PC', reason, NOW);
    expect((await loadRowContext(database.db, f.doctor, 'PC', minutes(1))).breakGlass).toBe(false);
    await planned.record();
    expect((await loadRowContext(database.db, f.doctor, 'PC', minutes(1))).breakGlass).toBe(true);
    // Both passed their check before either was recorded; only the first may stand.
    expect((await refusal(twin.record())).code).toBe('ERR_CONFLICT');
    const stored = await database.db.selectFrom('break_glass_grants').select('id').where('patient_id', '=', 'PC').execute();
    expect(stored.map((row) => row.id)).toEqual([planned.grant.id]);
  });
});
