/**
 * Kysely types of the audit tables (migrations 0003_audit, 0010_audit_listed_patients). Kept
 * beside the audit code so the shared schema need not change for them; `auditDb` widens a
 * database's query builder.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { Tables } from '../db/schema.js';

export interface AuditEventsTable {
  seq: number;
  time: string;
  request_id: string;
  source: string;
  action: string;
  user_id: string | null;
  role: string | null;
  tool: string | null;
  patient_id: string | null;
  decision: string;
  reason: string;
  break_glass: number;
  purpose_of_use: string | null;
  redactions: string;
  client_address: string | null;
  user_agent: string | null;
  prev_hash: string;
  hash: string;
  /** Migration 0010: canonical JSON of the ids a search listed, or null. */
  listed_patients: string | null;
  /** Migration 0011: a break-glass event's justification, or null. */
  justification: string | null;
}

/** Migration 0010: each listed patient of an event, so a patient's log finds it by index. */
export interface AuditEventPatientsTable {
  patient_id: string;
  seq: number;
}

/** One row (id = 1): the last event of the chain, updated in the same transaction as the append. */
export interface AuditChainHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export type AuditTables = {
  audit_events: AuditEventsTable;
  audit_chain_head: AuditChainHeadTable;
  audit_event_patients: AuditEventPatientsTable;
};

export function auditDb(database: Database): Kysely<Tables & AuditTables> {
  return database.db.withTables<AuditTables>();
}
