/**
 * Benchmark: the MCP server's resident memory when many callers ask at once for answers of
 * the largest size the tools can give. An outside review sent 100 concurrent JSON-RPC batches,
 * each of 100 `get_clinical_notes` calls on a patient with 100 long notes, and the server
 * reached 2.2–4.3 GB. What a server holds then is the answers it has built and not yet
 * written out; this bench shows how much that is, and what the callers got.
 *
 *   npm run bench:answer-memory -- [batches=100] [calls=100] [sqlite|postgres]
 *
 * The patient (P001) gets 100 notes of 20,000 characters, the most `add_clinical_note`
 * accepts, written with quotes, backslashes and line breaks so that each escapes to two
 * characters of JSON, and twice over in the answer's text copy. The bench doctor on P001's
 * care team sends every batch straight to the MCP server. RSS is read from /proc every 50 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { postgresAdminUrlFrom, type DatabaseChoice } from './bench-args.js';
import { RssSampler, readRss } from './bench-process.js';
import { MCP_HEADERS, TokenBook, toolCallBody } from './bench-scenarios.js';
import { baseEnv, prepareDatabase, startSystem } from './bench-system.js';

const NOTES = 100;
const NOTE_CHARS = 20_000;
const MIB = 1024 * 1024;

interface Options {
  batches: number;
  calls: number;
  kind: DatabaseChoice;
}

function parseOptions(argv: readonly string[]): Options {
  const numbers = argv.filter((a) => /^\d+$/.test(a)).map(Number);
  const kind = argv.includes('postgres') ? 'postgres' : 'sqlite';
  const unknown = argv.filter((a) => !/^\d+$/.test(a) && a !== 'postgres' && a !== 'sqlite');
  if (unknown.length > 0 || numbers.length > 2 || numbers.some((n) => n < 1)) {
    throw new Error('usage: npm run bench:answer-memory -- [batches=100] [calls=100] [sqlite|postgres]');
  }
  return { batches: numbers[0] ?? 100, calls: numbers[1] ?? 100, kind };
}

/** A note that is as long as a written note may be, and as costly to escape as text can be without control characters. */
function longNote(n: number): string {
  const unit = `Note ${n}: patient said "fine" \\ "tired"\n`;
  return unit.repeat(Math.ceil(NOTE_CHARS / unit.length)).slice(0, NOTE_CHARS);
}

interface Tally {
  status: Map<number, number>;
  answered: number;
  refused: Map<string, number>;
  bytes: number;
  failures: number;
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const workDir = mkdtempSync(join(tmpdir(), 'bench-answer-memory-'));
  const env = { ...baseEnv(), LOG_LEVEL: 'warn' };
  const prepared = await prepareDatabase(o.kind, workDir, env, postgresAdminUrlFrom(process.env));
  const database = prepared.open();
  try {
    const rows = Array.from({ length: NOTES }, (_, n) => ({
      id: `N-bench-${n}`,
      patient_id: 'P001',
      encounter_id: null,
      author_account_id: null,
      author_name: null,
      note_type: 'progress',
      text: longNote(n),
      created_at: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    }));
    await database.db.insertInto('clinical_notes').values(rows).execute();
  } finally {
    await database.close();
  }
  const system = await startSystem(prepared, env, workDir);
  const book = new TokenBook(system.gatewayOrigin, prepared.accounts);
  // One connection per batch, as from that many clients.
  const dispatcher = new Agent({ connections: o.batches, pipelining: 1 });
  try {
    await book.loginAll();
    const bearer = book.bearer('yenji100');
    const post = async (body: string) => {
      const response = await request(`${system.mcpOrigin}/mcp/`, {
        method: 'POST',
        headers: { ...MCP_HEADERS, authorization: `Bearer ${bearer()}` },
        body,
        dispatcher,
      });
      return { status: response.statusCode, text: await response.body.text() };
    };
    const one = await post(toolCallBody('get_clinical_notes', { patient_id: 'P001', limit: 100 }));
    if (one.status !== 200) throw new Error(`one get_clinical_notes call answered ${one.status}: ${one.text.slice(0, 200)}`);
    const idle = readRss(system.mcp.pid) ?? 0;

    const batch = `[${Array.from({ length: o.calls }, (_, i) => toolCallBody('get_clinical_notes', { patient_id: 'P001', limit: 100 }, i + 1)).join(',')}]`;
    const tally: Tally = { status: new Map(), answered: 0, refused: new Map(), bytes: 0, failures: 0 };
    const sampler = new RssSampler([system.mcp], 50);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: o.batches }, async () => {
        try {
          const answer = await post(batch);
          tally.status.set(answer.status, (tally.status.get(answer.status) ?? 0) + 1);
          tally.bytes += Buffer.byteLength(answer.text);
          const parsed: unknown = JSON.parse(answer.text);
          for (const element of Array.isArray(parsed) ? parsed : [parsed]) {
            const e = element as { result?: unknown; error?: { message?: string } };
            if (e.result !== undefined) tally.answered += 1;
            else {
              const message = e.error?.message ?? 'no answer';
              tally.refused.set(message, (tally.refused.get(message) ?? 0) + 1);
            }
          }
        } catch {
          tally.failures += 1;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    sampler.stop();
    const peak = sampler.max()['mcp-server'] ?? 0;

    // The server keeps serving: one ordinary call after the flood.
    const afterStarted = performance.now();
    const after = await post(toolCallBody('get_patient_overview', { patient_id: 'P001' }));
    const afterMs = performance.now() - afterStarted;

    const lines = [
      `answer memory: ${o.batches} concurrent batches × ${o.calls} get_clinical_notes calls, ${NOTES} notes of ${NOTE_CHARS} characters, ${o.kind}`,
      `one answer:           ${(Buffer.byteLength(one.text) / MIB).toFixed(1)} MiB`,
      `MCP server RSS:       ${(idle / MIB).toFixed(0)} MiB idle, ${(peak / MIB).toFixed(0)} MiB peak (${(peak / Math.max(idle, 1)).toFixed(1)}× idle)`,
      `HTTP answers:         ${[...tally.status].map(([status, count]) => `${count} × ${status}`).join(', ') || 'none'}${tally.failures > 0 ? `, ${tally.failures} failed` : ''}`,
      `calls answered:       ${tally.answered} of ${o.batches * o.calls}, ${(tally.bytes / MIB).toFixed(0)} MiB received in ${seconds.toFixed(1)} s`,
      ...[...tally.refused].map(([message, count]) => `calls refused:        ${count} × "${message}"`),
      `afterwards:           get_patient_overview answered ${after.status} in ${afterMs.toFixed(0)} ms`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    book.stop();
    await dispatcher.close();
    await system.stop();
    await prepared.cleanup();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:answer-memory: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
