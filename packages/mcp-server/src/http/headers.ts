/**
 * Reading the request headers the MCP transport cares about. Each function takes the raw
 * node header value (string, string[] when repeated, or undefined) and never throws.
 */
import { randomUUID } from 'node:crypto';

type HeaderValue = string | string[] | undefined;

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps the caller's X-Request-Id when it is a plain token (it ends up in logs and audit rows), else a new one. */
export function requestIdFrom(header: HeaderValue): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

// W3C Trace Context §3.2: version-traceid-parentid-flags, lowercase hex.
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

export function traceparentFrom(header: HeaderValue): string | undefined {
  return typeof header === 'string' && TRACEPARENT.test(header) ? header : undefined;
}


const BASE64_PREFIX = '=?base64?';
const BASE64_SUFFIX = '?=';

/**
 * Decodes an `Mcp-Name` value (revision 2026-07-28): values that are not plain printable ASCII
 * travel as `=?base64?<base64 of UTF-8>?=`. Returns undefined for a repeated header.
 */
export function decodeMcpHeaderValue(header: HeaderValue): string | undefined {
  if (typeof header !== 'string') return undefined;
  if (header.length >= BASE64_PREFIX.length + BASE64_SUFFIX.length && header.startsWith(BASE64_PREFIX) && header.endsWith(BASE64_SUFFIX)) {
    return Buffer.from(header.slice(BASE64_PREFIX.length, -BASE64_SUFFIX.length), 'base64').toString('utf8');
  }
  return header;
}
