/** get_patient_overview: demographics, active conditions, medications, allergies, latest vitals. */
import { z } from 'zod';
import { AppError } from '@secure-hospital-ai/core/errors';
import { allergyOut, conditionOut, contactOut, medicationOut, observationOut, patientIdArg, patientOut } from './schemas.js';
import { defineTool, READ_ONLY, type RowSection } from './tool.js';

const input = z.strictObject({ patient_id: patientIdArg });

const output = z.strictObject({
  patient: patientOut,
  contacts: z.array(contactOut).optional(),
  conditions: z.array(conditionOut).optional(),
  medications: z.array(medicationOut).optional(),
  allergies: z.array(allergyOut).optional(),
  latest_vitals: z.array(observationOut).optional(),
});

export const getPatientOverviewTool = defineTool({
  name: 'get_patient_overview',
  title: 'Patient overview',
  description:
    'Demographics, active conditions, medications, allergies and latest vital signs of one patient. ' +
    'Sections your role may not see are left out.',
  input,
  output,
  model: 'patient',
  action: 'read',
  patient: 'required',
  sectionModels: ['condition', 'medication', 'allergy', 'observation'],
  annotations: READ_ONLY,
  async run(ctx) {
    const overview = await ctx.overviews.read(ctx.db, ctx.patientId as string, ctx.chartRevision);
    // The policy found the patient a moment ago; gone now means a concurrent change, not data.
    if (!overview) throw new AppError('ERR_FORBIDDEN', { internalReason: 'patient_not_found' });
    const sections: Record<string, RowSection> = {
      patient: { model: 'patient', rows: [overview.patient], shape: 'one' },
      contacts: { model: 'contact', rows: overview.contacts, shape: 'many' },
    };
    if (ctx.readable.has('condition')) sections.conditions = { model: 'condition', rows: overview.conditions, shape: 'many' };
    if (ctx.readable.has('medication')) sections.medications = { model: 'medication', rows: overview.medications, shape: 'many' };
    if (ctx.readable.has('allergy')) sections.allergies = { model: 'allergy', rows: overview.allergies, shape: 'many' };
    if (ctx.readable.has('observation')) sections.latest_vitals = { model: 'observation', rows: overview.latest_vitals, shape: 'many' };
    return { sections, plain: {} };
  },
});
