/**
 * The vocabulary of the redaction layer: what kinds of identifier it finds, how a field is
 * shaped, and what it reports for the audit event.
 */
import type { Role } from '../domain.js';
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

/**
 * Identifier kinds, after the 18 Safe Harbor identifiers of 45 CFR 164.514(b)(2)(i).
 * Each becomes a placeholder such as `[NAME]` in scrubbed text.
 */
export const PHI_TYPES = [
  'name',
  'date',
  'age',
  'phone',
  'fax',
  'email',
  'ssn',
  'mrn',
  'account',
  'health_plan',
  'license',
  'device',
  'vehicle',
  'id',
  'url',
  'ip',
  'address',
  'location',
  'zip',
] as const;
export type PhiType = (typeof PHI_TYPES)[number];

/** What an audit event counts: identifiers removed by type, and whole rows a role gets no view of. */
export type CountKey = PhiType | 'withheld_row';
export type RedactionCounts = Partial<Record<CountKey, number>>;

/**
 * The models this layer shapes. `contact` is the patient's related persons (ContactRow);
 * `audit_event` and `account` are not clinical rows and never pass through here.
 */
export const REDACT_MODELS = [
  'patient',
  'contact',
  'encounter',
  'observation',
  'medication',
  'condition',
  'allergy',
  'clinical_note',
] as const;
export type RedactModel = (typeof REDACT_MODELS)[number];

export interface RowOf {
  patient: PatientRow;
  contact: ContactRow;
  encounter: EncounterRow;
  observation: ObservationRow;
  medication: MedicationRow;
  condition: ConditionRow;
  allergy: AllergyRow;
  clinical_note: NoteRow;
}

/**
 * How one output field is produced.
 * - keep: as stored. drop: never output (same as not naming the field; written out where
 *   the omission is a decision worth reading).
 * - mask_last4: `***-**-1234`.
 * - pseudonym: keyed HMAC of the value (see pseudonym.ts); ids that join rows stay joinable.
 * - year_only: `YYYY` of a date or instant.
 * - birth_year: `YYYY`, or null when the person is over 89 (the year would reveal the age).
 * - zip3: first three digits, `000` for the sparsely populated prefixes.
 * - scrub_text: free text through the scrubber.
 * - mask_ssns: free text kept, but every SSN in it masked to its last four digits.
 * - age_bucket: whole years from a birth date, `'90+'` above 89.
 */
export type FieldRule =
  | 'keep'
  | 'drop'
  | 'mask_last4'
  | 'pseudonym'
  | 'year_only'
  | 'birth_year'
  | 'zip3'
  | 'scrub_text'
  | 'mask_ssns'
  | 'age_bucket';

/** A rule on the same-named input field, or on another one (`from`) for derived fields. */
export type FieldSpec = FieldRule | { readonly rule: FieldRule; readonly from: string };
export type ModelView = Readonly<Record<string, FieldSpec>>;
export type RoleViews = Readonly<Partial<Record<RedactModel, ModelView>>>;
export type ViewTable = Readonly<Record<Role, RoleViews>>;

/**
 * Identifiers already known for the record being shaped: matched in free text whatever
 * their case or order. Values may be null/empty (ignored).
 */
export interface KnownIdentifiers {
  /** Full names: the patient, their contacts. "John Smith" also finds "SMITH, JOHN". */
  readonly names?: readonly (string | null | undefined)[];
  /**
   * The staff directory's names. Found like `names`, but only capitalised: in lower case a
   * staff name's word is taken for the word ("grey stool", "the front desk").
   */
  readonly staffNames?: readonly (string | null | undefined)[];
  readonly mrns?: readonly (string | null | undefined)[];
  readonly ssns?: readonly (string | null | undefined)[];
  readonly phones?: readonly (string | null | undefined)[];
  readonly emails?: readonly (string | null | undefined)[];
  /** Street lines, e.g. "12 Elm Street Apt 3". */
  readonly addresses?: readonly (string | null | undefined)[];
  readonly cities?: readonly (string | null | undefined)[];
  readonly zips?: readonly (string | null | undefined)[];
  /** Any other literal identifier (account numbers, device serials). */
  readonly other?: readonly (string | null | undefined)[];
  /** Birth dates, `YYYY-MM-DD`: found in any numeric spelling ("9.3.71", "090371", "09 03 1971"). */
  readonly birthDates?: readonly (string | null | undefined)[];
}

/** One identifier found in free text: [start, end) offsets into the input. */
export interface Finding {
  start: number;
  end: number;
  type: PhiType;
}

export interface ScrubResult {
  readonly text: string;
  readonly counts: RedactionCounts;
}
