/**
 * The one engine that shapes rows by the views in views.ts. Every tool result passes
 * through here after the policy decision and before it leaves the MCP server; the counts
 * it returns go into the tool call's audit event (the removed values never do).
 */
import type { Role } from '../domain.js';
import type { ContactRow, PatientRow } from '../records.js';
import { assertPseudonymKey, pseudonymFor } from './pseudonym.js';
import { ageBucket, birthYear, maskLast4, yearOnly, zip3 } from './safe-harbor.js';
import { maskSsns, scrubText } from './scrubber.js';
import { addCounts } from './spans.js';
import type { FieldRule, FieldSpec, KnownIdentifiers, ModelView, RedactionCounts, RedactModel, RowOf } from './types.js';
import { IDENTIFIER_FIELDS, VIEWS } from './views.js';

export interface RedactionContext {
  /** HMAC key for pseudonyms (PSEUDONYM_KEY, never the JWT secret). Required by views that pseudonymise. */
  readonly pseudonymKey?: string | undefined;
  /** Identifiers of the record being shaped, for free-text scrubbing. */
  readonly known?: KnownIdentifiers | undefined;
  /** Reference time for ages. Defaults to the current time. */
  readonly now?: Date | undefined;
}

export type ShapedRow = Record<string, unknown>;

export interface RedactedRows {
  readonly rows: ShapedRow[];
  readonly counts: RedactionCounts;
}

function ruleOf(spec: FieldSpec): { rule: FieldRule; from: string | undefined } {
  return typeof spec === 'string' ? { rule: spec, from: undefined } : { rule: spec.rule, from: spec.from };
}

