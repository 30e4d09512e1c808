/**
 * get_audit_log's query: the auditor filters the whole log; a patient sees who accessed
 * their own record (user, role, time, tool, and the record's id, so each event says whose
 * record it was about) and nothing else. Newest first, keyset-paged on
 * seq, so pages stay stable while events are appended.
 */
import { sql, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Database } from '../db/database.js';
import type { Tables } from '../db/schema.js';
import { accountIdFrom, type AuditDecision, type Role } from '../domain.js';
import { AppError } from '../errors.js';
import { parseInstant } from '../instants.js';
import { seal, unseal } from '../sealed.js';
import { listedIds } from './chain.js';
import { auditDb, type AuditTables } from './tables.js';

export interface AuditLogFilters {
  patient_id?: string;
  user_id?: string;
  /** Inclusive, ISO-8601. */
  since?: string;
  /** Exclusive, ISO-8601. */
  until?: string;
  decision?: AuditDecision;
  break_glass?: boolean;
  /** 1 … 200; default 50. */
  limit?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string;
}

/**
 * The conditions of the partial indexes on decision and break-glass (migration 0005), word for
 * word: SQLite's planner uses a partial index only for a query whose WHERE holds its term.
 */
const REFUSED_EVENTS = sql<SqlBool>`decision <> 'allow'`;
const EMERGENCY_EVENTS = sql<SqlBool>`break_glass = 1`;

export type AuditLogViewer = { role: 'auditor' } | { role: 'patient'; patientId: string };

/** What the auditor sees: every field except the chain hashes. */
export interface AuditorAuditEvent {
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
  break_glass: boolean;
  purpose_of_use: string | null;
  redactions: Record<string, number>;
  client_address: string | null;
  user_agent: string | null;
  /** The patients a search listed (empty for every other event). */
  listed_patients: string[];
  /** Why emergency access was asked for, in the caller's words (break_glass events only). */
  justification: string | null;
}

/** What a patient sees about an access to their record (HIPAA accounting of disclosures). */
export interface PatientAuditEvent {
  time: string;
  user_id: string | null;
  /**
   * The account's name as it is now (HIPAA's accounting names who saw the record; an id means
   * nothing to a patient). Null for an event with no account behind it.
   */
  user_name: string | null;
  role: Role | null;
  tool: string | null;
  /** Always the patient's own, also for a search that listed them among others (whom it does not name). */
  patient_id: string;
}

export type AuditLogPage<E> = { events: E[]; next_cursor: string | null };

export const AUDIT_LOG_MAX_LIMIT = 200;
export const AUDIT_LOG_DEFAULT_LIMIT = 50;
const CURSOR_PREFIX = 'a1.';

/** Display names of the accounts a page's events name, by the id the events carry. */
async function accountNames(database: Database, userIds: ReadonlyArray<string | null>): Promise<Map<string, string>> {
  const ids = [...new Set(userIds.map((id) => (id === null ? undefined : accountIdFrom(id))).filter((id) => id !== undefined))];
  if (ids.length === 0) return new Map();
  const rows = await database.db.selectFrom('accounts').select(['id', 'display_name']).where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [String(row.id), row.display_name]));
}

/** The purpose audit log cursors are sealed for (sealed.ts). */
const AUDIT_CURSOR = 'audit-log-cursor';

export interface AuditLogOptions {
  /**
   * Seals cursors (sealed.ts), as the tool does: a cursor is a seq, which would tell a patient
   * how many events the whole log holds, and one made up by hand would be taken.
   */
  cursorKey?: string | Uint8Array;
}

export function encodeCursor(seq: number, key?: string | Uint8Array): string {
  return key ? seal(String(seq), key, AUDIT_CURSOR) : CURSOR_PREFIX + Buffer.from(String(seq)).toString('base64url');
}

export function decodeCursor(cursor: string, key?: string | Uint8Array): number {
  const bad = () => new AppError('ERR_VALIDATION', { detail: 'cursor is not one this server issued' });
  if (typeof cursor !== 'string') throw bad();
  let text: string | undefined;
  if (key) text = unseal(cursor, key, AUDIT_CURSOR);
  else if (cursor.startsWith(CURSOR_PREFIX)) text = Buffer.from(cursor.slice(CURSOR_PREFIX.length), 'base64url').toString();
  if (text === undefined || !/^[1-9][0-9]{0,15}$/.test(text)) throw bad();
  return Number(text);
}

