/**
 * Writes whole patients (demographics plus every clinical row) in one transaction, with
 * multi-row INSERTs. The seed, the synthetic generator and the FHIR importer all write
 * through here, so the lowered name columns and batching rules live in one place.
 */
import type { Insertable, Kysely } from 'kysely';
import type { Tables } from '../db/schema.js';
import type {
  AllergyRow,
  ConditionRow,
  ContactRow,
  EncounterRow,
  MedicationRow,
  NoteRow,
  ObservationRow,
  PatientRow,
} from '../records.js';

export interface PatientBundle {
  /** `source` says where the patient came from: 'demo', 'synthetic', 'fhir', … */
  patient: PatientRow & { source: string | null };
  contacts: ContactRow[];
  encounters: EncounterRow[];
  observations: ObservationRow[];
  medications: MedicationRow[];
  allergies: AllergyRow[];
  conditions: ConditionRow[];
  notes: NoteRow[];
}

/** The clinical tables a bundle fills, in an order that satisfies the foreign keys. */
export type ClinicalTable =
  | 'patient_contacts'
  | 'encounters'
  | 'observations'
  | 'medications'
  | 'allergies'
  | 'conditions'
  | 'clinical_notes';

/**
 * SQLite's default SQLITE_MAX_VARIABLE_NUMBER is 32766 and PostgreSQL's wire protocol allows
 * 65535 parameters; staying under the smaller keeps one rule for both engines. Statements
 * are also capped in rows: past a few hundred rows a bigger statement is no faster, only
 * slower to build.
 */
const MAX_PARAMETERS = 32_766;
const MAX_ROWS_PER_STATEMENT = 500;

export async function insertPatientBundle(db: Kysely<Tables>, bundle: PatientBundle): Promise<void> {
  await insertPatientBundles(db, [bundle]);
}

/**
 * Inserts many patients with as few statements as the parameter limit allows. Runs inside
 * the caller's transaction when given one, else in its own: a patient is never half stored.
 */
export async function insertPatientBundles(db: Kysely<Tables>, bundles: readonly PatientBundle[]): Promise<void> {
  if (bundles.length === 0) return;
  if (!db.isTransaction) {
    await db.transaction().execute((trx) => insertPatientBundles(trx, bundles));
    return;
  }
  const createdAt = new Date().toISOString();
  await insertRows(
    db,
    'patients',
    bundles.map((b) => patientInsert(b.patient, createdAt)),
  );
  await insertRows(db, 'patient_contacts', bundles.flatMap((b) => b.contacts));
  await insertRows(db, 'encounters', bundles.flatMap((b) => b.encounters));
  await insertRows(db, 'observations', bundles.flatMap((b) => b.observations));
  await insertRows(db, 'medications', bundles.flatMap((b) => b.medications));
  await insertRows(db, 'allergies', bundles.flatMap((b) => b.allergies));
  await insertRows(db, 'conditions', bundles.flatMap((b) => b.conditions));
  await insertRows(db, 'clinical_notes', bundles.flatMap((b) => b.notes));
}

export function patientInsert(
  patient: PatientRow & { source: string | null },
  createdAt: string,
): Insertable<Tables['patients']> {
  return {
    id: patient.id,
    mrn: patient.mrn,
    ssn: patient.ssn,
    given_name: patient.given_name,
    family_name: patient.family_name,
    birth_date: patient.birth_date,
    sex: patient.sex,
    phone: patient.phone,
    email: patient.email,
    address_line: patient.address_line,
    city: patient.city,
    state: patient.state,
    postal_code: patient.postal_code,
    deceased_at: patient.deceased_at,
    family_name_lc: patient.family_name.toLowerCase(),
    given_name_lc: patient.given_name.toLowerCase(),
    source: patient.source,
    created_at: createdAt,
  };
}

/**
 * Multi-row INSERT in chunks under the parameter limit. Every row must carry the same
 * columns (the first row's keys decide them), which the row types guarantee.
 */
export async function insertRows<T extends keyof Tables>(
  db: Kysely<Tables>,
  table: T,
  rows: readonly Insertable<Tables[T]>[],
): Promise<void> {
  const first = rows[0];
  if (first === undefined) return;
  const columns = Object.keys(first).length;
  const perStatement = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMETERS / columns)));
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    // Kysely cannot type a table chosen at run time; the signature above keeps callers typed.
    await (db as unknown as Kysely<Record<string, Record<string, unknown>>>)
      .insertInto(table as string)
      .values(chunk as Record<string, unknown>[])
      .execute();
  }
}
