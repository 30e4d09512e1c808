/**
 * What the gateway knows about the request in hand: the verified principal (set by the
 * proxy's authentication hook) and the client facts that go into audit events.
 */
import type { FastifyRequest } from 'fastify';
import type { Principal } from '@secure-hospital-ai/core/domain';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set only after the bearer token has been verified; never from a header. */
    principal: Principal | null;
  }
}

export interface ClientInfo {
  readonly requestId: string;
  /** The socket's address, or the first untrusted hop when TRUST_PROXY is on. */
  readonly address: string | null;
  readonly userAgent: string | null;
}

const MAX_USER_AGENT = 256;

export function clientInfo(request: FastifyRequest): ClientInfo {
  const agent = request.headers['user-agent'];
  return {
    requestId: request.id,
    address: request.ip || null,
    userAgent: typeof agent === 'string' ? agent.slice(0, MAX_USER_AGENT) : null,
  };
}
