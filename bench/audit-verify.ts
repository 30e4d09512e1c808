/**
 * Benchmark: verify throughput of the audit chain on the embedded database.
 * Writes N events (default 1,000,000) into a fresh SQLite file by direct bulk insert
 * (computing the real chain), then times `verifyAuditChain` over them.
 *
 *   node --input-type=module -e "await (await import('vite')).runnerImport('./bench/audit-verify.ts')" -- 1000000 [--keep]
 *
 * (Vite's module runner executes the TypeScript sources directly; no build needed.)
 *
 * With --keep the database is left in place and its DATA_DIR printed, so the real command
 * can be timed on it too:  DATA_DIR=<dir> npm run audit:verify
 *
 * Target (issue 6): at least 200,000 events/s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainEvent, HASH_INDEX, listedIds, STORED_COLUMNS } from '@secure-hospital-ai/core/audit/chain';
import type { AuditEventFields } from '@secure-hospital-ai/core/audit/event';
import { verifyAuditChain } from '@secure-hospital-ai/core/audit/verify';
import { openDatabase } from '@secure-hospital-ai/core/db/database';
import { migrateToLatest } from '@secure-hospital-ai/core/db/migrate';

const TOOLS = ['get_patient_overview', 'get_observations', 'get_clinical_notes', 'search_patients', 'list_encounters'];
const ROLES = ['doctor', 'nurse', 'receptionist', 'researcher'] as const;

/** Patients an allowed search lists: 20, as a receptionist's page would show. */
const LISTED = 20;

/** A plausible event mix: mostly allowed tool calls, some denials, occasional break-glass; allowed searches list patients. */
export function syntheticEvent(i: number, start: number): AuditEventFields {
  const breakGlass = i % 97 === 0;
  const tool = TOOLS[i % TOOLS.length] as string;
  const denied = i % 11 === 0;
  const listed =
    tool === 'search_patients' && !denied
      ? JSON.stringify(Array.from({ length: LISTED }, (_, k) => `P${String(1 + ((i + k * 250) % 5000)).padStart(4, '0')}`).sort())
      : null;
  return {
    time: new Date(start + i * 3).toISOString(),
    request_id: `req-${i.toString(16).padStart(12, '0')}-bench`,
    source: 'mcp-server',
    action: 'tools/call',
    user_id: String(1 + (i % 40)),
    role: ROLES[i % ROLES.length] as (typeof ROLES)[number],
    tool,
    patient_id: listed === null ? `P${String(1 + (i % 5000)).padStart(4, '0')}` : null,
    decision: denied ? 'deny' : 'allow',
    reason: denied ? 'no_relationship' : breakGlass ? 'break_glass' : 'care_team',
    break_glass: breakGlass ? 1 : 0,
    purpose_of_use: breakGlass ? 'ETREAT' : 'TREAT',
    redactions: i % 4 === 3 ? '{"name":3,"phone":1,"ssn":1}' : '{"ssn":1}',
    client_address: `10.0.${(i >> 8) & 255}.${i & 255}`,
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
    listed_patients: listed,
    // Emergency access says why, in the caller's words (migration 0011).
    justification: breakGlass && !denied ? 'Unconscious in the ED, no care team reachable; allergy history needed' : null,
  };
}

async function main(): Promise<void> {
  const total = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'shai-bench-audit-'));
  const database = openDatabase({ dataDir });
  try {
    await migrateToLatest(database);
    const sqlite = database.sqlite!;
    let t0 = performance.now();
    const insert = sqlite.prepare(
      `INSERT INTO audit_events (${STORED_COLUMNS.join(', ')}) VALUES (${STORED_COLUMNS.map(() => '?').join(', ')})`,
    );
    const insertListed = sqlite.prepare('INSERT INTO audit_event_patients (patient_id, seq) VALUES (?, ?)');
    const start = Date.parse('2025-01-01T00:00:00Z');
    let prev = '0'.repeat(64);
    const chunk = 50_000;
    for (let from = 0; from < total; from += chunk) {
      sqlite.transaction(() => {
        for (let i = from; i < Math.min(total, from + chunk); i += 1) {
          const fields = syntheticEvent(i, start);
          const row = chainEvent(fields, i + 1, prev);
          insert.run(row);
          for (const id of listedIds(fields.listed_patients)) insertListed.run(id, i + 1);
          prev = row[HASH_INDEX] as string;
        }
      })();
    }
    sqlite.prepare('UPDATE audit_chain_head SET seq = ?, hash = ? WHERE id = 1').run(total, prev);
    const writeSeconds = (performance.now() - t0) / 1000;
    console.log(`wrote ${total.toLocaleString('en')} chained events in ${writeSeconds.toFixed(2)} s (bulk insert)`);

    t0 = performance.now();
    const result = await verifyAuditChain(database);
    const seconds = (performance.now() - t0) / 1000;
    if (!result.ok) throw new Error(`verify failed at seq ${result.firstBadSeq}: ${result.reason}`);
    const rate = Math.round(result.count / seconds);
    console.log(`verified ${result.count.toLocaleString('en')} events in ${seconds.toFixed(2)} s: ${rate.toLocaleString('en')} events/s`);
    console.log(rate >= 200_000 ? 'PASS (>= 200,000 events/s)' : 'BELOW TARGET (200,000 events/s)');
  } finally {
    await database.close();
    if (process.argv.includes('--keep')) console.log(`kept: DATA_DIR=${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
