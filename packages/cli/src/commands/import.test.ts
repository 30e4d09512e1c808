import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '@secure-hospital-ai/core/db/database';
import { run } from './import.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../core/src/fhir/fixtures');
const KEYS = ['DATA_DIR', 'DATABASE_URL', 'NODE_ENV'] as const;
let saved: Record<string, string | undefined>;
let dir: string;
let stdout: string;

beforeEach(() => {
  saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
  dir = mkdtempSync(join(tmpdir(), 'shai-import-'));
  process.env.DATA_DIR = join(dir, 'data');
  process.env.DATABASE_URL = '';
  process.env.NODE_ENV = 'test';
  stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterEach(() => {
  vi.restoreAllMocks();
  for (const key of KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  rmSync(dir, { recursive: true, force: true });
});

async function storedIds(): Promise<string[]> {
  const database = openDatabase({ dataDir: join(dir, 'data') });
  try {
    return (await database.db.selectFrom('patients').select('id').orderBy('id').execute()).map((row) => row.id);
  } finally {
    await database.close();
  }
}

async function patientCount(): Promise<number> {
  const database = openDatabase({ dataDir: join(dir, 'data') });
  try {
    return (await database.db.selectFrom('patients').select('id').execute()).length;
  } finally {
    await database.close();
  }
}

describe('import', () => {
  it('imports a folder, then skips it the second time', async () => {
    expect(await run([FIXTURES])).toBe(0);
    // Each file names the record id it created: what `accounts assign-care-team` takes.
    const created = /^imported \S+Luigi_Wiegand\S+\.json \(1 patient (F[0-9a-f]{12}), [\d,]+ rows\)$/m.exec(stdout)?.[1];
    expect(created).toBeDefined();
    const stored = await storedIds();
    expect(stored).toContain(created);
    expect(stdout).toContain(`\npatient ids: `);
    expect(/^patient ids: (.*)$/m.exec(stdout)?.[1]?.split(' ').sort()).toEqual(stored);
    expect(stdout).toMatch(/^imported 3 patients \([\d,]+ rows\) from 3 bundles; skipped 0 patients already present; refused 0 bundles; /m);
    // Synthea bundles carry claims and immunizations, which the record does not keep: said so.
    expect(stdout).toMatch(/^not stored \(resource types this record does not keep\): .*Claim [\d,]+/m);
    expect(await patientCount()).toBe(3);
    stdout = '';
    expect(await run([FIXTURES])).toBe(0);
    expect(stdout).toMatch(new RegExp(`^skipped  \\S+Luigi_Wiegand\\S+\\.json \\(already imported as ${created}\\)$`, 'm'));
    expect(stdout).toMatch(/^imported 0 patients \(0 rows\) from 0 bundles; skipped 3 patients already present; refused 0 bundles; /m);
    expect(await patientCount()).toBe(3);
  });

  it('follows links to bundles but not links to folders: a link to a parent does not stop the import', async () => {
    const folder = join(dir, 'bundles');
    mkdirSync(join(folder, 'nested'), { recursive: true });
    const [first, second] = readdirSync(FIXTURES).filter((name) => name.endsWith('.json')).sort();
    copyFileSync(join(FIXTURES, first as string), join(folder, 'nested', 'a.json'));
    symlinkSync(join(FIXTURES, second as string), join(folder, 'linked.json'));
    symlinkSync('..', join(folder, 'nested', 'loop'));
    symlinkSync(join(dir, 'nowhere.json'), join(folder, 'dangling.json'));
    expect(await run([folder])).toBe(0);
    expect(stdout).toMatch(/^imported 2 patients \([\d,]+ rows\) from 2 bundles; skipped 0 patients already present; refused 0 bundles; /m);
    expect(await patientCount()).toBe(2);
  });

  it('refuses a broken bundle, names the problem, imports the rest and exits non-zero', async () => {
    const folder = join(dir, 'bundles');
    mkdirSync(folder);
    const good = join(FIXTURES, 'Stanley_Balistreri_08ce8462-f56a-4fd6-b986-ea75c5c6edb2.json');
    copyFileSync(good, join(folder, 'a-good.json'));
    const broken = readFileSync(join(FIXTURES, 'Luigi_Wiegand_e27d88b0-c5e5-4042-ad49-184f6a900ee3.json'), 'utf8').replace('"birthDate"', '"birthdate"');
    writeFileSync(join(folder, 'b-broken.json'), broken);
    expect(await run([folder])).toBe(1);
    expect(stdout).toContain(`refused  ${join(folder, 'b-broken.json')}: entry 0 (Patient/1ae0605d…): birthDate is missing`);
    expect(stdout).toMatch(/imported 1 patient \([\d,]+ rows\) from 1 bundle; skipped 0 patients already present; refused 1 bundle;/);
    expect(await patientCount()).toBe(1);
  });

  it('explains a missing path or no arguments', async () => {
    expect(await run([join(dir, 'nope.json')])).toBe(2);
    expect(await run([])).toBe(2);
  });
});
