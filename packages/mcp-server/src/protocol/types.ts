/**
 * The seams between the MCP transport (HTTP framing + JSON-RPC/MCP handling) and the rest
 * of the server: the tool backend it dispatches to and the hooks it calls before dispatch.
 */
import type { PRESERIALIZED, PreSerializedParts } from './jsonrpc.js';
import type { AppError, AuthenticatedSubject } from '@secure-hospital-ai/core/errors';
import type { Principal } from '@secure-hospital-ai/core/domain';

/** What a tool call knows about the HTTP request that carried it (for policy and audit). */
export interface RequestContext {
  requestId: string;
  clientAddress: string;
  userAgent: string | undefined;
  traceparent: string | undefined;
  principal: Principal;
  protocolVersion: string;
}

export interface ToolDescriptor {
  name: string;
  title?: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

export interface CallToolResult {
  content: Array<{ type: 'text'; text: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  /** content's and structuredContent's JSON text, when the backend already has them (jsonrpc.ts serializeResponse). */
  [PRESERIALIZED]?: PreSerializedParts;
}

export interface McpBackend {
  /** Tools this principal's role can ever call (tools/list). */
  listTools(principal: Principal): readonly ToolDescriptor[];
  /** Throws AppError (from core/errors) for refusals; e.g. ERR_FORBIDDEN -> HTTP 403 + JSON-RPC {code:-32003,message:'Forbidden'}. */
  callTool(ctx: RequestContext, name: string, args: unknown): Promise<CallToolResult>;
}

export interface TransportHooks {
  /** Verifies the bearer token and identity headers; throws AppError (401/403). */
  authenticate(request: { headers: Record<string, string | string[] | undefined> }): Promise<Principal>;
  /**
   * Called for every request the transport itself refuses (bad origin, bad token, bad headers,
   * malformed or unknown JSON-RPC), so it can be audited. Not called for errors the backend
   * throws from callTool (the backend audits its own decisions), nor for the 405 that answers
   * the GET every SDK client sends after its handshake. Must not throw.
   */
  onRefused?(info: {
    requestId: string;
    clientAddress: string;
    userAgent: string | undefined;
    error: AppError;
    /** Who the caller proved to be: the principal, or the subject of a token that verified but was refused. */
    principal?: AuthenticatedSubject;
    /** For a refused tools/call: the tool it named and its well-formed patient id, for the record. */
    tool?: string;
    patientId?: string;
  }): void | Promise<void>;
}
