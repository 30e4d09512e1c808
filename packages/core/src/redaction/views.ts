/**
 * Field-level views: what each role sees of each model, as data (SPEC "PHI redaction").
 * Read beside the policy file: the policy decides WHETHER a row may be read, this table
 * decides WHICH FIELDS of it leave the server and in what form.
 *
 * Deny by default: a field a view does not name is dropped, and a model a role has no
 * view for yields no rows. `drop` entries are written out only where leaving a field out
 * is a decision a reviewer should see.
 */
import type { PhiType, RedactModel, ViewTable } from './types.js';

// ---- full access: doctor, nurse, patient (SSN masked to its last four digits) ----

const FULL_PATIENT = {
  id: 'keep', mrn: 'keep', ssn: 'mask_last4', given_name: 'keep', family_name: 'keep',
  birth_date: 'keep', sex: 'keep', phone: 'keep', email: 'keep', address_line: 'keep',
  city: 'keep', state: 'keep', postal_code: 'keep', deceased_at: 'keep',
} as const;

const FULL_CONTACT = { id: 'keep', patient_id: 'keep', name: 'keep', relationship: 'keep', phone: 'keep' } as const;

const FULL_ENCOUNTER = {
  id: 'keep', patient_id: 'keep', class: 'keep', type_code: 'keep', type_display: 'keep', reason: 'keep',
  start_at: 'keep', end_at: 'keep', location: 'keep', provider_name: 'keep',
} as const;

const FULL_OBSERVATION = {
  id: 'keep', patient_id: 'keep', encounter_id: 'keep', category: 'keep', code: 'keep', display: 'keep',
  value_num: 'keep', value_text: 'keep', unit: 'keep', ref_low: 'keep', ref_high: 'keep', effective_at: 'keep',
} as const;

const FULL_MEDICATION = {
  id: 'keep', patient_id: 'keep', encounter_id: 'keep', rxnorm_code: 'keep', display: 'keep', dosage: 'keep',
  status: 'keep', authored_at: 'keep', prescriber_name: 'keep',
} as const;

const FULL_ALLERGY = {
  id: 'keep', patient_id: 'keep', code: 'keep', display: 'keep', category: 'keep', criticality: 'keep',
  reaction: 'keep', status: 'keep', recorded_at: 'keep',
} as const;

const FULL_CONDITION = {
  id: 'keep', patient_id: 'keep', encounter_id: 'keep', system: 'keep', code: 'keep', display: 'keep',
  clinical_status: 'keep', onset_at: 'keep', abatement_at: 'keep',
} as const;

// Notes are where people type: an SSN written into one is masked like the record's own.
const FULL_NOTE = {
  id: 'keep', patient_id: 'keep', encounter_id: 'keep', author_account_id: 'keep', author_name: 'keep',
  note_type: 'keep', text: 'mask_ssns', created_at: 'keep',
} as const;

const FULL_ACCESS = {
  patient: FULL_PATIENT,
  contact: FULL_CONTACT,
  encounter: FULL_ENCOUNTER,
  observation: FULL_OBSERVATION,
  medication: FULL_MEDICATION,
  condition: FULL_CONDITION,
  allergy: FULL_ALLERGY,
  clinical_note: FULL_NOTE,
} as const;

// ---- receptionist: demographics and contact data; encounters as date, time and place ----

const RECEPTION = {
  patient: {
    id: 'keep', mrn: 'keep', ssn: 'drop', given_name: 'keep', family_name: 'keep', birth_date: 'keep',
    sex: 'keep', phone: 'keep', email: 'keep', address_line: 'keep', city: 'keep', state: 'keep',
    postal_code: 'keep', deceased_at: 'keep',
  },
  contact: FULL_CONTACT,
  // SPEC: "date, time and place only". Scheduling needs when and where, never why or what
  // kind: reason, type, class (emergency, inpatient, ambulatory) and provider stay clinical.
  encounter: { id: 'keep', patient_id: 'keep', start_at: 'keep', end_at: 'keep', location: 'keep' },
} as const;

// ---- researcher: Safe Harbor, 45 CFR 164.514(b)(2) ----

