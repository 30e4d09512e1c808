import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '@secure-hospital-ai/core/db/database';
import { generatePatient } from '@secure-hospital-ai/core/synthetic/index';
import { run } from './generate.js';

const KEYS = ['DATA_DIR', 'DATABASE_URL', 'NODE_ENV', 'JWT_SECRET', 'JWT_AUDIENCE', 'PSEUDONYM_KEY'] as const;
let saved: Record<string, string | undefined>;
let dataDir: string;
let stdout: string;
let stderr: string;

beforeEach(() => {
  saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
  dataDir = mkdtempSync(join(tmpdir(), 'shai-generate-'));
  process.env.DATA_DIR = dataDir;
  process.env.DATABASE_URL = '';
  process.env.NODE_ENV = 'test';
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
});

afterEach(() => {
  vi.restoreAllMocks();
  for (const key of KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  rmSync(dataDir, { recursive: true, force: true });
});

async function patientIds(): Promise<string[]> {
  const database = openDatabase({ dataDir });
  try {
    return (await database.db.selectFrom('patients').select('id').orderBy('id').execute()).map((r) => r.id);
  } finally {
    await database.close();
  }
}

describe('generate', () => {
  it('adds N deterministic patients, and appends after those already there', async () => {
    expect(await run(['--patients', '120', '--batch', '50'])).toBe(0);
    expect(stdout).toMatch(/^generated 120 patients \(G000000…G000119, [\d,]+ rows\) in [\d.]+ s: [\d,]+ patients\/s into /);
    expect(stderr).toContain('120 / 120 patients');
    expect(await run(['--patients', '30'])).toBe(0);
    const ids = await patientIds();
    expect(ids.length).toBe(150);
    expect(ids[149]).toBe('G000149');
    const database = openDatabase({ dataDir });
    try {
      const stored = await database.db.selectFrom('observations').select('id').where('patient_id', '=', 'G000042').execute();
      expect(stored.length).toBe(generatePatient(1, 42).observations.length);
    } finally {
      await database.close();
    }
  });

  it('refuses bad arguments with the usage', async () => {
    expect(await run([])).toBe(2);
    expect(stderr).toContain('--patients is required');
    expect(await run(['--patients', 'many'])).toBe(2);
    expect(stderr).toContain('--patients must be an integer >= 1');
    expect(await run(['--patients', '5', '--colour', 'red'])).toBe(2);
    expect(stderr).toContain('usage: generate');
  });

  it('refuses to run in production', async () => {
    process.env.NODE_ENV = 'production';
    process.env.JWT_SECRET = 'p'.repeat(48);
    process.env.JWT_AUDIENCE = 'secure-hospital-ai-mcp';
    process.env.PSEUDONYM_KEY = 'q'.repeat(48);
    expect(await run(['--patients', '5'])).toBe(1);
    expect(stderr).toContain('refusing to generate synthetic patients in production');
  });
});
