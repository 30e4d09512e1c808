/**
 * The system under test: a fresh database (embedded or a new PostgreSQL database), seeded,
 * and the real gateway and MCP server started from the built CLI in production mode.
 *
 * Production refuses to start while demo accounts (published passwords) exist, and the bench
 * must not weaken that. So the database is seeded in development mode, then every demo
 * account is replaced by a `bench_<name>` account with a random password and the same role,
 * patient link, care teams, wards and active flag, and the demo rows are deleted. The demo
 * patients, wards and admissions stay: the workload needs them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { assignCareTeam, assignWard, createAccount, setAccountActive } from '@secure-hospital-ai/core/accounts';
import { openDatabase, type Database } from '@secure-hospital-ai/core/db/database';
import { DEMO_ACCOUNTS, demoAccountsPresent } from '@secure-hospital-ai/core/db/seed';
import { SERVER_ENVIRONMENT, SERVER_NODE_FLAGS } from '@secure-hospital-ai/core/node-flags';
import type { DatabaseChoice } from './bench-args.js';
import { freePort, runNode, spawnNode, waitForHttp, type ServerProcess } from './bench-process.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(REPO_ROOT, 'packages/cli/dist/main.js');

export interface BenchAccount {
  /** The demo account it stands in for (yenji100, nurse_joy, …). */
  demoName: string;
  username: string;
  password: string;
  role: string;
  active: boolean;
}

export interface PreparedDatabase {
  kind: DatabaseChoice;
  /** DATA_DIR or DATABASE_URL, whichever selects this database. */
  env: Record<string, string>;
  /** By demo name: `accounts.get('yenji100')` is the bench doctor on P001/P002's care team. */
  accounts: Map<string, BenchAccount>;
  /** Family names of P001…P010, for search_patients queries. */
  familyNames: Map<string, string>;
  open(): Database;
  cleanup(): Promise<void>;
}

/** The PostgreSQL database a prepared database names (its backends' process titles carry it); undefined on SQLite. */
export function postgresDatabaseOf(prepared: Pick<PreparedDatabase, 'env'>): string | undefined {
  const url = prepared.env.DATABASE_URL;
  return url === undefined ? undefined : decodeURIComponent(new URL(url).pathname.slice(1));
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** Secrets are fresh per run: the bench never sees a key that outlives it. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {
    // As `npm start` starts the servers; the echoes get it too, so the baselines run alike.
    ...SERVER_ENVIRONMENT,
    JWT_SECRET: hex(32),
    PSEUDONYM_KEY: hex(32),
    JWT_AUDIENCE: 'secure-hospital-ai-mcp',
    RATE_LIMIT_PER_USER: '0',
    LOG_LEVEL: 'warn',
  };
  // Only what a process needs to run; nothing of the caller's own configuration leaks in.
  for (const key of ['PATH', 'HOME', 'LANG', 'TZ', 'UV_THREADPOOL_SIZE', ...Object.keys(SERVER_ENVIRONMENT)]) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

async function createPostgresDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `shai_bench_${hex(6)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`PostgreSQL at ${redact(adminUrl)} is unreachable: ${(error as Error).message}`);
  }
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

export async function prepareDatabase(
  kind: DatabaseChoice,
  workDir: string,
  env: Record<string, string>,
  postgresAdminUrl: string,
  /** The CLI that migrates and seeds: another checkout's, to measure that build (`bench/versus.ts`). */
  cli = CLI,
): Promise<PreparedDatabase> {
  let dbEnv: Record<string, string>;
  let dropDatabase: () => Promise<void>;
  if (kind === 'sqlite') {
    // A directory of its own: the soak runs a fresh system beside the soaked one.
    const dataDir = mkdtempSync(join(workDir, 'data-sqlite-'));
    dbEnv = { DATA_DIR: dataDir };
    dropDatabase = async () => rmSync(dataDir, { recursive: true, force: true });
  } else {
    const created = await createPostgresDatabase(postgresAdminUrl);
    dbEnv = { DATABASE_URL: created.url, DATA_DIR: join(workDir, 'data-unused') };
    dropDatabase = created.drop;
  }
  const open = () => openDatabase({ databaseUrl: dbEnv.DATABASE_URL, dataDir: dbEnv.DATA_DIR as string });
  try {
    const devEnv = { ...env, ...dbEnv, NODE_ENV: 'development' };
    await runNode('migrate', [cli, 'migrate'], devEnv, workDir);
    await runNode('seed', [cli, 'seed'], devEnv, workDir);
    const database = open();
    try {
      const accounts = await replaceDemoAccounts(database);
      const familyNames = await readFamilyNames(database);
      return { kind, env: dbEnv, accounts, familyNames, open, cleanup: dropDatabase };
    } finally {
      await database.close();
    }
  } catch (error) {
    await dropDatabase().catch(() => undefined);
    throw error;
  }
}

async function replaceDemoAccounts(database: Database): Promise<Map<string, BenchAccount>> {
  const { db } = database;
  const accounts = new Map<string, BenchAccount>();
  for (const demo of DEMO_ACCOUNTS) {
    const account: BenchAccount = {
      demoName: demo.username,
      username: `bench_${demo.username}`,
      password: hex(16),
      role: demo.role,
      active: demo.active !== false,
    };
    await createAccount(db, {
      username: account.username,
      password: account.password,
      role: demo.role,
      displayName: `Bench ${demo.displayName}`,
      patientId: demo.patientId ?? null,
    });
    for (const patientId of demo.careTeam ?? []) await assignCareTeam(db, account.username, patientId, 'attending');
    for (const wardId of demo.wards ?? []) await assignWard(db, account.username, wardId);
    if (!account.active) await setAccountActive(db, account.username, false);
    accounts.set(demo.username, account);
  }

  const demoNames = DEMO_ACCOUNTS.map((a) => a.username);
  const demoRows = await db
    .selectFrom('accounts')
    .select('id')
    .where((eb) => eb.or([eb('is_demo', '=', 1), eb('username', 'in', demoNames)]))
    .execute();
  const ids = demoRows.map((r) => r.id);
  if (ids.length > 0) {
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('care_team_members').where('account_id', 'in', ids).execute();
      await trx.deleteFrom('ward_assignments').where('account_id', 'in', ids).execute();
      await trx.deleteFrom('break_glass_grants').where('account_id', 'in', ids).execute();
      await trx.deleteFrom('refresh_tokens').where('account_id', 'in', ids).execute();
      await trx.deleteFrom('revoked_tokens').where('account_id', 'in', ids).execute();
      await trx.deleteFrom('accounts').where('id', 'in', ids).execute();
    });
  }
  const left = await demoAccountsPresent(db);
  if (left.length > 0) throw new Error(`demo accounts still present after replacement: ${left.join(', ')}`);
  return accounts;
}

async function readFamilyNames(database: Database): Promise<Map<string, string>> {
  const rows = await database.db.selectFrom('patients').select(['id', 'family_name_lc']).execute();
  return new Map(rows.map((r) => [r.id, r.family_name_lc]));
}

export interface RunningSystem {
  gatewayOrigin: string;
  mcpOrigin: string;
  gateway: ServerProcess;
  mcp: ServerProcess;
  /** The production environment both servers run with (for the audit verifier). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startSystem(prepared: PreparedDatabase, env: Record<string, string>, workDir: string, cli = CLI): Promise<RunningSystem> {
  const [gatewayPort, mcpPort] = [await freePort(), await freePort()];
  const mcpOrigin = `http://127.0.0.1:${mcpPort}`;
  const gatewayOrigin = `http://127.0.0.1:${gatewayPort}`;
  const serverEnv = {
    ...env,
    ...prepared.env,
    NODE_ENV: 'production',
    GATEWAY_PORT: String(gatewayPort),
    MCP_PORT: String(mcpPort),
    MCP_URL: `${mcpOrigin}/mcp/`,
  };
  const mcp = spawnNode('mcp-server', [...SERVER_NODE_FLAGS, cli, 'mcp-server'], serverEnv, workDir);
  let gateway: ServerProcess | undefined;
  try {
    await waitForHttp(`${mcpOrigin}/mcp/`, mcp);
    gateway = spawnNode('gateway', [...SERVER_NODE_FLAGS, cli, 'gateway'], serverEnv, workDir);
    await waitForHttp(`${gatewayOrigin}/healthz`, gateway);
  } catch (error) {
    await Promise.all([mcp.stop(), gateway?.stop()]);
    throw error;
  }
  const gw = gateway;
  return {
    gatewayOrigin,
    mcpOrigin,
    gateway: gw,
    mcp,
    env: serverEnv,
    stop: async () => {
      await Promise.all([gw.stop(), mcp.stop()]);
    },
  };
}

