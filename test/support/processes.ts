import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = `${ROOT}packages/cli/dist/main.js`;

/**
 * Spawned processes run the built JavaScript, as production does; build it if stale. The bench
 * is built too: its own project (rootDir `bench`) is the only check that `npm run bench` still
 * compiles, which the type check over the whole tree does not make.
 */
export function buildOnce(): void {
  execFileSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-b', 'packages/cli', 'packages/web', 'bench'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

/**
 * Ports handed to spawned servers come from below the kernel's ephemeral range, in a block of
 * their own per vitest worker. A port that listen(0) reported free is drawn from that range,
 * so between our check and the child's bind it could become the source port of any outgoing
 * connection on the machine (tests make thousands) or another worker's pick; and a child that
 * then failed to bind would leave waitFor() talking to whatever took the port.
 */
const FIRST_PORT = 21_000;
const PORTS_PER_WORKER = 200;
const WORKER_BLOCKS = 10;
let nextPort = 0;

export async function freePort(): Promise<number> {
  const worker = Number(process.env.VITEST_POOL_ID ?? '1');
  const block = FIRST_PORT + ((Math.max(1, worker) - 1) % WORKER_BLOCKS) * PORTS_PER_WORKER;
  for (let tried = 0; tried < PORTS_PER_WORKER; tried++) {
    const port = block + (nextPort++ % PORTS_PER_WORKER);
    // A server from an earlier test file of this worker may still be shutting down on it.
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${block}-${block + PORTS_PER_WORKER - 1}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function waitFor(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not become healthy in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function spawnCli(args: string[], options: { cwd: string; env: Record<string, string> }): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return Object.assign(child, { output: () => output });
}

export async function stop(child: ChildProcess, timeoutMs = 10_000): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await exited;
  clearTimeout(timer);
  return code;
}
