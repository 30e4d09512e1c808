/**
 * A patient's access log (get_audit_log as the patient) holds every tool call that showed
 * their record: the reads of it, and the searches and listings that showed them among others,
 * whoever made them and under whatever view (a receptionist's demographics, a researcher's
 * pseudonyms). It never names the others a search showed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '@secure-hospital-ai/core/db/seed';
import { openHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h?.close();
});

type PatientEvent = { time: string; user_id: string | null; user_name: string | null; role: string | null; tool: string | null; patient_id: string };

const displayName = (username: string) => DEMO_ACCOUNTS.find((a) => a.username === username)?.displayName;

/** P001's access log, without P001's own reads of it (each call here is one). */
async function accessLog(): Promise<PatientEvent[]> {
  const result = await h.call('p001', 'get_audit_log', { limit: 200 });
  return (result.structuredContent as { events: PatientEvent[] }).events.filter((e) => e.user_id !== h.principals.p001.userId);
}

function listedIds(result: Awaited<ReturnType<Harness['call']>>): string[] {
  return (result.structuredContent as { patients: Array<{ id: string }> }).patients.map((p) => p.id);
}

describe("searches in a patient's access log", () => {
  it('shows a receptionist listing every patient, once, and names nobody else', async () => {
    const before = await accessLog();
    const listing = await h.call('front_desk', 'search_patients', { limit: 100 });
    expect(listedIds(listing)).toContain('P001');

    const after = await accessLog();
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]).toEqual({
      time: expect.any(String),
      user_id: h.principals.front_desk.userId,
      // By name: an account id means nothing to a patient.
      user_name: displayName('front_desk'),
      role: 'receptionist',
      tool: 'search_patients',
      patient_id: 'P001',
    });
    const text = JSON.stringify(after);
    for (const other of ['P002', 'P003', 'P010']) expect(text).not.toContain(other);

    const [event] = await h.lastAuditEvents(2); // the listing, then the patient's own read of the log
    expect(event).toMatchObject({ tool: 'search_patients', patient_id: null });
    expect(JSON.parse(String(event?.listed_patients))).toEqual([...listedIds(listing)].sort());
  });

  it('shows a search by name that found the patient, and not one that did not', async () => {
    const family = h.patients.get('P001')?.family_name as string;
    const found = await h.call('front_desk', 'search_patients', { query: family });
    expect(listedIds(found)).toContain('P001');
    const count = (await accessLog()).length;

    const other = h.patients.get('P002')?.family_name as string;
    expect(other).not.toBe(family);
    const missed = await h.call('front_desk', 'search_patients', { query: other });
    expect(listedIds(missed)).not.toContain('P001');
    expect(await accessLog()).toHaveLength(count);
  });

  it("shows a researcher's de-identified listing under the real id, though the answer held pseudonyms", async () => {
    const count = (await accessLog()).length;
    const listing = await h.call('researcher1', 'search_patients', { limit: 100 });
    expect(listedIds(listing)).toContain(h.pseudonym('P001'));
    expect(JSON.stringify(listing.structuredContent)).not.toContain('P001');
    const after = await accessLog();
    expect(after).toHaveLength(count + 1);
    expect(after[0]).toMatchObject({ role: 'researcher', user_name: displayName('researcher1'), tool: 'search_patients', patient_id: 'P001' });
  });

  it('does not show a refused search, which showed nothing', async () => {
    const count = (await accessLog()).length;
    await expect(h.call('auditor1', 'search_patients', {})).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    expect(await accessLog()).toHaveLength(count);
    const [refused] = await h.lastAuditEvents(2);
    expect(refused).toMatchObject({ tool: 'search_patients', decision: 'deny', listed_patients: null });
  });

  it("lets the auditor find the searches by patient, with each one's list", async () => {
    const result = await h.call('auditor1', 'get_audit_log', { patient_id: 'P001', limit: 200 });
    const events = (result.structuredContent as { events: Array<{ tool: string; patient_id: string | null; listed_patients: string[] }> }).events;
    const searches = events.filter((e) => e.tool === 'search_patients');
    expect(searches.length).toBe(3);
    for (const e of searches) expect(e.patient_id === null && e.listed_patients.includes('P001')).toBe(true);
    expect(events.filter((e) => e.tool !== 'search_patients').every((e) => e.patient_id === 'P001' && e.listed_patients.length === 0)).toBe(true);
  });
});

describe('get_audit_log cursors', () => {
  it('are sealed: they say nothing of the log, and one made up, altered or from another tool is refused', async () => {
    // Found by a reviewer: "a1.MzMyMTA" decoded to seq 33210, the whole hospital's audit volume.
    for (let i = 0; i < 3; i += 1) await h.call('yenji100', 'get_patient_overview', { patient_id: 'P001' });
    const first = await h.call('p001', 'get_audit_log', { limit: 1 });
    const cursor = (first.structuredContent as { next_cursor: string }).next_cursor;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    // Not the seq in any spelling: the same page asked for again gets another cursor (a fresh IV).
    const again = (await h.call('p001', 'get_audit_log', { limit: 1 })).structuredContent as { next_cursor: string };
    expect(again.next_cursor).not.toBe(cursor);
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toMatch(/^(a1\.)?\d+$/);
    // It pages as before.
    const second = await h.call('p001', 'get_audit_log', { limit: 1, cursor });
    const [a] = (first.structuredContent as { events: Array<{ time: string }> }).events;
    const [b] = (second.structuredContent as { events: Array<{ time: string }> }).events;
    expect(b!.time <= a!.time).toBe(true);

    const listing = (await h.call('front_desk', 'search_patients', { limit: 1 })).structuredContent as { next_cursor: string };
    const altered = cursor.slice(0, 20) + (cursor[20] === 'A' ? 'B' : 'A') + cursor.slice(21);
    for (const forged of [`a1.${Buffer.from('30').toString('base64url')}`, altered, listing.next_cursor]) {
      const error = await h.refusal('p001', 'get_audit_log', { limit: 1, cursor: forged });
      expect(error).toMatchObject({ code: 'ERR_VALIDATION', detail: 'cursor is not one this server issued' });
    }
  });
});
