/**
 * MCP method handling for one checked JSON-RPC request: initialize / server/discover, ping,
 * tools/list and tools/call, in both protocol eras. Knows nothing about HTTP; the transport
 * decides the status code and framing from the outcome.
 */
import { AppError, toAppError, toToolErrorResult } from '@secure-hospital-ai/core/errors';
import type { Era } from './era.js';
import { errorResponse, paramsObject, resultResponse, type JsonRpcId, type JsonRpcMessage, type JsonRpcResponse } from './jsonrpc.js';
import type { CallToolResult, McpBackend, RequestContext } from './types.js';
import { MODERN_PROTOCOL_VERSIONS, SERVER_INFO_META_KEY, negotiateLegacyVersion } from './versions.js';

export interface DispatchOutcome {
  readonly response: JsonRpcResponse;
  /** Set when the response is an error. */
  readonly error?: AppError;
  /** True when the error came from the backend (which audits its own refusals). */
  readonly fromBackend?: boolean;
}

export interface DispatcherOptions {
  backend: McpBackend;
  serverInfo: { name: string; version: string };
  instructions?: string;
}

export type Dispatch = (message: JsonRpcMessage & { id: JsonRpcId }, era: Era, ctx: RequestContext) => Promise<DispatchOutcome>;

const DEFAULT_INSTRUCTIONS =
  'Hospital records for authorised staff and patients: every call is checked against your role, redacted and audited.';

export function createDispatcher(options: DispatcherOptions): Dispatch {
  const { backend } = options;
  const serverInfo = { name: options.serverInfo.name, version: options.serverInfo.version };
  const instructions = options.instructions ?? DEFAULT_INSTRUCTIONS;
  const capabilities = { tools: { listChanged: false } };
  // Revision 2026-07-28: every result names its kind, and servers SHOULD identify themselves in
  // each result's _meta. These objects are shared by all responses (they are only serialised).
  const modernMeta = { [SERVER_INFO_META_KEY]: serverInfo };
  const modernEmpty = { resultType: 'complete', _meta: modernMeta };
  const discoverResult = {
    resultType: 'complete',
    supportedVersions: MODERN_PROTOCOL_VERSIONS,
    capabilities,
    instructions,
    // The answer does not depend on the caller, but is only served to authenticated ones.
    ttlMs: 0,
    cacheScope: 'private',
    _meta: modernMeta,
  };
  const legacyEmpty = {};

  function fail(id: JsonRpcId, error: AppError, fromBackend = false): DispatchOutcome {
    return { response: errorResponse(id, error), error, fromBackend };
  }

  function initialize(id: JsonRpcId, message: JsonRpcMessage): DispatchOutcome {
    const offered = paramsObject(message)?.protocolVersion;
    if (typeof offered !== 'string') return fail(id, new AppError('ERR_INVALID_PARAMS', { detail: 'initialize needs params.protocolVersion' }));
    return {
      response: resultResponse(id, {
        protocolVersion: negotiateLegacyVersion(offered),
        capabilities,
        serverInfo,
        instructions,
      }),
    };
  }

  function listTools(id: JsonRpcId, era: Era, ctx: RequestContext): DispatchOutcome {
    const tools = backend.listTools(ctx.principal);
    // The list depends on the caller's role, so no shared cache may keep it.
    const result = era === 'modern' ? { tools, ttlMs: 0, cacheScope: 'private', resultType: 'complete', _meta: modernMeta } : { tools };
    return { response: resultResponse(id, result) };
  }

  async function callTool(id: JsonRpcId, message: JsonRpcMessage, era: Era, ctx: RequestContext): Promise<DispatchOutcome> {
    const params = paramsObject(message);
    const name = params?.name;
    if (typeof name !== 'string' || name === '') return fail(id, new AppError('ERR_INVALID_PARAMS', { detail: 'tools/call needs params.name' }));
    let args = params?.arguments;
    if (args === undefined) args = {};
    else if (typeof args !== 'object' || args === null || Array.isArray(args)) {
      return fail(id, new AppError('ERR_INVALID_PARAMS', { detail: 'tools/call params.arguments must be an object' }));
    }
    let result: CallToolResult;
    try {
      result = await backend.callTool(ctx, name, args);
    } catch (error) {
      const failure = toAppError(error);
      const toolError = toToolErrorResult(failure);
      // The backend has audited it; as a result, the model reads why and can correct the call.
      if (toolError === undefined) return fail(id, failure, true);
      result = toolError;
    }
    return { response: resultResponse(id, era === 'modern' ? { ...result, resultType: 'complete', _meta: modernMeta } : result) };
  }

  return async function dispatch(message, era, ctx) {
    const id = message.id;
    switch (message.method) {
      case 'tools/call':
      case 'tools.call': // the design note's spelling (SPEC "Fixes to the design note")
        return callTool(id, message, era, ctx);
      case 'tools/list':
      case 'tools.list':
        return listTools(id, era, ctx);
      case 'ping':
        return { response: resultResponse(id, era === 'modern' ? modernEmpty : legacyEmpty) };
      case 'initialize':
        // 2026-07-28 has no handshake; an enveloped initialize is not a method of that revision.
        if (era === 'modern') break;
        return initialize(id, message);
      case 'server/discover':
        // Answered in either era: it carries no state, and a 2025 client probing for it is harmless.
        return { response: resultResponse(id, discoverResult) };
      default:
        break;
    }
    return fail(id, new AppError('ERR_METHOD_NOT_FOUND'));
  };
}
