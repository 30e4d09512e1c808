/**
 * The bench's output: a table for people, JSON for machines, and this harness's section of
 * BENCHMARKS.md (between its own markers, so other sections of the file are never touched):
 * the latest full run and the latest soak in full, and a history every run appends a line to.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, totalmem } from 'node:os';
import type { BenchOptions, DatabaseChoice } from './bench-args.js';
import { SOAK_TOLERANCE_PCT, soakFailures, type DatabasePass, type InterleaveReport, type ScenarioResult, type SoakResult } from './bench-run.js';
import { formatMs, formatRate, formatRatio, SOAK_SAMPLE_MS } from './bench-stats.js';

export const SECTION = 'bench:chain';
const MAIN_PART = 'bench:chain:run';
const SOAK_PART = 'bench:chain:soak';
const HISTORY_PART = 'bench:chain:history';

export interface MachineInfo {
  arch: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  /** 1-minute load average when the run started: others' work on the same cores skews figures. */
  loadAverage: number;
}

export interface RunInfo {
  date: string;
  machine: MachineInfo;
  commit: string;
}

export interface BenchReport extends RunInfo {
  options: Omit<BenchOptions, 'postgresAdminUrl'>;
  passes: DatabasePass[];
}

export interface SoakReport extends RunInfo {
  options: Omit<BenchOptions, 'postgresAdminUrl'>;
  soaks: SoakResult[];
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    arch: arch(),
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** The commit measured, marked when the work tree differs from it (read-only git). */
export function currentCommit(cwd: string): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty === '' ? sha : `${sha} (with uncommitted changes)`;
  } catch {
    return 'unknown (not a git work tree)';
  }
}

function rssCell(s: ScenarioResult): string {
  const entries = Object.entries(s.rssMaxMiB);
  if (entries.length === 0) return '—';
  return entries.map(([name, mib]) => `${name} ${mib.toFixed(0)}`).join(', ');
}

function cpuCell(s: ScenarioResult): string {
  const entries = Object.entries(s.cpuUsPerAnswer ?? {});
  if (entries.length === 0) return '—';
  return entries.map(([name, us]) => `${name} ${us.toFixed(0)}`).join(', ');
}

/** A Markdown table: readable in a terminal and rendered in BENCHMARKS.md alike. */
export function scenarioTable(scenarios: readonly ScenarioResult[]): string {
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors', '× 2-hop echo', '× 1-hop echo', 'max RSS MiB', 'CPU µs per answer', 'machine idle'];
  const rows = scenarios.map((s) => [
    s.label,
    formatRate(s.rps),
    formatMs(s.p50Ms),
    formatMs(s.p99Ms),
    String(s.errors),
    formatRatio(s.vsTwoHop),
    formatRatio(s.vsOneHop),
    rssCell(s),
    cpuCell(s),
    s.machineIdlePct === undefined ? '—' : `${s.machineIdlePct.toFixed(0)} %`,
  ]);
  return markdownTable(header, rows, [false, true, true, true, true, true, true, false, false, true]);
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], rightAlign: readonly boolean[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (rightAlign[i] ? `${'-'.repeat(Math.max(1, w - 1))}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function databaseTitle(database: string): string {
  return database === 'sqlite' ? 'Embedded database (SQLite, WAL, synchronous=FULL)' : 'PostgreSQL';
}

function runLine(info: RunInfo, options: BenchReport['options']): string {
  const m = info.machine;
  const load =
    options.soakSeconds === undefined
      ? `${options.warmupSeconds} s warm-up then ${options.durationSeconds} s per scenario`
      : `${options.warmupSeconds} s warm-up then the full chain alone for ${options.soakSeconds} s`;
  return (
    `Run of ${info.date} on ${m.arch}, ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ` +
    `load average ${m.loadAverage} at the start; commit ${info.commit}. ` +
    `${options.connections} connections, ${load}; load generator (autocannon) on the same cores as the servers.`
  );
}

/** How the interleaved scenarios shared the time, and each round's own ratios. */
export function interleaveLine(interleave: InterleaveReport, scenarios: readonly ScenarioResult[]): string {
  const label = (id: string) => scenarios.find((s) => s.id === id)?.label.replace(/ \(baseline \d\)$/, '') ?? id;
  const perRound = (values: readonly number[]) => values.map((v) => formatRatio(Number.isFinite(v) ? v : null)).join(', ');
  return (
    `Interleaved: ${interleave.scenarios.map(label).join('; ')} took turns in ${interleave.rounds} round${interleave.rounds === 1 ? '' : 's'} of ${interleave.sliceSeconds.toFixed(1)} s each ` +
    `(the order rotating by one each round), so the machine's drift falls on the baselines and the targets alike. ` +
    `Each round alone: full chain × two-hop echo ${perRound(interleave.perRound.chainVsTwoHop)}; ` +
    `MCP server alone × one-hop echo ${perRound(interleave.perRound.aloneVsOneHop)}.`
  );
}

