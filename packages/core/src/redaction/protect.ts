/**
 * Clinical usage that looks like a name: multi-word clinical phrases ("Bell's palsy") and an
 * eponym followed by the word that makes it clinical ("Wilson's disease", "Smith fracture").
 * Tokens marked here are never names or places, except after a title ("Dr. Wilson").
 */
import { CLINICAL_PHRASES, EPONYM_SUFFIXES, POSSESSIVE_EPONYM_SUFFIXES, POSSESSIVE_EPONYMS } from './lexicon/clinical-terms.js';
import { COMMON_WORDS } from './lexicon/common-words.js';
import { type Token, tokenize } from './tokens.js';

const PHRASES_BY_FIRST_KEY: ReadonlyMap<string, readonly string[][]> = (() => {
  const map = new Map<string, string[][]>();
  for (const phrase of CLINICAL_PHRASES) {
    const keys = tokenize(phrase).map((t) => t.key);
    if (keys.length === 0) continue;
    const list = map.get(keys[0]!) ?? [];
    list.push(keys);
    map.set(keys[0]!, list);
  }
  return map;
})();

const BLANK_OR_HYPHEN = /^[ \t-]*$/;

/** Does the phrase `keys` start at token `i`? Returns the number of tokens it covers, or 0. */
export function phraseAt(text: string, tokens: readonly Token[], i: number, keys: readonly string[]): number {
  for (let k = 0; k < keys.length; k++) {
    const token = tokens[i + k];
    if (!token || token.key !== keys[k]) return 0;
    if (k > 0 && !BLANK_OR_HYPHEN.test(text.slice(tokens[i + k - 1]!.end, token.start))) return 0;
  }
  return keys.length;
}

export function protectClinical(text: string, tokens: readonly Token[]): Uint8Array {
  const mask = new Uint8Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const phrases = PHRASES_BY_FIRST_KEY.get(token.key);
    if (phrases) {
      for (const keys of phrases) {
        const covered = phraseAt(text, tokens, i, keys);
        for (let k = 0; k < covered; k++) mask[i + k] = 1;
      }
    }
    if (!token.capitalised) continue;
    const possessive = token.key !== token.text.toLowerCase().replace(/’/g, "'");
    if (possessive && POSSESSIVE_EPONYMS.has(token.key)) {
      mask[i] = 1;
      continue;
    }
    const next = tokens[i + 1];
    if (!next) continue;
    if (!EPONYM_SUFFIXES.has(next.key) && !(possessive && POSSESSIVE_EPONYM_SUFFIXES.has(next.key))) continue;
    if (!/^[ \t]+$/.test(text.slice(token.end, next.start))) continue;
    // "John Smith fracture" is a person's fracture: only protect when no capitalised
    // name-like word (a first name) stands right before the eponym. "Known Morton's
    // neuroma" is still clinical: "Known" is an ordinary word.
    const previous = tokens[i - 1];
    const afterName =
      previous !== undefined &&
      previous.capitalised &&
      !COMMON_WORDS.has(previous.key) &&
      /^[ \t]+$/.test(text.slice(previous.end, token.start));
    if (!afterName) mask[i] = 1;
  }
  return mask;
}
