/**
 * Imports FHIR R4 bundles (Synthea's transaction bundles, collection and batch bundles)
 * into the clinical tables. Streaming: the splitter hands over one entry at a time and
 * rows are written in batches as they accumulate, so memory stays flat whatever the file
 * size. One transaction per bundle: a bundle with bad JSON, a missing required field or a
 * reference to nothing is refused with the line or resource at fault, and nothing of it
 * stays. Idempotent: a patient already imported (import_sources, keyed by source 'fhir' and
 * the Patient's FHIR id) is skipped with all its resources, and row ids derive from FHIR ids.
 */
import { createReadStream } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/schema.js';
import { insertRows, patientInsert } from '../clinical/store.js';
import {
  describeResource,
  mapAllergy,
  mapCondition,
  mapDiagnosticReport,
  mapDocumentReference,
  mapEncounter,
  mapMedicationRequest,
  mapObservation,
  mapPatient,
  type Context,
  type References,
  type Target,
} from './mapper.js';
import { firstInexactNumber } from './exact-numbers.js';
import { isObject, ResourceError, str, type JsonObject } from './resources.js';
import { BundleSyntaxError, locateJsonError, splitBundle, type BundleItem } from './splitter.js';

/** A bundle the importer refuses; the message names the line or the entry at fault. */
export class FhirImportError extends Error {
  override name = 'FhirImportError';
}

export type ImportStatus = 'imported' | 'skipped' | 'refused';

export interface ImportResult {
  status: ImportStatus;
  /** Patients stored by this import. */
  patientsImported: number;
  /** Patients already imported before, left as they were. */
  patientsSkipped: number;
  /** The record ids of the bundle's patients, stored or already there (what care teams are assigned by); none when refused. */
  patientIds: string[];
  /** Rows written per table (zero when refused: the transaction was rolled back). */
  rows: Record<string, number>;
  /** Resources of types we do not store (Claim, Immunization, …), by type. */
  ignored: Record<string, number>;
  /** Entries read. */
  entries: number;
  /** Why the bundle was refused. */
  reason?: string;
}

export interface ImportOptions {
  /** Called every `progressEvery` entries and at the end (memory tests sample the heap here). */
  onProgress?: (progress: { entries: number; rowsWritten: number }) => void;
  progressEvery?: number;
  /** Rows held before a batch INSERT; bounds memory. */
  flushRows?: number;
}

const ACCEPTED_BUNDLE_TYPES = new Set(['transaction', 'batch', 'collection', 'searchset']);

/** Tables in foreign-key order. */
const TABLE_ORDER = [
  'patients',
  'import_sources',
  'patient_contacts',
  'encounters',
  'observations',
  'medications',
  'allergies',
  'conditions',
  'clinical_notes',
] as const satisfies readonly (keyof Tables)[];

type BufferTable = (typeof TABLE_ORDER)[number];
type AnyRow = Record<string, unknown>;

/** Descriptive resources: remembered for display (names), never stored as rows. */
const DESCRIPTIVE = new Set(['Practitioner', 'Organization', 'Location', 'Medication', 'PractitionerRole']);

/** Resources our rows point to (subject, encounter, practitioner, …). */
const REFERENCEABLE = new Set(['Patient', 'Encounter', ...DESCRIPTIVE]);

interface Pending {
  index: number;
  label: string;
  type: string;
  id: string;
  resource: JsonObject;
  target: Target;
}

export async function importBundleFile(db: Kysely<Tables>, path: string, options: ImportOptions = {}): Promise<ImportResult> {
  // 256 KiB reads: large enough to keep syscalls cheap, small next to any bundle.
  return importBundle(db, createReadStream(path, { highWaterMark: 256 * 1024 }), options);
}

