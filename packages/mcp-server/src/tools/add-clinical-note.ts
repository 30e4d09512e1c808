/** add_clinical_note: a doctor (care team) or nurse (ward) writes a note on a patient's record. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { freeTextArg, noteOut, patientIdArg } from './schemas.js';
import { defineTool } from './tool.js';

export const NOTE_TYPES = ['progress', 'nursing', 'phone', 'referral', 'discharge'] as const;

const input = z.strictObject({
  patient_id: patientIdArg,
  text: freeTextArg(20_000).describe('The note, as free text'),
  note_type: z.enum(NOTE_TYPES).default('progress').describe(`One of ${NOTE_TYPES.join(', ')}`),
});
const output = z.strictObject({ note: noteOut });

export const addClinicalNoteTool = defineTool({
  name: 'add_clinical_note',
  title: 'Add a clinical note',
  description: "Adds a free-text note to a patient's record, signed with your account.",
  input,
  output,
  model: 'clinical_note',
  action: 'write',
  patient: 'required',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(ctx, args: z.infer<typeof input>) {
    const authorId = Number(ctx.principal.userId);
    const author = await ctx.db.selectFrom('accounts').select('display_name').where('id', '=', authorId).executeTakeFirst();
    const note = {
      id: `N-${randomUUID()}`,
      patient_id: ctx.patientId as string,
      encounter_id: null,
      author_account_id: authorId,
      author_name: author?.display_name ?? null,
      note_type: args.note_type,
      text: args.text,
      created_at: ctx.now.toISOString(),
    };
    return {
      sections: { note: { model: 'clinical_note', rows: [note], shape: 'one' } },
      plain: {},
      write: async () => {
        await ctx.db.insertInto('clinical_notes').values(note).execute();
      },
    };
  },
});
