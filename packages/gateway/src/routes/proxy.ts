/**
 * POST /mcp-proxy/: the authenticated door to the MCP server. The checks run as hooks, in
 * this order, before a byte of the body is read: Origin (DNS rebinding, CSRF) -> declared
 * size -> media type -> bearer token (the Authorization header only, never a cookie, which
 * is why no CSRF token is needed: SPEC "Option A"; a token that verified but is refused
 * after is answered once the body is read, to name the call on the record) -> per-account
 * rate. Then the body, read
 * raw and capped at 1 MiB, goes upstream byte for byte, and the MCP server's status and body
 * come back as they are: event streams and large answers piped as they arrive, a small JSON
 * answer of declared length in one write.
 *
 * This is the hot path: no schema validation, no per-request closures, one Pool.
 */
import type {
  FastifyError,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  preHandlerHookHandler,
} from 'fastify';
import type { AuditSink } from '@secure-hospital-ai/core/audit/event';
import type { Authenticator } from '@secure-hospital-ai/core/authenticate';
import { userAgentFrom } from '@secure-hospital-ai/core/client';
import type { Config } from '@secure-hospital-ai/core/config';
import type { Principal } from '@secure-hospital-ai/core/domain';
import { AppError } from '@secure-hospital-ai/core/errors';
import type { Logger } from '@secure-hospital-ai/core/logger';
import { ACCEPT_BOTH_FRAMINGS, MAX_BATCH_LENGTH, negotiateFraming } from '@secure-hospital-ai/core/mcp-framing';
import { jsonRpcErrorBody, refusedBody, sendJsonRpcError, toGatewayError } from '../error-responses.js';
import type { RateLimiter } from '../rate-limit.js';
import { auditRefusal } from '../request-context.js';
import { noStore, originCheck } from '../route-hooks.js';
import { traceparentFrom } from '../trace-context.js';
import { upstreamFailure, type McpUpstream, type UpstreamResponse } from '../upstream.js';

export const MAX_PROXY_BODY_BYTES = 1024 * 1024;

export interface ProxyRoutesOptions {
  readonly config: Config;
  readonly authenticator: Authenticator;
  readonly audit: AuditSink;
  readonly upstream: McpUpstream;
  /** null when RATE_LIMIT_PER_USER is 0 (benchmarks). */
  readonly rateLimiter: RateLimiter | null;
  readonly logger: Logger;
}

const UPSTREAM_ACCEPT_SSE = 'text/event-stream';

/**
 * The Accept sent upstream: always one the MCP transport accepts (SPEC), framed as the client
 * asked. A client that takes only event streams gets one through the proxy as it would
 * directly; every other client, including one that sent no Accept or one the transport would
 * refuse (the design note's clients), gets JSON.
 */
function upstreamAccept(clientAccept: string | undefined): string {
  return negotiateFraming(clientAccept) === 'sse' ? UPSTREAM_ACCEPT_SSE : ACCEPT_BOTH_FRAMINGS;
}

/**
 * MCP headers the server needs to see as the client sent them, whatever their length: the MCP
 * server refuses a bad one, and one left out here would skip its checks.
 */
const PASSED_THROUGH = ['mcp-protocol-version', 'mcp-method', 'mcp-name'] as const;

/**
 * What a body spends of the per-user rate: one, or a batch's elements (only a body that opens
 * with `[` is parsed). Every request counts, not only tools/call: each one is a token check and
 * an account read at both servers.
 */
function callsIn(body: Buffer): number {
  let at = 0;
  while (at < body.length && (body[at] === 0x20 || body[at] === 0x09 || body[at] === 0x0a || body[at] === 0x0d)) at += 1;
  if (body[at] !== 0x5b) return 1;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    // A batch longer than the MCP server takes is refused whole, running nothing: it costs one
    // (charged for its elements, 1,300 of them were a 429 whose Retry-After could never come).
    return Array.isArray(parsed) && parsed.length <= MAX_BATCH_LENGTH ? Math.max(1, parsed.length) : 1;
  } catch {
    return 1; // not JSON: the MCP server refuses it
  }
}

/**
 * Answer headers relayed from the MCP server: end-to-end ones only. Hop-by-hop headers
 * (RFC 9110 §7.6.1: Connection, Keep-Alive, Transfer-Encoding, …) and anything else the
 * MCP server sets (cookies included) stay behind.
 */
const RELAYED = ['content-type', 'content-length', 'x-request-id', 'mcp-protocol-version', 'www-authenticate', 'retry-after'] as const;

/** Answers up to this size with a Content-Length are read whole, then sent in one write. */
const BUFFERED_ANSWER_MAX_BYTES = 64 * 1024;

const METHOD_NOT_ALLOWED_BODY = JSON.stringify(jsonRpcErrorBody(new AppError('ERR_METHOD_NOT_ALLOWED')));

