/**
 * Throughput of the scrubber over the evaluation notes, repeated until at least `minBytes`
 * of text has passed, beside a trivial baseline over the same text so the figure can be
 * judged on any machine.
 *
 * "On one core" is measured as CPU time of this process (user + system), which stays
 * meaningful when other processes share the machine; wall-clock time is reported too.
 */
import type { KnownIdentifiers } from '../types.js';

export interface Throughput {
  readonly bytes: number;
  /** Megabytes (10^6 bytes) of note text per CPU second. */
  readonly megabytesPerSecond: number;
  /** The same per wall-clock second (lower when the machine is busy). */
  readonly megabytesPerWallSecond: number;
  readonly baselineMegabytesPerSecond: number;
  /** How many times slower than the baseline, both per CPU second. */
  readonly slowdown: number;
}

interface Input {
  readonly text: string;
  readonly known: KnownIdentifiers;
}

interface Timing {
  bytes: number;
  cpuSeconds: number;
  wallSeconds: number;
}

function timeLoop(inputs: readonly Input[], minBytes: number, work: (input: Input) => unknown): Timing {
  let bytes = 0;
  let kept = 0;
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  while (bytes < minBytes) {
    for (const input of inputs) {
      if (work(input)) kept++;
      bytes += Buffer.byteLength(input.text);
    }
  }
  const used = process.cpuUsage(cpu);
  const wallSeconds = Number(process.hrtime.bigint() - wall) / 1e9;
  if (kept < 0) throw new Error('unreachable'); // keeps the results alive
  return { bytes, cpuSeconds: (used.user + used.system) / 1e6, wallSeconds };
}

export function measureThroughput(
  inputs: readonly Input[],
  scrub: (text: string, known: KnownIdentifiers) => unknown,
  minBytes = 5 * 1024 * 1024,
): Throughput {
  if (inputs.length === 0) throw new RangeError('no input to measure');
  // Warm-up: compile regexes, fill caches, let the JIT see the hot paths.
  timeLoop(inputs, Math.min(minBytes, 512 * 1024), (i) => scrub(i.text, i.known));
  const run = timeLoop(inputs, minBytes, (i) => scrub(i.text, i.known));
  const base = timeLoop(inputs, minBytes, (i) => i.text.replace(/\d/g, '#'));
  const mbps = run.bytes / 1e6 / run.cpuSeconds;
  const baseline = base.bytes / 1e6 / base.cpuSeconds;
  return {
    bytes: run.bytes,
    megabytesPerSecond: mbps,
    megabytesPerWallSecond: run.bytes / 1e6 / run.wallSeconds,
    baselineMegabytesPerSecond: baseline,
    slowdown: baseline / mbps,
  };
}
