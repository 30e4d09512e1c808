import { describe, expect, it } from 'vitest';
import { deepFreeze, isDeepFrozen } from './frozen.js';

describe('deepFreeze / isDeepFrozen', () => {
  it('freezes every nested object and array, and says so', () => {
    const value = deepFreeze({ a: { b: [1, { c: 'x' }] }, d: null, e: 'text' });
    expect(isDeepFrozen(value)).toBe(true);
    expect(() => {
      (value.a.b[1] as { c: string }).c = 'changed';
    }).toThrow(TypeError);
    expect(() => (value.a.b as unknown[]).push(2)).toThrow(TypeError);
  });

  it('does not count a frozen object with a changeable child as frozen', () => {
    const shallow = Object.freeze({ inner: { c: 1 } });
    expect(isDeepFrozen(shallow)).toBe(false);
    expect(isDeepFrozen({})).toBe(false);
    expect([isDeepFrozen(null), isDeepFrozen(3), isDeepFrozen('s')]).toEqual([true, true, true]);
  });
});
