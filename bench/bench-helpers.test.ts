import { describe, expect, it } from 'vitest';
import { MIN_SOAK_SECONDS, parseBenchArgs, UsageError } from './bench-args.js';
import { paddedJsonBody } from './bench-echo.js';
import { combineLoads, unexpectedCount, type LoadResult } from './bench-load.js';
import { extractMarked, interleaveLine, markdownTable, renderSoak, replaceMarked, runHistoryLines, soakHistoryLines, soakVerdict, updateSection, type BenchReport, type SoakReport } from './bench-report.js';
import { slicePlan, soakFailures, type ScenarioResult, type SoakResult } from './bench-run.js';
import { cpuUsPerAnswer, formatCpuPerAnswer, formatMs, formatRatio, formatWindows, parseCpuSeconds, parseVmRss, percentile, ratio, SOAK_SAMPLE_MS, soakWindowSeconds, soakWindows, summarizeLatencies } from './bench-stats.js';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('picks measured values, never interpolated ones', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([0.5, 0.7, 9.25], 50)).toBe(0.7);
    expect(percentile([0.5, 0.7, 9.25], 99)).toBe(9.25);
  });

  it('is NaN for no samples and refuses a percentile outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile(hundred, 0)).toThrow(RangeError);
    expect(() => percentile(hundred, 101)).toThrow(RangeError);
  });

  it('summarises unsorted samples numerically (not as strings) without reordering them', () => {
    const samples = [10, 9, 100, 2, 1.5];
    const summary = summarizeLatencies(samples);
    expect(summary).toEqual({ count: 5, p50: 9, p99: 100, max: 100 });
    expect(samples).toEqual([10, 9, 100, 2, 1.5]);
  });
});

describe('ratios and formatting', () => {
  it('gives no ratio against a missing or zero baseline', () => {
    expect(ratio(50, 100)).toBe(0.5);
    expect(ratio(50, 0)).toBeNull();
    expect(ratio(undefined, 10)).toBeNull();
    expect(ratio(5, Number.NaN)).toBeNull();
    expect(formatRatio(0.5349)).toBe('0.53×');
    // A ratio just under a target must not read as the target itself.
    expect(formatRatio(4377 / 8772, 3)).toBe('0.499×');
    expect(formatRatio(null)).toBe('—');
  });

  it('formats milliseconds by magnitude', () => {
    expect(formatMs(0.8449)).toBe('0.84');
    expect(formatMs(3.14)).toBe('3.1');
    expect(formatMs(27.4)).toBe('27');
    expect(formatMs(Number.NaN)).toBe('—');
  });

  it('aligns a Markdown table', () => {
    expect(markdownTable(['a', 'n'], [['xx', '1'], ['y', '22']], [false, true])).toBe(
      ['| a  |  n |', '| -- | -: |', '| xx |  1 |', '| y  | 22 |'].join('\n'),
    );
  });
});

describe('CPU per answer', () => {
  it('turns CPU seconds over a run into µs per answer, and says nothing for a run without answers', () => {
    const perAnswer = cpuUsPerAnswer({ gateway: 0.68, 'mcp-server': 0.6 }, 5_000);
    expect(perAnswer.gateway).toBeCloseTo(136, 9);
    expect(perAnswer['mcp-server']).toBeCloseTo(120, 9);
    expect(cpuUsPerAnswer({ gateway: 0.68 }, 0)).toEqual({});
    expect(formatCpuPerAnswer(perAnswer)).toBe('gateway 136 µs, mcp-server 120 µs');
  });
});

describe('formatWindows', () => {
  it('lists a side-by-side run\'s windows, and says when the run was shorter than one', () => {
    expect(formatWindows(5, [0.974, 1.012])).toBe('5 s windows 0.97 1.01');
    expect(formatWindows(5, [])).toBe('shorter than one 5 s window');
  });
});

describe('parseVmRss', () => {
  it('reads the VmRSS line of /proc/<pid>/status in bytes', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1200000 kB\nVmRSS:\t   81234 kB\nRssAnon:\t 60000 kB\n';
    expect(parseVmRss(status)).toBe(81234 * 1024);
  });

  it('is undefined when the process has no resident set line', () => {
    expect(parseVmRss('Name:\tkthreadd\nState:\tS (sleeping)\n')).toBeUndefined();
  });
});

