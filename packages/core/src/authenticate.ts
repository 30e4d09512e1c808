/**
 * Establishes who is calling, from the bearer token alone. Both servers run this same
 * function on every request: the MCP server trusts nothing the gateway says that is not
 * inside the signed token (SPEC: two trust boundaries).
 */
import type { AccountStateLookup } from './account-state.js';
import type { Principal } from './domain.js';
import { AppError, bearerChallenge } from './errors.js';
import { bearerToken, type TokenService } from './tokens.js';

export type HeaderBag = Record<string, string | string[] | undefined>;

export class Authenticator {
  readonly #tokens: TokenService;
  readonly #accounts: AccountStateLookup;

  constructor(tokens: TokenService, accounts: AccountStateLookup) {
    this.#tokens = tokens;
    this.#accounts = accounts;
  }

  /** Throws AppError: 401 (with a Bearer challenge) for token problems, 403 for a deactivated account. */
  async authenticate(headers: HeaderBag): Promise<Principal> {
    const token = bearerToken(headers.authorization);
    if (!token) throw withChallenge(new AppError('ERR_TOKEN_MISSING'));
    return this.authenticateToken(token, headers);
  }

  /** The same checks for a token given as it is (POST /api/token/verify/), not read from a header. */
  async authenticateToken(token: string, headers: HeaderBag = {}): Promise<Principal> {
    let claims;
    try {
      claims = await this.#tokens.verify(token, 'access');
    } catch (error) {
      throw error instanceof AppError ? withChallenge(error) : error;
    }
    // From here on the token has proved who is calling: a refusal names them in the audit log.
    const subject = { userId: claims.userId, role: claims.role };
    const state = await this.#accounts.lookup(claims.userId, claims.jti);
    if (!state) throw withChallenge(new AppError('ERR_TOKEN_INVALID', { internalReason: 'account_not_found', subject }));
    if (!state.active) throw new AppError('ERR_ACCOUNT_INACTIVE', { internalReason: 'account_inactive', subject });
    if (state.revoked) throw withChallenge(new AppError('ERR_TOKEN_REVOKED', { internalReason: 'token_revoked', subject }));
    // Issue times are whole seconds. Of the very second the sessions ended, a token this gateway
    // issued passes (the ledger has ended it if it came before; a login right after a password
    // reset must not be refused for its whole life); one minted elsewhere does not.
    const ended = state.sessionsEndedAt;
    if (ended !== undefined && (claims.iat === undefined || claims.iat < ended || (claims.iat === ended && !claims.issuedHere))) {
      throw withChallenge(new AppError('ERR_TOKEN_REVOKED', { internalReason: 'issued_before_sessions_ended', subject }));
    }
    // A role change revokes every token minted under the old role.
    if (state.role !== claims.role) {
      throw withChallenge(new AppError('ERR_TOKEN_REVOKED', { internalReason: 'role_changed', subject }));
    }
    const patientId = claims.role === 'patient' ? (claims.patientId ?? state.patientId ?? undefined) : undefined;
    if (claims.role === 'patient' && (!patientId || patientId !== state.patientId)) {
      throw withChallenge(new AppError('ERR_TOKEN_INVALID', { internalReason: 'patient_link_mismatch', subject }));
    }
    const principal: Principal = { userId: claims.userId, role: claims.role, jti: claims.jti, exp: claims.exp, ...(patientId ? { patientId } : {}) };
    assertIdentityHeadersAgree(headers, principal);
    return principal;
  }
}

/**
 * The design note trusted X-User-Id / X-User-Role. Here they are only a courtesy copy of the
 * token's identity; any disagreement is an attempt to impersonate and is refused.
 */
export function assertIdentityHeadersAgree(headers: HeaderBag, principal: Principal): void {
  const userId = headers['x-user-id'];
  const role = headers['x-user-role'];
  // The token is the identity; the audit names it as the one who sent the disagreeing headers.
  const subject = { userId: principal.userId, role: principal.role };
  if (userId !== undefined && (typeof userId !== 'string' || userId.trim() !== principal.userId)) {
    throw withChallenge(new AppError('ERR_IDENTITY_MISMATCH', { internalReason: 'x_user_id_mismatch', subject }));
  }
  if (role !== undefined && (typeof role !== 'string' || role.trim() !== principal.role)) {
    throw withChallenge(new AppError('ERR_IDENTITY_MISMATCH', { internalReason: 'x_user_role_mismatch', subject }));
  }
}

function withChallenge(error: AppError): AppError {
  const challenge = bearerChallenge(error.code);
  if (Object.keys(challenge).length === 0) return error;
  return new AppError(error.code, {
    detail: error.detail,
    internalReason: error.internalReason ?? error.code.toLowerCase(),
    headers: { ...error.headers, ...challenge },
    ...(error.subject !== undefined && { subject: error.subject }),
  });
}
