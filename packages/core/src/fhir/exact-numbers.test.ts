import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstInexactNumber } from './exact-numbers.js';

describe('firstInexactNumber', () => {
  it.each(['0', '-0', '0.1', '1.10', '98.6', '120', '1e3', '1E-7', '-2.5e+10', '0.30000000000000004', '9007199254740991', '1.7976931348623157e308', '5e-324'])(
    'lets %s through: a double holds it as written',
    (literal) => expect(firstInexactNumber(`{"value": ${literal}}`)).toBeUndefined(),
  );

  it.each(['123456789012345678901234567890123456789', '9007199254740993', '0.1234567890123456789', '1e400', '1e-400', '-12345678901234567891'])(
    'finds %s, which a double would round',
    (literal) => expect(firstInexactNumber(`{"a": 1,\n "b": "12345678901234567890123",\n "value": ${literal}}`)).toEqual({ literal, lineOffset: 2 }),
  );

  it('skips digits inside strings, escaped quotes included', () => {
    expect(firstInexactNumber('{"id": "12345678901234567890123", "note": "he said \\"99999999999999999999\\" twice"}')).toBeUndefined();
  });

  it('lets every number JSON.stringify writes through', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        expect(firstInexactNumber(JSON.stringify({ value }))).toBeUndefined();
      }),
    );
  });
});