describe('parseCpuSeconds', () => {
  it('adds utime and stime (fields 14 and 15), counting fields after the command name', () => {
    // A command name with a space and a parenthesis must not shift the fields.
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 9000 0 0 0 1234 567 0 0 20 0 11 0 100 1000000 30000';
    expect(parseCpuSeconds(stat)).toBeCloseTo(18.01, 5);
    expect(parseCpuSeconds('garbage')).toBeUndefined();
  });
});

describe('soakWindows', () => {
  const points = [5, 10, 55, 60, 65, 240, 245, 250, 295, 300].map((atSeconds) => ({ atSeconds }));

  it('takes the first and last minute of a five-minute soak', () => {
    const { first, last } = soakWindows(points, 300);
    expect(first.map((p) => p.atSeconds)).toEqual([5, 10, 55, 60]);
    expect(last.map((p) => p.atSeconds)).toEqual([245, 250, 295, 300]);
  });

  it('keeps the windows disjoint on a short soak', () => {
    const { first, last } = soakWindows(points.filter((p) => p.atSeconds <= 60), 60);
    expect(first.map((p) => p.atSeconds)).toEqual([5, 10]);
    expect(last.map((p) => p.atSeconds)).toEqual([55, 60]);
  });

  // Samples as a soak's interval timer takes them: every SOAK_SAMPLE_MS, a little late each time.
  const ticks = (totalSeconds: number, everyMs: number) => {
    const out: Array<{ atSeconds: number }> = [];
    for (let k = 1; (k * everyMs) / 1000 + 0.01 <= totalSeconds; k += 1) out.push({ atSeconds: (k * everyMs) / 1000 + 0.01 });
    return out;
  };

  it('samples every soak the bench accepts often enough that both windows hold samples', () => {
    // A 10 s soak's first window (its first 3.3 s) held none, and its RSS verdict failed: why
    // shorter soaks are refused.
    expect(soakWindows(ticks(10, SOAK_SAMPLE_MS), 10).first).toHaveLength(0);
    for (const seconds of [MIN_SOAK_SECONDS, MIN_SOAK_SECONDS + 1, 179, 300, 1200]) {
      const { first, last } = soakWindows(ticks(seconds, SOAK_SAMPLE_MS), seconds);
      expect(first.length, `${seconds} s soak, first window`).toBeGreaterThanOrEqual(3);
      expect(last.length, `${seconds} s soak, last window`).toBeGreaterThanOrEqual(3);
    }
  });

  it('keeps one-minute windows from three minutes on', () => {
    expect(soakWindowSeconds(180)).toBe(60);
    expect(soakWindowSeconds(300)).toBe(60);
    expect(soakWindowSeconds(MIN_SOAK_SECONDS)).toBe(20);
  });
});

describe('unexpectedCount', () => {
  const result = (statuses: Record<string, number>, transportErrors = 0): LoadResult => ({
    completed: 0,
    elapsedSeconds: 1,
    rps: 0,
    latency: { count: 0, p50: 0, p99: 0, max: 0 },
    statuses,
    transportErrors,
    latencies: [],
  });

  it('counts statuses the scenario does not expect, and transport errors', () => {
    expect(unexpectedCount(result({ 200: 90, 403: 10 }), new Set([200, 403]))).toBe(0);
    expect(unexpectedCount(result({ 200: 90, 403: 10 }), new Set([200]))).toBe(10);
    expect(unexpectedCount(result({ 200: 90, 502: 3 }, 2), new Set([200]))).toBe(5);
  });
});

