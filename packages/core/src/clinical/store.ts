/**
 * Writes whole patients (demographics plus every clinical row) in one transaction, with
 * multi-row INSERTs. The seed, the synthetic generator and the FHIR importer all write
 * through here, so the lowered name columns and batching rules live in one place.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Insertable, type Kysely } from 'kysely';
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

/**
 * Multi-row VALUES (SQLite through the query builder): SQLite's default
 * SQLITE_MAX_VARIABLE_NUMBER is 32766 (PostgreSQL allows 65535, but uses unnest below and
 * needs no cap). Statements are also capped in rows: past a few hundred rows a bigger
 * statement is no faster, only slower to build.
 */
const MAX_PARAMETERS = 32_766;
const MAX_ROWS_PER_STATEMENT = 500;

export interface InsertOptions {
  /**
   * The raw SQLite handle behind `db` (Database.sqlite). Bulk writers pass it to skip the
   * query builder: cached prepared statements insert about three times faster, which is
   * what lets `generate` reach thousands of patients a second. It must be the same
   * connection as `db`, so the rows join the caller's transaction.
   */
  sqlite?: BetterSqlite3.Database | undefined;
}

export async function insertPatientBundle(db: Kysely<Tables>, bundle: PatientBundle, options: InsertOptions = {}): Promise<void> {
  await insertPatientBundles(db, [bundle], options);
}

/**
 * Inserts many patients with as few statements as the parameter limit allows. Runs inside
 * the caller's transaction when given one, else in its own: a patient is never half stored.
 */
export async function insertPatientBundles(
  db: Kysely<Tables>,
  bundles: readonly PatientBundle[],
  options: InsertOptions = {},
): Promise<void> {
  if (bundles.length === 0) return;
  const sqlite = options.sqlite;
  if (sqlite) {
    // better-sqlite3 is synchronous: inside the caller's transaction the rows simply join it;
    // otherwise its own transaction() wraps them (and rolls back on a throw).
    if (db.isTransaction || sqlite.inTransaction) insertPatientBundlesSync(sqlite, bundles);
    else sqlite.transaction(() => insertPatientBundlesSync(sqlite, bundles))();
    return;
  }
  if (!db.isTransaction) {
    await db.transaction().execute((trx) => insertPatientBundles(trx, bundles));
    return;
  }
  for (const [table, rows] of tableRows(bundles)) await insertRows(db, table, rows);
}

type AnyRow = Record<string, unknown>;

/** Each table's rows for a set of bundles, parents before children. */
function tableRows(bundles: readonly PatientBundle[]): [keyof Tables, AnyRow[]][] {
  const createdAt = new Date().toISOString();
  return [
    ['patients', bundles.map((b) => patientInsert(b.patient, createdAt))],
    ['patient_contacts', bundles.flatMap((b) => b.contacts)],
    ['encounters', bundles.flatMap((b) => b.encounters)],
    ['observations', bundles.flatMap((b) => b.observations)],
    ['medications', bundles.flatMap((b) => b.medications)],
    ['allergies', bundles.flatMap((b) => b.allergies)],
    ['conditions', bundles.flatMap((b) => b.conditions)],
    ['clinical_notes', bundles.flatMap((b) => b.notes)],
  ] as [keyof Tables, AnyRow[]][];
}

/**
 * The raw SQLite path, synchronous, for bulk writers that hold their own better-sqlite3
 * transaction (`sqlite.transaction(() => …)()`): a throw rolls the whole transaction back.
 */
export function insertPatientBundlesSync(sqlite: BetterSqlite3.Database, bundles: readonly PatientBundle[]): void {
  for (const [table, rows] of tableRows(bundles)) insertRowsSqlite(sqlite, table, rows);
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
  if (isPostgres(db) && BULK_TABLES.has(table)) {
    await insertRowsUnnest(db, table, rows as readonly AnyRow[]);
    return;
  }
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

/** Rows per cached multi-row statement on the raw SQLite path (measured: 50 beats 1 and 200). */
const SQLITE_ROWS_PER_STATEMENT = 50;

const statementCache = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

function cachedStatement(sqlite: BetterSqlite3.Database, table: string, columns: readonly string[], rows: number) {
  let cache = statementCache.get(sqlite);
  if (!cache) {
    cache = new Map();
    statementCache.set(sqlite, cache);
  }
  const key = `${table}|${columns.join(',')}|${rows}`;
  let statement = cache.get(key);
  if (!statement) {
    // Table and column names come from our own row types, never from input.
    const tuple = `(${columns.map(() => '?').join(',')})`;
    const sql = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(',')}) values ${Array(rows).fill(tuple).join(',')}`;
    statement = sqlite.prepare(sql);
    cache.set(key, statement);
  }
  return statement;
}

export function insertRowsSqlite(sqlite: BetterSqlite3.Database, table: string, rows: readonly AnyRow[]): void {
  const first = rows[0];
  if (first === undefined) return;
  const columns = Object.keys(first);
  const width = columns.length;
  const perStatement = Math.max(1, Math.min(SQLITE_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMETERS / width)));
  const params: unknown[] = new Array(perStatement * width);
  let start = 0;
  if (rows.length >= perStatement) {
    const batch = cachedStatement(sqlite, table, columns, perStatement);
    for (; start + perStatement <= rows.length; start += perStatement) {
      for (let r = 0; r < perStatement; r += 1) {
        const row = rows[start + r] as AnyRow;
        for (let c = 0; c < width; c += 1) params[r * width + c] = row[columns[c] as string] ?? null;
      }
      batch.run(params);
    }
  }
  if (start < rows.length) {
    const single = cachedStatement(sqlite, table, columns, 1);
    const one: unknown[] = new Array(width);
    for (; start < rows.length; start += 1) {
      const row = rows[start] as AnyRow;
      for (let c = 0; c < width; c += 1) one[c] = row[columns[c] as string] ?? null;
      single.run(one);
    }
  }
}

// PostgreSQL -----------------------------------------------------------------------------

/** Tables written in bulk; every column is text unless listed in PG_COLUMN_TYPES. */
const BULK_TABLES = new Set<string>([
  'patients', 'patient_contacts', 'encounters', 'observations', 'medications', 'allergies', 'conditions',
  'clinical_notes', 'import_sources',
]);

const PG_COLUMN_TYPES: Readonly<Record<string, string>> = {
  value_num: 'float8',
  ref_low: 'float8',
  ref_high: 'float8',
  author_account_id: 'int4',
};

/** Rows per unnest INSERT: one array parameter per column, so no parameter limit applies. */
const PG_ROWS_PER_STATEMENT = 5000;

function isPostgres(db: Kysely<Tables>): boolean {
  return db.getExecutor().adapter.constructor.name.startsWith('Postgres');
}

/**
 * INSERT … SELECT FROM unnest($1::text[], $2::float8[], …): one parameter per column, parsed
 * once, several times faster than multi-row VALUES on PostgreSQL.
 */
async function insertRowsUnnest(db: Kysely<Tables>, table: string, rows: readonly AnyRow[]): Promise<void> {
  const columns = Object.keys(rows[0] as AnyRow);
  for (let start = 0; start < rows.length; start += PG_ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + PG_ROWS_PER_STATEMENT);
    const arrays = columns.map((column) => chunk.map((row) => row[column] ?? null));
    // Table and column names come from our own row types, never from input.
    const selects = columns.map((column, i) => sql`${arrays[i]}::${sql.raw(PG_COLUMN_TYPES[column] ?? 'text')}[]`);
    await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) select * from unnest(${sql.join(selects)})`.execute(db);
  }
}
