/**
 * Several writer PROCESSES on one database (two server processes on the embedded file, or
 * two instances on one PostgreSQL): the chain must stay valid, gap-free, and lose nothing.
 * The children run the built core, as deployed servers do.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../packages/core/src/audit/verify.js';
import { openTestDatabase, testDatabaseKind, type TestDatabase } from '../../packages/core/src/db/test-database.js';
import { rows } from './support.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('./writer-child.mjs', import.meta.url));
const PER_CHILD = 2000;

let test: TestDatabase;

beforeAll(async () => {
  // Build core for the children. Errors elsewhere in core may make tsc exit non-zero while
  // still emitting; what matters is that the modules the children import are there.
  try {
    execFileSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-b', 'packages/core'], { cwd: ROOT, stdio: 'pipe' });
  } catch {
    // judged by the files below
  }
  for (const file of ['audit/writer.js', 'db/database.js']) {
    if (!existsSync(`${ROOT}packages/core/dist/${file}`)) throw new Error(`core build did not produce dist/${file}`);
  }
  test = await openTestDatabase();
});
afterAll(async () => {
  await test?.cleanup();
});

interface Child {
  child: ChildProcess;
  ready: Promise<void>;
  /** The child has written the first half of its events and waits for a second "go". */
  halfway: Promise<void>;
  done: Promise<{ written: number; failed: number }>;
}

function startChild(name: string): Child {
  const { database } = test;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    AUDIT_CHILD_NAME: name,
    AUDIT_CHILD_COUNT: String(PER_CHILD),
    AUDIT_CHILD_CALLERS: '25',
  };
  if (database.dialect === 'postgres') env.AUDIT_CHILD_DATABASE_URL = database.location;
  else env.AUDIT_CHILD_DATA_DIR = dirname(database.location);
  const child = spawn(process.execPath, [CHILD], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const said = (line: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (out.split('\n').includes(line)) resolve();
      };
      child.stdout?.on('data', check);
      child.once('exit', (code) => reject(new Error(`${name} exited before "${line}" (${code}): ${err}`)));
    });
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  const ready = said('ready');
  const halfway = said('half');
  const done = new Promise<{ written: number; failed: number }>((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${name} exited with ${code}: ${err}`));
      resolve(JSON.parse(out.split('\n')[2] ?? '{}'));
    });
  });
  ready.catch(() => undefined);
  halfway.catch(() => undefined);
  return { child, ready, halfway, done };
}

describe(`concurrent writer processes (${testDatabaseKind()})`, () => {
  it('two processes writing at once leave one valid chain with every event and no gaps', { timeout: 120_000 }, async () => {
    const children = [startChild('alpha'), startChild('beta')];
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.child.stdin?.write('go\n');
    // SQLite's busy handler sleeps, so one process can take many commits in a row while the
    // other waits (3 alternations in a loaded CI run). The halfway stop makes each child append
    // again on a head the other has moved, however the lock was shared before it.
    await Promise.all(children.map((c) => c.halfway));
    for (const c of children) c.child.stdin?.write('go\n');
    const results = await Promise.all(children.map((c) => c.done));
    expect(results.map((r) => [r.written, r.failed])).toEqual([
      [PER_CHILD, 0],
      [PER_CHILD, 0],
    ]);

    const verified = await verifyAuditChain(test.database);
    expect(verified).toMatchObject({ ok: true, count: 2 * PER_CHILD, head: { seq: 2 * PER_CHILD } });

    const events = await rows(test.database, 'SELECT seq, user_agent, request_id FROM audit_events ORDER BY seq');
    expect(events.map((e) => Number(e.seq))).toEqual(Array.from({ length: 2 * PER_CHILD }, (_, i) => i + 1));
    // Nothing lost or duplicated: every request id of each child exactly once.
    const ids = new Set(events.map((e) => e.request_id));
    expect(ids.size).toBe(2 * PER_CHILD);
    // And the writers' batches interleave: each one's events lie on both sides of the other's.
    let switches = 0;
    for (let i = 1; i < events.length; i += 1) if (events[i]?.user_agent !== events[i - 1]?.user_agent) switches += 1;
    expect(switches).toBeGreaterThanOrEqual(2);
  });
});
