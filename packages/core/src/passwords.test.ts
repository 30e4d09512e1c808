import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import argon2 from 'argon2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../test/support/test-database.js';
import { createAccount, findAccountByUsername, upgradePasswordHash } from './accounts.js';
import type { Database } from './db/database.js';
import { AppError } from './errors.js';
import {
  BUSY_HASH_INTERVAL_MS,
  defaultHashConcurrency,
  hashPassword,
  hashStartDelay,
  hashQueue,
  needsRehash,
  setHashConcurrency,
  setUtilizationSource,
  verifyPassword,
} from './passwords.js';

/** A hash made with the parameters this project used before (OWASP's m=19 MiB, t=2 row). */
const legacyHash = (password: string) => argon2.hash(password, { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 });

// The test process's own event loop is as busy as vitest makes it: each test says how busy.
beforeEach(() => setUtilizationSource(() => 0));
afterEach(() => {
  setHashConcurrency(defaultHashConcurrency());
  setUtilizationSource(undefined);
});

describe('password hashing', () => {
  it('uses argon2id at OWASP’s m=7 MiB, t=5, p=1 row and verifies hashes of other parameters', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=7168,p=1,t=5\$/);
    expect(await verifyPassword(hash, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse batterY')).toBe(false);
    const old = await legacyHash('correct horse battery');
    expect(await verifyPassword(old, 'correct horse battery')).toBe(true);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(hash)).toBe(false);
    expect(needsRehash('not a hash')).toBe(false);
  });

  it('runs at most the configured number of hashes at once, and refuses past the waiting limit', async () => {
    setHashConcurrency(1, 2);
    const hash = await hashPassword('queue me');
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, hashQueue().running)), 1);
    const calls = Array.from({ length: 4 }, () => verifyPassword(hash, 'queue me'));
    const settled = await Promise.allSettled(calls);
    clearInterval(watch);
    expect(most).toBe(1);
    // One ran at once, two waited, the fourth was refused at once with 429.
    expect(settled.filter((s) => s.status === 'fulfilled' && s.value === true)).toHaveLength(3);
    const refused = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(AppError);
    expect((refused.reason as AppError).code).toBe('ERR_THROTTLED');
    expect((refused.reason as AppError).headers['retry-after']).toBe('1');
    expect(hashQueue()).toMatchObject({ running: 0, waiting: 0 });
    expect(() => setHashConcurrency(0)).toThrow(RangeError);
  });

  it('spaces real hashes while the event loop is busy, without losing a slot', async () => {
    setHashConcurrency(1);
    const hash = await hashPassword('pace me');
    /** Wall time for n logins at once; with one slot they hash one after another. */
    const elapsed = async (n: number) => {
      const start = performance.now();
      await Promise.all(Array.from({ length: n }, async () => expect(await verifyPassword(hash, 'pace me')).toBe(true)));
      return performance.now() - start;
    };
    setUtilizationSource(() => 1);
    // Four starts, 50 ms apart at least: the last cannot start before 150 ms (timers may fire a
    // millisecond early). Completion times are not compared: hash durations vary.
    const busy = await elapsed(4);
    expect(busy).toBeGreaterThanOrEqual(3 * BUSY_HASH_INTERVAL_MS - 3);
    expect(hashQueue()).toMatchObject({ running: 0, waiting: 0 });
  });

  it('books busy starts one interval apart per slot, and none while idle', () => {
    setHashConcurrency(1);
    expect([hashStartDelay(1000), hashStartDelay(1000), hashStartDelay(1001)]).toEqual([0, 0, 0]);
    setUtilizationSource(() => 0.9);
    expect([hashStartDelay(1000), hashStartDelay(1000), hashStartDelay(1000), hashStartDelay(1120)]).toEqual([0, 50, 100, 30]);
    setHashConcurrency(2);
    expect(hashStartDelay(2000)).toBe(0);
    expect(hashStartDelay(2000)).toBe(25);
    // Back to idle: no wait, and the next busy start counts from then.
    setUtilizationSource(() => 0.2);
    expect(hashStartDelay(2010)).toBe(0);
  });
});

describe('upgradePasswordHash', () => {
  let database: Database;
  useTestDatabase((opened) => (database = opened));

  it('replaces a hash of older parameters after a successful login, once, unless it changed meanwhile', async () => {
    await createAccount(database.db, { username: 'legacy_user', password: 'legacy-password', role: 'nurse', displayName: 'Legacy User', patientId: null });
    const old = await legacyHash('legacy-password');
    await database.db.updateTable('accounts').set({ password_hash: old }).where('username', '=', 'legacy_user').execute();
    const account = await findAccountByUsername(database.db, 'legacy_user');
    const id = account?.id as number;

    // A reset that raced the login wins: the stored hash is no longer the verified one.
    expect(await upgradePasswordHash(database.db, id, await legacyHash('other'), 'legacy-password')).toBe(false);
    expect((await findAccountByUsername(database.db, 'legacy_user'))?.password_hash).toBe(old);

    expect(await upgradePasswordHash(database.db, id, old, 'legacy-password')).toBe(true);
    const upgraded = (await findAccountByUsername(database.db, 'legacy_user'))?.password_hash as string;
    expect(upgraded).toMatch(/\$m=7168,p=1,t=5\$/);
    expect(await verifyPassword(upgraded, 'legacy-password')).toBe(true);
    expect(await upgradePasswordHash(database.db, id, upgraded, 'legacy-password')).toBe(false);
  });
});

describe('lowerThreadPoolPriority', () => {
  // A fresh process: this test runner's own pool is long busy with other work.
  const script = fileURLToPath(new URL('./thread-pool.ts', import.meta.url)).replace(/\/src\/thread-pool\.ts$/, '/dist/thread-pool.js');
  const probe = `
    const { lowerThreadPoolPriority } = await import(${JSON.stringify(script)});
    const { readFileSync, readdirSync } = await import('node:fs');
    const lowered = await lowerThreadPoolPriority();
    const nice = (tid) => Number(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]);
    const all = readdirSync('/proc/self/task');
    console.log(JSON.stringify({ lowered, nice: Object.fromEntries(all.map((t) => [t, nice(t)])), main: String(process.pid) }));`;

  it.runIf(process.platform === 'linux')('gives exactly libuv’s pool threads nice 19, and leaves the event loop alone', () => {
    for (const size of ['4', '2']) {
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8', env: { ...process.env, UV_THREADPOOL_SIZE: size } });
      expect(run.status, run.stderr).toBe(0);
      const { lowered, nice, main } = JSON.parse(run.stdout) as { lowered: string[]; nice: Record<string, number>; main: string };
      expect(lowered).toHaveLength(Number(size));
      for (const tid of lowered) expect(nice[tid]).toBe(19);
      expect(lowered).not.toContain(main);
      expect(nice[main]).toBe(0);
      // V8's helper threads are not the pool's.
      expect(Object.values(nice).filter((n) => n === 19)).toHaveLength(Number(size));
    }
  });
});
