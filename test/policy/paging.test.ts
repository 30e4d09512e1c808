/**
 * search_patients pages: the row filter sits inside the SQL, so a doctor's pages, cursors
 * and "is there more" answers only ever reflect care-team patients, even when the query
 * matches many patients the doctor may not see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type DemoUser, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h?.close();
});

interface Page {
  ids: string[];
  next: string | null;
}

async function page(user: DemoUser, args: Record<string, unknown>): Promise<Page> {
  const result = await h.call(user, 'search_patients', args);
  const data = result.structuredContent as { patients: Array<{ id: string }>; next_cursor: string | null };
  return { ids: data.patients.map((p) => p.id), next: data.next_cursor };
}

async function allPages(user: DemoUser, args: Record<string, unknown>): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(user, { ...args, ...(cursor ? { cursor } : {}) });
    pages.push(next);
    cursor = next.next ?? undefined;
  } while (cursor && pages.length < 50);
  return pages;
}

describe('search paging reveals nothing beyond the care team', () => {
  it('the query matches many patients, but the doctor pages through only the care team', async () => {
    // "r" matches Robert Chen (P002, care team), Rahman, Rossi, Reyes, ... (not).
    const receptionPages = await allPages('front_desk', { query: 'r', limit: 1 });
    const allMatches = receptionPages.flatMap((p) => p.ids);
    expect(allMatches.length).toBeGreaterThan(2);
    expect(allMatches).toContain('P002');

    const doctorPages = await allPages('yenji100', { query: 'r', limit: 1 });
    // One page, one row, and no cursor: the hidden matches do not even make a "more".
    expect(doctorPages).toEqual([{ ids: ['P002'], next: null }]);
  });

  it('lists the care team a row at a time, and stops exactly at its end', async () => {
    const pages = await allPages('yenji100', { limit: 1 });
    expect(pages.map((p) => p.ids)).toEqual([['P001'], ['P002']]);
    expect(pages[pages.length - 1]!.next).toBeNull();
    const wide = await page('yenji100', { limit: 100 });
    expect(wide).toEqual({ ids: ['P001', 'P002'], next: null });
  });

  it('a cursor opens for the account (and role) it was given to only', async () => {
    const reception = await page('front_desk', { query: 'r', limit: 1 });
    expect(reception.next).not.toBeNull();
    const borrowed = await h.refusal('yenji100', 'search_patients', { query: 'r', limit: 1, cursor: reception.next });
    expect(borrowed).toMatchObject({ code: 'ERR_VALIDATION', detail: 'cursor is invalid' });
    // Its own holder still pages with it.
    expect((await page('front_desk', { query: 'r', limit: 1, cursor: reception.next! })).ids).toHaveLength(1);
  });

  it("a researcher cannot use another account's listing cursors to place a pseudonym among the record ids", async () => {
    // The attack a reviewer made work: the receptionist's cursor "after P00n" on a pseudonym
    // lookup answered the row only when the pseudonym's patient sorted after P00n.
    const listing = await page('front_desk', { limit: 1 });
    const pseudonym = h.pseudonym('P005');
    const withForeign = await h.refusal('researcher1', 'search_patients', { query: pseudonym, cursor: listing.next });
    expect(withForeign.code).toBe('ERR_VALIDATION');
    // Nor its own listing cursors: a lookup has one page.
    const own = await page('researcher1', { limit: 1 });
    expect(own.next).not.toBeNull();
    const withOwn = await h.refusal('researcher1', 'search_patients', { query: pseudonym, cursor: own.next });
    expect(withOwn).toMatchObject({ code: 'ERR_VALIDATION', detail: expect.stringMatching(/^cursor:/) });
    // The lookup without a cursor still answers, under the pseudonym only.
    const found = await page('researcher1', { query: pseudonym });
    expect(found).toEqual({ ids: [pseudonym], next: null });
  });

  it('cursors are sealed: they carry no name, and a forged one is refused naming the field', async () => {
    const first = await page('front_desk', { query: 'o', limit: 1 });
    expect(first.next).not.toBeNull();
    expect(Buffer.from(first.next!, 'base64url').toString('latin1').toLowerCase()).not.toMatch(/okafor|o'brien|nguyen/);
    const forged = Buffer.from(JSON.stringify({ k: ['a', 'a', 'P000'], q: 'x' })).toString('base64url');
    const error = await h.refusal('front_desk', 'search_patients', { query: 'o', cursor: forged });
    expect(error.code).toBe('ERR_VALIDATION');
    expect(error.detail).toMatch(/cursor/);
  });

  it('a nurse and a patient see only their ward and their own record', async () => {
    expect((await allPages('nurse_joy', { limit: 1 })).flatMap((p) => p.ids)).toEqual(['P001', 'P004']);
    expect(await page('p001', { query: 'o', limit: 5 })).toEqual({ ids: ['P001'], next: null });
    expect(await page('p001', { query: 'Kowalski' })).toEqual({ ids: [], next: null });
  });
});
