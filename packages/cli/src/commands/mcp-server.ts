import { buildMcpServer } from '@secure-hospital-ai/mcp-server';
import { createToolBackend } from '@secure-hospital-ai/mcp-server/tools/index';
import { onShutdown, openRuntime, startOrClose } from '../runtime.js';
import { pseudonymKeyFor } from '../secrets.js';

export async function run(_argv: string[]): Promise<number> {
  const runtime = await openRuntime('mcp-server');
  const { config, database, audit, logger } = runtime;
  const backend = createToolBackend({ database, audit, pseudonymKey: pseudonymKeyFor(config), chartCacheEntries: config.mcp.chartCacheEntries });
  const app = await startOrClose(runtime, async () => {
    const built = await buildMcpServer({ ...runtime, backend });
    await startOrClose(built, () => built.listen({ host: config.mcp.host, port: config.mcp.port }));
    return built;
  });
  logger.info({ host: config.mcp.host, port: config.mcp.port, database: database.dialect }, 'mcp-server listening');
  onShutdown(logger, app, runtime);
  return new Promise<number>(() => undefined);
}
