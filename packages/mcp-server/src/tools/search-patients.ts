/** search_patients: patients matching a name, MRN or birth date; only rows the caller may see. */
import { z } from 'zod';
import { decodeCursor, encodeCursor, PATIENT_COLUMNS, searchPatients } from '@secure-hospital-ai/core/clinical/queries';
import { AppError } from '@secure-hospital-ai/core/errors';
import type { PatientRowFilter } from '@secure-hospital-ai/core/policy/row-filter';
import { isPseudonym } from '@secure-hospital-ai/core/redaction/pseudonym';
import { cursorArg, limitArg, nextCursorOut, patientOut } from './schemas.js';
import { defineTool, READ_ONLY, type Fetched, type ToolRunContext } from './tool.js';

const input = z.strictObject({
  query: z
    .string()
    .trim()
    .max(100)
    .default('')
    .describe(
      'Name (prefix of family or given name, "Family, Given"), MRN, or birth date YYYY-MM-DD; empty lists every patient you may see. ' +
        'De-identified access (researchers): empty, or a pseudonym.',
    ),
  limit: limitArg(100, 20),
  cursor: cursorArg.optional(),
});
type Input = z.infer<typeof input>;

const output = z.strictObject({ patients: z.array(patientOut), next_cursor: nextCursorOut });

/** Marks listing cursors, so a search cursor is not taken for one (and the reverse). */
const LISTING = 'listing';
const DEIDENTIFIED_LISTING = 'deidentified-listing';

function answer(patients: readonly object[], nextCursor: string | null): Fetched {
  return { sections: { patients: { model: 'patient', rows: patients, shape: 'many' } }, plain: { next_cursor: nextCursor } };
}

/** Every patient the row filter lets through, by id: the listing an empty query asks for. */
async function listVisible(ctx: ToolRunContext, args: Input, filter: PatientRowFilter): Promise<Fetched> {
  let after: string | undefined;
  if (args.cursor) {
    const cursor = decodeCursor(args.cursor, ctx.cursorKey);
    if (cursor.q !== LISTING) throw new AppError('ERR_VALIDATION', { detail: 'cursor: belongs to a different query' });
    after = cursor.k[2];
  }
  let query = ctx.db.selectFrom('patients').select(PATIENT_COLUMNS).where(filter);
  if (after !== undefined) query = query.where('id', '>', after);
  const rows = await query.orderBy('id').limit(args.limit + 1).execute();
  const page = rows.slice(0, args.limit);
  const last = page[page.length - 1];
  const next = rows.length > args.limit && last ? encodeCursor({ k: ['', '', last.id], q: LISTING }, ctx.cursorKey) : null;
  return answer(page, next);
}

/**
 * The de-identified listing, in pseudonym order: in id order the n-th pseudonym would be
 * P00n's (found by a reviewer, matching birth year, sex and state against the list's order).
 * The cursor holds the last pseudonym shown, sealed like every cursor.
 */
async function listDeidentified(ctx: ToolRunContext, args: Input): Promise<Fetched> {
  let after: string | undefined;
  if (args.cursor) {
    const cursor = decodeCursor(args.cursor, ctx.cursorKey);
    if (cursor.q !== DEIDENTIFIED_LISTING) throw new AppError('ERR_VALIDATION', { detail: 'cursor: belongs to a different query' });
    after = cursor.k[2];
  }
  const ids = await ctx.idsInPseudonymOrder();
  // The first id whose pseudonym sorts after the cursor's: a binary search, a pseudonym (an HMAC) per step.
  let at = 0;
  if (after !== undefined) {
    let high = ids.length;
    while (at < high) {
      const middle = (at + high) >>> 1;
      if (ctx.pseudonymOf(ids[middle]!) <= after) at = middle + 1;
      else high = middle;
    }
  }
  // Rows the filter lets through, a slice of the order at a time, until a page and one more.
  const page: Array<{ id: string }> = [];
  let more = false;
  while (at < ids.length && !more) {
    const slice = ids.slice(at, at + args.limit + 1);
    at += slice.length;
    const rows = await ctx.db.selectFrom('patients').select(PATIENT_COLUMNS).where(ctx.rowFilter).where('id', 'in', slice).execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const id of slice) {
      const row = byId.get(id);
      if (row === undefined) continue;
      if (page.length === args.limit) {
        more = true;
        break;
      }
      page.push(row);
    }
  }
  const last = page[page.length - 1];
  const next = more && last ? encodeCursor({ k: ['', '', ctx.pseudonymOf(last.id)], q: DEIDENTIFIED_LISTING }, ctx.cursorKey) : null;
  return answer(page, next);
}

/**
 * De-identified callers never search by name, MRN or birth date: a match would tie a
 * pseudonym to an identity and undo the de-identification. They list, or look a pseudonym up.
 */
async function deidentifiedSearch(ctx: ToolRunContext, args: Input): Promise<Fetched> {
  if (args.query === '') return listDeidentified(ctx, args);
  if (!isPseudonym(args.query)) {
    throw new AppError('ERR_VALIDATION', { detail: 'query: de-identified access may only look up a pseudonym (R-…) or list with an empty query' });
  }
  // A lookup has one page: a cursor here could only be used to probe where the id sorts.
  if (args.cursor !== undefined) throw new AppError('ERR_VALIDATION', { detail: 'cursor: a pseudonym lookup has no further pages' });
  const id = await ctx.resolvePseudonym(args.query);
  if (id === undefined) return answer([], null);
  const base = ctx.rowFilter;
  return listVisible(ctx, args, (eb) => eb.and([base(eb), eb('patients.id', '=', id)]));
}

export const searchPatientsTool = defineTool({
  name: 'search_patients',
  title: 'Search patients',
  description: 'Finds patients by name, MRN or date of birth among those you may see, a page at a time.',
  input,
  output,
  model: 'patient',
  action: 'read',
  patient: 'none',
  annotations: READ_ONLY,
  async run(ctx, args: Input) {
    if (ctx.addressing === 'pseudonym') return deidentifiedSearch(ctx, args);
    if (args.query === '') return listVisible(ctx, args, ctx.rowFilter);
    const page = await searchPatients(ctx.db, {
      query: args.query,
      limit: args.limit,
      cursor: args.cursor ?? null,
      restrictTo: ctx.rowFilter,
      cursorKey: ctx.cursorKey,
    });
    return answer(page.patients, page.next_cursor);
  },
});
