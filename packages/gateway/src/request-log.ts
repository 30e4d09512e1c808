/**
 * Cross-cutting hooks for every answer: security headers, and one log line plus metrics per
 * request. The log line carries method, route pattern, status and time: never a body,
 * a token, a header value or a query string (which could hold any of those).
 */
import type { FastifyReply, FastifyRequest, onRequestHookHandler, onResponseHookHandler } from 'fastify';
import type { Logger } from '@secure-hospital-ai/core/logger';
import type { GatewayMetrics } from './metrics.js';

/** OWASP Secure Headers: no MIME sniffing, no Referer leaking URLs off-site. */
export const securityHeaders: onRequestHookHandler = (request, reply, done) => {
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-request-id', request.id);
  done();
};

/** Unmatched URLs share one label, so scanning random paths cannot explode the metric. */
function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

/**
 * Successes are logged at debug: every one of them is already in the audit log (tool calls
 * by the MCP server; logins, refreshes and refusals by the gateway), and an info line per
 * tool call costs about a third of the proxy's CPU. Refusals log at info, failures at warn.
 */
export function requestLogger(logger: Logger, metrics: GatewayMetrics): onResponseHookHandler {
  return function logRequest(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    const route = routeOf(request);
    const status = reply.statusCode;
    const ms = reply.elapsedTime;
    metrics.observeRequest(route, request.method, status, ms / 1000);
    const level = status >= 500 ? 'warn' : status >= 400 ? 'info' : 'debug';
    if (logger.isLevelEnabled(level)) {
      logger[level]({ reqId: request.id, method: request.method, route, status, ms: Math.round(ms * 100) / 100 }, 'request');
    }
    done();
  };
}
