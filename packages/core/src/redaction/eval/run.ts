/**
 * `npm run eval:redaction`: generate the labelled set, scrub it, print recall per PHI type,
 * overall recall, clinical terms kept and throughput; exit 1 when a target is missed.
 * `--json` prints the same as JSON; `--seed N` and `--notes N` vary the set; `--examples`
 * lists misses (synthetic data only).
 */
import { findPhi } from '../scrubber.js';
import { generateEvalSet, generateHoldoutSet } from './generator.js';
import { evaluate, ratio, TARGETS, targetFailures, type Tally } from './metrics.js';
import { measureThroughput } from './throughput.js';

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    process.stderr.write(`${name} expects a positive integer\n`);
    process.exit(2);
  }
  return value;
}

function row(label: string, t: Tally | undefined): string {
  const tally = t ?? { total: 0, caught: 0 };
  return `${label.padEnd(34)} ${String(tally.caught).padStart(6)} / ${String(tally.total).padEnd(6)} ${ratio(tally).toFixed(4)}`;
}

function main(): void {
  const seed = argValue('--seed', 20_260_101);
  const count = argValue('--notes', 400);
  const notes = generateEvalSet(seed, count);
  const report = evaluate(notes, (text, known) => findPhi(text, known));
  const holdout = evaluate(generateHoldoutSet(), (text, known) => findPhi(text, known));
  const throughput = measureThroughput(notes, (text, known) => findPhi(text, known));
  const failures = targetFailures(report);
  if (throughput.megabytesPerSecond < TARGETS.minMegabytesPerSecond) {
    failures.push(`throughput ${throughput.megabytesPerSecond.toFixed(2)} MB/s < ${TARGETS.minMegabytesPerSecond}`);
  }

  if (process.argv.includes('--json')) {
    const { missedExamples, removedClinicalExamples, ...figures } = report;
    const out = process.argv.includes('--examples') ? report : figures;
    const held = { notes: holdout.notes, byType: holdout.byType, overall: holdout.overall, clinicalKept: holdout.clinicalKept };
    process.stdout.write(`${JSON.stringify({ seed, ...out, throughput, failures, holdout: held }, null, 2)}\n`);
  } else {
    const lines = [
      `PHI redaction evaluation: ${report.notes} notes, ${(report.characters / 1024).toFixed(0)} KiB, seed ${seed}`,
      '',
      `${'PHI type'.padEnd(34)} caught / total  recall`,
      ...Object.entries(report.byType)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([type, t]) => row(type, t)),
      row('OVERALL', report.overall),
      '',
      ...Object.entries(report.byNameSource)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([source, t]) => row(`name from ${source}`, t)),
      '',
      `${'kept'.padEnd(34)} kept / total`,
      row('clinical terms', report.clinicalKept),
      row('name-like ordinary words', report.wordsKept),
      '',
      `throughput: ${throughput.megabytesPerSecond.toFixed(2)} MB per CPU second on one core over ${(throughput.bytes / 1e6).toFixed(1)} MB ` +
        `(${throughput.megabytesPerWallSecond.toFixed(2)} MB per wall second)`,
      `baseline text.replace(/\\d/g, '#'): ${throughput.baselineMegabytesPerSecond.toFixed(1)} MB/s; scrubber ${throughput.slowdown.toFixed(1)}x slower`,
      '',
      failures.length === 0 ? 'targets: all met' : `targets MISSED: ${failures.join('; ')}`,
      '',
      `held-out sentences (never tuned against; not part of the targets): ${holdout.notes} notes`,
      ...Object.entries(holdout.byType)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([type, t]) => row(type, t)),
      row('OVERALL', holdout.overall),
      row('clinical terms kept', holdout.clinicalKept),
    ];
    if (process.argv.includes('--examples')) {
      lines.push('', 'missed PHI:', ...report.missedExamples, '', 'removed keep-terms:', ...report.removedClinicalExamples);
      lines.push('', 'held-out missed PHI:', ...holdout.missedExamples, '', 'held-out removed keep-terms:', ...holdout.removedClinicalExamples);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  process.exitCode = failures.length === 0 ? 0 : 1;
}

main();
