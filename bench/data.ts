/**
 * Data benchmark (`npm run bench:data`): how fast synthetic patients are written, how fast
 * real FHIR bundles import, and the latency of the reads the MCP tools make (patient search
 * by name prefix, MRN and birth date; the overview), on a fresh embedded database and a
 * fresh PostgreSQL database of the size asked for. It calls the same query functions the
 * tools call, so its figures are the tools' database time.
 *
 *   bench:data [--patients N] [--db sqlite|postgres|both] [--iterations N] [--samples DIR] [--json] [--keep]
 *
 * PostgreSQL: a database `shai_bench_<random>` is created on BENCH_POSTGRES_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres) and dropped afterwards unless --keep.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { getPatientOverview, searchPatients } from '@secure-hospital-ai/core/clinical/queries';
import { openDatabase, type Database } from '@secure-hospital-ai/core/db/database';
import { migrateToLatest } from '@secure-hospital-ai/core/db/migrate';
import { importBundleFile } from '@secure-hospital-ai/core/fhir/index';
import { generatedMrn, generatedPatientId, generateIntoDatabase, generatePatient } from '@secure-hospital-ai/core/synthetic/index';
import { postgresAdminUrlFrom } from './bench-args.js';

const SEED = 1;
/** Latency targets at 100,000 patients (issue 3). */
const TARGET_P99_MS = { search: 25, overview: 15 } as const;

interface Latency {
  p50_ms: number;
  p99_ms: number;
  mean_ms: number;
  max_ms: number;
  n: number;
}

interface EngineResult {
  engine: 'sqlite' | 'postgres';
  location: string;
  generate: { patients: number; rows: number; seconds: number; patients_per_s: number };
  import: { bundles: number; patients: number; refused: number; seconds: number; patients_per_s: number };
  queries: Record<'search_name_prefix' | 'search_mrn' | 'search_birth_date' | 'overview', Latency>;
}

interface Options {
  patients: number;
  engines: ('sqlite' | 'postgres')[];
  iterations: number;
  samples: string | undefined;
  json: boolean;
  keep: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      patients: { type: 'string', default: '100000' },
      db: { type: 'string', default: 'both' },
      iterations: { type: 'string', default: '1000' },
      samples: { type: 'string' },
      json: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const positive = (name: string, text: string) => {
    if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`--${name} must be a positive integer`);
    return Number(text);
  };
  const db = values.db;
  if (db !== 'sqlite' && db !== 'postgres' && db !== 'both') throw new Error('--db must be sqlite, postgres or both');
  return {
    patients: positive('patients', values.patients),
    engines: db === 'both' ? ['sqlite', 'postgres'] : [db],
    iterations: positive('iterations', values.iterations),
    samples: values.samples,
    json: values.json,
    keep: values.keep,
  };
}

/** FHIR bundles to import: --samples, else shared/data/synthea, else the test fixtures. */
function sampleFiles(dir: string | undefined): string[] {
  const candidates = dir
    ? [dir]
    : [resolve('shared/data/synthea'), resolve('../shared/data/synthea'), resolve('packages/core/src/fhir/fixtures')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) return [];
  return readdirSync(found)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(found, f));
}

