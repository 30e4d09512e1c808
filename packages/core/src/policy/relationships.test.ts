import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database.js';
import { NOW, FIXTURE_PATIENTS, seedPolicyFixture, type PolicyFixture } from '../../../../test/policy/fixtures.js';
import type { Database } from '../db/database.js';
import type { Action, Model, Principal } from '../domain.js';
import { isAllowed } from './engine.js';
import { loadPatientRelationships, loadRowContext } from './relationships.js';
import { patientRowFilter } from './row-filter.js';

let database: Database;
let f: PolicyFixture;

useTestDatabase((opened) => (database = opened));
beforeAll(async () => {
  f = await seedPolicyFixture(database);
});

async function visible(principal: Principal, model: Model = 'patient', action: Action = 'read', now = NOW): Promise<string[]> {
  const rows = await database.db
    .selectFrom('patients')
    .select('id')
    .where(patientRowFilter(principal, model, action, now))
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

async function grant(principal: Principal, patientId: string, grantedAt: string, expiresAt: string): Promise<void> {
  await database.db
    .insertInto('break_glass_grants')
    .values({ id: `g-${patientId}-${grantedAt}`, account_id: Number(principal.userId), patient_id: patientId, reason: 'fixture grant', granted_at: grantedAt, expires_at: expiresAt })
    .execute();
}

describe('loadRowContext', () => {
  it('finds the care team, the ward and the own record', async () => {
    expect(await loadRowContext(database.db, f.doctor, 'PA', NOW)).toMatchObject({ patientExists: true, careTeam: true, ward: false, breakGlass: false });
    expect(await loadRowContext(database.db, f.doctor, 'PB', NOW)).toMatchObject({ patientExists: true, careTeam: false });
    expect(await loadRowContext(database.db, f.nurse, 'PB', NOW)).toMatchObject({ ward: true, careTeam: false });
    expect(await loadRowContext(database.db, f.patient, 'PA', NOW)).toMatchObject({ ownRecord: true });
    expect(await loadRowContext(database.db, f.patient, 'PB', NOW)).toMatchObject({ ownRecord: false });
  });

  it('does not count a discharged admission or another ward', async () => {
    expect(await loadRowContext(database.db, f.nurse, 'PC', NOW)).toMatchObject({ patientExists: true, ward: false });
    expect(await loadRowContext(database.db, f.nurse, 'PD', NOW)).toMatchObject({ patientExists: true, ward: false });
  });

  it('reports a missing patient with no relationship at all', async () => {
    expect(await loadRowContext(database.db, f.doctor, 'NOPE', NOW)).toEqual({
      userId: f.doctor.userId, patientId: 'NOPE', patientExists: false, careTeam: false, ward: false, ownRecord: false, breakGlass: false,
    });
  });

  it('counts a break-glass grant only between its start and its expiry', async () => {
    await grant(f.doctor, 'PD', '2026-11-23T11:30:00.000Z', '2026-11-23T12:30:00.000Z');
    expect((await loadRowContext(database.db, f.doctor, 'PD', NOW)).breakGlass).toBe(true);
    expect((await loadRowContext(database.db, f.doctor, 'PD', new Date('2026-11-23T12:30:00.000Z'))).breakGlass).toBe(false);
    expect((await loadRowContext(database.db, f.doctor, 'PD', new Date('2026-11-23T11:00:00.000Z'))).breakGlass).toBe(false);
    // Someone else's grant is not mine.
    expect((await loadRowContext(database.db, f.nurse, 'PD', NOW)).breakGlass).toBe(false);
  });
});

describe('loadPatientRelationships under concurrency', () => {
  it('gives every call at once the answer it gets alone, whoever asks about whom and when', async () => {
    // On PostgreSQL concurrent calls share one statement (db/prepared.ts, oneRow):
    // a row handed to the wrong call would show one caller another's relationships.
    await grant(f.nurse, 'PC', '2026-11-23T11:00:00.000Z', '2026-11-23T13:00:00.000Z');
    try {
      const callers = [f.doctor, f.nurse, f.patient, f.receptionist, f.researcher, f.admin];
      const times = [NOW, new Date('2026-11-23T10:00:00.000Z'), new Date('2026-11-23T14:00:00.000Z')];
      const asks = callers.flatMap((caller) => [...FIXTURE_PATIENTS, 'NOPE'].flatMap((patientId) => times.map((now) => ({ caller, patientId, now }))));
      const alone = [];
      for (const ask of asks) alone.push(await loadPatientRelationships(database.db, ask.caller, ask.patientId, ask.now));
      const together = await Promise.all(asks.map((ask) => loadPatientRelationships(database.db, ask.caller, ask.patientId, ask.now)));
      expect(together).toEqual(alone);
      // The comparison means something only if the answers differ between calls.
      expect(new Set(alone.map((r) => JSON.stringify(r.context))).size).toBeGreaterThan(20);
      const nurseOnPc = asks.findIndex((ask) => ask.caller === f.nurse && ask.patientId === 'PC' && ask.now === NOW);
      expect(together[nurseOnPc]?.context.breakGlass).toBe(true);
    } finally {
      await database.db.deleteFrom('break_glass_grants').where('account_id', '=', Number(f.nurse.userId)).execute();
    }
  });
});

describe('patientRowFilter', () => {
  it('scopes each role to the rows the policy allows, inside the query', async () => {
    expect(await visible(f.doctor, 'patient', 'read', new Date('2026-11-23T10:00:00.000Z'))).toEqual(['PA']);
    expect(await visible(f.nurse)).toEqual(['PB']);
    expect(await visible(f.patient)).toEqual(['PA']);
    expect(await visible(f.receptionist)).toEqual([...FIXTURE_PATIENTS]);
    expect(await visible(f.researcher)).toEqual([...FIXTURE_PATIENTS]);
    expect(await visible(f.auditor)).toEqual([]);
    expect(await visible(f.admin)).toEqual([]);
    expect(await visible(f.receptionist, 'observation', 'read')).toEqual([]);
  });

  it('includes a patient under an active break-glass grant, and drops it on expiry', async () => {
    // The grant on PD from the previous test runs 11:30-12:30.
    expect(await visible(f.doctor, 'patient', 'read', NOW)).toEqual(['PA', 'PD']);
    expect(await visible(f.doctor, 'patient', 'read', new Date('2026-11-23T13:00:00.000Z'))).toEqual(['PA']);
  });

  it('agrees with the engine on every patient for every role', async () => {
    for (const principal of Object.values(f)) {
      const listed = await visible(principal, 'clinical_note', 'read');
      for (const id of FIXTURE_PATIENTS) {
        const decision = isAllowed('clinical_note', 'read', principal.role, principal.userId, await loadRowContext(database.db, principal, id, NOW));
        expect(listed.includes(id), `${principal.role} ${id}`).toBe(decision.allowed);
      }
    }
  });

  it('returns nothing for a caller whose id is not an account id', async () => {
    expect(await visible({ ...f.doctor, userId: 'abc' })).toEqual([]);
  });
});