describe('interleaved slices', () => {
  const slice = (latencies: number[], elapsedSeconds: number, statuses: Record<string, number>, transportErrors = 0): LoadResult => ({
    completed: latencies.length,
    elapsedSeconds,
    rps: latencies.length / elapsedSeconds,
    latency: summarizeLatencies(latencies),
    statuses,
    transportErrors,
    latencies,
  });

  it('combines slices as one run: answers over seconds, percentiles over every latency together', () => {
    const fast = slice(Array.from({ length: 99 }, () => 1), 1, { 200: 99 });
    const slow = slice([50, 50, 50], 2, { 200: 2, 502: 1 }, 1);
    const combined = combineLoads([fast, slow]);
    expect(combined.completed).toBe(102);
    expect(combined.elapsedSeconds).toBe(3);
    expect(combined.rps).toBe(34);
    expect(combined.statuses).toEqual({ 200: 101, 502: 1 });
    expect(combined.transportErrors).toBe(1);
    // 3 of 102 answers are slow: the 99th percentile is one of them, though one slice's p99 is 1 ms.
    expect(combined.latency).toEqual({ count: 102, p50: 1, p99: 50, max: 50 });
    expect(unexpectedCount(combined, new Set([200]))).toBe(2);
  });

  it('cuts the measured time into slices of about 2 s, at least one', () => {
    expect(slicePlan(10)).toEqual({ rounds: 5, sliceSeconds: 2 });
    expect(slicePlan(3)).toEqual({ rounds: 2, sliceSeconds: 1.5 });
    expect(slicePlan(2)).toEqual({ rounds: 1, sliceSeconds: 2 });
    expect(slicePlan(1)).toEqual({ rounds: 1, sliceSeconds: 1 });
    expect(slicePlan(45)).toEqual({ rounds: 23, sliceSeconds: 45 / 23 });
  });

  it("names the scenarios that took turns and gives each round's ratios", () => {
    const scenarios = [
      { id: 'echo-2hop', label: 'two-hop echo, fastify → undici → fastify (baseline 1)' },
      { id: 'chain', label: 'full chain via /mcp-proxy/ (yenji100)' },
    ] as ScenarioResult[];
    const line = interleaveLine(
      { scenarios: ['echo-2hop', 'chain'], rounds: 3, sliceSeconds: 2, perRound: { chainVsTwoHop: [0.49, 0.512, Number.NaN], aloneVsOneHop: [0.3, 0.31, 0.32] } },
      scenarios,
    );
    expect(line).toContain('two-hop echo, fastify → undici → fastify; full chain via /mcp-proxy/ (yenji100) took turns in 3 rounds of 2.0 s');
    expect(line).toContain('full chain × two-hop echo 0.49×, 0.51×, —;');
    expect(line).toContain('MCP server alone × one-hop echo 0.30×, 0.31×, 0.32×.');
  });
});

describe('paddedJsonBody', () => {
  it('is valid JSON of exactly the size asked for', () => {
    const body = paddedJsonBody(1234);
    expect(body.length).toBe(1234);
    expect(JSON.parse(body.toString('utf8'))).toMatchObject({ jsonrpc: '2.0', id: 1 });
  });
});

describe('BENCHMARKS.md section', () => {
  it('creates the file with a heading and the marked section', () => {
    const doc = updateSection('', { run: 'RUN-1' });
    expect(doc.startsWith('# Benchmarks\n')).toBe(true);
    expect(extractMarked(doc, 'bench:chain:run')).toBe('RUN-1');
    expect(doc).toContain('<!-- /bench:chain -->');
  });

  it('replaces only its own section and keeps the other part of it', () => {
    const others = '# Benchmarks\n\n<!-- bench:data -->\nsomeone else\n<!-- /bench:data -->\n';
    const withRun = updateSection(others, { run: 'RUN-1' });
    const withSoak = updateSection(withRun, { soak: 'SOAK-1' });
    const rerun = updateSection(withSoak, { run: 'RUN-2' });
    expect(extractMarked(rerun, 'bench:data')).toBe('someone else');
    expect(extractMarked(rerun, 'bench:chain:run')).toBe('RUN-2');
    expect(extractMarked(rerun, 'bench:chain:soak')).toBe('SOAK-1');
    expect(rerun.match(/<!-- bench:chain -->/g)).toHaveLength(1);
    expect(rerun.indexOf('<!-- bench:data -->')).toBeLessThan(rerun.indexOf('<!-- bench:chain -->'));
  });

  it('appends every run to the history, oldest first, whichever part the run replaces', () => {
    const first = updateSection('', { run: 'RUN-1', history: ['| line 1 |'] });
    const second = updateSection(first, { soak: 'SOAK-1', history: ['| line 2 |', '| line 3 |'] });
    const third = updateSection(second, { run: 'RUN-2' });
    const history = extractMarked(third, 'bench:chain:history') ?? '';
    expect(history.split('\n').filter((line) => line.startsWith('| line'))).toEqual(['| line 1 |', '| line 2 |', '| line 3 |']);
    expect(history.match(/\| date \(UTC\) \|/g)).toHaveLength(1);
    expect(extractMarked(third, 'bench:chain:run')).toBe('RUN-2');
    expect(extractMarked(third, 'bench:chain:soak')).toBe('SOAK-1');
  });

  it('appends a missing block after a blank line', () => {
    expect(replaceMarked('# T\n', 'x', 'y')).toBe('# T\n\n<!-- x -->\ny\n<!-- /x -->\n');
  });
});

