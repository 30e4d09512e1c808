/**
 * One database's pass of the benchmark: fresh database, real servers in production mode,
 * the two echo baselines, the five scenarios, the audit checks; and the soak.
 */
import { sql } from 'kysely';
import { request } from 'undici';
import type { BenchOptions, DatabaseChoice } from './bench-args.js';
import { combineLoads, runLoad, runSideBySide, unexpectedCount, type LoadRequest, type LoadResult, type LoadSpec } from './bench-load.js';
import { RssSampler, cpuSnapshot, cpuSpentSince, machineTicks, readRss, runNodeStatus, type MachineTicks, type RssSample, type ServerProcess } from './bench-process.js';
import {
  TokenBook,
  loginRequests,
  mixedWorkload,
  overviewCall,
  preflight,
  researcherPseudonym,
  type PlannedCall,
} from './bench-scenarios.js';
import { startOverviewSystem, type OverviewSystem } from './overview-system.js';
import { bytesToMiB, cpuUsPerAnswer, formatRatio, mean, ratio, SOAK_SAMPLE_MS, soakWindowSeconds, soakWindows } from './bench-stats.js';
import { CLI, baseEnv, postgresDatabaseOf, prepareDatabase, startEchoServers, startExtraMcp, startSystem, type PreparedDatabase, type RunningSystem } from './bench-system.js';

export type ScenarioId = 'echo-1hop' | 'echo-2hop' | 'mcp-alone' | 'mcp-alone-uncached' | 'chain' | 'mixed' | 'logins' | 'chain-with-logins' | 'logins-beside-chain';

export interface ScenarioResult {
  id: ScenarioId;
  label: string;
  completed: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Transport errors and statuses the scenario does not expect (a policy 403 in the mixed workload is expected). */
  errors: number;
  statuses: Record<string, number>;
  /** req/s relative to the two-hop echo (baseline 1) and to the one-hop echo. */
  vsTwoHop: number | null;
  vsOneHop: number | null;
  /** Largest RSS per server process during the measured run, MiB. */
  rssMaxMiB: Record<string, number>;
  /**
   * CPU time each server process spent per answer during the measured run, µs (/proc, 10 ms
   * ticks: precise to well under 1 % over a 10 s run), PostgreSQL's backends and the load
   * generator included. Where the time of a call goes.
   */
  cpuUsPerAnswer: Record<string, number>;
  /**
   * Share of the machine's CPU time nobody used during the measured run, per cent: a scenario
   * that leaves the cores idle is bound by waiting (a single thread, the disk, a round trip),
   * not by the CPU its processes spend. Absent in runs recorded before it was measured.
   */
  machineIdlePct?: number;
}

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  pass: boolean;
}

export interface AuditCheck {
  /** Sequential calls through the chain after which the event count was read at once. */
  probeCalls: number;
  probeCommittedBeforeAnswer: number;
  /** Tool calls answered 200 / 403 during the pass (warm-ups, preflights and probes included). */
  allowedAnswers: number;
  deniedAnswers: number;
  /** tools/call events in the database with decision allow / deny, read while the servers still ran. */
  allowEvents: number;
  denyEvents: number;
  verifyExitCode: string;
  verifyOutput: string;
}

export interface DatabasePass {
  database: DatabaseChoice;
  /** Why this pass did not run, when it did not. */
  skipped?: string;
  requestBytes: number;
  responseBytes: number;
  /** RSS of the two servers after start-up and login, before any load, MiB. */
  idleRssMiB: Record<string, number>;
  scenarios: ScenarioResult[];
  preflightProblems: string[];
  /** How the baselines and the two ratio-bearing scenarios shared the measured time. */
  interleave: InterleaveReport | undefined;
  audit: AuditCheck | undefined;
  targets: TargetCheck[];
}

/**
 * The two echoes, the MCP server alone and the full chain take turns in short slices, so a
 * drift of the machine's speed during the run falls on baseline and target alike instead of
 * favouring whichever ran in the faster minute. (It does not make a 2-core machine's runs agree:
 * the chain's own throughput still moves by ±0.05 of the echo's from run to run, BENCHMARKS.md.)
 */
export interface InterleaveReport {
  scenarios: ScenarioId[];
  rounds: number;
  sliceSeconds: number;
  /** The target ratios as each round alone gives them, in round order: their spread shows how steady the machine was. */
  perRound: { chainVsTwoHop: number[]; aloneVsOneHop: number[] };
}

