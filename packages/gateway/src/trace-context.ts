/**
 * Correlation identifiers that travel with a request to the MCP server: X-Request-Id (kept
 * when the client's is sane, so a client can find its own request in the audit log) and
 * W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header).
 */
import { randomUUID } from 'node:crypto';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's X-Request-Id when it is safe to echo into logs and headers, else a fresh UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

// version "00": exactly four fields; later versions may append fields after a dash (§3.2.4).
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_PARENT_ID = '0'.repeat(16);

export function isValidTraceparent(value: string): boolean {
  if (value.length > 512) return false;
  const match = TRACEPARENT.exec(value);
  if (!match) return false;
  const [, version, traceId, parentId, , rest] = match;
  if (version === 'ff') return false;
  if (version === '00' && rest !== undefined) return false;
  return traceId !== ZERO_TRACE_ID && parentId !== ZERO_PARENT_ID;
}

/**
 * The client's traceparent when valid, else the start of a new trace (sampled flag off).
 * The ids come from randomUUID (122 random bits each, drawn from Node's pre-filled entropy
 * cache), which costs a tenth of a randomBytes call on this path.
 */
export function traceparentFrom(header: string | string[] | undefined): string {
  if (typeof header === 'string' && isValidTraceparent(header)) return header;
  const traceId = randomUUID().replace(DASHES, '');
  const parentId = randomUUID().replace(DASHES, '').slice(0, 16);
  return `00-${traceId}-${parentId}-00`;
}

const DASHES = /-/g;