/** Imports a bundle from a stream of chunks (a file stream, or a string for tests). */
export async function importBundle(
  db: Kysely<Tables>,
  source: AsyncIterable<string | Buffer> | string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const chunks = typeof source === 'string' ? [source] : source;
  let session: ImportSession | undefined;
  try {
    return await db.transaction().execute(async (trx) => {
      session = new ImportSession(trx, options);
      for await (const item of splitBundle(toAsync(chunks))) await session.accept(item);
      return session.finish();
    });
  } catch (error) {
    const reason = refusalReason(error);
    if (reason === undefined) throw error;
    return {
      status: 'refused',
      patientsImported: 0,
      patientsSkipped: 0,
      patientIds: [],
      rows: {},
      ignored: session?.ignored ?? {},
      entries: session?.entries ?? 0,
      reason,
    };
  }
}

async function* toAsync(chunks: AsyncIterable<string | Buffer> | Iterable<string>): AsyncIterable<string | Buffer> {
  yield* chunks;
}

/** The message for a refused bundle, or undefined for failures that are not the bundle's fault. */
function refusalReason(error: unknown): string | undefined {
  if (error instanceof FhirImportError || error instanceof BundleSyntaxError) return error.message;
  return undefined;
}

/** A unique or foreign-key violation: the bundle clashes with what is stored. */
function isConstraintViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CONSTRAINT') || /^23\d{3}$/.test(code));
}

function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

const UUID_URN = /^urn:uuid:([0-9a-fA-F-]{36})$/;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

class ImportSession implements References {
  entries = 0;
  readonly ignored: Record<string, number> = {};
  private readonly rows: Record<string, number> = {};
  private readonly refs = new Map<string, Target>();
  private readonly waiting: Pending[] = [];
  private readonly buffer = new Map<BufferTable, AnyRow[]>();
  private readonly skippedPatients = new Set<string>();
  private buffered = 0;
  private written = 0;
  private patientsImported = 0;
  private patientsSkipped = 0;
  private readonly patientIds: string[] = [];
  private rootType: string | undefined;
  /** Bundle.type, which FHIR requires: a file without one is not the bundle it claims to be. */
  private bundleType: string | undefined;
  private readonly importedAt = new Date().toISOString();
  private readonly flushRows: number;
  private readonly progressEvery: number;
  /** Set while the leftovers are mapped a last time: an unknown reference is then an error. */
  private final = false;

  constructor(
    private readonly trx: Kysely<Tables>,
    private readonly options: ImportOptions,
  ) {
    this.flushRows = options.flushRows ?? 2000;
    this.progressEvery = options.progressEvery ?? 200;
  }

  async accept(item: BundleItem): Promise<void> {
    if (item.kind === 'member') {
      this.acceptMember(item.key, item.text, item.line);
      return;
    }
    this.entries += 1;
    let entry: unknown;
    try {
      entry = JSON.parse(item.text);
    } catch {
      const where = locateJsonError(item.text);
      throw new FhirImportError(`line ${item.line + where.lineOffset}: ${where.problem} (entry ${item.index})`);
    }
    // Checked on the text, which still has every digit: parsing has already rounded them.
    const inexact = firstInexactNumber(item.text);
    if (inexact !== undefined) {
      const shown = inexact.literal.length > 40 ? `${inexact.literal.slice(0, 40)}…` : inexact.literal;
      throw new FhirImportError(`line ${item.line + inexact.lineOffset}: the number ${shown} cannot be stored exactly (a double holds 15 to 17 digits) (entry ${item.index})`);
    }
    await this.acceptEntry(entry, item.index);
    if (this.entries % this.progressEvery === 0) this.options.onProgress?.({ entries: this.entries, rowsWritten: this.written });
    if (this.buffered >= this.flushRows) await this.flush();
  }

