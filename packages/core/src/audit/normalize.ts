/**
 * Turns an AuditEventInput into the exact fields that are stored and hashed.
 *
 * Two kinds of field, two treatments. Fields our own code chooses from a closed set (source,
 * action, decision, role, purpose, redaction counts) are checked strictly: a bad one is a
 * programming error and is refused loudly (for a tool call, the call then fails closed).
 * Fields that may echo what a client sent (request id, tool name, ids, address, user agent)
 * are bounded and cleaned instead, because refusing them would lose the record of exactly
 * the requests an auditor most wants to see. `reason` is reduced to a slug, so a sentence
 * (an exception message, a break-glass justification) cannot be stored as free text.
 */
import { isRole } from '../domain.js';
import { freeTextProblem } from '../free-text.js';
import { AppError } from '../errors.js';
import { canonicalRedactions } from './chain.js';
import { AUDIT_ACTIONS, PURPOSES_OF_USE, type AuditEventFields, type AuditEventInput } from './event.js';

/** A fixed phrase or code: letters, digits and a few separators; no spaces, so no sentences. */
const REASON_MAX = 100;
const REDACTION_KIND = /^[a-z][a-z0-9_.-]{0,63}$/i;
const DECISIONS = new Set(['allow', 'deny', 'error']);
const SOURCES = new Set(['gateway', 'mcp-server', 'cli']);
const ACTIONS = new Set<string>(AUDIT_ACTIONS);
const PURPOSES = new Set<string>(PURPOSES_OF_USE);

const MAX_ID = 128;
const MAX_TOOL = 64;
const MAX_REQUEST_ID = 200;
const MAX_ADDRESS = 100;
const MAX_USER_AGENT = 512;

function invalid(field: string): AppError {
  return new AppError('ERR_INTERNAL', { internalReason: `audit event: invalid ${field}` });
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f]/g;
/** A reason that is already a slug (every reason our own code gives): reasonSlug would return it unchanged. */
const SLUG = /^[a-z0-9](?:[a-z0-9_.:/-]*[a-z0-9.:/-])?$/;

/**
 * Client-supplied strings (request id, user agent) are kept but bounded and stripped of control
 * characters. Lone surrogates become U+FFFD: the database would store them as something else
 * than the string that was hashed, and verify would then cry wolf. Clean text, nearly all of
 * it, is tested and not copied: this runs for several fields of every audit event.
 */
function clientText(value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  let clean = String(value);
  if (CONTROL.test(clean)) clean = clean.replace(CONTROLS, ' ');
  if (!clean.isWellFormed()) clean = clean.toWellFormed();
  return clean.length > max ? clean.slice(0, max) : clean;
}

/** 'care_team' stays 'care_team'; 'Signature verification failed' becomes 'signature_verification_failed'. */
export function reasonSlug(reason: string): string {
  if (reason.length <= REASON_MAX && SLUG.test(reason)) return reason;
  const slug = String(reason)
    .toLowerCase()
    .replace(/[^a-z0-9_.:/-]+/g, '_')
    .replace(/^[^a-z0-9]+|_+$/g, '')
    .slice(0, REASON_MAX);
  return slug === '' ? 'unspecified' : slug;
}

function normalizeTime(time: string | undefined): string {
  if (time === undefined) return new Date().toISOString();
  const parsed = new Date(time);
  if (Number.isNaN(parsed.getTime())) throw invalid('time');
  return parsed.toISOString();
}

export function normalizeAuditEvent(input: AuditEventInput): AuditEventFields {
  if (!input || typeof input !== 'object') throw invalid('event');
  if (!SOURCES.has(input.source)) throw invalid('source');
  if (!ACTIONS.has(input.action)) throw invalid('action');
  if (!DECISIONS.has(input.decision)) throw invalid('decision');
  if (typeof input.reason !== 'string') throw invalid('reason');
  if (input.role !== null && input.role !== undefined && !isRole(input.role)) throw invalid('role');
  if (typeof input.break_glass !== 'boolean') throw invalid('break_glass');
  const purpose = input.purpose_of_use ?? null;
  if (purpose !== null && !PURPOSES.has(purpose)) throw invalid('purpose_of_use');

  const redactions = input.redactions ?? {};
  if (typeof redactions !== 'object' || Array.isArray(redactions)) throw invalid('redactions');
  for (const [kind, count] of Object.entries(redactions)) {
    if (!REDACTION_KIND.test(kind) || !Number.isSafeInteger(count) || count < 0) throw invalid('redactions');
  }

  return {
    time: normalizeTime(input.time),
    request_id: clientText(input.request_id, MAX_REQUEST_ID) ?? '',
    source: input.source,
    action: input.action,
    user_id: clientText(input.user_id, MAX_ID),
    role: input.role ?? null,
    tool: clientText(input.tool, MAX_TOOL),
    patient_id: clientText(input.patient_id, MAX_ID),
    decision: input.decision,
    reason: reasonSlug(input.reason),
    break_glass: input.break_glass ? 1 : 0,
    purpose_of_use: purpose,
    redactions: canonicalRedactions(redactions),
    client_address: clientText(input.client_address, MAX_ADDRESS),
    user_agent: clientText(input.user_agent, MAX_USER_AGENT),
    listed_patients: listedPatients(input.listed_patients),
    justification: justificationOf(input.justification),
  };
}

/** The break_glass tool takes at most 1,000 characters; the log holds no more. */
const MAX_JUSTIFICATION = 1000;

/**
 * Free text, checked as a written note is (core/free-text.ts) and refused rather than altered:
 * what the reviewer reads must be what the caller wrote, and what the hash covers.
 */
function justificationOf(text: string | undefined): string | null {
  if (text === undefined) return null;
  if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_JUSTIFICATION || freeTextProblem(text) !== undefined) {
    throw invalid('justification');
  }
  return text;
}

/** A page of search_patients holds at most 100; anything near this is a programming error. */
const MAX_LISTED = 1000;

/**
 * Ids our own query read from the patients table, checked strictly (an id changed here would
 * point a patient's log at someone else): sorted and unique, so one list has one text and hash.
 */
function listedPatients(ids: readonly string[] | undefined): string | null {
  if (ids === undefined || ids.length === 0) return null;
  if (!Array.isArray(ids) || ids.length > MAX_LISTED) throw invalid('listed_patients');
  for (const id of ids) {
    if (typeof id !== 'string' || id === '' || id.length > MAX_ID || CONTROL.test(id) || !id.isWellFormed()) throw invalid('listed_patients');
  }
  return JSON.stringify([...new Set(ids)].sort());
}
