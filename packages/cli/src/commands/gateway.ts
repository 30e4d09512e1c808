import { setHashConcurrency } from '@secure-hospital-ai/core/passwords';
import { lowerThreadPoolPriority } from '@secure-hospital-ai/core/thread-pool';
import { buildGateway } from '@secure-hospital-ai/gateway';
import { onShutdown, openRuntime, startOrClose } from '../runtime.js';

export async function run(_argv: string[]): Promise<number> {
  // Password hashes run on libuv's pool: they yield the cores to request handling.
  const poolThreads = await lowerThreadPoolPriority();
  const runtime = await openRuntime('gateway');
  const { config, database, logger } = runtime;
  if (poolThreads.length === 0 && process.platform === 'linux') logger.warn('thread pool not found: password hashing keeps normal priority');
  if (config.passwordHashConcurrency !== undefined) setHashConcurrency(config.passwordHashConcurrency);
  const app = await startOrClose(runtime, async () => {
    const built = await buildGateway(runtime);
    await startOrClose(built, () => built.listen({ host: config.gateway.host, port: config.gateway.port }));
    return built;
  });
  // Whether limits are shared, never the Redis URL itself (it may carry a password).
  const limits = app.limitsScope();
  logger.info({ host: config.gateway.host, port: config.gateway.port, database: database.dialect, mcp: config.mcp.url, limits }, 'gateway listening');
  onShutdown(logger, app, runtime);
  return new Promise<number>(() => undefined);
}
