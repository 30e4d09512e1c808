/** get_medications: a patient's medication orders. */
import { z } from 'zod';
import { getMedications } from '@secure-hospital-ai/core/clinical/queries';
import { medicationOut, patientIdArg } from './schemas.js';
import { defineTool, READ_ONLY } from './tool.js';

const input = z.strictObject({ patient_id: patientIdArg });
const output = z.strictObject({ medications: z.array(medicationOut) });

export const getMedicationsTool = defineTool({
  name: 'get_medications',
  title: 'Medications',
  description: "One patient's medications, active and past, newest first.",
  input,
  output,
  model: 'medication',
  action: 'read',
  patient: 'required',
  annotations: READ_ONLY,
  async run(ctx) {
    const medications = await getMedications(ctx.db, { patient_id: ctx.patientId as string });
    return { sections: { medications: { model: 'medication', rows: medications, shape: 'many' } }, plain: {} };
  },
});
