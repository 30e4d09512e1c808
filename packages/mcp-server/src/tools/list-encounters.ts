/** list_encounters: a patient's encounters, newest first. */
import { z } from 'zod';
import { listEncounters } from '@secure-hospital-ai/core/clinical/queries';
import { encounterOut, limitArg, patientIdArg } from './schemas.js';
import { defineTool, READ_ONLY } from './tool.js';

const input = z.strictObject({ patient_id: patientIdArg, limit: limitArg(1000, 100) });
const output = z.strictObject({
  encounters: z.array(encounterOut),
  truncated: z.boolean().describe('More encounters exist than were returned: raise limit'),
});

export const listEncountersTool = defineTool({
  name: 'list_encounters',
  title: 'Encounters',
  description: "One patient's visits and admissions, newest first: the newest 100 unless limit says otherwise, with truncated true when there are more.",
  input,
  output,
  model: 'encounter',
  action: 'read',
  patient: 'required',
  annotations: READ_ONLY,
  async run(ctx, args: z.infer<typeof input>) {
    // One row more than asked for says whether there are more, without a count.
    const rows = await listEncounters(ctx.db, { patient_id: ctx.patientId as string, limit: args.limit + 1 });
    const encounters = rows.slice(0, args.limit);
    return { sections: { encounters: { model: 'encounter', rows: encounters, shape: 'many' } }, plain: { truncated: rows.length > args.limit } };
  },
});
