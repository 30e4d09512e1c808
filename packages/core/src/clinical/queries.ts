/**
 * The clinical reads the MCP tools make. Every query is shaped for an index of migration
 * 0002 (patients by name prefix, MRN, birth date; clinical rows by patient and time), and
 * patient search takes the policy layer's row filter inside its WHERE, so neither a page
 * nor a cursor can reveal a row the caller may not see.
 */
import { createHash } from 'node:crypto';
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import { preparedQuery } from '../db/prepared.js';
import type { Tables } from '../db/schema.js';
import { AppError } from '../errors.js';
import { isCalendarDate } from '../instants.js';
import { seal, unseal } from '../sealed.js';
import type {
  AllergyRow,
  ConditionRow,
  ContactRow,
  EncounterRow,
  MedicationRow,
  NoteRow,
  ObservationCategory,
  ObservationRow,
  PatientRow,
} from '../records.js';

// ---------------------------------------------------------------------------------------
// Patient search

export type PatientFilter = (eb: ExpressionBuilder<Tables, 'patients'>) => Expression<SqlBool>;

export interface PatientSearchOptions {
  /** A name ("smi", "Smith, John", "John Smith"), an MRN, or a birth date (YYYY-MM-DD). */
  query: string;
  /** 1-100, default 20. */
  limit?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string | null;
  /** The policy layer's row filter, applied inside the WHERE of every branch. */
  restrictTo?: PatientFilter;
  /**
   * Seals cursors with AES-256-GCM under this key. A cursor carries the last row's lowered
   * names and id, so anything handed to a caller who must not read them (researchers see
   * pseudonyms) must be sealed; without a key it is base64url JSON.
   */
  cursorKey?: string | Uint8Array;
}

export interface PatientSearchPage {
  patients: PatientRow[];
  next_cursor: string | null;
  /** How the query was read: by name prefix, exact MRN or exact birth date. */
  matched_by: 'name' | 'mrn' | 'birth_date';
}

export const PATIENT_COLUMNS = [
  'id', 'mrn', 'ssn', 'given_name', 'family_name', 'birth_date', 'sex', 'phone', 'email', 'address_line', 'city',
  'state', 'postal_code', 'deceased_at',
] as const satisfies readonly (keyof PatientRow)[];

const SORT_COLUMNS = ['family_name_lc', 'given_name_lc'] as const;

const MAX_QUERY_LENGTH = 100;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

interface NameBranch {
  family?: string;
  given?: string;
}

type Classified =
  | { kind: 'birth_date'; value: string }
  | { kind: 'mrn'; values: string[] }
  | { kind: 'name'; branches: NameBranch[] };

/** Reads a search string: a date, an MRN (any token with a digit), else a name. */
export function classifyQuery(raw: string): Classified {
  const query = raw.trim().replace(/\s+/g, ' ');
  if (query === '') throw new AppError('ERR_VALIDATION', { detail: 'query is empty' });
  if (query.length > MAX_QUERY_LENGTH) throw new AppError('ERR_VALIDATION', { detail: `query is longer than ${MAX_QUERY_LENGTH} characters` });
  const iso = ISO_DATE.exec(query);
  const us = US_DATE.exec(query);
  if (iso || us) {
    const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : [us?.[3], us?.[1]?.padStart(2, '0'), us?.[2]?.padStart(2, '0')];
    const value = `${y}-${m}-${d}`;
    if (!isCalendarDate(value)) throw new AppError('ERR_VALIDATION', { detail: 'query is not a valid date' });
    return { kind: 'birth_date', value };
  }
  if (/\d/.test(query) && !query.includes(' ')) {
    return { kind: 'mrn', values: [...new Set([query, query.toUpperCase(), query.toLowerCase()])] };
  }
  const lower = query.toLowerCase();
  const comma = lower.indexOf(',');
  if (comma >= 0) {
    const family = lower.slice(0, comma).trim();
    const given = lower.slice(comma + 1).trim();
    if (!family) throw new AppError('ERR_VALIDATION', { detail: 'query has nothing before the comma' });
    return { kind: 'name', branches: [given ? { family, given } : { family }] };
  }
  const words = lower.split(' ');
  if (words.length === 1) return { kind: 'name', branches: [{ family: lower }, { given: lower }] };
  const [head, ...tail] = words as [string, ...string[]];
  const last = words[words.length - 1] as string;
  const branches: NameBranch[] = [
    { given: head, family: tail.join(' ') }, // "John Smith", "Maria De La Cruz"
    { family: head, given: tail.join(' ') }, // "Smith John"
    { family: lower }, // "De La Cruz"
    { given: lower }, // "Mary Ann"
  ];
  if (words.length > 2) branches.push({ given: words.slice(0, -1).join(' '), family: last }); // "Mary Ann Smith"
  return { kind: 'name', branches };
}

