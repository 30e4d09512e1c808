/**
 * Break-glass: emergency access by a doctor or nurse to one patient outside their care team
 * or ward, for a fixed time, with a written justification (SPEC "Tools"). A grant is never
 * extended silently: asking again while a grant is active needs a new justification, so
 * every stretch of emergency access has its own reason on file for the reviewer.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Principal } from '../domain.js';
import type { Tables } from '../db/schema.js';
import { AppError } from '../errors.js';
import { freeTextProblem, visibleLength } from '../free-text.js';
import { roleMayEver } from './engine.js';
import { BREAK_GLASS_MIN_REASON, BREAK_GLASS_MINUTES } from './policy.js';
import { accountIdOf } from './relationships.js';

export interface BreakGlassGrant {
  readonly id: string;
  readonly patient_id: string;
  readonly granted_at: string;
  readonly expires_at: string;
}

/** Whitespace and case do not make a justification new. */
function sameReason(a: string, b: string): boolean {
  const normal = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
  return normal(a) === normal(b);
}

/** What is wrong with a trimmed justification, or undefined: the one rule, for the tool's schema too. */
export function breakGlassReasonProblem(text: string): string | undefined {
  // Only what a reviewer can read counts: ten zero-width spaces are no reason.
  return freeTextProblem(text) ?? (visibleLength(text) < BREAK_GLASS_MIN_REASON ? `must be at least ${BREAK_GLASS_MIN_REASON} characters` : undefined);
}

/** The justification, trimmed; refused (naming the field) when too short to mean anything. */
export function checkBreakGlassReason(reason: unknown): string {
  const text = typeof reason === 'string' ? reason.trim() : '';
  const problem = breakGlassReasonProblem(text);
  if (problem !== undefined) throw new AppError('ERR_VALIDATION', { detail: `reason: ${problem}` });
  return text;
}

export async function startBreakGlass(
  db: Kysely<Tables>,
  principal: Principal,
  patientId: string,
  reason: string,
  now: Date = new Date(),
): Promise<BreakGlassGrant> {
  const accountId = accountIdOf(principal);
  if (!roleMayEver('patient', 'break_glass', principal.role) || accountId === undefined) {
    throw new AppError('ERR_FORBIDDEN', { internalReason: 'not_in_policy' });
  }
  const justification = checkBreakGlassReason(reason);
  const grantedAt = now.toISOString();
  const expiresAt = new Date(now.getTime() + BREAK_GLASS_MINUTES * 60_000).toISOString();

  return db.transaction().execute(async (trx) => {
    const patient = await trx.selectFrom('patients').select('id').where('id', '=', patientId).executeTakeFirst();
    if (!patient) throw new AppError('ERR_FORBIDDEN', { internalReason: 'patient_not_found' });
    const active = await trx
      .selectFrom('break_glass_grants')
      .select('reason')
      .where('account_id', '=', accountId)
      .where('patient_id', '=', patientId)
      .where('granted_at', '<=', grantedAt)
      .where('expires_at', '>', grantedAt)
      .execute();
    if (active.some((grant) => sameReason(grant.reason, justification))) {
      throw new AppError('ERR_CONFLICT', {
        detail: 'reason: a grant with this reason is already active; a new grant needs a new reason',
        internalReason: 'break_glass_reason_reused',
      });
    }
    const grant = { id: randomUUID(), patient_id: patientId, granted_at: grantedAt, expires_at: expiresAt };
    await trx.insertInto('break_glass_grants').values({ ...grant, account_id: accountId, reason: justification }).execute();
    return grant;
  });
}

/**
 * Withdraws a grant whose start could not be audited (fail closed: emergency access that is
 * not on the record must not exist).
 */
export async function revokeBreakGlass(db: Kysely<Tables>, grantId: string): Promise<void> {
  await db.deleteFrom('break_glass_grants').where('id', '=', grantId).execute();
}
