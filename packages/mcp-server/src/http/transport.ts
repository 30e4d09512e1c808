/**
 * MCP Streamable HTTP, stateless, as a fastify plugin: POST carries one JSON-RPC message (or a
 * 2025-era batch) and gets its answer as JSON or as one SSE event; GET and DELETE are 405 and
 * no session id is ever issued.
 *
 * Order of checks, each answering before the next step runs:
 *   onRequest: Origin (403) → HTTP method (405) → bearer token (401/403) → Accept (406) →
 *              MCP-Protocol-Version header (400)            — before any body byte is read
 *              (but a token that verified and is refused after is answered once the body is
 *              read, so that its event names the tool and patient tried)
 *   parsing:   Content-Type (415) → size (413)
 *   handler:   JSON (400/-32700) → envelope (400/-32600) → headers vs body (400) → dispatch
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '@secure-hospital-ai/core/domain';
import { userAgentFrom } from '@secure-hospital-ai/core/client';
import { AppError, bearerChallenge, isAppError, toAppError } from '@secure-hospital-ai/core/errors';
import { MAX_BATCH_LENGTH, negotiateFraming, type Framing } from '@secure-hospital-ai/core/mcp-framing';
import { originAllowList } from '@secure-hospital-ai/core/origins';
import { toolCallFacts } from '@secure-hospital-ai/core/tool-call-facts';
import { createDispatcher, type DispatchOutcome } from '../protocol/dispatcher.js';
import { headerMismatch, resolveEra, unsupportedVersion, type Era } from '../protocol/era.js';
import {
  classifyMessage,
  echoableId,
  errorResponse,
  isToolCall,
  paramsObject,
  responseBody,
  serializeResponse,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcResponse,
} from '../protocol/jsonrpc.js';
import type { McpBackend, RequestContext, TransportHooks } from '../protocol/types.js';
import { isModernVersion, isSupportedVersion } from '../protocol/versions.js';
import { createAnswerBudget, DEFAULT_ANSWER_BUDGET, type AnswerBudgetLimits, type AnswerTicket } from './answer-budget.js';
import { decodeMcpHeaderValue, requestIdFrom, traceparentFrom } from './headers.js';

export interface McpTransportOptions {
  backend: McpBackend;
  hooks: TransportHooks;
  /** Browser origins allowed to call (DNS-rebinding defence); requests without Origin pass. */
  allowedOrigins: readonly string[];
  serverInfo: { name: string; version: string };
  /** Default `/mcp/` and `/mcp`. */
  paths?: string[];
  /** One line for the client's model; a default is used when absent. */
  instructions?: string;
  /** Tool calls running at once, and characters of answers in flight (answer-budget.ts). */
  answerBudget?: AnswerBudgetLimits;
}

/**
 * A tools/call without an id: JSON-RPC would have it run unanswered, which would make it a
 * call nobody is told the outcome of. It is refused (Streamable HTTP: a notification the
 * server cannot accept gets an HTTP error) and audited, not run.
 */
function toolCallWithoutId(): AppError {
  return new AppError('ERR_INVALID_REQUEST', { detail: 'tools/call is a request: it needs an id', internalReason: 'tools_call_without_id' });
}

/** SPEC: bodies over 1 MiB are refused (413). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** How many of a batch's calls run at once. */
const BATCH_CONCURRENCY = 4;
/** A batch's answer stops growing past this many characters of JSON: the calls after it are not run. */
export const MAX_BATCH_ANSWER_CHARS = 16 * 1024 * 1024;

/**
 * A tool call the answers in flight leave no room for: not run, answered at once (503 with
 * Retry-After on its own, in-band in a batch), and audited.
 */
function busy(): AppError {
  return new AppError('ERR_UNAVAILABLE', {
    detail: 'The server is busy sending large answers; this call was not run. Try again in a moment.',
    internalReason: 'answer_budget',
    headers: { 'retry-after': '1' },
  });
}

/**
 * Errors that keep their own HTTP status when a single request's dispatch raises them (the
 * SPEC's 403 for a forbidden patient); every other JSON-RPC error is answered in-band on 200,
 * which is what SDK clients expect.
 */
const STATUS_CARRYING_ERRORS = new Set([401, 403, 429, 503]);