export function renderPass(pass: DatabasePass): string {
  const lines = [`#### ${databaseTitle(pass.database)}`, ''];
  if (pass.skipped) return [...lines, `Not run: ${pass.skipped}`].join('\n');
  const idle = Object.entries(pass.idleRssMiB).map(([name, mib]) => `${name} ${mib.toFixed(0)} MiB`).join(', ');
  lines.push(
    `get_patient_overview request ${pass.requestBytes} B, answer ${pass.responseBytes} B (the echoes answer the same size). RSS at rest after start-up: ${idle || 'n/a'}.`,
    '',
  );
  lines.push(scenarioTable(pass.scenarios), '');
  if (pass.interleave) lines.push(interleaveLine(pass.interleave, pass.scenarios), '');
  lines.push(markdownTable(['target', 'wanted', 'measured', ''], pass.targets.map((t) => [t.name, t.target, t.measured, t.pass ? 'met' : 'NOT MET'])), '');
  if (pass.audit) {
    const a = pass.audit;
    lines.push(
      `Audit: ${a.allowEvents} allow / ${a.denyEvents} deny tools/call events for ${a.allowedAnswers} allowed / ${a.deniedAnswers} denied answers; ` +
        `${a.probeCommittedBeforeAnswer}/${a.probeCalls} sequential calls found their event committed when the answer arrived; ` +
        `\`audit verify\` exit ${a.verifyExitCode}.`,
    );
  }
  for (const problem of pass.preflightProblems) lines.push(`- preflight: ${problem}`);
  return lines.join('\n');
}

export function renderReport(report: BenchReport): string {
  return [
    `### Latest run${report.options.quick ? ' (quick smoke run)' : ''}`,
    '',
    runLine(report, report.options),
    '',
    ...report.passes.map(renderPass).flatMap((p) => [p, '']),
  ].join('\n').trimEnd();
}

function signedPct(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)} %`;
}

/**
 * "no growth", or what failed the soak: memory that grew, a soaked system slower than a fresh
 * one measured in the same minutes, or errors.
 */
export function soakVerdict(s: SoakResult): string {
  const failures = soakFailures(s);
  if (failures.length === 0) return 'no growth';
  const said: Record<(typeof failures)[number], string> = {
    rss: `RSS GREW ${signedPct(s.rssGrowthPct)}`,
    rps: `SLOWER: ${formatRatio(Number.isFinite(s.versusFresh.ratio) ? s.versusFresh.ratio : null)} of a fresh system's req/s`,
    errors: `${s.errors} ERRORS`,
  };
  return failures.map((failure) => said[failure]).join(', ');
}

/** "0.97× (2051 / 2115 req/s, 5 s windows 0.93–1.01×)": the soaked system against a fresh one. */
function versusFresh(s: SoakResult): string {
  const v = s.versusFresh;
  const windows = v.perWindow.filter(Number.isFinite);
  const spread = windows.length < 2 ? '' : `, ${v.windowSeconds} s windows ${Math.min(...windows).toFixed(2)}–${Math.max(...windows).toFixed(2)}×`;
  return `${formatRatio(Number.isFinite(v.ratio) ? v.ratio : null)} (${formatRate(v.soakedRps)} / ${formatRate(v.freshRps)} req/s${spread})`;
}

/** A server's mean RSS in the soak's first window → its last, MiB. */
function rssChange(s: SoakResult, server: string): string {
  return `${(s.first.rssMiB[server] ?? Number.NaN).toFixed(0)} → ${(s.last.rssMiB[server] ?? Number.NaN).toFixed(0)}`;
}