/** The page's query (one row more than the limit), after the filters are checked. */
export function auditLogQuery(database: Database, filters: AuditLogFilters, viewer: AuditLogViewer, options: AuditLogOptions = {}) {
  const limit = filters.limit ?? AUDIT_LOG_DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_LOG_MAX_LIMIT) {
    throw new AppError('ERR_VALIDATION', { detail: `limit must be an integer from 1 to ${AUDIT_LOG_MAX_LIMIT}` });
  }
  if (filters.decision !== undefined && !['allow', 'deny', 'error'].includes(filters.decision)) {
    throw new AppError('ERR_VALIDATION', { detail: 'decision must be allow, deny or error' });
  }

  let patientId = filters.patient_id;
  if (viewer.role === 'patient') {
    // A patient asking about someone else gets the same answer as for a record they may not see.
    if (patientId !== undefined && patientId !== viewer.patientId) throw new AppError('ERR_FORBIDDEN');
    patientId = viewer.patientId;
  }
  const since = filters.since === undefined ? undefined : parseInstant(filters.since, 'since');
  const until = filters.until === undefined ? undefined : parseInstant(filters.until, 'until');
  const cursor = filters.cursor === undefined ? undefined : decodeCursor(filters.cursor, options.cursorKey);

  /**
   * Every condition but the patient's, on audit_events, whatever else the query joins. The
   * cursor goes on `seq` too, the column whose index the query walks: neither engine carries a
   * range across the join's equality, and without it PostgreSQL merge-joined the listed page
   * with every event above the cursor (130–270 ms for a page from the middle of a million events).
   */
  const filtered = <Q extends SelectQueryBuilder<Tables & AuditTables, 'audit_events' | 'audit_event_patients', object>>(
    query: Q,
    seq: 'audit_events.seq' | 'audit_event_patients.seq' = 'audit_events.seq',
  ): Q => {
    let q: SelectQueryBuilder<Tables & AuditTables, 'audit_events' | 'audit_event_patients', object> = query;
    // A patient sees accesses to the record, not refusals or the security events around them.
    if (viewer.role === 'patient') q = q.where('audit_events.action', '=', 'tools/call').where('audit_events.decision', '=', 'allow');
    if (filters.user_id !== undefined) q = q.where('audit_events.user_id', '=', filters.user_id);
    if (since !== undefined) q = q.where('audit_events.time', '>=', since);
    if (until !== undefined) q = q.where('audit_events.time', '<', until);
    if (filters.decision !== undefined) q = q.where('audit_events.decision', '=', filters.decision);
    // The partial indexes' own conditions, repeated so that SQLite's planner can use them.
    if (filters.decision !== undefined && filters.decision !== 'allow') q = q.where(REFUSED_EVENTS);
    if (filters.break_glass === true) q = q.where(EMERGENCY_EVENTS);
    if (filters.break_glass === false) q = q.where('audit_events.break_glass', '=', 0);
    if (cursor !== undefined) q = q.where('audit_events.seq', '<', cursor);
    if (cursor !== undefined && seq !== 'audit_events.seq') q = q.where(seq, '<', cursor);
    return q as Q;
  };

  const events = auditDb(database).selectFrom('audit_events');
  if (patientId === undefined) {
    // One extra row tells whether there is a next page without a count query.
    return filtered(events).selectAll('audit_events').orderBy('audit_events.seq', 'desc').limit(limit + 1);
  }
  // The events about the record, and the searches that listed it (migration 0010). Each of the
  // two indexes is walked newest first and stops at a page's worth of matches, so a page costs
  // about a page however many events the record has: a patient in 250,000 of a million events
  // had every one of them read and sorted for each page (BENCHMARKS.md, "Audit log"). An OR of
  // the two conditions has PostgreSQL scan the whole log.
  const id = patientId;
  const about = filtered(events.select('audit_events.seq').where('audit_events.patient_id', '=', id))
    .orderBy('audit_events.seq', 'desc')
    .limit(limit + 1);
  const listing = filtered(
    auditDb(database)
      .selectFrom('audit_event_patients')
      .innerJoin('audit_events', 'audit_events.seq', 'audit_event_patients.seq')
      .select('audit_event_patients.seq')
      .where('audit_event_patients.patient_id', '=', id),
    'audit_event_patients.seq',
  )
    .orderBy('audit_event_patients.seq', 'desc')
    .limit(limit + 1);
  return events
    .selectAll('audit_events')
    .where('audit_events.seq', 'in', (eb) =>
      eb.selectFrom(about.as('a')).select('a.seq').unionAll(eb.selectFrom(listing.as('b')).select('b.seq')),
    )
    .orderBy('audit_events.seq', 'desc')
    .limit(limit + 1);
}

export function queryAuditLog(
  database: Database,
  filters: AuditLogFilters,
  viewer: { role: 'auditor' },
  options?: AuditLogOptions,
): Promise<AuditLogPage<AuditorAuditEvent>>;
export function queryAuditLog(
  database: Database,
  filters: AuditLogFilters,
  viewer: { role: 'patient'; patientId: string },
  options?: AuditLogOptions,
): Promise<AuditLogPage<PatientAuditEvent>>;
export function queryAuditLog(
  database: Database,
  filters: AuditLogFilters,
  viewer: AuditLogViewer,
  options?: AuditLogOptions,
): Promise<AuditLogPage<AuditorAuditEvent | PatientAuditEvent>>;
export async function queryAuditLog(
  database: Database,
  filters: AuditLogFilters,
  viewer: AuditLogViewer,
  options: AuditLogOptions = {},
): Promise<AuditLogPage<AuditorAuditEvent | PatientAuditEvent>> {
  const limit = filters.limit ?? AUDIT_LOG_DEFAULT_LIMIT;
  const rows = await auditLogQuery(database, filters, viewer, options).execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const next_cursor = rows.length > limit && last ? encodeCursor(Number(last.seq), options.cursorKey) : null;

  if (viewer.role === 'patient') {
    const names = await accountNames(database, page.map((r) => r.user_id));
    return {
      events: page.map((r) => ({
        time: r.time,
        user_id: r.user_id,
        user_name: (r.user_id !== null && names.get(r.user_id)) || null,
        role: r.role as Role | null,
        tool: r.tool,
        patient_id: viewer.patientId,
      })),
      next_cursor,
    };
  }
  return {
    events: page.map((r) => ({
      seq: Number(r.seq),
      time: r.time,
      request_id: r.request_id,
      source: r.source,
      action: r.action,
      user_id: r.user_id,
      role: r.role,
      tool: r.tool,
      patient_id: r.patient_id,
      decision: r.decision,
      reason: r.reason,
      break_glass: r.break_glass === 1,
      purpose_of_use: r.purpose_of_use,
      redactions: JSON.parse(r.redactions) as Record<string, number>,
      client_address: r.client_address,
      user_agent: r.user_agent,
      listed_patients: listedIds(r.listed_patients),
      justification: r.justification,
    })),
    next_cursor,
  };
}
