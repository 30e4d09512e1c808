/**
 * The bench's command line. Bad flags stop the run before anything is started, with a
 * message that says which flag and why.
 */
import { parseArgs } from 'node:util';

export type DatabaseChoice = 'sqlite' | 'postgres';

export interface BenchOptions {
  databases: DatabaseChoice[];
  /** Measured seconds per scenario. */
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  json: boolean;
  /** Seconds of the full chain alone; undefined for the normal run. */
  soakSeconds: number | undefined;
  quick: boolean;
  /** Whether to replace this harness's section of BENCHMARKS.md. */
  writeReport: boolean;
  postgresAdminUrl: string;
}

export const USAGE = `usage: npm run bench -- [options]
  --db sqlite|postgres|both   databases to run on (default both)
  --duration N                measured seconds per scenario (default 10)
  --warmup N                  warm-up seconds before each scenario (default 3)
  --connections N             concurrent connections (default 32)
  --quick                     2 s per scenario, 1 s warm-up: a smoke test; does not touch BENCHMARKS.md
  --soak N                    only the full chain for N seconds (60 or more), RSS every 5 s;
                              then the soaked system and a fresh one side by side for 30 s
  --json                      print the results as JSON instead of a table
  --write / --no-write        replace (or not) this harness's section of BENCHMARKS.md
  --pg-url URL                PostgreSQL admin URL (default $BENCH_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/postgres)`;

/** The shortest soak whose first window (a third of it) is past the servers' warm-up. */
export const MIN_SOAK_SECONDS = 60;

/** Where the bench creates and drops its PostgreSQL databases unless told otherwise. */
export const DEFAULT_POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** $BENCH_POSTGRES_URL, else the default: for the bench's tools that take no --pg-url. */
export function postgresAdminUrlFrom(env: NodeJS.ProcessEnv): string {
  return env.BENCH_POSTGRES_URL ?? DEFAULT_POSTGRES_ADMIN_URL;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

function positiveInteger(flag: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be an integer >= ${min}, got "${value}"`);
  return n;
}

export function parseBenchArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        db: { type: 'string' },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        connections: { type: 'string' },
        quick: { type: 'boolean', default: false },
        soak: { type: 'string' },
        json: { type: 'boolean', default: false },
        write: { type: 'boolean' },
        'no-write': { type: 'boolean' },
        'pg-url': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) throw new UsageError('');

  const db = v.db ?? 'both';
  if (db !== 'sqlite' && db !== 'postgres' && db !== 'both') {
    throw new UsageError(`--db must be sqlite, postgres or both, got "${db}"`);
  }
  if (v.write && v['no-write']) throw new UsageError('--write and --no-write contradict each other');

  const quick = v.quick === true;
  // A shorter soak judges the servers' warm-up, not growth: 10 s gave MCP server RSS 127 → 142 MiB.
  const soakSeconds = v.soak === undefined ? undefined : positiveInteger('soak', v.soak, 0, MIN_SOAK_SECONDS);
  const durationSeconds = positiveInteger('duration', v.duration, quick ? 2 : 10);
  const warmupSeconds = positiveInteger('warmup', v.warmup, quick ? 1 : 3, 0);
  const connections = positiveInteger('connections', v.connections, 32);
  // A quick run is a smoke test: its figures must not replace a real run's in the document.
  const writeReport = v['no-write'] === true ? false : v.write === true ? true : !quick;

  return {
    databases: db === 'both' ? ['sqlite', 'postgres'] : [db],
    durationSeconds,
    warmupSeconds,
    connections,
    json: v.json === true,
    soakSeconds,
    quick,
    writeReport,
    postgresAdminUrl: v['pg-url'] ?? postgresAdminUrlFrom(env),
  };
}