export function renderSoak(report: SoakReport): string {
  const lines = [`### Latest soak`, '', runLine(report, report.options), ''];
  const rows = report.soaks.map((s) => [
    s.database,
    `${s.seconds} s`,
    `${formatRate(s.first.rps)} → ${formatRate(s.last.rps)} (${signedPct(s.rpsChangePct)})`,
    versusFresh(s),
    rssChange(s, 'gateway'),
    rssChange(s, 'mcp-server'),
    formatMs(s.p99Ms),
    String(s.errors),
    soakVerdict(s),
  ]);
  const v = report.soaks[0]?.versusFresh;
  lines.push(
    markdownTable(
      ['database', 'length', 'req/s first → last window', 'soaked ÷ fresh system, side by side', 'gateway RSS MiB', 'MCP RSS MiB', 'p99 ms', 'errors', 'verdict'],
      rows,
    ),
    '',
    `Windows: the first and the last ${Math.round(report.soaks[0]?.windowSeconds ?? 60)} s, RSS sampled every ${SOAK_SAMPLE_MS / 1000} s. After the soak, the soaked system and a ` +
      `fresh one (the same build and settings on a new database) run side by side for ${v?.seconds ?? 30} s under the same load, ` +
      `${v?.connectionsEach ?? 16} connections each, so the machine's drift falls on both. "no growth" means that no mean RSS grew by more ` +
      `than ${SOAK_TOLERANCE_PCT} %, that the soaked system answered at least ${formatRatio(1 - SOAK_TOLERANCE_PCT / 100)} the fresh one's req/s ` +
      "and that there were no errors; otherwise the verdict names what failed. The soak's own change from the first window " +
      'to the last is shown but not judged: on a shared 2-core machine it moves with the machine (from −38 % to +37 % in one session, BENCHMARKS.md).',
  );
  return lines.join('\n');
}

const HISTORY_HEADING = [
  '### Every run',
  '',
  'One line per database per written run, oldest first; the tables above are the last run and the last soak.',
  '',
  '| date (UTC) | machine | commit | run | database | result |',
  '| --- | --- | --- | --- | --- | --- |',
].join('\n');

function historyLine(info: RunInfo, run: string, database: DatabaseChoice, result: string): string {
  const m = info.machine;
  const cells = [info.date.slice(0, 16).replace('T', ' '), `${m.cpus} × ${m.cpuModel}`, info.commit, run, database === 'sqlite' ? 'SQLite' : 'PostgreSQL', result];
  // A cell is one line of a Markdown table: a pipe in a CPU's name must not open a new cell.
  return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
}

/** ", rounds 0.48–0.57×": how far the chain's ratio moved between the interleaved rounds. */
function roundSpread(interleave: InterleaveReport | undefined): string {
  const values = interleave?.perRound.chainVsTwoHop.filter(Number.isFinite) ?? [];
  if (values.length < 2) return '';
  return `, rounds ${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}×`;
}

/** The history's lines for a full run: the headline ratios and how many targets were met. */
export function runHistoryLines(report: BenchReport): string[] {
  const run = report.options.quick ? 'bench (quick)' : 'bench';
  return report.passes.map((pass) => {
    if (pass.skipped) return historyLine(report, run, pass.database, `not run: ${pass.skipped}`);
    const chain = pass.scenarios.find((s) => s.id === 'chain');
    const alone = pass.scenarios.find((s) => s.id === 'mcp-alone');
    const met = pass.targets.filter((t) => t.pass).length;
    const result = [
      `full chain ${formatRatio(chain?.vsTwoHop ?? null, 3)} of the two-hop echo (${formatRate(chain?.rps ?? Number.NaN)} req/s, p99 ${formatMs(chain?.p99Ms ?? Number.NaN)} ms${roundSpread(pass.interleave)})`,
      `MCP server alone ${formatRatio(alone?.vsOneHop ?? null, 3)} of the one-hop echo`,
      `${met} of ${pass.targets.length} targets met`,
    ].join('; ');
    return historyLine(report, run, pass.database, result);
  });
}

/** The history's lines for a soak: throughput and RSS from the first window to the last, and the soaked system against a fresh one. */
export function soakHistoryLines(report: SoakReport): string[] {
  return report.soaks.map((s) => {
    const result =
      `${s.seconds} s: ${formatRate(s.first.rps)} → ${formatRate(s.last.rps)} req/s, ${versusFresh(s)} against a fresh system, ` +
      `RSS gateway ${rssChange(s, 'gateway')} MiB, MCP server ${rssChange(s, 'mcp-server')} MiB: ${soakVerdict(s)}`;
    return historyLine(report, 'soak', s.database, result);
  });
}

