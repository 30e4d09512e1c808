/**
 * Wards and who lies in them. An admission is what lets a nurse see a patient (SPEC "Policy":
 * a nurse reads and writes for patients in her own ward; policy/relationships.ts reads an
 * admission not yet discharged). An imported database has no admissions until an operator
 * records them: the `wards` CLI does, through these functions, and audits each change.
 * Changes take effect at the next tool call, as relationships are read on every call.
 */
import { randomUUID } from 'node:crypto';
import type { ExpressionBuilder, Kysely } from 'kysely';
import { AppError } from './errors.js';
import { freeTextProblem } from './free-text.js';
import { dialectOf } from './db/migrations/helpers.js';
import type { Tables } from './db/schema.js';

/** Short and plain: a ward id is typed at consoles and named in audit reasons. */
const WARD_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const WARD_NAME_MAX = 100;

export interface WardListing {
  id: string;
  name: string;
  /** Patients admitted now. */
  patients: number;
  /** Accounts assigned to the ward. */
  nurses: number;
}

export interface CurrentAdmission {
  patient_id: string;
  admitted_at: string;
}

/** What an admission changed: nothing (already there), or a new admission, moved from `from` if it was a transfer. */
export type AdmitResult = { changed: false } | { changed: true; from: string | undefined };

/** An admission open at `nowIso`: not discharged, or discharged at a time yet to come (as the policy reads it). */
function openAt(nowIso: string) {
  return (eb: ExpressionBuilder<Tables, 'admissions'>) => eb.or([eb('admissions.discharged_at', 'is', null), eb('admissions.discharged_at', '>', nowIso)]);
}

function checkWardId(id: string): void {
  if (!WARD_ID.test(id)) {
    throw new AppError('ERR_VALIDATION', { detail: 'ward id must be 1-32 letters, digits, _ . - (starting with a letter or digit)' });
  }
}

export async function createWard(db: Kysely<Tables>, id: string, name: string): Promise<boolean> {
  checkWardId(id);
  const problem = name.trim() === '' ? 'must not be blank' : (freeTextProblem(name) ?? (name.length > WARD_NAME_MAX ? `must be at most ${WARD_NAME_MAX} characters` : undefined));
  if (problem !== undefined) throw new AppError('ERR_VALIDATION', { detail: `ward name ${problem}` });
  const result = await db.insertInto('wards').values({ id, name }).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 1) return true;
  const existing = await requireWard(db, id);
  // The same ward asked for again is no change; another name under its id is a mistake to say.
  if (existing.name === name) return false;
  throw new AppError('ERR_CONFLICT', { detail: `ward ${id} exists, named ${JSON.stringify(existing.name)}` });
}

async function requireWard(db: Kysely<Tables>, id: string): Promise<{ id: string; name: string }> {
  const ward = await db.selectFrom('wards').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
  if (!ward) throw new AppError('ERR_NOT_FOUND', { detail: `no ward ${id}` });
  return ward;
}

/**
 * The patient's row, locked on PostgreSQL for the rest of the transaction so that two
 * admissions of one patient at once cannot both find none open (on SQLite the second writer
 * fails on the write lock instead).
 */
async function requirePatient(db: Kysely<Tables>, patientId: string): Promise<void> {
  const query = db.selectFrom('patients').select('id').where('id', '=', patientId);
  const row = await (dialectOf(db as Kysely<unknown>) === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
  if (!row) throw new AppError('ERR_NOT_FOUND', { detail: `no patient ${patientId}` });
}

export async function listWards(db: Kysely<Tables>, now: Date = new Date()): Promise<WardListing[]> {
  const nowIso = now.toISOString();
  const rows = await db
    .selectFrom('wards')
    .select((eb) => [
      'wards.id',
      'wards.name',
      eb
        .selectFrom('admissions')
        .select((inner) => inner.fn.countAll().as('n'))
        .whereRef('admissions.ward_id', '=', 'wards.id')
        .where(openAt(nowIso))
        .as('patients'),
      eb
        .selectFrom('ward_assignments')
        .select((inner) => inner.fn.countAll().as('n'))
        .whereRef('ward_assignments.ward_id', '=', 'wards.id')
        .as('nurses'),
    ])
    .orderBy('wards.id')
    .execute();
  // Counts come back as numbers from SQLite and as text (bigint) from PostgreSQL.
  return rows.map((row) => ({ id: row.id, name: row.name, patients: Number(row.patients ?? 0), nurses: Number(row.nurses ?? 0) }));
}

/** Who lies in the ward now, longest there first. */
export async function wardPatients(db: Kysely<Tables>, wardId: string, now: Date = new Date()): Promise<CurrentAdmission[]> {
  await requireWard(db, wardId);
  return db
    .selectFrom('admissions')
    .select(['admissions.patient_id', 'admissions.admitted_at'])
    .where('admissions.ward_id', '=', wardId)
    .where(openAt(now.toISOString()))
    .orderBy('admissions.admitted_at')
    .orderBy('admissions.patient_id')
    .execute();
}

/**
 * Admits the patient to the ward. A patient lies in one ward at a time: admitted elsewhere,
 * they are transferred (that admission discharged at the same instant), so the nurses of the
 * old ward lose access as those of the new one gain it. Already in this ward: no change.
 */
export async function admitPatient(db: Kysely<Tables>, patientId: string, wardId: string, now: Date = new Date()): Promise<AdmitResult> {
  checkWardId(wardId);
  const nowIso = now.toISOString();
  return db.transaction().execute(async (trx) => {
    await requireWard(trx, wardId);
    await requirePatient(trx, patientId);
    const open = await trx.selectFrom('admissions').select(['id', 'ward_id']).where('patient_id', '=', patientId).where(openAt(nowIso)).execute();
    if (open.some((admission) => admission.ward_id === wardId)) return { changed: false };
    if (open.length > 0) {
      await trx.updateTable('admissions').set({ discharged_at: nowIso }).where('id', 'in', open.map((admission) => admission.id)).execute();
    }
    await trx
      .insertInto('admissions')
      .values({ id: `ADM-${randomUUID()}`, patient_id: patientId, ward_id: wardId, admitted_at: nowIso, discharged_at: null })
      .execute();
    return { changed: true, from: open[0]?.ward_id };
  });
}

/** Discharges the patient now; resolves the ward they left, or undefined when they were in none. */
export async function dischargePatient(db: Kysely<Tables>, patientId: string, now: Date = new Date()): Promise<string | undefined> {
  const nowIso = now.toISOString();
  return db.transaction().execute(async (trx) => {
    await requirePatient(trx, patientId);
    const open = await trx.selectFrom('admissions').select(['id', 'ward_id']).where('patient_id', '=', patientId).where(openAt(nowIso)).execute();
    if (open.length === 0) return undefined;
    await trx.updateTable('admissions').set({ discharged_at: nowIso }).where('id', 'in', open.map((admission) => admission.id)).execute();
    return open[0]?.ward_id;
  });
}
