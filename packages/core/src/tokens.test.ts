import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import * as jose from 'jose';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { AppError } from './errors.js';
import { TokenService, nowSeconds } from './tokens.js';

const secret = randomBytes(32).toString('hex');
const jwtConfig = (extra: Record<string, string> = {}) =>
  loadConfig({ NODE_ENV: 'test', JWT_SECRET: secret, ...extra }, { envFile: false }).jwt;

/** Signs arbitrary header/claims with HS256, the way another issuer (or an attacker) would. */
function forge(header: Record<string, unknown>, claims: Record<string, unknown>, key = secret): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

const base = () => ({ token_type: 'access', exp: nowSeconds() + 300, iat: nowSeconds(), jti: 'abc123', user_id: 7, role: 'doctor' });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    return error instanceof AppError ? error.code : `unexpected: ${String(error)}`;
  }
}

describe('TokenService (HS256 fast path)', () => {
  const service = new TokenService(jwtConfig());

  it('checks time and type on every use of a token whose signature it remembers, and remembers nothing else', async () => {
    const issued = await service.issueAccess({ userId: '9', role: 'nurse' });
    const now = nowSeconds();
    expect((await service.verify(issued.token, 'access', now)).userId).toBe('9');
    // The second use is served from memory: expiry and type still apply to it.
    expect(await codeOf(service.verify(issued.token, 'access', issued.exp + 31))).toBe('ERR_TOKEN_EXPIRED');
    expect(await codeOf(service.verify(issued.token, 'refresh', now))).toBe('ERR_TOKEN_TYPE');
    // Any other text, even one character of the signature away, is checked in full.
    const [head, body, signature] = issued.token.split('.') as [string, string, string];
    const flipped = `${head}.${body}.${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.slice(-1)}`;
    expect(await codeOf(service.verify(flipped, 'access', now))).toBe('ERR_TOKEN_INVALID');
    const otherKey = forge({ alg: 'HS256', typ: 'JWT' }, JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>, 'another-secret-of-32-bytes-or-more!!');
    expect(await codeOf(service.verify(otherKey, 'access', now))).toBe('ERR_TOKEN_INVALID');
    // A service with another secret does not share what this one remembers.
    const stranger = new TokenService(loadConfig({ NODE_ENV: 'test', JWT_SECRET: randomBytes(32).toString('hex') }, { envFile: false }).jwt);
    expect(await codeOf(stranger.verify(issued.token, 'access', now))).toBe('ERR_TOKEN_INVALID');
  });

  it('issues access tokens with the claims SPEC lists and verifies them', async () => {
    const issued = await service.issueAccess({ userId: '42', role: 'patient', patientId: 'P001' });
    const claims = JSON.parse(Buffer.from(issued.token.split('.')[1] as string, 'base64url').toString());
    expect(claims).toMatchObject({ sub: '42', user_id: '42', role: 'patient', patient_id: 'P001', token_type: 'access' });
    expect(claims.exp - claims.iat).toBe(300);
    expect(claims.iss).toBe('secure-hospital-ai-gateway');
    expect(claims.aud).toBe('secure-hospital-ai-mcp');
    expect(typeof claims.jti).toBe('string');
    const verified = await service.verify(issued.token, 'access');
    expect(verified).toMatchObject({ userId: '42', role: 'patient', patientId: 'P001', jti: issued.jti });
  });

  it('agrees with jose on signatures it issues', async () => {
    const issued = await service.issueAccess({ userId: '1', role: 'doctor' });
    const { payload } = await jose.jwtVerify(issued.token, new TextEncoder().encode(secret), { algorithms: ['HS256'] });
    expect(payload.sub).toBe('1');
  });

  it('accepts a token minted by Django REST framework SimpleJWT with a role claim', async () => {
    const token = forge({ alg: 'HS256', typ: 'JWT' }, base());
    await expect(service.verify(token, 'access')).resolves.toMatchObject({ userId: '7', role: 'doctor', jti: 'abc123' });
  });

  it.each([
    ['alg none', forge({ alg: 'none', typ: 'JWT' }, base()).split('.').slice(0, 2).join('.') + '.', 'ERR_TOKEN_INVALID'],
    ['alg none with signature', forge({ alg: 'none' }, base()), 'ERR_TOKEN_INVALID'],
    ['HS512 header', forge({ alg: 'HS512' }, base()), 'ERR_TOKEN_INVALID'],
    ['wrong key', forge({ alg: 'HS256' }, base(), 'another-secret-another-secret-32b'), 'ERR_TOKEN_INVALID'],
    ['expired beyond leeway', forge({ alg: 'HS256' }, { ...base(), exp: nowSeconds() - 31 }), 'ERR_TOKEN_EXPIRED'],
    ['not yet valid beyond leeway', forge({ alg: 'HS256' }, { ...base(), nbf: nowSeconds() + 60 }), 'ERR_TOKEN_INVALID'],
    ['refresh token as access', forge({ alg: 'HS256' }, { ...base(), token_type: 'refresh' }), 'ERR_TOKEN_TYPE'],
    ['no token_type', forge({ alg: 'HS256' }, { ...base(), token_type: undefined }), 'ERR_TOKEN_TYPE'],
    ['no jti', forge({ alg: 'HS256' }, { ...base(), jti: undefined }), 'ERR_TOKEN_INVALID'],
    ['no exp', forge({ alg: 'HS256' }, { ...base(), exp: undefined }), 'ERR_TOKEN_INVALID'],
    ['unknown role', forge({ alg: 'HS256' }, { ...base(), role: 'superuser' }), 'ERR_TOKEN_INVALID'],
    ['no subject', forge({ alg: 'HS256' }, { ...base(), user_id: undefined }), 'ERR_TOKEN_INVALID'],
    ['sub and user_id disagree', forge({ alg: 'HS256' }, { ...base(), sub: '8' }), 'ERR_TOKEN_INVALID'],
    ['garbage', 'not-a-token', 'ERR_TOKEN_INVALID'],
    ['four segments', `${forge({ alg: 'HS256' }, base())}.x`, 'ERR_TOKEN_INVALID'],
    ['payload tampered', (() => {
      const [h, , s] = forge({ alg: 'HS256' }, base()).split('.');
      return `${h}.${Buffer.from(JSON.stringify({ ...base(), role: 'admin' })).toString('base64url')}.${s}`;
    })(), 'ERR_TOKEN_INVALID'],
  ])('refuses %s', async (_name, token, code) => {
    expect(await codeOf(service.verify(token, 'access'))).toBe(code);
  });

  it('says why an unsigned or wrongly signed token was refused, without repeating what its header made up', async () => {
    const reasonOf = async (token: string) => {
      try {
        await service.verify(token, 'access');
      } catch (error) {
        return (error as { internalReason?: string }).internalReason;
      }
      return 'accepted';
    };
    const unsigned = forge({ alg: 'none', typ: 'JWT' }, base()).split('.').slice(0, 2).join('.') + '.';
    expect(await reasonOf(unsigned)).toBe('algorithm none is not the configured one');
    expect(await reasonOf(forge({ alg: 'HS512' }, base()))).toBe('algorithm HS512 is not the configured one');
    for (const alg of ['x'.repeat(5000), 'SSN 123-45-6789', 7, null]) {
      expect(await reasonOf(forge({ alg }, base()))).toBe('algorithm (not a JOSE algorithm) is not the configured one');
    }
    expect(await reasonOf(`${forge({ alg: 'HS256' }, base())}=`)).toBe('segment not in canonical base64url');
  });

  it('refuses a token issued in the future beyond the 30 s leeway (it would outlive the ending of its sessions)', async () => {
    expect(await codeOf(service.verify(forge({ alg: 'HS256', typ: 'JWT' }, { ...base(), iat: nowSeconds() + 25 }), 'access'))).toBe('accepted');
    expect(await codeOf(service.verify(forge({ alg: 'HS256', typ: 'JWT' }, { ...base(), iat: nowSeconds() + 86_400 }), 'access'))).toBe('ERR_TOKEN_INVALID');
  });

  it('allows 30 s of clock skew on exp and nbf', async () => {
    const token = forge({ alg: 'HS256' }, { ...base(), exp: nowSeconds() - 20, nbf: nowSeconds() + 20 });
    await expect(service.verify(token, 'access')).resolves.toBeTruthy();
  });

  it('requires issuer and audience only when configured', async () => {
    const strict = new TokenService(jwtConfig({ JWT_ISSUER: 'gw', JWT_AUDIENCE: 'mcp' }));
    expect(await codeOf(strict.verify(forge({ alg: 'HS256' }, base()), 'access'))).toBe('ERR_TOKEN_INVALID');
    expect(await codeOf(strict.verify(forge({ alg: 'HS256' }, { ...base(), iss: 'gw', aud: 'other' }), 'access'))).toBe('ERR_TOKEN_INVALID');
    expect(await codeOf(strict.verify(forge({ alg: 'HS256' }, { ...base(), iss: 'gw', aud: ['x', 'mcp'] }), 'access'))).toBe('accepted');
    const issued = await strict.issueAccess({ userId: '3', role: 'nurse' });
    expect(await codeOf(strict.verify(issued.token, 'access'))).toBe('accepted');
  });

  it('refresh tokens carry their family and verify only as refresh', async () => {
    const issued = await service.issueRefresh({ userId: '9', role: 'nurse' }, 'fam-1');
    await expect(service.verify(issued.token, 'refresh')).resolves.toMatchObject({ family: 'fam-1', tokenType: 'refresh' });
    expect(await codeOf(service.verify(issued.token, 'access'))).toBe('ERR_TOKEN_TYPE');
  });
});

