/**
 * The tool pipeline: the one place a tools/call goes through, top to bottom (STYLE "Habits"):
 *
 *   validate input → resolve the patient → load its relationships → decide (policy engine)
 *   → run (fetch with the row filter inside the query, or prepare a write) → redact by role
 *   → validate output → audit (fail closed) → write, if any → answer
 *
 * Redaction, the output check and serialisation are pure functions of the fetched rows, the
 * role and the day; for rows that cannot change their result is remembered (answer-memo.ts).
 *
 * The caller is already authenticated by the transport. Every call, allowed, denied or
 * failed, leaves one audit event; a call whose event cannot be committed returns
 * ERR_AUDIT_UNAVAILABLE and no data, and makes no change. A write is made only after its
 * event is committed; if the write then fails, a second event (decision `error`) says so.
 */
import { recordOrRefuse, type AuditEventInput, type AuditSink } from '@secure-hospital-ai/core/audit/event';
import { createOverviewReader } from '@secure-hospital-ai/core/clinical/chart-cache';
import type { Database } from '@secure-hospital-ai/core/db/database';
import type { AuditDecision, Model, Principal } from '@secure-hospital-ai/core/domain';
import { AppError, toAppError } from '@secure-hospital-ai/core/errors';
import { isAllowed, isListAllowed, policyCondition, roleMayEver, type Decision } from '@secure-hospital-ai/core/policy/engine';
import { PURPOSE_OF_USE, type RowCondition } from '@secure-hospital-ai/core/policy/policy';
import { emptyRowContext, loadPatientRelationships, loadRowContexts, type PatientRelationships } from '@secure-hospital-ai/core/policy/relationships';
import { patientRowFilter } from '@secure-hospital-ai/core/policy/row-filter';
import { datesYearOnly } from '@secure-hospital-ai/core/redaction/engine';
import { assertPseudonymKey, isPseudonym } from '@secure-hospital-ai/core/redaction/pseudonym';
import type { RedactionCounts, RedactModel } from '@secure-hospital-ai/core/redaction/types';
import { holderKey } from '@secure-hospital-ai/core/sealed';
import type { ToolCallObserver } from '../metrics.js';
import { PRESERIALIZED } from '../protocol/jsonrpc.js';
import type { CallToolResult, McpBackend, RequestContext, ToolDescriptor } from '../protocol/types.js';
import { createAnswerMemo, type ShapedAnswer } from './answer-memo.js';
import { describeTool } from './describe.js';
import { createPseudonymDirectory } from './pseudonyms.js';
import { redactFetched } from './redact.js';
import { wellFormedPatientId } from './schemas.js';
import type { Fetched, ToolDefinition, ToolRunContext } from './tool.js';

export interface ToolBackendDeps {
  database: Database;
  audit: AuditSink;
  /** PSEUDONYM_KEY: the HMAC key of researchers' pseudonyms (never the JWT secret). */
  pseudonymKey: string;
  /** The clock, for break-glass expiry; tests move it. */
  now?: () => Date;
  /**
   * Overviews kept in memory against the chart revision (core/clinical/chart-cache.ts), and
   * as many shaped answers to them (answer-memo.ts); default 500, 0 = both off.
   */
  chartCacheEntries?: number;
  /** Told of every call once its audit event is written (the server's /metrics). */
  toolCalls?: ToolCallObserver;
}

const DEFAULT_CHART_CACHE_ENTRIES = 500;

/** What the audit event of one call says, filled in as the call goes down the pipeline. */
interface CallRecord {
  tool: string | null;
  patientId: string | null;
  /** The policy decision's reason phrase, once decided. */
  reason: string;
  breakGlass: boolean;
  redactions: RedactionCounts;
  /** For writes: the change, made once the allow event is committed. */
  write: (() => Promise<void>) | undefined;
  /** For lists: the patients the answer shows, each of whose access logs must find the call. */
  listed: readonly string[];
  /** For break_glass: why, in the caller's words. */
  justification: string | undefined;
}

