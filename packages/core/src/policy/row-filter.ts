/**
 * Row filters for lists and searches: the policy's condition for a role, as a predicate on
 * `patients` applied INSIDE the SQL. A forbidden row never leaves the database, so page
 * sizes, counts and cursors reveal nothing about it (filtering after the query would leak
 * through short pages and "more results" cursors).
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Action, Model, Principal } from '../domain.js';
import type { Tables } from '../db/schema.js';
import { policyCondition } from './engine.js';
import type { RowCondition } from './policy.js';
import { accountIdOf, breakGlassExists, careTeamExists, wardAdmissionExists } from './relationships.js';

export type PatientRowFilter = (eb: ExpressionBuilder<Tables, 'patients'>) => Expression<SqlBool>;

const NOTHING: PatientRowFilter = () => sql<SqlBool>`1 = 0`;
const EVERYTHING: PatientRowFilter = () => sql<SqlBool>`1 = 1`;

function filterFor(condition: RowCondition | undefined, principal: Principal, nowIso: string): PatientRowFilter {
  const accountId = accountIdOf(principal);
  switch (condition) {
    case 'care_team_or_break_glass':
      if (accountId === undefined) return NOTHING;
      return (eb) => eb.or([careTeamExists(eb, accountId), breakGlassExists(eb, accountId, nowIso)]);
    case 'ward_or_break_glass':
      if (accountId === undefined) return NOTHING;
      return (eb) => eb.or([wardAdmissionExists(eb, accountId, nowIso), breakGlassExists(eb, accountId, nowIso)]);
    case 'own_record': {
      const own = principal.role === 'patient' ? principal.patientId : undefined;
      if (!own) return NOTHING;
      return (eb) => eb('patients.id', '=', own);
    }
    case 'demographics_only':
    case 'schedule_only':
    case 'deidentified':
    case 'any':
      return EVERYTHING;
    // A grant is made for one named patient, never found through a list.
    case 'emergency':
    case undefined:
      return NOTHING;
  }
}

/** The patients this caller may list for `model`/`action`, as a WHERE predicate on `patients`. */
export function patientRowFilter(principal: Principal, model: Model, action: Action, now: Date = new Date()): PatientRowFilter {
  return filterFor(policyCondition(model, action, principal.role), principal, now.toISOString());
}
