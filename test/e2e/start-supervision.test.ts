/**
 * `npm start` never leaves a server behind: the servers stop when the process that started
 * them dies, however it dies, and that process stops them when its own parent goes away
 * (npm killed by a process manager does not pass SIGTERM on). It starts them with the node
 * flags and environment of `node-flags.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVER_ENVIRONMENT, SERVER_NODE_FLAGS } from '@secure-hospital-ai/core/node-flags';
import { afterEach, describe, expect, it } from 'vitest';
import { buildOnce, CLI, freePort, waitFor } from '../support/processes.js';
import { scratchDir } from '../support/scratch.js';

interface Started {
  /** The process the test spawned: the supervisor itself, or a shell around it. */
  process: ChildProcess;
  urls: string[];
}

const running: ChildProcess[] = [];
/** Each start gets a working directory of its own in here, for its `.env` and database. */
const scratch = scratchDir('shai-supervision-');

async function start(throughShell: boolean): Promise<Started> {
  buildOnce();
  const [gatewayPort, mcpPort] = [await freePort(), await freePort()];
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    GATEWAY_PORT: String(gatewayPort),
    MCP_PORT: String(mcpPort),
    LOG_LEVEL: 'warn',
  };
  const cwd = mkdtempSync(join(scratch, 'start-'));
  // `; true` keeps the shell waiting as the supervisor's parent, as npm's shell does.
  const child = throughShell
    ? spawn('sh', ['-c', `"${process.execPath}" "${CLI}" start; true`], { cwd, env, stdio: 'ignore' })
    : spawn(process.execPath, [CLI, 'start'], { cwd, env, stdio: 'ignore' });
  running.push(child);
  const urls = [`http://127.0.0.1:${gatewayPort}/healthz`, `http://127.0.0.1:${mcpPort}/healthz`];
  for (const url of urls) await waitFor(url, 60_000);
  return { process: child, urls };
}

/** True once neither server answers any more. */
async function allStopped(urls: string[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answers = await Promise.all(urls.map((url) => fetch(url).then(() => true, () => false)));
    if (answers.every((answered) => !answered)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** The processes whose parent is `pid`, with their arguments and environment (from /proc). */
function childrenOf(pid: number): Array<{ argv: string[]; env: Record<string, string> }> {
  const children = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may hold spaces and parentheses: the fields after its last ')' count.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== pid) continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const env = Object.fromEntries(
        readFileSync(`/proc/${entry}/environ`, 'utf8')
          .split('\0')
          .filter(Boolean)
          .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
      );
      children.push({ argv, env });
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('npm start supervision', () => {
  it('starts both servers with the recommended node flags and environment', async () => {
    const { process: supervisor } = await start(false);
    const servers = childrenOf(supervisor.pid as number);
    expect(servers.map((server) => server.argv.at(-1)).sort()).toEqual(['gateway', 'mcp-server']);
    for (const server of servers) {
      expect(server.argv.slice(1, 1 + SERVER_NODE_FLAGS.length)).toEqual([...SERVER_NODE_FLAGS]);
      expect(server.env).toMatchObject(SERVER_ENVIRONMENT);
    }
  }, 90_000);

  it('stops both servers when the supervisor is killed outright (SIGKILL)', async () => {
    const { process: supervisor, urls } = await start(false);
    supervisor.kill('SIGKILL');
    expect(await allStopped(urls, 10_000)).toBe(true);
  }, 90_000);

  it('stops both servers when its parent goes away', async () => {
    const { process: shell, urls } = await start(true);
    shell.kill('SIGKILL');
    expect(await allStopped(urls, 10_000)).toBe(true);
  }, 90_000);
});
