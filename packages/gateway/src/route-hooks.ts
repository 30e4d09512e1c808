/**
 * onRequest hooks shared by the gateway's bearer-authenticated route groups (the proxy and
 * the admin API), so both refuse alike.
 */
import type { onRequestHookHandler } from 'fastify';
import { AppError } from '@secure-hospital-ai/core/errors';
import { originAllowList } from '@secure-hospital-ai/core/origins';

/** Answers carrying patient or account data must not be kept by a shared cache or the browser's. */
export const noStore: onRequestHookHandler = (_request, reply, done) => {
  reply.header('cache-control', 'no-store');
  done();
};

/**
 * Browsers always send Origin on a cross-site POST; one not on the allow-list is refused (DNS
 * rebinding, CSRF), by the same rule as the MCP server's (core/origins.ts). Requests without
 * Origin are not browser requests and pass.
 */
export function originCheck(allowed: readonly string[]): onRequestHookHandler {
  const isAllowed = originAllowList(allowed);
  return (request, _reply, done) => {
    const origin = request.headers.origin;
    if (origin !== undefined && !isAllowed(origin)) {
      done(new AppError('ERR_ORIGIN', { internalReason: 'origin_not_allowed' }));
      return;
    }
    done();
  };
}