describe('TokenService: one spelling per token', () => {
  /** The same bytes base64url-encoded another way Node would still decode. */
  const respellings = (token: string): string[] => {
    const [head, body, signature] = token.split('.') as [string, string, string];
    const standard = (segment: string) => Buffer.from(segment, 'base64url').toString('base64');
    const padded = (segment: string) => segment + '='.repeat((4 - (segment.length % 4)) % 4);
    // The last character of a segment whose length is 2 or 3 mod 4 carries bits the decoder drops.
    const lastChar = (segment: string) => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const index = alphabet.indexOf(segment.at(-1) as string);
      return segment.slice(0, -1) + alphabet[index ^ 1];
    };
    return [
      `${head}.${padded(body)}.${signature}`,
      `${head}.${body}.${padded(signature)}`,
      `${standard(head)}.${body}.${signature}`,
      `${head}.${body}.${lastChar(signature)}`,
      `${head}.${body}.${signature}.`,
      ` ${head}.${body}.${signature}`,
    ].filter((spelling) => spelling !== token);
  };

  it.each(['HS256', 'RS256', 'EdDSA'] as const)('%s: refuses every other spelling of a valid token, and still accepts the token', async (alg) => {
    let config;
    if (alg === 'HS256') config = jwtConfig();
    else {
      const pair = alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
      config = loadConfig(
        {
          NODE_ENV: 'test',
          JWT_ALG: alg,
          JWT_PRIVATE_KEY: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
          JWT_PUBLIC_KEY: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        },
        { envFile: false },
      ).jwt;
    }
    const service = new TokenService(config);
    // Claims whose JSON is not a multiple of 3 bytes, so padding and spare bits exist to play with.
    const issued = await service.issueAccess({ userId: '12', role: 'doctor', patientId: null });
    const spellings = respellings(issued.token);
    expect(spellings.length).toBeGreaterThanOrEqual(4);
    for (const spelling of spellings) expect(await codeOf(service.verify(spelling, 'access')), spelling).toBe('ERR_TOKEN_INVALID');
    await expect(service.verify(issued.token, 'access')).resolves.toMatchObject({ userId: '12' });
  });
});

