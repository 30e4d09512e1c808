/**
 * What SPEC's Policy table and the demo data say each demo user may do, written out by hand
 * from SPEC.md, NOT read from packages/core/src/policy/policy.ts: a test that took its
 * expectations from the policy file would pass whatever the policy said.
 */
import type { DemoUser } from './harness.js';

export const TOOL_NAMES = [
  'get_patient_overview',
  'search_patients',
  'list_encounters',
  'get_observations',
  'get_medications',
  'get_clinical_notes',
  'add_clinical_note',
  'break_glass',
  'get_audit_log',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

const READERS_WITH_RECEPTION: readonly DemoUser[] = ['yenji100', 'dr_grey', 'nurse_joy', 'front_desk', 'p001', 'researcher1'];
const CLINICAL_READERS: readonly DemoUser[] = ['yenji100', 'dr_grey', 'nurse_joy', 'p001', 'researcher1'];
const CLINICIANS: readonly DemoUser[] = ['yenji100', 'dr_grey', 'nurse_joy'];

/** Who may call each tool at all (and so sees it in tools/list). */
export const CALLERS: Record<ToolName, readonly DemoUser[]> = {
  get_patient_overview: READERS_WITH_RECEPTION,
  search_patients: READERS_WITH_RECEPTION,
  list_encounters: READERS_WITH_RECEPTION,
  get_observations: CLINICAL_READERS,
  get_medications: CLINICAL_READERS,
  get_clinical_notes: CLINICAL_READERS,
  add_clinical_note: CLINICIANS,
  break_glass: CLINICIANS,
  get_audit_log: ['auditor1', 'p001'],
};

/**
 * Whose records each user reaches without break-glass (SPEC demo data): yenji100's care team
 * is P001 and P002, dr_grey's P003, nurse_joy's ward W1 holds P001 and P004, p001 is P001;
 * the receptionist and the researcher reach every patient (through their restricted views).
 */
export const REACH: Record<DemoUser, readonly string[] | 'every patient' | 'none'> = {
  yenji100: ['P001', 'P002'],
  dr_grey: ['P003'],
  nurse_joy: ['P001', 'P004'],
  front_desk: 'every patient',
  p001: ['P001'],
  auditor1: 'none',
  researcher1: 'every patient',
  admin: 'none',
};

export const EXISTING = new Set(['P001', 'P002', 'P003', 'P004', 'P005', 'P006', 'P007', 'P008', 'P009', 'P010']);

export function reaches(user: DemoUser, patientId: string, grants: ReadonlySet<string> = new Set()): boolean {
  if (!EXISTING.has(patientId)) return false;
  const reach = REACH[user];
  if (reach === 'every patient') return true;
  if (reach === 'none') return false;
  return reach.includes(patientId) || grants.has(`${user}:${patientId}`);
}

/** Whether `user` calling `tool` about `patientId` must be answered with data. */
export function expectAllowed(tool: ToolName, user: DemoUser, patientId: string, grants: ReadonlySet<string> = new Set()): boolean {
  if (!CALLERS[tool].includes(user)) return false;
  switch (tool) {
    case 'break_glass':
      return EXISTING.has(patientId);
    case 'get_audit_log':
      // The auditor filters the whole log by any id (a probe for a missing patient is worth
      // seeing); a patient reads only the trail of their own record.
      return user === 'auditor1' || patientId === 'P001';
    case 'add_clinical_note':
      return reaches(user, patientId, grants);
    default:
      return reaches(user, patientId, grants);
  }
}

/** Which patients a user's unfiltered search must return, exactly. */
export function expectedSearch(user: DemoUser, grants: ReadonlySet<string> = new Set()): string[] {
  if (!CALLERS.search_patients.includes(user)) return [];
  return [...EXISTING].filter((id) => reaches(user, id, grants)).sort();
}