const DEIDENTIFIED = {
  // The pseudonym replaces id, name, MRN and SSN; the researcher addresses patients by it.
  patient: {
    id: 'pseudonym', mrn: 'drop', ssn: 'drop', given_name: 'drop', family_name: 'drop',
    birth_date: 'birth_year', age: { rule: 'age_bucket', from: 'birth_date' }, sex: 'keep',
    phone: 'drop', email: 'drop', address_line: 'drop', city: 'drop', state: 'keep',
    postal_code: 'zip3', deceased_at: 'year_only',
  },
  // Staff names and locations smaller than a state are dropped; free text is scrubbed.
  encounter: {
    id: 'pseudonym', patient_id: 'pseudonym', class: 'keep', type_code: 'keep', type_display: 'keep',
    reason: 'scrub_text', start_at: 'year_only', end_at: 'year_only', location: 'drop', provider_name: 'drop',
  },
  observation: {
    id: 'pseudonym', patient_id: 'pseudonym', encounter_id: 'pseudonym', category: 'keep', code: 'keep',
    display: 'keep', value_num: 'keep', value_text: 'scrub_text', unit: 'keep', ref_low: 'keep', ref_high: 'keep',
    effective_at: 'year_only',
  },
  medication: {
    id: 'pseudonym', patient_id: 'pseudonym', encounter_id: 'pseudonym', rxnorm_code: 'keep', display: 'keep',
    dosage: 'scrub_text', status: 'keep', authored_at: 'year_only', prescriber_name: 'drop',
  },
  condition: {
    id: 'pseudonym', patient_id: 'pseudonym', encounter_id: 'pseudonym', system: 'keep', code: 'keep',
    display: 'keep', clinical_status: 'keep', onset_at: 'year_only', abatement_at: 'year_only',
  },
  allergy: {
    id: 'pseudonym', patient_id: 'pseudonym', code: 'keep', display: 'keep', category: 'keep',
    criticality: 'keep', reaction: 'scrub_text', status: 'keep', recorded_at: 'year_only',
  },
  clinical_note: {
    id: 'pseudonym', patient_id: 'pseudonym', encounter_id: 'pseudonym', author_account_id: 'drop',
    author_name: 'drop', note_type: 'keep', text: 'scrub_text', created_at: 'year_only',
  },
  // No contact view: relatives' names and numbers are identifiers (164.514(b)(2)(i)).
} as const;

export const VIEWS: ViewTable = {
  doctor: FULL_ACCESS,
  nurse: FULL_ACCESS,
  patient: FULL_ACCESS,
  receptionist: RECEPTION,
  researcher: DEIDENTIFIED,
  // Auditors read the audit log and admins manage accounts: neither sees clinical rows.
  auditor: {},
  admin: {},
};

/**
 * Which identifier a field holds, so that dropping or transforming it is counted by type in
 * the audit event. Fields absent here (clinical values, codes) are not identifiers.
 */
export const IDENTIFIER_FIELDS: Readonly<Record<RedactModel, Readonly<Record<string, PhiType>>>> = {
  patient: {
    id: 'id', mrn: 'mrn', ssn: 'ssn', given_name: 'name', family_name: 'name', birth_date: 'date',
    phone: 'phone', email: 'email', address_line: 'address', city: 'location', postal_code: 'zip', deceased_at: 'date',
  },
  contact: { id: 'id', patient_id: 'id', name: 'name', phone: 'phone' },
  encounter: { id: 'id', patient_id: 'id', start_at: 'date', end_at: 'date', location: 'location', provider_name: 'name' },
  observation: { id: 'id', patient_id: 'id', encounter_id: 'id', effective_at: 'date' },
  medication: { id: 'id', patient_id: 'id', encounter_id: 'id', authored_at: 'date', prescriber_name: 'name' },
  condition: { id: 'id', patient_id: 'id', encounter_id: 'id', onset_at: 'date', abatement_at: 'date' },
  allergy: { id: 'id', patient_id: 'id', recorded_at: 'date' },
  clinical_note: { id: 'id', patient_id: 'id', encounter_id: 'id', author_account_id: 'id', author_name: 'name', created_at: 'date' },
};