async function openFresh(engine: 'sqlite' | 'postgres'): Promise<{ database: Database; cleanup(keep: boolean): Promise<void> }> {
  if (engine === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'shai-bench-'));
    const database = openDatabase({ dataDir });
    return {
      database,
      async cleanup(keep) {
        await database.close();
        if (!keep) rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const adminUrl = postgresAdminUrlFrom(process.env);
  const name = `shai_bench_${randomBytes(5).toString('hex')}`;
  await admin(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = openDatabase({ dataDir: tmpdir(), databaseUrl: url.toString(), poolSize: 10 });
  return {
    database,
    async cleanup(keep) {
      await database.close();
      if (!keep) await admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    p50_ms: round(at(0.5)),
    p99_ms: round(at(0.99)),
    mean_ms: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
    max_ms: round(sorted[sorted.length - 1] ?? 0),
    n: sorted.length,
  };
}

async function time(inputs: readonly string[], call: (input: string) => Promise<unknown>): Promise<Latency> {
  const warmup = Math.min(100, inputs.length);
  for (let i = 0; i < warmup; i += 1) await call(inputs[i] as string);
  const samples: number[] = [];
  for (const input of inputs) {
    const began = performance.now();
    await call(input);
    samples.push(performance.now() - began);
  }
  return latency(samples);
}

/** Query inputs drawn deterministically from the generated population. */
function inputs(patients: number, iterations: number) {
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % patients;
  };
  const prefixes: string[] = [];
  const mrns: string[] = [];
  const birthDates: string[] = [];
  const ids: string[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const patient = generatePatient(SEED, next()).patient;
    prefixes.push(patient.family_name.toLowerCase().replace(/[^a-z]/g, '').slice(0, 3) || 'smi');
    birthDates.push(patient.birth_date);
    mrns.push(generatedMrn(next()));
    ids.push(generatedPatientId(next()));
  }
  return { prefixes, mrns, birthDates, ids };
}

async function benchEngine(engine: 'sqlite' | 'postgres', options: Options, log: (line: string) => void): Promise<EngineResult> {
  const { database, cleanup } = await openFresh(engine);
  try {
    await migrateToLatest(database);
    log(`${engine}: generating ${options.patients.toLocaleString('en-US')} patients into ${database.location}`);
    const generated = await generateIntoDatabase(database, {
      count: options.patients,
      seed: SEED,
      start: 0,
      onProgress: (done, seconds) => log(`  ${done.toLocaleString('en-US')} patients, ${Math.round(done / seconds)} patients/s`),
    });
    // Planner statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` would leave them.
    await sql`analyze`.execute(database.db);

    const files = sampleFiles(options.samples);
    log(`${engine}: importing ${files.length} FHIR bundles`);
    let imported = 0;
    let refused = 0;
    const importBegan = performance.now();
    for (const file of files) {
      const result = await importBundleFile(database.db, file);
      imported += result.patientsImported;
      if (result.status === 'refused') refused += 1;
    }
    const importSeconds = (performance.now() - importBegan) / 1000;

    log(`${engine}: timing queries (${options.iterations} each)`);
    const q = inputs(options.patients, options.iterations);
    const db = database.db;
    const queries = {
      search_name_prefix: await time(q.prefixes, (query) => searchPatients(db, { query, limit: 20 })),
      search_mrn: await time(q.mrns, (query) => searchPatients(db, { query, limit: 20 })),
      search_birth_date: await time(q.birthDates, (query) => searchPatients(db, { query, limit: 20 })),
      overview: await time(q.ids, (id) => getPatientOverview(db, id)),
    };
    return {
      engine,
      location: database.location,
      generate: {
        patients: generated.patients,
        rows: generated.rows,
        seconds: Math.round(generated.seconds * 10) / 10,
        patients_per_s: Math.round(generated.patients / generated.seconds),
      },
      import: {
        bundles: files.length,
        patients: imported,
        refused,
        seconds: Math.round(importSeconds * 100) / 100,
        patients_per_s: Math.round((imported / Math.max(importSeconds, 0.001)) * 10) / 10,
      },
      queries,
    };
  } finally {
    await cleanup(options.keep);
  }
}

function table(results: EngineResult[], patients: number): string {
  const lines = [`data benchmark, ${patients.toLocaleString('en-US')} generated patients`, ''];
  for (const r of results) {
    lines.push(`${r.engine}`);
    lines.push(`  generate   ${r.generate.patients_per_s.toLocaleString('en-US').padStart(8)} patients/s  (${r.generate.rows.toLocaleString('en-US')} rows in ${r.generate.seconds} s)`);
    lines.push(`  import     ${String(r.import.patients_per_s).padStart(8)} patients/s  (${r.import.patients} patients from ${r.import.bundles} FHIR bundles in ${r.import.seconds} s${r.import.refused ? `, ${r.import.refused} refused` : ''})`);
    lines.push('  query                   p50 ms    p99 ms   mean ms  target p99');
    for (const [name, l] of Object.entries(r.queries)) {
      const target = name === 'overview' ? TARGET_P99_MS.overview : TARGET_P99_MS.search;
      const verdict = l.p99_ms < target ? 'ok' : 'MISSED';
      lines.push(`  ${name.padEnd(20)} ${l.p50_ms.toFixed(2).padStart(8)}  ${l.p99_ms.toFixed(2).padStart(8)}  ${l.mean_ms.toFixed(2).padStart(8)}  < ${target} ${verdict}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nusage: bench:data [--patients N] [--db sqlite|postgres|both] [--iterations N] [--samples DIR] [--json] [--keep]\n`);
    return 2;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const results: EngineResult[] = [];
  for (const engine of options.engines) results.push(await benchEngine(engine, options, log));
  if (options.json) process.stdout.write(`${JSON.stringify({ patients: options.patients, targets_p99_ms: TARGET_P99_MS, results }, null, 2)}\n`);
  else process.stdout.write(`${table(results, options.patients)}\n`);
  const missed = results.some((r) =>
    Object.entries(r.queries).some(([name, l]) => l.p99_ms >= (name === 'overview' ? TARGET_P99_MS.overview : TARGET_P99_MS.search)),
  );
  return missed ? 1 : 0;
}

// Run when executed directly (node bench/data.js), not when imported.
if (process.argv[1] && import.meta.url === new URL(`file://${resolve(process.argv[1])}`).href) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`bench:data failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
