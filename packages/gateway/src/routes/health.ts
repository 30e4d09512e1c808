/**
 * Liveness (/healthz: the process answers), readiness (/readyz: it can do its job, i.e. the
 * database and the MCP server both answer) and Prometheus metrics (/metrics).
 */
import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import type { Database } from '@secure-hospital-ai/core/db/database';
import type { GatewayMetrics } from '../metrics.js';
import type { McpUpstream } from '../upstream.js';

export interface HealthRoutesOptions {
  readonly database: Database;
  readonly upstream: McpUpstream;
  readonly metrics: GatewayMetrics;
}

type CheckResult = 'ok' | 'failed';

export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { database, upstream, metrics }) => {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const [databaseCheck, mcpCheck] = await Promise.all([databaseAnswers(database), upstream.isHealthy()]);
    const checks: Record<string, CheckResult> = {
      database: databaseCheck ? 'ok' : 'failed',
      mcp_server: mcpCheck ? 'ok' : 'failed',
    };
    const ready = databaseCheck && mcpCheck;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
  });

  app.get('/metrics', async (_request, reply) => {
    return reply.type(metrics.contentType).send(await metrics.text());
  });
};

async function databaseAnswers(database: Database): Promise<boolean> {
  try {
    await sql`SELECT 1`.execute(database.db);
    return true;
  } catch {
    return false;
  }
}
