/**
 * Shared pieces of the tools' zod schemas: argument formats and the output shape of each
 * clinical row. Row schemas are strict (a field no schema names fails output validation, so
 * nothing leaves that was not meant to) and every field is optional, because which fields
 * a caller gets is the redaction views' decision, per role.
 */
import { z } from 'zod';
import { freeTextProblem, visibleLength } from '@secure-hospital-ai/core/free-text';
import { PATIENT_ID_MAX, PATIENT_ID_PATTERN } from '@secure-hospital-ai/core/tool-call-facts';
import { DATE_OR_INSTANT, INSTANT_FORMAT, readInstant } from '@secure-hospital-ai/core/instants';

/** A patient id (P001) or, for the researcher, a pseudonym (R-…): core's pattern (tool-call-facts.ts). */
export const patientIdArg = z
  .string()
  .trim()
  .min(1)
  .max(PATIENT_ID_MAX)
  .regex(PATIENT_ID_PATTERN, 'letters, digits, dot, dash or underscore only')
  .describe('Patient id, e.g. P001 (researchers: the pseudonym shown in de-identified results, e.g. R-ABC…)');

export { wellFormedPatientId } from '@secure-hospital-ai/core/tool-call-facts';

/** `YYYY-MM-DD` or an ISO-8601 instant with its offset; normalised to a UTC instant. */
export const instantArg = z
  .string()
  // The pattern too, so that tools/list shows a model the format.
  .regex(DATE_OR_INSTANT, INSTANT_FORMAT)
  .transform((value, ctx) => {
    const read = readInstant(value);
    if ('instant' in read) return read.instant;
    ctx.addIssue({ code: 'custom', message: read.problem });
    return z.NEVER;
  });

/**
 * Free text written into the record, trimmed: well-formed, no control characters
 * (core/free-text.ts), and something a reader can see (a note of zero-width spaces was stored
 * as a blank note).
 */
export const freeTextArg = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .superRefine((value, ctx) => {
      const problem = freeTextProblem(value) ?? (visibleLength(value) === 0 ? 'must contain visible text' : undefined);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    });

export const limitArg = (max: number, fallback: number) =>
  z.number().int().min(1).max(max).default(fallback).describe(`How many rows at most (1-${max}, default ${fallback})`);

export const cursorArg = z.string().min(1).max(512).describe('next_cursor from the previous page');

const text = z.string().nullable().optional();
const number = z.number().nullable().optional();
const id = z.string().optional();

export const patientOut = z.strictObject({
  id,
  mrn: text,
  ssn: text,
  given_name: text,
  family_name: text,
  birth_date: text,
  /** De-identified views give an age instead of a birth date; `90+` above 89. */
  age: z.union([z.number(), z.literal('90+')]).nullable().optional(),
  sex: text,
  phone: text,
  email: text,
  address_line: text,
  city: text,
  state: text,
  postal_code: text,
  deceased_at: text,
});

export const contactOut = z.strictObject({ id, patient_id: id, name: text, relationship: text, phone: text });

export const encounterOut = z.strictObject({
  id,
  patient_id: id,
  class: text,
  type_code: text,
  type_display: text,
  reason: text,
  start_at: text,
  end_at: text,
  location: text,
  provider_name: text,
});

export const observationOut = z.strictObject({
  id,
  patient_id: id,
  encounter_id: text,
  category: text,
  code: text,
  display: text,
  value_num: number,
  value_text: text,
  unit: text,
  ref_low: number,
  ref_high: number,
  effective_at: text,
});

export const medicationOut = z.strictObject({
  id,
  patient_id: id,
  encounter_id: text,
  rxnorm_code: text,
  display: text,
  dosage: text,
  status: text,
  authored_at: text,
  prescriber_name: text,
});

export const conditionOut = z.strictObject({
  id,
  patient_id: id,
  encounter_id: text,
  system: text,
  code: text,
  display: text,
  clinical_status: text,
  onset_at: text,
  abatement_at: text,
});

export const allergyOut = z.strictObject({
  id,
  patient_id: id,
  code: text,
  display: text,
  category: text,
  criticality: text,
  reaction: text,
  status: text,
  recorded_at: text,
});

export const noteOut = z.strictObject({
  id,
  patient_id: id,
  encounter_id: text,
  author_account_id: number,
  author_name: text,
  note_type: text,
  text,
  created_at: text,
});

export const nextCursorOut = z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page');
