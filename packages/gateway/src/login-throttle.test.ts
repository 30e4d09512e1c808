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
    for (let i = 0; i < 3; i += 1) await throttle.begin('alice', '10.0.0.1'); // three failures
    clock.now += 15_000;
    const error = await refusal(throttle.begin('ALICE', '10.0.0.2'));
    expect(error.http).toBe(429);
    expect(error.headers['retry-after']).toBe('45');
    clock.now += 45_000;
    await expect(throttle.begin('alice', '10.0.0.1')).resolves.toBeUndefined();
  });

  it('counts attempts before their answer: of attempts made at once, only the limit get through', async () => {
    const { store, throttle } = setup({ perAccount: 3, perAddress: 10, windowMs: 60_000 });
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () => throttle.begin('carol', '10.0.0.3').then(() => 'checked', () => 'refused')),
    );
    expect(outcomes.filter((o) => o === 'checked')).toHaveLength(3);
    // The refused ones were taken back: the address counts the three checked attempts only.
    expect((await store.peek('login:address:10.0.0.3'))?.count).toBe(3);
    const sprayed = await Promise.all(
      Array.from({ length: 25 }, (_, i) => throttle.begin(`user${i}`, '10.0.0.4').then(() => 'checked', () => 'refused')),
    );
    expect(sprayed.filter((o) => o === 'checked')).toHaveLength(10);
  });

  it('refuses an address spraying many accounts', async () => {
    const { throttle } = setup();
    for (const name of ['a1', 'a2', 'a3', 'a4', 'a5']) await throttle.begin(name, '10.0.0.9');
    expect((await refusal(throttle.begin('fresh-user', '10.0.0.9'))).code).toBe('ERR_THROTTLED');
    await expect(throttle.begin('fresh-user', '10.0.0.10')).resolves.toBeUndefined();
  });

  it('a success clears the account counter and takes back its own attempt, but not the address counter', async () => {
    const { store, throttle } = setup({ perAccount: 2, perAddress: 3, windowMs: 60_000 });
    await throttle.begin('bob', '10.0.0.1');
    await throttle.begin('bob', '10.0.0.1');
    await throttle.begin('bob', '10.0.0.1').then(
      () => expect.unreachable('a third attempt on a limit of two'),
      () => undefined,
    );
    await store.clear('login:account:bob'); // as if the window had closed for the account only
    await throttle.begin('bob', '10.0.0.1');
    await throttle.succeeded('bob', '10.0.0.1');
    expect(await store.peek('login:account:bob')).toBeUndefined();
    expect((await store.peek('login:address:10.0.0.1'))?.count).toBe(2);
    await throttle.begin('bob', '10.0.0.1'); // the address's third failure
    expect((await refusal(throttle.begin('bob', '10.0.0.1'))).code).toBe('ERR_THROTTLED');
  });

  it('an abandoned attempt is not a failure', async () => {
    const { store, throttle } = setup({ perAccount: 1, perAddress: 1, windowMs: 60_000 });
    await throttle.begin('dave', '10.0.0.5');
    await throttle.abandoned('dave', '10.0.0.5');
    expect((await store.peek('login:account:dave'))?.count).toBe(0);
    await expect(throttle.begin('dave', '10.0.0.5')).resolves.toBeUndefined();
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