describe('parseBenchArgs', () => {
  it('defaults to both databases, 10 s, 32 connections, writing the report', () => {
    const o = parseBenchArgs([], {});
    expect(o).toMatchObject({ databases: ['sqlite', 'postgres'], durationSeconds: 10, warmupSeconds: 3, connections: 32, json: false, quick: false, writeReport: true });
    expect(o.soakSeconds).toBeUndefined();
  });

  it('makes --quick a 2 s smoke run that leaves BENCHMARKS.md alone unless told', () => {
    expect(parseBenchArgs(['--quick', '--db', 'sqlite'], {})).toMatchObject({ databases: ['sqlite'], durationSeconds: 2, writeReport: false });
    expect(parseBenchArgs(['--quick', '--write'], {}).writeReport).toBe(true);
  });

  it('refuses bad values with the flag named', () => {
    expect(() => parseBenchArgs(['--db', 'mysql'], {})).toThrow(/--db/);
    expect(() => parseBenchArgs(['--duration', '0'], {})).toThrow(/--duration/);
    expect(() => parseBenchArgs(['--soak', 'abc'], {})).toThrow(/--soak/);
    expect(() => parseBenchArgs(['--soak', '10'], {})).toThrow(/--soak must be an integer >= 60, got "10"/);
    expect(parseBenchArgs(['--soak', '60'], {}).soakSeconds).toBe(60);
    expect(() => parseBenchArgs(['--nope'], {})).toThrow(UsageError);
  });
});

