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

/** One login attempt as sessions.ts makes it: let in, then settled as the password turns out. */
async function attempt(throttle: LoginThrottle, username: string, address: string, right: boolean): Promise<'checked' | 'refused'> {
  try {
    await throttle.begin(username, address);
  } catch (error) {
    if (error instanceof AppError && error.code === 'ERR_THROTTLED') return 'refused';
    throw error;
  }
  await new Promise((resolve) => setTimeout(resolve, 5)); // the password check
  if (right) await throttle.succeeded(username, address);
  else await throttle.failed(username, address);
  return 'checked';
}

describe('LoginThrottle', () => {
  it('refuses an account past its failure limit with Retry-After until the window closes', async () => {
    const { clock, throttle } = setup();
    for (let i = 0; i < 3; i += 1) expect(await attempt(throttle, 'alice', '10.0.0.1', false)).toBe('checked');
    clock.now += 15_000;
    const error = await refusal(throttle.begin('ALICE', '10.0.0.2'));
    expect(error.http).toBe(429);
    expect(error.headers['retry-after']).toBe('45');
    clock.now += 45_000;
    await expect(throttle.begin('alice', '10.0.0.1')).resolves.toBeUndefined();
  });

  it('guesses sent at once get no more password checks than the limit', async () => {
    const { throttle } = setup({ perAccount: 3, perAddress: 10, windowMs: 60_000 });
    const guesses = await Promise.all(Array.from({ length: 12 }, () => attempt(throttle, 'carol', '10.0.0.3', false)));
    expect(guesses.filter((o) => o === 'checked')).toHaveLength(3);
    expect(guesses.filter((o) => o === 'refused')).toHaveLength(9);
    const sprayed = await Promise.all(Array.from({ length: 25 }, (_, i) => attempt(throttle, `user${i}`, '10.0.0.4', false)));
    expect(sprayed.filter((o) => o === 'checked')).toHaveLength(10);
  });

  it('logins sent at once that succeed all get in, no more than the limit checked at a time', async () => {
    const { store, throttle } = setup({ perAccount: 3, perAddress: 10, windowMs: 60_000 });
    let inFlight = 0;
    let most = 0;
    const login = async () => {
      await throttle.begin('dana', '10.0.0.6');
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      await throttle.succeeded('dana', '10.0.0.6');
    };
    await Promise.all(Array.from({ length: 12 }, login));
    expect(most).toBe(3);
    expect((await store.peek('login:account:dana:in-flight'))?.count ?? 0).toBe(0);
    expect(await store.peek('login:address:10.0.0.6')).toBeUndefined();
  });

  it('lets waiting attempts in first come, first served: a newcomer never takes a freed place', async () => {
    const { throttle } = setup({ perAccount: 1, perAddress: 10, windowMs: 60_000 });
    const order: number[] = [];
    const login = async (n: number) => {
      await throttle.begin('erin', '10.0.0.7');
      order.push(n);
      await new Promise((resolve) => setTimeout(resolve, 2));
      await throttle.succeeded('erin', '10.0.0.7');
    };
    const first = Array.from({ length: 4 }, (_, n) => login(n));
    await new Promise((resolve) => setTimeout(resolve, 1));
    // Arrives while the first four wait or check: served after them, never before.
    await Promise.all([...first, login(4), login(5)]);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('refuses an address spraying many accounts', async () => {
    const { throttle } = setup();
    for (const name of ['a1', 'a2', 'a3', 'a4', 'a5']) await attempt(throttle, name, '10.0.0.9', false);
    expect((await refusal(throttle.begin('fresh-user', '10.0.0.9'))).code).toBe('ERR_THROTTLED');
    await expect(throttle.begin('fresh-user', '10.0.0.10')).resolves.toBeUndefined();
  });

  it('a success clears the account counter but not the address counter', async () => {
    const { throttle } = setup({ perAccount: 3, perAddress: 3, windowMs: 60_000 });
    await attempt(throttle, 'bob', '10.0.0.1', false);
    await attempt(throttle, 'bob', '10.0.0.1', false);
    await attempt(throttle, 'bob', '10.0.0.2', true);
    await expect(throttle.begin('bob', null)).resolves.toBeUndefined();
    await throttle.abandoned('bob', null);
    await attempt(throttle, 'bob', '10.0.0.1', false);
    expect((await refusal(throttle.begin('bob', '10.0.0.1'))).code).toBe('ERR_THROTTLED');
  });

  it('an abandoned attempt is not a failure, and gives its place back', async () => {
    const { store, throttle } = setup({ perAccount: 1, perAddress: 1, windowMs: 60_000 });
    await throttle.begin('dave', '10.0.0.5');
    await throttle.abandoned('dave', '10.0.0.5');
    expect(await store.peek('login:account:dave')).toBeUndefined();
    expect((await store.peek('login:account:dave:in-flight'))?.count).toBe(0);
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
