/**
 * The free-text scrubber: every identifier in a clinical note replaced by a typed
 * placeholder ([NAME], [DATE], [PHONE], ...), clinical words left as they were.
 *
 * Three detectors feed one list of findings: the record's own identifiers (known.ts),
 * shaped identifiers (patterns.ts), and names and places no record knows (names.ts,
 * locations.ts). Overlaps are merged and each placeholder counted once by type. The
 * removed text is never returned or logged: only the counts leave this module.
 */
import { foldText, originalSpan } from './fold.js';
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
  // The detectors read the folded text (fold.ts); what they find is mapped back to the text.
  const folded = foldText(text);
  const plain = folded.text;
  const findings: Finding[] = [];
  const tokens = tokenize(plain);
  const clinical = protectClinical(plain, tokens);
  const knownNames = new Uint8Array(tokens.length);
  if (known) findKnown(plain, tokens, clinical, compileKnown(known), findings, knownNames);
  findPatterns(plain, findings);
  findNames(plain, tokens, clinical, knownNames, findings);
  findLocations(plain, tokens, clinical, findings);
  const merged = mergeFindings(findings, plain);
  if (folded.from === null) return merged;
  // Mapped back, two spans may meet inside one code point (a ligature): merged once more.
  return mergeFindings(
    merged.map(({ start, end, type }) => {
      const [from, to] = originalSpan(folded, start, end);
      return { start: from, end: to, type };
    }),
    text,
  );
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
  const folded = foldText(text);
  const findings: Finding[] = [];
  findSsns(folded.text, findings);
  if (findings.length === 0) return { text, counts: {} };
  const merged = mergeFindings(findings, folded.text);
  let out = '';
  let at = 0;
  for (const { start, end } of merged) {
    const [from, to] = originalSpan(folded, start, end);
    // The last four digits as ASCII, whatever digits they were typed with.
    out += text.slice(at, from) + maskLast4(folded.text.slice(start, end));
    at = to;
  }
  return { text: out + text.slice(at), counts: { ssn: merged.length } };
}
