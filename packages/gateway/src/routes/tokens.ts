/**
 * The token endpoints, wire-compatible with Django REST framework SimpleJWT (the design
 * note's clients call them): /api/token/, /api/token/refresh/, /api/token/verify/ and
 * /api/token/blacklist/. The rules live in SessionService; this file is HTTP only.
 */
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { z } from 'zod';
import type { AuditSink } from '@secure-hospital-ai/core/audit/event';
import { AppError } from '@secure-hospital-ai/core/errors';
import type { Logger } from '@secure-hospital-ai/core/logger';
import { MAX_PASSWORD_LENGTH } from '@secure-hospital-ai/core/passwords';
import { bearerToken } from '@secure-hospital-ai/core/tokens';
import { sendDetailError, toGatewayError } from '../error-responses.js';
import { parseInput } from '../parse-input.js';
import { originCheck } from '../route-hooks.js';
import { auditRefusal, clientInfo } from '../request-context.js';
import type { SessionService } from '../sessions.js';

export interface TokenRoutesOptions {
  readonly sessions: SessionService;
  /** ALLOWED_ORIGINS: a browser page from elsewhere must not sign in here (DNS rebinding, CSRF). */
  readonly allowedOrigins: readonly string[];
  readonly audit: AuditSink;
  readonly logger: Logger;
}

/** `token.obtain`, `token.refresh`, `token.verify`, `token.blacklist`: which endpoint refused, for the audit reason. */
function endpointOf(request: FastifyRequest): string {
  const name = (request.routeOptions.url ?? '').replace(/^\/api\/token\/?/, '').replace(/\/$/, '');
  return `token.${name === '' ? 'obtain' : name}`;
}

const MAX_TOKEN_LENGTH = 8192;
const BODY_LIMIT = 16 * 1024;

const loginBody = z.object({
  username: z.string().min(1).max(150),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});
const refreshBody = z.object({ refresh: z.string().min(1).max(MAX_TOKEN_LENGTH) });
const verifyBody = z.object({ token: z.string().min(1).max(MAX_TOKEN_LENGTH) });

// Token answers must never be cached (RFC 6749 §5.1).
function noStore(_request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  reply.header('cache-control', 'no-store');
  reply.header('pragma', 'no-cache');
  done();
}

async function methodNotAllowed(_request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  return sendDetailError(reply, new AppError('ERR_METHOD_NOT_ALLOWED', { headers: { allow: 'POST' } }));
}

export const tokenRoutes: FastifyPluginAsync<TokenRoutesOptions> = async (app, { sessions, allowedOrigins, audit, logger }) => {
  // Every refusal is on the record (SPEC "Audit"): the session service records the ones it
  // decides (a wrong password, a reused refresh token, …); the rest (an origin, a body that is
  // not JSON or lacks a field, a token that does not verify) are recorded here.
  app.setErrorHandler(async (error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) => {
    const failure = toGatewayError(error);
    if (failure.http >= 500) {
      logger.error({ reqId: request.id, code: failure.code, reason: failure.internalReason }, 'request failed');
    } else if (!sessions.hasRecorded(error)) {
      await auditRefusal(audit, logger, request, `${endpointOf(request)}:${failure.internalReason ?? failure.code.toLowerCase()}`, failure.subject);
    }
    return sendDetailError(reply, failure);
  });
  app.addHook('onRequest', noStore);
  app.addHook('onRequest', originCheck(allowedOrigins));
  // JSON only: Fastify would read text/plain as a string, answered 400 "expected object".
  app.removeContentTypeParser('text/plain');

  /** SimpleJWT's paths end in a slash; the bare form is accepted too rather than redirected. */
  const post = (path: string, handler: RouteHandlerMethod) => {
    for (const url of [`${path}/`, path]) {
      app.post(url, { bodyLimit: BODY_LIMIT }, handler);
      // The route exists; only POST does anything there (404 would say there is no such route).
      app.route({ method: ['GET', 'PUT', 'PATCH', 'DELETE'], url, handler: methodNotAllowed });
    }
  };

  post('/api/token', async (request) => {
    const { username, password } = parseInput(loginBody, request.body);
    return sessions.login(username, password, clientInfo(request));
  });

  post('/api/token/refresh', async (request) => {
    const { refresh } = parseInput(refreshBody, request.body);
    return sessions.refresh(refresh, clientInfo(request));
  });

  post('/api/token/verify', async (request) => {
    const { token } = parseInput(verifyBody, request.body);
    await sessions.verify(token);
    return {};
  });

  post('/api/token/blacklist', async (request) => {
    const { refresh } = parseInput(refreshBody, request.body);
    await sessions.logout(refresh, clientInfo(request), bearerToken(request.headers.authorization));
    return {};
  });
};