/** Tool-call answers seen during a pass, to compare with the audit events stored. */
interface CallTally {
  allowed: number;
  denied: number;
}

function tallyToolCalls(tally: CallTally, result: LoadResult): void {
  tally.allowed += result.statuses['200'] ?? 0;
  tally.denied += result.statuses['403'] ?? 0;
}

const RSS_INTERVAL_MS = 250;
const OK_200 = new Set([200]);
const OK_200_403 = new Set([200, 403]);

interface Measurement {
  result: LoadResult;
  rssMax: Record<string, number>;
  /** CPU seconds per process over the measured run. */
  cpuSeconds: Record<string, number>;
  /** The machine's idle and total ticks over the measured run. */
  machine: Pick<MachineTicks, 'idle' | 'total'>;
}

/** The processes a measured run reads CPU and RSS of, and the PostgreSQL database whose backends it reads CPU of. */
interface Watched {
  processes: readonly ServerProcess[];
  postgresDatabase?: string;
}

function machineSpent(before: MachineTicks): Measurement['machine'] {
  const after = machineTicks();
  return { idle: after.idle - before.idle, total: after.total - before.total };
}

/** One measured run of `seconds`: answers, each process's CPU, and RSS sampled throughout. */
async function measureRun(spec: Omit<LoadSpec, 'durationSeconds'>, watched: Watched, seconds: number): Promise<Measurement> {
  const sampler = new RssSampler(watched.processes, RSS_INTERVAL_MS);
  const cpuBefore = cpuSnapshot(watched.processes, watched.postgresDatabase);
  const ticksBefore = machineTicks();
  const ownBefore = process.cpuUsage();
  const result = await runLoad({ ...spec, durationSeconds: seconds });
  const own = process.cpuUsage(ownBefore);
  const machine = machineSpent(ticksBefore);
  // The load generator shares the cores with the servers: what it spends is shown too.
  const cpuSeconds = { ...cpuSpentSince(cpuBefore, cpuSnapshot(watched.processes, watched.postgresDatabase)), 'load generator': (own.user + own.system) / 1e6 };
  sampler.stop();
  return { result, rssMax: sampler.max(), cpuSeconds, machine };
}

/** Warm-up, then the measured run; `onResult` sees both (for the audit tally). */
async function measure(
  spec: Omit<LoadSpec, 'durationSeconds'>,
  watched: Watched,
  options: BenchOptions,
  onResult?: (r: LoadResult) => void,
): Promise<Measurement> {
  if (options.warmupSeconds > 0) onResult?.(await runLoad({ ...spec, durationSeconds: options.warmupSeconds }));
  const measured = await measureRun(spec, watched, options.durationSeconds);
  onResult?.(measured.result);
  return measured;
}

/** Slices of about this length; each scenario of an interleaved group gets one per round. */
const SLICE_SECONDS = 2;

/** How many rounds a measured duration is cut into, and how long each slice is. */
export function slicePlan(durationSeconds: number): { rounds: number; sliceSeconds: number } {
  const rounds = Math.max(1, Math.round(durationSeconds / SLICE_SECONDS));
  return { rounds, sliceSeconds: durationSeconds / rounds };
}

interface InterleavedLoad {
  spec: Omit<LoadSpec, 'durationSeconds'>;
  watched: Watched;
  onResult?: (r: LoadResult) => void;
}

interface InterleavedMeasurement extends Measurement {
  /** Each round's slice, in round order. */
  slices: LoadResult[];
}

/**
 * Each load warmed up once, then measured in rounds: every round gives each load one slice,
 * the order rotating by one per round so no load always follows the same one. A load's slices
 * add up to the duration `measure` would give it, and are combined as one run.
 */
