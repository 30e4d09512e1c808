import { describe, expect, it } from 'vitest';
import { decodeMcpHeaderValue, requestIdFrom, traceparentFrom } from './headers.js';

describe('requestIdFrom', () => {
  it('keeps a plain token and replaces anything else', () => {
    expect(requestIdFrom('abc-123.x:z')).toBe('abc-123.x:z');
    for (const bad of [undefined, '', 'a b', 'x'.repeat(129), 'id\n', ['a', 'b']]) {
      expect(requestIdFrom(bad)).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('other headers', () => {
  it('accepts only W3C-shaped traceparent values', () => {
    const good = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(traceparentFrom(good)).toBe(good);
    expect(traceparentFrom('00-xyz')).toBeUndefined();
  });

  it('decodes the Base64 sentinel of revision 2026-07-28', () => {
    expect(decodeMcpHeaderValue('get_patient_overview')).toBe('get_patient_overview');
    expect(decodeMcpHeaderValue(`=?base64?${Buffer.from('données').toString('base64')}?=`)).toBe('données');
    expect(decodeMcpHeaderValue(['a', 'b'])).toBeUndefined();
  });
});
