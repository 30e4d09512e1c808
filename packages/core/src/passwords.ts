/**
 * Password hashing with argon2id at one of OWASP's equal-strength minimum configurations
 * (Password Storage Cheat Sheet: m=19 MiB t=2, m=12 MiB t=3, m=9 MiB t=4, m=7 MiB t=5, all
 * p=1, "provide an equal level of defense"). We take m=7 MiB, t=5: the same CPU per hash, and
 * the least memory to fault in per hash. Left to glibc's defaults, each of libuv's pool
 * threads kept its last hash's memory in its malloc arena (4 × 19 MiB measured, against 4 × 7
 * MiB); the servers now start with the allocator told to give it back (node-flags.ts), and
 * each hash then faults its memory in afresh. Hashes made with other parameters still verify
 * (the parameters are in the hash) and are upgraded at the next successful login
 * (`needsRehash`).
 *
 * The binding hashes on libuv's thread pool, so a login storm does not stall the event loop;
 * the gateway also lowers the pool's priority (thread-pool.ts).
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import argon2 from 'argon2';
import { AppError } from './errors.js';

const OPTIONS = { type: argon2.argon2id, memoryCost: 7 * 1024, timeCost: 5, parallelism: 1 } as const;

/** Longer inputs only cost CPU: refuse them before hashing (a cheap denial-of-service). */
export const MAX_PASSWORD_LENGTH = 1024;

/**
 * Hashes run at most this many at a time; the rest wait their turn. Every hash keeps a core
 * busy for its whole duration, so left to libuv's four threads a login storm on a two-core
 * machine takes both cores from the tool calls. One core fewer than the machine has (at
 * least one) leaves a core to request handling whatever the storm; a deployment can change
 * it with PASSWORD_HASH_CONCURRENCY.
 */
export function defaultHashConcurrency(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** Past this many waiting, a login is refused at once (429) rather than queued for seconds. */
export const MAX_WAITING_HASHES = 512;

let concurrency = defaultHashConcurrency();
let maxWaiting = MAX_WAITING_HASHES;
let running = 0;
const waiting: Array<() => void> = [];

export function setHashConcurrency(limit: number, waitingLimit = MAX_WAITING_HASHES): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('hash concurrency must be an integer >= 1');
  if (!Number.isInteger(waitingLimit) || waitingLimit < 0) throw new RangeError('waiting limit must be an integer >= 0');
  concurrency = limit;
  maxWaiting = waitingLimit;
  while (running < concurrency && waiting.length > 0) {
    running += 1;
    (waiting.shift() as () => void)();
  }
}

export function hashQueue(): { running: number; waiting: number; concurrency: number } {
  return { running, waiting: waiting.length, concurrency };
}

/**
 * While the event loop is busy with requests (clinical traffic), hashes start at most every
 * BUSY_HASH_INTERVAL_MS / concurrency: at most 20 per second per slot. Nice 19 alone did not
 * keep a storm off the tool calls: argon2 runs in every idle gap and shares the caches (7 MiB
 * per hash), and the full chain lost a third of its throughput to 40 hashes a second. An idle
 * gateway hashes at full speed: logins only wait when something else needs the machine.
 * (Pacing by the hash's own duration was tried: under load a hash at nice 19 takes several
 * times its CPU time, and logins fell to 3 per second.)
 */
export const BUSY_EVENT_LOOP_UTILIZATION = 0.5;
export const BUSY_HASH_INTERVAL_MS = 50;
const UTILIZATION_SAMPLE_MS = 250;

/** The event loop's utilization over the last sample period (0–1). */
export type UtilizationSource = () => number;

function eventLoopUtilizationSource(): UtilizationSource {
  let last = performance.eventLoopUtilization();
  let current = 0;
  let timer: NodeJS.Timeout | undefined;
  return () => {
    timer ??= setInterval(() => {
      const now = performance.eventLoopUtilization();
      current = performance.eventLoopUtilization(now, last).utilization;
      last = now;
    }, UTILIZATION_SAMPLE_MS).unref();
    return current;
  };
}

let utilization: UtilizationSource = eventLoopUtilizationSource();
let nextBusyStart = 0;

/** For tests: what counts as the event loop's current utilization. */
export function setUtilizationSource(source: UtilizationSource | undefined): void {
  utilization = source ?? eventLoopUtilizationSource();
  nextBusyStart = 0;
}

/** How long a hash that has its slot at `now` waits before it starts (and books its start). */
export function hashStartDelay(now: number): number {
  if (utilization() < BUSY_EVENT_LOOP_UTILIZATION) {
    nextBusyStart = now;
    return 0;
  }
  const start = Math.max(now, nextBusyStart);
  nextBusyStart = start + BUSY_HASH_INTERVAL_MS / concurrency;
  return start - now;
}

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running < concurrency) running += 1;
  else if (waiting.length >= maxWaiting) {
    throw new AppError('ERR_THROTTLED', { internalReason: 'password_hash_queue_full', headers: { 'retry-after': '1' } });
  } else {
    // The slot is handed over by the hash that ends, already counted in `running`.
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
  try {
    const delay = hashStartDelay(performance.now());
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    return await work();
  } finally {
    const next = running <= concurrency ? waiting.shift() : undefined;
    if (next) next();
    else running -= 1;
  }
}

export async function hashPassword(password: string): Promise<string> {
  return withHashSlot(() => argon2.hash(password, OPTIONS));
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  return withHashSlot(async () => {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  });
}

/** Whether a stored hash was made with other parameters than today's (then hash the password anew). */
export function needsRehash(hash: string): boolean {
  try {
    return argon2.needsRehash(hash, OPTIONS);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real verification, for unknown usernames, so response time does
 * not reveal which accounts exist (OWASP Authentication Cheat Sheet).
 */
export async function burnVerification(password: string): Promise<false> {
  dummyHash ??= hashPassword('unused-dummy-password');
  await verifyPassword(await dummyHash, password.slice(0, MAX_PASSWORD_LENGTH));
  return false;
}