async function measureInterleaved(loads: readonly InterleavedLoad[], options: BenchOptions): Promise<InterleavedMeasurement[]> {
  if (options.warmupSeconds > 0) {
    for (const load of loads) load.onResult?.(await runLoad({ ...load.spec, durationSeconds: options.warmupSeconds }));
  }
  const { rounds, sliceSeconds } = slicePlan(options.durationSeconds);
  const slicesOf: Measurement[][] = loads.map(() => []);
  for (let round = 0; round < rounds; round += 1) {
    for (let k = 0; k < loads.length; k += 1) {
      const index = (round + k) % loads.length;
      const load = loads[index] as InterleavedLoad;
      const slice = await measureRun(load.spec, load.watched, sliceSeconds);
      load.onResult?.(slice.result);
      (slicesOf[index] as Measurement[]).push(slice);
    }
  }
  return slicesOf.map((slices) => {
    const rssMax: Record<string, number> = {};
    const cpuSeconds: Record<string, number> = {};
    const machine = { idle: 0, total: 0 };
    for (const slice of slices) {
      for (const [name, bytes] of Object.entries(slice.rssMax)) rssMax[name] = Math.max(rssMax[name] ?? 0, bytes);
      for (const [name, seconds] of Object.entries(slice.cpuSeconds)) cpuSeconds[name] = (cpuSeconds[name] ?? 0) + seconds;
      machine.idle += slice.machine.idle;
      machine.total += slice.machine.total;
    }
    const results = slices.map((slice) => slice.result);
    return { result: combineLoads(results), rssMax, cpuSeconds, machine, slices: results };
  });
}

/** Two loads side by side (the chain and a login storm), warm-up and measurement together. */
async function measurePair(
  a: Omit<LoadSpec, 'durationSeconds'>,
  b: Omit<LoadSpec, 'durationSeconds'>,
  processes: readonly ServerProcess[],
  options: BenchOptions,
  onResultA?: (r: LoadResult) => void,
): Promise<[Measurement, Measurement]> {
  if (options.warmupSeconds > 0) {
    const [wa] = await Promise.all([runLoad({ ...a, durationSeconds: options.warmupSeconds }), runLoad({ ...b, durationSeconds: options.warmupSeconds })]);
    onResultA?.(wa);
  }
  const sampler = new RssSampler(processes, RSS_INTERVAL_MS);
  const ticksBefore = machineTicks();
  const [ra, rb] = await Promise.all([runLoad({ ...a, durationSeconds: options.durationSeconds }), runLoad({ ...b, durationSeconds: options.durationSeconds })]);
  const machine = machineSpent(ticksBefore);
  sampler.stop();
  onResultA?.(ra);
  const rssMax = sampler.max();
  // Two loads of very different cost share the servers: no CPU per answer is claimed for either.
  return [
    { result: ra, rssMax, cpuSeconds: {}, machine },
    { result: rb, rssMax, cpuSeconds: {}, machine },
  ];
}

function scenario(id: ScenarioId, label: string, m: Measurement, expected: ReadonlySet<number>): ScenarioResult {
  const r = m.result;
  const rssMaxMiB: Record<string, number> = {};
  for (const [name, bytes] of Object.entries(m.rssMax)) rssMaxMiB[name] = bytesToMiB(bytes);
  return {
    id,
    label,
    completed: r.completed,
    rps: r.rps,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    errors: unexpectedCount(r, expected),
    statuses: r.statuses,
    vsTwoHop: null,
    vsOneHop: null,
    rssMaxMiB,
    cpuUsPerAnswer: cpuUsPerAnswer(m.cpuSeconds, r.completed),
    ...(m.machine.total > 0 ? { machineIdlePct: (m.machine.idle / m.machine.total) * 100 } : {}),
  };
}

async function countToolEvents(prepared: PreparedDatabase): Promise<{ allow: number; deny: number }> {
  const database = prepared.open();
  try {
    const rows = await sql<{ decision: string; n: number | string }>`
      select decision, count(*) as n from audit_events where action = 'tools/call' group by decision`.execute(database.db);
    const counts = { allow: 0, deny: 0 };
    for (const row of rows.rows) {
      if (row.decision === 'allow') counts.allow = Number(row.n);
      if (row.decision === 'deny') counts.deny = Number(row.n);
    }
    return counts;
  } finally {
    await database.close();
  }
}

/**
 * "Every allowed call's audit event is committed before its answer is sent": after each
 * answer, the event count read from another connection must already include its event.
 */
