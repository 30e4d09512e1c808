/**
 * Two builds side by side: this checkout's and another's (or this one with other settings), each
 * a whole system on a database of its own, under the same load at the same time. On a noisy
 * 2-core machine, alternating runs of one build differ by 15–30 % from noise alone; side by side,
 * two systems of the same build came out at 0.98–1.02× of each other over 30 s, and a server
 * with its chart cache off at 0.57× (BENCHMARKS.md, eleventh session). For deciding whether a
 * change pays, not for reporting: `npm run bench` is the report.
 *
 *   npm run bench:versus -- <mcp|chain> [seconds=30] [sqlite|postgres] [--other DIR] [--backlog N]
 *
 * DIR is another checkout, installed and built: `git worktree add DIR <commit>`, then
 * `node scripts/ensure-install.mjs` in DIR. Its CLI migrates, seeds and serves its side, but the
 * bench accounts are written with this checkout's code, so the two must share the accounts
 * tables' schema. Without DIR both sides run this build, and
 * VERSUS_ENV_A / VERSUS_ENV_B (JSON) add settings to one side's servers, e.g.
 * VERSUS_ENV_B='{"CHART_CACHE_ENTRIES":"0"}'.
 *
 * --backlog N puts N synthetic audit events in side A's log before its servers start
 * (`audit-backlog.ts`): with both sides this build, A ÷ B is what a log of that size costs.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { postgresAdminUrlFrom, type DatabaseChoice } from './bench-args.js';
import { runLoad, runSideBySide, type LoadResult } from './bench-load.js';
import { cpuSnapshot, cpuSpentSince } from './bench-process.js';
import { fillAuditBacklog } from './audit-backlog.js';
import { cpuUsPerAnswer, formatCpuPerAnswer, formatWindows } from './bench-stats.js';
import { CLI, baseEnv, postgresDatabaseOf, type PreparedDatabase } from './bench-system.js';
import { startOverviewSystem, type OverviewSystem } from './overview-system.js';

const CONNECTIONS_EACH = 16;
const WARMUP_SECONDS = 3;
const USAGE = 'usage: npm run bench:versus -- <mcp|chain> [seconds=30] [sqlite|postgres] [--other DIR] [--backlog N]';

interface Side extends OverviewSystem {
  label: string;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function startSide(
  label: string,
  cli: string,
  kind: DatabaseChoice,
  via: 'mcp' | 'chain',
  env: Record<string, string>,
  workDir: string,
  backlog = 0,
): Promise<Side> {
  const postgresAdminUrl = postgresAdminUrlFrom(process.env);
  const beforeStart = async (prepared: PreparedDatabase) => {
    if (backlog === 0) return;
    const database = prepared.open();
    try {
      await fillAuditBacklog(database, backlog, log);
    } finally {
      await database.close();
    }
  };
  const started = await startOverviewSystem({ kind, via, env, workDir, postgresAdminUrl, connections: CONNECTIONS_EACH, label, log, cli, beforeStart });
  return { ...started, label };
}

function describe(side: Side, result: LoadResult, cpu: Record<string, number>): string {
  return `${side.label}: ${Math.round(result.rps)} req/s, p50 ${result.latency.p50.toFixed(1)} ms, p99 ${result.latency.p99.toFixed(1)} ms, statuses ${JSON.stringify(result.statuses)}, errors ${result.transportErrors}; CPU per answer ${formatCpuPerAnswer(cpuUsPerAnswer(cpu, result.completed))}`;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { other: { type: 'string' }, backlog: { type: 'string' } } });
  const [scenario = 'chain', secondsArg = '30', kind = 'sqlite'] = positionals;
  const seconds = Number(secondsArg);
  const backlog = Number(values.backlog ?? '0');
  if ((scenario !== 'mcp' && scenario !== 'chain') || (kind !== 'sqlite' && kind !== 'postgres') || !(seconds > 0) || !Number.isSafeInteger(backlog) || backlog < 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const otherCli = values.other === undefined ? CLI : join(resolve(values.other), 'packages/cli/dist/main.js');
  if (!existsSync(otherCli)) {
    process.stderr.write(`versus: ${otherCli} is missing: install and build that checkout first\n`);
    return 2;
  }
  process.env.NODE_ENV = 'production';
  const settings = (name: string) => JSON.parse(process.env[name] ?? '{}') as Record<string, string>;
  // One environment for both sides (secrets included), so only the build and the stated settings differ.
  const env = baseEnv();
  const workDir = mkdtempSync(join(tmpdir(), 'shai-versus-'));
  const sides: Side[] = [];
  try {
    sides.push(await startSide(`A (this checkout${backlog > 0 ? `, ${backlog.toLocaleString('en')} audit events already logged` : ''})`, CLI, kind, scenario, { ...env, ...settings('VERSUS_ENV_A') }, workDir, backlog));
    sides.push(await startSide(`B (${values.other ?? 'this checkout'})`, otherCli, kind, scenario, { ...env, ...settings('VERSUS_ENV_B') }, workDir));
    const [a, b] = sides as [Side, Side];
    await Promise.all([runLoad({ ...a.spec, durationSeconds: WARMUP_SECONDS }), runLoad({ ...b.spec, durationSeconds: WARMUP_SECONDS })]);
    const snapshot = (side: Side) => cpuSnapshot([side.system.gateway, side.system.mcp], postgresDatabaseOf(side.prepared));
    const before = [snapshot(a), snapshot(b)] as const;
    const run = await runSideBySide(a.spec, b.spec, seconds);
    const spent = [cpuSpentSince(before[0], snapshot(a)), cpuSpentSince(before[1], snapshot(b))] as const;
    process.stdout.write(
      `${scenario} on ${kind}, ${seconds} s, ${CONNECTIONS_EACH} connections each\n` +
        `${describe(a, run.a, spent[0])}\n${describe(b, run.b, spent[1])}\n` +
        `A ÷ B: ${run.ratio.toFixed(3)} (${formatWindows(run.windowSeconds, run.perWindow)})\n`,
    );
    return 0;
  } finally {
    for (const side of sides) await side.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // autocannon and undici keep sockets in their pools; do not wait for their idle timers.
    setImmediate(() => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(`versus: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
