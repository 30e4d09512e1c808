/**
 * Property: whatever tool a demo user calls, with whatever arguments, nothing in the answer
 * (or in the error) names a patient the hand-written matrix says that user may not reach.
 * Break-glass grants made along the way widen the reach exactly as the matrix says.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@secure-hospital-ai/core/errors';
import { reaches, TOOL_NAMES, type ToolName } from './expectations.js';
import { DEMO_USERS, openHarness, PATIENT_IDS, type DemoUser, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h?.close();
});

/** What would betray a patient in an answer: id, MRN, full name (either order), phone, SSN. */
function betrayals(patientId: string): RegExp[] {
  const p = h.patients.get(patientId)!;
  const literal = (s: string) => new RegExp(`(?<![A-Za-z0-9])${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9])`, 'i');
  return [
    literal(p.id),
    literal(p.mrn),
    literal(`${p.given_name} ${p.family_name}`),
    literal(`${p.family_name}, ${p.given_name}`),
    ...(p.phone ? [literal(p.phone)] : []),
    ...(p.ssn ? [literal(p.ssn)] : []),
  ];
}

const patientRef = fc.constantFrom<string>(...PATIENT_IDS, 'P999', 'P0011', '');

const argsArbitrary = (tool: ToolName) =>
  fc.record(
    {
      patient_id: patientRef,
      asPseudonym: fc.boolean(),
      query: fc.constantFrom('', 'o', 'r', 'Okafor', 'chen', 'Rahman, Aisha', 'Walter Kowalski', 'MRN-0004821', '1956-04-12', 'zz', 'P003'),
      limit: fc.integer({ min: 1, max: 5 }),
      category: fc.constantFrom('laboratory', 'vital-signs'),
      since: fc.constantFrom('2020-01-01', '2026-11-01T00:00:00Z'),
      text: fc.constantFrom('Reviewed overnight, stable.', 'Pain controlled; mobilising.'),
      reason: fc.constantFrom('unresponsive in corridor, team unreachable', 'short', 'code blue on ward, attending busy'),
    },
    { requiredKeys: [] },
  ).map((raw) => {
    const args: Record<string, unknown> = {};
    const id = raw.patient_id;
    const patient_id = id !== undefined && raw.asPseudonym && id !== '' ? h.pseudonym(id) : id;
    if (patient_id !== undefined) args.patient_id = patient_id;
    if (tool === 'search_patients') {
      delete args.patient_id;
      if (raw.query !== undefined) args.query = raw.query;
      if (raw.limit !== undefined) args.limit = raw.limit;
    }
    if (tool === 'get_observations' && raw.category) args.category = raw.category;
    if ((tool === 'get_observations' || tool === 'get_clinical_notes' || tool === 'get_audit_log') && raw.since) args.since = raw.since;
    if (tool === 'add_clinical_note') args.text = raw.text ?? 'Seen.';
    if (tool === 'break_glass') args.reason = raw.reason ?? 'no reason';
    return args;
  });

const callArbitrary = fc
  .record({ user: fc.constantFrom<DemoUser>(...DEMO_USERS), tool: fc.constantFrom<ToolName>(...TOOL_NAMES) })
  .chain(({ user, tool }) => argsArbitrary(tool).map((args) => ({ user, tool, args })));

describe('no tool call ever returns a patient the matrix forbids', () => {
  const grants = new Set<string>();

  it('holds for random calls by random demo users', async () => {
    await fc.assert(
      fc.asyncProperty(callArbitrary, async ({ user, tool, args }) => {
        const outcome = await h.call(user, tool, args).then(
          (result) => ({ text: JSON.stringify(result.structuredContent) + result.content.map((c) => c.text).join(''), ok: true }),
          (error: unknown) => {
            if (!(error instanceof AppError)) throw error;
            return { text: JSON.stringify({ m: error.message, d: error.detail, data: error.data }), ok: false };
          },
        );
        if (outcome.ok && tool === 'break_glass' && typeof args.patient_id === 'string') grants.add(`${user}:${args.patient_id}`);
        // The researcher reaches every record but only de-identified: researcher.test.ts holds
        // that no identifier leaves; here it must not see real ids either.
        for (const patientId of PATIENT_IDS) {
          const allowedToSee = user === 'researcher1' ? false : reaches(user, patientId, grants);
          // The auditor reads ids in the log, never a record.
          if (allowedToSee || (user === 'auditor1' && tool === 'get_audit_log')) continue;
          for (const pattern of betrayals(patientId)) {
            expect(pattern.test(outcome.text), `${user} ${tool} ${JSON.stringify(args)} revealed ${patientId} (${pattern})`).toBe(false);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
