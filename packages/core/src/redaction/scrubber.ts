/**
 * The free-text scrubber: every identifier in a clinical note replaced by a typed
 * placeholder ([NAME], [DATE], [PHONE], ...), clinical words left as they were.
 *
 * Three detectors feed one list of findings: the record's own identifiers (known.ts),
 * shaped identifiers (patterns.ts), and names and places no record knows (names.ts,
 * locations.ts). Overlaps are merged and each placeholder counted once by type. The
 * removed text is never returned or logged: only the counts leave this module.
 */
import { foldLookalikes } from './fold.js';
import { compileKnown, findKnown } from './known.js';
import { findLocations } from './locations.js';
import { findNames } from './names.js';
import { findPatterns, findSsns } from './patterns.js';
import { protectClinical } from './protect.js';
import { maskLast4 } from './safe-harbor.js';
import { applyPlaceholders, mergeFindings } from './spans.js';
import { tokenize } from './tokens.js';
import type { Finding, KnownIdentifiers, ScrubResult } from './types.js';

/** The identifier spans in `text`, merged, in order. For evaluation and tests; tools use scrubText. */
export function findPhi(text: string, known?: KnownIdentifiers): Finding[] {
  if (typeof text !== 'string') throw new TypeError('scrubText expects a string');
  if (text.length === 0) return [];
  // The detectors read the folded text (fold.ts); its offsets are the text's own.
  const folded = foldLookalikes(text);
  const findings: Finding[] = [];
  const tokens = tokenize(folded);
  const clinical = protectClinical(folded, tokens);
  const knownNames = new Uint8Array(tokens.length);
  if (known) findKnown(folded, tokens, clinical, compileKnown(known), findings, knownNames);
  findPatterns(folded, findings);
  findNames(folded, tokens, clinical, knownNames, findings);
  findLocations(folded, tokens, clinical, findings);
  return mergeFindings(findings, folded);
}

export function scrubText(text: string, known?: KnownIdentifiers): ScrubResult {
  return applyPlaceholders(text, findPhi(text, known));
}

/**
 * Full access to free text: everything stays but social security numbers, masked to their
 * last four digits as the record's own SSN field is (SPEC). A clinician who types one into a
 * note does not make it readable in full to everyone who may read the note.
 */
export function maskSsns(text: string): ScrubResult {
  if (typeof text !== 'string') throw new TypeError('maskSsns expects a string');
  const folded = foldLookalikes(text);
  const findings: Finding[] = [];
  findSsns(folded, findings);
  if (findings.length === 0) return { text, counts: {} };
  const merged = mergeFindings(findings, folded);
  let out = '';
  let at = 0;
  for (const { start, end } of merged) {
    // The last four digits as ASCII, whatever digits they were typed with.
    out += text.slice(at, start) + maskLast4(folded.slice(start, end));
    at = end;
  }
  return { text: out + text.slice(at), counts: { ssn: merged.length } };
}