describe('TokenService: key rotation', () => {
  it('HS256: accepts tokens signed with JWT_SECRET_PREVIOUS, signs only with JWT_SECRET, and refuses the old key once it is gone', async () => {
    const oldSecret = randomBytes(32).toString('hex');
    const before = new TokenService(loadConfig({ NODE_ENV: 'test', JWT_SECRET: oldSecret }, { envFile: false }).jwt);
    const during = new TokenService(jwtConfig({ JWT_SECRET_PREVIOUS: oldSecret }));
    const after = new TokenService(jwtConfig());
    const old = await before.issueAccess({ userId: '5', role: 'nurse' });
    await expect(during.verify(old.token, 'access')).resolves.toMatchObject({ userId: '5', role: 'nurse' });
    const fresh = await during.issueAccess({ userId: '5', role: 'nurse' });
    // Signed with the new key: the old service refuses it, the one after the rotation accepts it.
    expect(await codeOf(before.verify(fresh.token, 'access'))).toBe('ERR_TOKEN_INVALID');
    await expect(after.verify(fresh.token, 'access')).resolves.toMatchObject({ userId: '5' });
    expect(await codeOf(after.verify(old.token, 'access'))).toBe('ERR_TOKEN_INVALID');
    // Every claim is still checked on a token the previous key signed.
    expect(await codeOf(during.verify(forge({ alg: 'HS256', typ: 'JWT' }, { ...base(), token_type: 'refresh' }, oldSecret), 'access'))).toBe('ERR_TOKEN_TYPE');
    expect(await codeOf(during.verify(forge({ alg: 'HS256', typ: 'JWT' }, { ...base(), exp: nowSeconds() - 60 }, oldSecret), 'access'))).toBe('ERR_TOKEN_EXPIRED');
    expect(await codeOf(during.verify(forge({ alg: 'HS256', typ: 'JWT' }, base(), randomBytes(32).toString('hex')), 'access'))).toBe('ERR_TOKEN_INVALID');
  });

  it.each(['RS256', 'EdDSA'] as const)('%s: accepts tokens signed with the key pair JWT_PUBLIC_KEY_PREVIOUS belongs to', async (alg) => {
    const pair = () => (alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519'));
    const [oldPair, newPair, otherPair] = [pair(), pair(), pair()];
    const pem = (key: { export(options: { type: 'spki' | 'pkcs8'; format: 'pem' }): string | Buffer }, type: 'spki' | 'pkcs8') => key.export({ type, format: 'pem' }).toString();
    const issuerOf = (keys: typeof oldPair) => new TokenService(loadConfig({ NODE_ENV: 'test', JWT_ALG: alg, JWT_PRIVATE_KEY: pem(keys.privateKey, 'pkcs8') }, { envFile: false }).jwt);
    const verifier = new TokenService(
      loadConfig({ NODE_ENV: 'test', JWT_ALG: alg, JWT_PUBLIC_KEY: pem(newPair.publicKey, 'spki'), JWT_PUBLIC_KEY_PREVIOUS: pem(oldPair.publicKey, 'spki') }, { envFile: false }).jwt,
    );
    for (const keys of [oldPair, newPair]) {
      const issued = await issuerOf(keys).issueAccess({ userId: '9', role: 'auditor' });
      await expect(verifier.verify(issued.token, 'access')).resolves.toMatchObject({ userId: '9' });
    }
    const stranger = await issuerOf(otherPair).issueAccess({ userId: '9', role: 'auditor' });
    expect(await codeOf(verifier.verify(stranger.token, 'access'))).toBe('ERR_TOKEN_INVALID');
  });
});

describe('TokenService (asymmetric)', () => {
  it.each(['RS256', 'EdDSA'] as const)('%s: the verifier holds only the public key and pins the algorithm', async (alg) => {
    const pair =
      alg === 'RS256'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ed25519');
    const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const issuer = new TokenService(loadConfig({ NODE_ENV: 'test', JWT_ALG: alg, JWT_PRIVATE_KEY: privatePem, JWT_PUBLIC_KEY: publicPem }, { envFile: false }).jwt);
    const verifier = new TokenService(loadConfig({ NODE_ENV: 'test', JWT_ALG: alg, JWT_PUBLIC_KEY: publicPem }, { envFile: false }).jwt);
    const issued = await issuer.issueAccess({ userId: '5', role: 'auditor' });
    await expect(verifier.verify(issued.token, 'access')).resolves.toMatchObject({ userId: '5', role: 'auditor' });
    // An HS256 token "signed" with the public key text is the classic algorithm-confusion attack.
    expect(await codeOf(verifier.verify(forge({ alg: 'HS256' }, base(), publicPem), 'access'))).toBe('ERR_TOKEN_INVALID');
    await expect(verifier.issueAccess({ userId: '5', role: 'auditor' })).rejects.toThrow(/JWT_PRIVATE_KEY/);
    // A critical extension is refused here as on the HS256 path (jose alone would honour b64: false).
    // Unencoded (RFC 7797) over the claims' base64url text: the signed bytes are the usual segment's.
    const segment = Buffer.from(JSON.stringify({ ...base(), user_id: 5, role: 'auditor' })).toString('base64url');
    const unencoded = await new jose.FlattenedSign(new TextEncoder().encode(segment)).setProtectedHeader({ alg, b64: false, crit: ['b64'] }).sign(pair.privateKey);
    const compact = `${unencoded.protected}.${segment}.${unencoded.signature}`;
    expect(await codeOf(verifier.verify(compact, 'access'))).toBe('ERR_TOKEN_INVALID');
  });
});
