import { describe, expect, it } from 'vitest';
import { ageBucket, ageInYears, birthYear, maskLast4, yearOnly, zip3 } from './safe-harbor.js';

const NOW = new Date('2026-03-15T12:00:00Z');

describe('Safe Harbor transforms', () => {
  it('keeps only the year of dates and instants', () => {
    expect(yearOnly('1987-04-12')).toBe('1987');
    expect(yearOnly('2024-01-05T08:30:00Z')).toBe('2024');
    expect(yearOnly('2024-01-05T08:30:00.000+01:00')).toBe('2024');
    expect(yearOnly('April 12, 1987')).toBeNull();
  });

  it('gives the age reached in the year, the same on every day of it: no birthday can be read off it', () => {
    for (const birthDate of ['1980-01-01', '1980-03-15', '1980-03-16', '1980-12-31']) {
      for (const day of ['2026-01-01T00:00:00Z', '2026-03-15T12:00:00Z', '2026-03-16T00:00:00Z', '2026-12-31T23:59:59Z']) {
        expect(ageInYears(birthDate, new Date(day)), `${birthDate} on ${day}`).toBe(46);
      }
    }
    expect(ageInYears('2027-01-01', NOW)).toBeNull();
    expect(ageInYears('not a date', NOW)).toBeNull();
  });

  it('aggregates ages over 89 into 90+ and withholds their birth year', () => {
    expect(ageBucket('1937-12-31', NOW)).toBe(89);
    expect(ageBucket('1936-12-31', NOW)).toBe('90+');
    expect(ageBucket('1920-01-01', NOW)).toBe('90+');
    expect(birthYear('1937-01-01', NOW)).toBe('1937');
    expect(birthYear('1936-12-31', NOW)).toBeNull();
  });

  it('cuts ZIP codes to three digits, 000 for the restricted prefixes', () => {
    expect(zip3('02115')).toBe('021');
    expect(zip3('02115-1234')).toBe('021');
    expect(zip3('03601')).toBe('000');
    expect(zip3('89301')).toBe('000');
    expect(zip3('ABCDE')).toBeNull();
  });

  it('masks an SSN to its last four digits', () => {
    expect(maskLast4('123-45-6789')).toBe('***-**-6789');
    expect(maskLast4('123456789')).toBe('***-**-6789');
    expect(maskLast4('12')).toBe('***-**-****');
  });
});
