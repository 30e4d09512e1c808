/**
 * How an MCP answer over Streamable HTTP is framed for a client's Accept header: as JSON or as
 * one server-sent event (MCP 2025-11-25, "Sending Messages to the Server"). The MCP server
 * frames its answers by it, and the gateway by it chooses the Accept it forwards, so a client
 * gets the same framing directly and through the proxy.
 */
type HeaderValue = string | string[] | undefined;

export type Framing = 'json' | 'sse';

/**
 * Most elements a JSON-RPC batch may have: the MCP server refuses a longer one whole (400),
 * and the gateway charges the per-user rate for its elements only up to this.
 */
export const MAX_BATCH_LENGTH = 100;

/**
 * Both answer forms of the transport: what both SDK lines send, and what the gateway forwards
 * for every client that does not take event streams only. Checked first, so the usual request
 * skips the parse below.
 */
export const ACCEPT_BOTH_FRAMINGS = 'application/json, text/event-stream';
const ZERO_QUALITY = /;\s*q\s*=\s*0(?:\.0{0,3})?\s*(?:;|$)/i;

/**
 * How to frame the answer. JSON whenever the client accepts it (and when it sent no Accept at
 * all, as the design note's clients do); one SSE event when it accepts only text/event-stream;
 * undefined (406) when it accepts neither.
 */
export function negotiateFraming(header: HeaderValue): Framing | undefined {
  if (header === undefined || header === ACCEPT_BOTH_FRAMINGS) return 'json';
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
