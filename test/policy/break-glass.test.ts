/**
 * Break-glass through the tool backend, with the clock moved by hand: a justification of at
 * least 10 characters, doctors and nurses only, 60 minutes on that one patient, every access
 * under it flagged (break_glass, ETREAT), never extended without a new reason, and gone when
 * it expires.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from './harness.js';

const START = new Date('2026-11-23T12:00:00.000Z');
const at = (minutes: number) => new Date(START.getTime() + minutes * 60_000);

let h: Harness;
beforeAll(async () => {
  h = await openHarness(START);
});
afterAll(async () => {
  await h?.close();
});

describe('break_glass', () => {
  it('refuses a reason under 10 characters (once trimmed), naming the field', async () => {
    for (const reason of ['urgent', '   help me   ', '']) {
      const error = await h.refusal('dr_grey', 'break_glass', { patient_id: 'P005', reason });
      expect(error.code).toBe('ERR_VALIDATION');
      expect(error.detail).toMatch(/^reason:/);
    }
    await expect(h.call('dr_grey', 'get_patient_overview', { patient_id: 'P005' })).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
  });

  it('is refused to every role but doctor and nurse', async () => {
    for (const user of ['front_desk', 'p001', 'auditor1', 'researcher1', 'admin'] as const) {
      const error = await h.refusal(user, 'break_glass', { patient_id: 'P005', reason: 'patient collapsed at reception desk' });
      expect(error.code, user).toBe('ERR_FORBIDDEN');
    }
  });

  it('grants that one patient for 60 minutes, every access flagged for review', async () => {
    h.clock.now = START;
    const result = await h.call('dr_grey', 'break_glass', { patient_id: 'P005', reason: 'anaphylaxis in ED, paediatrics unreachable' });
    expect(result.structuredContent).toEqual({ patient_id: 'P005', granted_at: START.toISOString(), expires_at: at(60).toISOString(), minutes: 60 });
    expect((await h.lastAuditEvents(1))[0]).toMatchObject({ tool: 'break_glass', decision: 'allow', break_glass: 1, purpose_of_use: 'ETREAT', patient_id: 'P005' });

    h.clock.now = at(30);
    const overview = await h.call('dr_grey', 'get_patient_overview', { patient_id: 'P005' });
    expect((overview.structuredContent as { patient: { id: string } }).patient.id).toBe('P005');
    expect((await h.lastAuditEvents(1))[0]).toMatchObject({ decision: 'allow', reason: 'break_glass', break_glass: 1, purpose_of_use: 'ETREAT' });
    await h.call('dr_grey', 'add_clinical_note', { patient_id: 'P005', text: 'Adrenaline given, observed for biphasic reaction.' });
    expect((await h.lastAuditEvents(1))[0]).toMatchObject({ tool: 'add_clinical_note', break_glass: 1 });

    // A search that shows the patient only because of the grant is flagged too.
    const search = await h.call('dr_grey', 'search_patients', { limit: 100 });
    expect((search.structuredContent as { patients: Array<{ id: string }> }).patients.map((p) => p.id).sort()).toEqual(['P003', 'P005']);
    expect((await h.lastAuditEvents(1))[0]).toMatchObject({ tool: 'search_patients', break_glass: 1, purpose_of_use: 'ETREAT' });

    // Only that patient: the grant opens nothing else.
    await expect(h.call('dr_grey', 'get_patient_overview', { patient_id: 'P006' })).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    // Own care-team access stays unflagged.
    await h.call('dr_grey', 'get_medications', { patient_id: 'P003' });
    expect((await h.lastAuditEvents(1))[0]).toMatchObject({ reason: 'care_team', break_glass: 0, purpose_of_use: 'TREAT' });
    // And it is dr_grey's grant, not the hospital's.
    await expect(h.call('yenji100', 'get_patient_overview', { patient_id: 'P005' })).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
  });

  it('is not extended by asking again with the same reason; a new reason makes a new grant', async () => {
    h.clock.now = at(50);
    const again = await h.refusal('dr_grey', 'break_glass', { patient_id: 'P005', reason: '  Anaphylaxis in ED, paediatrics unreachable ' });
    expect(again.code).toBe('ERR_CONFLICT');
    expect(again.detail).toMatch(/^reason:/);
    // It started nothing, so it is not flagged as emergency access; its words are kept, trimmed.
    expect((await h.lastAuditEvents(1))[0]).toMatchObject({
      tool: 'break_glass',
      decision: 'error',
      reason: 'break_glass_reason_reused',
      break_glass: 0,
      purpose_of_use: 'TREAT',
      justification: 'Anaphylaxis in ED, paediatrics unreachable',
    });

    // Without a new grant, access ends at minute 60.
    h.clock.now = at(60);
    await expect(h.call('dr_grey', 'list_encounters', { patient_id: 'P005' })).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    expect((await h.lastAuditEvents(1))[0]).toMatchObject({ decision: 'deny', reason: 'no_relationship', break_glass: 0 });

    h.clock.now = at(61);
    const renewed = await h.call('dr_grey', 'break_glass', { patient_id: 'P005', reason: 'second reaction, still no paediatrician' });
    expect((renewed.structuredContent as { expires_at: string }).expires_at).toBe(at(121).toISOString());
    h.clock.now = at(120);
    await expect(h.call('dr_grey', 'list_encounters', { patient_id: 'P005' })).resolves.toBeDefined();
    h.clock.now = at(121);
    await expect(h.call('dr_grey', 'list_encounters', { patient_id: 'P005' })).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
  });

  it('lets the auditor pull every flagged access for review, with each grant\'s justification', async () => {
    const review = await h.call('auditor1', 'get_audit_log', { break_glass: true, limit: 200 });
    const events = (review.structuredContent as { events: Array<Record<string, unknown>> }).events;
    expect(events.length).toBeGreaterThanOrEqual(5);
    for (const e of events) expect(e).toMatchObject({ break_glass: true });
    expect(events.map((e) => e.tool)).toEqual(expect.arrayContaining(['break_glass', 'get_patient_overview', 'add_clinical_note', 'search_patients']));
    // Why, in the doctor's words (found by reviewers: the justification was in no tool's answer
    // and outside the hash chain). The refused repeat started nothing: it is not among them.
    const grants = events.filter((e) => e.tool === 'break_glass');
    expect(grants.map((e) => [e.decision, e.justification])).toEqual([
      ['allow', 'second reaction, still no paediatrician'],
      ['allow', 'anaphylaxis in ED, paediatrics unreachable'],
    ]);
    for (const e of events.filter((e) => e.tool !== 'break_glass')) expect(e.justification).toBeNull();
    // Refused attempts are found with the other refusals, each with the words it gave; a
    // reason too short to pass (the first test's) is not kept: it was never read as one.
    const refused = await h.call('auditor1', 'get_audit_log', { decision: 'error', limit: 200 });
    const attempts = (refused.structuredContent as { events: Array<Record<string, unknown>> }).events.filter((e) => e.tool === 'break_glass');
    expect(attempts.map((e) => [e.reason, e.break_glass, e.justification])).toEqual([
      ['break_glass_reason_reused', false, 'Anaphylaxis in ED, paediatrics unreachable'],
      ['invalid_input', false, null],
      ['invalid_input', false, null],
      ['invalid_input', false, null],
    ]);
  });

  it("keeps the justification out of the patient's own view of the log", async () => {
    const ownLog = await h.call('p001', 'get_audit_log', { limit: 200 });
    expect(JSON.stringify(ownLog)).not.toMatch(/justification|anaphylaxis/i);
  });

  it('a nurse can break the glass too, and a missing patient is refused like any other', async () => {
    h.clock.now = at(200);
    await h.call('nurse_joy', 'break_glass', { patient_id: 'P006', reason: 'cardiac arrest on ward W2, covering nurse' });
    await expect(h.call('nurse_joy', 'get_observations', { patient_id: 'P006', category: 'vital-signs' })).resolves.toBeDefined();
    const missing = await h.refusal('nurse_joy', 'break_glass', { patient_id: 'P999', reason: 'cardiac arrest on ward W2, covering nurse' });
    expect(missing.code).toBe('ERR_FORBIDDEN');
    expect((await h.lastAuditEvents(1))[0]).toMatchObject({
      decision: 'deny',
      reason: 'patient_not_found',
      patient_id: 'P999',
      break_glass: 0,
      justification: 'cardiac arrest on ward W2, covering nurse',
    });
  });
});
