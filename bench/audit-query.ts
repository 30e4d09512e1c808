/**
 * Benchmark: what a page of one patient's access log costs when that patient is in a large
 * share of the log. `get_audit_log` for a patient (or an auditor's filter on one) reads the
 * events about the record and the searches that listed it (migration 0010); a patient seen
 * every day for years has hundreds of thousands of them, and a page must not read them all.
 *
 *   npm run bench:audit-query -- [events=1000000] [sqlite|postgres] [--keep]
 *
 * The log is written by SQL (its hashes do not chain: verify is not the point here): a quarter
 * of the events are about P0001, a tenth are searches that listed P0001 and one other patient,
 * the rest spread over 4,999 patients and 200 accounts. Each query is timed as the median of
 * 15 runs after 3 warm-up runs, through `queryAuditLog`, as the tool runs it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { queryAuditLog, type AuditLogFilters, type AuditLogViewer } from '@secure-hospital-ai/core/audit/query';
import { openDatabase, type Database } from '@secure-hospital-ai/core/db/database';
import { migrateToLatest } from '@secure-hospital-ai/core/db/migrate';
import { DEFAULT_POSTGRES_ADMIN_URL } from './bench-args.js';

const RUNS = 15;
const WARMUP_RUNS = 3;

/** The synthetic log: one SQL statement per table, the same rows on both engines. */
async function fill(database: Database, events: number): Promise<void> {
  const postgres = database.dialect === 'postgres';
  const series = postgres ? sql`generate_series(1, ${events}) as n(i)` : sql`n`;
  const recursive = postgres ? sql`` : sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${events}) `;
  const pad = (expr: ReturnType<typeof sql>) => (postgres ? sql`lpad((${expr})::text, 4, '0')` : sql`printf('%04d', ${expr})`);
  const other = sql`2 + i % 4999`;
  const isSearch = sql`i % 10 = 5`;
  const time = postgres
    ? sql`to_char(to_timestamp(1577836800 + i * 1.5) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : sql`strftime('%Y-%m-%dT%H:%M:%fZ', 1577836800 + i * 1.5, 'unixepoch')`;
  const text = (expr: ReturnType<typeof sql>) => (postgres ? sql`(${expr})::text` : sql`cast(${expr} as text)`);
  await sql`${recursive}insert into audit_events (seq, time, request_id, source, action, user_id, role, tool, patient_id,
      decision, reason, break_glass, purpose_of_use, redactions, client_address, user_agent, prev_hash, hash, listed_patients)
    select i, ${time}, 'r' || ${text(sql`i`)}, 'mcp-server', 'tools/call', ${text(sql`1 + i % 200`)}, 'doctor',
      case when ${isSearch} then 'search_patients' else 'get_patient_overview' end,
      case when ${isSearch} then null when i % 4 = 0 then 'P0001' else 'P' || ${pad(other)} end,
      case when i % 11 = 0 then 'deny' else 'allow' end, 'care_team', 0, 'TREAT', '{}', '10.0.0.1', 'bench',
      ${'0'.repeat(64)}, ${'0'.repeat(64)},
      case when ${isSearch} then '["P0001","P' || ${pad(other)} || '"]' end
    from ${series}`.execute(database.db);
  await sql`${recursive}insert into audit_event_patients (seq, patient_id)
    select i, 'P0001' from ${series} where ${isSearch}
    union all select i, 'P' || ${pad(other)} from ${series} where ${isSearch}`.execute(database.db);
  await sql`update audit_chain_head set seq = ${events}, hash = ${'0'.repeat(64)} where id = 1`.execute(database.db);
  await sql`analyze`.execute(database.db);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function time(database: Database, filters: AuditLogFilters, viewer: AuditLogViewer): Promise<{ ms: number; events: number }> {
  let events = 0;
  const runs: number[] = [];
  for (let i = 0; i < WARMUP_RUNS + RUNS; i += 1) {
    const t0 = performance.now();
    const page = await queryAuditLog(database, filters, viewer);
    if (i >= WARMUP_RUNS) runs.push(performance.now() - t0);
    events = page.events.length;
  }
  return { ms: median(runs), events };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const events = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
  const engine = args.includes('postgres') ? 'postgres' : 'sqlite';
  const dataDir = mkdtempSync(join(tmpdir(), 'shai-bench-audit-query-'));
  const admin = process.env.BENCH_POSTGRES_URL ?? DEFAULT_POSTGRES_ADMIN_URL;
  const name = `shai_bench_audit_query_${process.pid}`;
  let adminClient: pg.Client | undefined;
  if (engine === 'postgres') {
    adminClient = new pg.Client({ connectionString: admin });
    await adminClient.connect();
    await adminClient.query(`create database ${name}`);
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const database = openDatabase(engine === 'postgres' ? { dataDir, databaseUrl: url.toString() } : { dataDir });
  try {
    await migrateToLatest(database);
    let t0 = performance.now();
    await fill(database, events);
    console.log(`${engine}: wrote ${events.toLocaleString('en')} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const counted = await sql<{ n: number | string }>`select count(*) as n from audit_events where patient_id = 'P0001'`.execute(database.db);
    const listed = await sql<{ n: number | string }>`select count(*) as n from audit_event_patients where patient_id = 'P0001'`.execute(database.db);
    console.log(`P0001: ${Number(counted.rows[0]?.n).toLocaleString('en')} events about the record, listed by ${Number(listed.rows[0]?.n).toLocaleString('en')} searches`);

    const auditor = { role: 'auditor' } as const;
    const p1 = { role: 'patient', patientId: 'P0001' } as const;
    const middle = `a1.${Buffer.from(String(Math.floor(events / 2))).toString('base64url')}`;
    const cases: Array<[string, AuditLogFilters, AuditLogViewer]> = [
      ['patient P0001, own log, first page of 50', {}, p1],
      ['patient P0001, own log, a page from the middle', { cursor: middle }, p1],
      ['auditor, patient_id P0001, first page of 50', { patient_id: 'P0001' }, auditor],
      ['auditor, patient_id P0001 and one user (1 in 200)', { patient_id: 'P0001', user_id: '9' }, auditor],
      ['auditor, patient_id P0001, refused calls only', { patient_id: 'P0001', decision: 'deny' }, auditor],
      ['auditor, patient_id P0002 (a light patient)', { patient_id: 'P0002' }, auditor],
      ['auditor, everything, first page of 50', {}, auditor],
    ];
    for (const [label, filters, viewer] of cases) {
      const { ms, events: shown } = await time(database, filters, viewer);
      console.log(`${label}: ${ms.toFixed(2)} ms (median of ${RUNS}), ${shown} events`);
    }
  } finally {
    await database.close();
    const keep = args.includes('--keep');
    if (keep) console.log(`kept: ${engine === 'postgres' ? `DATABASE_URL=${url.toString()}` : `DATA_DIR=${dataDir}`}`);
    else rmSync(dataDir, { recursive: true, force: true });
    if (adminClient && keep) await adminClient.end();
    else if (adminClient) {
      await adminClient.query(`drop database if exists ${name}`);
      await adminClient.end();
    }
  }
}

await main();
