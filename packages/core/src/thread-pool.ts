/**
 * Password hashing (argon2id) runs on libuv's thread pool. On a small machine a login storm
 * then keeps every core busy hashing, and the event loop that relays clinical tool calls
 * waits for a core: their latency grows with the storm. Giving the pool's threads a lower
 * scheduling priority (a higher nice value) lets the kernel run the event loop first and the
 * hashes in the time left over; logins slow down under load, tool calls do not. The pool's
 * other work in the gateway (reading the web UI's files, resolving a host name for the MCP
 * server's address) yields the same way; both are rare next to requests on open connections.
 *
 * Linux only: there each thread has its own nice value, set with setpriority(PRIO_PROCESS,
 * tid). libuv's threads have no names, so they are found by what only they do: a few
 * milliseconds of hashing are queued on each of them at once, and the threads whose CPU time
 * (from /proc, in nanoseconds) grew by that much are the pool. V8's own helper threads and
 * the event loop are left as they are.
 */
import { pbkdf2 } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

const TASKS = '/proc/self/task';

/** Niceness given to the pool's threads by default (the event loop keeps the process's own). */
export const THREAD_POOL_NICENESS = 19;

/** Per probe job (a few ms): long enough that every pool thread wakes and takes one. */
const PROBE_ITERATIONS = 20_000;
const PROBE_ROUNDS = 4;
/** A thread counts as the pool's when its CPU time grew at least this much during the probe. */
const MIN_PROBE_NS = 2_000_000;

function cpuNanoseconds(tid: string): number | undefined {
  try {
    return Number(readFileSync(`${TASKS}/${tid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

function probe(): Promise<void> {
  return new Promise((resolve, reject) => pbkdf2('probe', 'thread-pool', PROBE_ITERATIONS, 32, 'sha256', (error) => (error ? reject(error) : resolve())));
}

export function threadPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const configured = Number(env.UV_THREADPOOL_SIZE);
  // libuv's own default and bounds.
  return Number.isInteger(configured) && configured > 0 ? Math.min(configured, 1024) : 4;
}

/** Returns the thread ids that were given `niceness` (empty where this is not possible). */
export async function lowerThreadPoolPriority(niceness = THREAD_POOL_NICENESS): Promise<string[]> {
  if (process.platform !== 'linux') return [];
  const size = threadPoolSize();
  // The pool may not be running yet: one job starts all of its threads.
  await probe();
  const main = String(process.pid);
  const grown = new Map<string, number>();
  // A thread that wakes late may find the queue empty, its job taken by one that finished
  // early; a few rounds find every thread.
  for (let round = 0; round < PROBE_ROUNDS && grown.size < size; round += 1) {
    const before = new Map<string, number>();
    for (const tid of readdirSync(TASKS)) {
      const ns = cpuNanoseconds(tid);
      if (tid !== main && ns !== undefined) before.set(tid, ns);
    }
    await Promise.all(Array.from({ length: size }, probe));
    for (const [tid, ns] of before) {
      const delta = (cpuNanoseconds(tid) ?? ns) - ns;
      if (delta >= MIN_PROBE_NS) grown.set(tid, (grown.get(tid) ?? 0) + delta);
    }
  }
  // More than the pool's size can only be V8's helpers caught working: keep the busiest.
  const pool = [...grown].sort((a, b) => b[1] - a[1]).slice(0, size).map(([tid]) => tid);
  const lowered: string[] = [];
  for (const tid of pool) {
    try {
      setPriority(Number(tid), niceness);
      lowered.push(tid);
    } catch {
      // A system that refuses: leave the thread as it is.
    }
  }
  return lowered;
}
