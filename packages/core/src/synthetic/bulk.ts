/**
 * Writing many generated patients fast: large transactions, patients generated and written
 * in small chunks inside them so the objects die young, and on SQLite the raw prepared-
 * statement path of the store. Used by `generate` and the data benchmark.
 */
import type { Database } from '../db/database.js';
import { insertPatientBundles, insertPatientBundlesSync, type PatientBundle } from '../clinical/store.js';
import { generatePatient } from './generator.js';

export interface BulkGenerateOptions {
  count: number;
  seed: number;
  /** Index of the first patient (its id is G + the index). */
  start: number;
  /** Patients per transaction; default 5000 on SQLite, 1000 on PostgreSQL. */
  batch?: number | undefined;
  onProgress?: (done: number, elapsedSeconds: number) => void;
}

export interface BulkGenerateSummary {
  patients: number;
  rows: number;
  seconds: number;
}

/** Patients generated and written per store call. */
const CHUNK = 50;

export async function generateIntoDatabase(database: Database, options: BulkGenerateOptions): Promise<BulkGenerateSummary> {
  const began = performance.now();
  const sqlite = database.sqlite;
  const batch = options.batch ?? (sqlite ? 5000 : 1000);
  const end = options.start + options.count;
  let rows = 0;
  let done = 0;
  for (let from = options.start; from < end; from += batch) {
    const to = Math.min(end, from + batch);
    if (sqlite) {
      // better-sqlite3 is synchronous: the whole batch is one transaction, rolled back on a throw.
      sqlite.transaction(() => {
        for (let chunk = from; chunk < to; chunk += CHUNK) {
          const bundles = generateRange(options.seed, chunk, Math.min(to, chunk + CHUNK));
          rows += countRows(bundles);
          insertPatientBundlesSync(sqlite, bundles);
        }
      })();
    } else {
      await database.db.transaction().execute(async (trx) => {
        for (let chunk = from; chunk < to; chunk += CHUNK * 10) {
          const bundles = generateRange(options.seed, chunk, Math.min(to, chunk + CHUNK * 10));
          rows += countRows(bundles);
          await insertPatientBundles(trx, bundles);
        }
      });
    }
    done += to - from;
    options.onProgress?.(done, (performance.now() - began) / 1000);
  }
  return { patients: options.count, rows, seconds: (performance.now() - began) / 1000 };
}

function generateRange(seed: number, from: number, to: number): PatientBundle[] {
  const bundles: PatientBundle[] = [];
  for (let index = from; index < to; index += 1) bundles.push(generatePatient(seed, index));
  return bundles;
}

function countRows(bundles: readonly PatientBundle[]): number {
  let rows = 0;
  for (const b of bundles) {
    rows += 1 + b.contacts.length + b.encounters.length + b.observations.length + b.medications.length;
    rows += b.allergies.length + b.conditions.length + b.notes.length;
  }
  return rows;
}
