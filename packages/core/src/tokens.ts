/**
 * Issuing and verifying JWTs (RFC 7519). HS256 takes a direct node:crypto path (about 5 µs
 * against jose's ~107 µs on this machine: it runs twice per tool call); RS256 and EdDSA go
 * through jose. Both paths apply the same claim checks, so neither is laxer:
 * algorithm pinned to the configured one (never `none`), exp and nbf with 30 s leeway,
 * token_type, issuer and audience when configured, jti and a subject present.
 */
import { createHmac, createPrivateKey, createPublicKey, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import * as jose from 'jose';
import type { Config, JwtAlgorithm } from './config.js';
import { isRole, type Role } from './domain.js';
import { AppError } from './errors.js';

export const ACCESS_TOKEN_SECONDS = 5 * 60;
export const REFRESH_TOKEN_SECONDS = 24 * 60 * 60;
export const CLOCK_LEEWAY_SECONDS = 30;
/** Signature-checked tokens remembered per process (TokenService.verify). */
const VERIFIED_TOKENS_KEPT = 4096;

export type TokenType = 'access' | 'refresh';

export interface VerifiedClaims {
  readonly userId: string;
  readonly role: Role;
  readonly patientId: string | undefined;
  readonly tokenType: TokenType;
  readonly jti: string;
  readonly exp: number;
  readonly iat: number | undefined;
  /** Refresh tokens only: the rotation family. */
  readonly family: string | undefined;
  /** Issued by this system's gateway (its issuer claim), so listed in its ledger; not minted elsewhere with the shared key. */
  readonly issuedHere: boolean;
}

export interface IssuedToken {
  readonly token: string;
  readonly jti: string;
  readonly exp: number;
}

export interface TokenSubject {
  readonly userId: string;
  readonly role: Role;
  readonly patientId?: string | null | undefined;
}

const invalid = (internalReason: string) => new AppError('ERR_TOKEN_INVALID', { internalReason });

export class TokenService {
  readonly #alg: JwtAlgorithm;
  /** The key that signs, then the one being rotated out (verification only). */
  readonly #hmacKeys: readonly Buffer[] = [];
  readonly #issuer: string;
  readonly #audience: string;
  readonly #requireIssuer: boolean;
  readonly #requireAudience: boolean;
  readonly #publicKeys: readonly KeyObject[] = [];
  readonly #privateKey: KeyObject | undefined;
  readonly #encodedHeader: string;

  constructor(config: Config['jwt']) {
    this.#alg = config.alg;
    this.#issuer = config.issuer;
    this.#audience = config.audience;
    this.#requireIssuer = config.requireIssuer;
    this.#requireAudience = config.requireAudience;
    if (config.alg === 'HS256') {
      if (!config.secret) throw new Error('JWT_SECRET is not set');
      this.#hmacKeys = [config.secret, config.previousSecret].filter((key) => key !== undefined).map((key) => Buffer.from(key, 'utf8'));
    } else {
      // Parsed now, so a bad key fails the start (serverJwtConfig has said which and why), not a request.
      this.#publicKeys = [config.publicKey, config.previousPublicKey].filter((key) => key !== undefined).map((key) => createPublicKey(key));
      if (config.privateKey) this.#privateKey = createPrivateKey(config.privateKey);
    }
    this.#encodedHeader = base64url(JSON.stringify({ alg: config.alg, typ: 'JWT' }));
  }

  get algorithm(): JwtAlgorithm {
    return this.#alg;
  }

  /** Access tokens carry the claims SPEC lists: sub = user_id, role, patient_id, iss, aud. */
  async issueAccess(subject: TokenSubject, now = nowSeconds()): Promise<IssuedToken> {
    return this.#issue(subject, 'access', ACCESS_TOKEN_SECONDS, now, undefined);
  }

  async issueRefresh(subject: TokenSubject, family: string, now = nowSeconds()): Promise<IssuedToken> {
    return this.#issue(subject, 'refresh', REFRESH_TOKEN_SECONDS, now, family);
  }

  async #issue(
    subject: TokenSubject,
    tokenType: TokenType,
    lifetime: number,
    now: number,
    family: string | undefined,
  ): Promise<IssuedToken> {
    const jti = randomUUID().replace(/-/g, '');
    const exp = now + lifetime;
    const claims: Record<string, unknown> = {
      token_type: tokenType,
      exp,
      iat: now,
      jti,
      sub: subject.userId,
      user_id: subject.userId,
      role: subject.role,
      iss: this.#issuer,
      aud: this.#audience,
    };
    if (subject.patientId) claims.patient_id = subject.patientId;
    if (family) claims.fam = family;
    return { token: await this.#sign(claims), jti, exp };
  }

  async #sign(claims: Record<string, unknown>): Promise<string> {
    const [signingKey] = this.#hmacKeys;
    if (signingKey) {
      const signingInput = `${this.#encodedHeader}.${base64url(JSON.stringify(claims))}`;
      const signature = createHmac('sha256', signingKey).update(signingInput).digest('base64url');
      return `${signingInput}.${signature}`;
    }
    if (!this.#privateKey) throw new Error(`JWT_PRIVATE_KEY is needed to issue ${this.#alg} tokens`);
    return new jose.CompactSign(Buffer.from(JSON.stringify(claims)))
      .setProtectedHeader({ alg: this.#alg, typ: 'JWT' })
      .sign(this.#privateKey);
  }

  /**
   * Verifies signature and claims; throws AppError with ERR_TOKEN_INVALID, ERR_TOKEN_EXPIRED
   * or ERR_TOKEN_TYPE. The HS256 path is synchronous in all but name.
   */
  async verify(token: string, expected: TokenType, now = nowSeconds()): Promise<VerifiedClaims> {
    let payload = this.#signed.get(token);
    if (payload === undefined) {
      const segments = compactSegments(token, this.#alg);
      payload = this.#hmacKeys.length > 0 ? this.#verifyHs256(segments) : await this.#verifyAsymmetric(token, segments[1]);
      this.#remember(token, payload);
    }
    // Time, type, issuer and audience are checked on every use, cached or not.
    return this.#checkClaims(payload, expected, now);
  }

  /**
   * Payloads of tokens whose signature has been checked, by the exact token text. A client
   * sends the same access token for its whole 5-minute life, and both hops verify it on
   * every request; keyed by the whole compact JWS (signature included), an entry can only
   * be hit by presenting that very token, so skipping the signature check then proves as
   * much as doing it. Bounded; the oldest entry goes first.
   */
  readonly #signed = new Map<string, Readonly<Record<string, unknown>>>();

  #remember(token: string, payload: Record<string, unknown>): void {
    this.#signed.set(token, Object.freeze(payload));
    if (this.#signed.size > VERIFIED_TOKENS_KEPT) this.#signed.delete(this.#signed.keys().next().value as string);
  }

  #verifyHs256([header64, payload64, signature64]: CompactSegments): Record<string, unknown> {
    // The algorithm is pinned and the header read already (compactSegments).
    const given = Buffer.from(signature64, 'base64url');
    const signingInput = `${header64}.${payload64}`;
    // The signing key first: a token signed with the outgoing one costs a second HMAC, no other does.
    const signed = this.#hmacKeys.some((key) => {
      const expected = createHmac('sha256', key).update(signingInput).digest();
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    if (!signed) throw invalid('bad signature');
    return parseSegment(payload64, 'payload');
  }

  async #verifyAsymmetric(token: string, payload64: string): Promise<Record<string, unknown>> {
    if (this.#publicKeys.length === 0) throw new Error(`JWT_PUBLIC_KEY is needed to verify ${this.#alg} tokens`);
    let failure: unknown;
    for (const key of this.#publicKeys) {
      try {
        await jose.compactVerify(token, key, { algorithms: [this.#alg] });
        // The payload jose checked is this very segment.
        return parseSegment(payload64, 'payload');
      } catch (error) {
        if (error instanceof AppError) throw error;
        // Only a signature that does not match this key is worth trying the next one for.
        failure = error;
        if (!(error instanceof jose.errors.JWSSignatureVerificationFailed)) break;
      }
    }
    throw invalid(failure instanceof Error ? failure.message : 'verification failed');
  }

  #checkClaims(claims: Record<string, unknown>, expected: TokenType, now: number): VerifiedClaims {
    const { exp, nbf, iat, jti, token_type: tokenType } = claims;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) throw invalid('exp missing');
    if (now - CLOCK_LEEWAY_SECONDS >= exp) throw new AppError('ERR_TOKEN_EXPIRED');
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + CLOCK_LEEWAY_SECONDS)) throw invalid('not yet valid');
    if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat))) throw invalid('iat not a number');
    // A token from the future would outlive the ending of its sessions (which compares issue times).
    if (iat !== undefined && iat > now + CLOCK_LEEWAY_SECONDS) throw invalid('issued in the future');
    if (tokenType !== expected) {
      throw new AppError('ERR_TOKEN_TYPE', { internalReason: `expected ${expected}, got ${String(tokenType)}` });
    }
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > 255) throw invalid('jti missing');
    if (this.#requireIssuer && claims.iss !== this.#issuer) throw invalid('issuer mismatch');
    if (this.#requireAudience && !audienceMatches(claims.aud, this.#audience)) throw invalid('audience mismatch');
    const userId = subjectOf(claims);
    const role = claims.role;
    if (!isRole(role)) throw invalid('role claim missing or unknown');
    const patientId = claims.patient_id;
    if (patientId !== undefined && patientId !== null && typeof patientId !== 'string') throw invalid('patient_id not a string');
    const family = typeof claims.fam === 'string' ? claims.fam : undefined;
    return {
      userId,
      role,
      patientId: typeof patientId === 'string' ? patientId : undefined,
      tokenType: expected,
      jti,
      exp,
      iat: typeof iat === 'number' ? iat : undefined,
      family,
      issuedHere: claims.iss === this.#issuer,
    };
  }
}

/**
 * `user_id` (SimpleJWT's claim, an integer or a string) and `sub` (ours, a string) name the
 * same account; when both are present they must agree.
 */
function subjectOf(claims: Record<string, unknown>): string {
  const fromUserId = normaliseId(claims.user_id);
  const fromSub = normaliseId(claims.sub);
  if (fromUserId && fromSub && fromUserId !== fromSub) throw invalid('sub and user_id disagree');
  const id = fromUserId ?? fromSub;
  if (!id) throw invalid('subject missing');
  return id;
}

function normaliseId(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^[0-9]{1,18}$/.test(value)) return String(Number(value));
  return undefined;
}

