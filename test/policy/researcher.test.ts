/**
 * The researcher reads every record, de-identified (HIPAA Safe Harbor): no answer of any tool
 * it may call contains a real name, MRN, SSN, phone, e-mail, street address or patient id
 * of any patient or relative, as the database holds them. Checked on the serialised answer,
 * so a leak in any field, nested or free text, fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toJsonRpcError } from '../../packages/core/src/errors.js';
import { openHarness, PATIENT_IDS, type Harness } from './harness.js';

let h: Harness;
let secrets: Array<{ kind: string; value: string; pattern: RegExp }>;

function wordPattern(value: string): RegExp {
  return new RegExp(`(?<![A-Za-z0-9])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9])`, 'i');
}

beforeAll(async () => {
  h = await openHarness();
  const patients = await h.database.db.selectFrom('patients').selectAll().execute();
  const contacts = await h.database.db.selectFrom('patient_contacts').selectAll().execute();
  secrets = [];
  const add = (kind: string, value: string | null) => {
    if (value && value.trim().length >= 2) secrets.push({ kind, value, pattern: wordPattern(value) });
  };
  for (const p of patients) {
    add('patient id', p.id);
    add('given name', p.given_name);
    add('family name', p.family_name);
    add('mrn', p.mrn);
    add('ssn', p.ssn);
    add('ssn digits', p.ssn?.replace(/\D/g, '') ?? null);
    add('phone', p.phone);
    add('email', p.email);
    add('street', p.address_line);
    add('birth date', p.birth_date);
  }
  for (const c of contacts) {
    add('contact name', c.name);
    add('contact phone', c.phone);
  }
});
afterAll(async () => {
  await h?.close();
});

function leaks(text: string): string[] {
  return secrets.filter((s) => s.pattern.test(text)).map((s) => `${s.kind} "${s.value}"`);
}

describe('the researcher never sees an identifier', () => {
  it('search lists pseudonyms only, with ages and 3-digit ZIPs', async () => {
    const result = await h.call('researcher1', 'search_patients', { limit: 100 });
    const text = JSON.stringify(result);
    expect(leaks(text)).toEqual([]);
    const patients = (result.structuredContent as { patients: Array<Record<string, unknown>> }).patients;
    expect(patients).toHaveLength(PATIENT_IDS.length);
    for (const p of patients) {
      expect(p.id).toMatch(/^R-[A-Z2-7]{16}$/);
      expect(p).not.toHaveProperty('given_name');
      expect(p).not.toHaveProperty('mrn');
      if (typeof p.postal_code === 'string') expect(p.postal_code).toMatch(/^\d{3}$/);
    }
  });

  it('refuses to search by name, MRN or birth date, without echoing the query', async () => {
    for (const query of ['Okafor', 'MRN-0004821', '1956-04-12', 'P001']) {
      const error = await h.refusal('researcher1', 'search_patients', { query });
      expect(error.code).toBe('ERR_VALIDATION');
      expect(error.detail).toMatch(/^query:/);
      expect(error.detail).not.toContain(query);
    }
  });

  it('looks a pseudonym up, and pages with cursors that carry no name', async () => {
    const one = await h.call('researcher1', 'search_patients', { query: h.pseudonym('P004') });
    expect((one.structuredContent as { patients: Array<{ id: string }> }).patients.map((p) => p.id)).toEqual([h.pseudonym('P004')]);
    let cursor: string | undefined;
    const seen: string[] = [];
    do {
      const page = await h.call('researcher1', 'search_patients', { limit: 3, ...(cursor ? { cursor } : {}) });
      const data = page.structuredContent as { patients: Array<{ id: string }>; next_cursor: string | null };
      seen.push(...data.patients.map((p) => p.id));
      cursor = data.next_cursor ?? undefined;
      if (cursor) expect(leaks(Buffer.from(cursor, 'base64url').toString('latin1'))).toEqual([]);
    } while (cursor);
    expect(new Set(seen).size).toBe(PATIENT_IDS.length);
    // In pseudonym order, not the real ids' (where the n-th pseudonym would be P00n's).
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(PATIENT_IDS.map((id) => h.pseudonym(id)).sort());
    expect(seen).not.toEqual(PATIENT_IDS.map((id) => h.pseudonym(id)));
  });

  for (const tool of ['get_patient_overview', 'list_encounters', 'get_observations', 'get_medications', 'get_clinical_notes'] as const) {
    it(`${tool} leaks no identifier of any patient or relative`, async () => {
      for (const patientId of PATIENT_IDS) {
        const args = tool === 'get_clinical_notes' ? { patient_id: h.pseudonym(patientId), limit: 100 } : { patient_id: h.pseudonym(patientId) };
        const result = await h.call('researcher1', tool, args);
        expect(leaks(JSON.stringify(result)), `${tool} ${patientId}`).toEqual([]);
      }
    });
  }

  it('filters dates by year only: an exact `since` would give back the instant the answer hides', async () => {
    // Found by a reviewer: bisecting `since` by the number of rows returned recovered an
    // observation's time to the second in 24 calls.
    for (const tool of ['get_observations', 'get_clinical_notes'] as const) {
      for (const since of ['2024-03-14', '2024-01-01T00:00:01Z', '2024-06-01T00:00:00Z', '2024-01-02']) {
        const error = await h.refusal('researcher1', tool, { patient_id: h.pseudonym('P001'), since });
        expect(error.code).toBe('ERR_VALIDATION');
        expect(error.detail).toMatch(/^since: .*year/);
      }
      // Refused before the policy: the same answer for a pseudonym that names no one.
      const nobody = await h.refusal('researcher1', tool, { patient_id: 'R-AAAAAAAAAAAAAAAA', since: '2024-03-14' });
      expect(nobody.code).toBe('ERR_VALIDATION');
      for (const since of ['2024-01-01', '2024-01-01T00:00:00Z', '1900-01-01']) {
        const result = await h.call('researcher1', tool, { patient_id: h.pseudonym('P001'), since });
        expect(result.isError).toBeFalsy();
      }
      // Clinicians see dates whole, and filter by them.
      const doctor = await h.call('yenji100', tool, { patient_id: 'P001', since: '2024-03-14T10:15:00Z' });
      expect(doctor.isError).toBeFalsy();
    }
  });

  it("scrubs the record's own id out of a note's text", async () => {
    await h.call('yenji100', 'add_clinical_note', { patient_id: 'P001', text: 'Internal id P001 per chart; see P001. Plate ABC-1234 seen.' });
    const result = await h.call('researcher1', 'get_clinical_notes', { patient_id: h.pseudonym('P001'), limit: 100 });
    expect(leaks(JSON.stringify(result))).toEqual([]);
    expect(JSON.stringify(result)).toContain('Internal id [ID] per chart');
  });

  it('answers a real id like a patient that does not exist, and records it as what it is', async () => {
    // Found by a reviewer: recorded as patient_not_found, a re-identification attempt looked like a typo.
    const real = await h.refusal('researcher1', 'get_patient_overview', { patient_id: 'P003' });
    const [event] = await h.lastAuditEvents(1);
    expect(event).toMatchObject({ decision: 'deny', reason: 'not_a_pseudonym', patient_id: 'P003', role: 'researcher' });
    const nobody = await h.refusal('researcher1', 'get_patient_overview', { patient_id: 'R-AAAAAAAAAAAAAAAA' });
    expect(toJsonRpcError(real)).toEqual(toJsonRpcError(nobody));
  });

  it('records the real patient id in the audit log, for the reviewer', async () => {
    await h.call('researcher1', 'get_medications', { patient_id: h.pseudonym('P007') });
    const [event] = await h.lastAuditEvents(1);
    expect(event).toMatchObject({ decision: 'allow', patient_id: 'P007', purpose_of_use: 'HRESCH' });
  });
});
