/**
 * Turning findings into output: overlapping findings are merged into one span (the more
 * specific type names it), runs of one type separated only by blanks become one
 * placeholder, and each placeholder is counted once by type.
 */
import type { Finding, PhiType, RedactionCounts } from './types.js';

/** On overlap the higher number names the merged span: structured identifiers beat words. */
const SPECIFICITY: Readonly<Record<PhiType, number>> = {
  ssn: 19, email: 18, url: 17, ip: 16, mrn: 15, health_plan: 14, account: 13, license: 12,
  device: 11, vehicle: 10, fax: 9, phone: 8, id: 7, date: 6, age: 5, address: 4, zip: 3,
  location: 2, name: 1,
};

export function placeholderFor(type: PhiType): string {
  return `[${type.toUpperCase()}]`;
}

/** Blanks, or a comma between names ("Smith, John"). */
const JOINABLE_GAP = /^(?:[ \t]+|,[ \t]+)$/;
/** After an initial ("J. Smith") a period joins too. */
const INITIAL_GAP = /^\.[ \t]*$/;

export function mergeFindings(findings: Finding[], text: string): Finding[] {
  if (findings.length === 0) return [];
  findings.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Finding[] = [];
  let current: Finding = { ...findings[0]! };
  for (let i = 1; i < findings.length; i++) {
    const next = findings[i]!;
    const overlaps = next.start < current.end;
    const sameTypeNeighbour =
      next.type === current.type &&
      next.start - current.end <= 3 &&
      (JOINABLE_GAP.test(text.slice(current.end, next.start)) ||
        (current.end - current.start === 1 && INITIAL_GAP.test(text.slice(current.end, next.start)))) &&
      (current.type === 'name' || current.type === 'address' || current.type === 'location');
    if (overlaps || sameTypeNeighbour) {
      if (next.end > current.end) current.end = next.end;
      if (SPECIFICITY[next.type] > SPECIFICITY[current.type]) current.type = next.type;
      continue;
    }
    merged.push(current);
    current = { ...next };
  }
  merged.push(current);
  return merged;
}

export function applyPlaceholders(text: string, merged: readonly Finding[]): { text: string; counts: RedactionCounts } {
  const counts: RedactionCounts = {};
  if (merged.length === 0) return { text, counts };
  const parts: string[] = [];
  let cursor = 0;
  for (const finding of merged) {
    parts.push(text.slice(cursor, finding.start), placeholderFor(finding.type));
    counts[finding.type] = (counts[finding.type] ?? 0) + 1;
    cursor = finding.end;
  }
  parts.push(text.slice(cursor));
  return { text: parts.join(''), counts };
}

export function addCounts(into: RedactionCounts, from: RedactionCounts): RedactionCounts {
  for (const [key, value] of Object.entries(from) as [keyof RedactionCounts, number][]) {
    into[key] = (into[key] ?? 0) + value;
  }
  return into;
}
