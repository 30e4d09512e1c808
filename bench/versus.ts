/**
 * Two builds side by side: this checkout's and another's (or this one with other settings), each
 * a whole system on a database of its own, under the same load at the same time. On a noisy
 * 2-core machine, alternating runs of one build differ by 15–30 % from noise alone; side by side,
 * two systems of the same build came out at 0.98–1.02× of each other over 30 s, and a server
 * with its chart cache off at 0.57× (BENCHMARKS.md, eleventh session). For deciding whether a
 * change pays, not for reporting: `npm run bench` is the report.
 *
 *   npm run bench:versus -- <mcp|chain> [seconds=30] [sqlite|postgres] [--other DIR]
 *
 * DIR is another checkout, installed and built: `git worktree add DIR <commit>`, then
 * `node scripts/ensure-install.mjs` in DIR. Its CLI migrates, seeds and serves its side, but the
 * bench accounts are written with this checkout's code, so the two must share the accounts
 * tables' schema. Without DIR both sides run this build, and
 * VERSUS_ENV_A / VERSUS_ENV_B (JSON) add settings to one side's servers, e.g.
 * VERSUS_ENV_B='{"CHART_CACHE_ENTRIES":"0"}'.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { DatabaseChoice } from './bench-args.js';
import { runLoad, runSideBySide, type LoadResult } from './bench-load.js';
import { cpuSnapshot, type ServerProcess } from './bench-process.js';
import { CLI, baseEnv } from './bench-system.js';
import { startOverviewSystem, type OverviewSystem } from './overview-system.js';

const CONNECTIONS_EACH = 16;
const WARMUP_SECONDS = 3;
const USAGE = 'usage: npm run bench:versus -- <mcp|chain> [seconds=30] [sqlite|postgres] [--other DIR]';

interface Side extends OverviewSystem {
  label: string;
}

async function startSide(label: string, cli: string, kind: DatabaseChoice, via: 'mcp' | 'chain', env: Record<string, string>, workDir: string): Promise<Side> {
  const postgresAdminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = await startOverviewSystem({ kind, via, env, workDir, postgresAdminUrl, connections: CONNECTIONS_EACH, label, log, cli });
  return { ...started, label };
}

function describe(side: Side, result: LoadResult, cpu: Map<string, number>): string {
  const perAnswer = [...cpu].map(([name, seconds]) => `${name} ${Math.round((seconds / result.completed) * 1e6)} µs`).join(', ');
  return `${side.label}: ${Math.round(result.rps)} req/s, p50 ${result.latency.p50.toFixed(1)} ms, p99 ${result.latency.p99.toFixed(1)} ms, statuses ${JSON.stringify(result.statuses)}, errors ${result.transportErrors}; CPU per answer ${perAnswer}`;
}

function cpuSpent(processes: readonly ServerProcess[], before: Map<string, number>): Map<string, number> {
  const after = cpuSnapshot(processes);
  return new Map([...after].map(([name, seconds]) => [name, seconds - (before.get(name) ?? seconds)]));
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { other: { type: 'string' } } });
  const [scenario = 'chain', secondsArg = '30', kind = 'sqlite'] = positionals;
  const seconds = Number(secondsArg);
  if ((scenario !== 'mcp' && scenario !== 'chain') || (kind !== 'sqlite' && kind !== 'postgres') || !(seconds > 0)) {
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
    sides.push(await startSide('A (this checkout)', CLI, kind, scenario, { ...env, ...settings('VERSUS_ENV_A') }, workDir));
    sides.push(await startSide(`B (${values.other ?? 'this checkout'})`, otherCli, kind, scenario, { ...env, ...settings('VERSUS_ENV_B') }, workDir));
    const [a, b] = sides as [Side, Side];
    await Promise.all([runLoad({ ...a.spec, durationSeconds: WARMUP_SECONDS }), runLoad({ ...b.spec, durationSeconds: WARMUP_SECONDS })]);
    const processesOf = (side: Side) => [side.system.gateway, side.system.mcp];
    const before = [cpuSnapshot(processesOf(a)), cpuSnapshot(processesOf(b))] as const;
    const run = await runSideBySide(a.spec, b.spec, seconds);
    const spent = [cpuSpent(processesOf(a), before[0]), cpuSpent(processesOf(b), before[1])] as const;
    process.stdout.write(
      `${scenario} on ${kind}, ${seconds} s, ${CONNECTIONS_EACH} connections each\n` +
        `${describe(a, run.a, spent[0])}\n${describe(b, run.b, spent[1])}\n` +
        `A ÷ B: ${(run.a.completed / run.b.completed).toFixed(3)} (${run.windowSeconds} s windows ${run.perWindow.map((r) => r.toFixed(2)).join(' ')})\n`,
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
