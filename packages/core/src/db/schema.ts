/**
 * The database schema as Kysely types: one schema for the embedded database (SQLite) and
 * PostgreSQL. Booleans are integers (0/1) and instants ISO-8601 text in both, so rows read
 * the same whichever engine is behind them (docs/decisions.md).
 */
import type { Generated, Insertable, Selectable } from 'kysely';
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

export interface AccountsTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  role: string;
  display_name: string;
  patient_id: string | null;
  is_active: number;
  is_demo: number;
  created_at: string;
  updated_at: string;
  /** ISO instant of the last deactivation, password reset or role change: access tokens issued before it are refused. */
  sessions_ended_at: Generated<string | null>;
}

/** Every refresh token ever issued: rotation and reuse detection (RFC 6819 §5.2.2.3). */
export interface RefreshTokensTable {
  jti: string;
  account_id: number;
  family_id: string;
  issued_at: string;
  expires_at: string;
  /** Set when rotated, logged out, or its family was revoked. */
  revoked_at: string | null;
  revoked_reason: string | null;
  replaced_by: string | null;
  /** The access token issued with this refresh token (migration 0006; null on older rows). */
  access_jti: string | null;
  access_expires_at: string | null;
}

/** Access-token ids refused before their expiry (logout, theft, admin action). */
export interface RevokedTokensTable {
  jti: string;
  account_id: number | null;
  expires_at: string;
  revoked_at: string;
  reason: string;
}

export interface WardsTable {
  id: string;
  name: string;
}

export interface AdmissionsTable {
  id: string;
  patient_id: string;
  ward_id: string;
  admitted_at: string;
  discharged_at: string | null;
}

export interface CareTeamMembersTable {
  patient_id: string;
  account_id: number;
  team_role: string;
  since: string;
}

export interface WardAssignmentsTable {
  account_id: number;
  ward_id: string;
}

export interface BreakGlassGrantsTable {
  id: string;
  account_id: number;
  patient_id: string;
  reason: string;
  granted_at: string;
  expires_at: string;
}

/** Where an imported row came from, so a second import of the same bundle changes nothing. */
export interface ImportSourcesTable {
  source: string;
  source_id: string;
  patient_id: string;
  imported_at: string;
}

type WithSource<T> = T & { source: string | null };

export interface Tables {
  accounts: AccountsTable;
  refresh_tokens: RefreshTokensTable;
  revoked_tokens: RevokedTokensTable;
  wards: WardsTable;
  admissions: AdmissionsTable;
  care_team_members: CareTeamMembersTable;
  ward_assignments: WardAssignmentsTable;
  break_glass_grants: BreakGlassGrantsTable;
  patients: WithSource<PatientRow> & { created_at: string; family_name_lc: string; given_name_lc: string };
  patient_contacts: ContactRow;
  encounters: EncounterRow;
  observations: ObservationRow;
  medications: MedicationRow;
  allergies: AllergyRow;
  conditions: ConditionRow;
  clinical_notes: NoteRow;
  import_sources: ImportSourcesTable;
  /** Moved by triggers on every change to a patient's chart rows (migration 0004). */
  patient_revisions: { patient_id: string; revision: number };
}

export type Account = Selectable<AccountsTable>;
export type NewAccount = Insertable<AccountsTable>;
