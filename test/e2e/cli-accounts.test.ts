/**
 * The accounts CLI as an operator runs it, as a real process: a password piped in on standard
 * input (never on the command line, where other local users can read it), a patient account
 * only for a record that exists, and output piped into a reader that stops early.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findAccountByUsername } from '@secure-hospital-ai/core/accounts';
import { openDatabase } from '@secure-hospital-ai/core/db/database';
import { verifyPassword } from '@secure-hospital-ai/core/passwords';
import { buildOnce, CLI } from '../support/processes.js';
import { scratchDir } from '../support/scratch.js';

const dir = scratchDir('shai-cli-accounts-');
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'development', DATA_DIR: join(dir, 'data'), JWT_SECRET: randomBytes(32).toString('hex') };

/**
 * Runs the CLI with `stdin` written to it; `firstLineOnly` closes its stdout after one line, as
 * `| head -1` does; `cwd` and `dataDir` point it at another scratch installation.
 */
function cli(
  args: string[],
  stdin = '',
  firstLineOnly = false,
  at: { cwd: string; dataDir: string } = { cwd: dir, dataDir: env.DATA_DIR },
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: at.cwd, env: { ...env, DATA_DIR: at.dataDir }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (firstLineOnly && out.includes('\n')) child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(stdin);
  });
}

describe('accounts CLI, as a process', () => {
  beforeAll(async () => {
    buildOnce();
    expect((await cli(['seed'])).code).toBe(0);
  }, 120_000);

  it('reads the password from standard input when none is on the command line', async () => {
    const created = await cli(['accounts', 'create', 'piped_doc', '--role', 'doctor'], 'piped in, not argv\n');
    expect(created.err).toBe('');
    expect(created.code).toBe(0);
    const reset = await cli(['accounts', 'reset-password', 'piped_doc'], 'a second piped one\n');
    expect(reset.code).toBe(0);
    const database = openDatabase({ dataDir: env.DATA_DIR });
    try {
      const account = await findAccountByUsername(database.db, 'piped_doc');
      expect(await verifyPassword(account!.password_hash, 'a second piped one')).toBe(true);
    } finally {
      await database.close();
    }
    expect((await cli(['accounts', 'create', 'nothing_piped', '--role', 'doctor'], '')).err).toMatch(/no password given/);
  });

  it('refuses to link a patient account to a record that does not exist', async () => {
    const ghost = await cli(['accounts', 'create', 'ghost_pt', '--role', 'patient', '--patient', 'P999'], 'a long passphrase\n');
    expect(ghost.code).not.toBe(0);
    expect(ghost.err).toMatch(/no patient P999/);
    expect((await cli(['accounts', 'list'])).out).not.toContain('ghost_pt');
  });

  it('stops quietly when its output is cut short', async () => {
    const listed = await cli(['accounts', 'list'], '', true);
    expect(listed.out).toMatch(/yenji100/);
    expect(listed.code).toBe(0);
    expect(listed.err).not.toMatch(/\n\s+at |EPIPE/);
  });

  it('says in a line, and exits 1, when its output cannot be written at all (a full disk)', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [CLI, 'accounts', 'list'], { cwd: dir, env, stdio: ['ignore', full, 'pipe'] });
      let err = '';
      child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(1);
      expect(err).toMatch(/^error: cannot write the output: ENOSPC$/m);
      expect(err).not.toMatch(/\n\s+at /);
    } finally {
      closeSync(full);
    }
  });

  it('records an admission with the wards command, and refuses an unknown ward in a line', async () => {
    const admitted = await cli(['wards', 'admit', 'P003', 'W2']);
    expect(admitted).toMatchObject({ code: 0, out: 'admitted P003 to ward W2\n', err: '' });
    expect((await cli(['wards', 'patients', 'W2'])).out).toContain('P003');
    const unknown = await cli(['wards', 'admit', 'P003', 'W404']);
    expect(unknown).toMatchObject({ code: 1, err: 'error: no ward W404\n' });
    expect((await cli(['wards'])).code).toBe(2);
  });

  it('answers --help on standard output', async () => {
    const help = await cli(['accounts', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/create/);
    expect(help.err).toBe('');
  });
});

describe('--help, on every command', () => {
  it('answers with usage on stdout and does nothing else: no migration, no seed, no server', async () => {
    const fresh = scratchDir('shai-cli-help-');
    for (const command of [['migrate'], ['seed'], ['start'], ['gateway'], ['mcp-server'], ['generate'], ['import'], ['audit', 'verify'], ['audit', 'export'], ['accounts', 'create'], ['wards', 'admit']]) {
      const answer = await cli([...command, '--help'], '', false, { cwd: fresh, dataDir: join(fresh, 'data') });
      expect(answer.code, command.join(' ')).toBe(0);
      expect(answer.out, command.join(' ')).toMatch(/usage/);
    }
    expect(existsSync(join(fresh, 'data'))).toBe(false);
  }, 60_000);
});

