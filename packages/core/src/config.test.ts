import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../../../test/support/scratch.js';
import { ConfigError, ensureDevelopmentSecrets, hostForUrl, isPublishedSecret, loadConfig, serverJwtConfig } from './config.js';
import { TokenService } from './tokens.js';

// The design note's secret, assembled at run time so no scanner mistakes this test for a leak.
const PUBLISHED = ['a205f6e168cc0e41', 'a353c77fa5d90cd7', 'd530fa3f1d2bf443', 'b6fa50cba705157c'].join('');
const strong = 'x'.repeat(40);
/** The .env files these tests generate hold real secrets; their directories go when the file ends. */
const scratch = scratchDir('shai-config-');
const prod = (extra: Record<string, string | undefined>) =>
  loadConfig({ NODE_ENV: 'production', JWT_AUDIENCE: 'mcp', PSEUDONYM_KEY: 'p'.repeat(40), ...extra }, { envFile: false });

describe('loadConfig', () => {
  it('has the defaults SPEC lists', () => {
    const config = loadConfig({}, { envFile: false });
    expect(config.env).toBe('development');
    expect(config.gateway).toEqual({ host: '127.0.0.1', port: 8000 });
    expect(config.mcp).toMatchObject({ host: '127.0.0.1', port: 9000, url: 'http://127.0.0.1:9000/mcp/' });
    expect(config.jwt.alg).toBe('HS256');
    expect(config.rateLimitPerUser).toBe(1200);
    expect(config.allowedOrigins).toContain('http://127.0.0.1:8000');
    expect(config.logLevel).toBe('info');
    expect(config.databaseUrl).toBeUndefined();
  });

  it('refuses invalid values with a message naming the variable', () => {
    expect(() => loadConfig({ GATEWAY_PORT: 'eighty' }, { envFile: false })).toThrow(/GATEWAY_PORT/);
    expect(() => loadConfig({ JWT_ALG: 'none' }, { envFile: false })).toThrow(/JWT_ALG/);
  });

  it.each([
    ['a missing secret', { JWT_SECRET: undefined }, /required/],
    ['a short secret', { JWT_SECRET: 'short-secret' }, /too weak/],
    ['the design note secret', { JWT_SECRET: PUBLISHED }, /published/],
    ['a missing audience', { JWT_SECRET: strong, JWT_AUDIENCE: undefined }, /JWT_AUDIENCE/],
    ['a missing pseudonym key', { JWT_SECRET: strong, PSEUDONYM_KEY: undefined }, /PSEUDONYM_KEY/],
    ['a pseudonym key equal to the JWT secret', { JWT_SECRET: strong, PSEUDONYM_KEY: strong }, /differ/],
    // The key being rotated out still opens the door: held to the same rules.
    ['a short previous secret', { JWT_SECRET: strong, JWT_SECRET_PREVIOUS: 'short-secret' }, /JWT_SECRET_PREVIOUS is too weak/],
    ['the design note secret as the previous one', { JWT_SECRET: strong, JWT_SECRET_PREVIOUS: PUBLISHED }, /JWT_SECRET_PREVIOUS is the secret published/],
  ])('production refuses %s', (_name, extra, message) => {
    expect(() => prod(extra as Record<string, string | undefined>)).toThrow(ConfigError);
    expect(() => prod(extra as Record<string, string | undefined>)).toThrow(message);
  });

  it('production accepts a strong, fresh secret', () => {
    expect(prod({ JWT_SECRET: strong }).env).toBe('production');
  });

  it('recognises the published secret without storing it', () => {
    expect(isPublishedSecret(PUBLISHED)).toBe(true);
    expect(isPublishedSecret(strong)).toBe(false);
  });

  it('the environment wins over .env', () => {
    const dir = mkdtempSync(join(scratch, 'config-'));
    const envFile = join(dir, '.env');
    ensureDevelopmentSecrets(envFile, {});
    const fromFile = loadConfig({}, { envFile });
    expect(fromFile.jwt.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(loadConfig({ JWT_SECRET: strong }, { envFile }).jwt.secret).toBe(strong);
  });
});

describe('ensureDevelopmentSecrets', () => {
  it('generates a fresh secret per installation, once, readable only by the owner', () => {
    const a = join(mkdtempSync(join(scratch, 'env-')), '.env');
    const b = join(mkdtempSync(join(scratch, 'env-')), '.env');
    expect(ensureDevelopmentSecrets(a, {})).toEqual(['JWT_SECRET', 'PSEUDONYM_KEY']);
    expect(ensureDevelopmentSecrets(a, {})).toEqual([]);
    ensureDevelopmentSecrets(b, {});
    const secretOf = (file: string) => /JWT_SECRET=([0-9a-f]+)/.exec(readFileSync(file, 'utf8'))?.[1];
    expect(secretOf(a)).toHaveLength(64);
    expect(secretOf(a)).not.toBe(secretOf(b));
    expect(statSync(a).mode & 0o077).toBe(0);
  });

  it('never writes secrets in production', () => {
    const file = join(mkdtempSync(join(scratch, 'env-')), '.env');
    expect(ensureDevelopmentSecrets(file, { NODE_ENV: 'production' })).toEqual([]);
    expect(existsSync(file)).toBe(false);
  });

  it('takes production from the .env file too, as the configuration does, and then refuses the missing secret', () => {
    const file = join(mkdtempSync(join(scratch, 'env-')), '.env');
    const production = `NODE_ENV=production\nJWT_AUDIENCE=mcp\nPSEUDONYM_KEY=${'p'.repeat(64)}\n`;
    writeFileSync(file, production);
    expect(ensureDevelopmentSecrets(file, {})).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(production);
    expect(() => loadConfig({}, { envFile: file })).toThrow(/JWT_SECRET is required in production/);
    // The environment still wins over the file, both ways.
    expect(ensureDevelopmentSecrets(file, { NODE_ENV: 'development' })).toEqual(['JWT_SECRET']);
  });
});

describe('serverJwtConfig', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const withKeys = (keys: Record<string, string>) => loadConfig({ NODE_ENV: 'test', JWT_ALG: 'EdDSA', ...keys }, { envFile: false });

  it('names the variable of a key it cannot read, and never repeats the value (a JWK holds the private key)', () => {
    const emptyFile = join(scratchDir('shai-empty-key-'), 'empty.pem');
    writeFileSync(emptyFile, '\n');
    const jwk = JSON.stringify(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }));
    for (const [variable, value, why] of [
      ['JWT_PRIVATE_KEY', jwk, /^JWT_PRIVATE_KEY is neither PEM text nor the path of a file$/],
      ['JWT_PUBLIC_KEY_PREVIOUS', jwk, /^JWT_PUBLIC_KEY_PREVIOUS is neither PEM text nor the path of a file$/],
      ['JWT_PUBLIC_KEY', tmpdir(), /^JWT_PUBLIC_KEY names a directory, not a PEM file$/],
      ['JWT_PUBLIC_KEY', '/dev/null', /^JWT_PUBLIC_KEY names something that is not a regular file$/],
      ['JWT_PUBLIC_KEY', emptyFile, /^JWT_PUBLIC_KEY names an empty file$/],
    ] as const) {
      let message = '';
      try {
        withKeys({ [variable]: value });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(why);
      expect(message).not.toContain(value === jwk ? JSON.parse(jwk).d : value);
    }
  });

  it('refuses an outgoing key of the wrong kind, and a PEM key or a blank one as an HS256 secret, in every environment', () => {
    const hs = (extra: Record<string, string>) => loadConfig({ NODE_ENV: 'development', JWT_SECRET: strong, ...extra }, { envFile: false });
    expect(() => hs({ JWT_PUBLIC_KEY_PREVIOUS: publicKey })).toThrow(/JWT_PUBLIC_KEY_PREVIOUS is set, but JWT_ALG=HS256/);
    expect(() => withKeys({ JWT_PUBLIC_KEY: publicKey, JWT_SECRET_PREVIOUS: strong })).toThrow(/JWT_SECRET_PREVIOUS is set, but JWT_ALG=EdDSA/);
    // A public key's text as the HMAC secret: anyone holding the public key could sign.
    expect(() => hs({ JWT_SECRET_PREVIOUS: publicKey })).toThrow(/JWT_SECRET_PREVIOUS holds a key/);
    expect(() => loadConfig({ NODE_ENV: 'development', JWT_SECRET: publicKey }, { envFile: false })).toThrow(/JWT_SECRET holds a key/);
    expect(() => hs({ JWT_SECRET_PREVIOUS: '   ' })).toThrow(/JWT_SECRET_PREVIOUS is blank/);
    expect(() => hs({ JWT_SECRET_PREVIOUS: '\u200B' })).toThrow(/JWT_SECRET_PREVIOUS is blank/);
    // The same key without its PEM lines, or as a JWK.
    const body = publicKey.split('\n').filter((line) => line !== '' && !line.startsWith('-----')).join('');
    expect(() => hs({ JWT_SECRET_PREVIOUS: body })).toThrow(/JWT_SECRET_PREVIOUS holds a key/);
    const jwk = JSON.stringify(createPublicKey(publicKey).export({ format: 'jwk' }));
    expect(() => hs({ JWT_SECRET_PREVIOUS: jwk })).toThrow(/JWT_SECRET_PREVIOUS holds a key/);
    // Random secrets, hex or base64, are not keys.
    expect(hs({ JWT_SECRET_PREVIOUS: randomBytes(48).toString('base64') }).jwt.previousSecret).toBeDefined();
    expect(() => prod({ JWT_SECRET: strong, JWT_SECRET_PREVIOUS: strong })).toThrow(/nothing is being rotated/);
    expect(() =>
      loadConfig(
        { NODE_ENV: 'production', JWT_ALG: 'EdDSA', JWT_PUBLIC_KEY: publicKey, JWT_PUBLIC_KEY_PREVIOUS: publicKey, JWT_AUDIENCE: 'a', PSEUDONYM_KEY: 'y'.repeat(40) },
        { envFile: false },
      ),
    ).toThrow(/JWT_PUBLIC_KEY_PREVIOUS is JWT_PUBLIC_KEY/);
  });

  it('gives the MCP server the public key only, even when the private one is configured', () => {
    const jwt = serverJwtConfig(withKeys({ JWT_PUBLIC_KEY: publicKey, JWT_PRIVATE_KEY: privateKey }), 'mcp-server');
    expect(jwt.publicKey).toBe(publicKey);
    expect(jwt.privateKey).toBeUndefined();
    expect(serverJwtConfig(withKeys({ JWT_PUBLIC_KEY: publicKey, JWT_PRIVATE_KEY: privateKey }), 'gateway').privateKey).toBe(privateKey);
  });

  it('refuses to start a server without the key it needs, naming it', () => {
    expect(() => serverJwtConfig(withKeys({ JWT_PUBLIC_KEY: publicKey }), 'gateway')).toThrow(/gateway needs JWT_PRIVATE_KEY/);
    expect(() => serverJwtConfig(withKeys({ JWT_PRIVATE_KEY: privateKey }), 'mcp-server')).toThrow(/mcp-server needs JWT_PUBLIC_KEY/);
  });

  it('checks the key being rotated out as it checks the current one, naming JWT_PUBLIC_KEY_PREVIOUS', () => {
    for (const server of ['gateway', 'mcp-server'] as const) {
      expect(() => serverJwtConfig(withKeys({ JWT_PUBLIC_KEY: publicKey, JWT_PRIVATE_KEY: privateKey, JWT_PUBLIC_KEY_PREVIOUS: privateKey }), server)).toThrow(
        /JWT_PUBLIC_KEY_PREVIOUS holds a private key/,
      );
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      expect(() => serverJwtConfig(withKeys({ JWT_PUBLIC_KEY: publicKey, JWT_PRIVATE_KEY: privateKey, JWT_PUBLIC_KEY_PREVIOUS: rsa }), server)).toThrow(
        /JWT_PUBLIC_KEY_PREVIOUS is an rsa key; JWT_ALG=EdDSA needs ed25519/,
      );
    }
  });

  it('gives the gateway the public half of its private key when none is configured', async () => {
    const jwt = serverJwtConfig(withKeys({ JWT_PRIVATE_KEY: privateKey }), 'gateway');
    expect(createPublicKey(jwt.publicKey as string).equals(createPublicKey(publicKey))).toBe(true);
    // And the tokens it issues verify where only the configured public key is held.
    const issued = await new TokenService(jwt).issueAccess({ userId: '7', role: 'doctor' });
    const verifier = new TokenService(serverJwtConfig(withKeys({ JWT_PUBLIC_KEY: publicKey }), 'mcp-server'));
    await expect(verifier.verify(issued.token, 'access')).resolves.toMatchObject({ userId: '7' });
  });

  it('refuses keys that cannot work, before the server listens, naming the variable and never crashing on a request', () => {
    const other = generateKeyPairSync('ed25519', { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const refusals: Array<[Record<string, string>, 'gateway' | 'mcp-server', RegExp]> = [
      [{ JWT_PRIVATE_KEY: privateKey, JWT_PUBLIC_KEY: other.publicKey }, 'gateway', /JWT_PUBLIC_KEY is not the public half of JWT_PRIVATE_KEY/],
      [{ JWT_PUBLIC_KEY: privateKey }, 'mcp-server', /JWT_PUBLIC_KEY holds a private key/],
      [{ JWT_PUBLIC_KEY: rsa.publicKey }, 'mcp-server', /JWT_PUBLIC_KEY is an rsa key; JWT_ALG=EdDSA needs ed25519/],
      [{ JWT_PRIVATE_KEY: rsa.privateKey }, 'gateway', /JWT_PRIVATE_KEY is an rsa key/],
      [{ JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\\nnot a key\\n-----END PUBLIC KEY-----' }, 'mcp-server', /JWT_PUBLIC_KEY is not a public key in PEM form/],
    ];
    for (const [keys, server, message] of refusals) {
      expect(() => serverJwtConfig(withKeys(keys), server), JSON.stringify(Object.keys(keys))).toThrow(message);
      expect(() => serverJwtConfig(withKeys(keys), server)).toThrow(ConfigError);
    }
    const rsaConfig = (keys: Record<string, string>) => loadConfig({ NODE_ENV: 'test', JWT_ALG: 'RS256', ...keys }, { envFile: false });
    expect(() => serverJwtConfig(rsaConfig({ JWT_PUBLIC_KEY: publicKey }), 'mcp-server')).toThrow(/JWT_PUBLIC_KEY is an ed25519 key; JWT_ALG=RS256 needs rsa/);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    expect(() => serverJwtConfig(rsaConfig({ JWT_PUBLIC_KEY: small.publicKey }), 'mcp-server')).toThrow(/at least 2048 bits/);
    expect(serverJwtConfig(rsaConfig({ JWT_PUBLIC_KEY: rsa.publicKey }), 'mcp-server').publicKey).toBe(rsa.publicKey);
  });

  it('lets commands that issue no token run without keys (migrate, seed)', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', JWT_ALG: 'EdDSA' }, { envFile: false })).not.toThrow();
  });
});

describe('hostForUrl', () => {
  it('puts a listening host into a URL: brackets for IPv6, loopback for a wildcard', () => {
    expect(hostForUrl('::1')).toBe('[::1]');
    expect(hostForUrl('::')).toBe('127.0.0.1');
    expect(hostForUrl('0.0.0.0')).toBe('127.0.0.1');
    expect(hostForUrl('10.0.0.7')).toBe('10.0.0.7');
    expect(new URL(`http://${hostForUrl('::1')}:8000/healthz`).hostname).toBe('[::1]');
  });
});

