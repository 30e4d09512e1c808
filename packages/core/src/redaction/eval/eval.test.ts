/**
 * The labelled evaluation set as a test: it fails when recall or the share of clinical
 * terms kept drops below the targets, or when the scrubber gets too slow.
 */
import { describe, expect, it } from 'vitest';
import { findPhi } from '../scrubber.js';
import type { Finding } from '../types.js';
import { generateEvalSet, NOTE_KINDS } from './generator.js';
import { evaluate, ratio, TARGETS, targetFailures } from './metrics.js';
import { measureThroughput } from './throughput.js';

/** `text.replace(/\d/g, '#')` where the scrubber's 2 MB/s target was first met (BENCHMARKS.md, PHI scrubber). */
const REFERENCE_BASELINE_MB_PER_SECOND = 248.9;

const SEEDS = [20_260_101, 7, 424_242];
const notes = generateEvalSet(SEEDS[0], 400);

describe('evaluation set', () => {
  it('has at least 300 notes of every kind, deterministically', () => {
    expect(notes.length).toBeGreaterThanOrEqual(300);
    expect(new Set(notes.map((n) => n.kind))).toEqual(new Set(NOTE_KINDS));
    expect(NOTE_KINDS.length).toBeGreaterThanOrEqual(4);
    expect(generateEvalSet(SEEDS[0], 400)).toEqual(notes);
    expect(generateEvalSet(SEEDS[1], 5)[0]!.text).not.toBe(notes[0]!.text);
  });

  it('annotates spans that lie inside the text and never overlap a must-keep term', () => {
    for (const note of notes) {
      for (const span of [...note.phi, ...note.keep]) {
        expect(span.start).toBeGreaterThanOrEqual(0);
        expect(span.end).toBeLessThanOrEqual(note.text.length);
        expect(span.end).toBeGreaterThan(span.start);
      }
      for (const p of note.phi) for (const k of note.keep) expect(p.end <= k.start || k.end <= p.start).toBe(true);
    }
  });

  it('exercises the hard cases, not only what the record knows', () => {
    const phi = notes.flatMap((n) => n.phi.map((p) => ({ ...p, value: n.text.slice(p.start, p.end) })));
    const unknownNames = phi.filter((p) => p.type === 'name' && p.source === 'unknown');
    expect(unknownNames.length).toBeGreaterThan(200);
    expect(phi.some((p) => p.type === 'name' && /^(Hope|Faith)\b/.test(p.value))).toBe(true);
    expect(phi.some((p) => p.type === 'phone' && /^(\+44|\+33|\+49|0044)/.test(p.value))).toBe(true);
    expect(phi.some((p) => p.type === 'phone' && /(ext\.|x\d|extension)/.test(p.value))).toBe(true);
    expect(phi.some((p) => p.type === 'address' && /(Apt|Unit|Suite|#)/.test(p.value))).toBe(true);
    expect(phi.filter((p) => p.type === 'age').length).toBeGreaterThan(30);
    expect(new Set(phi.filter((p) => p.type === 'date').map((p) => p.value.replace(/\d/g, '9').replace(/[A-Za-z]+/g, 'M'))).size).toBeGreaterThan(10);
    const kept = notes.flatMap((n) => n.keep.map((k) => n.text.slice(k.start, k.end)));
    for (const term of ["Parkinson's", "Crohn's", 'Hodgkin', "Bell's palsy", 'Apgar 9', 'BP 120/80', 'HbA1c 7.2%', '500 mg', '2019']) {
      expect(kept.some((k) => k.includes(term)), term).toBe(true);
    }
  });
});

describe('scrubber against the evaluation set', () => {
  it.each(SEEDS)('meets the recall and clinical-kept targets (seed %i)', (seed) => {
    const report = evaluate(seed === SEEDS[0] ? notes : generateEvalSet(seed, 400), (text, known) => findPhi(text, known));
    expect(targetFailures(report)).toEqual([]);
    expect(ratio(report.overall)).toBeGreaterThanOrEqual(TARGETS.overallRecall);
    for (const type of TARGETS.perfectTypes) expect(ratio(report.byType[type]), type).toBe(1);
    expect(ratio(report.clinicalKept)).toBeGreaterThanOrEqual(TARGETS.clinicalKept);
  });

  it('would fail for a scrubber that misses names', () => {
    const namesBlind = (text: string, known: Parameters<typeof findPhi>[1]): Finding[] => findPhi(text, known).filter((f) => f.type !== 'name');
    const failures = targetFailures(evaluate(notes, namesBlind));
    expect(failures.some((f) => f.startsWith('overall recall'))).toBe(true);
  });

  it('would fail for a scrubber that eats clinical words', () => {
    const greedy = (text: string): Finding[] => [{ start: 0, end: text.length, type: 'name' }];
    expect(targetFailures(evaluate(notes, greedy)).some((f) => f.startsWith('clinical kept'))).toBe(true);
  });

  it('scrubs no slower, against a bare regex pass over the same text, than the 2 MB/s target allows', () => {
    // The machines this suite runs on differ by more than 2× in speed from one hour to the next
    // (the scrubber measured 4.0 MB/s on one and 1.9 on another), so the target is checked as
    // a ratio to a baseline timed in the same run: 2 MB/s on the machine where the baseline ran
    // 248.9 MB/s (BENCHMARKS.md). `npm run eval:redaction` still checks the absolute figure.
    const maxSlowdown = REFERENCE_BASELINE_MB_PER_SECOND / TARGETS.minMegabytesPerSecond;
    // Best of three short runs, in CPU time, so other processes on the machine matter little.
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3 && best > maxSlowdown; i++) {
      best = Math.min(best, measureThroughput(notes, (text, known) => findPhi(text, known), 2 * 1024 * 1024).slowdown);
    }
    expect(best).toBeLessThanOrEqual(maxSlowdown);
  });
});
