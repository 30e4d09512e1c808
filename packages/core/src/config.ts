/**
 * Configuration from the environment and an optional `.env` file (SPEC "Running").
 * Everything a process needs is read once, validated, and frozen; nothing else reads
 * process.env.
 */
import { createHash, createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';

/**
 * SHA-256 of the JWT secret published in the design note. The secret itself is not kept
 * here: publishing it compromised it, so we only need to recognise it to refuse it.
 */
const PUBLISHED_SECRET_SHA256 = '2a4a015ba6d7c681cf72a9ee729d57abe01cf1c091781e241b53cd8df7b44186';

const MIN_SECRET_BYTES = 32;

const booleanish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const port = z.coerce.number().int().min(0).max(65535);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  JWT_SECRET: z.string().optional(),
  JWT_SECRET_PREVIOUS: z.string().optional(),
  JWT_ALG: z.enum(['HS256', 'RS256', 'EdDSA']).default('HS256'),
  JWT_PRIVATE_KEY: z.string().optional(),
  JWT_PUBLIC_KEY: z.string().optional(),
  JWT_PUBLIC_KEY_PREVIOUS: z.string().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  GATEWAY_HOST: z.string().default('127.0.0.1'),
  GATEWAY_PORT: port.default(8000),
  MCP_HOST: z.string().default('127.0.0.1'),
  MCP_PORT: port.default(9000),
  MCP_URL: z.string().url().optional(),
  CHART_CACHE_ENTRIES: z.coerce.number().int().min(0).max(100_000).default(500),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
  RATE_LIMIT_PER_USER: z.coerce.number().int().min(0).default(1200),
  ALLOWED_ORIGINS: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PSEUDONYM_KEY: z.string().optional(),
  PROXY_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(256).optional(),
  TRUST_PROXY: booleanish.default(false),
});

export type JwtAlgorithm = 'HS256' | 'RS256' | 'EdDSA';

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly jwt: {
    readonly alg: JwtAlgorithm;
    /** HS256 only. */
    readonly secret: string | undefined;
    /**
     * The key being rotated out: tokens signed with it are still accepted, none is signed with
     * it (HS256: JWT_SECRET_PREVIOUS; RS256/EdDSA: JWT_PUBLIC_KEY_PREVIOUS, PEM). Kept for a day,
     * the longest a token lives, a rotation logs nobody out.
     */
    readonly previousSecret: string | undefined;
    readonly previousPublicKey: string | undefined;
    /** PEM, RS256/EdDSA; only the gateway needs it. */
    readonly privateKey: string | undefined;
    /** PEM, RS256/EdDSA. */
    readonly publicKey: string | undefined;
    /** Always set on issued tokens; required from incoming ones only when configured. */
    readonly issuer: string;
    readonly audience: string;
    readonly requireIssuer: boolean;
    readonly requireAudience: boolean;
  };
  readonly gateway: { readonly host: string; readonly port: number };
  readonly mcp: {
    readonly host: string;
    readonly port: number;
    readonly url: string;
    /** Patient overviews kept in memory, checked against the chart revision on every call; 0 turns it off. */
    readonly chartCacheEntries: number;
  };
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  readonly rateLimitPerUser: number;
  readonly allowedOrigins: readonly string[];
  readonly logLevel: string;
  readonly pseudonymKey: string | undefined;
  readonly proxyTimeoutMs: number;
  /** Password hashes at once (passwords.ts); undefined = one fewer than the cores, at least one. */
  readonly passwordHashConcurrency: number | undefined;
  readonly trustProxy: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads `.env` (if present) under the real environment: the environment wins. */
export function readEnvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
}

