/**
 * One scenario, one database, and where the CPU went: req/s, p50/p99, and CPU microseconds per
 * answer for each server process, with the machine's idle and steal time over the run: where a
 * call's time goes, not a report (`npm run bench` is the report). To tell which of two builds is
 * faster, `npm run bench:versus` runs them side by side, which a 2-core machine's drift cannot
 * skew; alternating runs of this script differ by 15–30 % from noise alone.
 *
 *   npm run bench:profile -- <mcp|chain|echo1|echo2> [seconds=8] [sqlite|postgres]
 *
 * PROFILE_ENV='{"NODE_OPTIONS":"--perf-basic-prof"}' adds settings to the servers' environment
 * (for `perf record -g -p <pid>`; the pids are printed before the load starts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresAdminUrlFrom, type DatabaseChoice } from './bench-args.js';
import { runLoad, type LoadRequest } from './bench-load.js';
import { cpuSnapshot, cpuSpentSince, machineTicks, type ServerProcess } from './bench-process.js';
import { toolCallBody, MCP_HEADERS } from './bench-scenarios.js';
import { cpuUsPerAnswer, formatCpuPerAnswer } from './bench-stats.js';
import { baseEnv, postgresDatabaseOf, startEchoServers } from './bench-system.js';
import { startOverviewSystem } from './overview-system.js';

const CONNECTIONS = 32;
const WARMUP_SECONDS = 3;
/** USER_HZ: /proc/stat counts in these on every Linux this runs on. */
const TICKS_PER_SECOND = 100;
/** The overview answer's size in the bench's own run (BENCHMARKS.md), for the echoes. */
const ECHO_RESPONSE_BYTES = 10_068;

type Scenario = 'mcp' | 'chain' | 'echo1' | 'echo2';

async function measure(origin: string, request: LoadRequest, processes: readonly ServerProcess[], seconds: number, database?: string): Promise<void> {
  for (const p of processes) process.stdout.write(`${p.name} pid ${p.pid}\n`);
  await runLoad({ origin, requests: [request], connections: CONNECTIONS, durationSeconds: WARMUP_SECONDS });
  const cpuBefore = cpuSnapshot(processes, database);
  const ticksBefore = machineTicks();
  const result = await runLoad({ origin, requests: [request], connections: CONNECTIONS, durationSeconds: seconds });
  const cpuAfter = cpuSnapshot(processes, database);
  const ticksAfter = machineTicks();
  const total = ticksAfter.total - ticksBefore.total || 1;
  process.stdout.write(
    `${Math.round(result.rps)} req/s  p50 ${result.latency.p50.toFixed(1)} ms  p99 ${result.latency.p99.toFixed(1)} ms  ` +
      `statuses ${JSON.stringify(result.statuses)}  errors ${result.transportErrors}\n` +
      `CPU per answer: ${formatCpuPerAnswer(cpuUsPerAnswer(cpuSpentSince(cpuBefore, cpuAfter), result.completed))}\n` +
      `machine: idle ${Math.round(((ticksAfter.idle - ticksBefore.idle) / total) * 100)} %, steal ${Math.round(((ticksAfter.steal - ticksBefore.steal) / total) * 100)} %, ` +
      // Everything that ran: the servers, the load generator, PostgreSQL's backends.
      `all processes ${Math.round(((total - (ticksAfter.idle - ticksBefore.idle) - (ticksAfter.steal - ticksBefore.steal)) / TICKS_PER_SECOND / result.completed) * 1e6)} µs per answer\n`,
  );
}

async function main(): Promise<void> {
  const [scenarioArg = 'mcp', secondsArg = '8', dbArg = 'sqlite'] = process.argv.slice(2);
  const scenario = scenarioArg as Scenario;
  if (!['mcp', 'chain', 'echo1', 'echo2'].includes(scenario)) throw new Error(`unknown scenario ${scenarioArg}`);
  if (dbArg !== 'sqlite' && dbArg !== 'postgres') throw new Error(`unknown database ${dbArg}`);
  const seconds = Number(secondsArg);
  const workDir = mkdtempSync(join(tmpdir(), 'shai-profile-'));
  const extraEnv = JSON.parse(process.env.PROFILE_ENV ?? '{}') as Record<string, string>;
  try {
    if (scenario === 'echo1' || scenario === 'echo2') {
      const echo = await startEchoServers(ECHO_RESPONSE_BYTES, workDir);
      try {
        const origin = scenario === 'echo1' ? echo.backOrigin : echo.frontOrigin;
        const request: LoadRequest = { method: 'POST', path: scenario === 'echo1' ? '/mcp/' : '/mcp-proxy/', body: toolCallBody('get_patient_overview', { patient_id: 'P001' }), headers: { ...MCP_HEADERS }, bearer: () => 'x' };
        await measure(origin, request, scenario === 'echo1' ? [echo.back] : [echo.front, echo.back], seconds);
      } finally {
        await echo.stop();
      }
      return;
    }
    const env = { ...baseEnv(), ...extraEnv };
    const postgresAdminUrl = postgresAdminUrlFrom(process.env);
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const { prepared, system, spec, stop } = await startOverviewSystem({ kind: dbArg as DatabaseChoice, via: scenario, env, workDir, postgresAdminUrl, connections: CONNECTIONS, label: 'profile', log });
    try {
      await measure(spec.origin, spec.requests[0] as LoadRequest, [system.gateway, system.mcp], seconds, postgresDatabaseOf(prepared));
    } finally {
      await stop();
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`profile: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