interface McpRequestState {
  requestId: string;
  principal: Principal | undefined;
  framing: Framing;
  headerVersion: string | undefined;
  /**
   * The refusal of a caller whose token verified but who may not call now (deactivated,
   * revoked, role changed): answered once the body is read, so that its event names the tool
   * and patient they tried.
   */
  identifiedRefusal: AppError | undefined;
  /** The tool calls this request has admitted, given back once its answer has gone. */
  tickets: AnswerTicket[] | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    mcpTransport: McpRequestState | null;
  }
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * JSON is UTF-8 (RFC 8259 §8.1): bytes that are not are a parse error, not text with U+FFFD in
 * their place (a note was stored as "BP ��� 120/80"). A byte-order mark stays in the text, so
 * it is refused as before.
 */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function registerMcpTransport(app: FastifyInstance, options: McpTransportOptions): void {
  const { hooks } = options;
  const dispatch = createDispatcher({
    backend: options.backend,
    serverInfo: options.serverInfo,
    ...(options.instructions !== undefined && { instructions: options.instructions }),
  });
  const originAllowed = originAllowList(options.allowedOrigins);
  const paths = routePaths(app, options.paths ?? ['/mcp/', '/mcp']);
  const budget = createAnswerBudget(options.answerBudget ?? DEFAULT_ANSWER_BUDGET);

  /**
   * A slot and a booking for a tools/call (answer-budget.ts): `undefined` for any other
   * method, which is not counted; null when there is no room. The booking is given back when
   * the response closes, however it ends.
   */
  async function admit(reply: FastifyReply, state: McpRequestState, message: JsonRpcMessage): Promise<AnswerTicket | null | undefined> {
    if (!isToolCall(message.method)) return undefined;
    // Answers are as large as the record asked for: one patient's 12 MB of notes must not book
    // every other patient's notes at 12 MB (a re-test saw small calls refused beside it).
    const { tool = '', patientId } = toolCallFacts(message);
    const ticket = await budget.admit(patientId === undefined ? tool : `${tool}\0${patientId}`);
    if (ticket === null) return null;
    if (state.tickets === undefined) {
      const tickets: AnswerTicket[] = (state.tickets = []);
      reply.raw.once('close', () => {
        for (const held of tickets) held.release();
      });
    }
    state.tickets.push(ticket);
    return ticket;
  }

  /** Runs an admitted call; its slot passes on as soon as it has run. */
  async function dispatchAdmitted(
    request: FastifyRequest,
    reply: FastifyReply,
    state: McpRequestState,
    message: JsonRpcMessage & { id: JsonRpcId },
    era: Era,
    ctx: RequestContext,
    ticket: AnswerTicket | undefined,
  ): Promise<DispatchOutcome> {
    try {
      return await safeDispatch(request, state, message, era, ctx);
    } finally {
      ticket?.ran();
      // A client gone before the call was admitted: 'close' has fired already and will not again.
      if (reply.raw.closed) ticket?.release();
    }
  }

  /** `message`: the JSON-RPC message refused, when it is a tools/call, so the record names its tool and patient. */
  async function notifyRefused(request: FastifyRequest, state: McpRequestState | null, error: AppError, message?: unknown): Promise<void> {
    if (hooks.onRefused === undefined) return;
    const caller = state?.principal ?? error.subject;
    try {
      await hooks.onRefused({
        requestId: state?.requestId ?? requestIdFrom(undefined),
        clientAddress: request.ip,
        userAgent: userAgentFrom(request.headers['user-agent']),
        error,
        ...(caller !== undefined && { principal: caller }),
        ...toolCallFacts(message),
      });
    } catch (hookError) {
      // The hook must not throw; if it does, the refusal still goes out.
      request.log.error({ requestId: state?.requestId, err: { name: (hookError as Error)?.name } }, 'mcp onRefused hook threw');
    }
  }

  function sendJson(reply: FastifyReply, status: number, payload: JsonRpcResponse): FastifyReply {
    return sendJsonText(reply, status, responseBody(payload));
  }

  function sendJsonText(reply: FastifyReply, status: number, body: string | Buffer): FastifyReply {
    return reply.code(status).header('content-type', JSON_CONTENT_TYPE).send(body);
  }

  function sendError(reply: FastifyReply, status: number, error: AppError, id: JsonRpcId | null): FastifyReply {
    applyErrorHeaders(reply, error);
    return sendJson(reply, status, errorResponse(id, error));
  }

  /** A transport-level refusal: audited, answered with the error's own HTTP status. */
  async function refuse(request: FastifyRequest, reply: FastifyReply, error: AppError, id: JsonRpcId | null = null, message?: unknown): Promise<FastifyReply> {
    await notifyRefused(request, request.mcpTransport, error, message);
    return sendError(reply, error.http, error, id);
  }

  /** Failures on our side (an internal error, the audit log unavailable) are an operator's business: logged, with the reason. */
  function logInternal(request: FastifyRequest, state: McpRequestState, error: AppError): void {
    if (error.http >= 500) request.log.error({ requestId: state.requestId, code: error.code, reason: error.internalReason }, 'mcp request failed');
  }

  async function onRequest(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const headers = request.headers;
    const state: McpRequestState = {
      requestId: requestIdFrom(headers['x-request-id']),
      principal: undefined,
      framing: 'json',
      headerVersion: undefined,
      identifiedRefusal: undefined,
      tickets: undefined,
    };
    request.mcpTransport = state;
    reply.header('x-request-id', state.requestId);

    const origin = headers.origin;
    if (origin !== undefined && !originAllowed(origin)) return refuse(request, reply, new AppError('ERR_ORIGIN'));
    if (request.method !== 'POST') {
      // Not audited: both SDK lines open a GET stream after every handshake, and 405 is the
      // protocol's way of saying this server has none (Streamable HTTP, "Listening").
      const error = new AppError('ERR_METHOD_NOT_ALLOWED', { headers: { allow: 'POST' } });
      return sendError(reply, error.http, error, null);
    }

    try {
      state.principal = await hooks.authenticate({ headers });
    } catch (error) {
      const appError = toAppError(error);
      logInternal(request, state, appError);
      // Anyone else is refused before a byte of the body is read.
      if (appError.subject === undefined) return refuse(request, reply, appError);
      state.identifiedRefusal = appError;
      return undefined;
    }

    const framing = negotiateFraming(headers.accept);
    if (framing === undefined) return refuse(request, reply, new AppError('ERR_NOT_ACCEPTABLE'));
    state.framing = framing;

    const headerVersion = headers['mcp-protocol-version'];
    if (headerVersion !== undefined) {
      if (typeof headerVersion !== 'string' || !isSupportedVersion(headerVersion)) {
        return refuse(request, reply, unsupportedVersion(String(headerVersion)));
      }
      state.headerVersion = headerVersion;
    }
    return undefined;
  }

  function contextFor(request: FastifyRequest, state: McpRequestState, protocolVersion: string): RequestContext {
    const headers = request.headers;
    return {
      requestId: state.requestId,
      clientAddress: request.ip,
      userAgent: userAgentFrom(headers['user-agent']),
      traceparent: traceparentFrom(headers.traceparent),
      principal: state.principal as Principal,
      protocolVersion,
    };
  }

  /** Dispatches one request; whatever it throws becomes an in-band error, and protocol-level refusals are reported. */
  async function safeDispatch(
    request: FastifyRequest,
    state: McpRequestState,
    message: JsonRpcMessage & { id: JsonRpcId },
    era: Era,
    ctx: RequestContext,
  ): Promise<DispatchOutcome> {
    let outcome: DispatchOutcome;
    try {
      outcome = await dispatch(message, era, ctx);
    } catch (error) {
      const appError = toAppError(error);
      outcome = { response: errorResponse(message.id, appError), error: appError, fromBackend: true };
    }
    const error = outcome.error;
    if (error !== undefined) {
      logInternal(request, state, error);
      if (outcome.fromBackend !== true) await notifyRefused(request, state, error);
    }
    return outcome;
  }

  async function handleSingle(request: FastifyRequest, reply: FastifyReply, state: McpRequestState, value: unknown): Promise<FastifyReply> {
    const kind = classifyMessage(value);
    if (kind === 'invalid') return refuse(request, reply, new AppError('ERR_INVALID_REQUEST'), echoableId(value));
    if (kind === 'response') return reply.code(202).send();
    const message = value as JsonRpcMessage;
    const id = message.id ?? null;
    const headers = request.headers;

    // Revision 2026-07-28 mirrors the method (and the tool name) into headers so intermediaries
    // can route without parsing; a disagreement would let the two see different requests.
    const methodHeader = headers['mcp-method'];
    if (methodHeader !== undefined && methodHeader !== message.method) {
      return refuse(request, reply, headerMismatch('Mcp-Method header does not match the request body'), id);
    }
    const era = resolveEra(message, kind === 'request', state.headerVersion);
    if (isAppError(era)) return refuse(request, reply, era, id);
    const nameHeader = headers['mcp-name'];
    if (nameHeader !== undefined && isToolCall(message.method)) {
      if (decodeMcpHeaderValue(nameHeader) !== paramsObject(message)?.name) {
        return refuse(request, reply, headerMismatch('Mcp-Name header does not match the request body'), id, message);
      }
    }

    // Notifications (notifications/initialized, cancelled, …) need no answer in a stateless server.
    if (kind === 'notification') {
      if (isToolCall(message.method)) return refuse(request, reply, toolCallWithoutId(), null, message);
      return reply.code(202).send();
    }

    const call = message as JsonRpcMessage & { id: JsonRpcId };
    const ticket = await admit(reply, state, call);
    if (ticket === null) return refuse(request, reply, busy(), call.id, call);
    const outcome = await dispatchAdmitted(request, reply, state, call, era.era, contextFor(request, state, era.version), ticket);
    const error = outcome.error;
    if (error !== undefined) {
      const status = STATUS_CARRYING_ERRORS.has(error.http) ? error.http : 200;
      return sendError(reply, status, error, call.id);
    }
    if (state.framing === 'sse') {
      const body = eventStream([serializeResponse(outcome.response)]);
      ticket?.settle(body.length);
      return sendEventStream(reply, body);
    }
    const body = responseBody(outcome.response);
    ticket?.settle(body.length);
    return sendJsonText(reply, 200, body);
  }

  /** One element of a batch, answered as JSON text; undefined for a notification, which gets none. */
  async function handleBatchElement(request: FastifyRequest, reply: FastifyReply, state: McpRequestState, value: unknown): Promise<string | undefined> {
    const kind = classifyMessage(value);
    if (kind === 'invalid') {
      const error = new AppError('ERR_INVALID_REQUEST');
      await notifyRefused(request, state, error);
      return serializeResponse(errorResponse(echoableId(value), error));
    }
    if (kind !== 'request') {
      // A tool call sent as a notification is refused in the batch's answer (id null, as for an
      // element whose id cannot be used) and recorded; other notifications need no answer.
      if (kind === 'notification' && isToolCall((value as JsonRpcMessage).method)) {
        const refusal = toolCallWithoutId();
        await notifyRefused(request, state, refusal, value);
        return serializeResponse(errorResponse(null, refusal));
      }
      return undefined;
    }
    const message = value as JsonRpcMessage & { id: JsonRpcId };
    const era = resolveEra(message, true, state.headerVersion);
    if (isAppError(era) || era.era === 'modern') {
      const refusal = isAppError(era) ? era : new AppError('ERR_INVALID_REQUEST', { detail: 'Batches are not part of protocol revision 2026-07-28' });
      await notifyRefused(request, state, refusal);
      return serializeResponse(errorResponse(message.id, refusal));
    }
    const ticket = await admit(reply, state, message);
    if (ticket === null) {
      const refusal = busy();
      await notifyRefused(request, state, refusal, message);
      return serializeResponse(errorResponse(message.id, refusal));
    }
    const outcome = await dispatchAdmitted(request, reply, state, message, 'legacy', contextFor(request, state, era.version), ticket);
    const answer = serializeResponse(outcome.response);
    ticket?.settle(answer.length);
    return answer;
  }

  /** JSON-RPC batches (2025-era clients); every element's error stays in-band, the batch answers 200. */
  async function handleBatch(request: FastifyRequest, reply: FastifyReply, state: McpRequestState, batch: unknown[]): Promise<FastifyReply> {
    if (batch.length === 0) return refuse(request, reply, new AppError('ERR_INVALID_REQUEST', { detail: 'Empty batch' }));
    if (batch.length > MAX_BATCH_LENGTH) {
      return refuse(request, reply, new AppError('ERR_INVALID_REQUEST', { detail: `Batch longer than ${MAX_BATCH_LENGTH}` }));
    }
    if (request.headers['mcp-method'] !== undefined) return refuse(request, reply, headerMismatch('Mcp-Method header on a batch'));
    if (state.headerVersion !== undefined && isModernVersion(state.headerVersion)) {
      return refuse(request, reply, new AppError('ERR_INVALID_REQUEST', { detail: 'Batches are not part of protocol revision 2026-07-28' }));
    }
    // A few elements at a time, each answer serialised as it comes, until the batch's answer
    // reaches its budget: a hundred large answers must not all be held at once (nineteen
    // 26 MB answers in each of eight batches took the server out of memory).
    const answers: (string | undefined)[] = new Array(batch.length);
    let size = 0;
    let next = 0;
    const work = async () => {
      for (let i = next++; i < batch.length; i = next++) {
        const element = batch[i];
        // Only requests run anything; a malformed element is still answered, a notification not.
        if (size > MAX_BATCH_ANSWER_CHARS && classifyMessage(element) === 'request') {
          answers[i] = await notRun(request, state, element);
          continue;
        }
        const answer = await handleBatchElement(request, reply, state, element);
        if (answer === undefined) continue;
        answers[i] = answer;
        size += answer.length;
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, batch.length) }, work));
    const responses = answers.filter((answer): answer is string => answer !== undefined);
    if (responses.length === 0) return reply.code(202).send();
    return state.framing === 'sse' ? sendEventStream(reply, eventStream(responses)) : sendJsonText(reply, 200, `[${responses.join(',')}]`);
  }

  /** A batch request left unrun once the batch's answer is full: refused in-band, and audited. */
  async function notRun(request: FastifyRequest, state: McpRequestState, element: unknown): Promise<string> {
    const error = new AppError('ERR_ANSWER_TOO_LARGE', {
      detail: `The batch's answer reached ${MAX_BATCH_ANSWER_CHARS / (1024 * 1024)} MiB; this call was not run. Send it again on its own.`,
      internalReason: 'batch_answer_budget',
    });
    await notifyRefused(request, state, error, element);
    return serializeResponse(errorResponse(echoableId(element), error));
  }

  async function onPost(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const state = request.mcpTransport as McpRequestState;
    const body = request.body;
    let value: unknown;
    try {
      value = JSON.parse(Buffer.isBuffer(body) ? STRICT_UTF8.decode(body) : '');
    } catch {
      return refuse(request, reply, state.identifiedRefusal ?? new AppError('ERR_PARSE'));
    }
    if (state.identifiedRefusal !== undefined) return refuse(request, reply, state.identifiedRefusal, echoableId(value), value);
    return Array.isArray(value) ? handleBatch(request, reply, state, value) : handleSingle(request, reply, state, value);
  }

  /** Fastify's own refusals (body too large, wrong media type) in the transport's wire shape. */
  async function onError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const state = request.mcpTransport;
    if (state !== null) reply.header('x-request-id', state.requestId);
    // An identified caller's refusal stands, whatever went wrong with the body after it.
    const appError = state?.identifiedRefusal ?? fromFastifyError(error);
    if (state !== null) logInternal(request, state, appError);
    return refuse(request, reply, appError);
  }

  app.register(async (scope) => {
    scope.decorateRequest('mcpTransport', null);
    // Only JSON reaches the handler, as raw bytes parsed once there; anything else is 415.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => {
      done(null, body);
    });
    scope.setErrorHandler(onError);
    scope.addHook('onRequest', onRequest);
    for (const url of paths) {
      scope.route({ method: 'POST', url, bodyLimit: MAX_BODY_BYTES, handler: onPost });
      // onRequest has already answered 405 for these; the handler only exists to route them.
      scope.route({ method: ['GET', 'DELETE', 'PUT', 'PATCH'], url, handler: onPost });
    }
  });
}

