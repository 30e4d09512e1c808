import { describe, expect, it } from 'vitest';
import { ACTIONS, MODELS, ROLES, type Action, type Model, type Role } from '../domain.js';
import { isAllowed, roleMayEver, type RowContext } from './engine.js';

const USER = '7';

function ctx(over: Partial<RowContext> = {}): RowContext {
  return { userId: USER, patientId: 'P1', patientExists: true, careTeam: false, ward: false, ownRecord: false, breakGlass: false, ...over };
}

// What SPEC's Policy table grants, written out by hand (not read from policy.ts): each role's
// set of model:action pairs that may ever be allowed.
const GRANTED: Record<Role, readonly string[]> = {
  doctor: ['patient:read', 'patient:break_glass', 'encounter:read', 'observation:read', 'medication:read', 'condition:read', 'allergy:read', 'clinical_note:read', 'clinical_note:write'],
  nurse: ['patient:read', 'patient:break_glass', 'encounter:read', 'observation:read', 'medication:read', 'condition:read', 'allergy:read', 'clinical_note:read', 'clinical_note:write'],
  receptionist: ['patient:read', 'encounter:read'],
  patient: ['patient:read', 'encounter:read', 'observation:read', 'medication:read', 'condition:read', 'allergy:read', 'clinical_note:read', 'audit_event:read'],
  auditor: ['audit_event:read'],
  researcher: ['patient:read', 'encounter:read', 'observation:read', 'medication:read', 'condition:read', 'allergy:read', 'clinical_note:read'],
  admin: ['account:manage'],
};

describe('policy engine', () => {
  it('grants exactly the pairs of the SPEC table and denies everything else', () => {
    for (const role of ROLES) {
      for (const model of MODELS) {
        for (const action of ACTIONS) {
          expect(roleMayEver(model, action, role), `${role} ${model}:${action}`).toBe(GRANTED[role].includes(`${model}:${action}`));
        }
      }
    }
  });

  it('says not_in_policy for a pair the table does not name, whatever the relationships', () => {
    const everything = ctx({ careTeam: true, ward: true, ownRecord: true, breakGlass: true });
    const cases: Array<[Model, Action, Role]> = [
      ['patient', 'write', 'doctor'],
      ['observation', 'read', 'receptionist'],
      ['clinical_note', 'write', 'patient'],
      ['patient', 'read', 'auditor'],
      ['patient', 'read', 'admin'],
      ['patient', 'break_glass', 'researcher'],
      ['audit_event', 'read', 'doctor'],
    ];
    for (const [model, action, role] of cases) {
      const decision = isAllowed(model, action, role, USER, everything);
      expect(decision).toMatchObject({ allowed: false, reason: 'not_in_policy', breakGlass: false });
    }
  });

  it('allows a doctor on the care team, and by break-glass only when flagged', () => {
    expect(isAllowed('observation', 'read', 'doctor', USER, ctx({ careTeam: true }))).toMatchObject({ allowed: true, reason: 'care_team', breakGlass: false });
    expect(isAllowed('observation', 'read', 'doctor', USER, ctx({ breakGlass: true }))).toMatchObject({ allowed: true, reason: 'break_glass', breakGlass: true });
    // A care-team member with a grant as well is there by relationship: not an emergency access.
    expect(isAllowed('observation', 'read', 'doctor', USER, ctx({ careTeam: true, breakGlass: true }))).toMatchObject({ reason: 'care_team', breakGlass: false });
    expect(isAllowed('observation', 'read', 'doctor', USER, ctx({ ward: true, ownRecord: true }))).toMatchObject({ allowed: false, reason: 'no_relationship' });
  });

  it('allows a nurse by ward or break-glass, never by care team', () => {
    expect(isAllowed('clinical_note', 'write', 'nurse', USER, ctx({ ward: true }))).toMatchObject({ allowed: true, reason: 'ward' });
    expect(isAllowed('clinical_note', 'write', 'nurse', USER, ctx({ breakGlass: true }))).toMatchObject({ allowed: true, reason: 'break_glass', breakGlass: true });
    expect(isAllowed('clinical_note', 'write', 'nurse', USER, ctx({ careTeam: true }))).toMatchObject({ allowed: false, reason: 'no_relationship' });
  });

  it('lets a patient read only their own record and its audit events', () => {
    expect(isAllowed('medication', 'read', 'patient', USER, ctx({ ownRecord: true }))).toMatchObject({ allowed: true, reason: 'own_record' });
    expect(isAllowed('audit_event', 'read', 'patient', USER, ctx({ ownRecord: true }))).toMatchObject({ allowed: true, reason: 'own_record' });
    expect(isAllowed('medication', 'read', 'patient', USER, ctx({ careTeam: true, ward: true, breakGlass: true }))).toMatchObject({ allowed: false });
  });

  it('reports a missing patient as patient_not_found, before any relationship', () => {
    const missing = ctx({ patientExists: false, careTeam: true, breakGlass: true });
    for (const role of ['doctor', 'nurse', 'receptionist', 'researcher', 'patient'] as const) {
      expect(isAllowed('patient', 'read', role, USER, missing)).toMatchObject({ allowed: false, reason: 'patient_not_found' });
    }
  });

  it('refuses relationships loaded for another account', () => {
    expect(isAllowed('patient', 'read', 'doctor', '8', ctx({ careTeam: true }))).toMatchObject({ allowed: false, reason: 'context_mismatch' });
  });

  it('lets the receptionist and the researcher reach every existing patient', () => {
    expect(isAllowed('encounter', 'read', 'receptionist', USER, ctx())).toMatchObject({ allowed: true, reason: 'role_any', condition: 'schedule_only' });
    expect(isAllowed('clinical_note', 'read', 'researcher', USER, ctx())).toMatchObject({ allowed: true, reason: 'role_any', condition: 'deidentified' });
  });

  it('lets the auditor read the whole log with no patient named, and a patient not', () => {
    const noPatient = ctx({ patientId: null, patientExists: false });
    expect(isAllowed('audit_event', 'read', 'auditor', USER, noPatient)).toMatchObject({ allowed: true });
    expect(isAllowed('audit_event', 'read', 'patient', USER, noPatient)).toMatchObject({ allowed: false, reason: 'no_relationship' });
  });

  it('lets doctors and nurses break the glass on any existing patient, nobody else', () => {
    expect(isAllowed('patient', 'break_glass', 'doctor', USER, ctx())).toMatchObject({ allowed: true, reason: 'emergency_access' });
    expect(isAllowed('patient', 'break_glass', 'nurse', USER, ctx())).toMatchObject({ allowed: true });
    expect(isAllowed('patient', 'break_glass', 'doctor', USER, ctx({ patientExists: false }))).toMatchObject({ allowed: false, reason: 'patient_not_found' });
    expect(isAllowed('patient', 'break_glass', 'receptionist', USER, ctx())).toMatchObject({ allowed: false, reason: 'not_in_policy' });
  });
});