/** The smallest string above every string that starts with `prefix` (code-unit order). */
function prefixUpperBound(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

function prefixMatch(eb: ExpressionBuilder<Tables, 'patients'>, column: 'family_name_lc' | 'given_name_lc', prefix: string) {
  // A range the index can walk, plus an exact check for collations that are not bytewise.
  return eb.and([
    eb(column, '>=', prefix),
    eb(column, '<', prefixUpperBound(prefix)),
    eb(eb.fn('substr', [eb.ref(column), eb.lit(1), eb.val(prefix.length)]), '=', prefix),
  ]);
}

interface CursorKey {
  k: [string, string, string];
  q: string;
}

function queryFingerprint(classified: Classified): string {
  return createHash('sha256').update(JSON.stringify(classified)).digest('base64url').slice(0, 12);
}

/** The purpose search cursors are sealed for (sealed.ts). */
const SEARCH_CURSOR = 'patient-search-cursor';

export function encodeCursor(value: CursorKey, key?: string | Uint8Array): string {
  const json = JSON.stringify(value);
  return key ? seal(json, key, SEARCH_CURSOR) : Buffer.from(json, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, key?: string | Uint8Array): CursorKey {
  const bad = () => new AppError('ERR_VALIDATION', { detail: 'cursor is invalid' });
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) throw bad();
  const opened = key ? unseal(cursor, key, SEARCH_CURSOR) : Buffer.from(cursor, 'base64url').toString('utf8');
  if (opened === undefined) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(opened);
  } catch {
    throw bad();
  }
  const value = parsed as Partial<CursorKey>;
  if (
    !Array.isArray(value.k) ||
    value.k.length !== 3 ||
    !value.k.every((part) => typeof part === 'string') ||
    typeof value.q !== 'string'
  ) {
    throw bad();
  }
  return value as CursorKey;
}

export async function searchPatients(db: Kysely<Tables>, options: PatientSearchOptions): Promise<PatientSearchPage> {
  const limit = options.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new AppError('ERR_VALIDATION', { detail: 'limit must be an integer from 1 to 100' });
  const classified = classifyQuery(options.query);
  const fingerprint = queryFingerprint(classified);
  let after: [string, string, string] | undefined;
  if (options.cursor) {
    const cursor = decodeCursor(options.cursor, options.cursorKey);
    if (cursor.q !== fingerprint) throw new AppError('ERR_VALIDATION', { detail: 'cursor belongs to a different query' });
    after = cursor.k;
  }

  const branch = (match: (eb: ExpressionBuilder<Tables, 'patients'>) => Expression<SqlBool>) =>
    db
      .selectFrom('patients')
      .select([...PATIENT_COLUMNS, ...SORT_COLUMNS])
      .where((eb) => {
        const conditions: Expression<SqlBool>[] = [match(eb)];
        if (after) conditions.push(eb(eb.refTuple('family_name_lc', 'given_name_lc', 'id'), '>', eb.tuple(...after)));
        if (options.restrictTo) conditions.push(options.restrictTo(eb));
        return eb.and(conditions);
      })
      .orderBy('family_name_lc')
      .orderBy('given_name_lc')
      .orderBy('id')
      .limit(limit + 1);

  const matchers: ((eb: ExpressionBuilder<Tables, 'patients'>) => Expression<SqlBool>)[] =
    classified.kind === 'birth_date'
      ? [(eb) => eb('birth_date', '=', classified.value)]
      : classified.kind === 'mrn'
        ? [(eb) => eb('mrn', 'in', classified.values)]
        : classified.branches.map((b) => (eb: ExpressionBuilder<Tables, 'patients'>) => {
            const parts: Expression<SqlBool>[] = [];
            if (b.family) parts.push(prefixMatch(eb, 'family_name_lc', b.family));
            if (b.given) parts.push(prefixMatch(eb, 'given_name_lc', b.given));
            return eb.and(parts);
          });

  type Row = Pick<Tables['patients'], (typeof PATIENT_COLUMNS)[number] | (typeof SORT_COLUMNS)[number]>;
  let rows: Row[];
  const [firstMatcher, ...otherMatchers] = matchers as [(typeof matchers)[number], ...typeof matchers];
  if (otherMatchers.length === 0) {
    rows = (await branch(firstMatcher).execute()) as Row[];
  } else {
    // One indexed, ordered, limited scan per reading of the name; the union is at most
    // (branches × limit+1) rows to merge.
    let union = db.selectFrom(branch(firstMatcher).as('b0')).selectAll();
    otherMatchers.forEach((matcher, i) => {
      union = union.union(db.selectFrom(branch(matcher).as(`b${i + 1}`)).selectAll());
    });
    rows = (await db
      .selectFrom(union.as('u'))
      .selectAll()
      .orderBy('family_name_lc')
      .orderBy('given_name_lc')
      .orderBy('id')
      .limit(limit + 1)
      .execute()) as Row[];
  }

  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return {
    patients: page.map(toPatientRow),
    next_cursor:
      more && last ? encodeCursor({ k: [last.family_name_lc, last.given_name_lc, last.id], q: fingerprint }, options.cursorKey) : null,
    matched_by: classified.kind,
  };
}

