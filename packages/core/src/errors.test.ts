import { describe, expect, it } from 'vitest';
import { AppError, toAppError } from './errors.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('toAppError', () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', '08006', '57P01', '53300'])('answers a database out of reach (%s) with 503 and Retry-After', (code) => {
    expect(toAppError(withCode(code))).toMatchObject({ code: 'ERR_UNAVAILABLE', http: 503, headers: { 'retry-after': '1' }, internalReason: `database_unreachable:${code.toLowerCase()}` });
  });

  it("answers node-postgres's ended connection with 503", () => {
    expect(toAppError(new Error('Connection terminated unexpectedly'))).toMatchObject({ code: 'ERR_UNAVAILABLE', http: 503 });
  });

  it('answers SQLite busy with 503, and anything else with 500 that names nothing', () => {
    expect(toAppError(withCode('SQLITE_BUSY'))).toMatchObject({ code: 'ERR_UNAVAILABLE', internalReason: 'database_busy:sqlite_busy' });
    const internal = toAppError(withCode('23505', 'duplicate key value violates unique constraint "secret_table"'));
    expect(internal).toMatchObject({ code: 'ERR_INTERNAL', http: 500 });
    expect(internal.detail).not.toContain('secret_table');
    const known = new AppError('ERR_FORBIDDEN');
    expect(toAppError(known)).toBe(known);
  });
});
