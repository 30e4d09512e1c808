import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database.js';
import type { Database } from '../db/database.js';
import { demoPatientBundles, generatePatient } from '../synthetic/index.js';
import { insertPatientBundle, insertPatientBundles, type PatientBundle } from './store.js';

let database: Database;
useTestDatabase((opened) => (database = opened));

async function readBack(patientId: string): Promise<PatientBundle> {
  const db = database.db;
  const patient = await db.selectFrom('patients').selectAll().where('id', '=', patientId).executeTakeFirstOrThrow();
  const { family_name_lc: _f, given_name_lc: _g, created_at: _c, ...row } = patient;
  // One helper for seven tables; Kysely cannot type a table chosen at run time.
  const byPatient = (table: 'patient_contacts' | 'encounters' | 'observations' | 'medications' | 'allergies' | 'conditions' | 'clinical_notes') =>
    db.selectFrom(table as 'encounters').selectAll().where('patient_id', '=', patientId).orderBy('id').execute() as Promise<unknown[]>;
  return {
    patient: row,
    contacts: await byPatient('patient_contacts'),
    encounters: await byPatient('encounters'),
    observations: await byPatient('observations'),
    medications: await byPatient('medications'),
    allergies: await byPatient('allergies'),
    conditions: await byPatient('conditions'),
    notes: await byPatient('clinical_notes'),
  } as PatientBundle;
}

function sorted(bundle: PatientBundle): PatientBundle {
  const byId = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    patient: bundle.patient,
    contacts: byId(bundle.contacts),
    encounters: byId(bundle.encounters),
    observations: byId(bundle.observations),
    medications: byId(bundle.medications),
    allergies: byId(bundle.allergies),
    conditions: byId(bundle.conditions),
    notes: byId(bundle.notes),
  };
}

async function count(table: 'patients' | 'observations' | 'clinical_notes'): Promise<number> {
  const row = await database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('insertPatientBundle', () => {
  it('stores a patient and reads back exactly what was written', async () => {
    const [p1] = demoPatientBundles();
    await insertPatientBundle(database.db, p1 as PatientBundle);
    expect(await readBack('P001')).toEqual(sorted(p1 as PatientBundle));
  });

  it('fills the lowered name columns search relies on', async () => {
    const bundle = generatePatient(7, 900_001);
    bundle.patient.family_name = "O'Brien-Łukasz";
    bundle.patient.given_name = 'ÉMILE';
    await insertPatientBundle(database.db, bundle);
    const row = await database.db.selectFrom('patients').select(['family_name_lc', 'given_name_lc', 'source']).where('id', '=', bundle.patient.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ family_name_lc: "o'brien-łukasz", given_name_lc: 'émile', source: 'synthetic' });
  });

  it('joins a transaction the caller holds, and rolls back with it', async () => {
    const before = await count('patients');
    const bundle = generatePatient(7, 900_002);
    await expect(
      database.db.transaction().execute(async (trx) => {
        await insertPatientBundle(trx, bundle);
        throw new Error('caller changed its mind');
      }),
    ).rejects.toThrow('caller changed its mind');
    expect(await count('patients')).toBe(before);
  });

  it('stores nothing of a patient when one row fails', async () => {
    const before = { patients: await count('patients'), observations: await count('observations') };
    const bundle = generatePatient(7, 900_003);
    // A note with the id of an existing one: the last table written fails.
    const existingNote = (demoPatientBundles()[0] as PatientBundle).notes[0]?.id as string;
    bundle.notes[0] = { ...(bundle.notes[0] as PatientBundle['notes'][number]), id: existingNote };
    await expect(insertPatientBundle(database.db, bundle)).rejects.toThrow();
    expect(await count('patients')).toBe(before.patients);
    expect(await count('observations')).toBe(before.observations);
  });
});

describe('insertPatientBundles', () => {
  it('writes many patients in statements under the parameter limit', async () => {
    // 700 patients: ~40,000 observations, far past one statement's 32,766 parameters.
    const bundles = Array.from({ length: 700 }, (_, i) => generatePatient(11, 10_000 + i));
    const expectedObservations = bundles.reduce((n, b) => n + b.observations.length, 0);
    const before = await count('observations');
    await insertPatientBundles(database.db, bundles);
    expect((await count('observations')) - before).toBe(expectedObservations);
    expect(await readBack('G010321')).toEqual(sorted(bundles[321] as PatientBundle));
  });

  it('takes the raw SQLite path when given the handle, with the same result', async () => {
    if (!database.sqlite) return expect(database.dialect).toBe('postgres');
    const bundles = Array.from({ length: 120 }, (_, i) => generatePatient(12, 20_000 + i));
    await insertPatientBundles(database.db, bundles, { sqlite: database.sqlite });
    expect(await readBack('G020077')).toEqual(sorted(bundles[77] as PatientBundle));
    // And it is atomic too: a clash rolls back every patient of the call.
    const before = await count('patients');
    const clash = [generatePatient(12, 30_000), generatePatient(12, 20_005)];
    await expect(insertPatientBundles(database.db, clash, { sqlite: database.sqlite })).rejects.toThrow(/UNIQUE/);
    expect(await count('patients')).toBe(before);
  });
});
