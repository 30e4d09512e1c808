/**
 * A years-long audit log in minutes, to measure whether the append slows down as the log grows:
 * `rows` synthetic `tools/call` events written by SQL into a prepared database before its servers
 * start, spread over 2,000 patients and 200 accounts, 1.5 s apart from 2020 on, and the
 * chain head moved past them. A soak cannot get there: at the full chain's 3,000–5,000 answers a
 * second, 20 million events take one to two hours of load.
 *
 * The events' hashes are random and do not chain, so `audit verify` fails on such a database;
 * the writer reads only the head, which is all the append needs. For `bench:versus` only: the
 * database is dropped after the run.
 */
import { sql } from 'kysely';
import type { Database } from '@secure-hospital-ai/core/db/database';

/** Rows per statement: one transaction each, so memory stays flat and progress shows. */
const CHUNK = 1_000_000;
/** Where the synthetic log starts: 1 January 2020, in Unix seconds. */
const EPOCH_2020 = 1_577_836_800;

export async function fillAuditBacklog(database: Database, rows: number, log: (line: string) => void, chunk = CHUNK): Promise<void> {
  const started = performance.now();
  // After the events seeding and account set-up wrote: the backlog goes in front of the head.
  const head = await sql<{ seq: number | string }>`select seq from audit_chain_head where id = 1`.execute(database.db);
  const base = Number(head.rows[0]?.seq ?? 0);
  for (let from = base + 1; from <= base + rows; from += chunk) {
    const to = Math.min(base + rows, from + chunk - 1);
    await (database.dialect === 'postgres' ? insertPostgres(database, from, to) : insertSqlite(database, from, to));
    log(`audit backlog: ${(to - base).toLocaleString('en')} of ${rows.toLocaleString('en')} events (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  // The head moves past the backlog, as the writer would have moved it; the guards on the head
  // allow a forward move, which this is.
  await sql`update audit_chain_head set seq = ${base + rows}, hash = ${'f'.repeat(64)} where id = 1`.execute(database.db);
  await sql`analyze audit_events`.execute(database.db);
}

async function insertSqlite(database: Database, from: number, to: number): Promise<void> {
  const sqlite = database.sqlite;
  if (!sqlite) throw new Error('audit backlog: no SQLite handle');
  sqlite
    .prepare(
      `with recursive n(i) as (select ? union all select i + 1 from n where i < ?)
       insert into audit_events (seq, time, request_id, source, action, user_id, role, tool, patient_id, decision,
         reason, break_glass, purpose_of_use, redactions, client_address, user_agent, prev_hash, hash)
       select i, strftime('%Y-%m-%dT%H:%M:%fZ', ${EPOCH_2020} + i * 1.5, 'unixepoch'), lower(hex(randomblob(16))), 'mcp-server',
         'tools/call', cast(1 + i % 200 as text), 'doctor', 'get_patient_overview', printf('S%06d', i % 2000), 'allow',
         'care_team', 0, 'TREAT', '{"name":2}', '10.0.0.' || (i % 250), 'bench-backlog/1', lower(hex(randomblob(32))),
         lower(hex(randomblob(32)))
       from n`,
    )
    .run(from, to);
}

async function insertPostgres(database: Database, from: number, to: number): Promise<void> {
  await sql`
    insert into audit_events (seq, time, request_id, source, action, user_id, role, tool, patient_id, decision,
      reason, break_glass, purpose_of_use, redactions, client_address, user_agent, prev_hash, hash)
    select i, to_char(to_timestamp(${EPOCH_2020} + i * 1.5) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), md5(i::text),
      'mcp-server', 'tools/call', (1 + i % 200)::text, 'doctor', 'get_patient_overview', 'S' || lpad((i % 2000)::text, 6, '0'), 'allow',
      'care_team', 0, 'TREAT', '{"name":2}', '10.0.0.' || (i % 250), 'bench-backlog/1', md5(i::text || 'p') || md5(i::text || 'q'),
      md5(i::text || 'h') || md5(i::text || 'k')
    from generate_series(${from}::bigint, ${to}::bigint) as i`.execute(database.db);
}
