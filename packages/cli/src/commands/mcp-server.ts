import { buildMcpServer } from '@secure-hospital-ai/mcp-server';
import { McpMetrics } from '@secure-hospital-ai/mcp-server/metrics';
import { createToolBackend, TOOLS } from '@secure-hospital-ai/mcp-server/tools/index';
import { onShutdown, openRuntime, startOrClose } from '../runtime.js';
import { pseudonymKeyFor } from '../secrets.js';

export async function run(_argv: string[]): Promise<number> {
  const runtime = await openRuntime('mcp-server');
  const { config, database, audit, logger } = runtime;
  const metrics = new McpMetrics(TOOLS.map((tool) => tool.name));
  const backend = createToolBackend({ database, audit, pseudonymKey: pseudonymKeyFor(config), chartCacheEntries: config.mcp.chartCacheEntries, toolCalls: metrics });
  const app = await startOrClose(runtime, async () => {
    const built = await buildMcpServer({ ...runtime, backend, metrics });
    await startOrClose(built, () => built.listen({ host: config.mcp.host, port: config.mcp.port }));
    return built;
  });
  logger.info({ host: config.mcp.host, port: config.mcp.port, database: database.dialect }, 'mcp-server listening');
  onShutdown(logger, app, runtime);
  return new Promise<number>(() => undefined);
}
