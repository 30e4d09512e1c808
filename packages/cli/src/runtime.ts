/**
 * What every server process sets up the same way: configuration, logger, database, token
 * service, authenticator and audit writer. Production refusals (SPEC config table) are
 * enforced here, before a port is opened.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { accountStateLookup } from '@secure-hospital-ai/core/account-state';
import { Authenticator } from '@secure-hospital-ai/core/authenticate';
import { createAuditWriter } from '@secure-hospital-ai/core/audit/writer';
import type { AuditSink } from '@secure-hospital-ai/core/audit/event';
import { ConfigError, loadConfig, serverJwtConfig, type Config } from '@secure-hospital-ai/core/config';
import { missingServerEnvironment, missingServerNodeFlags } from '@secure-hospital-ai/core/node-flags';
import { openDatabase, SERVER_BUSY_TIMEOUT_MS, SERVER_POSTGRES_DEADLINE_MS, sqliteFile, type Database, type DatabaseOptions } from '@secure-hospital-ai/core/db/database';
import { pendingMigrations } from '@secure-hospital-ai/core/db/migrate';
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
  const database = openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    busyTimeoutMs: SERVER_BUSY_TIMEOUT_MS,
    postgresDeadlineMs: SERVER_POSTGRES_DEADLINE_MS,
  });
  try {
    await assertSchemaCurrent(database);
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

/**
 * A server on a database that is not migrated (new, or older than this code) would answer
 * every request with an internal error; it refuses to start instead, saying what to run.
 */
export async function assertSchemaCurrent(database: Database): Promise<void> {
  const pending = await pendingMigrations(database);
  if (pending.length > 0) {
    throw new ConfigError(`the database at ${database.location} is not migrated (pending: ${pending.join(', ')}); run \`npm run migrate\` first`);
  }
}

/**
 * The configured database for an operator's command (`accounts`, `audit`), only when it is
 * there and migrated. Such a command never creates or migrates one: pointed at a mistyped
 * name or a forensic copy, `audit verify` had migrated it and called it intact with 0 events,
 * and `accounts create` had given it a schema and a first account.
 */
export async function openExistingDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  options: Pick<DatabaseOptions, 'poolSize' | 'readOnly'> = {},
): Promise<Database> {
  if (!config.databaseUrl && !existsSync(sqliteFile(config.dataDir))) {
    throw new ConfigError(`no database at ${sqliteFile(config.dataDir)} (set DATA_DIR or DATABASE_URL, or run \`npm run migrate\` to create it)`);
  }
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, ...options });
  try {
    await assertSchemaCurrent(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

/** Production refuses to run while a demo account (with its published password) exists. */
export async function assertProductionReady(config: Config, database: Database): Promise<void> {
  if (config.env !== 'production') return;
  const demo = await demoAccountsPresent(database.db);
  if (demo.length > 0) {
    throw new ConfigError(`demo accounts present in production (${demo.join(', ')}); retire them with \`npm run accounts -- retire-demo\` before starting`);
  }
}

/**
 * How long a stopping server lets requests in flight finish. Tool calls take milliseconds and
 * the proxy gives up on the MCP server after 20 s; what is still open after this is a client
 * too slow to wait for, whose connection is closed so that the process can end.
 */
export const SHUTDOWN_GRACE_MS = 10_000;
/** After the grace, closing has this long to finish (audit flush, database) before the process exits anyway. */
const SHUTDOWN_HARD_LIMIT_MS = SHUTDOWN_GRACE_MS + 5_000;

/** What shutdown needs of a listening Fastify app. */
interface ClosableServer {
  close(): PromiseLike<unknown>;
  readonly server: { closeAllConnections(): void };
}

/**
 * Runs a start-up step; when it fails, closes what was already open (database pools, Redis
 * clients, the server) before the error goes on. Left open, they kept a gateway that could not
 * listen alive and silent, so no supervisor restarted it.
 */
export async function startOrClose<T>(opened: { close(): unknown }, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    await Promise.resolve(opened.close()).catch(() => undefined);
    throw error;
  }
}

/**
 * Ends the process on SIGINT/SIGTERM, saying so: stop accepting connections, let requests in
 * flight finish (a request arriving on a kept-alive connection is still served, and told the
 * connection closes), close what is still open after SHUTDOWN_GRACE_MS, then flush the audit
 * log and close the database. Exits 0 when all of that worked, 1 otherwise.
 */
export function onShutdown(logger: Logger, app: ClosableServer, runtime: Runtime): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.info({ signal, graceSeconds: SHUTDOWN_GRACE_MS / 1000 }, 'shutting down: finishing requests in flight');
    setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_HARD_LIMIT_MS).unref();
    const force = setTimeout(() => {
      logger.warn('requests still open after the grace period; closing their connections');
      app.server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    Promise.resolve(app.close())
      .finally(() => clearTimeout(force))
      .then(() => runtime.close())
      .then(
        () => {
          logger.info('stopped');
          exitAfterLogs(logger, 0);
        },
        (error: unknown) => {
          logger.error({ err: (error as Error).message }, `shutdown after ${signal} failed`);
          exitAfterLogs(logger, 1);
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

/**
 * Exits once the log lines written so far are out: pino writes asynchronously, and a line still
 * being written when the process exits could come out after a later one, or not at all.
 */
function exitAfterLogs(logger: Logger, code: number): void {
  setTimeout(() => process.exit(code), 1_000).unref();
  logger.flush(() => process.exit(code));
}
