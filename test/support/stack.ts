/**
 * A whole running system for integration tests: a fresh database (embedded, or PostgreSQL
 * with TEST_DATABASE=postgres), seeded with the demo data, the MCP server and the gateway
 * on real loopback ports. Nothing is mocked.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { accountStateLookup } from '@secure-hospital-ai/core/account-state';
import { Authenticator } from '@secure-hospital-ai/core/authenticate';
import { createAuditWriter } from '@secure-hospital-ai/core/audit/writer';
import { loadConfig, type Config } from '@secure-hospital-ai/core/config';
import type { Database } from '@secure-hospital-ai/core/db/database';
import { seedDemoData } from '@secure-hospital-ai/core/db/seed';
import { openTestDatabase } from '@secure-hospital-ai/core/db/test-database';
import { createLogger } from '@secure-hospital-ai/core/logger';
import { TokenService } from '@secure-hospital-ai/core/tokens';
import { buildGateway } from '@secure-hospital-ai/gateway';
import { buildMcpServer } from '@secure-hospital-ai/mcp-server';
import { McpMetrics } from '@secure-hospital-ai/mcp-server/metrics';
import { createToolBackend, TOOLS } from '@secure-hospital-ai/mcp-server/tools/index';

export interface Stack {
  config: Config;
  database: Database;
  tokens: TokenService;
  gatewayUrl: string;
  mcpUrl: string;
  /** The two places an MCP client can send a call: through the proxy, and straight to the MCP server. */
  hops: readonly (readonly ['gateway' | 'mcp-server', string])[];
  gateway: FastifyInstance;
  mcp: FastifyInstance;
  close(): Promise<void>;
}

export interface StackOptions {
  env?: Record<string, string>;
  proxyTimeoutMs?: number;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const { database, cleanup } = await openTestDatabase();
  await seedDemoData(database.db);
  const secret = randomBytes(32).toString('hex');
  const baseEnv = {
    NODE_ENV: 'test',
    JWT_SECRET: secret,
    PSEUDONYM_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    GATEWAY_PORT: '0',
    MCP_PORT: '0',
    ...options.env,
  };
  const logger = createLogger('test', 'silent');
  const mcpConfig = loadConfig(baseEnv, { envFile: false });
  const tokens = new TokenService(mcpConfig.jwt);
  const authenticator = new Authenticator(tokens, accountStateLookup(database));
  const audit = createAuditWriter(database);
  // Without the process-wide default metrics: several stacks share a test process.
  const metrics = new McpMetrics(TOOLS.map((tool) => tool.name), { defaultMetrics: false });
  const backend = createToolBackend({ database, audit, pseudonymKey: mcpConfig.pseudonymKey as string, toolCalls: metrics });
  const mcp = await buildMcpServer({ config: mcpConfig, database, authenticator, audit, backend, logger, metrics });
  await mcp.listen({ host: '127.0.0.1', port: 0 });
  const mcpPort = (mcp.server.address() as { port: number }).port;
  const mcpUrl = `http://127.0.0.1:${mcpPort}/mcp/`;

  // The gateway's own origin is only known once it listens; tests that need browser
  // origins pass ALLOWED_ORIGINS explicitly.
  const config = loadConfig({ ...baseEnv, MCP_URL: mcpUrl }, { envFile: false });
  const gateway = await buildGateway({
    config,
    database,
    tokens,
    authenticator,
    audit,
    logger,
    upstreamUrl: mcpUrl,
    ...(options.proxyTimeoutMs ? { upstreamTimeoutMs: options.proxyTimeoutMs } : {}),
  });
  await gateway.listen({ host: '127.0.0.1', port: 0 });
  const gatewayPort = (gateway.server.address() as { port: number }).port;

  return {
    config,
    database,
    tokens,
    gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
    mcpUrl,
    hops: [
      ['gateway', `http://127.0.0.1:${gatewayPort}/mcp-proxy/`],
      ['mcp-server', mcpUrl],
    ],
    gateway,
    mcp,
    async close() {
      await gateway.close();
      await mcp.close();
      await audit.close();
      await cleanup();
    },
  };
}

export async function login(baseUrl: string, username: string, password: string): Promise<{ access: string; refresh: string }> {
  const response = await fetch(`${baseUrl}/api/token/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) throw new Error(`login ${username} failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as { access: string; refresh: string };
}

export function rpc(method: string, params: Record<string, unknown> = {}, id: number | string = 1): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params });
}

export const DEMO = {
  yenji100: 'kingjulien100',
  dr_grey: 'grey-demo-2026',
  nurse_joy: 'joy-demo-2026',
  front_desk: 'desk-demo-2026',
  p001: 'p001-demo-2026',
  auditor1: 'audit-demo-2026',
  researcher1: 'research-demo-2026',
  admin: 'admin-demo-2026',
  former_staff: 'former-demo-2026',
} as const;
