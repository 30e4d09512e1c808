/**
 * Password hashing with argon2id at OWASP's recommended minimum (Password Storage Cheat
 * Sheet: m=19 MiB, t=2, p=1). The argon2 binding hashes on libuv's thread pool, so a login
 * storm does not stall the event loop that serves tool calls.
 */
import argon2 from 'argon2';

const OPTIONS = { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

/** Longer inputs only cost CPU: refuse them before hashing (a cheap denial-of-service). */
export const MAX_PASSWORD_LENGTH = 1024;

export async function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real verification, for unknown usernames, so response time does
 * not reveal which accounts exist (OWASP Authentication Cheat Sheet).
 */
export async function burnVerification(password: string): Promise<false> {
  dummyHash ??= hashPassword('unused-dummy-password');
  await verifyPassword(await dummyHash, password.slice(0, MAX_PASSWORD_LENGTH));
  return false;
}
