/**
 * Cross-cutting hooks for every answer: security headers, and one log line plus one metric
 * per request. The log line carries method, route pattern, status and time: never a body,
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

export function requestLogger(logger: Logger, metrics: GatewayMetrics): onResponseHookHandler {
  return function logRequest(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    const route = routeOf(request);
    const status = reply.statusCode;
    metrics.countRequest(route, request.method, status);
    if (logger.isLevelEnabled('info')) {
      logger.info(
        { reqId: request.id, method: request.method, route, status, ms: Math.round(reply.elapsedTime * 100) / 100 },
        'request',
      );
    }
    done();
  };
}
