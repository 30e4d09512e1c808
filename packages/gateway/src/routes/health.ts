/**
 * Liveness (/healthz: the process answers), readiness (/readyz: it can do its job, i.e. the
 * database answers and takes writes, and the MCP server answers) and Prometheus metrics (/metrics).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Database } from '@secure-hospital-ai/core/db/database';
import { databaseChecks, databaseReadiness, readinessAnswer } from '@secure-hospital-ai/core/db/readiness';
import type { GatewayMetrics } from '../metrics.js';
import type { McpUpstream } from '../upstream.js';

export interface HealthRoutesOptions {
  readonly database: Database;
  readonly upstream: McpUpstream;
  readonly metrics: GatewayMetrics;
}

export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { database, upstream, metrics }) => {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const [databaseCheck, mcpCheck] = await Promise.all([databaseReadiness(database), upstream.isReady()]);
    const answer = readinessAnswer({ ...databaseChecks(databaseCheck), mcp_server: mcpCheck });
    return reply.code(answer.code).send(answer.body);
  });

  app.get('/metrics', async (_request, reply) => {
    return reply.type(metrics.contentType).send(await metrics.text());
  });
};
