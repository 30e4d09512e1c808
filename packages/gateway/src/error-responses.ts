/**
 * How a refusal looks on the wire at the gateway. Status and codes always come from core's
 * ERROR_TABLE; this module only chooses the body's shape: `{"detail": …}` for the token and
 * health routes (SimpleJWT's shape, which existing clients parse) and a JSON-RPC error object
 * for the MCP proxy (MCP clients parse that).
 */
import type { FastifyReply } from 'fastify';
import { AppError, toAppError, toJsonRpcError, type ErrorCode } from '@secure-hospital-ai/core/errors';
import { echoableId, type JsonRpcId } from '@secure-hospital-ai/core/jsonrpc-id';
import { toolCallFacts } from '@secure-hospital-ai/core/tool-call-facts';

const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'ERR_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'ERR_UNSUPPORTED_MEDIA',
  FST_ERR_CTP_INVALID_JSON_BODY: 'ERR_PARSE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'ERR_PARSE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'ERR_INVALID_REQUEST',
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'ERR_INVALID_REQUEST',
  404: 'ERR_NOT_FOUND',
  405: 'ERR_METHOD_NOT_ALLOWED',
  406: 'ERR_NOT_ACCEPTABLE',
  413: 'ERR_BODY_TOO_LARGE',
  415: 'ERR_UNSUPPORTED_MEDIA',
  429: 'ERR_THROTTLED',
};

/**
 * Any error as an AppError: ours pass through; Fastify's own (bad JSON, body too large,
 * unsupported media type) map through the same table; anything else is a 500 whose text
 * stays in the server log.
 */
export function toGatewayError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (typeof error === 'object' && error !== null) {
    const { code, statusCode, message } = error as { code?: unknown; statusCode?: unknown; message?: unknown };
    const reason = typeof message === 'string' ? message : undefined;
    const byCode = typeof code === 'string' ? FRAMEWORK_CODES[code] : undefined;
    if (byCode) return new AppError(byCode, { internalReason: typeof code === 'string' ? code : undefined });
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      return new AppError(STATUS_CODES[statusCode] ?? 'ERR_INVALID_REQUEST', { internalReason: reason });
    }
    // Everything else as core maps it: a busy database is 503, anything unforeseen 500.
    return toAppError(error);
  }
  return new AppError('ERR_INTERNAL', { internalReason: String(error) });
}

/** `{"detail": …}`, plus SimpleJWT's machine-readable `code` when the error carries one. */
export function detailBody(error: AppError): { detail: string; code?: string } {
  const data = error.data as { code?: unknown } | undefined;
  if (data && typeof data.code === 'string') return { detail: error.detail, code: data.code };
  return { detail: error.detail };
}

/** A refusal in JSON-RPC's shape; `id` is null when the request's could not be read (JSON-RPC 2.0 §5). */
export function jsonRpcErrorBody(error: AppError, id: JsonRpcId | null = null): { jsonrpc: '2.0'; id: JsonRpcId | null; error: ReturnType<typeof toJsonRpcError> } {
  return { jsonrpc: '2.0', id, error: toJsonRpcError(error) };
}

/**
 * A body read before its refusal, parsed only then (the proxy forwards bodies unread): the id
 * of a single request to echo (null for a batch or a body without a usable one), and the tool
 * and patient a single tools/call names, for the refusal's audit event (core/tool-call-facts.ts).
 */
export function refusedBody(body: unknown): { id: JsonRpcId | null; tool?: string; patientId?: string } {
  if (!Buffer.isBuffer(body)) return { id: null };
  try {
    const message: unknown = JSON.parse(body.toString('utf8'));
    return { id: echoableId(message), ...toolCallFacts(message) };
  } catch {
    return { id: null };
  }
}

export function sendDetailError(reply: FastifyReply, error: AppError): FastifyReply {
  return reply.code(error.http).headers(error.headers).type('application/json; charset=utf-8').send(detailBody(error));
}

export function sendJsonRpcError(reply: FastifyReply, error: AppError, id: JsonRpcId | null = null): FastifyReply {
  return reply.code(error.http).headers(error.headers).type('application/json; charset=utf-8').send(jsonRpcErrorBody(error, id));
}
