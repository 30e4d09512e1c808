/**
 * `npm start` never leaves a server behind: the servers stop when the process that started
 * them dies, however it dies, and that process stops them when its own parent goes away
 * (npm killed by a process manager does not pass SIGTERM on). It starts them with the node
 * flags and environment of `node-flags.ts`.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVER_ENVIRONMENT, SERVER_NODE_FLAGS } from '@secure-hospital-ai/core/node-flags';
import { afterEach, describe, expect, it } from 'vitest';
import { SHUTDOWN_GRACE_MS } from '../../packages/cli/src/runtime.js';
import { buildOnce, CLI, freePort, waitFor } from '../support/processes.js';
import { scratchDir } from '../support/scratch.js';

interface Started {
  /** The process the test spawned: the supervisor itself, or a shell around it. */
  process: ChildProcess;
  urls: string[];
  gatewayPort: number;
  /** Everything the supervisor and both servers wrote (logs at info), as it arrives. */
  output: () => string;
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
    LOG_LEVEL: 'info',
  };
  const cwd = mkdtempSync(join(scratch, 'start-'));
  // `; true` keeps the shell waiting as the supervisor's parent, as npm's shell does.
  const stdio: StdioOptions = ['ignore', 'pipe', 'pipe'];
  const child: ChildProcess = throughShell
    ? spawn('sh', ['-c', `"${process.execPath}" "${CLI}" start; true`], { cwd, env, stdio })
    : spawn(process.execPath, [CLI, 'start'], { cwd, env, stdio });
  running.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const urls = [`http://127.0.0.1:${gatewayPort}/healthz`, `http://127.0.0.1:${mcpPort}/healthz`];
  for (const url of urls) await waitFor(url, 60_000);
  return { process: child, urls, gatewayPort, output: () => output };
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** The pid of the supervisor's server child running `name`. */
function serverPid(supervisor: number, name: string): number {
  const found = childrenOf(supervisor).find((child) => child.argv.at(-1) === name);
  if (!found) throw new Error(`no ${name} under ${supervisor}`);
  return found.pid;
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
function childrenOf(pid: number): Array<{ pid: number; argv: string[]; env: Record<string, string> }> {
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
      children.push({ pid: Number(entry), argv, env });
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

  it('on SIGTERM stops the gateway first, then the MCP server, each saying so, and exits 0', async () => {
    const { process: supervisor, urls, output } = await start(false);
    supervisor.kill('SIGTERM');
    expect(await exitOf(supervisor)).toEqual({ code: 0, signal: null });
    expect(await allStopped(urls, 1_000)).toBe(true);
    // Two processes write to one pipe, each asynchronously: their lines are put in order by their times.
    const lines = output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { service: string; msg: string; time: string })
      // Within one millisecond a server's own lines keep the order it wrote them in.
      .sort((a, b) => a.time.localeCompare(b.time) || Number(a.msg === 'stopped') - Number(b.msg === 'stopped'));
    const said = lines.filter((line) => line.msg === 'stopped' || line.msg.startsWith('shutting down')).map((line) => `${line.service}: ${line.msg}`);
    expect(said).toEqual([
      'gateway: shutting down: finishing requests in flight',
      'gateway: stopped',
      'mcp-server: shutting down: finishing requests in flight',
      'mcp-server: stopped',
    ]);
  }, 90_000);

  it('when one server stops by itself, says which, stops the other and exits 1 (a restart-on-failure manager restarts the pair)', async () => {
    const { process: supervisor, urls, output } = await start(false);
    process.kill(serverPid(supervisor.pid as number, 'mcp-server'), 'SIGTERM');
    expect(await exitOf(supervisor)).toEqual({ code: 1, signal: null });
    expect(await allStopped(urls, 1_000)).toBe(true);
    expect(output()).toContain('mcp-server stopped unexpectedly (exit code 0); stopping the other server');
  }, 90_000);

  it('does not wait for ever for a client that never finishes its request', async () => {
    const { process: supervisor, urls, gatewayPort } = await start(false);
    // A request whose body never finishes arriving, as from a stalled or hostile client.
    const socket = connect(gatewayPort, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /mcp-proxy/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400000\r\n\r\n{"jsonrpc"');
    socket.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const stoppedAt = Date.now();
    supervisor.kill('SIGTERM');
    expect(await exitOf(supervisor)).toEqual({ code: 0, signal: null });
    const seconds = (Date.now() - stoppedAt) / 1000;
    expect(seconds).toBeLessThan(SHUTDOWN_GRACE_MS / 1000 + 5);
    expect(await allStopped(urls, 1_000)).toBe(true);
    socket.destroy();
  }, 90_000);

  it('stops both servers when its parent goes away, saying why', async () => {
    const { process: shell, urls, output } = await start(true);
    shell.kill('SIGKILL');
    expect(await allStopped(urls, 10_000)).toBe(true);
    // The servers' output still reaches this pipe: the supervisor holds it, not the shell.
    expect(output()).toMatch(/the process that ran `start` \(pid \d+\) has ended; stopping both servers/);
  }, 90_000);
});
