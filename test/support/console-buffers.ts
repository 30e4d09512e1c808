/**
 * An operator's console for the administration commands' tests: what they write is kept, and
 * passwords "typed" are handed out in turn (none left: refused, as a closed terminal is).
 */
import type { OperatorIo } from '../../packages/cli/src/operator-command.js';
import { AppError } from '../../packages/core/src/errors.js';

export function consoleBuffers(passwords: string[] = []): OperatorIo & { stdout: string; stderr: string } {
  const buffers = {
    stdout: '',
    stderr: '',
    out(text: string) {
      buffers.stdout += text;
    },
    err(text: string) {
      buffers.stderr += text;
    },
    async readPassword() {
      const next = passwords.shift();
      if (next === undefined) throw new AppError('ERR_VALIDATION', { detail: 'no password given' });
      return next;
    },
  };
  return buffers;
}