describe('history lines', () => {
  const info = {
    date: '2026-11-24T15:45:59.203Z',
    machine: { arch: 'x64', cpus: 2, cpuModel: 'Odd | CPU', memoryGiB: 23.5, node: 'v20.20.2', loadAverage: 1 },
    commit: '5963f431cdf2',
  };
  const options = { databases: ['sqlite' as const], durationSeconds: 10, warmupSeconds: 3, connections: 32, json: false, quick: false, writeReport: true, soakSeconds: undefined };
  function scenario(id: ScenarioResult['id'], rps: number, p99Ms: number, vsTwoHop: number, vsOneHop: number): ScenarioResult {
    const rest = { label: id, completed: 1, p50Ms: 1, maxMs: p99Ms, errors: 0, statuses: {}, rssMaxMiB: {}, cpuUsPerAnswer: {} };
    return { id, rps, p99Ms, vsTwoHop, vsOneHop, ...rest };
  }

  it("give a full run's date, machine, commit, headline ratios and targets met, one cell per column", () => {
    const report = {
      ...info,
      options,
      passes: [
        {
          database: 'sqlite' as const,
          requestBytes: 121,
          responseBytes: 10068,
          idleRssMiB: {},
          scenarios: [scenario('mcp-alone', 7313, 9.7, 1.15, 0.3687), scenario('chain', 3289.4, 23.2, 0.5178, 0.17)],
          preflightProblems: [],
          // A round without a ratio (NaN) leaves the spread alone.
          interleave: { scenarios: [], rounds: 4, sliceSeconds: 2.5, perRound: { chainVsTwoHop: [0.5, 0.478, Number.NaN, 0.571], aloneVsOneHop: [] } },
          audit: undefined,
          targets: [
            { name: 'a', target: '', measured: '', pass: true },
            { name: 'b', target: '', measured: '', pass: false },
          ],
        },
        { database: 'postgres' as const, skipped: 'no server', requestBytes: 0, responseBytes: 0, idleRssMiB: {}, scenarios: [], preflightProblems: [], interleave: undefined, audit: undefined, targets: [] },
      ],
    } as unknown as BenchReport;
    const [sqlite, postgres] = runHistoryLines(report);
    expect(sqlite).toBe(
      '| 2026-11-24 15:45 | 2 × Odd \\| CPU | 5963f431cdf2 | bench | SQLite | full chain 0.518× of the two-hop echo (3289 req/s, p99 23 ms, rounds 0.48–0.57×); MCP server alone 0.369× of the one-hop echo; 1 of 2 targets met |',
    );
    expect(sqlite?.split(/(?<!\\)\|/)).toHaveLength(8);
    expect(postgres).toContain('| PostgreSQL | not run: no server |');
  });

  const fresh = { seconds: 30, connectionsEach: 16, soakedRps: 3102, freshRps: 3190, ratio: 3102 / 3190, windowSeconds: 5, perWindow: [0.91, 1.04, 0.97], soakedP99Ms: 20, freshP99Ms: 19, errors: 0 };

  const soakResult = (overrides: Partial<SoakResult> = {}): SoakResult => ({
    database: 'postgres',
    seconds: 300,
    windowSeconds: 60,
    first: { rps: 3171, rssMiB: { gateway: 166, 'mcp-server': 120 } },
    last: { rps: 3148, rssMiB: { gateway: 167.4, 'mcp-server': 121 } },
    p99Ms: 21,
    errors: 0,
    points: [],
    rssGrowthPct: 1,
    rpsChangePct: -0.7,
    versusFresh: fresh,
    pass: true,
    ...overrides,
  });
  const soakReport = (soak: SoakResult) => ({ ...info, options, soaks: [soak] }) as unknown as SoakReport;

  it("give a soak's throughput and RSS from the first window to the last, the soaked system against a fresh one, and its verdict", () => {
    const [line] = soakHistoryLines(soakReport(soakResult()));
    expect(line).toContain(
      '| soak | PostgreSQL | 300 s: 3171 → 3148 req/s, 0.97× (3102 / 3190 req/s, 5 s windows 0.91–1.04×) against a fresh system, RSS gateway 166 → 167 MiB, MCP server 120 → 121 MiB: no growth |',
    );
  });

  it('say how long the windows were and how often the soak sampled RSS', () => {
    expect(renderSoak(soakReport(soakResult()))).toContain('the first and the last 60 s, RSS sampled every 5 s.');
    expect(renderSoak(soakReport(soakResult({ seconds: 60, windowSeconds: 20 })))).toContain('the first and the last 20 s, RSS sampled every 5 s.');
  });

  it('judge throughput against the fresh system measured in the same minutes, not against the soak\'s own first minute', () => {
    const base = { rssGrowthPct: 2.4, rpsChangePct: -38.1, errors: 0, versusFresh: fresh } as SoakResult;
    // A soak whose own req/s fell with the machine, but which keeps up with a fresh system.
    expect(soakFailures(base)).toEqual([]);
    expect(soakVerdict({ ...base, pass: true })).toBe('no growth');
    // One that has slowed down against a fresh system fails, whatever its own minutes said.
    const slower = { ...base, rpsChangePct: 20, versusFresh: { ...fresh, ratio: 0.85 } };
    expect(soakFailures(slower)).toEqual(['rps']);
    expect(soakVerdict(slower)).toBe("SLOWER: 0.85× of a fresh system's req/s");
    expect(soakFailures({ ...base, versusFresh: { ...fresh, ratio: 0.9 } })).toEqual([]);
    expect(soakFailures({ ...base, versusFresh: { ...fresh, ratio: Number.NaN } })).toEqual(['rps']);
  });

  it('name what failed a soak: memory that grew, errors', () => {
    const base = { rssGrowthPct: 2.4, rpsChangePct: 0, errors: 0, versusFresh: fresh, pass: false } as SoakResult;
    expect(soakVerdict({ ...base, rssGrowthPct: 22.05 })).toBe('RSS GREW +22.1 %');
    expect(soakVerdict({ ...base, errors: 3 })).toBe('3 ERRORS');
    expect(soakVerdict({ ...base, rssGrowthPct: Number.NaN })).toBe('RSS GREW —');
    expect(soakVerdict({ ...base, errors: 3, versusFresh: { ...fresh, ratio: 0.5 } })).toBe("SLOWER: 0.50× of a fresh system's req/s, 3 ERRORS");
  });
});
