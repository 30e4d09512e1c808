/**
 * The policy matrix through the real tool backend: every demo user × every tool × patients
 * in every relationship (care team or not, ward or not, own or other, nonexistent), with the
 * expected answer written by hand in expectations.ts. Allowed calls must return that
 * patient's data; refused ones the one Forbidden error, with nothing of the patient in it,
 * and every call exactly one audit event saying which it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, toJsonRpcError } from '@secure-hospital-ai/core/errors';
import { CALLERS, expectAllowed, expectedSearch, TOOL_NAMES, type ToolName } from './expectations.js';
import { DEMO_USERS, openHarness, type DemoUser, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h?.close();
});

/** Care team of yenji100 (P001, P002) and dr_grey (P003), ward W1 (P001, P004), W2 (P006), no one's (P005), and a missing id. */
const SUBJECTS = ['P001', 'P002', 'P003', 'P004', 'P005', 'P006', 'P999'] as const;

function ref(user: DemoUser, patientId: string): string {
  return user === 'researcher1' ? h.pseudonym(patientId) : patientId;
}

function argsFor(tool: ToolName, user: DemoUser, patientId: string): Record<string, unknown> {
  const patient_id = ref(user, patientId);
  switch (tool) {
    case 'search_patients':
      return {};
    case 'add_clinical_note':
      return { patient_id, text: 'Matrix check: patient reviewed, plan unchanged.' };
    case 'break_glass':
      return { patient_id, reason: `matrix emergency access by ${user}` };
    default:
      return { patient_id };
  }
}

/** Every identifier of every demo patient that could betray one in an answer. */
function identifiersOf(patientId: string): string[] {
  const p = h.patients.get(patientId);
  if (!p) return [patientId];
  return [patientId, p.mrn, `${p.given_name} ${p.family_name}`, p.family_name, ...(p.ssn ? [p.ssn, p.ssn.slice(-4)] : []), ...(p.phone ? [p.phone] : [])];
}

function assertHoldsPatient(tool: ToolName, user: DemoUser, patientId: string, data: Record<string, unknown>): void {
  const expected = ref(user, patientId);
  const rowsOf = (key: string) => data[key] as Array<{ patient_id: string }>;
  switch (tool) {
    case 'get_patient_overview':
      expect((data.patient as { id: string }).id).toBe(expected);
      return;
    case 'list_encounters':
    case 'get_observations':
    case 'get_clinical_notes': {
      const key = tool === 'list_encounters' ? 'encounters' : tool === 'get_observations' ? 'observations' : 'notes';
      expect(rowsOf(key).length, `${tool} returned no rows`).toBeGreaterThan(0);
      for (const row of rowsOf(key)) expect(row.patient_id).toBe(expected);
      return;
    }
    case 'get_medications':
      for (const row of rowsOf('medications')) expect(row.patient_id).toBe(expected);
      return;
    case 'add_clinical_note':
      expect((data.note as { patient_id: string }).patient_id).toBe(expected);
      return;
    case 'break_glass':
      expect(data.patient_id).toBe(patientId);
      return;
    case 'get_audit_log':
      expect(Array.isArray(data.events)).toBe(true);
      return;
    case 'search_patients':
      return;
  }
}

