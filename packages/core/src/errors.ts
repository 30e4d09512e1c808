/**
 * Every error that can reach a client is one of these classes, each with a stable code.
 * The mapping to an HTTP status and a JSON-RPC error code lives in ERROR_TABLE, the one
 * place where a refusal's wire shape is decided (see STYLE.md: errors like jose's).
 */
import type { Role } from './domain.js';

export const ERROR_TABLE = {
  // Authentication: RFC 6750 §3.1 asks for 401 + WWW-Authenticate on a bad bearer token.
  ERR_TOKEN_MISSING: { http: 401, rpc: -32001, message: 'Authentication required' },
  ERR_TOKEN_INVALID: { http: 401, rpc: -32001, message: 'Invalid token' },
  ERR_TOKEN_EXPIRED: { http: 401, rpc: -32001, message: 'Token expired' },
  ERR_TOKEN_REVOKED: { http: 401, rpc: -32001, message: 'Token revoked' },
  ERR_TOKEN_TYPE: { http: 401, rpc: -32001, message: 'Wrong token type' },
  ERR_IDENTITY_MISMATCH: { http: 401, rpc: -32001, message: 'Identity headers disagree with the token' },
  ERR_BAD_CREDENTIALS: { http: 401, rpc: -32001, message: 'No active account found with the given credentials' },
  ERR_ACCOUNT_INACTIVE: { http: 403, rpc: -32003, message: 'Account is deactivated' },
  // Authorisation: a missing patient and a forbidden one answer alike (SPEC "Policy").
  ERR_FORBIDDEN: { http: 403, rpc: -32003, message: 'Forbidden' },
  ERR_ORIGIN: { http: 403, rpc: -32003, message: 'Origin not allowed' },
  ERR_THROTTLED: { http: 429, rpc: -32029, message: 'Too many requests' },
  // Request shape.
  ERR_BODY_TOO_LARGE: { http: 413, rpc: -32600, message: 'Request body too large' },
  ERR_UNSUPPORTED_MEDIA: { http: 415, rpc: -32600, message: 'Content-Type must be application/json' },
  ERR_NOT_ACCEPTABLE: { http: 406, rpc: -32600, message: 'Not Acceptable' },
  ERR_METHOD_NOT_ALLOWED: { http: 405, rpc: -32600, message: 'Method not allowed' },
  ERR_PARSE: { http: 400, rpc: -32700, message: 'Parse error' },
  ERR_INVALID_REQUEST: { http: 400, rpc: -32600, message: 'Invalid Request' },
  ERR_HEADERS_TOO_LARGE: { http: 431, rpc: -32600, message: 'Request headers too large' },
  ERR_REQUEST_TIMEOUT: { http: 408, rpc: -32600, message: 'Request timeout' },
  ERR_ANSWER_TOO_LARGE: { http: 413, rpc: -32600, message: 'Answer too large' },
  ERR_METHOD_NOT_FOUND: { http: 404, rpc: -32601, message: 'Method not found' },
  ERR_INVALID_PARAMS: { http: 400, rpc: -32602, message: 'Invalid params' },
  // MCP 2026-07-28 Streamable HTTP: routing headers that disagree with the body, and a
  // protocol revision the server does not speak.
  ERR_HEADER_MISMATCH: { http: 400, rpc: -32020, message: 'Header mismatch' },
  ERR_UNSUPPORTED_PROTOCOL_VERSION: { http: 400, rpc: -32022, message: 'Unsupported protocol version' },
  ERR_VALIDATION: { http: 400, rpc: -32602, message: 'Invalid input' },
  ERR_NOT_FOUND: { http: 404, rpc: -32004, message: 'Not found' },
  ERR_CONFLICT: { http: 409, rpc: -32009, message: 'Conflict' },
  // Upstream and internal.
  ERR_UPSTREAM_UNREACHABLE: { http: 502, rpc: -32002, message: 'MCP server unreachable' },
  ERR_UPSTREAM_TIMEOUT: { http: 504, rpc: -32002, message: 'MCP server timed out' },
  ERR_AUDIT_UNAVAILABLE: { http: 503, rpc: -32603, message: 'Audit log unavailable; nothing was returned' },
  ERR_UNAVAILABLE: { http: 503, rpc: -32603, message: 'Service unavailable' },
  ERR_INTERNAL: { http: 500, rpc: -32603, message: 'Internal error' },
} as const satisfies Record<string, { http: number; rpc: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

/** An identity a signature proved: the user id and role inside a token that verified. */
export interface AuthenticatedSubject {
  readonly userId: string;
  readonly role: Role;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly http: number;
  readonly rpc: number;
  /** Safe to show the client; never contains PHI or secrets. */
  readonly detail: string;
  /** For the audit log and server logs only; never sent to the client. */
  readonly internalReason: string | undefined;
  /** Extra headers the answer must carry (WWW-Authenticate, Retry-After). */
  readonly headers: Readonly<Record<string, string>>;
  /** Structured data safe to return in a JSON-RPC error's `data`. */
  readonly data: unknown;
  /**
   * Who the refused request proved to be, when it got that far (a token that verified, for a
   * deactivated account, say): for the audit log only, never sent.
   */
  readonly subject: AuthenticatedSubject | undefined;

  constructor(
    code: ErrorCode,
    options: {
      detail?: string;
      internalReason?: string;
      headers?: Record<string, string>;
      data?: unknown;
      subject?: AuthenticatedSubject;
    } = {},
  ) {
    const entry = ERROR_TABLE[code];
    super(options.detail ?? entry.message);
    this.name = 'AppError';
    this.code = code;
    this.http = entry.http;
    this.rpc = entry.rpc;
    this.detail = options.detail ?? entry.message;
    this.internalReason = options.internalReason;
    this.headers = options.headers ?? {};
    this.data = options.data;
    this.subject = options.subject;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** SQLite's answer when another process holds the lock past the wait: a moment's unavailability, not a fault. */
const DATABASE_BUSY = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_TIMEOUT', 'SQLITE_LOCKED']);

/**
 * The database out of reach for a moment (a network blip, a failover, a restart): a socket's
 * error codes, PostgreSQL's connection exceptions (class 08), shutdowns (57P01–57P03) and a
 * full server (53300), and node-postgres's own words for a connection that ended. Answered
 * 503 with Retry-After, as /readyz already says, not 500.
 */
const DATABASE_UNREACHABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53300',
]);
const CONNECTION_ENDED = /^(?:Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;

/** Any thrown value as an AppError; unknown errors become ERR_INTERNAL without leaking their text. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && DATABASE_BUSY.has(code)) {
    return new AppError('ERR_UNAVAILABLE', { detail: 'The database is busy; try again shortly', internalReason: `database_busy:${code.toLowerCase()}`, headers: { 'retry-after': '1' } });
  }
  const message = error instanceof Error ? error.message : '';
  if ((typeof code === 'string' && DATABASE_UNREACHABLE.has(code)) || CONNECTION_ENDED.test(message)) {
    return new AppError('ERR_UNAVAILABLE', {
      detail: 'The database cannot be reached; try again shortly',
      internalReason: `database_unreachable:${typeof code === 'string' ? code.toLowerCase() : 'connection_ended'}`,
      headers: { 'retry-after': '1' },
    });
  }
  return new AppError('ERR_INTERNAL', { internalReason: error instanceof Error ? error.message : String(error) });
}

/** The JSON-RPC 2.0 error object for an AppError (message is always the safe text). */
export function toJsonRpcError(error: AppError): { code: number; message: string; data?: unknown } {
  const base = { code: error.rpc, message: ERROR_TABLE[error.code].message };
  if (error.data !== undefined) return { ...base, data: error.data };
  if (error.detail !== ERROR_TABLE[error.code].message) return { ...base, data: { detail: error.detail } };
  return base;
}

/**
 * Errors in a tool's own arguments or its business rules (a date that is not one, a reused
 * break-glass reason) are Tool Execution Errors in MCP 2025-11-25 (SEP-1303): a tools/call
 * result with `isError`, which clients hand to the model so it can correct the call. Every
 * other error stays a JSON-RPC error (a forbidden patient, an unknown tool, a missing name).
 */
const TOOL_EXECUTION_ERRORS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['ERR_VALIDATION', 'ERR_CONFLICT']);

/** The tools/call result for an AppError that is a tool execution error; undefined for the others. */
export function toToolErrorResult(error: AppError): { content: [{ type: 'text'; text: string }]; isError: true } | undefined {
  if (!TOOL_EXECUTION_ERRORS.has(error.code)) return undefined;
  const title = ERROR_TABLE[error.code].message;
  return { content: [{ type: 'text', text: error.detail === title ? title : `${title}: ${error.detail}` }], isError: true };
}

/** Bearer challenge (RFC 6750 §3) for the token failures; deliberately no `insufficient_scope`. */
export function bearerChallenge(code: ErrorCode): Record<string, string> {
  if (ERROR_TABLE[code].http !== 401) return {};
  const description = ERROR_TABLE[code].message.replace(/"/g, "'");
  return code === 'ERR_TOKEN_MISSING'
    ? { 'www-authenticate': 'Bearer realm="secure-hospital-ai"' }
    : { 'www-authenticate': `Bearer realm="secure-hospital-ai", error="invalid_token", error_description="${description}"` };
}
