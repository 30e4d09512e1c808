import { createHmac, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertPatients } from '../../../test/support/patients.js';
import { useTestDatabase } from '../../../test/support/test-database.js';
import { accountStateLookup } from './account-state.js';
import { createAccount, resetPassword, setAccountActive, setAccountRole } from './accounts.js';
import { Authenticator } from './authenticate.js';
import { loadConfig } from './config.js';
import type { Database } from './db/database.js';
import { AppError } from './errors.js';
import { nowSeconds, TokenService } from './tokens.js';

describe('Authenticator (real database)', () => {
  let database: Database;
  useTestDatabase((opened) => (database = opened));
  let tokens: TokenService;
  let auth: Authenticator;
  let doctorId: string;
  const secret = randomBytes(32).toString('hex');

  /** A token as another issuer with the shared secret would mint it (SimpleJWT: no iss, no aud, maybe no iat). */
  function hs256(claims: Record<string, unknown>): string {
    const input = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  }

  beforeAll(async () => {
    const db = database.db;
    tokens = new TokenService(loadConfig({ NODE_ENV: 'test', JWT_SECRET: secret }, { envFile: false }).jwt);
    auth = new Authenticator(tokens, accountStateLookup(database));
    await insertPatients(db, ['P001']);
    doctorId = String((await createAccount(db, { username: 'doc_a', password: 'password-a', role: 'doctor' })).id);
    await createAccount(db, { username: 'doc_b', password: 'password-b', role: 'doctor' });
    await createAccount(db, { username: 'pat_a', password: 'password-p', role: 'patient', patientId: 'P001' });
  });

  const bearer = (token: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...extra });

  async function refusal(headers: Record<string, string | undefined>): Promise<AppError> {
    try {
      await auth.authenticate(headers);
    } catch (error) {
      if (error instanceof AppError) return error;
      throw error;
    }
    throw new Error('expected a refusal');
  }

  it('identifies the caller from the token alone', async () => {
    const { token } = await tokens.issueAccess({ userId: doctorId, role: 'doctor' });
    await expect(auth.authenticate(bearer(token))).resolves.toMatchObject({ userId: doctorId, role: 'doctor' });
    await expect(auth.authenticate(bearer(token, { 'x-user-id': doctorId, 'x-user-role': 'doctor' }))).resolves.toBeTruthy();
  });

  it('refuses a missing or non-bearer Authorization header with a Bearer challenge', async () => {
    for (const headers of [{}, { authorization: 'Basic Zm9vOmJhcg==' }, { authorization: 'Bearer ' }]) {
      const error = await refusal(headers);
      expect(error.http).toBe(401);
      expect(error.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  it.each([
    ['X-User-Id of another account', { 'x-user-id': '999' }],
    ['X-User-Role of a more powerful role', { 'x-user-role': 'admin' }],
  ])('refuses %s (401, identity mismatch)', async (_name, extra) => {
    const { token } = await tokens.issueAccess({ userId: doctorId, role: 'doctor' });
    const error = await refusal(bearer(token, extra));
    expect(error.code).toBe('ERR_IDENTITY_MISMATCH');
    expect(error.http).toBe(401);
  });

  it('refuses a revoked jti', async () => {
    const issued = await tokens.issueAccess({ userId: doctorId, role: 'doctor' });
    await database.db
      .insertInto('revoked_tokens')
      .values({ jti: issued.jti, account_id: Number(doctorId), expires_at: new Date(issued.exp * 1000).toISOString(), revoked_at: new Date().toISOString(), reason: 'test' })
      .execute();
    expect((await refusal(bearer(issued.token))).code).toBe('ERR_TOKEN_REVOKED');
  });

  it('refuses a token for an account that does not exist', async () => {
    const { token } = await tokens.issueAccess({ userId: '424242', role: 'doctor' });
    expect((await refusal(bearer(token))).code).toBe('ERR_TOKEN_INVALID');
  });

  it('deactivation and role changes act on the very next request', async () => {
    const db = database.db;
    const account = await createAccount(db, { username: 'doc_c', password: 'password-c', role: 'doctor' });
    // Minted here, as Django's SimpleJWT would mint it: in no ledger, so ended by its issue time.
    const { token } = await tokens.issueAccess({ userId: String(account.id), role: 'doctor' }, nowSeconds() - 5);
    await expect(auth.authenticate(bearer(token))).resolves.toBeTruthy();
    await setAccountActive(db, 'doc_c', false);
    const inactive = await refusal(bearer(token));
    expect(inactive.code).toBe('ERR_ACCOUNT_INACTIVE');
    expect(inactive.http).toBe(403);
    await setAccountActive(db, 'doc_c', true);
    // Reactivation does not bring back what deactivation ended.
    expect(await refusal(bearer(token))).toMatchObject({ code: 'ERR_TOKEN_REVOKED', internalReason: 'issued_before_sessions_ended' });
    const fresh = await tokens.issueAccess({ userId: String(account.id), role: 'doctor' });
    await expect(auth.authenticate(bearer(fresh.token))).resolves.toBeTruthy();
    await setAccountRole(db, 'doc_c', 'receptionist');
    expect((await refusal(bearer(fresh.token))).code).toBe('ERR_TOKEN_REVOKED');
  });

  it('a password reset ends tokens in no ledger too; a token without an issue time is refused once sessions have ended', async () => {
    const db = database.db;
    const account = await createAccount(db, { username: 'doc_d', password: 'password-d', role: 'doctor' });
    const userId = String(account.id);
    const before = await tokens.issueAccess({ userId, role: 'doctor' }, nowSeconds() - 5);
    const undated = hs256({ user_id: account.id, role: 'doctor', token_type: 'access', jti: 'undated-1', exp: nowSeconds() + 300 });
    // Minted elsewhere in the very second of the reset (or the one before): refused either way.
    const sameSecond = hs256({ user_id: account.id, role: 'doctor', token_type: 'access', jti: 'same-second-1', iat: nowSeconds(), exp: nowSeconds() + 300 });
    await expect(auth.authenticate(bearer(undated))).resolves.toMatchObject({ userId });
    await expect(auth.authenticate(bearer(sameSecond))).resolves.toMatchObject({ userId });
    await resetPassword(db, 'doc_d', 'a brand new passphrase');
    for (const token of [before.token, undated, sameSecond]) {
      expect(await refusal(bearer(token))).toMatchObject({ code: 'ERR_TOKEN_REVOKED', http: 401 });
    }
    // A login right after the reset, in the same second, is not refused for its whole life.
    const after = await tokens.issueAccess({ userId, role: 'doctor' });
    await expect(auth.authenticate(bearer(after.token))).resolves.toMatchObject({ userId });
  });

  it('binds a patient token to the account\'s own patient record', async () => {
    const account = await database.db.selectFrom('accounts').select('id').where('username', '=', 'pat_a').executeTakeFirstOrThrow();
    const own = await tokens.issueAccess({ userId: String(account.id), role: 'patient', patientId: 'P001' });
    await expect(auth.authenticate(bearer(own.token))).resolves.toMatchObject({ patientId: 'P001' });
    const other = await tokens.issueAccess({ userId: String(account.id), role: 'patient', patientId: 'P002' });
    expect((await refusal(bearer(other.token))).code).toBe('ERR_TOKEN_INVALID');
  });
});