async function probeCommitBeforeAnswer(prepared: PreparedDatabase, system: RunningSystem, call: LoadRequest, calls: number, tally: CallTally): Promise<number> {
  const database = prepared.open();
  const countAllowed = async () => {
    const r = await sql<{ n: number | string }>`select count(*) as n from audit_events where action = 'tools/call' and decision = 'allow'`.execute(database.db);
    return Number(r.rows[0]?.n ?? 0);
  };
  let committed = 0;
  try {
    for (let i = 0; i < calls; i += 1) {
      const before = await countAllowed();
      const headers: Record<string, string> = { ...call.headers, authorization: `Bearer ${call.bearer?.() ?? ''}` };
      const response = await request(`${system.gatewayOrigin}${call.path}`, { method: 'POST', headers, body: call.body });
      await response.body.dump();
      if (response.statusCode === 200) tally.allowed += 1;
      const after = await countAllowed();
      if (after > before) committed += 1;
    }
  } finally {
    await database.close();
  }
  return committed;
}

function worstRss(scenarios: readonly ScenarioResult[], names: readonly string[]): number {
  let worst = 0;
  for (const s of scenarios) for (const name of names) worst = Math.max(worst, s.rssMaxMiB[name] ?? 0);
  return worst;
}

function evaluateTargets(scenarios: readonly ScenarioResult[], audit: AuditCheck): TargetCheck[] {
  const get = (id: ScenarioId) => scenarios.find((s) => s.id === id);
  const checks: TargetCheck[] = [];
  const chain = get('chain');
  const twoHop = get('echo-2hop');
  const oneHop = get('echo-1hop');
  const alone = get('mcp-alone');
  const storm = get('chain-with-logins');
  const chainRatio = ratio(chain?.rps, twoHop?.rps);
  checks.push({ name: 'full chain req/s vs two-hop echo', target: '>= 0.50×', measured: chainRatio === null ? 'n/a' : formatRatio(chainRatio, 3), pass: chainRatio !== null && chainRatio >= 0.5 });
  checks.push({ name: 'full chain p99', target: '<= 8 ms', measured: chain ? `${chain.p99Ms.toFixed(1)} ms` : 'n/a', pass: chain !== undefined && chain.p99Ms <= 8 });
  const aloneRatio = ratio(alone?.rps, oneHop?.rps);
  checks.push({ name: 'MCP server alone req/s vs one-hop echo', target: '>= 0.60×', measured: aloneRatio === null ? 'n/a' : formatRatio(aloneRatio, 3), pass: aloneRatio !== null && aloneRatio >= 0.6 });
  checks.push({
    name: 'audit event committed before the answer',
    target: 'every probe call; allow events >= allowed answers',
    measured: `${audit.probeCommittedBeforeAnswer}/${audit.probeCalls} probes; ${audit.allowEvents} events for ${audit.allowedAnswers} answers`,
    pass: audit.probeCommittedBeforeAnswer === audit.probeCalls && audit.allowEvents >= audit.allowedAnswers,
  });
  checks.push({ name: 'audit chain verifies', target: 'exit 0', measured: `exit ${audit.verifyExitCode}`, pass: audit.verifyExitCode === '0' });
  const stormRatio = ratio(storm?.p99Ms, chain?.p99Ms);
  checks.push({ name: 'login storm raises chain p99 by', target: '<= 2×', measured: stormRatio === null ? 'n/a' : formatRatio(stormRatio, 3), pass: stormRatio !== null && stormRatio <= 2 });
  const rss = worstRss(scenarios, ['gateway', 'mcp-server']);
  checks.push({ name: 'RSS per server process under load', target: '< 200 MiB', measured: `${rss.toFixed(0)} MiB`, pass: rss > 0 && rss < 200 });
  const errors = scenarios.reduce((n, s) => n + s.errors, 0);
  checks.push({ name: 'errors (transport, unexpected status)', target: '0', measured: String(errors), pass: errors === 0 });
  return checks;
}

export interface PassContext {
  options: BenchOptions;
  workDir: string;
  log: (line: string) => void;
}

export async function runDatabasePass(kind: DatabaseChoice, ctx: PassContext): Promise<DatabasePass> {
  const { options, workDir, log } = ctx;
  const env = baseEnv();
  log(`[${kind}] preparing a fresh database`);
  const prepared = await prepareDatabase(kind, workDir, env, options.postgresAdminUrl);
  let system: RunningSystem | undefined;
  let book: TokenBook | undefined;
  try {
    system = await startSystem(prepared, env, workDir);
    log(`[${kind}] gateway ${system.gatewayOrigin} (pid ${system.gateway.pid}), MCP server ${system.mcpOrigin} (pid ${system.mcp.pid})`);
    book = new TokenBook(system.gatewayOrigin, prepared.accounts);
    await book.loginAll();
    return await measurePass(kind, prepared, system, book, ctx);
  } finally {
    book?.stop();
    await system?.stop();
    await prepared.cleanup().catch((error: unknown) => log(`[${kind}] cleanup failed: ${(error as Error).message}`));
  }
}

