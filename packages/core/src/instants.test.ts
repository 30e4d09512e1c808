import { describe, expect, it } from 'vitest';
import { isoInstant, parseInstant } from './instants.js';

describe('isoInstant', () => {
  it('reads ISO-8601 dates and instants with an offset, as UTC with milliseconds', () => {
    expect(isoInstant('2026-03-14')).toBe('2026-03-14T00:00:00.000Z');
    expect(isoInstant('2026-03-14T09:30Z')).toBe('2026-03-14T09:30:00.000Z');
    expect(isoInstant('2026-03-14T09:30:05.123456Z')).toBe('2026-03-14T09:30:05.123Z');
    expect(isoInstant('2026-03-14T09:30:00+02:00')).toBe('2026-03-14T07:30:00.000Z');
    expect(isoInstant('2024-02-29')).toBe('2024-02-29T00:00:00.000Z');
  });

  // What `audit export` took before (found by a reviewer): each one exported the wrong events
  // or none, with exit 0.
  it.each([
    ['99999', 'a year no stored instant reaches'],
    ['+010000-01-01T00:00:00Z', 'an expanded year'],
    ['1', 'read as 2001'],
    ['2026-02-30', 'rolled over to 2 March'],
    ['2025-02-29', 'not a leap year'],
    ['12/08/2026', "some locale's order"],
    ['2026-12-07T09:42', "no offset: the machine's own time zone"],
    ['2026-12-07 09:42Z', 'a space for the T'],
    ['yesterday', 'a word'],
    [' 2026-03-14', 'a blank before'],
    ['', 'empty'],
  ])('refuses %j (%s)', (value) => {
    expect(isoInstant(value)).toBeUndefined();
    expect(() => parseInstant(value, 'until')).toThrow(expect.objectContaining({ code: 'ERR_VALIDATION', detail: expect.stringMatching(/^until: (must be an ISO-8601 date|not a real date)/) }));
  });

  it('refuses what is not a string', () => {
    for (const value of [20260314, null, undefined, {}, ['2026-03-14']]) expect(isoInstant(value)).toBeUndefined();
  });
});
