import { describe, expect, it } from 'vitest';
import { isValidTraceparent, requestIdFrom, traceparentFrom } from './trace-context.js';

describe('requestIdFrom', () => {
  it('keeps a sane client id', () => {
    expect(requestIdFrom('abc-123_x.y:z')).toBe('abc-123_x.y:z');
  });

  it.each([undefined, '', 'has space', 'a'.repeat(129), 'new\nline', 'ünïcode', ['a', 'b']])('replaces %j with a UUID', (value) => {
    const id = requestIdFrom(value as string | string[] | undefined);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('traceparent', () => {
  const valid = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('accepts the specification example and keeps it', () => {
    expect(isValidTraceparent(valid)).toBe(true);
    expect(traceparentFrom(valid)).toBe(valid);
  });

  it.each([
    '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
    'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra',
    'garbage',
  ])('refuses %s', (value) => {
    expect(isValidTraceparent(value)).toBe(false);
    const fresh = traceparentFrom(value);
    expect(fresh).not.toBe(value);
    expect(isValidTraceparent(fresh)).toBe(true);
  });

  it('accepts a future version with extra fields', () => {
    expect(isValidTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future')).toBe(true);
  });

  it('starts distinct traces', () => {
    expect(traceparentFrom(undefined)).not.toBe(traceparentFrom(undefined));
  });
});