/**
 * A second MCP server on the same database with extra settings (the chart cache turned off),
 * for a scenario that shows what the setting is worth; stopped after its scenario.
 */
export async function startExtraMcp(system: RunningSystem, workDir: string, name: string, overrides: Record<string, string>): Promise<{ origin: string; process: ServerProcess }> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const mcp = spawnNode(name, [...SERVER_NODE_FLAGS, CLI, 'mcp-server'], { ...system.env, ...overrides, MCP_PORT: String(port) }, workDir);
  try {
    await waitForHttp(`${origin}/mcp/`, mcp);
  } catch (error) {
    await mcp.stop();
    throw error;
  }
  return { origin, process: mcp };
}

/** The two baseline servers: a one-hop fastify echo, and a front hop forwarding to it. */
export interface EchoServers {
  backOrigin: string;
  frontOrigin: string;
  back: ServerProcess;
  front: ServerProcess;
  stop(): Promise<void>;
}

export async function startEchoServers(responseBytes: number, workDir: string): Promise<EchoServers> {
  const script = fileURLToPath(new URL('./bench-echo.js', import.meta.url));
  const [backPort, frontPort] = [await freePort(), await freePort()];
  const backOrigin = `http://127.0.0.1:${backPort}`;
  const frontOrigin = `http://127.0.0.1:${frontPort}`;
  const env = { ...baseEnv(), NODE_ENV: 'production' };
  const back = spawnNode('echo-back', [...SERVER_NODE_FLAGS, script], { ...env, ECHO_ROLE: 'back', ECHO_PORT: String(backPort), ECHO_RESPONSE_BYTES: String(responseBytes) }, workDir);
  const front = spawnNode('echo-front', [...SERVER_NODE_FLAGS, script], { ...env, ECHO_ROLE: 'front', ECHO_PORT: String(frontPort), ECHO_BACK_URL: `${backOrigin}/mcp/` }, workDir);
  try {
    await waitForHttp(`${backOrigin}/`, back);
    await waitForHttp(`${frontOrigin}/`, front);
  } catch (error) {
    await Promise.all([back.stop(), front.stop()]);
    throw error;
  }
  return {
    backOrigin,
    frontOrigin,
    back,
    front,
    stop: async () => {
      await Promise.all([front.stop(), back.stop()]);
    },
  };
}
