/**
 * Record-aware matching: the identifiers the record already knows (the patient's, their
 * contacts', the staff directory's) found in free text whatever their case, order or
 * punctuation: "John Smith" finds "SMITH, JOHN", "Mr. Smith" and "john"; 617-555-0134
 * finds "(617) 555 0134".
 */
import { COMMON_WORDS } from './lexicon/common-words.js';
import { phraseAt } from './protect.js';
import { type Token, partsOf, tokenize } from './tokens.js';
import type { Finding, KnownIdentifiers, PhiType } from './types.js';

/** Words in a name that are not the person's: titles, suffixes, degrees. */
const NOT_NAME_PARTS = new Set([
  'mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'jr', 'sr', 'ii', 'iii', 'iv', 'md', 'do', 'rn', 'np', 'pa',
  'phd', 'dds', 'the', 'of', 'and', 'de', 'la', 'van', 'von', 'der', 'del', 'da', 'di',
]);

export interface KnownMatcher {
  readonly nameKeys: ReadonlySet<string>;
  readonly cityPhrases: ReadonlyMap<string, readonly string[][]>;
  readonly literals: readonly [PhiType, RegExp][];
  readonly empty: boolean;
}

function escape(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function clean(values: readonly (string | null | undefined)[] | undefined): string[] {
  if (!values) return [];
  const out = new Set<string>();
  for (const v of values) {
    const trimmed = typeof v === 'string' ? v.trim() : '';
    if (trimmed.length >= 2) out.add(trimmed);
  }
  return [...out];
}

/** Digits with any separators between them: one number however it is written. */
function digitPattern(value: string): string | null {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 4) return null;
  return `(?<!\\d)${digits.split('').join('[\\s().-]{0,2}')}(?!\\d)`;
}

/** The literal, with blanks and punctuation between its parts made flexible. */
function literalPattern(value: string): string {
  const parts = value.split(/[\s.,-]+/).filter(Boolean).map(escape);
  return `(?<![A-Za-z0-9])${parts.join('[\\s.,-]{0,3}')}(?![A-Za-z0-9])`;
}

function alternation(patterns: string[]): RegExp | null {
  const unique = [...new Set(patterns)].sort((a, b) => b.length - a.length);
  return unique.length > 0 ? new RegExp(unique.join('|'), 'gi') : null;
}

function compile(known: KnownIdentifiers): KnownMatcher {
  const nameKeys = new Set<string>();
  for (const name of clean(known.names)) {
    for (const token of tokenize(name)) {
      for (const key of [token.key, ...partsOf(token.key)]) {
        if (key.length >= 2 && !NOT_NAME_PARTS.has(key)) nameKeys.add(key);
      }
    }
  }
  const cityPhrases = new Map<string, string[][]>();
  for (const city of clean(known.cities)) {
    const keys = tokenize(city).map((t) => t.key);
    if (keys.length === 0) continue;
    cityPhrases.set(keys[0]!, [...(cityPhrases.get(keys[0]!) ?? []), keys]);
  }

  const literals: [PhiType, RegExp][] = [];
  const numbered: [PhiType, string[]][] = [
    ['ssn', clean(known.ssns)],
    ['phone', clean(known.phones)],
    ['mrn', clean(known.mrns)],
    ['zip', clean(known.zips)],
    ['id', clean(known.other)],
  ];
  for (const [type, values] of numbered) {
    const patterns: string[] = [];
    for (const value of values) {
      if (/[A-Za-z]/.test(value)) patterns.push(literalPattern(value));
      const digits = digitPattern(value);
      // A ZIP or a short number alone is too common to match as digits anywhere.
      if (digits && (type !== 'zip' || value.replace(/\D/g, '').length >= 5)) patterns.push(digits);
      else if (!/[A-Za-z]/.test(value)) patterns.push(literalPattern(value));
    }
    const regex = alternation(patterns);
    if (regex) literals.push([type, regex]);
  }
  const emails = alternation(clean(known.emails).map((e) => `(?<![\\w.+-])${escape(e)}(?![\\w-])`));
  if (emails) literals.push(['email', emails]);
  const addressPatterns: string[] = [];
  for (const line of clean(known.addresses)) {
    addressPatterns.push(literalPattern(line));
    // "12 Elm Street Apt 3" is also written "12 Elm St" or "12 Elm".
    const head = /^(\d{1,6}[A-Za-z]?)\s+([A-Za-z][A-Za-z'.-]*(?:\s+[A-Za-z][A-Za-z'.-]*)?)/.exec(line);
    if (head) addressPatterns.push(`(?<![\\w])${escape(head[1]!)}[ \\t]+${escape(head[2]!).replace(/\s+/g, '[ \\t]+')}(?:[ \\t]+[A-Za-z]{2,12}\\.?)?(?![A-Za-z])`);
  }
  const addresses = alternation(addressPatterns);
  if (addresses) literals.push(['address', addresses]);

  return { nameKeys, cityPhrases, literals, empty: nameKeys.size === 0 && cityPhrases.size === 0 && literals.length === 0 };
}

const BY_OBJECT = new WeakMap<KnownIdentifiers, KnownMatcher>();
const BY_VALUE = new Map<string, KnownMatcher>();
const BY_VALUE_LIMIT = 512;

/** Compiled once per identifier set; tools that reuse the object pay nothing after the first call. */
export function compileKnown(known: KnownIdentifiers): KnownMatcher {
  const byObject = BY_OBJECT.get(known);
  if (byObject) return byObject;
  const key = JSON.stringify(known);
  let matcher = BY_VALUE.get(key);
  if (!matcher) {
    matcher = compile(known);
    if (BY_VALUE.size >= BY_VALUE_LIMIT) BY_VALUE.delete(BY_VALUE.keys().next().value!);
    BY_VALUE.set(key, matcher);
  }
  BY_OBJECT.set(known, matcher);
  return matcher;
}

/** A known word written in lower case is the word, not the person: "hope", "young". */
function lowercaseOrdinary(token: Token): boolean {
  return !token.capitalised && (COMMON_WORDS.has(token.key) || token.key.length <= 2);
}

export function findKnown(
  text: string,
  tokens: readonly Token[],
  clinical: Uint8Array,
  matcher: KnownMatcher,
  out: Finding[],
): void {
  if (matcher.empty) return;
  if (matcher.nameKeys.size > 0 || matcher.cityPhrases.size > 0) {
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      const phrases = matcher.cityPhrases.get(token.key);
      if (phrases && !lowercaseOrdinary(token)) {
        for (const keys of phrases) {
          const covered = phraseAt(text, tokens, i, keys);
          if (covered > 0) out.push({ start: token.start, end: tokens[i + covered - 1]!.end, type: 'location' });
        }
      }
      if (clinical[i] || lowercaseOrdinary(token)) continue;
      if (matcher.nameKeys.has(token.key) || partsOf(token.key).some((p) => p.length >= 2 && matcher.nameKeys.has(p))) {
        out.push({ start: token.start, end: token.end, type: 'name' });
      }
    }
  }
  for (const [type, regex] of matcher.literals) {
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
      if (m[0].length === 0) {
        regex.lastIndex++;
        continue;
      }
      out.push({ start: m.index, end: m.index + m[0].length, type });
    }
  }
}
