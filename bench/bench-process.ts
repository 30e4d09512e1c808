/**
 * Child processes under test: spawn, wait until they answer HTTP, sample their resident
 * memory, stop them. Every server the bench measures is a real separate process, so the
 * load generator (this process) and the servers compete for the cores as they would in a
 * one-machine deployment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { request } from 'undici';
import { parseCpuSeconds, parseVmRss } from './bench-stats.js';

const OUTPUT_TAIL_LINES = 40;

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  /** The last lines it wrote, for the error message when it dies. */
  outputTail(): string;
  /** Resolves with the exit code (or signal name) once it has exited. */
  readonly exited: Promise<string>;
  stop(): Promise<void>;
}

export function spawnNode(name: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): ServerProcess {
  const child: ChildProcess = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not spawn ${args.join(' ')}`);
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      tail.push(line);
      if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<string>((resolve) => {
    child.on('exit', (code, signal) => resolve(signal ?? String(code)));
  });
  let stopping: Promise<void> | undefined;
  return {
    name,
    pid: child.pid,
    outputTail: () => tail.join('\n'),
    exited,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

/** Runs a command to completion; throws with its output when it fails. */
export async function runNode(name: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  const proc = spawnNode(name, args, env, cwd);
  const code = await proc.exited;
  if (code !== '0') throw new Error(`${name} exited with ${code}:\n${proc.outputTail()}`);
  return proc.outputTail();
}

/** Like runNode, but reports the exit code instead of throwing (the audit verifier). */
export async function runNodeStatus(name: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: string; output: string }> {
  const proc = spawnNode(name, args, env, cwd);
  const code = await proc.exited;
  return { code, output: proc.outputTail() };
}

/** A port nobody listens on right now (the kernel's choice), released for the child to take. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Waits until `url` answers HTTP at all (any status: the route may need a token), or fails
 * with the process's own last words when it exits first.
 */
export async function waitForHttp(url: string, proc: ServerProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let died: string | undefined;
  void proc.exited.then((code) => {
    died = code;
  });
  for (;;) {
    if (died !== undefined) throw new Error(`${proc.name} exited (${died}) before answering:\n${proc.outputTail()}`);
    try {
      const response = await request(url, { method: 'GET', headersTimeout: 2_000, bodyTimeout: 2_000 });
      await response.body.dump();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${proc.name} did not answer ${url} within ${timeoutMs} ms:\n${proc.outputTail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Resident set size of a live process in bytes, from /proc (Linux). */
export function readRss(pid: number): number | undefined {
  try {
    return parseVmRss(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a live process has used, from /proc (Linux). */
export function readCpuSeconds(pid: number): number | undefined {
  try {
    return parseCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** CPU seconds per process, read before and after a measured run. */
export function cpuSnapshot(processes: readonly ServerProcess[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of processes) {
    const seconds = readCpuSeconds(p.pid);
    if (seconds !== undefined) out.set(p.name, seconds);
  }
  return out;
}

export interface RssSample {
  atSeconds: number;
  /** Bytes per process name. */
  rss: Record<string, number>;
}

/** Samples the processes' RSS on an interval until stopped; reads /proc, costs microseconds. */
export class RssSampler {
  readonly samples: RssSample[] = [];
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly processes: readonly ServerProcess[],
    intervalMs: number,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): RssSample {
    const rss: Record<string, number> = {};
    for (const p of this.processes) {
      const bytes = readRss(p.pid);
      if (bytes !== undefined) rss[p.name] = bytes;
    }
    const sample = { atSeconds: (performance.now() - this.started) / 1000, rss };
    this.samples.push(sample);
    return sample;
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  /** Largest RSS seen per process, in bytes. */
  max(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.samples) {
      for (const [name, bytes] of Object.entries(s.rss)) out[name] = Math.max(out[name] ?? 0, bytes);
    }
    return out;
  }
}
