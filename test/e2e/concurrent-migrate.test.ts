/**
 * Several `migrate` runs at once on a fresh embedded database (a deployment script and an
 * operator, two containers on one volume): one applies the migrations, the others wait and
 * find nothing pending. Kysely's own lock does nothing on SQLite; the losers had failed
 * half-way with "table audit_events already exists".
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@secure-hospital-ai/core/db/database';
import { pendingMigrations } from '@secure-hospital-ai/core/db/migrate';
import { DEMO_ACCOUNTS } from '@secure-hospital-ai/core/db/seed';
import { buildOnce, CLI } from '../support/processes.js';
import { scratchDir } from '../support/scratch.js';

function cli(command: string, cwd: string, dataDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'development', DATA_DIR: dataDir, JWT_SECRET: randomBytes(32).toString('hex') };
    const child = spawn(process.execPath, [CLI, command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('migrate and seed, run several times at once on a fresh SQLite file', () => {
  beforeAll(() => buildOnce(), 120_000);

  it('applies the migrations once; every other run waits and finds the database up to date', async () => {
    const cwd = scratchDir('shai-migrate-race-');
    const dataDir = join(cwd, 'data');
    const runs = await Promise.all([1, 2, 3, 4].map(() => cli('migrate', cwd, dataDir)));
    for (const run of runs) expect(run.code, run.output).toBe(0);
    expect(runs.filter((run) => run.output.startsWith('applied 0001_accounts'))).toHaveLength(1);
    expect(runs.filter((run) => run.output.startsWith('database is up to date'))).toHaveLength(3);
    const database = openDatabase({ dataDir });
    try {
      expect(await pendingMigrations(database)).toEqual([]);
    } finally {
      await database.close();
    }
  }, 60_000);

  it('seeds once when several seed runs start together on a fresh file: every run succeeds, nothing twice', async () => {
    const cwd = scratchDir('shai-seed-race-');
    const dataDir = join(cwd, 'data');
    const runs = await Promise.all([cli('seed', cwd, dataDir), cli('seed', cwd, dataDir), cli('migrate', cwd, dataDir)]);
    for (const run of runs) expect(run.code, run.output).toBe(0);
    const database = openDatabase({ dataDir });
    try {
      const accounts = await database.db.selectFrom('accounts').select('username').execute();
      expect(accounts.map((a) => a.username).sort()).toEqual(DEMO_ACCOUNTS.map((a) => a.username).sort());
      const careTeams = await database.db.selectFrom('care_team_members').select('patient_id').execute();
      expect(careTeams.length).toBe(DEMO_ACCOUNTS.reduce((n, a) => n + (a.careTeam?.length ?? 0), 0));
    } finally {
      await database.close();
    }
  }, 120_000);
});