function toPatientRow(row: Pick<Tables['patients'], (typeof PATIENT_COLUMNS)[number]>): PatientRow {
  return {
    id: row.id,
    mrn: row.mrn,
    ssn: row.ssn,
    given_name: row.given_name,
    family_name: row.family_name,
    birth_date: row.birth_date,
    sex: row.sex,
    phone: row.phone,
    email: row.email,
    address_line: row.address_line,
    city: row.city,
    state: row.state,
    postal_code: row.postal_code,
    deceased_at: row.deceased_at,
  };
}

// ---------------------------------------------------------------------------------------
// One patient's chart

const ONE_PATIENT = { patientId: '\u0000patient' } as const;
type OnePatient = { patientId: string };

// The overview runs on most tool calls: each read is compiled once and then executed as a
// prepared statement (db/prepared.ts), with the query still written here, once.
const patientById = preparedQuery(
  (db, { patientId }: OnePatient) => db.selectFrom('patients').select(PATIENT_COLUMNS).where('id', '=', patientId),
  ONE_PATIENT,
);

const contactsOf = preparedQuery(
  (db, { patientId }: OnePatient) => db.selectFrom('patient_contacts').selectAll().where('patient_id', '=', patientId).orderBy('id'),
  ONE_PATIENT,
);

const activeConditionsOf = preparedQuery(
  (db, { patientId }: OnePatient) =>
    db
      .selectFrom('conditions')
      .selectAll()
      .where('patient_id', '=', patientId)
      .where('clinical_status', '=', 'active')
      .orderBy('onset_at', 'desc')
      .orderBy('id'),
  ONE_PATIENT,
);

const activeMedicationsOf = preparedQuery(
  (db, { patientId }: OnePatient) =>
    db
      .selectFrom('medications')
      .selectAll()
      .where('patient_id', '=', patientId)
      .where('status', '=', 'active')
      .orderBy('authored_at', 'desc')
      .orderBy('id'),
  ONE_PATIENT,
);

const activeAllergiesOf = preparedQuery(
  (db, { patientId }: OnePatient) =>
    db
      .selectFrom('allergies')
      .selectAll()
      .where('patient_id', '=', patientId)
      .where('status', '=', 'active')
      .orderBy('recorded_at', 'desc')
      .orderBy('id'),
  ONE_PATIENT,
);

/** The latest vital-sign observation of each code. */
const latestVitalsOf = preparedQuery((db, { patientId }: OnePatient) => {
  const ranked = db
    .selectFrom('observations')
    .selectAll()
    .select(sql<number>`row_number() over (partition by code order by effective_at desc, id desc)`.as('rank'))
    .where('patient_id', '=', patientId)
    .where('category', '=', 'vital-signs');
  return db.selectFrom(ranked.as('r')).selectAll().where('rank', '=', 1).orderBy('code');
}, ONE_PATIENT);

