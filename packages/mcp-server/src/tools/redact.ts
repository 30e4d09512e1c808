/**
 * The pipeline's redaction step: every row section of a tool's answer goes through the
 * redaction engine (core/redaction) with the caller's role, and the counts it reports go
 * into the call's audit event. Free text is scrubbed against the identifiers the record
 * itself knows (the patient's, their contacts', the staff's), loaded here only for views
 * that scrub text.
 */
import type { Database } from '@secure-hospital-ai/core/db/database';
import type { Role } from '@secure-hospital-ai/core/domain';
import { createRedactor, knownIdentifiersOf, viewFor } from '@secure-hospital-ai/core/redaction/engine';
import type { KnownIdentifiers, RedactionCounts, RedactModel, RowOf } from '@secure-hospital-ai/core/redaction/types';
import type { Fetched, RowSection } from './tool.js';

export interface Redacted {
  readonly output: Record<string, unknown>;
  readonly counts: RedactionCounts;
  /** Whether free text was scrubbed: the answer then depends on the staff directory and the record's identifiers too. */
  readonly scrubbed: boolean;
}

/** Staff names the rows themselves carry: free text elsewhere may mention them. */
const STAFF_NAME_FIELDS = ['provider_name', 'prescriber_name', 'author_name'] as const;

function scrubsText(role: Role, model: RedactModel): boolean {
  const view = viewFor(role, model);
  return view !== undefined && Object.values(view).some((spec) => (typeof spec === 'string' ? spec : spec.rule) === 'scrub_text');
}

async function staffNames(db: Database['db'], sections: readonly RowSection[]): Promise<string[]> {
  const names = new Set<string>();
  for (const section of sections) {
    for (const row of section.rows as Array<Record<string, unknown>>) {
      for (const field of STAFF_NAME_FIELDS) if (typeof row[field] === 'string') names.add(row[field] as string);
    }
  }
  const accounts = await db.selectFrom('accounts').select('display_name').where('role', 'in', ['doctor', 'nurse', 'receptionist']).execute();
  for (const { display_name } of accounts) names.add(display_name);
  return [...names];
}

/** The record's own identifiers, per patient the sections mention. */
async function knownByPatient(db: Database['db'], sections: readonly RowSection[]): Promise<Map<string, KnownIdentifiers>> {
  const ids = new Set<string>();
  for (const section of sections) {
    for (const row of section.rows as Array<{ patient_id?: unknown }>) if (typeof row.patient_id === 'string') ids.add(row.patient_id);
  }
  const known = new Map<string, KnownIdentifiers>();
  if (ids.size === 0) return known;
  const [patients, contacts] = await Promise.all([
    db.selectFrom('patients').selectAll().where('id', 'in', [...ids]).execute(),
    db.selectFrom('patient_contacts').selectAll().where('patient_id', 'in', [...ids]).execute(),
  ]);
  for (const patient of patients) {
    known.set(patient.id, knownIdentifiersOf(patient, contacts.filter((c) => c.patient_id === patient.id)));
  }
  return known;
}

export async function redactFetched(
  db: Database['db'],
  fetched: Fetched,
  role: Role,
  options: { pseudonymKey: string; now: Date },
): Promise<Redacted> {
  const sections = Object.entries(fetched.sections);
  const scrubbing = sections.map(([, s]) => s).filter((s) => s.rows.length > 0 && scrubsText(role, s.model));
  const known = scrubbing.length > 0 ? await knownByPatient(db, scrubbing) : new Map<string, KnownIdentifiers>();
  const redactor = createRedactor({
    role,
    pseudonymKey: options.pseudonymKey,
    staffNames: scrubbing.length > 0 ? await staffNames(db, scrubbing) : [],
    now: options.now,
  });

  const output: Record<string, unknown> = { ...fetched.plain };
  for (const [key, section] of sections) {
    const rows = section.rows as Array<RowOf[RedactModel] & { patient_id?: string }>;
    // Rows are shaped per patient, so each note is scrubbed against its own record's identifiers.
    const shaped =
      known.size === 0
        ? redactor.rows(section.model, rows as never)
        : rows.flatMap((row) => {
            const identifiers = typeof row.patient_id === 'string' ? known.get(row.patient_id) : undefined;
            return redactor.rows(section.model, [row] as never, identifiers);
          });
    output[key] = section.shape === 'one' ? (shaped[0] ?? null) : shaped;
  }
  return { output, counts: redactor.counts, scrubbed: scrubbing.length > 0 };
}
