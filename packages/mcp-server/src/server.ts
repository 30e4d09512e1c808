/**
 * The MCP server process: Streamable HTTP transport + tool backend, with authentication
 * on every request. Assembly only: the protocol lives in protocol/ and http/, the tools and
 * their pipeline (decide → fetch → redact → audit) in tools/.
 */
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Authenticator } from '@secure-hospital-ai/core/authenticate';
import { refusalEvent, type AuditSink } from '@secure-hospital-ai/core/audit/event';
import { trustNearestHop, trustNearestLoopbackHop } from '@secure-hospital-ai/core/client';
import type { Config } from '@secure-hospital-ai/core/config';
import type { Database } from '@secure-hospital-ai/core/db/database';
import { databaseChecks, databaseReadiness, readinessAnswer } from '@secure-hospital-ai/core/db/readiness';
import { answerClientError, badUrlError } from '@secure-hospital-ai/core/http-parser-errors';
import type { Logger } from '@secure-hospital-ai/core/logger';
import { logRequestLine, routeOf } from '@secure-hospital-ai/core/request-log';
import { registerMcpTransport } from './http/transport.js';
import { McpMetrics } from './metrics.js';
import type { McpBackend } from './protocol/types.js';

export const SERVER_INFO = { name: 'secure-hospital-ai', version: '0.1.0' } as const;

export interface McpServerDeps {
  config: Config;
  database: Database;
  authenticator: Authenticator;
  audit: AuditSink;
  backend: McpBackend;
  logger: Logger;
  /** Served at /metrics. Give the backend the same one (createToolBackend's `toolCalls`), or tool calls go uncounted. */
  metrics?: McpMetrics;
}

export async function buildMcpServer(deps: McpServerDeps): Promise<FastifyInstance> {
  const metrics = deps.metrics ?? new McpMetrics([]);
  const app = Fastify({
    // The transport logs failures through request.log; one line per request comes from the
    // onResponse hook below (core/request-log.ts), at debug for successes.
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (a pino child costs microseconds on every call): the
    // transport's lines name their request id themselves.
    childLoggerFactory: (logger) => logger,
    // The client's address in audit events: the gateway's X-Forwarded-For, believed from one
    // hop on this host, or from any one hop with TRUST_PROXY (core/client.ts).
    trustProxy: deps.config.trustProxy ? trustNearestHop : trustNearestLoopbackHop,
    bodyLimit: 1024 * 1024,
    // Tool calls are short; keep-alive lets the gateway's pool reuse connections.
    keepAliveTimeout: 65_000,
    // A request on a kept-alive connection while draining is served (and told the connection
    // closes), not refused with the framework's own 503 body: only new connections are turned away.
    return503OnClosing: false,
    clientErrorHandler: answerClientError,
    frameworkErrors: (_error, _request, reply) => {
      const error = badUrlError();
      void (reply as FastifyReply).code(error.http).send({ detail: error.detail });
    },
  }) as unknown as FastifyInstance; // pino's Logger satisfies FastifyBaseLogger; only the generic differs

  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(routeOf(request), request.method, reply.statusCode, reply.elapsedTime / 1000);
    // The transport's id (the gateway's X-Request-Id), so that a line here, one at the gateway and the audit event match.
    logRequestLine(deps.logger, request, reply, request.mcpTransport?.requestId);
    done();
  });

  registerMcpTransport(app, {
    backend: deps.backend,
    allowedOrigins: deps.config.allowedOrigins,
    serverInfo: SERVER_INFO,
    hooks: {
      authenticate: (request) => deps.authenticator.authenticate(request.headers),
      onRefused: async ({ requestId, clientAddress, userAgent, error, principal, tool, patientId }) => {
        try {
          await deps.audit.record(
            refusalEvent({
              requestId,
              source: 'mcp-server',
              principal,
              reason: error.internalReason ?? error.code.toLowerCase(),
              clientAddress,
              userAgent,
              tool,
              patientId,
            }),
          );
        } catch (auditError) {
          // The request is refused either way; a lost refusal record is worth an alarm.
          deps.logger.error({ err: (auditError as Error).message, requestId }, 'audit write failed for a refused request');
        }
      },
    },
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  // Ready when the database answers and takes writes: every tool call commits its audit event.
  app.get('/readyz', async (_request, reply) => {
    const answer = readinessAnswer(databaseChecks(await databaseReadiness(deps.database)));
    return reply.code(answer.code).send(answer.body);
  });

  app.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.text()));

  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ detail: 'Not found' }));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    deps.logger.error({ err: error.message, url: request.url }, 'unhandled error');
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    return reply.code(status).send({ detail: status === 500 ? 'Internal error' : error.message });
  });
  return app;
}
