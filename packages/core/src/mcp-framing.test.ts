import { describe, expect, it } from 'vitest';
import { negotiateFraming } from './mcp-framing.js';

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