export function loadConfig(
  environment: NodeJS.ProcessEnv = process.env,
  options: { envFile?: string | false } = {},
): Config {
  const fromFile = options.envFile === false ? {} : readEnvFile(options.envFile ?? resolve('.env'));
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [key, value] of Object.entries(environment)) if (value !== undefined) merged[key] = value;
  // An empty variable means "not set", as in most twelve-factor tooling.
  for (const key of Object.keys(merged)) if (merged[key] === '') delete merged[key];

  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const gatewayOrigin = `http://${hostForUrl(e.GATEWAY_HOST)}:${e.GATEWAY_PORT}`;
  const config: Config = {
    env: e.NODE_ENV,
    jwt: {
      alg: e.JWT_ALG,
      secret: e.JWT_SECRET,
      previousSecret: e.JWT_SECRET_PREVIOUS || undefined,
      privateKey: readKey('JWT_PRIVATE_KEY', e.JWT_PRIVATE_KEY),
      publicKey: readKey('JWT_PUBLIC_KEY', e.JWT_PUBLIC_KEY),
      previousPublicKey: readKey('JWT_PUBLIC_KEY_PREVIOUS', e.JWT_PUBLIC_KEY_PREVIOUS),
      issuer: e.JWT_ISSUER ?? 'secure-hospital-ai-gateway',
      audience: e.JWT_AUDIENCE ?? 'secure-hospital-ai-mcp',
      requireIssuer: e.JWT_ISSUER !== undefined,
      requireAudience: e.JWT_AUDIENCE !== undefined,
    },
    gateway: { host: e.GATEWAY_HOST, port: e.GATEWAY_PORT },
    mcp: {
      host: e.MCP_HOST,
      port: e.MCP_PORT,
      url: e.MCP_URL ?? `http://${hostForUrl(e.MCP_HOST)}:${e.MCP_PORT}/mcp/`,
      chartCacheEntries: e.CHART_CACHE_ENTRIES,
    },
    dataDir: resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    rateLimitPerUser: e.RATE_LIMIT_PER_USER,
    allowedOrigins: e.ALLOWED_ORIGINS
      ? e.ALLOWED_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean)
      : defaultOrigins(e.GATEWAY_HOST, e.GATEWAY_PORT, gatewayOrigin),
    logLevel: e.LOG_LEVEL,
    pseudonymKey: e.PSEUDONYM_KEY,
    proxyTimeoutMs: e.PROXY_TIMEOUT_MS,
    passwordHashConcurrency: e.PASSWORD_HASH_CONCURRENCY,
    trustProxy: e.TRUST_PROXY,
  };
  assertKeysFitAlgorithm(config.jwt);
  if (config.env === 'production') assertProductionConfig(config);
  return Object.freeze(config);
}

/** A listening host as it goes in a URL: a wildcard becomes loopback, IPv6 gets brackets. */
export function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function defaultOrigins(host: string, port: number, origin: string): string[] {
  const origins = [origin];
  if (host === '127.0.0.1' || host === '0.0.0.0') origins.push(`http://localhost:${port}`);
  return origins;
}

/**
 * A key may be given inline (PEM) or as a path to a PEM file. What cannot be read is said by
 * the variable's name alone: the value may be a key in another form (a JWK, a PEM without its
 * header lines), and the error lands in logs.
 */
