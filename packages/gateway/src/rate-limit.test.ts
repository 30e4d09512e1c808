import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from './rate-limit.js';

function clock(start = 1_000_000) {
  const state = { now: start };
  return { state, now: () => state.now };
}

describe('MemoryRateLimiter', () => {
  it('allows a burst of the per-minute allowance, then asks the caller to wait', async () => {
    const { now } = clock();
    const limiter = new MemoryRateLimiter(3, now);
    expect([await limiter.take('u1'), await limiter.take('u1'), await limiter.take('u1')]).toEqual([0, 0, 0]);
    // 3 per minute refills one request every 20 s.
    expect(await limiter.take('u1')).toBe(20);
  });

  it('takes a batch as that many calls, and a refused take takes nothing', async () => {
    const { now } = clock();
    const limiter = new MemoryRateLimiter(5, now);
    expect(await limiter.take('u1', 4)).toBe(0);
    expect(await limiter.take('u1', 2)).toBe(12); // one call short: 12 s at 5 a minute
    expect(await limiter.take('u1', 1)).toBe(0);
    expect(await limiter.take('u1', 1)).toBe(12);
  });

  it('keeps accounts apart', async () => {
    const { now } = clock();
    const limiter = new MemoryRateLimiter(1, now);
    expect(await limiter.take('u1')).toBe(0);
    expect(await limiter.take('u2')).toBe(0);
    expect(await limiter.take('u1')).toBeGreaterThan(0);
  });

  it('refills steadily, never beyond the allowance', async () => {
    const { state, now } = clock();
    const limiter = new MemoryRateLimiter(60, now);
    for (let i = 0; i < 60; i += 1) expect(limiter.takeNow('u')).toBe(0);
    expect(limiter.takeNow('u')).toBe(1);
    state.now += 1_000;
    expect(limiter.takeNow('u')).toBe(0);
    expect(limiter.takeNow('u')).toBe(1);
    state.now += 3_600_000;
    for (let i = 0; i < 60; i += 1) expect(limiter.takeNow('u')).toBe(0);
    expect(limiter.takeNow('u')).toBeGreaterThan(0);
  });

  it('forgets idle accounts', () => {
    const { state, now } = clock();
    const limiter = new MemoryRateLimiter(10, now);
    limiter.takeNow('a');
    limiter.takeNow('b');
    expect(limiter.size).toBe(2);
    state.now += 120_000;
    limiter.takeNow('c');
    expect(limiter.size).toBe(1);
  });

  it('refuses a nonsensical allowance', () => {
    expect(() => new MemoryRateLimiter(0)).toThrow(RangeError);
  });
});