async function checkCall(tool: ToolName, user: DemoUser, patientId: string): Promise<void> {
  const args = argsFor(tool, user, patientId);
  const before = await h.auditCount();
  const label = `${user} ${tool} ${patientId}`;
  if (expectAllowed(tool, user, patientId)) {
    const result = await h.call(user, tool, args).catch((error: unknown) => {
      throw new Error(`${label} was refused: ${(error as AppError).code} ${(error as AppError).internalReason}`);
    });
    expect(result.isError, label).toBeFalsy();
    const data = result.structuredContent as Record<string, unknown>;
    expect(JSON.parse(result.content[0]!.text), label).toEqual(data);
    assertHoldsPatient(tool, user, patientId, data);
    const [event] = await h.lastAuditEvents(1);
    expect(event, label).toMatchObject({ decision: 'allow', tool, user_id: h.principals[user].userId });
  } else {
    const error = await h.refusal(user, tool, args);
    expect(error.code, label).toBe('ERR_FORBIDDEN');
    expect(error.http).toBe(403);
    // The client sees exactly this, whether the patient is missing or only out of reach.
    expect(toJsonRpcError(error), label).toEqual({ code: -32003, message: 'Forbidden' });
    const visible = JSON.stringify({ message: error.message, detail: error.detail, data: error.data, headers: error.headers });
    for (const identifier of identifiersOf(patientId)) expect(visible, label).not.toContain(identifier);
    const [event] = await h.lastAuditEvents(1);
    expect(event, label).toMatchObject({ decision: 'deny', user_id: h.principals[user].userId });
    const missing = patientId === 'P999';
    if (CALLERS[tool].includes(user)) expect(event!.reason === 'patient_not_found', label).toBe(missing);
    else expect(event!.reason, label).toBe('not_in_policy');
  }
  expect(await h.auditCount(), `${label}: exactly one audit event`).toBe(before + 1);
}

// break_glass last: the grants it makes would change what the reads before it expect.
const ORDERED: readonly ToolName[] = [...TOOL_NAMES.filter((t) => t !== 'break_glass'), 'break_glass'];

describe('policy matrix through the tool backend', () => {
  for (const tool of ORDERED) {
    for (const user of DEMO_USERS) {
      it(`${tool} × ${user}`, async () => {
        if (tool === 'search_patients') {
          if (CALLERS.search_patients.includes(user)) {
            const result = await h.call(user, tool, { limit: 100 });
            const ids = (result.structuredContent as { patients: Array<{ id: string }> }).patients.map((p) => p.id);
            expect(ids.sort()).toEqual(expectedSearch(user).map((id) => ref(user, id)).sort());
          } else {
            expect((await h.refusal(user, tool, {})).code).toBe('ERR_FORBIDDEN');
          }
          return;
        }
        for (const patientId of SUBJECTS) await checkCall(tool, user, patientId);
      });
    }
  }

  it('refuses a researcher who names a patient by real id, as if it did not exist', async () => {
    for (const tool of ['get_patient_overview', 'get_clinical_notes'] as const) {
      const error = await h.refusal('researcher1', tool, { patient_id: 'P001' });
      expect(toJsonRpcError(error)).toEqual({ code: -32003, message: 'Forbidden' });
      const [event] = await h.lastAuditEvents(1);
      // Recorded as what it was: a real id where only a pseudonym is accepted.
      expect(event).toMatchObject({ decision: 'deny', reason: 'not_a_pseudonym', patient_id: 'P001' });
    }
  });

  it('lists to each role only the tools it can ever call', () => {
    for (const user of DEMO_USERS) {
      const listed = h.backend.listTools(h.principals[user]).map((t) => t.name).sort();
      const expected = TOOL_NAMES.filter((tool) => CALLERS[tool].includes(user)).sort();
      expect(listed, user).toEqual(expected);
    }
  });

  it('answers an unknown tool with invalid params, audited with the name asked for and a well-formed patient id', async () => {
    const before = await h.auditCount();
    const error = await h.call('yenji100', 'drop_tables', { patient_id: 'P001' }).then(() => undefined, (e: unknown) => e as AppError);
    expect(error?.code).toBe('ERR_INVALID_PARAMS');
    expect(toJsonRpcError(error!).code).toBe(-32602);
    expect(await h.auditCount()).toBe(before + 1);
    expect((await h.lastAuditEvents(1))[0]).toMatchObject({ decision: 'error', reason: 'unknown_tool', tool: 'drop_tables', patient_id: 'P001' });
    // A value that is no patient id (it may be anything a client typed) is not kept.
    await h.call('yenji100', 'drop_tables', { patient_id: 'Margaret Okafor, born 1950' }).catch(() => undefined);
    expect((await h.lastAuditEvents(1))[0]).toMatchObject({ reason: 'unknown_tool', tool: 'drop_tables', patient_id: null });
  });
});
