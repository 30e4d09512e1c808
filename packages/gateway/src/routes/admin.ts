/**
 * Account administration by the admin role through the running gateway (issue 4): a JSON API
 * under /api/admin/accounts. It authenticates with the bearer access token in the
 * Authorization header only, never a cookie, so a page on another site cannot make a browser
 * send it: no CSRF surface, as for /mcp-proxy/ (SPEC "Option A").
 *
 * A request reads top to bottom: Origin -> bearer token (the proxy's Authenticator, so a
 * deactivated or re-roled admin is refused here as everywhere) -> the policy table's answer
 * for `account`/`manage` (never a role name in this file) -> validate -> change through
 * core/accounts.ts (the CLI's code) -> audit -> answer. Both servers read account state on
 * every request, so a deactivation or role change applies at the very next request.
 */
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { z } from 'zod';
import {
  type AccountListing,
  assignCareTeam,
  assignWard,
  createAccount,
  listAccounts,
  removeCareTeam,
  removeWard,
  requireAccount,
  resetPassword,
  setAccountActive,
  setAccountRole,
  accountChangeReason,
} from '@secure-hospital-ai/core/accounts';
import { appendInTransaction } from '@secure-hospital-ai/core/audit/append-in-transaction';
import { recordOrRefuse, type AuditEventInput, type AuditSink } from '@secure-hospital-ai/core/audit/event';
import type { Authenticator } from '@secure-hospital-ai/core/authenticate';
import type { Config } from '@secure-hospital-ai/core/config';
import type { Database } from '@secure-hospital-ai/core/db/database';
import type { Account } from '@secure-hospital-ai/core/db/schema';
import type { WriteTransaction } from '@secure-hospital-ai/core/db/write-transaction';
import { ROLES, type Principal, type Role } from '@secure-hospital-ai/core/domain';
import type { LoginThrottle } from '../login-throttle.js';
import { noStore, originCheck } from '../route-hooks.js';
import { AppError } from '@secure-hospital-ai/core/errors';
import type { Logger } from '@secure-hospital-ai/core/logger';
import { MAX_PASSWORD_LENGTH } from '@secure-hospital-ai/core/passwords';
import { isListAllowed, roleMayEver } from '@secure-hospital-ai/core/policy/engine';
import { PURPOSE_OF_USE } from '@secure-hospital-ai/core/policy/policy';
import { sendDetailError, toGatewayError } from '../error-responses.js';
import { parseInput } from '../parse-input.js';
import { auditRefusal, clientInfo } from '../request-context.js';

export interface AdminRoutesOptions {
  readonly config: Config;
  readonly database: Database;
  readonly authenticator: Authenticator;
  readonly audit: AuditSink;
  readonly logger: Logger;
  /** A password reset lifts the account's login lock-out: the new password is the admin's answer to it. */
  readonly throttle?: LoginThrottle;
}

const BODY_LIMIT = 16 * 1024;
const MAX_ID_LENGTH = 64;

// core/accounts.ts enforces the username pattern and the 8-character minimum too; these
// bounds come first so an oversized value is refused before it is hashed or queried.
const password = z.string().min(8, 'must be at least 8 characters').max(MAX_PASSWORD_LENGTH);
const recordId = z.string().min(1).max(MAX_ID_LENGTH);

// Strict: a misspelt field (`patientId`) is an error, not silently a different account.
const createBody = z.strictObject({
  username: z.string().min(3).max(64),
  password,
  role: z.enum(ROLES),
  display_name: z.string().trim().min(1).max(200).optional(),
  patient_id: recordId.nullish(),
});
const passwordBody = z.strictObject({ password });
const roleBody = z.strictObject({ role: z.enum(ROLES), patient_id: recordId.nullish() });
const usernameParams = z.object({ username: z.string().min(1).max(150) });
const careTeamParams = usernameParams.extend({ patientId: recordId });
const wardParams = usernameParams.extend({ wardId: recordId });

/** Absent parameters or body are validated as `{}`, so the message names the missing fields. */
function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  return parseInput(schema, value ?? {});
}

/** An account as the admin sees it: never the password hash. */
export interface AccountView {
  id: number;
  username: string;
  role: string;
  display_name: string;
  patient_id: string | null;
  is_active: boolean;
  is_demo: boolean;
  created_at: string;
  updated_at: string;
}

export interface AccountDetail extends AccountView {
  care_team: string[];
  wards: string[];
}

function toView(account: AccountListing): AccountView {
  return {
    id: account.id,
    username: account.username,
    role: account.role,
    display_name: account.display_name,
    patient_id: account.patient_id,
    is_active: account.is_active === 1,
    is_demo: account.is_demo === 1,
    created_at: account.created_at,
    updated_at: account.updated_at,
  };
}

