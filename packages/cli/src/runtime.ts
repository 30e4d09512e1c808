/**
 * What every server process sets up the same way: configuration, logger, database, token
 * service, authenticator and audit writer. Production refusals (SPEC config table) are
 * enforced here, before a port is opened.
 */
import { resolve } from 'node:path';
import { accountStateLookup } from '@secure-hospital-ai/core/account-state';
import { Authenticator } from '@secure-hospital-ai/core/authenticate';
import { createAuditWriter } from '@secure-hospital-ai/core/audit/writer';
import type { AuditSink } from '@secure-hospital-ai/core/audit/event';
import { ConfigError, loadConfig, serverJwtConfig, type Config } from '@secure-hospital-ai/core/config';
import { missingServerEnvironment, missingServerNodeFlags } from '@secure-hospital-ai/core/node-flags';
import { openDatabase, type Database } from '@secure-hospital-ai/core/db/database';
import { demoAccountsPresent } from '@secure-hospital-ai/core/db/seed';
import { createLogger, type Logger } from '@secure-hospital-ai/core/logger';
import { TokenService } from '@secure-hospital-ai/core/tokens';

export interface Runtime {
  config: Config;
  logger: Logger;
  database: Database;
  tokens: TokenService;
  authenticator: Authenticator;
  audit: AuditSink & { close(): Promise<void> };
  close(): Promise<void>;
}

export function loadRuntimeConfig(): Config {
  return loadConfig(process.env, { envFile: resolve('.env') });
}

export async function openRuntime(service: 'gateway' | 'mcp-server', loaded = loadRuntimeConfig()): Promise<Runtime> {
  // Each server holds only the keys it needs, and refuses to start without them.
  const config: Config = { ...loaded, jwt: serverJwtConfig(loaded, service) };
  const logger = createLogger(service, config.logLevel);
  const missing = missingServerNodeFlags(process.execArgv);
  if (missing.length > 0) logger.warn({ missing }, 'started without the recommended node flags: expect slower requests after idle periods');
  const unset = missingServerEnvironment(process.env);
  if (unset.length > 0) logger.warn({ unset }, 'started without the recommended environment: expect more resident memory under load');
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await assertProductionReady(config, database);
  } catch (error) {
    await database.close();
    throw error;
  }
  const tokens = new TokenService(config.jwt);
  const authenticator = new Authenticator(tokens, accountStateLookup(database));
  const audit = createAuditWriter(database);
  return {
    config,
    logger,
    database,
    tokens,
    authenticator,
    audit,
    async close() {
      await audit.close();
      await database.close();
    },
  };
}

/** Production refuses to run while a demo account (with its published password) exists. */
export async function assertProductionReady(config: Config, database: Database): Promise<void> {
  if (config.env !== 'production') return;
  const demo = await demoAccountsPresent(database.db);
  if (demo.length > 0) {
    throw new ConfigError(`demo accounts present in production (${demo.join(', ')}); remove them before starting`);
  }
}

/** Ends the process cleanly on SIGINT/SIGTERM: stop accepting, finish in-flight work, flush audit. */
export function onShutdown(close: () => Promise<void>): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown after ${signal} failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  // Started by `npm start`: its IPC channel closes when it dies, even when it is killed outright.
  if (process.channel) {
    process.channel.unref();
    process.on('disconnect', () => handler('SIGTERM'));
  }
}