export async function getPatient(db: Kysely<Tables>, patientId: string): Promise<PatientRow | undefined> {
  const [patient] = await patientById(db, { patientId });
  return patient;
}

export interface PatientOverview {
  patient: PatientRow;
  contacts: ContactRow[];
  /** Active conditions, most recent onset first. */
  conditions: ConditionRow[];
  /** Active medications, most recently authored first. */
  medications: MedicationRow[];
  /** Active allergies. */
  allergies: AllergyRow[];
  /** The latest vital-sign observation of each code. */
  latest_vitals: ObservationRow[];
}

/** undefined when there is no such patient (the tool answers that like a refusal). */
export async function getPatientOverview(db: Kysely<Tables>, patientId: string): Promise<PatientOverview | undefined> {
  const args = { patientId };
  // Independent reads: on PostgreSQL they run on separate pool connections at once.
  const [patient, contacts, conditions, medications, allergies, latestVitals] = await Promise.all([
    getPatient(db, patientId),
    contactsOf(db, args),
    activeConditionsOf(db, args),
    activeMedicationsOf(db, args),
    activeAllergiesOf(db, args),
    latestVitalsOf(db, args),
  ]);
  if (!patient) return undefined;
  return {
    patient,
    contacts,
    conditions,
    medications,
    allergies,
    latest_vitals: latestVitals.map(({ rank: _rank, ...row }) => row as ObservationRow),
  };
}

function checkSince(since: string | undefined): string | undefined {
  if (since === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z?)?$/.test(since) || !isCalendarDate(since.slice(0, 10))) {
    throw new AppError('ERR_VALIDATION', { detail: 'since must be a date (YYYY-MM-DD) or a UTC instant' });
  }
  // Stored instants are UTC ISO text, so text order is time order.
  return since.length === 10 ? since : new Date(since.endsWith('Z') ? since : `${since}Z`).toISOString();
}

function checkLimit(limit: number | undefined, fallback: number, max: number): number {
  const value = limit ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new AppError('ERR_VALIDATION', { detail: `limit must be an integer from 1 to ${max}` });
  }
  return value;
}

export async function listEncounters(
  db: Kysely<Tables>,
  options: { patient_id: string; since?: string; limit?: number },
): Promise<EncounterRow[]> {
  const since = checkSince(options.since);
  let query = db.selectFrom('encounters').selectAll().where('patient_id', '=', options.patient_id);
  if (since) query = query.where('start_at', '>=', since);
  return query
    .orderBy('start_at', 'desc')
    .orderBy('id', 'desc')
    .limit(checkLimit(options.limit, 100, 5000))
    .execute();
}

export interface ObservationQuery {
  patient_id: string;
  category?: ObservationCategory;
  /** LOINC code. */
  code?: string;
  since?: string;
  limit?: number;
}

export async function getObservations(db: Kysely<Tables>, options: ObservationQuery): Promise<ObservationRow[]> {
  const since = checkSince(options.since);
  let query = db.selectFrom('observations').selectAll().where('patient_id', '=', options.patient_id);
  if (options.category) query = query.where('category', '=', options.category);
  if (options.code) query = query.where('code', '=', options.code);
  if (since) query = query.where('effective_at', '>=', since);
  return query
    .orderBy('effective_at', 'desc')
    .orderBy('id', 'desc')
    .limit(checkLimit(options.limit, 200, 5000))
    .execute();
}

export async function getMedications(
  db: Kysely<Tables>,
  options: { patient_id: string; status?: string },
): Promise<MedicationRow[]> {
  let query = db.selectFrom('medications').selectAll().where('patient_id', '=', options.patient_id);
  if (options.status) query = query.where('status', '=', options.status);
  return query.orderBy('authored_at', 'desc').orderBy('id', 'desc').execute();
}

export async function getClinicalNotes(
  db: Kysely<Tables>,
  options: { patient_id: string; since?: string; limit?: number },
): Promise<NoteRow[]> {
  const since = checkSince(options.since);
  let query = db.selectFrom('clinical_notes').selectAll().where('patient_id', '=', options.patient_id);
  if (since) query = query.where('created_at', '>=', since);
  return query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(checkLimit(options.limit, 20, 200))
    .execute();
}
