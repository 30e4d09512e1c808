/**
 * MCP protocol revisions this server speaks, in two eras:
 * - legacy (2024-11-05 … 2025-11-25): `initialize` handshake, version carried by the
 *   `MCP-Protocol-Version` header after it;
 * - modern (2026-07-28 …): no handshake, `server/discover`, and a `_meta` envelope on every
 *   request naming the revision, the client and its capabilities.
 */

/** Newest first; the first entry is what `initialize` answers when the client's offer is unknown. */
export const LEGACY_PROTOCOL_VERSIONS: readonly string[] = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05', '2024-10-07'];
export const MODERN_PROTOCOL_VERSIONS: readonly string[] = ['2026-07-28'];
export const LATEST_LEGACY_PROTOCOL_VERSION = '2025-11-25';

/**
 * Streamable HTTP (2025-06-18 §2.7): with no `MCP-Protocol-Version` header and nothing else to go
 * on, a server SHOULD assume 2025-03-26.
 */
export const ASSUMED_PROTOCOL_VERSION = '2025-03-26';

/** Reserved `_meta` keys of revision 2026-07-28. */
export const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';
export const CLIENT_CAPABILITIES_META_KEY = 'io.modelcontextprotocol/clientCapabilities';
export const SERVER_INFO_META_KEY = 'io.modelcontextprotocol/serverInfo';

const LEGACY = new Set(LEGACY_PROTOCOL_VERSIONS);
const MODERN = new Set(MODERN_PROTOCOL_VERSIONS);

export function isLegacyVersion(version: string): boolean {
  return LEGACY.has(version);
}

export function isModernVersion(version: string): boolean {
  return MODERN.has(version);
}

export function isSupportedVersion(version: string): boolean {
  return LEGACY.has(version) || MODERN.has(version);
}

/** Lifecycle (2025-11-25): answer the client's version when we support it, else our latest. */
export function negotiateLegacyVersion(offered: string): string {
  return LEGACY.has(offered) ? offered : LATEST_LEGACY_PROTOCOL_VERSION;
}