const METHOD = `How it is measured (\`bench/bench.ts\`): every server is a separate process started from the
built CLI as \`npm start\` starts it (the node flags and allocator setting of
\`packages/core/src/node-flags.ts\`, the echoes too), with \`NODE_ENV=production\`, \`LOG_LEVEL=warn\`,
\`RATE_LIMIT_PER_USER=0\`, fresh random \`JWT_SECRET\` and \`PSEUDONYM_KEY\`, and \`JWT_AUDIENCE\` set,
on a fresh embedded database and a fresh PostgreSQL database created and dropped by the run.
Production refuses to start while demo accounts exist, so the database is seeded in development
mode, each demo account is replaced by a \`bench_<name>\` account with a random password and the
same role, patient, care teams, wards and active flag, and the demo accounts' rows are deleted
before the servers start. Baselines: a one-hop
fastify echo, and a two-hop echo (fastify → undici Pool → fastify), each a separate process answering
the overview's exact response size to the same request bytes and headers. The two echoes, the MCP
server alone and the full chain take turns: after a warm-up each, they run in rounds that give
each of them a slice of about 2 s (five rounds for 10 s each, the order rotating by one per round),
and each one's slices are added up, so a drift of the machine's speed during the run falls on the
baselines and the targets alike; the other scenarios run one after another. Latencies are taken per
response with sub-millisecond resolution; req/s counts answers over the measured time. The mixed
workload cycles twenty calls across seven roles (70 % overview, 20 % search, 10 % add note; 6 of 20
denied by policy, answered 403 and not counted as errors). Every overview after a patient's first
is served from the MCP server's chart cache (checked against the patient's revision on each call);
a second MCP server with \`CHART_CACHE_ENTRIES=0\` measures the same load reading the chart every
time. RSS is read from \`/proc/<pid>/status\` every 250 ms. CPU per answer is each process's user
and system time from \`/proc/<pid>/stat\` over the measured run, divided by its answers; on
PostgreSQL it includes the backends serving the run's database (found by their process titles),
which run on the same cores. "Machine idle" is the share of both cores' time (\`/proc/stat\`) that
nothing used: a scenario that leaves the cores idle is held up by waiting, not by CPU. The audit
checks read the database from another connection while the servers run.
Reproduce: \`npm run bench\` (\`-- --db sqlite\`, \`-- --duration 30\`, \`-- --json\`, \`-- --soak 300\`).`;

function marked(name: string, content: string): string {
  return `<!-- ${name} -->\n${content}\n<!-- /${name} -->`;
}

/** The text between `<!-- name -->` and `<!-- /name -->`, or undefined when absent. */
export function extractMarked(doc: string, name: string): string | undefined {
  const start = doc.indexOf(`<!-- ${name} -->`);
  const end = doc.indexOf(`<!-- /${name} -->`);
  if (start === -1 || end === -1 || end < start) return undefined;
  return doc.slice(start + `<!-- ${name} -->`.length, end).replace(/^\n/, '').replace(/\n$/, '');
}

/** Replaces a marked block, or appends it (after a blank line) when the markers are absent. */
export function replaceMarked(doc: string, name: string, content: string): string {
  const open = `<!-- ${name} -->`;
  const close = `<!-- /${name} -->`;
  const start = doc.indexOf(open);
  const end = doc.indexOf(close);
  if (start !== -1 && end !== -1 && end > start) return doc.slice(0, start) + marked(name, content) + doc.slice(end + close.length);
  const base = doc.replace(/\s*$/, '');
  return `${base}${base === '' ? '' : '\n\n'}${marked(name, content)}\n`;
}

export interface SectionUpdate {
  run?: string;
  soak?: string;
  /** Lines appended to the history, after every line already there. */
  history?: readonly string[];
}

/**
 * This harness's section with its three parts; a run replaces its own part, keeps the other
 * (a soak does not erase the last full run, nor the reverse) and adds its lines to the history.
 */
export function updateSection(doc: string, part: SectionUpdate): string {
  const previous = extractMarked(doc, SECTION) ?? '';
  const run = part.run ?? extractMarked(previous, MAIN_PART) ?? '_No full run recorded yet._';
  const soak = part.soak ?? extractMarked(previous, SOAK_PART) ?? '_No soak recorded yet (`npm run bench -- --soak 300`)._';
  const history = [extractMarked(previous, HISTORY_PART) ?? HISTORY_HEADING, ...(part.history ?? [])].join('\n');
  const body = [
    '## Gateway → MCP server chain (`npm run bench`)',
    '',
    METHOD,
    '',
    marked(MAIN_PART, run),
    '',
    marked(SOAK_PART, soak),
    '',
    marked(HISTORY_PART, history),
  ].join('\n');
  const withHeading = doc.trim() === '' ? '# Benchmarks\n' : doc;
  return replaceMarked(withHeading, SECTION, body);
}

export function writeBenchmarks(path: string, part: SectionUpdate): void {
  const doc = existsSync(path) ? readFileSync(path, 'utf8') : '';
  writeFileSync(path, updateSection(doc, part));
}
