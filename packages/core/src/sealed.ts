/**
 * Opaque values handed to a client and taken back, such as page cursors: AES-256-GCM under a key
 * derived from the server's key and the value's purpose. A client can neither read one (a
 * cursor that said "seq 33210" told a patient how busy the whole hospital's log is) nor make
 * one up, and a value sealed for one purpose does not open for another.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

function keyFor(key: string | Uint8Array, purpose: string): Buffer {
  return createHash('sha256').update(typeof key === 'string' ? Buffer.from(key, 'utf8') : key).update(purpose).digest();
}

/**
 * A key of `key`'s own for one holder (an account in a role): what is sealed under it opens
 * for that holder only. Cursors sealed under the server's key alone opened for anyone, and a
 * receptionist's listing cursor let a researcher walk pseudonyms back to record ids.
 */
export function holderKey(key: string | Uint8Array, holder: string): Buffer {
  return createHmac('sha256', typeof key === 'string' ? Buffer.from(key, 'utf8') : key)
    .update(`holder\0${holder}`)
    .digest();
}

export function seal(plain: string, key: string | Uint8Array, purpose: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFor(key, purpose), iv);
  const sealed = Buffer.concat([cipher.update(Buffer.from(plain, 'utf8')), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
}

/** The sealed text, or undefined for anything this key and purpose did not seal. */
export function unseal(token: string, key: string | Uint8Array, purpose: string): string | undefined {
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{1,2048}$/.test(token)) return undefined;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES + 1) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(key, purpose), raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