async function measurePass(kind: DatabaseChoice, prepared: PreparedDatabase, system: RunningSystem, book: TokenBook, ctx: PassContext): Promise<DatabasePass> {
  const { options, workDir, log } = ctx;
  const c = options.connections;
  const idleRssMiB: Record<string, number> = {};
  for (const server of [system.gateway, system.mcp]) {
    const bytes = readRss(server.pid);
    if (bytes !== undefined) idleRssMiB[server.name] = bytesToMiB(bytes);
  }
  const tally: CallTally = { allowed: 0, denied: 0 };
  const countCalls = (r: LoadResult) => tallyToolCalls(tally, r);
  const preflightProblems: string[] = [];

  const direct = overviewCall('/mcp/', book);
  const viaGateway = overviewCall('/mcp-proxy/', book);
  const first = await preflight(system.mcpOrigin, direct, 200);
  const second = await preflight(system.gatewayOrigin, viaGateway, 200);
  tally.allowed += (first.status === 200 ? 1 : 0) + (second.status === 200 ? 1 : 0);
  for (const [where, answer] of [['MCP server', first], ['gateway', second]] as const) {
    if (answer.problem) throw new Error(`[${kind}] get_patient_overview via the ${where} is not answering as expected: ${answer.problem}`);
  }
  const pseudonym = await researcherPseudonym(system.gatewayOrigin, book);
  tally.allowed += 1;
  const mixed: PlannedCall[] = mixedWorkload('/mcp-proxy/', book, prepared.familyNames, pseudonym);
  for (const planned of mixed) {
    const answer = await preflight(system.gatewayOrigin, planned.request, planned.expectStatus);
    if (answer.status === 200) tally.allowed += 1;
    if (answer.status === 403) tally.denied += 1;
    if (answer.problem) preflightProblems.push(`${planned.description}: ${answer.problem}`);
  }
  for (const problem of preflightProblems) log(`[${kind}] preflight: ${problem}`);

  const requestBytes = Buffer.byteLength(direct.body);
  const responseBytes = first.bytes;
  log(`[${kind}] overview request ${requestBytes} B, answer ${responseBytes} B`);

  const scenarios: ScenarioResult[] = [];
  const postgresDatabase = postgresDatabaseOf(prepared);
  const servers: Watched = { processes: [system.gateway, system.mcp], ...(postgresDatabase === undefined ? {} : { postgresDatabase }) };

  // The baselines and the two scenarios the targets compare with them take turns (see
  // InterleaveReport); the echo servers sit idle while the real servers are measured.
  const echo = await startEchoServers(responseBytes, workDir);
  let interleave: InterleaveReport;
  try {
    const plan = slicePlan(options.durationSeconds);
    log(`[${kind}] 1-4/8 one-hop echo, two-hop echo (fastify → undici Pool → fastify), MCP server alone, full chain, taking turns: ${plan.rounds} round${plan.rounds === 1 ? '' : 's'} of ${plan.sliceSeconds.toFixed(1)} s each`);
    // The echoes get the very request of the real scenarios: same body, headers and token.
    const turns: Array<{ id: ScenarioId; label: string; load: InterleavedLoad }> = [
      { id: 'echo-1hop', label: 'one-hop fastify echo (baseline 2)', load: { spec: { origin: echo.backOrigin, requests: [{ ...direct, path: '/mcp/' }], connections: c }, watched: { processes: [echo.back] } } },
      {
        id: 'echo-2hop',
        label: 'two-hop echo, fastify → undici → fastify (baseline 1)',
        load: { spec: { origin: echo.frontOrigin, requests: [{ ...viaGateway }], connections: c }, watched: { processes: [echo.front, echo.back] } },
      },
      { id: 'mcp-alone', label: 'MCP server alone: get_patient_overview', load: { spec: { origin: system.mcpOrigin, requests: [direct], connections: c }, watched: servers, onResult: countCalls } },
      { id: 'chain', label: 'full chain via /mcp-proxy/ (yenji100)', load: { spec: { origin: system.gatewayOrigin, requests: [viaGateway], connections: c }, watched: servers, onResult: countCalls } },
    ];
    const measured = await measureInterleaved(turns.map((turn) => turn.load), options);
    turns.forEach((turn, i) => scenarios.push(scenario(turn.id, turn.label, measured[i] as InterleavedMeasurement, OK_200)));
    const slicesOf = (id: ScenarioId) => (measured[turns.findIndex((turn) => turn.id === id)] as InterleavedMeasurement).slices;
    const perRound = (target: ScenarioId, baseline: ScenarioId) => {
      const baselineSlices = slicesOf(baseline);
      return slicesOf(target).map((slice, round) => ratio(slice.rps, baselineSlices[round]?.rps) ?? Number.NaN);
    };
    interleave = {
      scenarios: turns.map((turn) => turn.id),
      rounds: plan.rounds,
      sliceSeconds: plan.sliceSeconds,
      perRound: { chainVsTwoHop: perRound('chain', 'echo-2hop'), aloneVsOneHop: perRound('mcp-alone', 'echo-1hop') },
    };
  } finally {
    await echo.stop();
  }

  // The chart cache serves every overview of this scenario after the first; the same load
  // on a server with the cache off shows what each call costs when it reads the chart.
  log(`[${kind}] 5/8 MCP server alone, chart cache off`);
  const uncachedServer = await startExtraMcp(system, workDir, 'mcp-server-uncached', { CHART_CACHE_ENTRIES: '0' });
  try {
    const uncached = await measure({ origin: uncachedServer.origin, requests: [direct], connections: c }, { ...servers, processes: [uncachedServer.process] }, options, countCalls);
    // Shown beside the cached MCP server alone, though measured after the interleaved rounds.
    const uncachedResult = scenario('mcp-alone-uncached', 'MCP server alone, chart cache off (CHART_CACHE_ENTRIES=0)', uncached, OK_200);
    scenarios.splice(scenarios.findIndex((s) => s.id === 'mcp-alone') + 1, 0, uncachedResult);
  } finally {
    await uncachedServer.process.stop();
  }

  log(`[${kind}] 6/8 mixed workload`);
  const mix = await measure({ origin: system.gatewayOrigin, requests: mixed.map((m) => m.request), connections: c }, servers, options, countCalls);
  scenarios.push(scenario('mixed', 'mixed: 70 % overview, 20 % search, 10 % add note, 30 % denied', mix, OK_200_403));

  log(`[${kind}] 7/8 logins`);
  const logins = loginRequests(prepared.accounts);
  const loginRun = await measure({ origin: system.gatewayOrigin, requests: logins, connections: c }, servers, options);
  scenarios.push(scenario('logins', 'logins: POST /api/token/ (argon2id)', loginRun, OK_200));

  log(`[${kind}] 8/8 full chain beside a login storm`);
  const [stormChain, stormLogins] = await measurePair(
    { origin: system.gatewayOrigin, requests: [viaGateway], connections: c },
    { origin: system.gatewayOrigin, requests: logins, connections: c },
    servers.processes,
    options,
    countCalls,
  );
  scenarios.push(scenario('chain-with-logins', 'full chain while logins run beside it', stormChain, OK_200));
  scenarios.push(scenario('logins-beside-chain', 'logins while the full chain runs', stormLogins, OK_200));

  const oneHopRps = scenarios.find((s) => s.id === 'echo-1hop')?.rps;
  const twoHopRps = scenarios.find((s) => s.id === 'echo-2hop')?.rps;
  for (const s of scenarios) {
    s.vsTwoHop = ratio(s.rps, twoHopRps);
    s.vsOneHop = ratio(s.rps, oneHopRps);
  }

  log(`[${kind}] audit checks`);
  const probeCalls = 20;
  const probeCommitted = await probeCommitBeforeAnswer(prepared, system, viaGateway, probeCalls, tally);
  const events = await countToolEvents(prepared);
  const verify = await runNodeStatus('audit verify', [CLI, 'audit', 'verify'], system.env, workDir);
  const audit: AuditCheck = {
    probeCalls,
    probeCommittedBeforeAnswer: probeCommitted,
    allowedAnswers: tally.allowed,
    deniedAnswers: tally.denied,
    allowEvents: events.allow,
    denyEvents: events.deny,
    verifyExitCode: verify.code,
    verifyOutput: verify.output.split('\n').slice(-3).join(' | ').slice(0, 300),
  };
  return {
    database: kind,
    requestBytes,
    responseBytes,
    idleRssMiB,
    scenarios,
    preflightProblems,
    interleave,
    audit,
    targets: evaluateTargets(scenarios, audit),
  };
}

