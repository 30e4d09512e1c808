/** list_encounters: a patient's encounters, newest first. */
import { z } from 'zod';
import { listEncounters } from '@secure-hospital-ai/core/clinical/queries';
import { encounterOut, patientIdArg } from './schemas.js';
import { defineTool, READ_ONLY } from './tool.js';

const input = z.strictObject({ patient_id: patientIdArg });
const output = z.strictObject({ encounters: z.array(encounterOut) });

export const listEncountersTool = defineTool({
  name: 'list_encounters',
  title: 'Encounters',
  description: "One patient's visits and admissions, newest first.",
  input,
  output,
  model: 'encounter',
  action: 'read',
  patient: 'required',
  annotations: READ_ONLY,
  async run(ctx) {
    const encounters = await listEncounters(ctx.db, { patient_id: ctx.patientId as string });
    return { sections: { encounters: { model: 'encounter', rows: encounters, shape: 'many' } }, plain: {} };
  },
});
