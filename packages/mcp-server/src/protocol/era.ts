/**
 * Which protocol era a message belongs to. Classification is body-primary, as in revision
 * 2026-07-28: a `_meta` envelope naming a modern revision makes the message modern; the
 * `MCP-Protocol-Version` header is only a cross-check. No envelope means the 2025-era protocol.
 */
import { AppError } from '@secure-hospital-ai/core/errors';
import { paramsObject, type JsonRpcMessage } from './jsonrpc.js';
import {
  ASSUMED_PROTOCOL_VERSION,
  CLIENT_CAPABILITIES_META_KEY,
  LEGACY_PROTOCOL_VERSIONS,
  MODERN_PROTOCOL_VERSIONS,
  PROTOCOL_VERSION_META_KEY,
  isLegacyVersion,
  isModernVersion,
} from './versions.js';

export type Era = 'legacy' | 'modern';

export interface EraResolution {
  readonly era: Era;
  /** The revision governing this message (for the audit trail and the tool context). */
  readonly version: string;
}

/**
 * Revision 2026-07-28 answers a header/body disagreement with 400 and JSON-RPC -32020
 * (HeaderMismatch) and an unknown revision with 400 and -32022 (core's ERROR_TABLE).
 */
export const HEADER_MISMATCH_CODE = 'ERR_HEADER_MISMATCH' as const;
export const UNSUPPORTED_VERSION_CODE = 'ERR_UNSUPPORTED_PROTOCOL_VERSION' as const;

export function headerMismatch(detail: string): AppError {
  return new AppError(HEADER_MISMATCH_CODE, { detail });
}

export function unsupportedVersion(requested: string): AppError {
  return new AppError(UNSUPPORTED_VERSION_CODE, {
    detail: 'Unsupported protocol version',
    data: {
      detail: 'Unsupported protocol version',
      supported: [...MODERN_PROTOCOL_VERSIONS, ...LEGACY_PROTOCOL_VERSIONS],
      requested,
    },
  });
}

const LEGACY_ASSUMED: EraResolution = { era: 'legacy', version: ASSUMED_PROTOCOL_VERSION };
const resolutions = new Map<string, EraResolution>();
function resolution(era: Era, version: string): EraResolution {
  const key = `${era}:${version}`;
  let found = resolutions.get(key);
  if (found === undefined) {
    found = { era, version };
    resolutions.set(key, found);
  }
  return found;
}

/**
 * @param headerVersion the request's `MCP-Protocol-Version` header, already checked to name a
 *   revision this server supports.
 * @returns the era, or the AppError to refuse the message with (HTTP 400).
 */
export function resolveEra(message: JsonRpcMessage, isRequest: boolean, headerVersion: string | undefined): EraResolution | AppError {
  const meta = paramsObject(message)?._meta;
  const claim = typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>)[PROTOCOL_VERSION_META_KEY] : undefined;

  if (claim === undefined) {
    if (headerVersion === undefined) return LEGACY_ASSUMED;
    // A modern header on an envelope-less request is a broken 2026 client, not a 2025 one.
    if (isModernVersion(headerVersion) && isRequest) {
      return new AppError('ERR_INVALID_PARAMS', { detail: `Request is missing the _meta envelope (${PROTOCOL_VERSION_META_KEY})` });
    }
    return resolution(isModernVersion(headerVersion) ? 'modern' : 'legacy', headerVersion);
  }

  if (typeof claim !== 'string') {
    return new AppError('ERR_INVALID_PARAMS', { detail: `Invalid _meta envelope: ${PROTOCOL_VERSION_META_KEY} must be a string` });
  }
  if (headerVersion !== undefined && headerVersion !== claim) {
    return headerMismatch('MCP-Protocol-Version header does not match the request body');
  }
  if (isModernVersion(claim)) {
    const capabilities = (meta as Record<string, unknown>)[CLIENT_CAPABILITIES_META_KEY];
    if (isRequest && (typeof capabilities !== 'object' || capabilities === null || Array.isArray(capabilities))) {
      return new AppError('ERR_INVALID_PARAMS', { detail: `Request is missing the _meta envelope key ${CLIENT_CAPABILITIES_META_KEY}` });
    }
    return resolution('modern', claim);
  }
  if (isLegacyVersion(claim)) return resolution('legacy', claim);
  return unsupportedVersion(claim);
}
