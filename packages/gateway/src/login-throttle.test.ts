import { describe, expect, it } from 'vitest';
import { AppError } from '@secure-hospital-ai/core/errors';
import { LoginThrottle, MemoryFailureCounterStore } from './login-throttle.js';

function setup(limits = { perAccount: 3, perAddress: 5, windowMs: 60_000 }) {
  const clock = { now: 1_000_000 };
  const now = () => clock.now;
  const store = new MemoryFailureCounterStore(now);
  return { clock, store, throttle: new LoginThrottle(store, limits, now) };
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('LoginThrottle', () => {
  it('refuses an account past its failure limit with Retry-After until the window closes', async () => {
    const { clock, throttle } = setup();
    for (let i = 0; i < 3; i += 1) {
      await throttle.assertAllowed('alice', '10.0.0.1');
      await throttle.recordFailure('alice', '10.0.0.1');
    }
    clock.now += 15_000;
    const error = await refusal(throttle.assertAllowed('ALICE', '10.0.0.2'));
    expect(error.http).toBe(429);
    expect(error.headers['retry-after']).toBe('45');
    clock.now += 45_000;
    await expect(throttle.assertAllowed('alice', '10.0.0.1')).resolves.toBeUndefined();
  });

  it('refuses an address spraying many accounts', async () => {
    const { throttle } = setup();
    for (const name of ['a1', 'a2', 'a3', 'a4', 'a5']) await throttle.recordFailure(name, '10.0.0.9');
    expect((await refusal(throttle.assertAllowed('fresh-user', '10.0.0.9'))).code).toBe('ERR_THROTTLED');
    await expect(throttle.assertAllowed('fresh-user', '10.0.0.10')).resolves.toBeUndefined();
  });

  it('a success clears the account counter but not the address counter', async () => {
    const { throttle } = setup({ perAccount: 2, perAddress: 3, windowMs: 60_000 });
    await throttle.recordFailure('bob', '10.0.0.1');
    await throttle.recordFailure('bob', '10.0.0.1');
    await throttle.recordSuccess('bob');
    await expect(throttle.assertAllowed('bob', null)).resolves.toBeUndefined();
    await throttle.recordFailure('bob', '10.0.0.1');
    expect((await refusal(throttle.assertAllowed('bob', '10.0.0.1'))).code).toBe('ERR_THROTTLED');
  });

  it('the memory store forgets closed windows', async () => {
    const { clock, store } = setup();
    await store.increment('k1', 1_000);
    await store.increment('k2', 1_000);
    clock.now += 61_000;
    await store.increment('k3', 1_000);
    expect(store.size).toBe(1);
    expect(await store.peek('k1')).toBeUndefined();
  });
});
