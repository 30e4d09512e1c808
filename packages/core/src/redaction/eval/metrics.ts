/**
 * Span-wise scoring. A PHI span is caught when none of its letters or digits survive:
 * every one of them lies inside a finding (punctuation such as the parentheses of a phone
 * number may stay). A must-keep term is kept when none of its characters lie inside a
 * finding.
 */
import { FIRST_NAMES } from '../lexicon/first-names.js';
import { SURNAMES } from '../lexicon/surnames.js';
import type { Finding, KnownIdentifiers, PhiType } from '../types.js';
import type { EvalNote, NameSource } from './generator.js';

export type FindFn = (text: string, known: KnownIdentifiers) => readonly Finding[];

export interface Tally {
  total: number;
  caught: number;
}

export interface EvalReport {
  notes: number;
  characters: number;
  byType: Partial<Record<PhiType, Tally>>;
  /** Names split by where they came from, and by whether the lexicon holds every word of them. */
  byNameSource: Partial<Record<`${NameSource}${'' | '/out-of-lexicon'}`, Tally>>;
  overall: Tally;
  clinicalKept: Tally;
  wordsKept: Tally;
  /** A few misses, for whoever tunes the scrubber (synthetic data, no real PHI). */
  missedExamples: string[];
  removedClinicalExamples: string[];
}

const ALNUM = /[A-Za-z0-9\u00C0-\u024F]/;

function coverMask(length: number, findings: readonly Finding[]): Uint8Array {
  const mask = new Uint8Array(length);
  for (const f of findings) mask.fill(1, f.start, f.end);
  return mask;
}

function inLexicon(value: string): boolean {
  return value
    .split(/[^A-Za-z'\u00C0-\u024F-]+/)
    .filter((w) => w.length > 1)
    .every((w) => {
      const key = w.toLowerCase();
      return FIRST_NAMES.has(key) || SURNAMES.has(key);
    });
}

function bump(tally: Partial<Record<string, Tally>>, key: string, caught: boolean): void {
  const t = (tally[key] ??= { total: 0, caught: 0 });
  t.total++;
  if (caught) t.caught++;
}

export function evaluate(notes: readonly EvalNote[], find: FindFn): EvalReport {
  const report: EvalReport = {
    notes: notes.length,
    characters: 0,
    byType: {},
    byNameSource: {},
    overall: { total: 0, caught: 0 },
    clinicalKept: { total: 0, caught: 0 },
    wordsKept: { total: 0, caught: 0 },
    missedExamples: [],
    removedClinicalExamples: [],
  };
  for (const note of notes) {
    report.characters += note.text.length;
    const mask = coverMask(note.text.length, find(note.text, note.known));
    for (const span of note.phi) {
      let caught = true;
      for (let i = span.start; i < span.end; i++) {
        if (!mask[i] && ALNUM.test(note.text[i]!)) {
          caught = false;
          break;
        }
      }
      bump(report.byType, span.type, caught);
      report.overall.total++;
      if (caught) report.overall.caught++;
      if (span.type === 'name' && span.source) {
        bump(report.byNameSource, span.source, caught);
        if (!inLexicon(note.text.slice(span.start, span.end))) bump(report.byNameSource, `${span.source}/out-of-lexicon`, caught);
      }
      if (!caught && report.missedExamples.length < 40) {
        const from = Math.max(0, span.start - 40);
        report.missedExamples.push(
          `${span.type}: …${note.text.slice(from, span.start)}⟦${note.text.slice(span.start, span.end)}⟧${note.text.slice(span.end, span.end + 30)}…`.replace(/\n/g, '⏎'),
        );
      }
    }
    for (const span of note.keep) {
      let kept = true;
      for (let i = span.start; i < span.end; i++) {
        if (mask[i]) {
          kept = false;
          break;
        }
      }
      const tally = span.category === 'clinical' ? report.clinicalKept : report.wordsKept;
      tally.total++;
      if (kept) tally.caught++;
      if (!kept && report.removedClinicalExamples.length < 40) {
        const from = Math.max(0, span.start - 30);
        report.removedClinicalExamples.push(
          `${span.category}: …${note.text.slice(from, span.start)}⟦${note.text.slice(span.start, span.end)}⟧${note.text.slice(span.end, span.end + 20)}…`.replace(/\n/g, '⏎'),
        );
      }
    }
  }
  return report;
}

export function ratio(t: Tally | undefined): number {
  return t && t.total > 0 ? t.caught / t.total : 1;
}

/** Targets from the issue: overall recall, per-type floors, clinical terms kept. */
export const TARGETS = {
  overallRecall: 0.99,
  perfectTypes: ['ssn', 'phone', 'email', 'mrn'] as const satisfies readonly PhiType[],
  clinicalKept: 0.97,
  minNotes: 300,
  minMegabytesPerSecond: 2,
};

export function targetFailures(report: EvalReport): string[] {
  const failures: string[] = [];
  if (report.notes < TARGETS.minNotes) failures.push(`only ${report.notes} notes (< ${TARGETS.minNotes})`);
  if (ratio(report.overall) < TARGETS.overallRecall) failures.push(`overall recall ${ratio(report.overall).toFixed(4)} < ${TARGETS.overallRecall}`);
  for (const type of TARGETS.perfectTypes) {
    const tally = report.byType[type];
    if (!tally || tally.total === 0) failures.push(`no ${type} spans in the set`);
    else if (tally.caught < tally.total) failures.push(`${type} recall ${ratio(tally).toFixed(4)} < 1.00`);
  }
  if (ratio(report.clinicalKept) < TARGETS.clinicalKept) failures.push(`clinical kept ${ratio(report.clinicalKept).toFixed(4)} < ${TARGETS.clinicalKept}`);
  return failures;
}
