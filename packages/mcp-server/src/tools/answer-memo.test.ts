import { describe, expect, it } from 'vitest';
import { createAnswerMemo, type ShapedAnswer } from './answer-memo.js';
import type { Fetched, RowSection } from './tool.js';

const NOON = new Date('2026-11-24T12:00:00.000Z');

function frozen<T extends object>(value: T): T {
  for (const child of Object.values(value)) if (child !== null && typeof child === 'object') frozen(child);
  return Object.freeze(value);
}

function fetchedOf(sections: Record<string, RowSection>, plain: Record<string, unknown> = {}): Fetched {
  return { sections, plain };
}

function answerFor(label: string): ShapedAnswer {
  const structured = { label };
  const text = JSON.stringify(structured);
  return { structured, text, parts: { content: JSON.stringify([{ type: 'text', text }]), structuredContent: text }, counts: { ssn: 1 } };
}

const patient = frozen({ id: 'P001', ssn: '123-45-6789' });
const meds = frozen([frozen({ id: 'M1', display: 'Metformin' }), frozen({ id: 'M2', display: 'Lisinopril' })]);

function overview(rows: { patient?: object; meds?: readonly object[] } = {}): Fetched {
  return fetchedOf({
    patient: { model: 'patient', rows: [rows.patient ?? patient], shape: 'one' },
    medications: { model: 'medication', rows: rows.meds ?? meds, shape: 'many' },
  });
}

describe('answer memo', () => {
  it('gives back the answer for the same frozen rows, tool, role and day, deep-frozen', () => {
    const memo = createAnswerMemo(10);
    expect(memo.get('get_patient_overview', overview(), 'doctor', NOON)).toBeUndefined();
    memo.set('get_patient_overview', overview(), 'doctor', NOON, answerFor('doctor'));
    const later = new Date('2026-11-24T23:59:59.999Z');
    const hit = memo.get('get_patient_overview', overview(), 'doctor', later);
    expect(hit?.structured).toEqual({ label: 'doctor' });
    expect(Object.isFrozen(hit?.structured)).toBe(true);
    expect(Object.isFrozen(hit?.counts)).toBe(true);
    expect(memo.stats).toMatchObject({ hits: 1, misses: 1, size: 1 });
  });

  it('misses on another role, tool, UTC day or layout', () => {
    const memo = createAnswerMemo(10);
    memo.set('get_patient_overview', overview(), 'doctor', NOON, answerFor('doctor'));
    expect(memo.get('get_patient_overview', overview(), 'nurse', NOON)).toBeUndefined();
    expect(memo.get('get_medications', overview(), 'doctor', NOON)).toBeUndefined();
    // Ages are taken at the UTC day: the next one may be a birthday.
    expect(memo.get('get_patient_overview', overview(), 'doctor', new Date('2026-11-25T00:00:00.000Z'))).toBeUndefined();
    expect(memo.get('get_patient_overview', overview(), 'doctor', new Date('2026-11-23T23:59:59.999Z'))).toBeUndefined();
    // The same rows under another key (a section the policy let through for someone else).
    const renamed = fetchedOf({
      patient: { model: 'patient', rows: [patient], shape: 'one' },
      latest_vitals: { model: 'medication', rows: meds, shape: 'many' },
    });
    expect(memo.get('get_patient_overview', renamed, 'doctor', NOON)).toBeUndefined();
    const fewer = fetchedOf({ patient: { model: 'patient', rows: [patient], shape: 'one' } });
    expect(memo.get('get_patient_overview', fewer, 'doctor', NOON)).toBeUndefined();
    expect(memo.get('get_patient_overview', overview(), 'doctor', NOON)?.structured).toEqual({ label: 'doctor' });
  });

  it('compares rows by identity: equal content read again is a different answer', () => {
    const memo = createAnswerMemo(10);
    memo.set('get_patient_overview', overview(), 'doctor', NOON, answerFor('first'));
    const reread = frozen([frozen({ id: 'M1', display: 'Metformin' }), frozen({ id: 'M2', display: 'Lisinopril' })]);
    expect(memo.get('get_patient_overview', overview({ meds: reread }), 'doctor', NOON)).toBeUndefined();
    const oneMore = frozen([...meds, frozen({ id: 'M3', display: 'Cache probe' })]);
    expect(memo.get('get_patient_overview', overview({ meds: oneMore }), 'doctor', NOON)).toBeUndefined();
    const swapped = frozen([meds[1]!, meds[0]!]);
    expect(memo.get('get_patient_overview', overview({ meds: swapped }), 'doctor', NOON)).toBeUndefined();
  });

  it('never keeps an answer whose rows could change, or one with plain fields', () => {
    const memo = createAnswerMemo(10);
    const mutable = { id: 'P001', ssn: '123-45-6789' };
    memo.set('get_patient_overview', overview({ patient: mutable }), 'doctor', NOON, answerFor('mutable'));
    // Shallow-frozen is not enough: a nested object could still be changed.
    const nested = Object.freeze({ id: 'P001', address: { city: 'Springfield' } });
    memo.set('get_patient_overview', overview({ patient: nested }), 'doctor', NOON, answerFor('nested'));
    const withPlain = fetchedOf({ patient: { model: 'patient', rows: [patient], shape: 'one' } }, { next_cursor: 'abc' });
    memo.set('search_patients', withPlain, 'doctor', NOON, answerFor('plain'));
    expect(memo.stats.size).toBe(0);
    mutable.ssn = '000-00-0000';
    expect(memo.get('get_patient_overview', overview({ patient: mutable }), 'doctor', NOON)).toBeUndefined();
    expect(memo.get('search_patients', withPlain, 'doctor', NOON)).toBeUndefined();
  });

  it('keeps at most maxEntries answers, least recently used out first; 0 keeps none', () => {
    const memo = createAnswerMemo(2);
    const patients = [1, 2, 3].map((n) => frozen({ id: `P00${n}` }));
    const of = (p: object) => fetchedOf({ patient: { model: 'patient', rows: [p], shape: 'one' } });
    memo.set('t', of(patients[0]!), 'doctor', NOON, answerFor('1'));
    memo.set('t', of(patients[1]!), 'doctor', NOON, answerFor('2'));
    expect(memo.get('t', of(patients[0]!), 'doctor', NOON)).toBeDefined();
    memo.set('t', of(patients[2]!), 'doctor', NOON, answerFor('3'));
    expect(memo.stats.size).toBe(2);
    expect(memo.get('t', of(patients[1]!), 'doctor', NOON)).toBeUndefined();
    expect(memo.get('t', of(patients[0]!), 'doctor', NOON)?.structured).toEqual({ label: '1' });

    const off = createAnswerMemo(0);
    off.set('t', of(patients[0]!), 'doctor', NOON, answerFor('1'));
    expect(off.get('t', of(patients[0]!), 'doctor', NOON)).toBeUndefined();
    expect(() => createAnswerMemo(-1)).toThrow(RangeError);
  });
});
