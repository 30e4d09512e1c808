import { describe, expect, it } from 'vitest';
import { createCallSlots } from './call-slots.js';

describe('call slots', () => {
  it('runs no more than the limit at once, the rest in the order they came', async () => {
    const slots = createCallSlots(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const call = (n: number) =>
      slots.run(async () => {
        started.push(n);
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 3));
        running -= 1;
        return n;
      });
    expect(await Promise.all([0, 1, 2, 3, 4, 5].map(call))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('gives the slot back when a call fails', async () => {
    const slots = createCallSlots(1);
    await expect(slots.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(slots.run(async () => 'next')).resolves.toBe('next');
  });
});
