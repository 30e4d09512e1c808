import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../domain.js';
import type { ContactRow, EncounterRow, MedicationRow, NoteRow, ObservationRow, PatientRow } from '../records.js';
import { createRedactor, knownIdentifiersOf, redactRow, redactRows } from './engine.js';
import { pseudonymFor } from './pseudonym.js';
import { REDACT_MODELS } from './types.js';
import { VIEWS } from './views.js';

const KEY = 'test-pseudonym-key-0123456789abcdef0123456789';
const NOW = new Date('2026-03-15T12:00:00Z');

const patient: PatientRow = {
  id: 'P001',
  mrn: 'MRN-004512',
  ssn: '123-45-6789',
  given_name: 'Eleanor',
  family_name: 'Whitcombe',
  birth_date: '1931-07-04',
  sex: 'female',
  phone: '617-555-0134',
  email: 'eleanor.whitcombe@example.com',
  address_line: '12 Larkspur Lane, Apt 4B',
  city: 'Somerville',
  state: 'MA',
  postal_code: '02144',
  deceased_at: null,
};
const contacts: ContactRow[] = [{ id: 'C1', patient_id: 'P001', name: 'Thaddeus Whitcombe', relationship: 'son', phone: '617-555-0188' }];
const encounter: EncounterRow = {
  id: 'E001',
  patient_id: 'P001',
  class: 'IMP',
  type_code: '32485007',
  type_display: 'Hospital admission',
  reason: 'Fall at home on 03/02/2026, found by son Thaddeus',
  start_at: '2026-03-02T14:05:00Z',
  end_at: '2026-03-06T10:00:00Z',
  location: 'Ward W1, Somerville General',
  provider_name: 'Dr. Amelia Okafor',
};
const observation: ObservationRow = {
  id: 'O001', patient_id: 'P001', encounter_id: 'E001', category: 'laboratory', code: '4548-4', display: 'Hemoglobin A1c',
  value_num: 7.2, value_text: null, unit: '%', ref_low: 4, ref_high: 5.6, effective_at: '2026-03-03T08:00:00Z',
};
const medication: MedicationRow = {
  id: 'M001', patient_id: 'P001', encounter_id: 'E001', rxnorm_code: '860975', display: 'metformin 500 mg tablet',
  dosage: '500 mg twice daily', status: 'active', authored_at: '2026-03-06T09:00:00Z', prescriber_name: 'Amelia Okafor',
};
const note: NoteRow = {
  id: 'N001',
  patient_id: 'P001',
  encounter_id: 'E001',
  author_account_id: 7,
  author_name: 'Amelia Okafor',
  note_type: 'progress',
  text:
    'Mrs. Whitcombe (MRN-004512) is a 94-year-old woman with Parkinson\'s disease admitted 03/02/2026 after a fall at ' +
    '12 Larkspur Lane, Apt 4B, Somerville, MA 02144. Son Thaddeus (617-555-0188) at bedside; her e-mail ' +
    'eleanor.whitcombe@example.com. SSN 123-45-6789. Seen with Dr. Okafor. BP 120/80, HbA1c 7.2%, metformin 500 mg.',
  created_at: '2026-03-03T16:20:00Z',
};

/** Every value the researcher must never see, searched for in the serialised output. */
const IDENTIFIERS = [
  'Eleanor', 'Whitcombe', 'Thaddeus', 'Okafor', 'MRN-004512', '004512', '123-45-6789', '6789', '617-555-0134', '0188',
  'eleanor.whitcombe@example.com', 'Larkspur', 'Somerville', '02144', '1931-07-04', '03/02/2026', '2026-03-02T', '94',
  'P001', 'E001', 'Ward W1',
];

describe('views are data, deny by default', () => {
  it('has a view table for every role and only the known models', () => {
    for (const role of ROLES) {
      expect(VIEWS[role]).toBeDefined();
      for (const model of Object.keys(VIEWS[role])) expect(REDACT_MODELS).toContain(model);
    }
  });

  it('drops fields a view does not name', () => {
    const withExtra = { ...patient, internal_flag: 'secret' } as PatientRow;
    const { row } = redactRow('patient', 'doctor', withExtra);
    expect(row).not.toHaveProperty('internal_flag');
  });

  it.each(['auditor', 'admin'] as Role[])('%s sees no clinical rows at all', (role) => {
    for (const model of REDACT_MODELS) expect(VIEWS[role][model]).toBeUndefined();
    const { rows, counts } = redactRows('clinical_note', role, [note]);
    expect(rows).toEqual([]);
    expect(counts).toEqual({ withheld_row: 1 });
  });
});

describe.each(['doctor', 'nurse', 'patient'] as Role[])('%s: full record, SSN masked', (role) => {
  it('keeps everything but the SSN', () => {
    const { row, counts } = redactRow('patient', role, patient);
    expect(row).toEqual({ ...patient, ssn: '***-**-6789' });
    expect(counts).toEqual({ ssn: 1 });
  });

  it('keeps notes as written, but for an SSN typed into one', () => {
    const { row, counts } = redactRow('clinical_note', role, note);
    expect(row).toEqual({ ...note, text: note.text.replace('SSN 123-45-6789', 'SSN ***-**-6789') });
    expect(counts).toEqual({ ssn: 1 });
    expect(redactRow('contact', role, contacts[0]!).row).toEqual(contacts[0]);
  });
});

