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

export function userAgentFrom(header: HeaderValue): string | undefined {
  return typeof header === 'string' ? header.slice(0, 256) : undefined;
}

export type Framing = 'json' | 'sse';

/** What both SDK lines send; checked first so the usual request skips the parse below. */
const SDK_ACCEPT = 'application/json, text/event-stream';
const ZERO_QUALITY = /;\s*q\s*=\s*0(?:\.0{0,3})?\s*(?:;|$)/i;

/**
 * How to frame the answer. JSON whenever the client accepts it (and when it sent no Accept at
 * all, as the design note's clients do); one SSE event when it accepts only text/event-stream;
 * undefined (406) when it accepts neither.
 */
export function negotiateFraming(header: HeaderValue): Framing | undefined {
  if (header === undefined || header === SDK_ACCEPT) return 'json';
  const accept = typeof header === 'string' ? header : header.join(',');
  if (accept.trim() === '') return 'json';
  let sse = false;
  for (const range of accept.split(',')) {
    const semicolon = range.indexOf(';');
    const type = (semicolon === -1 ? range : range.slice(0, semicolon)).trim().toLowerCase();
    if (semicolon !== -1 && ZERO_QUALITY.test(range.slice(semicolon))) continue;
    if (type === 'application/json' || type === 'application/*' || type === '*/*') return 'json';
    if (type === 'text/event-stream' || type === 'text/*') sse = true;
  }
  return sse ? 'sse' : undefined;
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
