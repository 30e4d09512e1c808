/**
 * Pure arithmetic of the benchmark: percentiles, ratios, RSS parsing. Kept apart from the
 * code that drives processes and sockets so it can be tested quickly and exactly.
 */

/**
 * The p-th percentile (0 < p <= 100) of latencies already sorted ascending, by the
 * nearest-rank method: the smallest value with at least p % of the samples at or below it.
 * Nearest-rank never invents a value that was not measured, which matters for p99 of a
 * few hundred samples in a quick run.
 */
export function percentile(sortedAscending: ArrayLike<number>, p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const n = sortedAscending.length;
  if (n === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * n);
  return sortedAscending[Math.min(n, Math.max(1, rank)) - 1] as number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Sorts a copy (the caller's samples stay in arrival order) and summarises it. */
export function summarizeLatencies(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples as ArrayLike<number>).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number),
  };
}

/** a / b, or null when either side is missing or the baseline is not a positive number. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (!Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return null;
  return a / b;
}

/**
 * "0.53×", or "—" when there is no ratio to show. Ratios judged against a target get three
 * digits: rounded to two, 0.499 would read "0.50×" beside a "NOT MET" for ">= 0.50×".
 */
export function formatRatio(value: number | null, digits = 2): string {
  return value === null ? '—' : `${value.toFixed(digits)}×`;
}

/** Milliseconds with precision that suits the magnitude: 0.84, 3.1, 27. */
export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (value < 1) return value.toFixed(2);
  if (value < 10) return value.toFixed(1);
  return value.toFixed(0);
}

export function formatRate(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return value >= 100 ? Math.round(value).toString() : value.toFixed(1);
}

/**
 * Resident set size in bytes from the text of /proc/<pid>/status (its `VmRSS:  12345 kB`
 * line), or undefined when the line is absent (a zombie, or a kernel thread).
 */
export function parseVmRss(statusText: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB\s*$/m.exec(statusText);
  return match ? Number(match[1]) * 1024 : undefined;
}

/**
 * CPU time a process has used (user + system) in seconds, from the text of /proc/<pid>/stat:
 * fields 14 and 15, in clock ticks. The command name (field 2) may hold spaces and
 * parentheses, so fields are counted after its closing parenthesis.
 */
export function parseCpuSeconds(statText: string, ticksPerSecond = 100): number | undefined {
  const close = statText.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = statText.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / ticksPerSecond : undefined;
}

export function bytesToMiB(bytes: number): number {
  return bytes / (1024 * 1024);
}

/** CPU seconds each process spent over a run, as µs per answer; none for a run without answers. */
export function cpuUsPerAnswer(spentSeconds: Record<string, number>, answers: number): Record<string, number> {
  const out: Record<string, number> = {};
  if (answers > 0) for (const [name, seconds] of Object.entries(spentSeconds)) out[name] = (seconds / answers) * 1e6;
  return out;
}

/** "gateway 136 µs, mcp-server 120 µs": for the one-line reports of bench:profile and bench:versus. */
export function formatCpuPerAnswer(usPerAnswer: Record<string, number>): string {
  return Object.entries(usPerAnswer)
    .map(([name, us]) => `${name} ${Math.round(us)} µs`)
    .join(', ');
}

/**
 * "5 s windows 0.97 1.01 0.99": a side-by-side run's ratio in each window, for bench:versus. A run
 * shorter than one window has none, and says so rather than printing an empty list.
 */
export function formatWindows(windowSeconds: number, perWindow: readonly number[]): string {
  if (perWindow.length === 0) return `shorter than one ${windowSeconds} s window`;
  return `${windowSeconds} s windows ${perWindow.map((r) => r.toFixed(2)).join(' ')}`;
}

/** A soak's first and last windows are a minute each, or a third of a soak shorter than three minutes. */
export function soakWindowSeconds(totalSeconds: number): number {
  return Math.min(60, totalSeconds / 3);
}

/**
 * How often a soak samples RSS and throughput. The shortest soak the bench accepts (60 s, whose
 * windows are 20 s) still holds three samples in each window at this pace.
 */
export const SOAK_SAMPLE_MS = 5_000;

/**
 * Splits a soak's samples into its first and last windows (`soakWindowSeconds`: never more than
 * a third of the run, so a short soak still compares two disjoint stretches).
 */
export function soakWindows<T extends { atSeconds: number }>(samples: readonly T[], totalSeconds: number): { first: T[]; last: T[] } {
  const width = soakWindowSeconds(totalSeconds);
  return {
    first: samples.filter((s) => s.atSeconds <= width),
    last: samples.filter((s) => s.atSeconds > totalSeconds - width),
  };
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
