import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditEvent } from '../../../../test/audit/support.js';
import { canonicalRedactions, chainEvent, chainValues, GENESIS_HASH, HASH_INDEX, hashChainValues, hashStoredEvent, withSeq } from './chain.js';
import type { StoredAuditEvent } from './event.js';
import { normalizeAuditEvent, reasonSlug } from './normalize.js';
import { ChainChecker } from './verify.js';

const fields = normalizeAuditEvent(auditEvent({ time: '2026-03-01T10:00:00.000Z' }));

describe('audit hash', () => {
  it('is SHA-256 over a domain tag and the canonical JSON of the chain values, in column order', () => {
    const values = chainValues(fields, 1, GENESIS_HASH);
    const expected = createHash('sha256')
      .update('secure-hospital-ai/audit/v1\n')
      .update(
        '[1,"2026-03-01T10:00:00.000Z","req-1","mcp-server","tools/call","1","doctor","get_patient_overview","P001",' +
          '"allow","care_team",0,"TREAT","{\\"ssn\\":1}","127.0.0.1","vitest","' + GENESIS_HASH + '"]',
      )
      .digest('hex');
    expect(hashChainValues(values)).toBe(expected);
  });

  it('changes when any single field, the position or the predecessor changes', () => {
    const base = hashChainValues(chainValues(fields, 5, GENESIS_HASH));
    expect(hashChainValues(chainValues(fields, 6, GENESIS_HASH))).not.toBe(base);
    expect(hashChainValues(chainValues(fields, 5, 'f'.repeat(64)))).not.toBe(base);
    for (const [key, value] of Object.entries({ patient_id: 'P002', decision: 'deny', break_glass: 1, redactions: '{"ssn":2}', user_agent: null })) {
      expect(hashChainValues(chainValues({ ...fields, [key]: value }, 5, GENESIS_HASH)), key).not.toBe(base);
    }
  });

  it('keeps null and the empty string apart (no ambiguous encoding)', () => {
    const a = hashChainValues(chainValues({ ...fields, user_agent: null }, 1, GENESIS_HASH));
    const b = hashChainValues(chainValues({ ...fields, user_agent: '' }, 1, GENESIS_HASH));
    const c = hashChainValues(chainValues({ ...fields, user_agent: 'null' }, 1, GENESIS_HASH));
    expect(new Set([a, b, c]).size).toBe(3);
  });

  it('hashes a stored event object the same as the row the writer built', () => {
    const row = chainEvent(fields, 3, 'a'.repeat(64));
    const stored = { ...fields, seq: 3, prev_hash: 'a'.repeat(64), hash: row[HASH_INDEX] } as StoredAuditEvent;
    expect(hashStoredEvent(stored)).toBe(stored.hash);
  });

  it('rewrites only the leading seq of canonical JSON', () => {
    expect(withSeq('[12,"x",12]', 13)).toBe('[13,"x",12]');
  });

  it('serialises redaction counts with sorted keys', () => {
    expect(canonicalRedactions({ ssn: 1, name: 4, address: 2 })).toBe('{"address":2,"name":4,"ssn":1}');
    expect(canonicalRedactions({})).toBe('{}');
  });
});

