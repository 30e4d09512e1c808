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
import { freeTextProblem, wordLength } from '../free-text.js';
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
  // Only what a reviewer can read counts: ten zero-width spaces, braille blanks or dots are no reason.
  return (
    freeTextProblem(text) ??
    (wordLength(text) < BREAK_GLASS_MIN_REASON ? `must be at least ${BREAK_GLASS_MIN_REASON} characters (letters and digits)` : undefined)
  );
}

/** The justification, trimmed; refused (naming the field) when too short to mean anything. */
export function checkBreakGlassReason(reason: unknown): string {
  const text = typeof reason === 'string' ? reason.trim() : '';
  const problem = breakGlassReasonProblem(text);
  if (problem !== undefined) throw new AppError('ERR_VALIDATION', { detail: `reason: ${problem}` });
  return text;
}

/**
 * A grant checked and ready to record. The tool pipeline commits the call's audit event
 * between the two steps (audit first, then the change), so emergency access never exists
 * without its record, even if the process dies in between.
 */
export interface PlannedBreakGlass {
  readonly grant: BreakGlassGrant;
  /** Records the grant, checking again that its reason is still new for this patient. */
  record(): Promise<void>;
}

/** Checks a break-glass request without recording anything. */
export async function planBreakGlass(
  db: Kysely<Tables>,
  principal: Principal,
  patientId: string,
  reason: string,
  now: Date = new Date(),
): Promise<PlannedBreakGlass> {
  const accountId = accountIdOf(principal);
  if (!roleMayEver('patient', 'break_glass', principal.role) || accountId === undefined) {
    throw new AppError('ERR_FORBIDDEN', { internalReason: 'not_in_policy' });
  }
  const justification = checkBreakGlassReason(reason);
  const grantedAt = now.toISOString();
  const grant: BreakGlassGrant = {
    id: randomUUID(),
    patient_id: patientId,
    granted_at: grantedAt,
    expires_at: new Date(now.getTime() + BREAK_GLASS_MINUTES * 60_000).toISOString(),
  };
  const stored = { ...grant, account_id: accountId, reason: justification };
  await refuseUngrantable(db, stored);
  return {
    grant,
    record: () =>
      db.transaction().execute(async (trx) => {
        // A request with the same reason may have been recorded since the plan was checked.
        await refuseUngrantable(trx, stored);
        await trx.insertInto('break_glass_grants').values(stored).execute();
      }),
  };
}

/** Checks and records a grant in one step (callers without an audit event to commit between). */
export async function startBreakGlass(
  db: Kysely<Tables>,
  principal: Principal,
  patientId: string,
  reason: string,
  now: Date = new Date(),
): Promise<BreakGlassGrant> {
  const planned = await planBreakGlass(db, principal, patientId, reason, now);
  await planned.record();
  return planned.grant;
}

/** Refuses a grant for a patient that does not exist, or one repeating the reason of an active grant. */
async function refuseUngrantable(
  db: Kysely<Tables>,
  stored: { patient_id: string; account_id: number; reason: string; granted_at: string },
): Promise<void> {
  const patient = await db.selectFrom('patients').select('id').where('id', '=', stored.patient_id).executeTakeFirst();
  if (!patient) throw new AppError('ERR_FORBIDDEN', { internalReason: 'patient_not_found' });
  const active = await db
    .selectFrom('break_glass_grants')
    .select('reason')
    .where('account_id', '=', stored.account_id)
    .where('patient_id', '=', stored.patient_id)
    .where('granted_at', '<=', stored.granted_at)
    .where('expires_at', '>', stored.granted_at)
    .execute();
  if (active.some((grant) => sameReason(grant.reason, stored.reason))) {
    throw new AppError('ERR_CONFLICT', {
      detail: 'reason: a grant with this reason is already active; a new grant needs a new reason',
      internalReason: 'break_glass_reason_reused',
    });
  }
}
