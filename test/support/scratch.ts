/**
 * Temporary directories that do not outlive the test file that made them. Several tests run
 * the CLI in one, which writes a generated `.env` (a JWT secret and a pseudonym key) there;
 * left behind, every test run added more of them to the machine's temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * A new directory, removed with everything in it after the tests of the describe block (or
 * file) that asked for it. Call it while the tests are being collected, not inside a test.
 */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