function forbidden(reason: string): AppError {
  return new AppError('ERR_FORBIDDEN', { internalReason: reason });
}

function conflict(detail: string, reason: string): AppError {
  return new AppError('ERR_CONFLICT', { detail, internalReason: reason });
}

export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (app, options) => {
  const { authenticator, audit, logger } = options;
  const db = options.database.db;

  app.decorateRequest('principal', null);
  // JSON only: Fastify would otherwise hand a text/plain body to the handlers as a string.
  // Prototype-poisoning keys are refused outright rather than stripped.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  const checkOrigin = originCheck(options.config.allowedOrigins);

  /** Authenticated first, so the body of an unknown caller is never even parsed. */
  const authenticateAdmin: onRequestHookHandler = async (request) => {
    const principal = await authenticator.authenticate(request.headers);
    request.principal = principal;
    const decision = isListAllowed('account', 'manage', principal.role);
    if (!decision.allowed) throw forbidden(decision.reason);
  };

  async function detail(account: Account): Promise<AccountDetail> {
    const [careTeam, wards] = await Promise.all([
      db.selectFrom('care_team_members').select('patient_id').where('account_id', '=', account.id).orderBy('patient_id').execute(),
      db.selectFrom('ward_assignments').select('ward_id').where('account_id', '=', account.id).orderBy('ward_id').execute(),
    ]);
    return { ...toView(account), care_team: careTeam.map((r) => r.patient_id), wards: wards.map((r) => r.ward_id) };
  }

  async function requirePatient(patientId: string): Promise<void> {
    const row = await db.selectFrom('patients').select('id').where('id', '=', patientId).executeTakeFirst();
    if (!row) throw new AppError('ERR_NOT_FOUND', { detail: `no patient ${patientId}`, internalReason: 'patient_not_found' });
  }

  async function requireWard(wardId: string): Promise<void> {
    const row = await db.selectFrom('wards').select('id').where('id', '=', wardId).executeTakeFirst();
    if (!row) throw new AppError('ERR_NOT_FOUND', { detail: `no ward ${wardId}`, internalReason: 'ward_not_found' });
  }

  /** Only a patient account is linked to a patient, and it must be (core's rule, said per field). */
  async function checkPatientLink(role: Role, patientId: string | null | undefined, current: Account | null): Promise<void> {
    if (role !== 'patient') {
      if (patientId) throw new AppError('ERR_VALIDATION', { detail: 'patient_id: only a patient account is linked to a patient', internalReason: 'invalid_body' });
      return;
    }
    if (!patientId && !current?.patient_id) {
      throw new AppError('ERR_VALIDATION', { detail: 'patient_id: required for a patient account', internalReason: 'invalid_body' });
    }
    if (patientId) await requirePatient(patientId);
  }

  /** Lock-out guard: an admin cannot take away the access they are using to administer. */
  function isSelf(principal: Principal, account: Account): boolean {
    return principal.userId === String(account.id);
  }

  /**
   * The `account.change` event of a change, with the CLI's reason (`accountChangeReason`): a
   * fixed phrase, ids and roles, never a password or a name. Appended in the change's own
   * transaction (core/accounts.ts), so that a log that cannot take it refuses the change too
   * (503, nothing changed); after the change, it had been committed with no event.
   */
  function recorded(request: FastifyRequest, change: string, patientId: string | null = null, role?: { from?: string; to: string }) {
    return (trx: WriteTransaction, account: Pick<Account, 'id'>) =>
      appendInTransaction(trx, eventOf(request, 'account.change', accountChangeReason(change, account.id, role), patientId));
  }

  /** Who read which accounts is on the record before the answer leaves (fail closed, as for tool calls). */
  function auditedRead(request: FastifyRequest, reason: string, patientId: string | null = null): Promise<void> {
    return recordOrRefuse(audit, eventOf(request, 'account.read', reason, patientId));
  }

  function eventOf(request: FastifyRequest, action: 'account.change' | 'account.read', reason: string, patientId: string | null): AuditEventInput {
    const principal = request.principal as Principal;
    const client = clientInfo(request);
    return {
      request_id: client.requestId,
      source: 'gateway',
      action,
      user_id: principal.userId,
      role: principal.role,
      tool: null,
      patient_id: patientId,
      decision: 'allow',
      reason,
      break_glass: false,
      purpose_of_use: PURPOSE_OF_USE[principal.role],
      redactions: {},
      client_address: client.address,
      user_agent: client.userAgent,
    };
  }

  app.setErrorHandler(async (error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) => {
    const failure = toGatewayError(error);
    if (failure.http < 500) {
      await auditRefusal(audit, logger, request, `account.manage:${failure.internalReason ?? failure.code.toLowerCase()}`, failure.subject);
    } else {
      logger.error({ reqId: request.id, code: failure.code, reason: failure.internalReason }, 'admin request failed');
    }
    return sendDetailError(reply, failure);
  });

  const guarded = { onRequest: [noStore, checkOrigin, authenticateAdmin], bodyLimit: BODY_LIMIT };
  const base = '/api/admin/accounts';

  app.get(base, guarded, async (request) => {
    const accounts = (await listAccounts(db)).map(toView);
    await auditedRead(request, 'account.list');
    return { accounts };
  });

  app.get(`${base}/:username`, guarded, async (request) => {
    const { username } = parse(usernameParams, request.params);
    const account = await detail(await requireAccount(db, username));
    await auditedRead(request, `account.read:account/${account.id}`, account.patient_id);
    return account;
  });

  app.post(base, guarded, async (request, reply) => {
    const body = parse(createBody, request.body);
    await checkPatientLink(body.role, body.patient_id, null);
    const account = await createAccount(
      db,
      { username: body.username, password: body.password, role: body.role, displayName: body.display_name ?? body.username, patientId: body.patient_id ?? null },
      (trx, created) => recorded(request, 'account.create', created.patient_id, { to: created.role })(trx, created),
    );
    return reply.code(201).send(await detail(account));
  });

  for (const change of ['deactivate', 'reactivate'] as const) {
    app.post(`${base}/:username/${change}`, guarded, async (request) => {
      const { username } = parse(usernameParams, request.params);
      const target = await requireAccount(db, username);
      if (change === 'deactivate' && isSelf(request.principal as Principal, target)) {
        throw conflict('an admin may not deactivate their own account', 'self_lockout');
      }
      // Already so: no change, and none recorded (as for links).
      const { account } = await setAccountActive(db, username, change === 'reactivate', recorded(request, `account.${change}`));
      return detail(account);
    });
  }

  app.post(`${base}/:username/password`, guarded, async (request) => {
    const { username } = parse(usernameParams, request.params);
    const body = parse(passwordBody, request.body);
    await resetPassword(db, username, body.password, recorded(request, 'account.reset_password'));
    await options.throttle?.forgive(username);
    return detail(await requireAccount(db, username));
  });

  app.post(`${base}/:username/role`, guarded, async (request) => {
    const { username } = parse(usernameParams, request.params);
    const body = parse(roleBody, request.body);
    const target = await requireAccount(db, username);
    // Lock-out is judged by the policy too: the new role must still be able to manage accounts.
    if (isSelf(request.principal as Principal, target) && !roleMayEver('account', 'manage', body.role)) {
      throw conflict('an admin may not remove account administration from their own account', 'self_lockout');
    }
    await checkPatientLink(body.role, body.patient_id, target);
    const account = await setAccountRole(db, username, body.role, body.patient_id ?? null, (trx, { before, patientId }) =>
      recorded(request, 'account.set_role', patientId, { from: before.role, to: body.role })(trx, before),
    );
    return detail(account);
  });

  app.put(`${base}/:username/care-team/:patientId`, guarded, async (request) => {
    const { username, patientId } = parse(careTeamParams, request.params);
    const account = await requireAccount(db, username);
    await assignCareTeam(db, username, patientId, undefined, recorded(request, 'account.assign_care_team', patientId));
    return detail(account);
  });

  app.delete(`${base}/:username/care-team/:patientId`, guarded, async (request) => {
    const { username, patientId } = parse(careTeamParams, request.params);
    const account = await requireAccount(db, username);
    await requirePatient(patientId);
    await removeCareTeam(db, username, patientId, recorded(request, 'account.unassign_care_team', patientId));
    return detail(account);
  });

  app.put(`${base}/:username/wards/:wardId`, guarded, async (request) => {
    const { username, wardId } = parse(wardParams, request.params);
    const account = await requireAccount(db, username);
    await assignWard(db, username, wardId, recorded(request, `account.assign_ward:ward/${wardId}`));
    return detail(account);
  });

  app.delete(`${base}/:username/wards/:wardId`, guarded, async (request) => {
    const { username, wardId } = parse(wardParams, request.params);
    const account = await requireAccount(db, username);
    await requireWard(wardId);
    await removeWard(db, username, wardId, recorded(request, `account.unassign_ward:ward/${wardId}`));
    return detail(account);
  });
};
