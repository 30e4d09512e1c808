/**
 * THE access policy, as data (SPEC "Policy"; STYLE: access control is data evaluated by one
 * engine, as Medplum's AccessPolicy). One entry per role × model × action names the
 * condition a row must meet. Deny by default: whatever this table does not name is refused,
 * so adding a role, model or action grants nothing until a line here says so.
 *
 * Read beside redaction/views.ts: this file decides WHETHER a row may be read or written,
 * the views decide WHICH FIELDS of it leave the server.
 */
import type { Action, Model, Role } from '../domain.js';
import type { PurposeOfUse } from '../audit/event.js';

/**
 * What a row must satisfy for the entry to allow it.
 * - care_team_or_break_glass: the caller is on the patient's care team, or holds an
 *   unexpired break-glass grant for that patient.
 * - ward_or_break_glass: the patient is admitted (not discharged) to a ward the caller is
 *   assigned to, or the caller holds an unexpired break-glass grant for that patient.
 * - own_record: the row belongs to the patient the caller's account is linked to.
 * - demographics_only: every patient, demographics and contact data only (the views hold
 *   no clinical model for the role).
 * - schedule_only: every patient's encounters, as date, time and place only.
 * - deidentified: every patient, through the Safe Harbor view only.
 * - any: every row of the model (audit events for the auditor, accounts for the admin).
 * - emergency: any existing patient; the break-glass action itself, which is what creates
 *   a grant, so it cannot depend on one.
 */
export const ROW_CONDITIONS = [
  'care_team_or_break_glass',
  'ward_or_break_glass',
  'own_record',
  'demographics_only',
  'schedule_only',
  'deidentified',
  'any',
  'emergency',
] as const;
export type RowCondition = (typeof ROW_CONDITIONS)[number];

export type PolicyTable = Readonly<Record<Role, Readonly<Partial<Record<Model, Readonly<Partial<Record<Action, RowCondition>>>>>>>>;

/** Clinical models a treating clinician reads under one relationship rule. */
function clinicalReads(condition: RowCondition) {
  return {
    encounter: { read: condition },
    observation: { read: condition },
    medication: { read: condition },
    condition: { read: condition },
    allergy: { read: condition },
  } as const;
}

export const POLICY: PolicyTable = {
  doctor: {
    patient: { read: 'care_team_or_break_glass', break_glass: 'emergency' },
    ...clinicalReads('care_team_or_break_glass'),
    clinical_note: { read: 'care_team_or_break_glass', write: 'care_team_or_break_glass' },
  },
  nurse: {
    patient: { read: 'ward_or_break_glass', break_glass: 'emergency' },
    ...clinicalReads('ward_or_break_glass'),
    clinical_note: { read: 'ward_or_break_glass', write: 'ward_or_break_glass' },
  },
  receptionist: {
    patient: { read: 'demographics_only' },
    encounter: { read: 'schedule_only' },
  },
  patient: {
    patient: { read: 'own_record' },
    ...clinicalReads('own_record'),
    clinical_note: { read: 'own_record' },
    // Who accessed their own record (HIPAA §164.528 accounting of disclosures).
    audit_event: { read: 'own_record' },
  },
  auditor: {
    audit_event: { read: 'any' },
  },
  researcher: {
    patient: { read: 'deidentified' },
    ...clinicalReads('deidentified'),
    clinical_note: { read: 'deidentified' },
  },
  admin: {
    account: { manage: 'any' },
  },
};

/**
 * Purpose of use recorded with each role's access (HL7 v3 PurposeOfUse). Access under a
 * break-glass grant is recorded as ETREAT whatever the role's usual purpose.
 */
export const PURPOSE_OF_USE: Readonly<Record<Role, PurposeOfUse>> = {
  doctor: 'TREAT',
  nurse: 'TREAT',
  receptionist: 'HOPERAT',
  patient: 'PATRQT',
  // Compliance review is a health-care operation (45 CFR 164.501).
  auditor: 'HOPERAT',
  researcher: 'HRESCH',
  admin: 'HSYSADMIN',
};

/** How long one break-glass grant lasts. */
export const BREAK_GLASS_MINUTES = 60;
/** Shortest justification accepted, after trimming. */
export const BREAK_GLASS_MIN_REASON = 10;
