/** Cross-cutting hooks for every answer: security headers, and one log line plus metrics per request. */
import type { FastifyReply, FastifyRequest, onRequestHookHandler, onResponseHookHandler } from 'fastify';
import type { Logger } from '@secure-hospital-ai/core/logger';
import { logRequestLine, routeOf } from '@secure-hospital-ai/core/request-log';
import type { GatewayMetrics } from './metrics.js';

/** OWASP Secure Headers: no MIME sniffing, no Referer leaking URLs off-site. */
export const securityHeaders: onRequestHookHandler = (request, reply, done) => {
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-request-id', request.id);
  done();
};

/** Every answer is counted in the metrics, and logged by core's one rule (request-log.ts). */
export function requestLogger(logger: Logger, metrics: GatewayMetrics): onResponseHookHandler {
  return function logRequest(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    metrics.observeRequest(routeOf(request), request.method, reply.statusCode, reply.elapsedTime / 1000);
    logRequestLine(logger, request, reply);
    done();
  };
}
