/** get_clinical_notes: a patient's free-text notes, newest first. */
import { z } from 'zod';
import { getClinicalNotes } from '@secure-hospital-ai/core/clinical/queries';
import { instantArg, limitArg, noteOut, patientIdArg } from './schemas.js';
import { defineTool, READ_ONLY } from './tool.js';

const input = z.strictObject({
  patient_id: patientIdArg,
  since: instantArg.optional().describe('Only notes written at or after this date or instant'),
  limit: limitArg(100, 20),
});
const output = z.strictObject({ notes: z.array(noteOut) });

export const getClinicalNotesTool = defineTool({
  name: 'get_clinical_notes',
  title: 'Clinical notes',
  description: "One patient's clinical notes (progress, nursing, discharge, …), newest first.",
  input,
  output,
  model: 'clinical_note',
  action: 'read',
  patient: 'required',
  annotations: READ_ONLY,
  async run(ctx, args: z.infer<typeof input>) {
    const notes = await getClinicalNotes(ctx.db, {
      patient_id: ctx.patientId as string,
      limit: args.limit,
      ...(args.since ? { since: args.since } : {}),
    });
    return { sections: { notes: { model: 'clinical_note', rows: notes, shape: 'many' } }, plain: {} };
  },
});
