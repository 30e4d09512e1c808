/**
 * Stable pseudonyms for de-identified output. HIPAA 164.514(c) allows a re-identification
 * code only if it is not derived from the identifier in a way others can reverse: a keyed
 * HMAC with a key held apart from the JWT secret meets that, and stays deterministic so a
 * researcher sees the same patient under the same pseudonym across calls.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** RFC 4648 base32 alphabet: case-insensitive to read aloud, no padding needed here. */
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** 80 bits: collisions stay negligible far beyond any hospital's patient count. */
const PSEUDONYM_BYTES = 10;
const PREFIX = 'R-';
/** Domain separation, so the same key used for another HMAC never yields these values. */
const CONTEXT = 'secure-hospital-ai/pseudonym/v1\u0000';
export const MIN_PSEUDONYM_KEY_LENGTH = 32;
const PSEUDONYM_SHAPE = /^R-[A-Z2-7]{16}$/;

export function assertPseudonymKey(key: string | undefined): asserts key is string {
  if (typeof key !== 'string' || key.length < MIN_PSEUDONYM_KEY_LENGTH) {
    throw new RangeError(
      `pseudonym key must be at least ${MIN_PSEUDONYM_KEY_LENGTH} characters (PSEUDONYM_KEY; never the JWT secret)`,
    );
  }
}

function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >>> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** `R-` + 16 base32 characters of HMAC-SHA256(key, id). Same id and key, same pseudonym. */
export function pseudonymFor(id: string, key: string): string {
  assertPseudonymKey(key);
  const mac = createHmac('sha256', key).update(CONTEXT).update(id).digest();
  return PREFIX + base32(mac.subarray(0, PSEUDONYM_BYTES));
}

export function isPseudonym(value: string): boolean {
  return PSEUDONYM_SHAPE.test(value);
}

/**
 * The id behind a pseudonym, found by recomputing it over candidate ids (a researcher's
 * `patient_id` argument). Linear in the candidates; a tool with many patients should store
 * the pseudonym in an indexed column instead and look it up.
 */
export function resolvePseudonym(pseudonym: string, candidateIds: Iterable<string>, key: string): string | undefined {
  if (!isPseudonym(pseudonym)) return undefined;
  const wanted = Buffer.from(pseudonym);
  for (const id of candidateIds) {
    const candidate = Buffer.from(pseudonymFor(id, key));
    if (candidate.length === wanted.length && timingSafeEqual(candidate, wanted)) return id;
  }
  return undefined;
}