/** What the decision step hands the fetch step. */
interface Authorised {
  patientId: string | undefined;
  condition: RowCondition;
  readable: ReadonlySet<Model>;
  /** The patient's chart revision, read with its relationships (before any of its chart). */
  chartRevision: string | undefined;
}

interface Subject {
  patientId: string | null;
  /** False for a pseudonym that names no patient: refused like a missing patient. */
  resolved: boolean;
  recordAs: string | null;
  /**
   * De-identified access naming a patient by something that is not a pseudonym (a real id):
   * answered like a missing patient, but recorded as what it is, a possible re-identification
   * attempt, not a typo.
   */
  notPseudonym?: true;
}

/** Reasons the audit log keeps verbatim are our own fixed phrases; anything else becomes the error code. */
const FIXED_PHRASE = /^[a-z0-9_.:-]{1,64}$/;

/** The error's own reason when it is one of our fixed phrases. */
function fixedPhraseOf(error: AppError): string | undefined {
  return error.internalReason && FIXED_PHRASE.test(error.internalReason) ? error.internalReason : undefined;
}

function auditReason(error: AppError): string {
  const phrase = fixedPhraseOf(error);
  if (phrase) return phrase;
  if (error.code === 'ERR_VALIDATION' || error.code === 'ERR_INVALID_PARAMS') return 'invalid_input';
  return error.code.toLowerCase();
}

/** Why a write whose allow event is committed was not made: our own phrase (a reused break-glass reason), else `write_failed`. */
function writeFailureReason(error: AppError): string {
  return fixedPhraseOf(error) ?? 'write_failed';
}

function decisionOf(error: AppError): AuditDecision {
  return error.code === 'ERR_FORBIDDEN' ? 'deny' : 'error';
}

/** The same refusal for a missing patient and a forbidden one; only the audit reason differs. */
function forbidden(decision: Decision): AppError {
  return new AppError('ERR_FORBIDDEN', { internalReason: decision.reason });
}

/** Whether the arguments' only fault is a patient_id, given as text, that no patient can have. */
function namesNoPatient(issues: ReadonlyArray<{ path: PropertyKey[] }>, rawArgs: unknown): boolean {
  const named = (rawArgs as { patient_id?: unknown } | null | undefined)?.patient_id;
  return typeof named === 'string' && named.trim() !== '' && issues.every((issue) => issue.path[0] === 'patient_id');
}

