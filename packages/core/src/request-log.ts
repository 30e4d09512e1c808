/**
 * One log line per answered request, the same at both servers: method, route pattern, status
 * and time; never a body, a token, a header value or a query string (which could hold any of
 * those). Successes are logged at debug: every one of them is already in the audit log (tool
 * calls by the MCP server; logins, refreshes and refusals by the gateway), and an info line
 * per tool call costs about a third of the proxy's CPU. Refusals log at info, failures at warn.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from './logger.js';

/** Unmatched URLs share one label, so scanning random paths cannot explode a metric or a log. */
export function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

/** `requestId`: the id the request is known by in the audit log and at the other server (X-Request-Id). */
export function logRequestLine(logger: Logger, request: FastifyRequest, reply: FastifyReply, requestId: string = request.id): void {
  const status = reply.statusCode;
  const level = status >= 500 ? 'warn' : status >= 400 ? 'info' : 'debug';
  if (!logger.isLevelEnabled(level)) return;
  const ms = Math.round(reply.elapsedTime * 100) / 100;
  logger[level]({ reqId: requestId, method: request.method, route: routeOf(request), status, ms }, 'request');
}
