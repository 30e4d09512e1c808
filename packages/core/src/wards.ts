/**
 * Wards and who lies in them. An admission is what lets a nurse see a patient (SPEC "Policy":
 * a nurse reads and writes for patients in her own ward; policy/relationships.ts reads an
 * admission not yet discharged). An imported database has no admissions until an operator
 * records them: the `wards` CLI does, through these functions, and audits each change.
 * Changes take effect at the next tool call, as relationships are read on every call.
 */
import { randomUUID } from 'node:crypto';
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { RecordChange } from './audit/append-in-transaction.js';
import { dialectOf } from './db/migrations/helpers.js';
import type { Tables } from './db/schema.js';
import { lockedForWrite, serialiseWriters, writeTransaction, type WriteTransaction } from './db/write-transaction.js';
import { AppError } from './errors.js';
import { labelProblem, visibleLength } from './free-text.js';

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

/** A ward's name is a line of a listing: one line, something visible in it, nothing that reorders it. */
function wardNameProblem(name: string): string | undefined {
  if (name.length > WARD_NAME_MAX) return `must be at most ${WARD_NAME_MAX} characters`;
  if (visibleLength(name) === 0) return 'must not be blank';
  return labelProblem(name, { oneLine: true });
}

export async function createWard(db: Kysely<Tables>, id: string, name: string, record?: RecordChange<void>): Promise<boolean> {
  checkWardId(id);
  const problem = wardNameProblem(name);
  if (problem !== undefined) throw new AppError('ERR_VALIDATION', { detail: `ward name ${problem}` });
  return writeTransaction(db, async (trx) => {
    // Two consoles creating "W3" and "w3" at once would each find neither.
    await serialiseWriters(trx, 'wards.create');
    // Ids differ by more than case: audit reasons are stored in lower case, and "w1" beside
    // "W1" would leave a reviewer unable to tell which ward a nurse was given.
    const existing = await trx
      .selectFrom('wards')
      .select(['id', 'name'])
      .where((eb) => eb(eb.fn('lower', ['id']), '=', id.toLowerCase()))
      .executeTakeFirst();
    if (existing === undefined) {
      await trx.insertInto('wards').values({ id, name }).execute();
      await record?.(trx, undefined);
      return true;
    }
    // The same ward asked for again is no change; another name under its id is a mistake to say.
    if (existing.id === id && existing.name === name) return false;
    throw new AppError('ERR_CONFLICT', { detail: `ward ${existing.id} exists, named ${JSON.stringify(existing.name)}` });
  });
}

async function requireWard(db: Kysely<Tables>, id: string): Promise<{ id: string; name: string }> {
  const ward = await db.selectFrom('wards').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
  if (!ward) throw new AppError('ERR_NOT_FOUND', { detail: `no ward ${id}` });
  return ward;
}

/**
 * The patient's row, locked on PostgreSQL for the rest of the transaction so that two
 * admissions of one patient at once take turns (on SQLite the write lock does that).
 */
async function requirePatient(trx: WriteTransaction, patientId: string): Promise<void> {
  const row = await lockedForWrite(trx, trx.selectFrom('patients').select('id').where('id', '=', patientId)).executeTakeFirst();
  if (!row) throw new AppError('ERR_NOT_FOUND', { detail: `no patient ${patientId}` });
}

/**
 * The instant a change is recorded at: the database's clock on PostgreSQL (the one the
 * servers and every operator's console share; a console whose own clock ran two minutes ahead
 * had discharged a patient whom the ward's nurse then still saw), and never before the
 * patient's latest admission, so that no stay ends before it began.
 */
async function changeInstant(trx: Kysely<Tables>, patientId: string): Promise<string> {
  const clock =
    dialectOf(trx as Kysely<unknown>) === 'postgres'
      ? new Date((await sql<{ now: Date }>`select clock_timestamp() as now`.execute(trx)).rows[0]!.now).toISOString()
      : new Date().toISOString();
  const latest = await trx.selectFrom('admissions').select((eb) => eb.fn.max('admitted_at').as('latest')).where('patient_id', '=', patientId).executeTakeFirst();
  return latest?.latest != null && latest.latest > clock ? latest.latest : clock;
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
export async function admitPatient(
  db: Kysely<Tables>,
  patientId: string,
  wardId: string,
  record?: RecordChange<{ from: string | undefined }>,
): Promise<AdmitResult> {
  checkWardId(wardId);
  return writeTransaction(db, async (trx) => {
    await requireWard(trx, wardId);
    await requirePatient(trx, patientId);
    // Read after the lock: a change made while this one waited is seen, not overwritten.
    const nowIso = await changeInstant(trx, patientId);
    const open = await trx.selectFrom('admissions').select(['id', 'ward_id']).where('patient_id', '=', patientId).where(openAt(nowIso)).execute();
    if (open.some((admission) => admission.ward_id === wardId)) return { changed: false };
    if (open.length > 0) {
      await trx.updateTable('admissions').set({ discharged_at: nowIso }).where('id', 'in', open.map((admission) => admission.id)).execute();
    }
    await trx
      .insertInto('admissions')
      .values({ id: `ADM-${randomUUID()}`, patient_id: patientId, ward_id: wardId, admitted_at: nowIso, discharged_at: null })
      .execute();
    const from = open[0]?.ward_id;
    await record?.(trx, { from });
    return { changed: true, from };
  });
}

/** Discharges the patient now; resolves the ward they left, or undefined when they were in none. */
export async function dischargePatient(db: Kysely<Tables>, patientId: string, record?: RecordChange<{ from: string }>): Promise<string | undefined> {
  return writeTransaction(db, async (trx) => {
    await requirePatient(trx, patientId);
    const nowIso = await changeInstant(trx, patientId);
    const open = await trx.selectFrom('admissions').select(['id', 'ward_id']).where('patient_id', '=', patientId).where(openAt(nowIso)).execute();
    const [first] = open;
    if (first === undefined) return undefined;
    await trx.updateTable('admissions').set({ discharged_at: nowIso }).where('id', 'in', open.map((admission) => admission.id)).execute();
    await record?.(trx, { from: first.ward_id });
    return first.ward_id;
  });
}
