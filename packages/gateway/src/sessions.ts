/**
 * Sign-in sessions: password login, refresh-token rotation with reuse detection, token
 * verification and logout. The HTTP routes (routes/tokens.ts, which the web UI calls too) are
 * thin wrappers around this, so every way in follows the same rules and audits alike.
 */
import { randomUUID } from 'node:crypto';
import { ACCOUNT_WIDE_ENDINGS, endSessions, findAccountById, findAccountByUsername, upgradePasswordHash } from '@secure-hospital-ai/core/accounts';
import { recordOrRefuse, type AuditAction, type AuditSink } from '@secure-hospital-ai/core/audit/event';
import type { Authenticator } from '@secure-hospital-ai/core/authenticate';
import type { Account } from '@secure-hospital-ai/core/db/schema';
import type { Database } from '@secure-hospital-ai/core/db/database';
import { isRole, type AuditDecision, type Role } from '@secure-hospital-ai/core/domain';
import { AppError, bearerChallenge, toAppError, type AuthenticatedSubject } from '@secure-hospital-ai/core/errors';
import type { Logger } from '@secure-hospital-ai/core/logger';
import { burnVerification, verifyPassword } from '@secure-hospital-ai/core/passwords';
import type { TokenService, TokenSubject, VerifiedClaims } from '@secure-hospital-ai/core/tokens';
import type { LoginThrottle } from './login-throttle.js';
import type { GatewayMetrics } from './metrics.js';
import {
  findRefreshToken,
  recordRefreshToken,
  revokeAccessToken,
  rotateRefreshToken,
  type LedgerEntry,
} from './refresh-tokens.js';
import type { ClientInfo } from './request-context.js';

export interface TokenPair {
  readonly access: string;
  readonly refresh: string;
}

export interface SessionServiceDeps {
  readonly database: Database;
  readonly tokens: TokenService;
  readonly authenticator: Authenticator;
  readonly audit: AuditSink;
  readonly logger: Logger;
  readonly throttle: LoginThrottle;
  readonly metrics?: GatewayMetrics;
}

interface Actor {
  readonly userId: string | null;
  readonly role: Role | null;
}

const NOBODY: Actor = { userId: null, role: null };

/** SimpleJWT's wording, which existing clients may match on. */
const TOKEN_NOT_VALID = 'Token is invalid or expired';
const NO_ACTIVE_ACCOUNT_FOR_TOKEN = 'No active account found for the given token.';

/** `subject`: whose token it was, when it verified and the refusal came after (revoked, role changed). */
function tokenNotValid(internalReason: string, subject?: AuthenticatedSubject): AppError {
  return new AppError('ERR_TOKEN_INVALID', {
    detail: TOKEN_NOT_VALID,
    internalReason,
    ...(subject !== undefined && { subject }),
    data: { code: 'token_not_valid' },
    headers: bearerChallenge('ERR_TOKEN_INVALID'),
  });
}

/** One answer for unknown user, wrong password and deactivated account: no account oracle. */
function badCredentials(internalReason: string): AppError {
  return new AppError('ERR_BAD_CREDENTIALS', { internalReason, headers: bearerChallenge('ERR_TOKEN_MISSING') });
}

function actorOf(account: Account): Actor {
  return { userId: String(account.id), role: isRole(account.role) ? account.role : null };
}

export class SessionService {
  readonly #deps: SessionServiceDeps;

  constructor(deps: SessionServiceDeps) {
    this.#deps = deps;
  }

  async login(username: string, password: string, client: ClientInfo): Promise<TokenPair> {
    const { database, throttle, metrics } = this.#deps;
    try {
      await throttle.begin(username, client.address);
    } catch (error) {
      metrics?.countLogin('throttled');
      // The account under attack is named even while its logins are held back.
      const target = await findAccountByUsername(database.db, username).catch(() => undefined);
      await this.#audit('login.failure', 'deny', 'throttled', client, target ? actorOf(target) : NOBODY);
      throw this.#recorded(error);
    }
    let account: Account & { role: Role };
    try {
      account = await this.#checkCredentials(username, password, client);
    } catch (error) {
      // A refusal is a failure; an attempt that broke off before its answer was none.
      if (error instanceof AppError && error.code === 'ERR_BAD_CREDENTIALS') await throttle.failed(username, client.address);
      else await throttle.abandoned(username, client.address).catch(() => undefined);
      throw error;
    }
    await throttle.succeeded(username, client.address);
    // Best effort: a hash that cannot be upgraded now (a full hash queue, a busy database) is
    // upgraded at a later login; the password was right, so the login goes on.
    await upgradePasswordHash(database.db, account.id, account.password_hash, password).catch(() => false);

    await this.#auditOrRefuse('login.success', 'allow', 'password', client, actorOf(account));
    const pair = await this.#issuePair(account, account.role, randomUUID());
    metrics?.countLogin('success');
    return pair;
  }

