// A separate writer process for the concurrent-writers test: opens the shared database with
// the BUILT core (as a server process would), waits for "go" on stdin so that all children
// start together, records COUNT events from CALLERS concurrent callers, and reports. Halfway it
// says "half" and waits for a second "go", so that the parent can make every child write again
// after every other child has written.
import { createInterface } from 'node:readline';

const root = new URL('../../packages/core/dist/', import.meta.url);
const { openDatabase } = await import(new URL('db/database.js', root).href);
const { createAuditWriter } = await import(new URL('audit/writer.js', root).href);

const name = process.env.AUDIT_CHILD_NAME ?? 'child';
const count = Number(process.env.AUDIT_CHILD_COUNT ?? 2000);
const callers = Number(process.env.AUDIT_CHILD_CALLERS ?? 20);
const database = openDatabase({ dataDir: process.env.AUDIT_CHILD_DATA_DIR ?? '', databaseUrl: process.env.AUDIT_CHILD_DATABASE_URL || undefined, poolSize: 4 });
const writer = createAuditWriter(database);

process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
const go = () => new Promise((resolve) => lines.once('line', resolve));
await go();

let next = 0;
let failed = 0;
async function caller(upTo) {
  while (next < upTo) {
    const i = next++;
    try {
      await writer.record({
        request_id: `${name}-${i}`,
        source: 'mcp-server',
        action: 'tools/call',
        user_id: String(1 + (i % 5)),
        role: 'doctor',
        tool: 'get_patient_overview',
        patient_id: `P00${1 + (i % 9)}`,
        decision: 'allow',
        reason: 'care_team',
        break_glass: false,
        purpose_of_use: 'TREAT',
        redactions: { ssn: 1 },
        client_address: '127.0.0.1',
        user_agent: name,
      });
    } catch {
      failed += 1;
    }
  }
}
const started = performance.now();
const half = Math.floor(count / 2);
await Promise.all(Array.from({ length: callers }, () => caller(half)));
process.stdout.write('half\n');
await go();
lines.close(); // stdin must not keep the process alive once the work is done
process.stdin.destroy();
await Promise.all(Array.from({ length: callers }, () => caller(count)));
await writer.close();
await database.close();
process.stdout.write(`${JSON.stringify({ name, written: count - failed, failed, ms: Math.round(performance.now() - started) })}\n`);