function readKey(variable: string, value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (value.includes('-----BEGIN')) return value.replace(/\\n/g, '\n');
  try {
    // A regular file only: a FIFO or a device (/dev/stdin) would hold the start up for good.
    const stat = statSync(value);
    if (stat.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    if (!stat.isFile()) throw new ConfigError(`${variable} names something that is not a regular file`);
    const text = readFileSync(value, 'utf8');
    if (text.trim() === '') throw new ConfigError(`${variable} names an empty file`);
    return text;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENAMETOOLONG') throw new ConfigError(`${variable} is neither PEM text nor the path of a file`);
    if (code === 'EISDIR') throw new ConfigError(`${variable} names a directory, not a PEM file`);
    throw new ConfigError(`${variable} names a file that cannot be read (${code ?? 'error'})`);
  }
}

/**
 * The keys one server holds, from the shared configuration, checked before it listens. With a
 * key pair (RS256, EdDSA) the gateway signs and verifies: it needs the private key, and takes
 * its public half from it unless JWT_PUBLIC_KEY is also given, which must then be that half
 * (a mismatched pair would issue tokens nobody accepts). The MCP server only verifies and is
 * given the public key alone (SPEC), even when the private one is in the same environment or
 * `.env`. A missing, unreadable or wrong-kind key refuses the start, naming the variable.
 */
export function serverJwtConfig(config: Config, server: 'gateway' | 'mcp-server'): Config['jwt'] {
  const jwt = config.jwt;
  if (jwt.alg === 'HS256') return jwt;
  if (jwt.previousPublicKey) asymmetricKey(jwt.previousPublicKey, 'public', jwt.alg, 'JWT_PUBLIC_KEY_PREVIOUS');
  if (server === 'mcp-server') {
    if (!jwt.publicKey) throw new ConfigError(`JWT_ALG=${jwt.alg}: the mcp-server needs JWT_PUBLIC_KEY to verify tokens`);
    asymmetricKey(jwt.publicKey, 'public', jwt.alg);
    return { ...jwt, privateKey: undefined };
  }
  if (!jwt.privateKey) throw new ConfigError(`JWT_ALG=${jwt.alg}: the gateway needs JWT_PRIVATE_KEY to issue tokens`);
  const ownHalf = createPublicKey(asymmetricKey(jwt.privateKey, 'private', jwt.alg)).export({ type: 'spki', format: 'pem' }).toString();
  if (!jwt.publicKey) return { ...jwt, publicKey: ownHalf };
  const given = asymmetricKey(jwt.publicKey, 'public', jwt.alg);
  if (!given.equals(createPublicKey(ownHalf))) {
    throw new ConfigError('JWT_PUBLIC_KEY is not the public half of JWT_PRIVATE_KEY: tokens the gateway issued would be refused everywhere');
  }
  return jwt;
}

/** Key types each algorithm signs with (RFC 7518 §3.3; RFC 8037, Ed25519 being the curve jose supports). */
const KEY_TYPES: Readonly<Record<Exclude<JwtAlgorithm, 'HS256'>, readonly string[]>> = { RS256: ['rsa'], EdDSA: ['ed25519'] };

function asymmetricKey(
  pem: string,
  half: 'public' | 'private',
  alg: Exclude<JwtAlgorithm, 'HS256'>,
  variable = half === 'public' ? 'JWT_PUBLIC_KEY' : 'JWT_PRIVATE_KEY',
): KeyObject {
  // The public half must not be where the private key is: the MCP server would then hold it.
  if (half === 'public' && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw new ConfigError(`${variable} holds a private key; give it the public key (SPKI PEM)`);
  let key: KeyObject;
  try {
    key = half === 'public' ? createPublicKey(pem) : createPrivateKey(pem);
  } catch {
    throw new ConfigError(`${variable} is not a ${half} key in PEM form`);
  }
  const type = key.asymmetricKeyType ?? 'unknown';
  if (!KEY_TYPES[alg].includes(type)) throw new ConfigError(`${variable} is an ${type} key; JWT_ALG=${alg} needs ${KEY_TYPES[alg].join(' or ')}`);
  if (type === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new ConfigError(`${variable}: RS256 needs an RSA key of at least 2048 bits`);
  return key;
}

export function isPublishedSecret(secret: string): boolean {
  return createHash('sha256').update(secret).digest('hex') === PUBLISHED_SECRET_SHA256;
}

/**
 * Keys that cannot be what the algorithm uses are refused in every environment. An outgoing key
 * of the other kind would be ignored without a word; and a PEM key given as an HS256
 * secret is worse than weak: a public key's text used as the HMAC secret lets whoever has the
 * public key sign tokens (an operator moving from RS256 to HS256 might well paste it there).
 */
function assertKeysFitAlgorithm(jwt: Config['jwt']): void {
  if (jwt.alg === 'HS256') {
    if (jwt.previousPublicKey !== undefined) {
      throw new ConfigError('JWT_PUBLIC_KEY_PREVIOUS is set, but JWT_ALG=HS256 verifies with secrets: give the outgoing secret as JWT_SECRET_PREVIOUS');
    }
    for (const [variable, secret] of [['JWT_SECRET', jwt.secret], ['JWT_SECRET_PREVIOUS', jwt.previousSecret]] as const) {
      if (secret === undefined) continue;
      if (looksLikeAKey(secret)) throw new ConfigError(`${variable} holds a key; an HS256 secret must be random bytes (a public key's text as the secret would let anyone sign)`);
      if (secret.replace(/[\s\u200B-\u200D\u2060\uFEFF]/g, '') === '') throw new ConfigError(`${variable} is blank`);
    }
  } else if (jwt.previousSecret !== undefined) {
    throw new ConfigError(`JWT_SECRET_PREVIOUS is set, but JWT_ALG=${jwt.alg} verifies with keys: give the outgoing public key as JWT_PUBLIC_KEY_PREVIOUS`);
  }
}

/** A key in any of the forms it travels in: PEM, PEM's base64 body without its lines, or a JWK. */
function looksLikeAKey(secret: string): boolean {
  if (secret.includes('-----BEGIN')) return true;
  const body = secret.replace(/\\n|\s/g, '');
  if (/^[A-Za-z0-9+/]{40,}={0,2}$/.test(body)) {
    const der = Buffer.from(body, 'base64');
    for (const parse of [() => createPublicKey({ key: der, format: 'der', type: 'spki' }), () => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })]) {
      try {
        parse();
        return true;
      } catch {
        // not this kind of key
      }
    }
  }
  try {
    const parsed: unknown = JSON.parse(secret);
    return typeof parsed === 'object' && parsed !== null && 'kty' in parsed;
  } catch {
    return false;
  }
}

/** Production refuses a secret that is missing, short, or the design note's published one. */
export function assertProductionConfig(config: Config): void {
  if (config.jwt.alg === 'HS256') {
    if (!config.jwt.secret) throw new ConfigError('JWT_SECRET is required in production');
    assertStrongSecret('JWT_SECRET', config.jwt.secret);
    // A key still accepted is as much a key as the one that signs.
    if (config.jwt.previousSecret !== undefined) {
      assertStrongSecret('JWT_SECRET_PREVIOUS', config.jwt.previousSecret);
      if (config.jwt.previousSecret === config.jwt.secret) throw new ConfigError('JWT_SECRET_PREVIOUS equals JWT_SECRET: nothing is being rotated; remove it');
    }
  }
  if (config.jwt.previousPublicKey !== undefined && config.jwt.publicKey !== undefined && samePublicKey(config.jwt.previousPublicKey, config.jwt.publicKey)) {
    throw new ConfigError('JWT_PUBLIC_KEY_PREVIOUS is JWT_PUBLIC_KEY: nothing is being rotated; remove it');
  }
  if (!config.jwt.requireAudience) throw new ConfigError('JWT_AUDIENCE is required in production');
  // Pseudonyms must not be reversible by anyone holding the token key (HIPAA §164.514(c)).
  if (!config.pseudonymKey || Buffer.byteLength(config.pseudonymKey, 'utf8') < MIN_SECRET_BYTES) {
    throw new ConfigError(`PSEUDONYM_KEY of at least ${MIN_SECRET_BYTES} bytes is required in production`);
  }
  if (config.pseudonymKey === config.jwt.secret) throw new ConfigError('PSEUDONYM_KEY must differ from JWT_SECRET');
  if (config.pseudonymKey === config.jwt.previousSecret) throw new ConfigError('PSEUDONYM_KEY must differ from JWT_SECRET_PREVIOUS');
}

function samePublicKey(a: string, b: string): boolean {
  try {
    return createPublicKey(a).equals(createPublicKey(b));
  } catch {
    // Not keys at all: serverJwtConfig names which.
    return false;
  }
}

function assertStrongSecret(variable: string, secret: string): void {
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    throw new ConfigError(`${variable} is too weak: at least ${MIN_SECRET_BYTES} bytes are required in production`);
  }
  if (isPublishedSecret(secret)) throw new ConfigError(`${variable} is the secret published in the design note; generate a new one`);
}

/**
 * First development start: write a fresh JWT secret and pseudonym key into `.env`, so
 * each installation has its own (the design note committed one; SPEC "Fixes").
 * Returns the names of the variables it generated.
 */
export function ensureDevelopmentSecrets(envPath: string, environment: NodeJS.ProcessEnv = process.env): string[] {
  const existing = readEnvFile(envPath);
  // Production as the configuration will see it: from the environment, else from the file.
  if ((environment.NODE_ENV ?? existing.NODE_ENV ?? 'development') === 'production') return [];
  const generated: string[] = [];
  const lines: string[] = [];
  for (const name of ['JWT_SECRET', 'PSEUDONYM_KEY'] as const) {
    if (environment[name] || existing[name]) continue;
    lines.push(`${name}=${randomBytes(32).toString('hex')}`);
    generated.push(name);
  }
  if (lines.length === 0) return generated;
  const header = existsSync(envPath) ? '' : '# Generated on first development start. Never commit this file.\n';
  if (existsSync(envPath)) appendFileSync(envPath, `\n${lines.join('\n')}\n`, { mode: 0o600 });
  else writeFileSync(envPath, `${header}${lines.join('\n')}\n`, { mode: 0o600 });
  return generated;
}