describe('normalizeAuditEvent', () => {
  it('fills in the time, stores the flag as 0/1 and the redactions canonically', () => {
    const before = Date.now();
    const normal = normalizeAuditEvent(auditEvent({ break_glass: true, redactions: { name: 2, dob: 1 } }));
    expect(Date.parse(normal.time)).toBeGreaterThanOrEqual(before);
    expect(normal.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(normal.break_glass).toBe(1);
    expect(normal.redactions).toBe('{"dob":1,"name":2}');
  });

  it('normalises a given time to UTC milliseconds', () => {
    expect(normalizeAuditEvent(auditEvent({ time: '2026-03-01T12:00:00+02:00' })).time).toBe('2026-03-01T10:00:00.000Z');
  });

  it('reduces a free-text reason to a slug, so a sentence cannot be stored', () => {
    expect(reasonSlug('care_team')).toBe('care_team');
    expect(reasonSlug('Signature verification failed')).toBe('signature_verification_failed');
    expect(reasonSlug('  ')).toBe('unspecified');
    expect(reasonSlug('x'.repeat(300))).toHaveLength(100);
  });

  it('bounds and cleans what a client can influence instead of losing the event', () => {
    const normal = normalizeAuditEvent(
      auditEvent({ user_agent: `evil\u0000\nagent\ud800${'x'.repeat(1000)}`, request_id: 'r'.repeat(500), tool: 'no such tool!' }),
    );
    expect(normal.user_agent?.startsWith('evil  agent\ufffd')).toBe(true);
    expect(normal.user_agent).toHaveLength(512);
    expect(normal.request_id).toHaveLength(200);
    expect(normal.tool).toBe('no such tool!');
  });

  it('cleans exactly as the plain rules say, whether or not the fast paths for clean text apply', () => {
    // The rules, written the slow way: every control character to a space, every lone
    // surrogate to U+FFFD, then the bound; a reason lower-cased, runs of other characters to
    // '_', leading non-alphanumerics and trailing '_' dropped, then the bound.
    const plainText = (text: string, max: number) =>
      text
        .replace(/[\u0000-\u001f\u007f]/g, ' ')
        .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
        .slice(0, max);
    const plainSlug = (text: string) =>
      text.toLowerCase().replace(/[^a-z0-9_.:/-]+/g, '_').replace(/^[^a-z0-9]+|_+$/g, '').slice(0, 100) || 'unspecified';
    const pieces = fc.constantFrom('a', 'Z', '0', '_', '-', '.', ':', '/', ' ', '\u0000', '\n', '\u007f', '\ud800', '\udc00', '\ud83d\ude00', 'é');
    const slugPieces = fc.constantFrom('a', '0', '_', '-', '.', ':', '/');
    const text = fc.oneof(
      fc.string({ unit: pieces, maxLength: 120 }),
      fc.string({ unit: slugPieces, maxLength: 110 }),
      fc.string({ unit: 'grapheme-composite', maxLength: 40 }),
    );
    fc.assert(
      fc.property(text, (value) => {
        expect(reasonSlug(value)).toBe(plainSlug(value));
        expect(normalizeAuditEvent(auditEvent({ user_agent: value, request_id: value })).user_agent).toBe(plainText(value, 512));
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['source', { source: 'elsewhere' }],
    ['action', { action: 'tools/delete' }],
    ['decision', { decision: 'maybe' }],
    ['role', { role: 'janitor' }],
    ['purpose_of_use', { purpose_of_use: 'FUN' }],
    ['redactions', { redactions: { ssn: -1 } }],
    ['redactions', { redactions: { 'John Smith': 1 } }],
    ['break_glass', { break_glass: 'yes' }],
    ['time', { time: 'yesterday' }],
  ])('refuses a bad %s (a programming error, not client input)', (field, override) => {
    expect(() => normalizeAuditEvent(auditEvent(override as never))).toThrow(expect.objectContaining({ code: 'ERR_INTERNAL' }));
    try {
      normalizeAuditEvent(auditEvent(override as never));
    } catch (error) {
      expect((error as { internalReason: string }).internalReason).toContain(field);
    }
  });
});

describe('ChainChecker', () => {
  function chain(n: number): { seq: number; prev: string; hash: string; canonical: string }[] {
    let prev = GENESIS_HASH;
    return Array.from({ length: n }, (_, i) => {
      const values = chainValues({ ...fields, request_id: `req-${i + 1}` }, i + 1, prev);
      const hash = hashChainValues(values);
      const event = { seq: i + 1, prev, hash, canonical: JSON.stringify(values) };
      prev = hash;
      return event;
    });
  }

  function run(events: ReturnType<typeof chain>, head: { seq: number; hash: string }) {
    const checker = new ChainChecker();
    for (const e of events) {
      const outcome = checker.check(e.seq, e.prev, e.hash, e.canonical);
      if (outcome) return outcome;
    }
    return checker.finish(head);
  }

  it('accepts an intact chain and an empty one', () => {
    const events = chain(5);
    const last = events[4]!;
    expect(run(events, { seq: 5, hash: last.hash })).toBeUndefined();
    expect(run([], { seq: 0, hash: GENESIS_HASH })).toBeUndefined();
  });

  it('names a seq gap as missing, and a log shorter than its head too', () => {
    const events = chain(5);
    expect(run([...events.slice(0, 2), ...events.slice(3)], { seq: 5, hash: events[4]!.hash })).toEqual({ firstBadSeq: 3, reason: 'missing' });
    expect(run(events.slice(0, 4), { seq: 5, hash: events[4]!.hash })).toEqual({ firstBadSeq: 5, reason: 'missing' });
  });

  it('names events past the head as inserted', () => {
    const events = chain(5);
    expect(run(events, { seq: 4, hash: events[3]!.hash })).toEqual({ firstBadSeq: 5, reason: 'inserted' });
  });

  it('checks a recorded anchor', () => {
    const events = chain(3);
    const checker = new ChainChecker({ seq: 2, hash: 'b'.repeat(64) });
    checker.check(events[0]!.seq, events[0]!.prev, events[0]!.hash, events[0]!.canonical);
    expect(checker.check(events[1]!.seq, events[1]!.prev, events[1]!.hash, events[1]!.canonical)).toEqual({ firstBadSeq: 2, reason: 'anchor_mismatch' });
  });
});