function audienceMatches(aud: unknown, expected: string): boolean {
  if (typeof aud === 'string') return aud === expected;
  return Array.isArray(aud) && aud.includes(expected);
}

type CompactSegments = readonly [header: string, payload: string, signature: string];

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * A compact JWS's three segments, each in the one base64url spelling RFC 7515 §2 allows: no
 * padding, no `+` or `/`, no stray bits in the last character. Node's decoder forgives all
 * three, so one signed token had many accepted spellings; now it has exactly one.
 */
function compactSegments(token: string, pinned: JwtAlgorithm): CompactSegments {
  if (typeof token !== 'string' || token.length > 8192) throw invalid('token too long or not a string');
  const segments = token.split('.');
  if (segments.length !== 3) throw invalid('not a compact JWS');
  canonicalSegment(segments[0] as string);
  // Pin the algorithm (RFC 8725 §3.1) before anything else is read: the header may not choose
  // it, `none` least of all, and an unsigned token is refused as that, not for the empty
  // signature segment it comes with.
  const header = parseSegment(segments[0] as string, 'header');
  if (header.alg !== pinned) throw invalid(`algorithm ${algorithmName(header.alg)} is not the configured one`);
  // No extension is understood, whichever the algorithm (jose alone would honour RFC 7797's b64).
  if (header.crit !== undefined) throw invalid('unsupported crit header');
  canonicalSegment(segments[1] as string);
  canonicalSegment(segments[2] as string);
  return segments as unknown as CompactSegments;
}

function canonicalSegment(segment: string): void {
  if (!BASE64URL.test(segment) || Buffer.from(segment, 'base64url').toString('base64url') !== segment) {
    throw invalid('segment not in canonical base64url');
  }
}

const JOSE_ALGORITHM = /^(?:none|EdDSA|ES256K|(?:HS|RS|ES|PS)(?:256|384|512))$/;

/** A header's `alg` for the audit reason: a JOSE name as it is, anything else (any length, any text) not repeated. */
function algorithmName(alg: unknown): string {
  return typeof alg === 'string' && JOSE_ALGORITHM.test(alg) ? alg : '(not a JOSE algorithm)';
}

function parseSegment(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw invalid(`${what} is not base64url JSON`);
  }
  if (!isObject(value)) throw invalid(`${what} is not an object`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Reads `Authorization: Bearer <token>` (RFC 6750 §2.1); anything else is "no token". */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  if (header.length < 8 || header.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const token = header.slice(7).trim();
  return token.length > 0 ? token : undefined;
}
