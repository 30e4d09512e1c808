/**
 * The one policy engine: `isAllowed(model, action, role, userId, rowContext)` as in the
 * design note, evaluating the data in policy.ts. Every decision carries a fixed, PHI-free
 * reason phrase for the audit log; the caller's answer for a denial never depends on it
 * (a missing patient and a forbidden one are refused alike, SPEC "Policy").
 */
import type { Action, Model, Role } from '../domain.js';
import { POLICY, type RowCondition } from './policy.js';

/** What the engine needs to know about one patient, for one caller (relationships.ts loads it). */
export interface RowContext {
  /** The account the relationships were loaded for. */
  readonly userId: string;
  /** null when the request names no patient (an auditor's whole-log query). */
  readonly patientId: string | null;
  readonly patientExists: boolean;
  readonly careTeam: boolean;
  readonly ward: boolean;
  readonly ownRecord: boolean;
  /** An unexpired break-glass grant for this caller and patient. */
  readonly breakGlass: boolean;
}

export type DecisionReason =
  | 'care_team'
  | 'ward'
  | 'break_glass'
  | 'own_record'
  | 'role_any'
  | 'emergency_access'
  | 'row_filter'
  | 'no_relationship'
  | 'patient_not_found'
  | 'not_in_policy'
  | 'context_mismatch';

export interface Decision {
  readonly allowed: boolean;
  readonly reason: DecisionReason;
  /** The policy entry's condition; undefined when the table has no entry. */
  readonly condition: RowCondition | undefined;
  /** True when only a break-glass grant allowed it: the access is flagged for review. */
  readonly breakGlass: boolean;
}

/** The condition the policy names for this role, model and action, if any. */
export function policyCondition(model: Model, action: Action, role: Role): RowCondition | undefined {
  return POLICY[role]?.[model]?.[action];
}

/** Whether any row at all could ever be allowed: what tools/list shows a role. */
export function roleMayEver(model: Model, action: Action, role: Role): boolean {
  return policyCondition(model, action, role) !== undefined;
}

function allow(condition: RowCondition, reason: DecisionReason, breakGlass = false): Decision {
  return { allowed: true, reason, condition, breakGlass };
}

function deny(condition: RowCondition | undefined, reason: DecisionReason): Decision {
  return { allowed: false, reason, condition, breakGlass: false };
}

/** A relationship first; break-glass only when nothing else allows it, so flags mean something. */
function byRelationship(condition: RowCondition, related: boolean, relationship: DecisionReason, ctx: RowContext): Decision {
  if (related) return allow(condition, relationship);
  if (ctx.breakGlass) return allow(condition, 'break_glass', true);
  return deny(condition, 'no_relationship');
}

/**
 * A list or search names no patient: it is allowed when the role may read the model at all,
 * and the row filter (row-filter.ts) then keeps every forbidden row inside the database.
 */
export function isListAllowed(model: Model, action: Action, role: Role): Decision {
  const condition = policyCondition(model, action, role);
  if (condition === undefined || condition === 'emergency') return deny(condition, 'not_in_policy');
  return allow(condition, 'row_filter');
}

export function isAllowed(model: Model, action: Action, role: Role, userId: string, ctx: RowContext): Decision {
  const condition = policyCondition(model, action, role);
  if (condition === undefined) return deny(undefined, 'not_in_policy');
  // Relationships loaded for someone else must never decide this caller's access.
  if (ctx.userId !== userId) return deny(condition, 'context_mismatch');
  if (ctx.patientId !== null && !ctx.patientExists) return deny(condition, 'patient_not_found');
  switch (condition) {
    case 'care_team_or_break_glass':
      if (ctx.patientId === null) return deny(condition, 'no_relationship');
      return byRelationship(condition, ctx.careTeam, 'care_team', ctx);
    case 'ward_or_break_glass':
      if (ctx.patientId === null) return deny(condition, 'no_relationship');
      return byRelationship(condition, ctx.ward, 'ward', ctx);
    case 'own_record':
      return ctx.patientId !== null && ctx.ownRecord ? allow(condition, 'own_record') : deny(condition, 'no_relationship');
    case 'emergency':
      return ctx.patientId !== null ? allow(condition, 'emergency_access') : deny(condition, 'patient_not_found');
    case 'demographics_only':
    case 'schedule_only':
    case 'deidentified':
    case 'any':
      return allow(condition, 'role_any');
  }
}
