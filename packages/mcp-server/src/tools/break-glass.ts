/** break_glass: emergency access to one patient for 60 minutes, with a reason, flagged for review. */
import { z } from 'zod';
import { breakGlassReasonProblem, planBreakGlass } from '@secure-hospital-ai/core/policy/break-glass';
import { BREAK_GLASS_MIN_REASON, BREAK_GLASS_MINUTES } from '@secure-hospital-ai/core/policy/policy';
import { patientIdArg } from './schemas.js';
import { defineTool } from './tool.js';

const input = z.strictObject({
  patient_id: patientIdArg,
  reason: z
    .string()
    .trim()
    // Published in the input schema; breakGlassReasonProblem counts visible characters only.
    .min(BREAK_GLASS_MIN_REASON, `must be at least ${BREAK_GLASS_MIN_REASON} characters (letters and digits)`)
    .max(1000)
    .superRefine((value, ctx) => {
      const problem = breakGlassReasonProblem(value);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(`Why emergency access is needed (at least ${BREAK_GLASS_MIN_REASON} letters and digits); reviewed by compliance`),
});
const output = z.strictObject({
  patient_id: z.string(),
  granted_at: z.string(),
  expires_at: z.string(),
  minutes: z.number().int(),
});

export const breakGlassTool = defineTool({
  name: 'break_glass',
  title: 'Break the glass',
  description:
    `Emergency access to a patient outside your care team or ward, for ${BREAK_GLASS_MINUTES} minutes. ` +
    'Every access under it is flagged for compliance review; asking again while it runs needs a new reason.',
  input,
  output,
  model: 'patient',
  action: 'break_glass',
  patient: 'required',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  justification: (args) => args.reason,
  async run(ctx, args: z.infer<typeof input>) {
    const { grant, record } = await planBreakGlass(ctx.db, ctx.principal, ctx.patientId as string, args.reason, ctx.now);
    return {
      sections: {},
      plain: { patient_id: grant.patient_id, granted_at: grant.granted_at, expires_at: grant.expires_at, minutes: BREAK_GLASS_MINUTES },
      write: record,
    };
  },
});
