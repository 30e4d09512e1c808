/**
 * What the gateway knows about the request in hand: the verified principal (set by the
 * proxy's authentication hook) and the client facts that go into audit events.
 */
import type { FastifyRequest } from 'fastify';
import { refusalEvent, type AuditSink } from '@secure-hospital-ai/core/audit/event';
import { userAgentFrom } from '@secure-hospital-ai/core/client';
import type { Principal } from '@secure-hospital-ai/core/domain';
import type { AuthenticatedSubject } from '@secure-hospital-ai/core/errors';
import type { Logger } from '@secure-hospital-ai/core/logger';

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

export function clientInfo(request: FastifyRequest): ClientInfo {
  const agent = request.headers['user-agent'];
  return {
    requestId: request.id,
    address: request.ip || null,
    userAgent: userAgentFrom(agent) ?? null,
  };
}

/**
 * Audits a request the gateway itself refused, as `reason`. A refusal that cannot be audited
 * is still refused: the failure to write goes to the log, and the answer stays the refusal.
 */
export async function auditRefusal(
  audit: AuditSink,
  logger: Logger,
  request: FastifyRequest,
  reason: string,
  subject?: AuthenticatedSubject,
  /** A refused tools/call's tool and patient, when its body was read before the refusal. */
  call: { tool?: string; patientId?: string } = {},
): Promise<void> {
  const client = clientInfo(request);
  try {
    await audit.record(
      refusalEvent({
        requestId: client.requestId,
        source: 'gateway',
        principal: request.principal ?? subject,
        reason,
        clientAddress: client.address,
        userAgent: client.userAgent,
        tool: call.tool,
        patientId: call.patientId,
      }),
    );
  } catch (error) {
    logger.error({ reqId: request.id, err: error instanceof Error ? error.message : String(error) }, 'audit event could not be written');
  }
}