function applyErrorHeaders(reply: FastifyReply, error: AppError): void {
  const headers = error.headers;
  for (const name in headers) reply.header(name, headers[name]);
  if (error.http === 401) reply.headers(bearerChallenge(error.code));
}

/** Each message as one `message` event; JSON.stringify never emits a raw newline, so one data line each. */
function eventStream(messages: readonly string[]): string {
  let body = '';
  for (const message of messages) body += `event: message\ndata: ${message}\n\n`;
  return body;
}

function sendEventStream(reply: FastifyReply, body: string): FastifyReply {
  return reply.code(200).header('content-type', 'text/event-stream').header('cache-control', 'no-cache').send(body);
}

function fromFastifyError(error: FastifyError): AppError {
  if (isAppError(error)) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('ERR_BODY_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('ERR_UNSUPPORTED_MEDIA');
    default:
      break;
  }
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) return new AppError('ERR_INVALID_REQUEST', { internalReason: error.code });
  return toAppError(error);
}

/** With ignoreTrailingSlash, `/mcp` and `/mcp/` are one route and registering both would throw. */
function routePaths(app: FastifyInstance, requested: readonly string[]): string[] {
  const config = app.initialConfig as { ignoreTrailingSlash?: boolean; routerOptions?: { ignoreTrailingSlash?: boolean } };
  const merged = config.ignoreTrailingSlash === true || config.routerOptions?.ignoreTrailingSlash === true;
  const paths = merged ? requested.map((path) => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path)) : [...requested];
  return [...new Set(paths)];
}
