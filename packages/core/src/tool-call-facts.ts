/**
 * What the audit event of a refused tools/call names: the tool and the patient it was about, as
 * far as the message says so. Both servers read it from a message they refuse (the MCP server
 * from any it answers; the gateway from a body it had read when it refused, a rate limit), so
 * that a record's history shows attempts on it too. Only a well-formed patient id is taken,
 * never an arbitrary value, which may be PHI.
 */

/** A patient id as the tools take it: P001, or the pseudonym a researcher was shown. */
export const PATIENT_ID_PATTERN = /^[A-Za-z0-9._-]+$/;
export const PATIENT_ID_MAX = 64;

/** tools/call, or the design note's dotted spelling of it (SPEC "Fixes to the design note"). */
export function isToolCall(method: unknown): boolean {
  return method === 'tools/call' || method === 'tools.call';
}

/** A `patient_id` argument when it is a well-formed id, trimmed as the tools trim it; else null. */
export function wellFormedPatientId(rawArgs: unknown): string | null {
  if (rawArgs === null || typeof rawArgs !== 'object' || !Object.hasOwn(rawArgs, 'patient_id')) return null;
  const named = (rawArgs as { patient_id: unknown }).patient_id;
  if (typeof named !== 'string') return null;
  const id = named.trim();
  return id.length >= 1 && id.length <= PATIENT_ID_MAX && PATIENT_ID_PATTERN.test(id) ? id : null;
}

/** The tool a tools/call message names and its well-formed patient id, when it has them. */
export function toolCallFacts(message: unknown): { tool?: string; patientId?: string } {
  if (message === null || typeof message !== 'object' || Array.isArray(message)) return {};
  const { method, params } = message as { method?: unknown; params?: unknown };
  if (!isToolCall(method) || params === null || typeof params !== 'object' || Array.isArray(params)) return {};
  const { name, arguments: args } = params as { name?: unknown; arguments?: unknown };
  const patientId = wellFormedPatientId(args);
  return { ...(typeof name === 'string' && { tool: name }), ...(patientId !== null && { patientId }) };
}
