import { describe, expect, it } from 'vitest';
import { normalizeOrigin, originAllowList } from './origins.js';

describe('origin allow-list', () => {
  it('compares serialised origins case-insensitively, whichever side has the trailing slash', () => {
    expect(normalizeOrigin('HTTP://127.0.0.1:8000/')).toBe('http://127.0.0.1:8000');
    const allowed = originAllowList(['https://EHR.example.org/', 'http://127.0.0.1:8000']);
    expect(allowed('https://ehr.example.org')).toBe(true);
    expect(allowed('http://127.0.0.1:8000')).toBe(true);
    expect(allowed('HTTP://127.0.0.1:8000/')).toBe(true);
  });

  it('refuses every other origin: another scheme, port, host or a look-alike', () => {
    const allowed = originAllowList(['https://ehr.example.org', 'http://127.0.0.1:8000']);
    for (const origin of [
      'http://ehr.example.org',
      'https://ehr.example.org:8443',
      'https://ehr.example.org.evil.example',
      'https://evil.example',
      'http://127.0.0.1:9000',
      'http://localhost:8000',
      'null',
      '',
    ]) {
      expect(allowed(origin), origin).toBe(false);
    }
  });

  it('never allows the opaque origin, even when an operator lists it', () => {
    expect(originAllowList(['null', 'http://127.0.0.1:8000'])('null')).toBe(false);
    expect(originAllowList(['NULL'])('null')).toBe(false);
  });

  it('with an empty list, refuses every browser origin', () => {
    expect(originAllowList([])('http://127.0.0.1:8000')).toBe(false);
  });
});
