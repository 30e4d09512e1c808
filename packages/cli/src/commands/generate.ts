/**
 * `generate --patients N`: fills the database with synthetic patients for load tests and
 * benchmarks. Deterministic (same --seed, same patients), appended after any generated
 * patients already there, written in large transactions. Refused in production: synthetic
 * charts must never mix with real ones.
 */
import { parseArgs } from 'node:util';
import { openDatabase, type Database } from '@secure-hospital-ai/core/db/database';
import { migrateToLatest } from '@secure-hospital-ai/core/db/migrate';
import { generateIntoDatabase } from '@secure-hospital-ai/core/synthetic/bulk';
import { generatedPatientId } from '@secure-hospital-ai/core/synthetic/index';
import { loadRuntimeConfig } from '../runtime.js';

export const USAGE = `usage: generate --patients N [--seed S] [--start I] [--batch B]
  --patients  how many synthetic patients to add (required)
  --seed      PRNG seed (default 1); the same seed and index always give the same patient
  --start     index of the first patient (default: after the generated patients already stored)
  --batch     patients per transaction (default 5000 on SQLite, 1000 on PostgreSQL)`;

export async function run(argv: string[]): Promise<number> {
  let options: { patients: number; seed: number; start: number | undefined; batch: number | undefined };
  try {
    options = parseOptions(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const config = loadRuntimeConfig();
  if (config.env === 'production') {
    process.stderr.write('refusing to generate synthetic patients in production\n');
    return 1;
  }
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database);
    const start = options.start ?? (await nextGeneratedIndex(database));
    const progress = progressPrinter(options.patients);
    const summary = await generateIntoDatabase(database, {
      count: options.patients,
      seed: options.seed,
      start,
      batch: options.batch,
      onProgress: progress.update,
    });
    progress.done();
    const range = `${generatedPatientId(start)}…${generatedPatientId(start + options.patients - 1)}`;
    process.stdout.write(
      `generated ${summary.patients.toLocaleString('en-US')} patients (${range}, ` +
        `${summary.rows.toLocaleString('en-US')} rows) in ${summary.seconds.toFixed(1)} s: ` +
        `${Math.round(summary.patients / Math.max(summary.seconds, 0.001)).toLocaleString('en-US')} patients/s into ${database.location}\n`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      patients: { type: 'string' },
      seed: { type: 'string', default: '1' },
      start: { type: 'string' },
      batch: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const integer = (name: string, text: string | undefined, min: number): number | undefined => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
      throw new Error(`--${name} must be an integer >= ${min}`);
    }
    return Number(text);
  };
  const patients = integer('patients', values.patients, 1);
  if (patients === undefined) throw new Error('--patients is required');
  return {
    patients,
    seed: integer('seed', values.seed, 0) ?? 1,
    start: integer('start', values.start, 0),
    batch: integer('batch', values.batch, 1),
  };
}

/** The index after the highest generated patient (G000123 -> 124), 0 on an empty database. */
export async function nextGeneratedIndex(database: Database): Promise<number> {
  // Ids are G + at least six digits; longer ones (past a million) sort by length first.
  const last = await database.db
    .selectFrom('patients')
    .select('id')
    .where('id', 'like', 'G%')
    .orderBy((eb) => eb.fn('length', ['id']), 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const match = last ? /^G(\d+)$/.exec(last.id) : null;
  return match ? Number(match[1]) + 1 : 0;
}

function progressPrinter(total: number) {
  const tty = process.stderr.isTTY === true;
  return {
    update(done: number, seconds: number) {
      const rate = Math.round(done / Math.max(seconds, 0.001));
      const line = `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} patients (${rate.toLocaleString('en-US')} patients/s)`;
      process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
}
