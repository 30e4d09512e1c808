/**
 * `npm run bench`: the gateway → MCP server chain against its baselines, in one run on one
 * machine, so the ratios hold while the absolute numbers drift with the hardware.
 * Flags: see USAGE in bench-args.ts. Progress goes to stderr; the table or JSON to stdout.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { USAGE, UsageError, parseBenchArgs, type BenchOptions } from './bench-args.js';
import {
  currentCommit,
  machineInfo,
  renderReport,
  renderSoak,
  runHistoryLines,
  soakHistoryLines,
  writeBenchmarks,
  type BenchReport,
  type SoakReport,
} from './bench-report.js';
import { runDatabasePass, runSoak, type DatabasePass, type PassContext, type SoakResult } from './bench-run.js';
import { CLI, REPO_ROOT } from './bench-system.js';

const BENCHMARKS_FILE = join(REPO_ROOT, 'BENCHMARKS.md');

function publicOptions(options: BenchOptions): Omit<BenchOptions, 'postgresAdminUrl'> {
  const { postgresAdminUrl: _hidden, ...rest } = options;
  return rest;
}

/** A missing PostgreSQL skips its pass when both were asked for, and fails when it alone was. */
function skippable(options: BenchOptions, error: unknown): string | undefined {
  const message = (error as Error).message;
  return options.databases.length > 1 && /unreachable/.test(message) ? message : undefined;
}

export async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) process.stderr.write(`bench: ${error.message}\n`);
    process.stderr.write(`${USAGE}\n`);
    return error.message ? 2 : 0;
  }
  if (!existsSync(CLI)) {
    process.stderr.write(`bench: ${CLI} is missing; build first (tsc -b packages/cli bench)\n`);
    return 1;
  }
  // The servers read NODE_ENV from their own environment; this one is for the bench's own
  // libraries (fastify, undici), which behave as in production too.
  process.env.NODE_ENV = 'production';

  const workDir = mkdtempSync(join(tmpdir(), 'shai-bench-'));
  const ctx: PassContext = { options, workDir, log: (line) => process.stderr.write(`${line}\n`) };
  const info = { date: new Date().toISOString(), machine: machineInfo(), commit: currentCommit(REPO_ROOT) };
  try {
    if (options.soakSeconds !== undefined) {
      const soaks: SoakResult[] = [];
      for (const kind of options.databases) {
        try {
          soaks.push(await runSoak(kind, ctx));
        } catch (error) {
          const reason = skippable(options, error);
          if (reason === undefined) throw error;
          ctx.log(`[${kind}] skipped: ${reason}`);
        }
      }
      const report: SoakReport = { ...info, options: publicOptions(options), soaks };
      const text = renderSoak(report);
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${text}\n`);
      if (options.writeReport) writeBenchmarks(BENCHMARKS_FILE, { soak: text, history: soakHistoryLines(report) });
      return soaks.every((s) => s.pass) ? 0 : 1;
    }

    const passes: DatabasePass[] = [];
    for (const kind of options.databases) {
      try {
        passes.push(await runDatabasePass(kind, ctx));
      } catch (error) {
        const reason = skippable(options, error);
        if (reason === undefined) throw error;
        ctx.log(`[${kind}] skipped: ${reason}`);
        passes.push({ database: kind, skipped: reason, requestBytes: 0, responseBytes: 0, idleRssMiB: {}, scenarios: [], preflightProblems: [], interleave: undefined, audit: undefined, targets: [] });
      }
    }
    const report: BenchReport = { ...info, options: publicOptions(options), passes };
    const text = renderReport(report);
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${text}\n`);
    if (options.writeReport) {
      writeBenchmarks(BENCHMARKS_FILE, { run: text, history: runHistoryLines(report) });
      ctx.log(`bench: results written to ${BENCHMARKS_FILE}`);
    }
    // A missed target is a finding, not a crash: exit 0 so the figures are always recorded;
    // errors during the load itself are different and fail the run.
    const errors = passes.flatMap((p) => p.scenarios).reduce((n, s) => n + s.errors, 0);
    return errors === 0 ? 0 : 1;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // autocannon and undici keep sockets in their pools; do not wait for their idle timers.
      setImmediate(() => process.exit(code));
    },
    (error: unknown) => {
      process.stderr.write(`bench: ${(error as Error).message}\n`);
      if (process.env.SHAI_DEBUG) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
      process.exit(1);
    },
  );
}