  async finish(): Promise<ImportResult> {
    if (this.rootType === undefined) throw new FhirImportError('not a FHIR Bundle: resourceType is missing');
    if (this.bundleType === undefined) throw new FhirImportError(`Bundle.type is missing (one of ${[...ACCEPTED_BUNDLE_TYPES].join(', ')})`);
    await this.resolveWaiting();
    await this.flush();
    if (this.patientsImported + this.patientsSkipped === 0) throw new FhirImportError('the bundle holds no Patient');
    this.options.onProgress?.({ entries: this.entries, rowsWritten: this.written });
    return {
      status: this.patientsImported > 0 ? 'imported' : 'skipped',
      patientsImported: this.patientsImported,
      patientsSkipped: this.patientsSkipped,
      patientIds: [...this.patientIds],
      rows: { ...this.rows },
      ignored: { ...this.ignored },
      entries: this.entries,
    };
  }

  private acceptMember(key: string, text: string, line: number): void {
    if (key !== 'resourceType' && key !== 'type') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new FhirImportError(`line ${line}: invalid value for "${key}"`);
    }
    if (key === 'resourceType') {
      if (value !== 'Bundle') throw new FhirImportError(`not a FHIR Bundle: resourceType is ${typeof value === 'string' ? value : typeof value}`);
      this.rootType = value;
    } else {
      if (typeof value !== 'string' || !ACCEPTED_BUNDLE_TYPES.has(value)) {
        throw new FhirImportError(`line ${line}: Bundle.type must be one of ${[...ACCEPTED_BUNDLE_TYPES].join(', ')}`);
      }
      this.bundleType = value;
    }
  }

  private async acceptEntry(entry: unknown, index: number): Promise<void> {
    if (!isObject(entry)) throw new FhirImportError(`entry ${index}: not a JSON object`);
    const resource = entry.resource;
    if (!isObject(resource)) {
      const method = isObject(entry.request) ? entry.request.method : undefined;
      throw new FhirImportError(`entry ${index}: has no resource${typeof method === 'string' ? ` (${method} requests are not imported)` : ''}`);
    }
    const type = resource.resourceType;
    if (typeof type !== 'string' || type === '') throw new FhirImportError(`entry ${index}: resource.resourceType is missing`);
    const fullUrl = typeof entry.fullUrl === 'string' ? entry.fullUrl : undefined;
    // FHIR R4 id: it becomes a key of the record (import_sources), so nothing else is taken
    // (a reviewer stored a 100,000-character id, and one holding a NUL and a lone surrogate).
    if (resource.id !== undefined && (typeof resource.id !== 'string' || !FHIR_ID.test(resource.id))) {
      throw new FhirImportError(`entry ${index} (${type.slice(0, 40)}): id is not a FHIR id (letters, digits, '-' and '.', 1 to 64 of them)`);
    }
    const id = typeof resource.id === 'string' ? resource.id : UUID_URN.exec(fullUrl ?? '')?.[1];
    const label = `entry ${index} (${type}/${id === undefined ? '?' : shortId(id)})`;
    if (id === undefined) throw new FhirImportError(`${label}: resource has neither an id nor a urn:uuid fullUrl`);

    const target: Target = { type };
    // Only what other resources point to is remembered, so memory grows with the number of
    // patients, encounters and practitioners, not with the number of observations.
    if (REFERENCEABLE.has(type)) {
      const key = `${type}/${id}`;
      if (this.refs.has(key)) throw new FhirImportError(`${label}: the bundle holds ${type}/${shortId(id)} twice`);
      this.refs.set(key, target);
      if (fullUrl) this.refs.set(fullUrl, target);
    }

    try {
      if (type === 'Patient') await this.acceptPatient(resource, id, target);
      else if (DESCRIPTIVE.has(type)) Object.assign(target, describeResource(resource, type));
      else if (CLINICAL[type]) {
        if (!this.mapClinical({ index, label, type, id, resource, target })) {
          this.waiting.push({ index, label, type, id, resource, target });
        }
      } else this.ignored[type] = (this.ignored[type] ?? 0) + 1;
    } catch (error) {
      if (error instanceof ResourceError) throw new FhirImportError(`${label}: ${error.message}`);
      throw error;
    }
  }

  private async acceptPatient(resource: JsonObject, fhirId: string, target: Target): Promise<void> {
    const mapped = mapPatient(resource, fhirId);
    target.rowId = mapped.patient.id;
    target.patientId = mapped.patient.id;
    const known = await this.trx
      .selectFrom('import_sources')
      .select('patient_id')
      .where('source', '=', 'fhir')
      .where('source_id', '=', fhirId)
      .executeTakeFirst();
    if (known) {
      // Already imported: leave the stored patient (possibly edited since) untouched.
      target.rowId = known.patient_id;
      target.patientId = known.patient_id;
      this.skippedPatients.add(known.patient_id);
      this.patientIds.push(known.patient_id);
      this.patientsSkipped += 1;
      return;
    }
    this.add('patients', [patientInsert(mapped.patient, this.importedAt)]);
    this.add('import_sources', [{ source: 'fhir', source_id: fhirId, patient_id: mapped.patient.id, imported_at: this.importedAt }]);
    this.add('patient_contacts', mapped.contacts as unknown as AnyRow[]);
    this.patientIds.push(mapped.patient.id);
    this.patientsImported += 1;
  }

  /** Maps a clinical resource and buffers its rows; false when it has to wait for a reference. */
  private mapClinical(pending: Pending): boolean {
    const ctx: Context = { refs: this, resourceId: pending.id };
    const mapping = CLINICAL[pending.type];
    if (!mapping) return true;
    const result = mapping(pending.resource, ctx);
    if (!result) return false;
    const patientId = result.patient.patientId as string;
    if (pending.type === 'Encounter') {
      pending.target.rowId = (result.rows[0] as AnyRow).id as string;
      pending.target.patientId = patientId;
    }
    if (!this.skippedPatients.has(patientId)) this.add(result.table, result.rows);
    return true;
  }

  /** Resources that pointed forward: map them now that the whole bundle has been read. */
  private async resolveWaiting(): Promise<void> {
    let progress = true;
    while (progress && this.waiting.length > 0) {
      progress = false;
      for (let i = 0; i < this.waiting.length; ) {
        const pending = this.waiting[i] as Pending;
        if (this.tryMap(pending)) {
          this.waiting.splice(i, 1);
          progress = true;
        } else i += 1;
      }
    }
    if (this.waiting.length === 0) return;
    // Whatever is left points at nothing. Report a reference missing from the bundle first:
    // a resource waiting on another waiting one is only a consequence.
    this.final = true;
    const problems = this.waiting.map((pending) => {
      try {
        this.tryMap(pending);
        return `${pending.label}: a reference could not be resolved`;
      } catch (error) {
        return error instanceof FhirImportError ? error.message : String(error);
      }
    });
    throw new FhirImportError(problems.find((p) => p.includes('not in the bundle')) ?? (problems[0] as string));
  }

  private tryMap(pending: Pending): boolean {
    try {
      return this.mapClinical(pending);
    } catch (error) {
      if (error instanceof ResourceError) throw new FhirImportError(`${pending.label}: ${error.message}`);
      throw error;
    }
  }

  // References ---------------------------------------------------------------------------

  structural(ref: JsonObject | undefined, path: string, expectedType: string): Target | undefined {
    const reference = str(ref?.reference, `${path}.reference`);
    if (!reference) throw new ResourceError(`${path}.reference is missing`);
    if (reference.startsWith('#')) throw new ResourceError(`${path} points to a contained resource; only bundle entries are supported`);
    if (reference.includes('?')) throw new ResourceError(`${path} is a conditional reference, which the importer cannot resolve`);
    const target = this.lookup(reference);
    if (!target) {
      if (this.final) throw new ResourceError(`${path} points to ${referenceLabel(reference)}, which is not in the bundle`);
      return undefined;
    }
    if (target.type !== expectedType) throw new ResourceError(`${path} points to ${article(target.type)}, not ${article(expectedType)}`);
    if (target.rowId === undefined) {
      if (this.final) throw new ResourceError(`${path} points to ${expectedType} ${referenceLabel(reference)}, which could not be imported`);
      return undefined;
    }
    return target;
  }

  describe(ref: JsonObject | undefined, path: string): Target | undefined {
    if (!ref) return undefined;
    const reference = str(ref.reference, `${path}.reference`);
    const target = reference ? this.lookup(reference) : undefined;
    if (target && (target.display || target.code)) return target;
    const display = str(ref.display, `${path}.display`);
    return display ? { type: target?.type ?? '', display } : target;
  }

  private lookup(reference: string): Target | undefined {
    const direct = this.refs.get(reference);
    if (direct) return direct;
    // Absolute or versioned references: match on Type/id.
    const parts = reference.replace(/\/_history\/[^/]+$/, '').split('/');
    if (parts.length >= 2) return this.refs.get(`${parts[parts.length - 2]}/${parts[parts.length - 1]}`);
    return undefined;
  }

  // Writing ------------------------------------------------------------------------------

  private add(table: BufferTable, rows: readonly AnyRow[]): void {
    if (rows.length === 0) return;
    let list = this.buffer.get(table);
    if (!list) {
      list = [];
      this.buffer.set(table, list);
    }
    for (const row of rows) list.push(row);
    this.buffered += rows.length;
    this.rows[table] = (this.rows[table] ?? 0) + rows.length;
  }

  private async flush(): Promise<void> {
    if (this.buffered === 0) return;
    for (const table of TABLE_ORDER) {
      const rows = this.buffer.get(table);
      if (!rows || rows.length === 0) continue;
      try {
        await insertRows(this.trx, table, rows as never[]);
      } catch (error) {
        if (!isConstraintViolation(error)) throw error;
        // The database's message names the constraint (patients.mrn, observations.id), not values.
        throw new FhirImportError(`entries up to ${this.entries - 1} clash with stored data (${table}): ${(error as Error).message}`);
      }
      this.written += rows.length;
      this.buffer.set(table, []);
    }
    this.buffered = 0;
  }
}