  /** The active account these credentials open; otherwise the one answer every refusal gets, audited. */
  async #checkCredentials(username: string, password: string, client: ClientInfo): Promise<Account & { role: Role }> {
    const account = await findAccountByUsername(this.#deps.database.db, username);
    if (!account) {
      // Spend a verification's time anyway, so timing does not reveal which names exist.
      await burnVerification(password);
      throw await this.#loginFailed('unknown_user', client, NOBODY);
    }
    const actor = actorOf(account);
    if (!(await verifyPassword(account.password_hash, password))) {
      throw await this.#loginFailed('bad_password', client, actor);
    }
    if (account.is_active !== 1) throw await this.#loginFailed('account_inactive', client, actor);
    const role = account.role;
    if (!isRole(role)) throw await this.#loginFailed('unknown_role', client, actor);
    return { ...account, role };
  }

  async refresh(refreshToken: string, client: ClientInfo): Promise<TokenPair> {
    const { database } = this.#deps;
    const { claims, entry } = await this.#ledgerEntryFor(refreshToken);
    if (entry.revokedAt !== null) {
      // A session ended for the whole account (deactivation, password reset, role change) is
      // over, not stolen: its refresh token shown again is refused, not treated as theft.
      if (entry.revokedReason !== null && ACCOUNT_WIDE_ENDINGS.has(entry.revokedReason)) {
        await this.#audit('token.refresh', 'deny', `session_ended:${entry.revokedReason}`, client, { userId: claims.userId, role: claims.role });
        throw this.#recorded(tokenNotValid('session_ended'));
      }
      await this.#reuseDetected(entry, client, claims);
      throw this.#recorded(tokenNotValid('refresh_reused'));
    }
    const account = await findAccountById(database.db, entry.accountId);
    if (!account || account.is_active !== 1 || !isRole(account.role)) {
      await this.#audit('token.refresh', 'deny', 'account_inactive', client, { userId: claims.userId, role: claims.role });
      throw this.#recorded(new AppError('ERR_BAD_CREDENTIALS', {
        detail: NO_ACTIVE_ACCOUNT_FOR_TOKEN,
        internalReason: 'account_inactive',
        data: { code: 'no_active_account' },
        headers: bearerChallenge('ERR_TOKEN_MISSING'),
      }));
    }
    // Recorded before the rotation: if it cannot be, the presented token stays as it was.
    await this.#auditOrRefuse('token.refresh', 'allow', 'rotated', client, actorOf(account));
    // Claims come from the account as it is now: a role change takes effect at rotation.
    const subject = subjectOf(account, account.role);
    const access = await this.#deps.tokens.issueAccess(subject);
    const refresh = await this.#deps.tokens.issueRefresh(subject, entry.familyId);
    const rotated = await rotateRefreshToken(database.db, entry.jti, {
      jti: refresh.jti,
      accountId: account.id,
      familyId: entry.familyId,
      exp: refresh.exp,
      access: { jti: access.jti, exp: access.exp },
    });
    if (!rotated) {
      // Another request rotated this token between our read and our write: two holders.
      await this.#reuseDetected(entry, client, claims);
      throw this.#recorded(tokenNotValid('refresh_reused'));
    }
    return { access: access.token, refresh: refresh.token };
  }

  /** Resolves when the token (access or refresh) is genuine, unexpired and not revoked. */
  async verify(token: string): Promise<void> {
    try {
      // The same check the proxy runs: signature, claims, account active, role unchanged, jti not revoked.
      await this.#deps.authenticator.authenticateToken(token);
      return;
    } catch (error) {
      // A check that could not be made (the database out of reach) says nothing of the token:
      // 503, so that the client keeps it, not 401, after which it would throw a good token away.
      const refused = toAppError(error);
      if (refused.http >= 500) throw refused;
      // The one answer SimpleJWT gives, naming the caller on the record as the proxy does.
      if (refused.code !== 'ERR_TOKEN_TYPE') throw tokenNotValid(reasonOf(error), refused.subject);
    }
    await this.#ledgerEntryFor(token, true);
  }

  /**
   * Ends the refresh token's family (every token rotated from the same login) and the access
   * tokens issued with them. An access token the caller also shows ends too, whichever session
   * it came from (one issued before the ledger named access tokens, say).
   */
  async logout(refreshToken: string, client: ClientInfo, accessToken?: string): Promise<void> {
    const { database, tokens } = this.#deps;
    const { claims, entry } = await this.#ledgerEntryFor(refreshToken);
    await endSessions(database.db, { familyId: entry.familyId }, 'logout');
    if (accessToken) {
      try {
        const access = await tokens.verify(accessToken, 'access');
        if (access.userId === String(entry.accountId)) {
          await revokeAccessToken(database.db, { jti: access.jti, accountId: entry.accountId, exp: access.exp }, 'logout');
        }
      } catch {
        // An expired or foreign access token has nothing left to revoke.
      }
    }
    await this.#audit('logout', 'allow', 'logout', client, { userId: claims.userId, role: claims.role });
  }

  async #issuePair(account: Account, role: Role, familyId: string): Promise<TokenPair> {
    const subject = subjectOf(account, role);
    const access = await this.#deps.tokens.issueAccess(subject);
    const refresh = await this.#deps.tokens.issueRefresh(subject, familyId);
    await recordRefreshToken(this.#deps.database.db, {
      jti: refresh.jti,
      accountId: account.id,
      familyId,
      exp: refresh.exp,
      access: { jti: access.jti, exp: access.exp },
    });
    return { access: access.token, refresh: refresh.token };
  }

  /** A genuine refresh token and its ledger row; `requireLive` also refuses a revoked one. */
  async #ledgerEntryFor(token: string, requireLive = false): Promise<{ claims: VerifiedClaims; entry: LedgerEntry }> {
    let claims: VerifiedClaims;
    try {
      claims = await this.#deps.tokens.verify(token, 'refresh');
    } catch (error) {
      throw tokenNotValid(reasonOf(error));
    }
    const entry = await findRefreshToken(this.#deps.database.db, claims.jti);
    if (!entry || String(entry.accountId) !== claims.userId) throw tokenNotValid('refresh_not_issued_here');
    if (requireLive && entry.revokedAt !== null) throw tokenNotValid('refresh_revoked');
    return { claims, entry };
  }

  async #reuseDetected(entry: LedgerEntry, client: ClientInfo, claims: VerifiedClaims): Promise<void> {
    const revoked = await endSessions(this.#deps.database.db, { familyId: entry.familyId }, 'reuse_detected');
    this.#deps.logger.warn(
      { reqId: client.requestId, userId: claims.userId, familyRevoked: revoked, previously: entry.revokedReason },
      'revoked refresh token presented again; token family revoked',
    );
    await this.#audit('token.reuse_detected', 'deny', `reuse_after_${entry.revokedReason ?? 'revocation'}`, client, {
      userId: claims.userId,
      role: claims.role,
    });
  }

  async #loginFailed(reason: string, client: ClientInfo, actor: Actor): Promise<AppError> {
    this.#deps.metrics?.countLogin('failure');
    await this.#audit('login.failure', 'deny', reason, client, actor);
    return this.#recorded(badCredentials(reason));
  }

  /** Refusals this service has already put in the audit log, so the routes do not record them twice. */
  readonly #recordedRefusals = new WeakSet<object>();

  #recorded<E>(error: E): E {
    if (typeof error === 'object' && error !== null) this.#recordedRefusals.add(error);
    return error;
  }

  /** Whether this refusal is already in the audit log (its own event names what happened); others are the caller's to record. */
  hasRecorded(error: unknown): boolean {
    return typeof error === 'object' && error !== null && this.#recordedRefusals.has(error);
  }

  /**
   * Refusals and logouts are recorded before the answer leaves. A failing audit store is
   * logged loudly but does not turn a refusal into an acceptance, or stop a logout.
   */
  async #audit(action: AuditAction, decision: AuditDecision, reason: string, client: ClientInfo, actor: Actor): Promise<void> {
    try {
      await this.#auditOrRefuse(action, decision, reason, client, actor);
    } catch (error) {
      this.#deps.logger.error(
        { reqId: client.requestId, action, err: error instanceof Error ? error.message : String(error) },
        'audit event could not be written',
      );
    }
  }

  /**
   * Records an event that lets someone in (a login, a rotation) before the tokens are made:
   * fail closed, as for tool calls, so no session exists that is not on the record. A store
   * that cannot take the event refuses the request with ERR_AUDIT_UNAVAILABLE (503).
   */
  async #auditOrRefuse(action: AuditAction, decision: AuditDecision, reason: string, client: ClientInfo, actor: Actor): Promise<void> {
    await recordOrRefuse(this.#deps.audit, {
      request_id: client.requestId,
      source: 'gateway',
      action,
      user_id: actor.userId,
      role: actor.role,
      tool: null,
      patient_id: null,
      decision,
      reason,
      break_glass: false,
      purpose_of_use: null,
      redactions: {},
      client_address: client.address,
      user_agent: client.userAgent,
    });
  }
}

/** Revocation reasons that end every session of an account (accounts.ts), as opposed to one family's. */
function subjectOf(account: Account, role: Role): TokenSubject {
  return { userId: String(account.id), role, patientId: role === 'patient' ? account.patient_id : null };
}

function reasonOf(error: unknown): string {
  if (error instanceof AppError) return error.internalReason ?? error.code.toLowerCase();
  return 'verification_failed';
}