describe('receptionist: demographics and contact data; encounters as date, time and place', () => {
  it('sees demographics and contacts without the SSN', () => {
    const { row, counts } = redactRow('patient', 'receptionist', patient);
    expect(row).toEqual({ ...Object.fromEntries(Object.entries(patient).filter(([k]) => k !== 'ssn')) });
    expect(counts).toEqual({ ssn: 1 });
    expect(redactRow('contact', 'receptionist', contacts[0]!).row).toEqual(contacts[0]);
  });

  it('sees when and where an encounter is, never why, what kind or with whom', () => {
    const { row } = redactRow('encounter', 'receptionist', encounter);
    // SPEC: "date, time and place only". The class (emergency, inpatient, ambulatory) says
    // what kind of care it was, so it stays with the clinical fields.
    expect(Object.keys(row!).sort()).toEqual(['end_at', 'id', 'location', 'patient_id', 'start_at']);
    expect(Object.values(row!)).not.toContain(encounter.class);
  });

  it('sees no clinical model', () => {
    expect(redactRows('observation', 'receptionist', [observation]).rows).toEqual([]);
    expect(redactRows('medication', 'receptionist', [medication]).rows).toEqual([]);
    expect(redactRows('clinical_note', 'receptionist', [note]).rows).toEqual([]);
  });
});

describe('researcher: Safe Harbor', () => {
  const redactor = createRedactor({ role: 'researcher', pseudonymKey: KEY, staffNames: ['Amelia Okafor'], now: NOW });
  const known = knownIdentifiersOf(patient, contacts);
  const output = {
    patient: redactor.row('patient', patient, known),
    contacts: redactor.rows('contact', contacts, known),
    encounters: redactor.rows('encounter', [encounter], known),
    observations: redactor.rows('observation', [observation], known),
    medications: redactor.rows('medication', [medication], known),
    notes: redactor.rows('clinical_note', [note], known),
  };
  const serialised = JSON.stringify(output);

  it.each(IDENTIFIERS)('never outputs %s', (value) => {
    expect(serialised).not.toContain(value);
  });

  it('replaces the patient by a stable pseudonym everywhere', () => {
    const pseudonym = pseudonymFor('P001', KEY);
    expect(output.patient).toMatchObject({ id: pseudonym, sex: 'female', state: 'MA', postal_code: '021', age: '90+', birth_date: null });
    expect(output.encounters[0]!.patient_id).toBe(pseudonym);
    expect(output.notes[0]!.patient_id).toBe(pseudonym);
    expect(output.observations[0]!.encounter_id).toBe(output.encounters[0]!.id);
    expect(redactor.patientRef('P001')).toBe(pseudonym);
  });

  it('keeps years, clinical values and clinical words', () => {
    expect(output.encounters[0]).toMatchObject({ start_at: '2026', end_at: '2026', type_display: 'Hospital admission' });
    expect(output.observations[0]).toMatchObject({ value_num: 7.2, unit: '%', display: 'Hemoglobin A1c', effective_at: '2026' });
    expect(output.medications[0]).toMatchObject({ display: 'metformin 500 mg tablet', dosage: '500 mg twice daily' });
    const text = output.notes[0]!.text as string;
    expect(text).toContain("Parkinson's disease");
    expect(text).toContain('BP 120/80, HbA1c 7.2%, metformin 500 mg');
    expect(output.contacts).toEqual([]);
  });

  it('gives ages under 90 as reached in the year, and the birth year', () => {
    const { row } = redactRow('patient', 'researcher', { ...patient, birth_date: '1980-06-01' }, { pseudonymKey: KEY, now: NOW });
    expect(row).toMatchObject({ age: 46, birth_date: '1980' });
  });

  it('counts what it removed by type, without the values', () => {
    const counts = redactor.counts;
    expect(counts.name).toBeGreaterThanOrEqual(4);
    expect(counts).toMatchObject({ ssn: 2, mrn: 2, email: 2, age: 2, withheld_row: 1 });
    expect(counts.phone).toBeGreaterThanOrEqual(2);
    expect(counts.date).toBeGreaterThanOrEqual(5);
    for (const value of IDENTIFIERS) expect(JSON.stringify(counts)).not.toContain(value);
  });

  it('refuses to run without a pseudonym key', () => {
    expect(() => createRedactor({ role: 'researcher' })).toThrow(/pseudonym key/);
    expect(() => redactRows('patient', 'researcher', [patient], {})).toThrow(/pseudonym key/);
  });
});

describe('createRedactor', () => {
  it('accumulates counts across calls and scrubs staff names from free text for the researcher', () => {
    const redactor = createRedactor({ role: 'researcher', pseudonymKey: KEY, staffNames: ['Gavin Abernathy'], now: NOW });
    const bare = { ...note, author_name: null };
    const out = redactor.rows('clinical_note', [{ ...bare, text: 'Discussed with Abernathy.' }]);
    expect(out[0]!.text).toBe('Discussed with [NAME].');
    redactor.rows('clinical_note', [{ ...bare, text: 'Abernathy agrees.' }]);
    expect(redactor.counts.name).toBe(2);
  });

  it('tells tools which models a role sees', () => {
    expect(createRedactor({ role: 'receptionist' }).sees('clinical_note')).toBe(false);
    expect(createRedactor({ role: 'doctor' }).sees('clinical_note')).toBe(true);
    expect(createRedactor({ role: 'doctor' }).patientRef('P001')).toBe('P001');
  });

  it('refuses bad input clearly', () => {
    expect(() => createRedactor({ role: 'janitor' as Role })).toThrow(/unknown role/);
    expect(() => redactRows('patient', 'doctor', 'nope' as unknown as PatientRow[])).toThrow(TypeError);
  });
});
