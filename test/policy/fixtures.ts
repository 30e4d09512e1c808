/**
 * A small hospital for the policy's own tests, independent of the demo seed: four patients,
 * two wards, one doctor on one care team, one nurse on one ward, one patient account.
 * Written straight into the tables so each relationship is exactly what the test says.
 */
import type { Database } from '@secure-hospital-ai/core/db/database';
import type { Principal, Role } from '@secure-hospital-ai/core/domain';

export const NOW = new Date('2026-11-23T12:00:00.000Z');

export interface PolicyFixture {
  doctor: Principal;
  nurse: Principal;
  patient: Principal;
  receptionist: Principal;
  researcher: Principal;
  auditor: Principal;
  admin: Principal;
}

/**
 * - PA: doctor's care team; the patient account's own record.
 * - PB: admitted to W1 (the nurse's ward), not discharged.
 * - PC: was in W1, discharged yesterday.
 * - PD: admitted to W2 (no one's ward here).
 */
export const FIXTURE_PATIENTS = ['PA', 'PB', 'PC', 'PD'] as const;

export async function seedPolicyFixture(database: Database): Promise<PolicyFixture> {
  const db = database.db;
  const at = NOW.toISOString();
  await db.insertInto('wards').values([{ id: 'W1', name: 'Ward one' }, { id: 'W2', name: 'Ward two' }]).execute();
  for (const id of FIXTURE_PATIENTS) {
    await db
      .insertInto('patients')
      .values({
        id, mrn: `MRN-${id}`, ssn: null, given_name: `Given${id}`, family_name: `Family${id}`,
        birth_date: '1970-01-01', sex: 'unknown', phone: null, email: null, address_line: null,
        city: null, state: null, postal_code: null, deceased_at: null, source: 'test',
        created_at: at, family_name_lc: `family${id.toLowerCase()}`, given_name_lc: `given${id.toLowerCase()}`,
      })
      .execute();
  }
  const account = async (username: string, role: Role, patientId: string | null = null): Promise<Principal> => {
    const row = await db
      .insertInto('accounts')
      .values({
        username, password_hash: 'not-a-real-hash', role, display_name: username, patient_id: patientId,
        is_active: 1, is_demo: 0, created_at: at, updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { userId: String(row.id), role, jti: `jti-${username}`, exp: 4_102_444_800, ...(patientId ? { patientId } : {}) };
  };
  const fixture: PolicyFixture = {
    doctor: await account('doc', 'doctor'),
    nurse: await account('nurse', 'nurse'),
    patient: await account('pat', 'patient', 'PA'),
    receptionist: await account('desk', 'receptionist'),
    researcher: await account('research', 'researcher'),
    auditor: await account('audit', 'auditor'),
    admin: await account('root', 'admin'),
  };
  await db
    .insertInto('care_team_members')
    .values({ patient_id: 'PA', account_id: Number(fixture.doctor.userId), team_role: 'attending', since: at })
    .execute();
  await db.insertInto('ward_assignments').values({ account_id: Number(fixture.nurse.userId), ward_id: 'W1' }).execute();
  await db
    .insertInto('admissions')
    .values([
      { id: 'A-PB', patient_id: 'PB', ward_id: 'W1', admitted_at: '2026-11-20T08:00:00.000Z', discharged_at: null },
      { id: 'A-PC', patient_id: 'PC', ward_id: 'W1', admitted_at: '2026-11-01T08:00:00.000Z', discharged_at: '2026-11-22T08:00:00.000Z' },
      { id: 'A-PD', patient_id: 'PD', ward_id: 'W2', admitted_at: '2026-11-20T08:00:00.000Z', discharged_at: null },
    ])
    .execute();
  return fixture;
}
