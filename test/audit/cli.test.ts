/**
 * `npm run audit:verify` / `audit:export` as the operator runs them: the CLI command reads
 * the configuration from the environment and opens the database itself.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../packages/cli/src/commands/audit.js';
import { createAuditWriter } from '../../packages/core/src/audit/writer.js';
import { openDatabase, type Database } from '../../packages/core/src/db/database.js';
import { pendingMigrations } from '../../packages/core/src/db/migrate.js';
import { openTestDatabase, testDatabaseKind } from '../../packages/core/src/db/test-database.js';
import { useTestDatabase } from '../support/test-database.js';
import { auditEvent, dropGuards, exec } from './support.js';

let database: Database;
useTestDatabase((opened) => (database = opened));
let scratch: string;
const saved = { ...process.env };

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'shai-audit-cli-'));
  const writer = createAuditWriter(database);
  for (let i = 0; i < 5; i += 1) await writer.record(auditEvent({ time: `2026-01-0${i + 1}T12:00:00.000Z`, request_id: `r${i}` }));
  await writer.close();
  process.env.DATABASE_URL = database.dialect === 'postgres' ? database.location : '';
  process.env.DATA_DIR = database.dialect === 'postgres' ? scratch : dirname(database.location);
});
afterAll(async () => {
  process.env = saved;
  rmSync(scratch, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const code = await run(argv);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

describe(`audit CLI (${testDatabaseKind()})`, () => {
  it('verify: exit 0 and the head to anchor on an intact log', async () => {
    const { code, stdout } = await cli('verify');
    expect(code).toBe(0);
    expect(stdout).toMatch(/5 events verified in [\d.]+ s \([\d,]+ events\/s\)/);
    expect(stdout).toContain('OK: chain intact');
    expect(stdout).toMatch(/head: --anchor 5:[0-9a-f]{64}/);
    const anchor = /--anchor (\S+)/.exec(stdout)?.[1] as string;
    expect((await cli('verify', '--anchor', anchor)).code).toBe(0);
  });

  it('export: NDJSON FHIR AuditEvents to a file, filtered by time', async () => {
    const out = join(scratch, 'audit.ndjson');
    const { code, stderr } = await cli('export', '--since', '2026-01-02', '--until', '2026-01-04T12:00:00Z', '--out', out);
    expect(code).toBe(0);
    expect(stderr).toContain('exported 2 AuditEvent resources');
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l) as { resourceType: string; recorded: string })).toMatchObject([
      { resourceType: 'AuditEvent', recorded: '2026-01-02T12:00:00.000Z' },
      { resourceType: 'AuditEvent', recorded: '2026-01-03T12:00:00.000Z' },
    ]);
  });

  it('export: to stdout by default', async () => {
    const { code, stdout } = await cli('export');
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toHaveLength(5);
  });

  it('refuses bad arguments with exit 2', async () => {
    expect((await cli('export', '--since', 'whenever')).code).toBe(2);
    expect((await cli('verify', '--anchor', 'nonsense')).code).toBe(2);
    expect((await cli('verify', '--unknown')).code).toBe(2);
    expect((await cli('shred')).code).toBe(2);
    // No sub-command is a misuse too: a script that forgot it must not pass.
    expect((await cli()).code).toBe(2);
    // Read as the export reads them: a time without an offset, and an empty window, are misuse.
    const noOffset = await cli('export', '--since', '2026-12-07T10:00:00');
    expect(noOffset.code).toBe(2);
    expect(noOffset.stderr).toMatch(/--since must be .*with offset/);
    const empty = await cli('export', '--since', '2026-01-04', '--until', '2026-01-02');
    expect(empty).toMatchObject({ code: 2, stdout: '' });
    expect(empty.stderr).toMatch(/--since must be before --until/);
  });

  it('export: a file that cannot be written is an error, not a silent success', async () => {
    await expect(cli('export', '--out', join(scratch, 'no-such-dir', 'audit.ndjson'))).rejects.toThrow(/cannot write .*ENOENT/);
    await expect(cli('export', '--out', scratch)).rejects.toThrow(/cannot write .*EISDIR/);
  });

  it('verify: a database that is not there is an error, and is not created', async () => {
    if (database.dialect === 'postgres') return; // the server says so itself: connection refused
    const missing = join(scratch, 'typo');
    const before = { url: process.env.DATABASE_URL, dir: process.env.DATA_DIR };
    Object.assign(process.env, { DATABASE_URL: '', DATA_DIR: missing });
    try {
      await expect(cli('verify')).rejects.toThrow(/no database at .*typo/);
      expect(existsSync(missing)).toBe(false);
    } finally {
      Object.assign(process.env, { DATABASE_URL: before.url, DATA_DIR: before.dir });
    }
  });

  it('verify and export: a database that is there but not migrated is said so, and left unmigrated', async () => {
    const fresh = await openTestDatabase({ migrate: false });
    const before = { url: process.env.DATABASE_URL, dir: process.env.DATA_DIR };
    const location = fresh.database.location;
    Object.assign(process.env, fresh.database.dialect === 'postgres' ? { DATABASE_URL: location } : { DATABASE_URL: '', DATA_DIR: dirname(location) });
    try {
      // An empty database (a mistyped name, a copy) had been migrated and called intact with 0 events.
      await expect(cli('verify')).rejects.toThrow(/not migrated.*npm run migrate/);
      await expect(cli('export')).rejects.toThrow(/not migrated/);
      expect((await pendingMigrations(fresh.database)).length).toBeGreaterThan(10);
    } finally {
      Object.assign(process.env, { DATABASE_URL: before.url, DATA_DIR: before.dir });
      await fresh.cleanup();
    }
  });

  it('verify and export only read: the database refuses a write on their connection, and a copied file is left byte for byte', async () => {
    const readOnly = openDatabase(
      database.dialect === 'postgres' ? { databaseUrl: database.location, dataDir: scratch, readOnly: true } : { dataDir: dirname(database.location), readOnly: true },
    );
    try {
      await expect(exec(readOnly, "INSERT INTO wards (id, name) VALUES ('RO', 'read only')")).rejects.toThrow(/read-only|readonly/);
    } finally {
      await readOnly.close();
    }
    if (database.dialect === 'postgres') return;
    // A copy taken out of WAL mode (evidence, a restored backup), and an empty file: verify
    // had switched the first to WAL and written a header into the second.
    const copyDir = join(scratch, 'copy');
    mkdirSync(copyDir);
    const copy = join(copyDir, 'hospital.db');
    await database.sqlite!.backup(copy);
    const handle = new BetterSqlite3(copy);
    handle.pragma('journal_mode = DELETE');
    handle.close();
    const emptyDir = join(scratch, 'empty');
    mkdirSync(emptyDir);
    writeFileSync(join(emptyDir, 'hospital.db'), '');
    const before = { url: process.env.DATABASE_URL, dir: process.env.DATA_DIR };
    const bytes = readFileSync(copy);
    try {
      Object.assign(process.env, { DATABASE_URL: '', DATA_DIR: copyDir });
      expect((await cli('verify')).stdout).toContain('5 events verified');
      expect((await cli('export')).code).toBe(0);
      expect(readFileSync(copy).equals(bytes)).toBe(true);
      expect(readdirSync(copyDir)).toEqual(['hospital.db']);
      Object.assign(process.env, { DATA_DIR: emptyDir });
      await expect(cli('verify')).rejects.toThrow(/not migrated/);
      expect(statSync(join(emptyDir, 'hospital.db')).size).toBe(0);
    } finally {
      Object.assign(process.env, { DATABASE_URL: before.url, DATA_DIR: before.dir });
    }
  });

  it('verify reads a WAL-mode copy beside which SQLite can make no -wal file (read-only media), from a private copy it then removes', async () => {
    if (database.dialect === 'postgres') return;
    const evidence = join(scratch, 'evidence');
    mkdirSync(evidence);
    const copy = join(evidence, 'hospital.db');
    await database.sqlite!.backup(copy);
    // What read-only media does to SQLite, on any file system and for any user: no -wal can be made.
    mkdirSync(`${copy}-wal`);
    const bytes = readFileSync(copy);
    const before = { url: process.env.DATABASE_URL, dir: process.env.DATA_DIR };
    const ownCopies = () => readdirSync(tmpdir()).filter((name) => name.startsWith(`shai-read-only-${process.pid}-`));
    // One a verify killed outright left behind: its process is gone.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid as number;
    const abandoned = join(tmpdir(), `shai-read-only-${deadPid}-abandoned`);
    mkdirSync(abandoned);
    writeFileSync(join(abandoned, 'hospital.db'), 'a copy of the record');
    try {
      Object.assign(process.env, { DATABASE_URL: '', DATA_DIR: evidence });
      const verified = await cli('verify');
      expect(verified.code, verified.stderr).toBe(0);
      expect(verified.stdout).toContain(`audit log ${copy}: 5 events verified`);
      expect((await cli('export')).stdout.trimEnd().split('\n')).toHaveLength(5);
      expect(readFileSync(copy).equals(bytes)).toBe(true);
      expect(ownCopies()).toEqual([]);
      expect(existsSync(abandoned)).toBe(false);
    } finally {
      Object.assign(process.env, { DATABASE_URL: before.url, DATA_DIR: before.dir });
    }
  });

  // Last: it tampers with the shared database.
  it('verify: exit 1 naming the first bad event once a row is altered', async () => {
    await dropGuards(database);
    await exec(database, "UPDATE audit_events SET user_id = '666' WHERE seq = 3");
    const { code, stdout } = await cli('verify');
    expect(code).toBe(1);
    expect(stdout).toContain('FIRST BAD EVENT seq=3: altered');
    expect(stdout).toContain('2 events before it are intact');
  });
});
