/**
 * Clinical rows as stored and as tools return them before redaction. Column names are the
 * wire names. Dates are ISO-8601 text (`YYYY-MM-DD` for dates, full UTC timestamps for
 * instants) in both databases; see docs/decisions.md.
 */

export interface PatientRow {
  id: string; // P001
  mrn: string;
  ssn: string | null;
  given_name: string;
  family_name: string;
  birth_date: string; // YYYY-MM-DD
  sex: 'male' | 'female' | 'other' | 'unknown';
  phone: string | null;
  email: string | null;
  address_line: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  deceased_at: string | null;
}

export interface ContactRow {
  id: string;
  patient_id: string;
  name: string;
  relationship: string;
  phone: string | null;
}

export interface EncounterRow {
  id: string;
  patient_id: string;
  class: string; // AMB, IMP, EMER, …
  type_code: string | null;
  type_display: string;
  reason: string | null;
  start_at: string;
  end_at: string | null;
  location: string | null;
  provider_name: string | null;
}

/**
 * FHIR R4 observation-category codes. Tools filter on laboratory and vital-signs; the other
 * codes arrive with imported bundles (Synthea's smoking status is `survey`) and are kept.
 */
export type ObservationCategory =
  | 'laboratory'
  | 'vital-signs'
  | 'survey'
  | 'social-history'
  | 'exam'
  | 'procedure'
  | 'imaging'
  | 'therapy'
  | 'activity';

export interface ObservationRow {
  id: string;
  patient_id: string;
  encounter_id: string | null;
  category: ObservationCategory;
  code: string; // LOINC
  display: string;
  value_num: number | null;
  value_text: string | null;
  unit: string | null;
  ref_low: number | null;
  ref_high: number | null;
  effective_at: string;
}

export interface MedicationRow {
  id: string;
  patient_id: string;
  encounter_id: string | null;
  rxnorm_code: string | null;
  display: string;
  dosage: string | null;
  status: string; // active, stopped, completed
  authored_at: string;
  prescriber_name: string | null;
}

export interface AllergyRow {
  id: string;
  patient_id: string;
  code: string | null;
  display: string;
  category: string | null;
  criticality: string | null;
  reaction: string | null;
  status: string;
  recorded_at: string;
}

export interface ConditionRow {
  id: string;
  patient_id: string;
  encounter_id: string | null;
  system: 'snomed' | 'icd10';
  code: string;
  display: string;
  clinical_status: string; // active, resolved
  onset_at: string | null;
  abatement_at: string | null;
}

export interface NoteRow {
  id: string;
  patient_id: string;
  encounter_id: string | null;
  author_account_id: number | null;
  author_name: string | null;
  note_type: string; // progress, discharge, phone, referral, nursing
  text: string;
  created_at: string;
}
