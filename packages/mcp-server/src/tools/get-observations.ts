/** get_observations: a patient's laboratory results and vital signs. */
import { z } from 'zod';
import { getObservations } from '@secure-hospital-ai/core/clinical/queries';
import { instantArg, observationOut, patientIdArg } from './schemas.js';
import { defineTool, READ_ONLY } from './tool.js';

const input = z.strictObject({
  patient_id: patientIdArg,
  category: z.enum(['laboratory', 'vital-signs']).optional().describe('laboratory or vital-signs'),
  code: z.string().trim().min(1).max(32).regex(/^[A-Za-z0-9.-]+$/, 'a LOINC code such as 718-7').optional().describe('LOINC code'),
  since: instantArg.optional().describe('Only results at or after this date or instant'),
});
const output = z.strictObject({ observations: z.array(observationOut) });

export const getObservationsTool = defineTool({
  name: 'get_observations',
  title: 'Observations',
  description: "One patient's laboratory results and vital signs, newest first, optionally by category, LOINC code and date.",
  input,
  output,
  model: 'observation',
  action: 'read',
  patient: 'required',
  annotations: READ_ONLY,
  async run(ctx, args: z.infer<typeof input>) {
    const observations = await getObservations(ctx.db, {
      patient_id: ctx.patientId as string,
      ...(args.category ? { category: args.category } : {}),
      ...(args.code ? { code: args.code } : {}),
      ...(args.since ? { since: args.since } : {}),
    });
    return { sections: { observations: { model: 'observation', rows: observations, shape: 'many' } }, plain: {} };
  },
});