export interface SoakPoint {
  atSeconds: number;
  rps: number;
  rssMiB: Record<string, number>;
}

/**
 * The soaked system against a fresh one (same build, same settings, a new database), both under
 * load at once right after the soak, half the connections each, so the machine's drift falls on
 * both alike. On a 2-core VM the soak's own req/s moved from its first minute to its last by
 * anything from −38 % to +37 % within one session (BENCHMARKS.md, tenth session): a soak's own
 * minutes cannot tell a server that slows down from a machine that does. A fresh system measured
 * in the same seconds can. (Taking turns in 2 s slices was tried first: within one round the
 * soaked system's slice came out at 0.76–2.41× of the fresh one's, where 5 s windows side by
 * side came out at 0.90–1.09×.)
 */
export interface FreshComparison {
  seconds: number;
  connectionsEach: number;
  soakedRps: number;
  freshRps: number;
  /** soaked ÷ fresh req/s over the whole comparison. */
  ratio: number;
  /** The same ratio in each window of `windowSeconds`, in order: how steady it was. */
  windowSeconds: number;
  perWindow: number[];
  soakedP99Ms: number;
  freshP99Ms: number;
  errors: number;
}

export interface SoakResult {
  database: DatabaseChoice;
  seconds: number;
  windowSeconds: number;
  first: { rps: number; rssMiB: Record<string, number> };
  last: { rps: number; rssMiB: Record<string, number> };
  p99Ms: number;
  /** Unexpected answers during the soak and the comparison with a fresh system. */
  errors: number;
  points: SoakPoint[];
  /** Largest growth of mean RSS from the first window to the last, per cent. */
  rssGrowthPct: number;
  /** The soak's own req/s from the first window to the last: shown, not judged (see FreshComparison). */
  rpsChangePct: number;
  versusFresh: FreshComparison;
  pass: boolean;
}