function isJsonMediaType(value: string | undefined): boolean {
  if (value === undefined) return false;
  if (value === 'application/json') return true;
  const semicolon = value.indexOf(';');
  return (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase() === 'application/json';
}

async function readUpstreamBody(response: UpstreamResponse): Promise<Buffer> {
  try {
    return Buffer.from(await response.body.arrayBuffer());
  } catch (error) {
    throw upstreamFailure(error);
  }
}

function keepRawBody(_request: FastifyRequest, body: Buffer, done: (error: Error | null, body?: Buffer) => void): void {
  done(null, body);
}

export const proxyRoutes: FastifyPluginAsync<ProxyRoutesOptions> = async (app, options) => {
  const { authenticator, audit, upstream, rateLimiter, logger } = options;

  app.decorateRequest('principal', null);
  // The body is forwarded, never interpreted: keep its bytes (SPEC "Fixes": no re-encoding).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: MAX_PROXY_BODY_BYTES }, keepRawBody);

  const checkOrigin = originCheck(options.config.allowedOrigins);

  /** Size and type from the headers, before authentication and before reading the body. */
  const checkDeclaredBody: onRequestHookHandler = (request, _reply, done) => {
    const length = request.headers['content-length'];
    if (length !== undefined && Number(length) > MAX_PROXY_BODY_BYTES) {
      done(new AppError('ERR_BODY_TOO_LARGE', { internalReason: 'content_length_over_limit' }));
      return;
    }
    if (!isJsonMediaType(request.headers['content-type'])) {
      done(new AppError('ERR_UNSUPPORTED_MEDIA', { internalReason: 'not_json' }));
      return;
    }
    done();
  };

  /** Refusals of identified callers, kept until their body is read (a WeakMap: gone with the request). */
  const afterTheBody = new WeakMap<FastifyRequest, AppError>();

  /**
   * A token that verified but is refused after (account deactivated, token revoked, role
   * changed) names its caller; their body, declared within the limit above, is then read too,
   * so that the refusal's event names the tool and patient they tried (a former employee's
   * attempts on a record were missing from its history). Any other failure refuses at once,
   * before a byte of the body is read.
   */
  const authenticateBearer: onRequestHookHandler = async (request) => {
    try {
      request.principal = await authenticator.authenticate(request.headers);
    } catch (error) {
      if (!(error instanceof AppError) || error.subject === undefined) throw error;
      afterTheBody.set(request, error);
    }
  };

  const refuseIdentified: preHandlerHookHandler = async (request) => {
    const refusal = afterTheBody.get(request);
    if (refusal !== undefined) throw refusal;
  };

  // After the body is read: a batch spends as many as it has elements.
  const limitRate: preHandlerHookHandler = async (request) => {
    const wait = await (rateLimiter as RateLimiter).take((request.principal as Principal).userId, callsIn(request.body as Buffer));
    if (wait > 0) {
      throw new AppError('ERR_THROTTLED', { internalReason: 'rate_limited', headers: { 'retry-after': String(wait) } });
    }
  };

  const guards = [noStore, checkOrigin, checkDeclaredBody, authenticateBearer];
  const afterBody = rateLimiter ? [refuseIdentified, limitRate] : [refuseIdentified];

  async function forward(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const principal = request.principal as Principal;
    const incoming = request.headers;
    const headers: Record<string, string> = {
      authorization: incoming.authorization as string,
      'content-type': incoming['content-type'] as string,
      accept: upstreamAccept(incoming.accept),
      'x-request-id': request.id,
      traceparent: traceparentFrom(incoming.traceparent),
      // From the verified token, never from the client's own headers.
      'x-user-id': principal.userId,
      'x-user-role': principal.role,
      'x-forwarded-for': request.ip,
    };
    for (const name of PASSED_THROUGH) {
      const value = incoming[name];
      if (typeof value === 'string') headers[name] = value;
    }
    // The client's, for the MCP server's audit event (with its address, in X-Forwarded-For).
    const agent = userAgentFrom(incoming['user-agent']);
    if (agent !== undefined) headers['user-agent'] = agent;
    const response = await upstream.post(headers, request.body as Buffer);
    const answer = response.headers;
    // A small answer of declared length (the usual JSON result) is complete in one or two
    // reads anyway: sent as one buffer it leaves in one write with its headers, cheaper than
    // piping. Event streams and large answers are piped as they arrive. The body is read
    // before anything is set on the reply, so a failure here still answers a clean 502.
    const body = Number(answer['content-length']) <= BUFFERED_ANSWER_MAX_BYTES ? await readUpstreamBody(response) : response.body;
    reply.code(response.statusCode);
    for (const name of RELAYED) {
      const value = answer[name];
      if (value !== undefined) reply.header(name, value);
    }
    // An empty answer (202 to a notification) goes on empty: a Buffer would gain a content type.
    return Buffer.isBuffer(body) && body.length === 0 ? reply.send() : reply.send(body);
  }

  function methodNotAllowed(_request: FastifyRequest, reply: FastifyReply): void {
    // Stateless Streamable HTTP: no server-initiated stream (GET) and no session (DELETE).
    reply.code(405).header('allow', 'POST').header('cache-control', 'no-store').type('application/json').send(METHOD_NOT_ALLOWED_BODY);
  }

  async function refusePublicly(error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) {
    // An identified caller's refusal stands, whatever went wrong with the body after it.
    const refusal = afterTheBody.get(request) ?? toGatewayError(error);
    // Refused after the body was read (rate limit, MCP server unreachable or too slow): the
    // client's id is echoed, and a tools/call's tool and patient go on the record.
    const { id, ...call } = refusedBody(request.body);
    if (refusal.http < 500) {
      // Refusals are the gateway's to audit; the MCP server audits the calls that reach it.
      await auditRefusal(audit, logger, request, refusal.internalReason ?? refusal.code, refusal.subject, call);
    } else {
      logger.warn({ reqId: request.id, code: refusal.code, reason: refusal.internalReason }, 'proxy request failed');
    }
    return sendJsonRpcError(reply, refusal, id);
  }

  app.setErrorHandler(refusePublicly);

  for (const path of ['/mcp-proxy/', '/mcp-proxy']) {
    app.post(path, { onRequest: guards, preHandler: afterBody, bodyLimit: MAX_PROXY_BODY_BYTES }, forward);
    app.route({ method: ['GET', 'PUT', 'PATCH', 'DELETE'], url: path, handler: methodNotAllowed });
  }
};
