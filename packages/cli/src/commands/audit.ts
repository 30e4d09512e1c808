/**
 * `audit verify` and `audit export` (SPEC "Audit"; docs/audit.md).
 *
 *   audit verify [--anchor SEQ:HASH]                  exit 0 intact, 1 tampered, 2 usage
 *   audit export [--since ISO] [--until ISO] [--out FILE]   FHIR R4 AuditEvent as NDJSON
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { exportAuditEvents } from '@secure-hospital-ai/core/audit/export';
import { verifyAuditChain, vouchesForNone, type ChainFailureReason } from '@secure-hospital-ai/core/audit/verify';
import { loadConfig } from '@secure-hospital-ai/core/config';
import { readInstant } from '@secure-hospital-ai/core/instants';
import type { Database } from '@secure-hospital-ai/core/db/database';
import { openExistingDatabase } from '../runtime.js';

const USAGE = `usage: audit verify [--anchor SEQ:HASH]
       audit export [--since ISO-8601] [--until ISO-8601] [--out FILE]
`;

const EXPLAIN: Record<ChainFailureReason, string> = {
  altered: 'its content no longer matches its hash (edited in place)',
  missing: 'an event is missing here (deleted, or later events renumbered to hide it)',
  inserted: 'an event the chain never produced was inserted here',
  reordered: 'events were moved: the content here belongs elsewhere in the chain',
  broken_link: 'its hash is not the one the chain committed to (edited and re-hashed)',
  head_missing: 'the chain head record is gone; the end of the log cannot be checked',
  anchor_mismatch: 'this event does not carry the anchored hash: events up to here were rewritten and the chain recomputed',
  anchor_missing: 'the log ends here, before the anchored event: it was cut short, or rewritten shorter and the chain recomputed',
  listing_altered:
    "the patients index (audit_event_patients) does not hold exactly the patients this event lists: a patient's access log would miss it, or show an access that never happened",
};

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'verify') return verify(rest);
  if (sub === 'export') return exportNdjson(rest);
  if (sub === '--help') {
    process.stdout.write(USAGE);
    return 0;
  }
  process.stderr.write(USAGE);
  return 2;
}

async function withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env, { envFile: resolve('.env') });
  // Read-only: verifying or exporting a copy (a backup, evidence) must leave it as it was.
  const database = await openExistingDatabase(config, { poolSize: 2, readOnly: true });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

function parse(argv: string[], options: Record<string, { type: 'string' }>): Record<string, string | undefined> | undefined {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | undefined>;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}`);
    return undefined;
  }
}

async function verify(argv: string[]): Promise<number> {
  const values = parse(argv, { anchor: { type: 'string' } });
  if (!values) return 2;
  let anchor: { seq: number; hash: string } | undefined;
  if (values.anchor !== undefined) {
    const match = /^([1-9][0-9]*):([0-9a-f]{64})$/.exec(values.anchor);
    if (!match) {
      process.stderr.write('--anchor must be SEQ:HASH, as printed by a previous `audit verify`\n');
      return 2;
    }
    anchor = { seq: Number(match[1]), hash: match[2] as string };
  }
  return withDatabase(async (database) => {
    const progress = process.stderr.isTTY
      ? (n: number) => process.stderr.write(`\r  ${n.toLocaleString('en')} events checked`)
      : undefined;
    const started = performance.now();
    const result = await verifyAuditChain(database, { onProgress: progress, ...(anchor ? { anchor } : {}) });
    const seconds = (performance.now() - started) / 1000;
    if (progress) process.stderr.write('\r\x1b[K');
    if (!result.ok) {
      process.stdout.write(`FIRST BAD EVENT seq=${result.firstBadSeq}: ${result.reason} — ${EXPLAIN[result.reason]}\n`);
      process.stdout.write(
        vouchesForNone(result.reason)
          ? `which of the events up to the anchor was changed cannot be told from the database; compare with a backup (${database.location})\n`
          : `${result.count.toLocaleString('en')} events before it are intact (${database.location})\n`,
      );
      return 1;
    }
    const rate = seconds > 0 ? Math.round(result.count / seconds) : result.count;
    process.stdout.write(
      `audit log ${database.location}: ${result.count.toLocaleString('en')} events verified in ${seconds.toFixed(2)} s (${rate.toLocaleString('en')} events/s)\n`,
    );
    process.stdout.write(`OK: chain intact\n`);
    // Kept outside the database (a ticket, a WORM store), this pair later proves that
    // nothing up to it was rewritten: docs/audit.md "Anchors".
    if (result.head.seq > 0) process.stdout.write(`head: --anchor ${result.head.seq}:${result.head.hash}\n`);
    return 0;
  });
}

async function exportNdjson(argv: string[]): Promise<number> {
  const values = parse(argv, { since: { type: 'string' }, until: { type: 'string' }, out: { type: 'string' } });
  if (!values) return 2;
  // Read here as the export will read them (core/instants.ts), so that a misused option is
  // exit 2 before the database is opened, and an empty window is not a silent empty export.
  const bounds: Partial<Record<'since' | 'until', string>> = {};
  for (const name of ['since', 'until'] as const) {
    const value = values[name];
    if (value === undefined) continue;
    const read = readInstant(value);
    if ('problem' in read) {
      process.stderr.write(`--${name} ${read.problem}\n`);
      return 2;
    }
    bounds[name] = read.instant;
  }
  if (bounds.since !== undefined && bounds.until !== undefined && bounds.since >= bounds.until) {
    process.stderr.write('--since must be before --until (the window is [since, until))\n');
    return 2;
  }
  const out = values.out ? await openForWriting(values.out) : process.stdout;
  return withDatabase(async (database) => {
    let count = 0;
    try {
      // The bounds as read above, each already the instant the export compares with.
      const resources = exportAuditEvents(database, bounds);
      for await (const resource of resources) {
        if (!out.write(`${JSON.stringify(resource)}\n`)) await once(out, 'drain');
        count += 1;
      }
    } finally {
      if (out !== process.stdout && !out.destroyed) {
        out.end();
        await once(out, 'finish');
      }
    }
    process.stderr.write(`exported ${count.toLocaleString('en')} AuditEvent resources${values.out ? ` to ${values.out}` : ''}\n`);
    return 0;
  });
}

/** The export file, opened before anything is read: a path that cannot be written is an error, not a silent success. */
async function openForWriting(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path, { flags: 'w', mode: 0o600 });
  try {
    await once(stream, 'open');
  } catch (error) {
    throw new Error(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return stream;
}
