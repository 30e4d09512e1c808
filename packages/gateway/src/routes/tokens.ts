/**
 * The token endpoints, wire-compatible with Django REST framework SimpleJWT (the design
 * note's clients call them): /api/token/, /api/token/refresh/, /api/token/verify/ and
 * /api/token/blacklist/. The rules live in SessionService; this file is HTTP only.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { z } from 'zod';
import { AppError } from '@secure-hospital-ai/core/errors';
import { MAX_PASSWORD_LENGTH } from '@secure-hospital-ai/core/passwords';
import { bearerToken } from '@secure-hospital-ai/core/tokens';
import { sendDetailError } from '../error-responses.js';
import { parseInput } from '../parse-input.js';
import { originCheck } from '../route-hooks.js';
import { clientInfo } from '../request-context.js';
import type { SessionService } from '../sessions.js';

export interface TokenRoutesOptions {
  readonly sessions: SessionService;
  /** ALLOWED_ORIGINS: a browser page from elsewhere must not sign in here (DNS rebinding, CSRF). */
  readonly allowedOrigins: readonly string[];
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

export const tokenRoutes: FastifyPluginAsync<TokenRoutesOptions> = async (app, { sessions, allowedOrigins }) => {
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