/** Allowed drift: allocator noise in RSS; in the soaked ÷ fresh ratio, what two fresh systems side by side show (0.98–1.02×). */
export const SOAK_TOLERANCE_PCT = 10;
/** How long the soaked and the fresh system run side by side after the soak. */
const FRESH_COMPARISON_SECONDS = 30;

export type SoakFailure = 'rss' | 'rps' | 'errors';

/** What fails a soak, if anything: the one definition its verdict and its report both use. */
export function soakFailures(s: Pick<SoakResult, 'rssGrowthPct' | 'errors'> & { versusFresh: Pick<FreshComparison, 'ratio'> }): SoakFailure[] {
  const failures: SoakFailure[] = [];
  // Written so that a NaN (a window with no samples) fails rather than passes.
  if (!(s.rssGrowthPct <= SOAK_TOLERANCE_PCT)) failures.push('rss');
  if (!(s.versusFresh.ratio >= 1 - SOAK_TOLERANCE_PCT / 100)) failures.push('rps');
  if (s.errors > 0) failures.push('errors');
  return failures;
}

function startChainSystem(kind: DatabaseChoice, ctx: PassContext, env: Record<string, string>, what: string): Promise<OverviewSystem> {
  const { options, workDir, log } = ctx;
  log(`[${kind}] ${what}: preparing a fresh database`);
  return startOverviewSystem({ kind, via: 'chain', env, workDir, postgresAdminUrl: options.postgresAdminUrl, connections: options.connections, label: `[${kind}] ${what}`, log });
}

export async function runSoak(kind: DatabaseChoice, ctx: PassContext): Promise<SoakResult> {
  const { options, log } = ctx;
  const seconds = options.soakSeconds as number;
  // One environment for both systems: the fresh one differs only in being fresh.
  const env = baseEnv();
  const soaked = await startChainSystem(kind, ctx, env, 'soak');
  try {
    const { system, spec } = soaked;
    if (options.warmupSeconds > 0) await runLoad({ ...spec, durationSeconds: options.warmupSeconds });

    log(`[${kind}] soak: full chain for ${seconds} s`);
    const progress = { completed: 0 };
    const throughput: Array<{ atSeconds: number; completed: number }> = [];
    const started = performance.now();
    const sampler = new RssSampler([system.gateway, system.mcp], SOAK_SAMPLE_MS);
    const ticker = setInterval(() => throughput.push({ atSeconds: (performance.now() - started) / 1000, completed: progress.completed }), SOAK_SAMPLE_MS);
    const result = await runLoad({ ...spec, durationSeconds: seconds, progress });
    clearInterval(ticker);
    sampler.stop();
    const versusFresh = await compareWithFresh(kind, ctx, env, soaked);
    return summarizeSoak(kind, seconds, sampler.samples, throughput, result, versusFresh);
  } finally {
    await soaked.stop();
  }
}

