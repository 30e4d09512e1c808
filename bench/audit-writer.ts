/**
 * Benchmark: audit writer throughput with concurrent callers (group commit), on a fresh
 * test database: SQLite by default (synchronous=FULL, every commit durable), PostgreSQL with
 * TEST_DATABASE=postgres.
 *
 *   node --input-type=module -e "await (await import('vite')).runnerImport('./bench/audit-writer.ts')" -- [events] [callers]
 *
 * Target (issue 6): at least 10,000 events/s on SQLite.
 */
import { createAuditWriter } from '@secure-hospital-ai/core/audit/writer';
import { verifyAuditChain } from '@secure-hospital-ai/core/audit/verify';
import type { AuditEventInput } from '@secure-hospital-ai/core/audit/event';
import { openTestDatabase } from '@secure-hospital-ai/core/db/test-database';

function event(i: number): AuditEventInput {
  return {
    request_id: `req-${i}`,
    source: 'mcp-server',
    action: 'tools/call',
    user_id: String(1 + (i % 40)),
    role: 'doctor',
    tool: 'get_patient_overview',
    patient_id: `P${String(1 + (i % 500)).padStart(3, '0')}`,
    decision: 'allow',
    reason: 'care_team',
    break_glass: false,
    purpose_of_use: 'TREAT',
    redactions: { ssn: 1 },
    client_address: '127.0.0.1',
    user_agent: 'bench',
  };
}

async function main(): Promise<void> {
  const numbers = process.argv.filter((a) => /^\d+$/.test(a)).map(Number);
  const total = numbers[0] ?? 100_000;
  const callers = numbers[1] ?? 100;
  const { database, cleanup } = await openTestDatabase();
  try {
    const writer = createAuditWriter(database);
    let next = 0;
    // Each caller behaves like a request handler: record, wait for the commit, next request.
    const caller = async () => {
      while (next < total) await writer.record(event(next++));
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: callers }, caller));
    const seconds = (performance.now() - t0) / 1000;
    await writer.close();
    const rate = Math.round(total / seconds);
    console.log(`${database.dialect}: ${total.toLocaleString('en')} events, ${callers} concurrent callers, ${seconds.toFixed(2)} s: ${rate.toLocaleString('en')} events/s`);
    const v0 = performance.now();
    const verified = await verifyAuditChain(database);
    const verifySeconds = (performance.now() - v0) / 1000;
    console.log(
      verified.ok
        ? `chain OK (${verified.count} events, verified at ${Math.round(verified.count / verifySeconds).toLocaleString('en')} events/s)`
        : `CHAIN BROKEN at ${verified.firstBadSeq}: ${verified.reason}`,
    );
    console.log(rate >= 10_000 ? 'PASS (>= 10,000 events/s)' : 'BELOW TARGET (10,000 events/s)');
  } finally {
    await cleanup();
  }
}

await main();