/** zod's first complaints (each once), naming the argument; never the value, which may be PHI. */
function invalidInput(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): AppError {
  const complaints = new Set(issues.map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : 'arguments'}: ${issue.message}`));
  return new AppError('ERR_VALIDATION', { detail: [...complaints].slice(0, 3).join('; ') });
}

/** The first instant of a UTC year, as the tools' date arguments come out of their schema. */
const START_OF_YEAR = /^\d{4}-01-01T00:00:00\.000Z$/;

/**
 * A caller who sees this tool's dates as years only may filter by a year only (redaction
 * engine, `datesYearOnly`): any other `since` is refused before the policy runs, as an
 * argument error the model can correct.
 */
function refuseFinerThanYear(tool: ToolDefinition, principal: Principal, args: Record<string, unknown>): void {
  const since = args.since;
  if (typeof since !== 'string' || START_OF_YEAR.test(since) || !datesYearOnly(principal.role, tool.model as RedactModel)) return;
  throw new AppError('ERR_VALIDATION', {
    detail: 'since: de-identified access sees years only, so it filters by year only: give the first day of a year (YYYY-01-01)',
  });
}

/** The real ids of the patients a list's answer shows (before redaction puts pseudonyms in their place). */
function listedPatients(fetched: Fetched): string[] {
  return Object.values(fetched.sections)
    .filter((section) => section.model === 'patient')
    .flatMap((section) => section.rows.map((row) => (row as { id?: unknown }).id))
    .filter((id): id is string => typeof id === 'string');
}

export function createToolBackend(tools: readonly ToolDefinition[], deps: ToolBackendDeps): McpBackend {
  assertPseudonymKey(deps.pseudonymKey);
  const clock = deps.now ?? (() => new Date());
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const descriptors = new Map<string, ToolDescriptor>(tools.map((tool) => [tool.name, describeTool(tool)]));
  const pseudonyms = createPseudonymDirectory(deps.database, deps.pseudonymKey);
  const overviews = createOverviewReader(deps.chartCacheEntries ?? DEFAULT_CHART_CACHE_ENTRIES);
  const answers = createAnswerMemo(deps.chartCacheEntries ?? DEFAULT_CHART_CACHE_ENTRIES);

  /** tools/list: what the policy lets this role ever call; derived from the policy data. */
  function listTools(principal: Principal): readonly ToolDescriptor[] {
    return tools.filter((tool) => roleMayEver(tool.model, tool.action, principal.role)).map((tool) => descriptors.get(tool.name) as ToolDescriptor);
  }

  async function audit(ctx: RequestContext, call: CallRecord, decision: AuditDecision, reason: string): Promise<void> {
    const { principal } = ctx;
    const event: AuditEventInput = {
      request_id: ctx.requestId,
      source: 'mcp-server',
      action: 'tools/call',
      user_id: principal.userId,
      role: principal.role,
      tool: call.tool,
      patient_id: call.patientId,
      decision,
      reason,
      break_glass: call.breakGlass,
      // Emergency access is recorded as such (HL7 PurposeOfUse ETREAT), whoever's it is.
      purpose_of_use: call.breakGlass ? 'ETREAT' : PURPOSE_OF_USE[principal.role],
      redactions: call.redactions as Record<string, number>,
      client_address: ctx.clientAddress,
      user_agent: ctx.userAgent ?? null,
      // Only an answer that goes out shows anyone.
      ...(decision === 'allow' && call.listed.length > 0 && { listed_patients: call.listed }),
      ...(call.justification !== undefined && { justification: call.justification }),
    };
    await recordOrRefuse(deps.audit, event);
    deps.toolCalls?.countToolCall(call.tool, decision);
  }

  /**
   * Which patient the call is about, as the policy sees it. `patientId` is null for a list or
   * a whole-log query; `recordAs` is what the audit event names (a pseudonym that resolved to
   * nobody is recorded as given, never guessed at).
   */
  async function subjectOf(tool: ToolDefinition, principal: Principal, args: Record<string, unknown>): Promise<Subject> {
    const named = typeof args.patient_id === 'string' ? args.patient_id : undefined;
    const condition = policyCondition(tool.model, tool.action, principal.role);
    if (tool.patient === 'none') return { patientId: null, resolved: true, recordAs: null };
    if (tool.patient === 'own_or_any' && condition !== 'own_record') {
      // The whole log: a patient_id is only a filter on it, not a record being read.
      return { patientId: null, resolved: true, recordAs: named ?? null };
    }
    const wanted = named ?? (tool.patient === 'own_or_any' ? principal.patientId : undefined);
    if (wanted === undefined) return { patientId: null, resolved: true, recordAs: null };
    // De-identified access addresses patients by pseudonym only: a real id names nobody.
    if (condition === 'deidentified') {
      if (!isPseudonym(wanted)) return { patientId: wanted, resolved: false, recordAs: wanted, notPseudonym: true };
      const real = await pseudonyms.resolve(wanted);
      return real === undefined ? { patientId: wanted, resolved: false, recordAs: wanted } : { patientId: real, resolved: true, recordAs: real };
    }
    return { patientId: wanted, resolved: true, recordAs: wanted };
  }

  /**
   * The patient a call refused before its decision named, for the audit event: a record's
   * history then shows attempts on it too. Only an argument that is a well-formed patient id
   * is taken, never an arbitrary value, and it is placed as an allowed call's would be (a
   * researcher's pseudonym as the patient it stands for). Null when there is none, or when
   * even that cannot be worked out: the refusal itself must still be recorded.
   */
  async function attemptedPatient(tool: ToolDefinition, principal: Principal, rawArgs: unknown): Promise<string | null> {
    const named = wellFormedPatientId(rawArgs);
    if (named === null) return null;
    try {
      return (await subjectOf(tool, principal, { patient_id: named })).recordAs;
    } catch {
      return null;
    }
  }

  async function relationshipsOf(principal: Principal, subject: Subject, now: Date): Promise<PatientRelationships> {
    if (subject.patientId === null) return { context: emptyRowContext(principal, null), chartRevision: undefined };
    if (!subject.resolved) return { context: emptyRowContext(principal, subject.patientId), chartRevision: undefined };
    return loadPatientRelationships(deps.database.db, principal, subject.patientId, now);
  }

  /** Decide: the policy engine on the patient's relationships (or the row filter, for lists). */
  async function decide(tool: ToolDefinition, principal: Principal, args: Record<string, unknown>, call: CallRecord, now: Date): Promise<Authorised> {
    const subject = await subjectOf(tool, principal, args);
    call.patientId = subject.recordAs;
    if (subject.notPseudonym) throw new AppError('ERR_FORBIDDEN', { internalReason: 'not_a_pseudonym' });
    const { context, chartRevision } = await relationshipsOf(principal, subject, now);
    const decision =
      tool.patient === 'none'
        ? isListAllowed(tool.model, tool.action, principal.role)
        : isAllowed(tool.model, tool.action, principal.role, principal.userId, context);
    if (!decision.allowed) throw forbidden(decision);
    call.reason = decision.reason;
    // Every access an emergency grant allows is flagged (starting one is, once it is planned).
    call.breakGlass = decision.breakGlass;
    // Sections of a composite answer are decided one by one, on the same relationships.
    const readable = new Set<Model>([tool.model]);
    for (const model of tool.sectionModels ?? []) {
      if (isAllowed(model, 'read', principal.role, principal.userId, context).allowed) readable.add(model);
    }
    return { patientId: subject.patientId ?? undefined, condition: decision.condition as RowCondition, readable, chartRevision };
  }

  function runContext(principal: Principal, tool: ToolDefinition, authorised: Authorised, now: Date): ToolRunContext {
    return {
      database: deps.database,
      db: deps.database.db,
      principal,
      patientId: authorised.patientId,
      chartRevision: authorised.chartRevision,
      readable: authorised.readable,
      condition: authorised.condition,
      rowFilter: patientRowFilter(principal, tool.model, tool.action, now),
      addressing: authorised.condition === 'deidentified' ? 'pseudonym' : 'id',
      pseudonymOf: pseudonyms.pseudonymOf,
      resolvePseudonym: pseudonyms.resolve,
      idsInPseudonymOrder: pseudonyms.idsInPseudonymOrder,
      // Derived when a tool pages, not on every call.
      get cursorKey() {
        return holderKey(deps.pseudonymKey, `${principal.userId}:${principal.role}`);
      },
      overviews,
      now,
    };
  }

  async function execute(ctx: RequestContext, name: string, rawArgs: unknown, call: CallRecord): Promise<CallToolResult> {
    const { principal } = ctx;
    const now = clock();
    const tool = byName.get(name);
    if (!tool) {
      // On the record as asked for: the name (the writer bounds it) and a well-formed patient id, as given.
      call.tool = name;
      call.patientId = wellFormedPatientId(rawArgs);
      throw new AppError('ERR_INVALID_PARAMS', { detail: 'name: no such tool', internalReason: 'unknown_tool' });
    }
    call.tool = tool.name;
    // A role that may never call the tool is refused before its arguments are even read
    // (only the patient it named is looked at, for the audit event).
    if (!roleMayEver(tool.model, tool.action, principal.role)) {
      call.patientId = await attemptedPatient(tool, principal, rawArgs);
      throw new AppError('ERR_FORBIDDEN', { internalReason: 'not_in_policy' });
    }

    const parsed = tool.input.safeParse(rawArgs ?? {});
    if (!parsed.success) {
      call.patientId = await attemptedPatient(tool, principal, rawArgs);
      // SPEC: a patient that does not exist is answered as one the caller may not see, and an
      // id no patient can have names one that does not exist.
      if (tool.patient === 'required' && namesNoPatient(parsed.error.issues, rawArgs)) {
        throw new AppError('ERR_FORBIDDEN', { internalReason: 'patient_not_found' });
      }
      // With other faults too, the answer names those only: what an unknown but well-formed id
      // would get, so the shape of an id never shows through.
      const named = (rawArgs as { patient_id?: unknown } | null | undefined)?.patient_id;
      const others = typeof named === 'string' && named.trim() !== '' ? parsed.error.issues.filter((issue) => issue.path[0] !== 'patient_id') : parsed.error.issues;
      throw invalidInput(others.length > 0 ? others : parsed.error.issues);
    }

    call.justification = tool.justification?.(parsed.data);
    refuseFinerThanYear(tool, principal, parsed.data as Record<string, unknown>);

    const authorised = await decide(tool, principal, parsed.data as Record<string, unknown>, call, now);

    const fetched = await tool.run(runContext(principal, tool, authorised, now), parsed.data);
    call.write = fetched.write;
    // Starting emergency access is flagged once it will happen: an attempt refused on the way
    // (a reason used before) started nothing, and is on the record with its words, unflagged.
    if (tool.action === 'break_glass') call.breakGlass = true;
    if (tool.patient === 'none') {
      call.listed = listedPatients(fetched);
      call.breakGlass = await listedUnderBreakGlass(tool, principal, call.listed, now);
    }

    const answer = answers.get(tool.name, fetched, principal.role, now) ?? (await shape(tool, fetched, principal.role, now));
    call.redactions = answer.counts;
    return { content: [{ type: 'text', text: answer.text }], structuredContent: answer.structured, [PRESERIALIZED]: answer.parts };
  }

  /** Redact by role → check against the output schema → serialise; remembered when the memo's key is all it depends on. */
  async function shape(tool: ToolDefinition, fetched: Fetched, role: Principal['role'], now: Date): Promise<ShapedAnswer> {
    const redacted = await redactFetched(deps.database.db, fetched, role, { pseudonymKey: deps.pseudonymKey, now });
    const checked = tool.output.safeParse(redacted.output);
    if (!checked.success) throw new AppError('ERR_INTERNAL', { internalReason: 'output_failed_schema' });
    const text = JSON.stringify(checked.data);
    const answer: ShapedAnswer = {
      structured: checked.data,
      text,
      parts: { content: JSON.stringify([{ type: 'text', text }]), structuredContent: text },
      counts: redacted.counts,
    };
    if (!redacted.scrubbed) answers.set(tool.name, fetched, role, now, answer);
    return answer;
  }

  /** A list that shows a patient only a break-glass grant allows is flagged like a single read. */
  async function listedUnderBreakGlass(tool: ToolDefinition, principal: Principal, ids: readonly string[], now: Date): Promise<boolean> {
    const contexts = await loadRowContexts(deps.database.db, principal, ids, now);
    return contexts.some((c) => isAllowed(tool.model, tool.action, principal.role, principal.userId, c).breakGlass);
  }

  // How many calls run at once, and the memory their answers hold, is the transport's to
  // limit (http/answer-budget.ts): it alone sees an answer until it has gone.
  async function callTool(ctx: RequestContext, name: string, args: unknown): Promise<CallToolResult> {
    const call: CallRecord = { tool: null, patientId: null, reason: 'not_decided', breakGlass: false, redactions: {}, write: undefined, listed: [], justification: undefined };
    let result: CallToolResult;
    try {
      result = await execute(ctx, name, args, call);
    } catch (thrown) {
      const error = toAppError(thrown);
      await audit(ctx, call, decisionOf(error), auditReason(error));
      throw error;
    }
    // Nothing is written before this commits: a change is never off the record.
    await audit(ctx, call, 'allow', call.reason);
    if (call.write !== undefined) {
      try {
        await call.write();
      } catch (thrown) {
        const error = toAppError(thrown);
        // The allow event stands; this one tells the reviewer the change was not made.
        await audit(ctx, call, 'error', writeFailureReason(error));
        throw error;
      }
    }
    return result;
  }

  return { listTools, callTool };
}
