/**
 * The audit event as every writer produces it (SPEC "Audit"). It carries no PHI beyond the
 * patient id and counts: reasons are fixed phrases, never the data or a token.
 */
import type { AuditDecision, Role } from '../domain.js';
import { AppError, toAppError } from '../errors.js';

export type AuditAction =
  | 'tools/call'
  | 'request.refused'
  | 'login.success'
  | 'login.failure'
  | 'token.refresh'
  | 'token.reuse_detected'
  | 'logout'
  | 'account.change'
  | 'account.read'
  | 'ward.change'
  | 'break_glass.start';

export const AUDIT_ACTIONS: readonly AuditAction[] = [
  'tools/call',
  'request.refused',
  'login.success',
  'login.failure',
  'token.refresh',
  'token.reuse_detected',
  'logout',
  'account.change',
  'account.read',
  'ward.change',
  'break_glass.start',
];

export type PurposeOfUse = 'TREAT' | 'ETREAT' | 'HOPERAT' | 'HRESCH' | 'PATRQT' | 'HSYSADMIN';

export const PURPOSES_OF_USE: readonly PurposeOfUse[] = ['TREAT', 'ETREAT', 'HOPERAT', 'HRESCH', 'PATRQT', 'HSYSADMIN'];

/** Which component wrote the event; 'cli' is an operator's command (account administration). */
export type AuditSource = 'gateway' | 'mcp-server' | 'cli';

/**
 * What a server records. Strings that may echo client input (request_id, user_id, tool,
 * patient_id, client_address, user_agent) are bounded and stripped of control characters by
 * the writer rather than refused, so the record of a hostile request is never lost.
 */
export interface AuditEventInput {
  /** ISO-8601 UTC; the writer fills it in when absent. */
  time?: string;
  request_id: string;
  /** Which server wrote it: 'gateway' or 'mcp-server'. */
  source: AuditSource;
  action: AuditAction;
  user_id: string | null;
  role: Role | null;
  tool: string | null;
  patient_id: string | null;
  decision: AuditDecision;
  /**
   * A fixed, PHI-free code: 'care_team', 'no_relationship', 'patient_not_found', 'token_expired', …
   * The writer stores it as a slug (lower case, [a-z0-9_.:/-], at most 100 characters), so
   * pass a code, never free text (an exception message; a break-glass justification has a
   * field of its own).
   */
  reason: string;
  break_glass: boolean;
  purpose_of_use: PurposeOfUse | null;
  /** Redactions by type, e.g. { ssn: 1, name: 4 }; never the removed text. */
  redactions: Record<string, number>;
  /** Truncated to 100 characters by the writer. */
  client_address: string | null;
  /** Truncated to 512 characters by the writer. */
  user_agent: string | null;
  /**
   * The patients a list or search showed (ids, not pseudonyms), so that each one's access log
   * finds the call. Absent or empty when it showed none, or is about one record (`patient_id`).
   */
  listed_patients?: readonly string[];
  /**
   * Why emergency access was asked for: the break-glass caller's own words, kept for the
   * reviewer the flag is for. Absent on every other event.
   */
  justification?: string;
}

/** Where events go. `record` resolves only once the event is durably committed (fail closed). */
export interface AuditSink {
  record(event: AuditEventInput): Promise<void>;
}

/**
 * Records an event that must be on the record before what it allows happens (a tool call's
 * answer, a write, a login's tokens). Whatever the sink throws, the caller gets
 * ERR_AUDIT_UNAVAILABLE, which is answered with no data.
 */
export async function recordOrRefuse(sink: AuditSink, event: AuditEventInput): Promise<void> {
  try {
    await sink.record(event);
  } catch (error) {
    const failure = toAppError(error);
    throw failure.code === 'ERR_AUDIT_UNAVAILABLE' ? failure : new AppError('ERR_AUDIT_UNAVAILABLE', { internalReason: 'audit_rejected_event' });
  }
}

/**
 * An event as stored: the input normalised (time filled in, flag as 0/1, redactions as
 * canonical JSON text), its place in the chain, and the chain hashes.
 */
export interface StoredAuditEvent {
  seq: number;
  time: string;
  request_id: string;
  source: AuditSource;
  action: AuditAction;
  user_id: string | null;
  role: Role | null;
  tool: string | null;
  patient_id: string | null;
  decision: AuditDecision;
  reason: string;
  break_glass: 0 | 1;
  purpose_of_use: PurposeOfUse | null;
  /** Canonical JSON (sorted keys), exactly the text that was hashed. */
  redactions: string;
  client_address: string | null;
  user_agent: string | null;
  prev_hash: string;
  hash: string;
  /** Canonical JSON of the listed ids (sorted, unique), or null when the event lists none. */
  listed_patients: string | null;
  /** A break-glass event's justification, or null. */
  justification: string | null;
}

/** The event fields the writer fills before the chain position is known. */
export type AuditEventFields = Omit<StoredAuditEvent, 'seq' | 'prev_hash' | 'hash'>;

/**
 * The event for a request refused before any tool ran (bad token, origin, rate limit, a
 * non-admin at the admin API): one shape for both servers, so the auditor's filters see
 * every refusal alike.
 */
export function refusalEvent(refusal: {
  requestId: string;
  source: AuditSource;
  principal: { userId: string; role: AuditEventInput['role'] } | null | undefined;
  reason: string;
  clientAddress: string | null;
  userAgent: string | null | undefined;
  /** A refused tools/call: the tool it named and its patient, when known. */
  tool?: string | null | undefined;
  patientId?: string | null | undefined;
}): AuditEventInput {
  return {
    request_id: refusal.requestId,
    source: refusal.source,
    action: 'request.refused',
    user_id: refusal.principal?.userId ?? null,
    role: refusal.principal?.role ?? null,
    tool: refusal.tool ?? null,
    patient_id: refusal.patientId ?? null,
    decision: 'deny',
    reason: refusal.reason,
    break_glass: false,
    purpose_of_use: null,
    redactions: {},
    client_address: refusal.clientAddress,
    user_agent: refusal.userAgent ?? null,
  };
}
