/**
 * The hospital's vocabulary, shared by every package. Wire format and database columns
 * use the same snake_case names so that a row can be read on the wire without mapping.
 */

export const ROLES = ['doctor', 'nurse', 'receptionist', 'patient', 'auditor', 'researcher', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The account a user id names: account ids are integers in the database, anything else names none. */
export function accountIdFrom(userId: string): number | undefined {
  const id = Number(userId);
  return /^\d+$/.test(userId) && Number.isSafeInteger(id) ? id : undefined;
}

/** Who is calling, as established from a verified access token (never from headers). */
export interface Principal {
  /** Account id as a decimal string (SimpleJWT puts integers in `user_id`). */
  readonly userId: string;
  readonly role: Role;
  /** Only for the patient role: the patient record the account belongs to. */
  readonly patientId?: string;
  readonly jti: string;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
}

/** Clinical models the policy speaks about. */
export const MODELS = [
  'patient',
  'encounter',
  'observation',
  'medication',
  'condition',
  'allergy',
  'clinical_note',
  'audit_event',
  'account',
] as const;
export type Model = (typeof MODELS)[number];

export const ACTIONS = ['read', 'write', 'break_glass', 'manage'] as const;
export type Action = (typeof ACTIONS)[number];

export type ObservationCategory = 'laboratory' | 'vital-signs';
export type AuditDecision = 'allow' | 'deny' | 'error';