function bump(counts: RedactionCounts, key: keyof RedactionCounts, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

export function viewFor(role: Role, model: RedactModel): ModelView | undefined {
  return VIEWS[role]?.[model];
}

/**
 * Whether the role sees this model's dates as years only (Safe Harbor). A date filter must
 * then be a year too: a `since` to the second, bisected over a few calls by the number of
 * rows that come back, would give back the exact instant the answer hides.
 */
export function datesYearOnly(role: Role, model: RedactModel): boolean {
  const view = viewFor(role, model);
  return view !== undefined && Object.values(view).some((spec) => ruleOf(spec).rule === 'year_only');
}

function usesPseudonyms(view: ModelView): boolean {
  return Object.values(view).some((spec) => ruleOf(spec).rule === 'pseudonym');
}

/** Every rule but `drop`: a dropped field is left out of the compiled view, so it leaves no key at all. */
type KeptRule = Exclude<FieldRule, 'drop'>;

/**
 * A view read once into the loop `shape` runs per row: which field comes from where under
 * which rule, and which identifier fields are counted when present (every one the view does
 * not keep as stored). Views are data and never change at run time, so this is cached per
 * view and model; reading the view object anew for every field of every row was most of
 * the cost of a tool call's redaction.
 */
interface CompiledView {
  readonly fields: ReadonlyArray<{ readonly field: string; readonly rule: KeptRule; readonly source: string }>;
  readonly counted: ReadonlyArray<readonly [field: string, type: keyof RedactionCounts]>;
  readonly pseudonymises: boolean;
}

const compiledViews = new WeakMap<ModelView, Map<RedactModel, CompiledView>>();

function compileView(model: RedactModel, view: ModelView): CompiledView {
  let byModel = compiledViews.get(view);
  if (!byModel) {
    byModel = new Map();
    compiledViews.set(view, byModel);
  }
  let compiled = byModel.get(model);
  if (!compiled) {
    const fields = Object.entries(view)
      .map(([field, spec]) => {
        const { rule, from } = ruleOf(spec);
        return { field, rule, source: from ?? field };
      })
      // A dropped field leaves no key at all, not even a null that says it was empty.
      .filter((f): f is { field: string; rule: KeptRule; source: string } => f.rule !== 'drop');
    const counted = Object.entries(IDENTIFIER_FIELDS[model])
      .filter(([field]) => {
        const spec = view[field];
        return spec === undefined || ruleOf(spec).rule !== 'keep';
      })
      .map(([field, type]) => [field, type] as const);
    compiled = { fields, counted, pseudonymises: usesPseudonyms(view) };
    byModel.set(model, compiled);
  }
  return compiled;
}

/** Ages are taken at death for the deceased, otherwise at `now`. */
function ageReference(row: Record<string, unknown>, now: Date): Date {
  const deceased = row.deceased_at;
  if (typeof deceased === 'string') {
    const at = new Date(deceased);
    if (!Number.isNaN(at.getTime())) return at;
  }
  return now;
}

function applyRule(
  rule: KeptRule,
  value: unknown,
  row: Record<string, unknown>,
  ctx: RedactionContext,
  counts: RedactionCounts,
): unknown {
  if (value === null || value === undefined) return null;
  switch (rule) {
    case 'keep':
      return value;
    case 'mask_last4':
      return maskLast4(String(value));
    case 'pseudonym':
      return pseudonymFor(String(value), ctx.pseudonymKey!);
    case 'year_only':
      return yearOnly(String(value));
    case 'birth_year':
      return birthYear(String(value), ageReference(row, ctx.now ?? new Date()));
    case 'zip3':
      return zip3(String(value));
    case 'age_bucket': {
      const bucket = ageBucket(String(value), ageReference(row, ctx.now ?? new Date()));
      if (bucket === '90+') bump(counts, 'age');
      return bucket;
    }
    case 'scrub_text': {
      const scrubbed = scrubText(String(value), ctx.known);
      addCounts(counts, scrubbed.counts);
      return scrubbed.text;
    }
    case 'mask_ssns': {
      const masked = maskSsns(String(value));
      addCounts(counts, masked.counts);
      return masked.text;
    }
  }
}

function shape(view: CompiledView, row: Record<string, unknown>, ctx: RedactionContext, counts: RedactionCounts): ShapedRow {
  const out: ShapedRow = {};
  for (const { field, rule, source } of view.fields) out[field] = applyRule(rule, row[source], row, ctx, counts);
  // Count every identifier that did not leave as stored: dropped (named or not) or transformed.
  for (const [field, type] of view.counted) {
    const value = row[field];
    if (value !== null && value !== undefined && value !== '') bump(counts, type);
  }
  return out;
}

/**
 * Shape rows of one model for one role. A role without a view of the model gets no rows
 * (counted as `withheld_row`); fields the view does not name are dropped.
 */
export function redactRows<M extends RedactModel>(
  model: M,
  role: Role,
  rows: readonly RowOf[M][],
  ctx: RedactionContext = {},
): RedactedRows {
  if (!Array.isArray(rows)) throw new TypeError('redactRows expects an array of rows');
  const counts: RedactionCounts = {};
  const view = viewFor(role, model);
  if (!view) {
    if (rows.length > 0) bump(counts, 'withheld_row', rows.length);
    return { rows: [], counts };
  }
  const compiled = compileView(model, view);
  if (compiled.pseudonymises) assertPseudonymKey(ctx.pseudonymKey);
  const shaped: ShapedRow[] = [];
  for (const row of rows) {
    if (row === null || typeof row !== 'object') throw new TypeError(`redactRows: a ${model} row must be an object`);
    shaped.push(shape(compiled, row as unknown as Record<string, unknown>, ctx, counts));
  }
  return { rows: shaped, counts };
}

/** One row; `row` is null when the role has no view of the model. */
export function redactRow<M extends RedactModel>(
  model: M,
  role: Role,
  row: RowOf[M],
  ctx: RedactionContext = {},
): { row: ShapedRow | null; counts: RedactionCounts } {
  const result = redactRows(model, role, [row], ctx);
  return { row: result.rows[0] ?? null, counts: result.counts };
}

/** The identifiers a patient's record knows, for record-aware scrubbing of their notes. */
export function knownIdentifiersOf(patient: PatientRow, contacts: readonly ContactRow[] = []): KnownIdentifiers {
  return {
    names: [`${patient.given_name} ${patient.family_name}`, ...contacts.map((c) => c.name)],
    mrns: [patient.mrn],
    ssns: [patient.ssn],
    phones: [patient.phone, ...contacts.map((c) => c.phone)],
    emails: [patient.email],
    addresses: [patient.address_line],
    cities: [patient.city],
    zips: [patient.postal_code],
    // The record's own id, which a clinician may write into a note ("see P002").
    other: [patient.id],
    birthDates: [patient.birth_date],
  };
}

export interface RedactorOptions {
  readonly role: Role;
  /** Required for roles whose views pseudonymise (the researcher). */
  readonly pseudonymKey?: string | undefined;
  /** Staff directory names, scrubbed from free text for every patient. */
  readonly staffNames?: readonly string[] | undefined;
  readonly now?: Date | undefined;
}

/**
 * One per tool call: shapes every row the call returns and accumulates the counts for its
 * audit event.
 *
 *   const redactor = createRedactor({ role, pseudonymKey, staffNames });
 *   const known = knownIdentifiersOf(patient, contacts);
 *   const out = { patient: redactor.row('patient', patient, known), notes: redactor.rows('clinical_note', notes, known) };
 *   audit({ ..., redactions: redactor.counts });
 */
export interface Redactor {
  readonly role: Role;
  /** Counts by type so far, across every call on this redactor. */
  readonly counts: Readonly<RedactionCounts>;
  /** Whether this role sees the model at all (tools may skip fetching what would be withheld). */
  sees(model: RedactModel): boolean;
  rows<M extends RedactModel>(model: M, rows: readonly RowOf[M][], known?: KnownIdentifiers): ShapedRow[];
  row<M extends RedactModel>(model: M, row: RowOf[M], known?: KnownIdentifiers): ShapedRow | null;
  /** The id a caller of this role uses for a patient: the pseudonym for the researcher, else the id. */
  patientRef(patientId: string): string;
}

export function createRedactor(options: RedactorOptions): Redactor {
  const { role } = options;
  const roleViews = VIEWS[role];
  if (!roleViews) throw new TypeError(`createRedactor: unknown role ${String(role)}`);
  const pseudonymises = Object.entries(roleViews).some(([model, view]) => view !== undefined && compileView(model as RedactModel, view).pseudonymises);
  if (pseudonymises) assertPseudonymKey(options.pseudonymKey);
  const staffNames = (options.staffNames ?? []).filter((n) => typeof n === 'string' && n.trim().length > 0);
  const counts: RedactionCounts = {};
  // Merged identifier sets are cached per input object so the scrubber's compiled matcher is reused.
  const merged = new WeakMap<KnownIdentifiers, KnownIdentifiers>();
  const staffOnly: KnownIdentifiers = { staffNames };

  const withStaff = (known: KnownIdentifiers | undefined): KnownIdentifiers => {
    if (!known) return staffOnly;
    if (staffNames.length === 0) return known;
    let out = merged.get(known);
    if (!out) {
      out = { ...known, staffNames: [...(known.staffNames ?? []), ...staffNames] };
      merged.set(known, out);
    }
    return out;
  };
  const context = (known: KnownIdentifiers | undefined): RedactionContext => ({
    pseudonymKey: options.pseudonymKey,
    known: withStaff(known),
    now: options.now,
  });

  return {
    role,
    get counts() {
      return { ...counts };
    },
    sees(model) {
      return viewFor(role, model) !== undefined;
    },
    rows(model, rows, known) {
      const result = redactRows(model, role, rows, context(known));
      addCounts(counts, result.counts);
      return result.rows;
    },
    row(model, row, known) {
      const result = redactRow(model, role, row, context(known));
      addCounts(counts, result.counts);
      return result.row;
    },
    patientRef(patientId) {
      const view = viewFor(role, 'patient');
      const idRule = view?.id === undefined ? undefined : ruleOf(view.id).rule;
      return idRule === 'pseudonym' ? pseudonymFor(patientId, options.pseudonymKey!) : patientId;
    },
  };
}
