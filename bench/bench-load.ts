/**
 * Load generation with autocannon, in this process. Latencies are collected here from every
 * response (autocannon's own histogram has 1 ms resolution, too coarse for a p99 target of a
 * few milliseconds), and statuses are counted so a scenario that expects refusals can tell
 * them from errors.
 */
import { createRequire } from 'node:module';
import { summarizeLatencies, type LatencySummary } from './bench-stats.js';

/** The part of autocannon's request description the bench uses. */
interface AutocannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
}

interface AutocannonResult {
  errors: number;
  timeouts: number;
  duration: number;
}

interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): void;
  stop(): void;
}

type Autocannon = (
  options: { url: string; connections: number; duration: number; timeout: number; sampleInt: number; requests: AutocannonRequest[] },
  done: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

// autocannon ships CommonJS without type declarations; the interfaces above are what we rely on.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface LoadRequest {
  method: 'POST' | 'GET';
  path: string;
  body: string;
  headers: Record<string, string>;
  /** Read before every request, so tokens can be rotated while the load runs. */
  bearer?: () => string;
}

export interface LoadSpec {
  origin: string;
  requests: readonly LoadRequest[];
  connections: number;
  durationSeconds: number;
  /** Incremented per response, for a soak that samples throughput while the load runs. */
  progress?: { completed: number };
}

export interface LoadResult {
  completed: number;
  elapsedSeconds: number;
  rps: number;
  latency: LatencySummary;
  statuses: Record<string, number>;
  /** Connection errors and timeouts: requests that got no HTTP answer at all. */
  transportErrors: number;
  /** Every response's latency in ms, in arrival order: what lets slices of a run be combined. */
  latencies: readonly number[];
}

function toAutocannonRequest(request: LoadRequest): AutocannonRequest {
  const base: AutocannonRequest = { method: request.method, path: request.path, headers: request.headers, body: request.body };
  const bearer = request.bearer;
  if (bearer === undefined) return base;
  // Every request goes through setupRequest when any does; the baselines use it too, so the
  // load generator spends the same per request in every scenario.
  return {
    ...base,
    setupRequest: (r) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${bearer()}` } }),
  };
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const started = performance.now();
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.origin,
        connections: spec.connections,
        duration: spec.durationSeconds,
        timeout: 10,
        // autocannon acts on its stop timer only at its next sample tick, and now and then the
        // tick due at the same millisecond runs first: with the default 1 s ticks, 4 of 30 runs of
        // 2 s lasted 3 s. Ticks of 100 ms bound that overshoot to a tenth of a second.
        sampleInt: 100,
        requests: spec.requests.map(toAutocannonRequest),
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      latencies.push(responseTimeMs);
      const key = String(statusCode);
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (spec.progress) spec.progress.completed += 1;
    });
  });
  const elapsedSeconds = (performance.now() - started) / 1000;
  return {
    completed: latencies.length,
    elapsedSeconds,
    rps: latencies.length / elapsedSeconds,
    latency: summarizeLatencies(latencies),
    statuses,
    // autocannon counts a timeout in `errors` as well as in `timeouts`.
    transportErrors: result.errors,
    latencies,
  };
}

/**
 * Slices of one scenario's load as if they were one run: answers and seconds add up, and the
 * percentiles are taken over every slice's latencies together (not averaged per slice).
 */
export function combineLoads(slices: readonly LoadResult[]): LoadResult {
  if (slices.length === 1) return slices[0] as LoadResult;
  let completed = 0;
  let elapsedSeconds = 0;
  let transportErrors = 0;
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  for (const slice of slices) {
    completed += slice.completed;
    elapsedSeconds += slice.elapsedSeconds;
    transportErrors += slice.transportErrors;
    for (const [status, count] of Object.entries(slice.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
    for (const latency of slice.latencies) latencies.push(latency);
  }
  return {
    completed,
    elapsedSeconds,
    rps: elapsedSeconds > 0 ? completed / elapsedSeconds : Number.NaN,
    latency: summarizeLatencies(latencies),
    statuses,
    transportErrors,
    latencies,
  };
}

export interface SideBySideResult {
  a: LoadResult;
  b: LoadResult;
  /**
   * a ÷ b in answers per second, each over its own seconds: rates, not counts, so that a side
   * whose load stopped a little later is not credited with the answers of its extra time.
   */
  ratio: number;
  windowSeconds: number;
  /** a ÷ b answers in each window, in order: how steady the ratio was. */
  perWindow: number[];
}

/**
 * Two loads at once, each on its own system, for the same seconds. Both systems share the cores
 * and whatever the machine does meanwhile, so the ratio of their answers tells which spends less
 * per answer even where a machine's speed drifts by a third from one minute to the next: two
 * systems of the same build came out at 0.98–1.02× of each other over 30 s (BENCHMARKS.md).
 */
export async function runSideBySide(
  a: Omit<LoadSpec, 'durationSeconds' | 'progress'>,
  b: Omit<LoadSpec, 'durationSeconds' | 'progress'>,
  durationSeconds: number,
  windowSeconds = 5,
): Promise<SideBySideResult> {
  const progressA = { completed: 0 };
  const progressB = { completed: 0 };
  const marks: Array<[number, number]> = [[0, 0]];
  const ticker = setInterval(() => marks.push([progressA.completed, progressB.completed]), windowSeconds * 1000);
  try {
    const [ra, rb] = await Promise.all([
      runLoad({ ...a, durationSeconds, progress: progressA }),
      runLoad({ ...b, durationSeconds, progress: progressB }),
    ]);
    const perWindow: number[] = [];
    for (let i = 1; i < marks.length; i += 1) {
      const [a0, b0] = marks[i - 1] as [number, number];
      const [a1, b1] = marks[i] as [number, number];
      perWindow.push(b1 > b0 ? (a1 - a0) / (b1 - b0) : Number.NaN);
    }
    return { a: ra, b: rb, ratio: ra.rps / rb.rps, windowSeconds, perWindow };
  } finally {
    clearInterval(ticker);
  }
}

/** Responses whose status is not among those the scenario expects, plus transport errors. */
export function unexpectedCount(result: LoadResult, expected: ReadonlySet<number>): number {
  let n = result.transportErrors;
  for (const [status, count] of Object.entries(result.statuses)) if (!expected.has(Number(status))) n += count;
  return n;
}
