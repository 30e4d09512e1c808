/**
 * What a server can know of its client for logs and audit events: its address, and its user
 * agent. Both servers take them the same way.
 *
 * The address: X-Forwarded-For is believed from the nearest hop (the socket's peer) only, and
 * only when that peer is a proxy we run; believing further hops would let a client name its
 * own address by sending the header itself.
 * - The gateway believes it with TRUST_PROXY (a reverse proxy in front); otherwise its peer is
 *   the client.
 * - The MCP server's usual caller is the gateway, which sends the client's address in
 *   X-Forwarded-For. A peer on the loopback interface (the gateway on the same host, as `npm
 *   start` runs them) is believed without TRUST_PROXY, so every proxied call's audit event names
 *   the real client instead of 127.0.0.1; a remote peer is believed only with TRUST_PROXY (a
 *   gateway on another host).
 */

/** proxy-addr's trust test (fastify `trustProxy`): the socket's peer is a proxy we run. */
export function trustNearestHop(_address: string, hop: number): boolean {
  return hop === 0;
}

/** The same, for a peer on this host only. */
export function trustNearestLoopbackHop(address: string, hop: number): boolean {
  return hop === 0 && isLoopback(address);
}

function isLoopback(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** Longest user agent kept; the rest of a longer one says nothing an audit needs. */
export const MAX_USER_AGENT = 256;

export function userAgentFrom(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' ? header.slice(0, MAX_USER_AGENT) : undefined;
}
