/**
 * `npm start` as a newcomer runs it: the built CLI in an empty working directory, two real
 * server processes sharing one embedded database file, then the design note's requests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, freePort, spawnCli, stop, waitFor } from '../support/processes.js';
import { scratchDir } from '../support/scratch.js';

describe('npm start (two processes, one embedded database)', () => {
  const cwd = scratchDir('shai-start-');
  let child: ReturnType<typeof spawnCli>;
  let gateway: string;

  beforeAll(async () => {
    buildOnce();
    const [gatewayPort, mcpPort] = [await freePort(), await freePort()];
    gateway = `http://127.0.0.1:${gatewayPort}`;
    child = spawnCli(['start'], {
      cwd,
      env: { GATEWAY_PORT: String(gatewayPort), MCP_PORT: String(mcpPort), LOG_LEVEL: 'warn', RATE_LIMIT_PER_USER: '0' },
    });
    await waitFor(`${gateway}/readyz`, 60_000);
  }, 120_000);

  afterAll(async () => {
    if (child) await stop(child);
  });

  it('generates a per-installation secret into .env and the database under ./data', () => {
    const env = readFileSync(join(cwd, '.env'), 'utf8');
    expect(env).toMatch(/^JWT_SECRET=[0-9a-f]{64}$/m);
    expect(env).toMatch(/^PSEUDONYM_KEY=[0-9a-f]{64}$/m);
    expect(existsSync(join(cwd, 'data', 'hospital.db'))).toBe(true);
  });

  it('prints the web UI address and the demo accounts', async () => {
    for (let i = 0; i < 300 && !child.output().includes('Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(child.output()).toContain(`${gateway}/`);
    expect(child.output()).toContain('yenji100');
  });

  it('answers the design note request for P001 through both processes', async () => {
    const login = await fetch(`${gateway}/api/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'yenji100', password: 'kingjulien100' }),
    });
    expect(login.status).toBe(200);
    const { access } = (await login.json()) as { access: string };
    const answer = await fetch(`${gateway}/mcp-proxy/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"tools.call","params":{"name":"get_patient_overview","arguments":{"patient_id":"P001"}}}',
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { result: { structuredContent: Record<string, unknown> } };
    expect(JSON.stringify(body.result.structuredContent)).toContain('P001');
  });

  it('a second start while the first holds the ports says so, and announces nothing', async () => {
    const gatewayPort = new URL(gateway).port;
    const second = spawnCli(['start'], { cwd, env: { GATEWAY_PORT: gatewayPort, MCP_PORT: String(await freePort()), LOG_LEVEL: 'warn' } });
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect(code).toBe(1);
    expect(second.output()).toMatch(new RegExp(`the gateway's port 127\\.0\\.0\\.1:${gatewayPort} is in use \\(another instance running\\?\\); set GATEWAY_PORT to another`));
    // The first instance's answers were once announced as this start's.
    expect(second.output()).not.toMatch(/is running/);
    expect((await fetch(`${gateway}/healthz`)).status).toBe(200);
  }, 60_000);

  it('stops both servers on SIGTERM', async () => {
    const code = await stop(child);
    expect(code === 0 || code === null).toBe(true);
    await expect(fetch(`${gateway}/healthz`)).rejects.toThrow();
  });
});