function article(type: string): string {
  return `${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type}`;
}

function referenceLabel(reference: string): string {
  return reference.length > 60 ? `${reference.slice(0, 57)}…` : reference;
}

type ClinicalMapping = (resource: JsonObject, ctx: Context) => { patient: Target; table: BufferTable; rows: AnyRow[] } | undefined;

/** Resource types stored as rows, and where. */
const CLINICAL: Readonly<Record<string, ClinicalMapping>> = {
  Encounter: (r, c) => {
    const m = mapEncounter(r, c);
    return m && { patient: m.patient, table: 'encounters', rows: [m.row as unknown as AnyRow] };
  },
  Observation: (r, c) => {
    const m = mapObservation(r, c);
    return m && { patient: m.patient, table: 'observations', rows: m.rows as unknown as AnyRow[] };
  },
  MedicationRequest: (r, c) => {
    const m = mapMedicationRequest(r, c);
    return m && { patient: m.patient, table: 'medications', rows: [m.row as unknown as AnyRow] };
  },
  AllergyIntolerance: (r, c) => {
    const m = mapAllergy(r, c);
    return m && { patient: m.patient, table: 'allergies', rows: [m.row as unknown as AnyRow] };
  },
  Condition: (r, c) => {
    const m = mapCondition(r, c);
    return m && { patient: m.patient, table: 'conditions', rows: [m.row as unknown as AnyRow] };
  },
  DocumentReference: (r, c) => {
    const m = mapDocumentReference(r, c);
    return m && { patient: m.patient, table: 'clinical_notes', rows: m.rows as unknown as AnyRow[] };
  },
  DiagnosticReport: (r, c) => {
    const m = mapDiagnosticReport(r, c);
    return m && { patient: m.patient, table: 'clinical_notes', rows: m.rows as unknown as AnyRow[] };
  },
};
