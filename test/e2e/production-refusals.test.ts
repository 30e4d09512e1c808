/**
 * Production refuses to start unsafe: a missing, short or published secret, or demo
 * accounts (whose passwords are public) in the database. Checked on the real processes.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, freePort, spawnCli, stop, waitFor } from '../support/processes.js';
import { scratchDir } from '../support/scratch.js';

const PUBLISHED = ['a205f6e168cc0e41', 'a353c77fa5d90cd7', 'd530fa3f1d2bf443', 'b6fa50cba705157c'].join('');

async function runToExit(args: string[], cwd: string, env: Record<string, string>) {
  const child = spawnCli(args, { cwd, env });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output: child.output() };
}

describe('production refusals (real processes)', () => {
  const cwd = scratchDir('shai-prod-');
  let port: string;
  const good = () => ({
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(32).toString('hex'),
    PSEUDONYM_KEY: randomBytes(32).toString('hex'),
    JWT_AUDIENCE: 'secure-hospital-ai-mcp',
    MCP_PORT: port,
    GATEWAY_PORT: port,
    LOG_LEVEL: 'warn',
  });

  beforeAll(async () => {
    buildOnce();
    port = String(await freePort());
    const seeded = await runToExit(['seed'], cwd, { NODE_ENV: 'development', JWT_SECRET: randomBytes(32).toString('hex') });
    expect(seeded.code).toBe(0);
  }, 120_000);

  it.each([
    ['no secret', { JWT_SECRET: '' }, /JWT_SECRET is required/],
    ['a short secret', { JWT_SECRET: 'too-short' }, /too weak/],
    ["the design note's secret", { JWT_SECRET: PUBLISHED }, /published/],
  ])('refuses %s', async (_name, override, message) => {
    for (const server of ['mcp-server', 'gateway']) {
      const { code, output } = await runToExit([server], cwd, { ...good(), ...override });
      expect(code).not.toBe(0);
      expect(output).toMatch(message);
      expect(output).not.toMatch(/\n\s+at /); // a clear message, not a stack trace
    }
  });

  it('`start` with production set only in .env refuses the missing secret and generates none', async () => {
    const dir = scratchDir('shai-prod-envfile-');
    const envFile = `NODE_ENV=production\nJWT_AUDIENCE=secure-hospital-ai-mcp\nPSEUDONYM_KEY=${randomBytes(32).toString('hex')}\n`;
    writeFileSync(join(dir, '.env'), envFile);
    const { code, output } = await runToExit(['start'], dir, { MCP_PORT: port, GATEWAY_PORT: port, LOG_LEVEL: 'warn' });
    expect(code).not.toBe(0);
    expect(output).toMatch(/JWT_SECRET is required/);
    expect(output).not.toMatch(/generated/);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(envFile);
  });

  it('refuses to start on a database that is not migrated, saying what to run (any environment)', async () => {
    const empty = scratchDir('shai-unmigrated-');
    for (const server of ['mcp-server', 'gateway']) {
      const { code, output } = await runToExit([server], empty, { ...good(), NODE_ENV: 'development' });
      expect(code).not.toBe(0);
      expect(output).toMatch(/is not migrated \(pending: 0001_accounts, .*\); run `npm run migrate` first/);
      expect(output).not.toMatch(/\n\s+at /);
      expect(output).not.toMatch(/listening/);
    }
  });

  it('exits, and at once, when it cannot listen: also with Redis clients and database pools open', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const busy = String((taken.address() as { port: number }).port);
    try {
      for (const server of ['gateway', 'mcp-server']) {
        const started = Date.now();
        const env = { NODE_ENV: 'development', JWT_SECRET: randomBytes(32).toString('hex'), REDIS_URL: 'redis://127.0.0.1:6379/7', LOG_LEVEL: 'warn' };
        const { code, output } = await runToExit([server], cwd, { ...env, GATEWAY_PORT: busy, MCP_PORT: busy });
        // It stayed up, silent and not listening, when Redis was configured: no supervisor restarts that.
        expect(code, output).toBe(1);
        expect(output).toMatch(/EADDRINUSE/);
        expect(Date.now() - started).toBeLessThan(15_000);
      }
    } finally {
      taken.close();
    }
  }, 60_000);

  it('refuses to run while demo accounts exist, and refuses to seed them', async () => {
    const server = await runToExit(['mcp-server'], cwd, good());
    expect(server.code).not.toBe(0);
    expect(server.output).toMatch(/demo accounts present.*retire them with `npm run accounts -- retire-demo`/);
    const seed = await runToExit(['seed'], cwd, good());
    expect(seed.code).not.toBe(0);
    expect(seed.output).toMatch(/refusing to seed/);
  });

  // Last: it changes the seeded database the tests above refuse.
  it('starts once the demo accounts are retired, and a second retirement finds none', async () => {
    const retired = await runToExit(['accounts', 'retire-demo'], cwd, good());
    expect(retired.code, retired.output).toBe(0);
    expect(retired.output).toMatch(/retired yenji100: deactivated/);
    const server = spawnCli(['mcp-server'], { cwd, env: good() });
    try {
      await waitFor(`http://127.0.0.1:${port}/healthz`);
    } finally {
      expect(await stop(server)).toBe(0);
    }
    expect((await runToExit(['accounts', 'retire-demo'], cwd, good())).output).toMatch(/no change: there are no demo accounts/);
  }, 60_000);
});
