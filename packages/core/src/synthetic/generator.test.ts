import { describe, expect, it } from 'vitest';
import type { PatientBundle } from '../clinical/store.js';
import { demoPatientBundles, generatedMrn, generatePatient, REFERENCE_INSTANT } from './index.js';

const SAMPLE = Array.from({ length: 300 }, (_, i) => generatePatient(42, i));
const asOf = Date.parse(REFERENCE_INSTANT);

function ageOf(bundle: PatientBundle): number {
  return (asOf - Date.parse(`${bundle.patient.birth_date}T00:00:00Z`)) / (365.2425 * 86_400_000);
}

function digits(text: string | null): string {
  return (text ?? '').replace(/\D/g, '').replace(/^1(?=\d{10}$)/, '');
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describe('generatePatient', () => {
  it('is deterministic: the same seed and index give the same patient', () => {
    expect(generatePatient(42, 7)).toEqual(generatePatient(42, 7));
    expect(JSON.stringify(generatePatient(1, 123))).toBe(JSON.stringify(generatePatient(1, 123)));
    // Each patient has its own stream: generating others first changes nothing.
    expect(generatePatient(42, 7)).toEqual(SAMPLE[7]);
  });

  it('gives different patients for different seeds and indexes', () => {
    expect(generatePatient(42, 7).patient.ssn).not.toBe(generatePatient(43, 7).patient.ssn);
    expect(generatePatient(42, 7).patient.mrn).not.toBe(generatePatient(42, 8).patient.mrn);
    const names = new Set(SAMPLE.map((b) => `${b.patient.given_name} ${b.patient.family_name}`));
    expect(names.size).toBeGreaterThan(280);
  });

  it('derives ids from the index and keeps every row id unique', () => {
    expect(SAMPLE[123]?.patient.id).toBe('G000123');
    const ids = new Set<string>();
    for (const b of SAMPLE) {
      for (const row of [b.patient, ...b.contacts, ...b.encounters, ...b.observations, ...b.medications, ...b.allergies, ...b.conditions, ...b.notes]) {
        expect(ids.has(row.id)).toBe(false);
        ids.add(row.id);
      }
      for (const row of [...b.contacts, ...b.encounters, ...b.observations, ...b.medications, ...b.allergies, ...b.conditions, ...b.notes]) {
        expect(row.patient_id).toBe(b.patient.id);
      }
    }
  });

  it('never repeats an MRN (a bijection of the index)', () => {
    const mrns = new Set(Array.from({ length: 50_000 }, (_, i) => generatedMrn(i)));
    expect(mrns.size).toBe(50_000);
    for (const mrn of [...mrns].slice(0, 100)) expect(mrn).toMatch(/^MRN-[1-9]\d{6}$/);
  });

  it('makes identifiers that look real and are valid', () => {
    for (const { patient } of SAMPLE) {
      expect(patient.ssn).toMatch(/^\d{3}-\d{2}-\d{4}$/);
      const area = Number(patient.ssn?.slice(0, 3));
      expect(area).toBeGreaterThan(0);
      expect(area).not.toBe(666);
      expect(area).toBeLessThan(900);
      expect(patient.ssn?.slice(4, 6)).not.toBe('00');
      expect(patient.ssn?.slice(7)).not.toBe('0000');
      expect(patient.postal_code).toMatch(/^\d{5}$/);
      expect(patient.state).toMatch(/^[A-Z]{2}$/);
      expect(patient.address_line).toMatch(/^\d+ \S/);
      expect(digits(patient.phone)).toMatch(/^\d{10}$/);
      expect(patient.birth_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (patient.email) expect(patient.email).toMatch(/^[a-z0-9._]+@[a-z.]+$/);
    }
    const phoneStyles = new Set(SAMPLE.map(({ patient }) => (patient.phone ?? '').replace(/\d/g, '9')));
    expect(phoneStyles.size).toBeGreaterThanOrEqual(4);
    expect(SAMPLE.some(({ patient }) => /(Apt|Unit|Suite|#)/.test(patient.address_line ?? ''))).toBe(true);
  });

  it('spreads ages from newborns to past 100, with some over 89', () => {
    const ages = SAMPLE.map(ageOf);
    expect(Math.min(...ages)).toBeLessThan(2);
    expect(Math.max(...ages)).toBeGreaterThan(95);
    expect(Math.max(...ages)).toBeLessThan(102);
    const over89 = ages.filter((a) => a >= 90).length;
    expect(over89).toBeGreaterThan(5);
    expect(over89).toBeLessThan(60);
  });

  it('fills each chart in realistic amounts', () => {
    for (const b of SAMPLE) {
      expect(b.contacts.length).toBeGreaterThanOrEqual(1);
      expect(b.contacts.length).toBeLessThanOrEqual(2);
      expect(b.encounters.length).toBeGreaterThanOrEqual(3);
      expect(b.encounters.length).toBeLessThanOrEqual(8);
      expect(b.observations.length).toBeGreaterThanOrEqual(25);
      expect(b.observations.length).toBeLessThanOrEqual(160);
      expect(b.notes.length).toBeGreaterThanOrEqual(2);
      expect(b.notes.length).toBeLessThanOrEqual(6);
      for (const c of b.contacts) expect(c.phone).toBeTruthy();
    }
    expect(mean(SAMPLE.map((b) => b.encounters.length))).toBeGreaterThan(4.2);
    expect(mean(SAMPLE.map((b) => b.encounters.length))).toBeLessThan(6);
    expect(mean(SAMPLE.map((b) => b.observations.length))).toBeGreaterThan(40);
    expect(mean(SAMPLE.map((b) => b.observations.length))).toBeLessThan(65);
    expect(mean(SAMPLE.map((b) => b.notes.length))).toBeGreaterThan(2.5);
    expect(mean(SAMPLE.map((b) => b.notes.length))).toBeLessThan(4);
    expect(SAMPLE.filter((b) => b.allergies.length > 0).length).toBeGreaterThan(60);
    expect(SAMPLE.filter((b) => b.medications.length > 0).length).toBeGreaterThan(150);
  });

  it('uses the clinical codes and units the tools expect', () => {
    const codes = new Set(SAMPLE.flatMap((b) => b.observations.map((o) => o.code)));
    for (const loinc of ['8867-4', '8480-6', '8462-4', '8310-5', '29463-7', '8302-2', '2708-6', '4548-4', '2345-7', '2160-0', '718-7', '6690-2', '2093-3']) {
      expect(codes).toContain(loinc);
    }
    const heartRates = SAMPLE.flatMap((b) => b.observations.filter((o) => o.code === '8867-4'));
    expect(heartRates.every((o) => o.unit === '/min' && o.category === 'vital-signs' && o.ref_low === 60 && o.ref_high === 100)).toBe(true);
    const a1c = SAMPLE.flatMap((b) => b.observations.filter((o) => o.code === '4548-4'));
    expect(a1c.every((o) => o.category === 'laboratory' && o.unit === '%' && (o.value_num ?? 0) > 3 && (o.value_num ?? 0) < 16)).toBe(true);
    const conditionCodes = new Set(SAMPLE.flatMap((b) => b.conditions.map((c) => c.code)));
    for (const snomed of ['38341003', '44054006', '195967001']) expect(conditionCodes).toContain(snomed);
    for (const b of SAMPLE) for (const m of b.medications) expect(m.rxnorm_code).toMatch(/^\d+$/);
    const classes = new Set(SAMPLE.flatMap((b) => b.encounters.map((e) => e.class)));
    expect([...classes].sort()).toEqual(['AMB', 'EMER', 'IMP']);
    const kinds = new Set(SAMPLE.flatMap((b) => b.notes.map((n) => n.note_type)));
    expect([...kinds].sort()).toEqual(['discharge', 'nursing', 'phone', 'progress', 'referral']);
  });

  it('ties vital signs to the patient: hypertensive patients run higher', () => {
    const systolicMean = (filter: (b: PatientBundle) => boolean) =>
      mean(SAMPLE.filter((b) => filter(b) && ageOf(b) > 40).flatMap((b) => b.observations.filter((o) => o.code === '8480-6').map((o) => o.value_num ?? 0)));
    const hypertensive = (b: PatientBundle) => b.conditions.some((c) => c.code === '38341003');
    expect(systolicMean(hypertensive)).toBeGreaterThan(systolicMean((b) => !hypertensive(b)) + 8);
  });

  it('writes notes that mention identifiers the way real notes do', () => {
    let mentionsRelative = 0;
    let mentionsMrn = 0;
    let mentionsAddress = 0;
    for (const b of SAMPLE) {
      const all = b.notes.map((n) => n.text).join('\n');
      expect(all.includes(b.patient.family_name) || all.includes(b.patient.given_name)).toBe(true);
      // The patient's phone number appears in some note, in one format or another.
      const allDigits = all.replace(/[\s().+-]/g, '');
      expect(allDigits).toContain(digits(b.patient.phone));
      if (b.contacts.some((c) => all.includes(c.name) || all.includes(c.name.split(' ')[0] as string))) mentionsRelative += 1;
      if (all.includes(b.patient.mrn)) mentionsMrn += 1;
      if (b.patient.address_line && all.includes(b.patient.address_line)) mentionsAddress += 1;
      expect(all).toMatch(/\d{1,2}\/\d{1,2}\/\d{2,4}|\d{4}-\d{2}-\d{2}|[A-Z][a-z]+ \d{1,2}/);
      for (const note of b.notes) {
        expect(note.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(Date.parse(note.created_at)).toBeLessThanOrEqual(asOf);
      }
    }
    expect(mentionsRelative).toBeGreaterThan(SAMPLE.length * 0.6);
    expect(mentionsMrn).toBeGreaterThan(SAMPLE.length * 0.1);
    expect(mentionsAddress).toBeGreaterThan(SAMPLE.length * 0.1);
  });

  it('keeps every date in order: born before seen, seen before now', () => {
    for (const b of SAMPLE) {
      const birth = Date.parse(`${b.patient.birth_date}T00:00:00Z`);
      for (const e of b.encounters) {
        expect(Date.parse(e.start_at)).toBeGreaterThan(birth);
        expect(Date.parse(e.start_at)).toBeLessThanOrEqual(asOf);
        if (e.end_at) expect(Date.parse(e.end_at)).toBeGreaterThan(Date.parse(e.start_at));
      }
      for (const o of b.observations) expect(Date.parse(o.effective_at)).toBeLessThanOrEqual(asOf + 86_400_000);
    }
  });
});

describe('demoPatientBundles', () => {
  const demo = demoPatientBundles();

  it('returns exactly P001…P010, the same every time', () => {
    expect(demo.map((b) => b.patient.id)).toEqual(['P001', 'P002', 'P003', 'P004', 'P005', 'P006', 'P007', 'P008', 'P009', 'P010']);
    expect(demoPatientBundles()).toEqual(demo);
    expect(new Set(demo.map((b) => b.patient.mrn)).size).toBe(10);
    for (const b of demo) expect(b.patient.source).toBe('demo');
  });

  it('gives P001 the chart the demo relies on', () => {
    const p1 = demo[0] as PatientBundle;
    expect(p1.conditions.filter((c) => c.clinical_status === 'active').length).toBeGreaterThanOrEqual(2);
    expect(p1.medications.filter((m) => m.status === 'active').length).toBeGreaterThanOrEqual(2);
    expect(p1.allergies.length).toBeGreaterThanOrEqual(1);
    const latestVital = Math.max(...p1.observations.filter((o) => o.category === 'vital-signs').map((o) => Date.parse(o.effective_at)));
    expect(asOf - latestVital).toBeLessThan(7 * 86_400_000);
    expect(p1.notes.length).toBeGreaterThanOrEqual(3);
    const relatives = p1.contacts.map((c) => c.name.split(' ')[0] as string);
    const withRelativeAndPhone = p1.notes.filter(
      (n) => relatives.some((r) => n.text.includes(r)) && /\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}/.test(n.text),
    );
    expect(withRelativeAndPhone.length).toBeGreaterThanOrEqual(3);
    // Admitted to ward 1 as seed.ts says, still in hospital.
    const stay = p1.encounters.find((e) => e.start_at === '2026-11-18T09:30:00.000Z');
    expect(stay?.class).toBe('IMP');
    expect(stay?.end_at).toBeNull();
  });

  it('includes a patient over 89 and a child', () => {
    const ages = demo.map(ageOf);
    expect(ages.some((a) => a > 89)).toBe(true);
    expect(ages.some((a) => a < 18)).toBe(true);
  });
});
