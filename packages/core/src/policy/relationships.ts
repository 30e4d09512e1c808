/**
 * Loads what the policy engine needs to know about one patient for one caller, in ONE
 * query: does the patient exist, is the caller on its care team, is it admitted to one of
 * the caller's wards, does the caller hold an unexpired break-glass grant for it.
 * The same relationship predicates back the row filters (row-filter.ts), so a patient seen
 * in a search is exactly a patient the single-record tools would allow.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import { chartRevisionColumn, revisionFrom } from '../clinical/chart-cache.js';
import { accountIdFrom, type Principal } from '../domain.js';
import { preparedQuery } from '../db/prepared.js';
import type { Tables } from '../db/schema.js';
import type { RowContext } from './engine.js';

/** The caller's account id; a user id that names no account can have no relationship. */
export function accountIdOf(principal: Principal): number | undefined {
  return accountIdFrom(principal.userId);
}

type PatientScope = ExpressionBuilder<Tables, 'patients'>;

/** The caller is a member of the patient's care team. */
export function careTeamExists(eb: PatientScope, accountId: number) {
  return eb.exists(
    eb
      .selectFrom('care_team_members')
      .select(eb.lit(1).as('one'))
      .whereRef('care_team_members.patient_id', '=', 'patients.id')
      .where('care_team_members.account_id', '=', accountId),
  );
}

/** The patient is admitted, and not yet discharged, to a ward the caller is assigned to. */
export function wardAdmissionExists(eb: PatientScope, accountId: number, nowIso: string) {
  return eb.exists(
    eb
      .selectFrom('admissions')
      .innerJoin('ward_assignments', 'ward_assignments.ward_id', 'admissions.ward_id')
      .select(eb.lit(1).as('one'))
      .whereRef('admissions.patient_id', '=', 'patients.id')
      .where('ward_assignments.account_id', '=', accountId)
      .where((inner) => inner.or([inner('admissions.discharged_at', 'is', null), inner('admissions.discharged_at', '>', nowIso)])),
  );
}

/** An unexpired break-glass grant for this caller and patient (instants compare as ISO text). */
export function breakGlassExists(eb: PatientScope, accountId: number, nowIso: string) {
  return eb.exists(
    eb
      .selectFrom('break_glass_grants')
      .select(eb.lit(1).as('one'))
      .whereRef('break_glass_grants.patient_id', '=', 'patients.id')
      .where('break_glass_grants.account_id', '=', accountId)
      .where('break_glass_grants.granted_at', '<=', nowIso)
      .where('break_glass_grants.expires_at', '>', nowIso),
  );
}

/** A context in which nothing is related: a missing patient, or no patient named. */
export function emptyRowContext(principal: Principal, patientId: string | null): RowContext {
  return { userId: principal.userId, patientId, patientExists: false, careTeam: false, ward: false, ownRecord: false, breakGlass: false };
}

/** The relationship flags of one patient row, as both engines answer EXISTS (0/1 or boolean). */
interface RelationshipRow {
  id: string;
  care_team: unknown;
  ward: unknown;
  break_glass: unknown;
}

function toRowContext(principal: Principal, row: RelationshipRow): RowContext {
  return {
    userId: principal.userId,
    patientId: row.id,
    patientExists: true,
    careTeam: Boolean(row.care_team),
    ward: Boolean(row.ward),
    ownRecord: principal.role === 'patient' && principal.patientId === row.id,
    breakGlass: Boolean(row.break_glass),
  };
}

function relationshipsQuery(db: Kysely<Tables>, principal: Principal, now: Date) {
  // An impossible account id keeps the query's shape (and its cost) for a malformed caller.
  return relationshipsOf(db, accountIdOf(principal) ?? -1, now.toISOString());
}

function relationshipsOf(db: Kysely<Tables>, accountId: number, nowIso: string) {
  return db
    .selectFrom('patients')
    .select((eb) => [
      'patients.id',
      careTeamExists(eb, accountId).as('care_team'),
      wardAdmissionExists(eb, accountId, nowIso).as('ward'),
      breakGlassExists(eb, accountId, nowIso).as('break_glass'),
    ]);
}

/**
 * Runs on every tool call about one patient: compiled once, executed as a prepared statement.
 * The patient's chart revision comes along (for the chart cache), saving the call a round trip.
 */
const relationshipsOfOne = preparedQuery(
  (db, args: { accountId: number; nowIso: string; patientId: string }) =>
    relationshipsOf(db, args.accountId, args.nowIso)
      .select((eb) => chartRevisionColumn(eb).as('chart_revision'))
      .where('patients.id', '=', args.patientId),
  { accountId: -2_000_000_017, nowIso: '\u0000now', patientId: '\u0000patient' },
  // At most one row (a patient id): concurrent calls may share a statement on PostgreSQL.
  { oneRow: true },
);

/** One patient's relationships to the caller, and its chart revision read in the same statement. */
export interface PatientRelationships {
  readonly context: RowContext;
  /** undefined when there is no such patient. */
  readonly chartRevision: string | undefined;
}

export async function loadPatientRelationships(db: Kysely<Tables>, principal: Principal, patientId: string, now: Date = new Date()): Promise<PatientRelationships> {
  const [row] = await relationshipsOfOne(db, { accountId: accountIdOf(principal) ?? -1, nowIso: now.toISOString(), patientId });
  if (!row) return { context: emptyRowContext(principal, patientId), chartRevision: undefined };
  return { context: toRowContext(principal, row), chartRevision: revisionFrom(row.chart_revision) };
}

export async function loadRowContext(db: Kysely<Tables>, principal: Principal, patientId: string, now: Date = new Date()): Promise<RowContext> {
  return (await loadPatientRelationships(db, principal, patientId, now)).context;
}

/**
 * The same for the patients a list returned (one query for the page), so an answer that
 * holds a patient seen only under a break-glass grant is flagged like a single read.
 */
export async function loadRowContexts(
  db: Kysely<Tables>,
  principal: Principal,
  patientIds: readonly string[],
  now: Date = new Date(),
): Promise<RowContext[]> {
  if (patientIds.length === 0) return [];
  const rows = await relationshipsQuery(db, principal, now).where('patients.id', 'in', [...new Set(patientIds)]).execute();
  return rows.map((row) => toRowContext(principal, row));
}
