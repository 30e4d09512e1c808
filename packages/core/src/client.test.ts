import { describe, expect, it } from 'vitest';
import { MAX_USER_AGENT, trustNearestHop, trustNearestLoopbackHop, userAgentFrom } from './client.js';

describe('whose X-Forwarded-For is believed', () => {
  it('only the nearest hop, never one further out', () => {
    expect(trustNearestHop('10.1.2.3', 0)).toBe(true);
    expect(trustNearestHop('10.1.2.3', 1)).toBe(false);
  });

  it('without TRUST_PROXY, only a nearest hop on this host', () => {
    for (const address of ['127.0.0.1', '127.10.0.2', '::1', '::ffff:127.0.0.1']) expect(trustNearestLoopbackHop(address, 0), address).toBe(true);
    for (const address of ['10.0.0.5', '192.168.1.1', '::ffff:10.0.0.5', 'fe80::1', '1270.0.0.1', '128.0.0.1']) {
      expect(trustNearestLoopbackHop(address, 0), address).toBe(false);
    }
    expect(trustNearestLoopbackHop('127.0.0.1', 1)).toBe(false);
  });
});

describe('userAgentFrom', () => {
  it('keeps a user agent, bounded, and nothing else', () => {
    expect(userAgentFrom('curl/8.5')).toBe('curl/8.5');
    expect(userAgentFrom('x'.repeat(1000))).toHaveLength(MAX_USER_AGENT);
    expect(userAgentFrom(['a', 'b'])).toBeUndefined();
    expect(userAgentFrom(undefined)).toBeUndefined();
  });
});
