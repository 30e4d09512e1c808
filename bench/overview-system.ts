/**
 * A whole system ready for the overview load: a fresh database, both servers started, every
 * bench account logged in, and one `get_patient_overview` call checked to answer 200 — either
 * straight to the MCP server or through the gateway's proxy. The soak (its soaked and its fresh
 * system), `bench:versus` (its two sides) and `bench:profile` start theirs here.
 */
import type { DatabaseChoice } from './bench-args.js';
import type { LoadSpec } from './bench-load.js';
import { overviewCall, preflight, TokenBook } from './bench-scenarios.js';
import { CLI, prepareDatabase, startSystem, type PreparedDatabase, type RunningSystem } from './bench-system.js';

export interface OverviewSystem {
  prepared: PreparedDatabase;
  system: RunningSystem;
  spec: Omit<LoadSpec, 'durationSeconds' | 'progress'>;
  /** Stops the servers and drops the database; a failed drop is logged, not thrown. */
  stop(): Promise<void>;
}

export interface OverviewSystemOptions {
  kind: DatabaseChoice;
  /** 'mcp': straight to the MCP server; 'chain': through the gateway's `/mcp-proxy/`. */
  via: 'mcp' | 'chain';
  env: Record<string, string>;
  workDir: string;
  postgresAdminUrl: string;
  connections: number;
  /** Names the system in errors and log lines. */
  label: string;
  log: (line: string) => void;
  /** Another checkout's CLI, to run that build (`versus.ts`). */
  cli?: string;
  /** Runs on the prepared database before the servers start (`versus.ts --backlog`). */
  beforeStart?: (prepared: PreparedDatabase) => Promise<void>;
}

export async function startOverviewSystem(o: OverviewSystemOptions): Promise<OverviewSystem> {
  const cli = o.cli ?? CLI;
  const prepared = await prepareDatabase(o.kind, o.workDir, o.env, o.postgresAdminUrl, cli);
  let system: RunningSystem | undefined;
  let book: TokenBook | undefined;
  const stop = async () => {
    book?.stop();
    await system?.stop();
    await prepared.cleanup().catch((error: unknown) => o.log(`${o.label}: cleanup failed: ${(error as Error).message}`));
  };
  try {
    await o.beforeStart?.(prepared);
    system = await startSystem(prepared, o.env, o.workDir, cli);
    book = new TokenBook(system.gatewayOrigin, prepared.accounts);
    await book.loginAll();
    const origin = o.via === 'mcp' ? system.mcpOrigin : system.gatewayOrigin;
    const call = overviewCall(o.via === 'mcp' ? '/mcp/' : '/mcp-proxy/', book);
    const check = await preflight(origin, call, 200);
    if (check.problem) throw new Error(`${o.label}: ${o.via === 'mcp' ? 'the MCP server' : 'the full chain'} is not answering as expected: ${check.problem}`);
    return { prepared, system, spec: { origin, requests: [call], connections: o.connections }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
