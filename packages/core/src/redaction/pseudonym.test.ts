import { describe, expect, it } from 'vitest';
import { isPseudonym, pseudonymFor, resolvePseudonym } from './pseudonym.js';

const KEY = 'k'.repeat(32) + '-pseudonym-test-key';
const OTHER_KEY = 'o'.repeat(32) + '-another-test-key';

describe('pseudonymFor', () => {
  it('is deterministic for one id and key', () => {
    expect(pseudonymFor('P001', KEY)).toBe(pseudonymFor('P001', KEY));
  });

  it('differs between patients and between keys', () => {
    expect(pseudonymFor('P001', KEY)).not.toBe(pseudonymFor('P002', KEY));
    expect(pseudonymFor('P001', KEY)).not.toBe(pseudonymFor('P001', OTHER_KEY));
  });

  it('is R- and 16 base32 characters (80 bits), never containing the id', () => {
    const p = pseudonymFor('P001', KEY);
    expect(p).toMatch(/^R-[A-Z2-7]{16}$/);
    expect(isPseudonym(p)).toBe(true);
    expect(p).not.toContain('P001');
  });

  it('does not collide over many ids', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(pseudonymFor(`P${i}`, KEY));
    expect(seen.size).toBe(20_000);
  });

  it('refuses a missing or short key', () => {
    expect(() => pseudonymFor('P001', 'short')).toThrow(/at least 32/);
    expect(() => pseudonymFor('P001', undefined as unknown as string)).toThrow(RangeError);
  });
});

describe('resolvePseudonym', () => {
  it('finds the id among candidates and nothing for a stranger or a malformed value', () => {
    const ids = ['P001', 'P002', 'P003'];
    expect(resolvePseudonym(pseudonymFor('P002', KEY), ids, KEY)).toBe('P002');
    expect(resolvePseudonym(pseudonymFor('P009', KEY), ids, KEY)).toBeUndefined();
    expect(resolvePseudonym(pseudonymFor('P002', OTHER_KEY), ids, KEY)).toBeUndefined();
    expect(resolvePseudonym('P002', ids, KEY)).toBeUndefined();
  });
});