async function compareWithFresh(kind: DatabaseChoice, ctx: PassContext, env: Record<string, string>, soaked: OverviewSystem): Promise<FreshComparison> {
  const { options, log } = ctx;
  const fresh = await startChainSystem(kind, ctx, env, 'fresh system');
  try {
    // The fresh servers' code is not compiled yet; the soaked servers' is.
    if (options.warmupSeconds > 0) await runLoad({ ...fresh.spec, durationSeconds: options.warmupSeconds });
    const seconds = Math.min(FRESH_COMPARISON_SECONDS, options.soakSeconds as number);
    const connectionsEach = Math.max(1, Math.floor(options.connections / 2));
    log(`[${kind}] soak: the soaked system and a fresh one side by side for ${seconds} s, ${connectionsEach} connections each`);
    const { a, b, ratio: soakedOverFresh, windowSeconds, perWindow } = await runSideBySide(
      { ...soaked.spec, connections: connectionsEach },
      { ...fresh.spec, connections: connectionsEach },
      seconds,
    );
    return {
      seconds,
      connectionsEach,
      soakedRps: a.rps,
      freshRps: b.rps,
      ratio: soakedOverFresh,
      windowSeconds,
      perWindow,
      soakedP99Ms: a.latency.p99,
      freshP99Ms: b.latency.p99,
      errors: unexpectedCount(a, OK_200) + unexpectedCount(b, OK_200),
    };
  } finally {
    await fresh.stop();
  }
}

function summarizeSoak(
  database: DatabaseChoice,
  seconds: number,
  rssSamples: readonly RssSample[],
  throughput: ReadonlyArray<{ atSeconds: number; completed: number }>,
  result: LoadResult,
  versusFresh: FreshComparison,
): SoakResult {
  const points: SoakPoint[] = [];
  let previous = { atSeconds: 0, completed: 0 };
  for (const t of throughput) {
    const rss = rssSamples.reduce((best, s) => (Math.abs(s.atSeconds - t.atSeconds) < Math.abs(best.atSeconds - t.atSeconds) ? s : best), rssSamples[0] as RssSample);
    const rssMiB: Record<string, number> = {};
    for (const [name, bytes] of Object.entries(rss.rss)) rssMiB[name] = bytesToMiB(bytes);
    points.push({ atSeconds: t.atSeconds, rps: (t.completed - previous.completed) / (t.atSeconds - previous.atSeconds), rssMiB });
    previous = t;
  }
  const windowSeconds = soakWindowSeconds(seconds);
  const { first, last } = soakWindows(points, seconds);
  const windowStats = (ps: SoakPoint[]) => {
    const rssMiB: Record<string, number> = {};
    for (const name of ['gateway', 'mcp-server']) rssMiB[name] = mean(ps.map((p) => p.rssMiB[name] ?? Number.NaN).filter(Number.isFinite));
    return { rps: mean(ps.map((p) => p.rps)), rssMiB };
  };
  const f = windowStats(first);
  const l = windowStats(last);
  const growths = ['gateway', 'mcp-server'].map((n) => ((l.rssMiB[n] ?? Number.NaN) / (f.rssMiB[n] ?? Number.NaN) - 1) * 100);
  const rssGrowthPct = Math.max(...growths);
  const rpsChangePct = (l.rps / f.rps - 1) * 100;
  const errors = unexpectedCount(result, OK_200) + versusFresh.errors;
  return {
    database,
    seconds,
    windowSeconds,
    first: f,
    last: l,
    p99Ms: result.latency.p99,
    errors,
    points,
    rssGrowthPct,
    rpsChangePct,
    versusFresh,
    pass: soakFailures({ rssGrowthPct, errors, versusFresh }).length === 0,
  };
}
