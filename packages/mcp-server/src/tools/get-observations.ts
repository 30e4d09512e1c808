/** get_observations: a patient's laboratory results and vital signs. */
import { z } from 'zod';
import { getObservations } from '@secure-hospital-ai/core/clinical/queries';
import { instantArg, limitArg, observationOut, patientIdArg } from './schemas.js';
import { defineTool, READ_ONLY } from './tool.js';

const input = z.strictObject({
  patient_id: patientIdArg,
  category: z.enum(['laboratory', 'vital-signs']).optional().describe('laboratory or vital-signs'),
  code: z.string().trim().min(1).max(32).regex(/^[A-Za-z0-9.-]+$/, 'a LOINC code such as 718-7').optional().describe('LOINC code'),
  since: instantArg.optional().describe('Only results at or after this date or instant'),
  limit: limitArg(2000, 200),
});
const output = z.strictObject({
  observations: z.array(observationOut),
  truncated: z.boolean().describe('More results match than were returned: narrow by category, code or since, or raise limit'),
});

export const getObservationsTool = defineTool({
  name: 'get_observations',
  title: 'Observations',
  description:
    "One patient's laboratory results and vital signs, newest first, optionally by category, LOINC code and date; " +
    'the newest 200 unless limit says otherwise, with truncated true when there are more.',
  input,
  output,
  model: 'observation',
  action: 'read',
  patient: 'required',
  annotations: READ_ONLY,
  async run(ctx, args: z.infer<typeof input>) {
    // One row more than asked for says whether there are more, without a count.
    const rows = await getObservations(ctx.db, {
      patient_id: ctx.patientId as string,
      ...(args.category ? { category: args.category } : {}),
      ...(args.code ? { code: args.code } : {}),
      ...(args.since ? { since: args.since } : {}),
      limit: args.limit + 1,
    });
    const observations = rows.slice(0, args.limit);
    return {
      sections: { observations: { model: 'observation', rows: observations, shape: 'many' } },
      plain: { truncated: rows.length > args.limit },
    };
  },
});
