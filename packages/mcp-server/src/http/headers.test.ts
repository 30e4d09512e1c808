import { describe, expect, it } from 'vitest';
import { decodeMcpHeaderValue, negotiateFraming, requestIdFrom, traceparentFrom } from './headers.js';

describe('negotiateFraming', () => {
  it.each([
    [undefined, 'json'],
    ['', 'json'],
    ['application/json, text/event-stream', 'json'],
    ['text/event-stream, application/json', 'json'],
    ['*/*', 'json'],
    ['APPLICATION/JSON; charset=utf-8', 'json'],
    ['text/event-stream', 'sse'],
    ['application/json;q=0, text/event-stream', 'sse'],
    ['text/html', undefined],
    ['application/json;q=0.000', undefined],
  ] as const)('%j -> %s', (accept, framing) => {
    expect(negotiateFraming(accept)).toBe(framing);
  });

  it('reads a repeated Accept header as one list', () => {
    expect(negotiateFraming(['text/html', 'text/event-stream'])).toBe('sse');
  });
});

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
