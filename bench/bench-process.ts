/**
 * Child processes under test: spawn, wait until they answer HTTP, sample their resident
 * memory, stop them. Every server the bench measures is a real separate process, so the
 * load generator (this process) and the servers compete for the cores as they would in a
 * one-machine deployment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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

/** The name CPU readings give the PostgreSQL backends, summed. */
export const POSTGRES_BACKENDS = 'PostgreSQL backends';

/** CPU seconds so far: per server process by name, and per PostgreSQL backend by pid. */
export interface CpuSnapshot {
  processes: Map<string, number>;
  backends: Map<number, number>;
}

/** Read before and after a measured run; with `postgresDatabase`, the backends serving it too. */
export function cpuSnapshot(processes: readonly ServerProcess[], postgresDatabase?: string): CpuSnapshot {
  const out = new Map<string, number>();
  for (const p of processes) {
    const seconds = readCpuSeconds(p.pid);
    if (seconds !== undefined) out.set(p.name, seconds);
  }
  return { processes: out, backends: postgresDatabase === undefined ? new Map() : backendCpuSeconds(postgresDatabase) };
}

/**
 * CPU seconds spent between two snapshots, per process, and the backends' as one entry when
 * any were read. Backends come and go with the pools (node-pg closes a connection idle for 10 s):
 * one that started during the run counts from zero, one that ended during it is left out (its
 * last seconds with it; an idle connection has none to lose). A single total per snapshot came
 * out negative whenever a pool closed a connection that had worked earlier in the bench.
 */
export function cpuSpentSince(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, seconds] of after.processes) {
    const start = before.processes.get(name);
    if (start !== undefined) out[name] = seconds - start;
  }
  if (after.backends.size > 0 || before.backends.size > 0) {
    let backends = 0;
    for (const [pid, seconds] of after.backends) backends += seconds - (before.backends.get(pid) ?? 0);
    out[POSTGRES_BACKENDS] = backends;
  }
  return out;
}

/** The machine's CPU time so far, in USER_HZ ticks, from the first line of /proc/stat (Linux). */
export interface MachineTicks {
  idle: number;
  steal: number;
  total: number;
}

export function machineTicks(): MachineTicks {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  // idle + iowait: a core waiting on the disk is a core nothing runs on.
  return { idle: (cpu[3] ?? 0) + (cpu[4] ?? 0), steal: cpu[7] ?? 0, total: cpu.reduce((a, b) => a + b, 0) };
}

/**
 * CPU seconds of the PostgreSQL backends serving `database`, found by their process titles
 * ("postgres: <user> <database> <client> <state>"). The server's backends are not children of
 * the bench, yet they run on the same cores: without them a PostgreSQL run hides part of a
 * call's cost. Per backend, by pid: see cpuSpentSince.
 */
export function backendCpuSeconds(database: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!title.startsWith('postgres:') || !title.includes(` ${database} `)) continue;
      const seconds = readCpuSeconds(pid);
      if (seconds !== undefined) out.set(pid, seconds);
    } catch {
      // The process ended while we looked.
    }
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
