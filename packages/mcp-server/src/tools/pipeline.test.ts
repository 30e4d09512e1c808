import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditWriter } from '@secure-hospital-ai/core/audit/writer';
import type { AuditSink } from '@secure-hospital-ai/core/audit/event';
import { AppError, toJsonRpcError } from '@secure-hospital-ai/core/errors';
import { startBreakGlass } from '@secure-hospital-ai/core/policy/break-glass';
import { openHarness, requestContext, type Harness } from '../../../../test/policy/harness.js';
import { createToolBackend, TOOLS } from './index.js';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h?.close();
});

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('tool pipeline', () => {
  it('fails closed when the audit log cannot take the event: no data, and no change made', async () => {
    const closed = createAuditWriter(h.database);
    await closed.close();
    const backend = createToolBackend({ database: h.database, audit: closed, pseudonymKey: h.pseudonymKey, now: () => h.clock.now });
    const ctx = requestContext(h.principals.yenji100);
    const notes = () => h.database.db.selectFrom('clinical_notes').select('id').where('patient_id', '=', 'P001').execute();
    const grants = () => h.database.db.selectFrom('break_glass_grants').select('id').execute();
    const notesBefore = (await notes()).length;
    const grantsBefore = (await grants()).length;

    const read = await refusal(backend.callTool(ctx, 'get_patient_overview', { patient_id: 'P001' }));
    expect(read.code).toBe('ERR_AUDIT_UNAVAILABLE');
    expect(JSON.stringify({ d: read.detail, data: read.data })).not.toContain('Okafor');
    const write = await refusal(backend.callTool(ctx, 'add_clinical_note', { patient_id: 'P001', text: 'This note must not survive.' }));
    expect(write.code).toBe('ERR_AUDIT_UNAVAILABLE');
    expect((await notes()).length).toBe(notesBefore);
    const glass = await refusal(backend.callTool(ctx, 'break_glass', { patient_id: 'P007', reason: 'unaudited emergency access attempt' }));
    expect(glass.code).toBe('ERR_AUDIT_UNAVAILABLE');
    expect((await grants()).length).toBe(grantsBefore);
    // A refusal that cannot be audited fails the same way.
    expect((await refusal(backend.callTool(ctx, 'get_patient_overview', { patient_id: 'P009' }))).code).toBe('ERR_AUDIT_UNAVAILABLE');
  });

  it('makes a write only once its audit event is committed', async () => {
    const notes = () => h.database.db.selectFrom('clinical_notes').select('text').where('patient_id', '=', 'P001').execute();
    const grants = () => h.database.db.selectFrom('break_glass_grants').select('id').where('patient_id', '=', 'P008').execute();
    const seen: Array<{ decision: string; tool: string | null; notes: number; grants: number }> = [];
    // Looks at the records while each event is being committed: a killed process would leave that state.
    const watching: AuditSink = {
      async record(event) {
        seen.push({ decision: event.decision, tool: event.tool ?? null, notes: (await notes()).length, grants: (await grants()).length });
        await h.audit.record(event);
      },
    };
    const backend = createToolBackend({ database: h.database, audit: watching, pseudonymKey: h.pseudonymKey, now: () => h.clock.now });
    const ctx = requestContext(h.principals.yenji100);
    const notesBefore = (await notes()).length;
    const grantsBefore = (await grants()).length;

    await backend.callTool(ctx, 'add_clinical_note', { patient_id: 'P001', text: 'Written after its audit event.' });
    await backend.callTool(ctx, 'break_glass', { patient_id: 'P008', reason: 'collapsed in the car park, team unreachable' });

    expect(seen).toEqual([
      { decision: 'allow', tool: 'add_clinical_note', notes: notesBefore, grants: grantsBefore },
      { decision: 'allow', tool: 'break_glass', notes: notesBefore + 1, grants: grantsBefore },
    ]);
    expect((await notes()).map((n) => n.text)).toContain('Written after its audit event.');
    expect((await grants()).length).toBe(grantsBefore + 1);
  });

  it('records a second event, decision error, when a write fails after its allow event', async () => {
    const reason = 'arrest on the stairwell, no team answering';
    const grants = () => h.database.db.selectFrom('break_glass_grants').select('id').where('patient_id', '=', 'P009').execute();
    // A second request with the same reason is recorded while this one's event commits.
    const racing: AuditSink = {
      async record(event) {
        await h.audit.record(event);
        if (event.tool === 'break_glass' && event.decision === 'allow') {
          await startBreakGlass(h.database.db, h.principals.yenji100, 'P009', reason, h.clock.now);
        }
      },
    };
    const backend = createToolBackend({ database: h.database, audit: racing, pseudonymKey: h.pseudonymKey, now: () => h.clock.now });
    const before = (await grants()).length;

    const error = await refusal(backend.callTool(requestContext(h.principals.yenji100), 'break_glass', { patient_id: 'P009', reason }));
    expect(error.code).toBe('ERR_CONFLICT');
    expect((await grants()).length).toBe(before + 1);
    const [allowed, failed] = await h.lastAuditEvents(2);
    expect(allowed).toMatchObject({ tool: 'break_glass', patient_id: 'P009', decision: 'allow', break_glass: 1 });
    expect(failed).toMatchObject({ tool: 'break_glass', patient_id: 'P009', decision: 'error', reason: 'break_glass_reason_reused' });
    expect(failed?.request_id).toBe(allowed?.request_id);
  });

  it('refuses bad arguments with -32602 naming the field, never echoing the value', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['get_observations', { patient_id: 'P001', category: 'blood' }, /^category:/],
      ['get_observations', { patient_id: 'P001', since: 'last tuesday' }, /^since:/],
      ['get_patient_overview', {}, /^patient_id:/],
      ['get_patient_overview', { patient_id: '   ' }, /^patient_id:/],
      ['get_patient_overview', { patient_id: 42 }, /^patient_id:/],
      ['get_clinical_notes', { patient_id: 'P001', limit: 0 }, /^limit:/],
      ['get_medications', { patient_id: 'P001', secret: 'Margaret Okafor' }, /^arguments:/],
      ['add_clinical_note', { patient_id: 'P001', text: '   ' }, /^text:/],
      ['add_clinical_note', { patient_id: 'P001', text: `ring ${'\u0007'.repeat(50)}` }, /^text: must not contain control characters/],
      ['add_clinical_note', { patient_id: 'P001', text: 'lone \ud800 surrogate' }, /^text: must be valid Unicode text/],
      ['add_clinical_note', { patient_id: 'P001', text: '\u200b\u2060\u200b'.repeat(20) }, /^text: must contain visible text/],
      ['add_clinical_note', { patient_id: 'P001', text: '\u0301\u0301 \ufe0f' }, /^text: must contain visible text/],
      ['break_glass', { patient_id: 'P003', reason: '\u200b'.repeat(12) }, /^reason: must be at least 10 characters/],
      // Blank to a reviewer: the braille blank, the Hangul filler, dots (a reviewer found all three granted).
      ['break_glass', { patient_id: 'P003', reason: '\u2800'.repeat(11) }, /^reason: must be at least 10 characters/],
      ['break_glass', { patient_id: 'P003', reason: '\u3164'.repeat(11) }, /^reason: must be at least 10 characters/],
      ['break_glass', { patient_id: 'P003', reason: '..........!!' }, /^reason: must be at least 10 characters \(letters and digits\)/],
      ['break_glass', { patient_id: 'P003', reason: 'VF arrest!' }, /^reason: must be at least 10 characters/],
      ['break_glass', { patient_id: 'P003', reason: `${'\u0000'.repeat(10)}` }, /^reason:/],
      ['get_clinical_notes', { patient_id: 'P001', since: '2026-02-30' }, /^since: not a real date/],
      ['get_clinical_notes', { patient_id: 'P001', since: '2026-04-31T10:00:00Z' }, /^since: not a real date/],
    ];
    for (const [tool, args, field] of cases) {
      const error = await refusal(h.call('yenji100', tool, args));
      expect(error.code, tool).toBe('ERR_VALIDATION');
      expect(toJsonRpcError(error).code).toBe(-32602);
      expect(error.detail, JSON.stringify(args)).toMatch(field);
      expect(error.detail).not.toContain('Okafor');
      expect(error.detail).not.toContain('tuesday');
    }
    expect((await h.lastAuditEvents(1))[0]).toMatchObject({ decision: 'error', reason: 'invalid_input' });
  });

  it('answers a malformed patient id with other faults as an unknown one would be: naming the other faults only', async () => {
    const malformed = await refusal(h.call('yenji100', 'get_clinical_notes', { patient_id: 'SMITH JOHN 123-45-6789', since: 'xx' }));
    const unknown = await refusal(h.call('yenji100', 'get_clinical_notes', { patient_id: 'P999', since: 'xx' }));
    expect(malformed.code).toBe('ERR_VALIDATION');
    expect(malformed.detail).toBe(unknown.detail);
    expect(malformed.detail).toMatch(/^since:/);
    expect(malformed.detail).not.toMatch(/patient_id|SMITH|6789/);
  });

  it('names each complaint once', async () => {
    const error = await refusal(h.call('yenji100', 'break_glass', { patient_id: 'P003', reason: 'short' }));
    expect(error.detail).toBe('reason: must be at least 10 characters (letters and digits)');
  });

  it('refuses a role that may never call the tool before reading its arguments', async () => {
    const error = await refusal(h.call('front_desk', 'get_clinical_notes', { nonsense: true }));
    expect(error.code).toBe('ERR_FORBIDDEN');
    expect((await h.lastAuditEvents(1))[0]).toMatchObject({ decision: 'deny', reason: 'not_in_policy', tool: 'get_clinical_notes', patient_id: null });
  });

  it('names the patient a refused or malformed call was about in its audit event, when the id is well formed', async () => {
    const lastEvent = async () => (await h.lastAuditEvents(1))[0];
    // Bad arguments beside a good patient id: who tried what on which record stays traceable.
    await refusal(h.call('dr_grey', 'break_glass', { patient_id: 'P001', reason: 'too short' }));
    expect(await lastEvent()).toMatchObject({ decision: 'error', reason: 'invalid_input', tool: 'break_glass', patient_id: 'P001' });
    await refusal(h.call('yenji100', 'get_observations', { patient_id: 'P002', category: 'imaging' }));
    expect(await lastEvent()).toMatchObject({ decision: 'error', reason: 'invalid_input', patient_id: 'P002' });
    // A role the tool is never for, on a named record.
    await refusal(h.call('front_desk', 'add_clinical_note', { patient_id: 'P003', text: 'Called about parking.' }));
    expect(await lastEvent()).toMatchObject({ decision: 'deny', reason: 'not_in_policy', patient_id: 'P003' });
    // The researcher's pseudonym is recorded as the patient it stands for, as on allowed calls.
    await refusal(h.call('researcher1', 'get_clinical_notes', { patient_id: h.pseudonym('P001'), limit: -1 }));
    expect(await lastEvent()).toMatchObject({ decision: 'error', reason: 'invalid_input', patient_id: 'P001' });
    // Anything that is not a well-formed id is never written to the log. Text no patient id can
    // be names a patient that does not exist: answered as any other (403), never by its shape.
    for (const patientId of ["P001' OR 1=1", 'Margaret Okafor', 'P'.repeat(10_000)]) {
      const error = await refusal(h.call('yenji100', 'get_medications', { patient_id: patientId }));
      expect(error.code).toBe('ERR_FORBIDDEN');
      expect(toJsonRpcError(error)).toEqual({ code: -32003, message: 'Forbidden' });
      expect(await lastEvent(), patientId.slice(0, 40)).toMatchObject({ decision: 'deny', reason: 'patient_not_found', patient_id: null });
    }
    for (const patientId of [42, { id: 'P001' }, ['P001']]) {
      await refusal(h.call('yenji100', 'get_medications', { patient_id: patientId }));
      expect(await lastEvent(), JSON.stringify(patientId)).toMatchObject({ decision: 'error', reason: 'invalid_input', patient_id: null });
    }
    await refusal(h.call('yenji100', 'get_medications', ['P001'] as never));
    expect(await lastEvent()).toMatchObject({ decision: 'error', patient_id: null });
  });

  it('publishes schemas the MCP SDK validator accepts, and answers that satisfy them', async () => {
    const validator = new AjvJsonSchemaValidator();
    const descriptors = h.backend.listTools(h.principals.yenji100);
    for (const tool of descriptors) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(tool.inputSchema).not.toHaveProperty('$schema');
    }
    const calls: Array<[keyof Harness['principals'], string, Record<string, unknown>]> = [
      ['yenji100', 'get_patient_overview', { patient_id: 'P001' }],
      ['front_desk', 'get_patient_overview', { patient_id: 'P008' }],
      ['researcher1', 'get_patient_overview', { patient_id: h.pseudonym('P007') }],
      ['nurse_joy', 'list_encounters', { patient_id: 'P004' }],
      ['front_desk', 'list_encounters', { patient_id: 'P004' }],
      ['p001', 'get_observations', { patient_id: 'P001', category: 'laboratory' }],
      ['yenji100', 'get_medications', { patient_id: 'P002' }],
      ['researcher1', 'get_clinical_notes', { patient_id: h.pseudonym('P001') }],
      ['yenji100', 'search_patients', { query: 'okafor' }],
      ['auditor1', 'get_audit_log', { limit: 5 }],
      ['p001', 'get_audit_log', {}],
    ];
    for (const [user, name, args] of calls) {
      const descriptor = h.backend.listTools(h.principals[user]).find((t) => t.name === name)!;
      const result = await h.call(user, name, args);
      expect(JSON.parse(result.content[0]!.text)).toEqual(result.structuredContent);
      const check = validator.getValidator(descriptor.outputSchema as never)(result.structuredContent);
      expect(check.valid, `${user} ${name}: ${check.errorMessage ?? ''}`).toBe(true);
      expect(validator.getValidator(descriptor.inputSchema as never)(args).valid, `${name} input`).toBe(true);
    }
  });

  it('gives the receptionist demographics without clinical sections, and encounters as date, time and place', async () => {
    const overview = (await h.call('front_desk', 'get_patient_overview', { patient_id: 'P004' })).structuredContent as Record<string, unknown>;
    expect(Object.keys(overview).sort()).toEqual(['contacts', 'patient']);
    expect(overview.patient).not.toHaveProperty('ssn');
    const encounters = (await h.call('front_desk', 'list_encounters', { patient_id: 'P004' })).structuredContent as { encounters: Array<Record<string, unknown>> };
    expect(encounters.encounters.length).toBeGreaterThan(0);
    for (const e of encounters.encounters) {
      expect(Object.keys(e).every((k) => ['id', 'patient_id', 'start_at', 'end_at', 'location'].includes(k)), Object.keys(e).join()).toBe(true);
      expect(e.start_at).toEqual(expect.any(String));
    }
    // Nor anywhere in the text copy: no visit kind, type, reason or clinician.
    const text = JSON.stringify((await h.call('front_desk', 'list_encounters', { patient_id: 'P004' })).content);
    for (const field of ['class', 'type_code', 'type_display', 'reason', 'provider_name']) expect(text).not.toContain(`"${field}"`);
  });

  it('masks the SSN to its last four digits for clinicians and the patient', async () => {
    for (const user of ['yenji100', 'p001', 'nurse_joy'] as const) {
      const overview = (await h.call(user, 'get_patient_overview', { patient_id: 'P001' })).structuredContent as { patient: { ssn: string | null } };
      if (overview.patient.ssn !== null) expect(overview.patient.ssn).toMatch(/^\*\*\*-\*\*-\d{4}$/);
    }
    expect((await h.lastAuditEvents(1))[0]).toMatchObject({ decision: 'allow', reason: 'ward', purpose_of_use: 'TREAT' });
  });

  it('signs a new note with the author and records it for the patient', async () => {
    const result = await h.call('nurse_joy', 'add_clinical_note', { patient_id: 'P004', text: 'Night obs stable, slept well.', note_type: 'nursing' });
    const note = (result.structuredContent as { note: Record<string, unknown> }).note;
    expect(note).toMatchObject({ patient_id: 'P004', note_type: 'nursing', text: 'Night obs stable, slept well.', author_name: 'Nurse Joy Tanaka' });
    const notes = (await h.call('nurse_joy', 'get_clinical_notes', { patient_id: 'P004' })).structuredContent as { notes: Array<{ id: string }> };
    expect(notes.notes.map((n) => n.id)).toContain(note.id);
  });

  it('masks an SSN typed into a note for every full-access reader, as the record’s own SSN is, and counts it', async () => {
    const text = 'Insurance call: SSN 290-38-5127 confirmed; old card read 290385127. BP 120/80, metformin 500 mg.';
    const added = await h.call('nurse_joy', 'add_clinical_note', { patient_id: 'P001', text });
    const echoed = (added.structuredContent as { note: { id: string; text: string } }).note;
    expect(echoed.text).toBe('Insurance call: SSN ***-**-5127 confirmed; old card read ***-**-5127. BP 120/80, metformin 500 mg.');
    expect((await h.lastAuditEvents(1))[0]).toMatchObject({ tool: 'add_clinical_note', redactions: '{"ssn":2}' });
    for (const reader of ['yenji100', 'nurse_joy', 'p001'] as const) {
      const result = await h.call(reader, 'get_clinical_notes', { patient_id: 'P001' });
      const note = (result.structuredContent as { notes: Array<{ id: string; text: string }> }).notes.find((n) => n.id === echoed.id);
      expect(note?.text, reader).toBe(echoed.text);
      const wire = JSON.stringify(result);
      expect(wire, reader).not.toContain('290-38-5127');
      expect(wire, reader).not.toContain('290385127');
      expect(JSON.parse((await h.lastAuditEvents(1))[0]?.redactions as string).ssn, reader).toBeGreaterThanOrEqual(2);
    }
    // Stored as written: masking is how it leaves, not what is kept.
    const stored = await h.database.db.selectFrom('clinical_notes').select('text').where('patient_id', '=', 'P001').execute();
    expect(stored.map((row) => row.text)).toContain(text);
  });

  it('says when a list stops short of a patient’s history, and reaches further with limit', async () => {
    const rows = Array.from({ length: 230 }, (_, i) => ({
      id: `OBS-MANY-${String(i).padStart(3, '0')}`,
      patient_id: 'P002',
      encounter_id: null,
      category: 'laboratory' as const,
      code: '99999-9',
      display: 'Test analyte',
      value_num: 90 + (i % 20),
      value_text: null,
      unit: 'mg/dL',
      ref_low: 70,
      ref_high: 99,
      effective_at: new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString(),
    }));
    await h.database.db.insertInto('observations').values(rows).execute();
    type Page = { observations: Array<{ id: string }>; truncated: boolean };
    const first = (await h.call('yenji100', 'get_observations', { patient_id: 'P002', code: '99999-9' })).structuredContent as Page;
    expect(first.observations).toHaveLength(200);
    expect(first.truncated).toBe(true);
    expect(first.observations[0]?.id).toBe('OBS-MANY-229'); // newest first
    const all = (await h.call('yenji100', 'get_observations', { patient_id: 'P002', code: '99999-9', limit: 500 })).structuredContent as Page;
    expect(all.observations).toHaveLength(230);
    expect(all.truncated).toBe(false);
    const encounters = (await h.call('yenji100', 'list_encounters', { patient_id: 'P002', limit: 1 })).structuredContent as { encounters: unknown[]; truncated: boolean };
    expect(encounters.encounters).toHaveLength(1);
    expect(encounters.truncated).toBe(true);
  });

  it('shows a patient who accessed their record, and nobody else’s trail', async () => {
    const trail = (await h.call('p001', 'get_audit_log', {})).structuredContent as { events: Array<Record<string, unknown>> };
    expect(trail.events.length).toBeGreaterThan(0);
    for (const e of trail.events) expect(Object.keys(e).sort()).toEqual(['patient_id', 'role', 'time', 'tool', 'user_id', 'user_name']);
    expect((await refusal(h.call('p001', 'get_audit_log', { patient_id: 'P002' }))).code).toBe('ERR_FORBIDDEN');
  });

  it('serves the overview from its chart cache only while the chart is unchanged, redacted per role on every call', async () => {
    type Overview = { patient: Record<string, unknown>; medications?: Array<{ display: string }> };
    const overview = async (user: 'yenji100' | 'front_desk') => (await h.call(user, 'get_patient_overview', { patient_id: 'P001' })).structuredContent as Overview;
    const doctor = await overview('yenji100');
    // The same cached chart, but the receptionist's view: no clinical sections, no SSN.
    const desk = await overview('front_desk');
    expect(desk.medications).toBeUndefined();
    expect(desk.patient).not.toHaveProperty('ssn');
    expect(doctor.patient.ssn).toMatch(/^\*\*\*-\*\*-\d{4}$/);

    // A change written straight to the database is on the very next answer.
    await h.database.db
      .insertInto('medications')
      .values({ id: 'P001-cache-probe', patient_id: 'P001', encounter_id: null, rxnorm_code: null, display: 'Cache probe 5 MG', dosage: null, status: 'active', authored_at: '2026-11-23T11:00:00.000Z', prescriber_name: null })
      .execute();
    try {
      expect((await overview('yenji100')).medications?.map((m) => m.display)).toContain('Cache probe 5 MG');
    } finally {
      await h.database.db.deleteFrom('medications').where('id', '=', 'P001-cache-probe').execute();
    }
    expect((await overview('yenji100')).medications?.map((m) => m.display)).not.toContain('Cache probe 5 MG');
  });

  it('reuses a shaped answer only for the same rows, role and day, and audits every call alike', async () => {
    const first = await h.call('yenji100', 'get_patient_overview', { patient_id: 'P002' });
    const [firstEvent] = await h.lastAuditEvents(1);
    const second = await h.call('yenji100', 'get_patient_overview', { patient_id: 'P002' });
    const [secondEvent] = await h.lastAuditEvents(1);
    // The second answer is the remembered one (same object), and still gets its own audit event.
    expect(second.structuredContent).toBe(first.structuredContent);
    expect(Object.isFrozen(second.structuredContent)).toBe(true);
    expect(second.content[0]!.text).toBe(first.content[0]!.text);
    expect(secondEvent!.seq).not.toBe(firstEvent!.seq);
    expect(secondEvent).toMatchObject({ decision: 'allow', tool: 'get_patient_overview', patient_id: 'P002', redactions: firstEvent!.redactions });
    // Another doctor with the same view is answered alike; a nurse or the front desk is not.
    const desk = (await h.call('front_desk', 'get_patient_overview', { patient_id: 'P002' })).structuredContent as Record<string, unknown>;
    expect(desk).not.toHaveProperty('medications');
    expect(JSON.stringify(desk)).not.toContain('***-**-');
  });

  it('takes a de-identified age at the day of the call, not the day an answer was first shaped', async () => {
    // P001 was born on 1956-04-12: 69 in 2025, 70 from the first instant of 2026 (the age
    // reached in the year, so that the birthday itself never shows).
    const before = h.clock.now;
    const age = async (at: string) => {
      h.clock.now = new Date(at);
      const answer = await h.call('researcher1', 'get_patient_overview', { patient_id: h.pseudonym('P001') });
      return (answer.structuredContent as { patient: { age: unknown } }).patient.age;
    };
    try {
      expect(await age('2025-12-31T23:59:59.000Z')).toBe(69);
      expect(await age('2025-12-31T23:59:59.500Z')).toBe(69);
      expect(await age('2026-01-01T00:00:00.000Z')).toBe(70);
      expect(await age('2025-12-31T23:59:59.999Z')).toBe(69);
      expect(await age('2026-04-11T23:59:59.000Z')).toBe(70);
      expect(await age('2026-04-12T00:00:00.000Z')).toBe(70);
    } finally {
      h.clock.now = before;
    }
  });

  it('has one tool per row of SPEC’s table', () => {
    expect(TOOLS.map((t) => t.name).sort()).toEqual(
      ['add_clinical_note', 'break_glass', 'get_audit_log', 'get_clinical_notes', 'get_medications', 'get_observations', 'get_patient_overview', 'list_encounters', 'search_patients'],
    );
  });
});
