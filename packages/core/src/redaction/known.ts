/**
 * Record-aware matching: the identifiers the record already knows (the patient's, their
 * contacts', the staff directory's) found in free text whatever their case, order or
 * punctuation: "John Smith" finds "SMITH, JOHN", "Mr. Smith" and "john"; 617-555-0134
 * finds "(617) 555 0134".
 */
import { CLINICAL_TERMS } from './lexicon/clinical-terms.js';
import { COMMON_WORDS } from './lexicon/common-words.js';
import { foldWord } from './fold.js';
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
  /** Keys of the staff directory's names that no name of the record's has. */
  readonly staffKeys: ReadonlySet<string>;
  readonly cityPhrases: ReadonlyMap<string, readonly string[][]>;
  /** Numbers by their digits alone, so any punctuation between them matches. */
  readonly numbers: readonly KnownNumber[];
  /** Lower-case e-mail addresses. */
  readonly emails: readonly string[];
  /** Other identifiers as written, lower case, found as whole words ("P002", "F2db3ebf6a676"). */
  readonly literals: readonly string[];
  /** Their user names, when distinctive enough to stand for the person on their own ("mokafor"). */
  readonly handles: readonly string[];
  readonly addresses: readonly KnownAddress[];
  readonly birthDates: readonly KnownDate[];
  readonly empty: boolean;
}

interface KnownDate {
  readonly year: string;
  readonly month: number;
  readonly day: number;
}

interface KnownNumber {
  readonly type: PhiType;
  readonly digits: string;
  /** Letters written before the digits ("MR-", "A"), lower case, separators removed. */
  readonly prefix: string;
}

interface KnownAddress {
  readonly number: string;
  /** Street words, lower case, each with its usual abbreviation allowed. */
  readonly words: readonly (readonly string[])[];
}

/** The values as the detectors read text (fold.ts), trimmed, without repeats or near-empty ones. */
function clean(values: readonly (string | null | undefined)[] | undefined): string[] {
  if (!values) return [];
  const out = new Set<string>();
  for (const v of values) {
    const trimmed = typeof v === 'string' ? foldWord(v).trim() : '';
    if (trimmed.length >= 2) out.add(trimmed);
  }
  return [...out];
}

/** Street words and their abbreviations, both ways. */
const STREET_ABBREVIATIONS: Readonly<Record<string, string>> = {
  street: 'st', avenue: 'ave', road: 'rd', boulevard: 'blvd', lane: 'ln', drive: 'dr', court: 'ct', place: 'pl',
  terrace: 'ter', circle: 'cir', parkway: 'pkwy', highway: 'hwy', square: 'sq', trail: 'trl', north: 'n',
  south: 's', east: 'e', west: 'w', apartment: 'apt', suite: 'ste', mount: 'mt', saint: 'st',
};
const ABBREVIATION_OF = new Map<string, string[]>();
for (const [long, short] of Object.entries(STREET_ABBREVIATIONS)) {
  ABBREVIATION_OF.set(long, [long, short]);
  ABBREVIATION_OF.set(short, [...(ABBREVIATION_OF.get(short) ?? [short]), long]);
}

function nameKeysOf(names: readonly (string | null | undefined)[] | undefined): Set<string> {
  const keys = new Set<string>();
  for (const name of clean(names)) {
    for (const token of tokenize(name)) {
      for (const key of [token.key, ...partsOf(token.key)]) {
        if (key.length >= 2 && !NOT_NAME_PARTS.has(key)) keys.add(key);
      }
    }
  }
  return keys;
}

function compile(known: KnownIdentifiers): KnownMatcher {
  const nameKeys = nameKeysOf(known.names);
  const staffKeys = new Set([...nameKeysOf(known.staffNames)].filter((key) => !nameKeys.has(key)));
  const cityPhrases = new Map<string, string[][]>();
  for (const city of clean(known.cities)) {
    const keys = tokenize(city).map((t) => t.key);
    if (keys.length === 0) continue;
    cityPhrases.set(keys[0]!, [...(cityPhrases.get(keys[0]!) ?? []), keys]);
  }

  const numbers: KnownNumber[] = [];
  const numbered: [PhiType, string[]][] = [
    ['ssn', clean(known.ssns)],
    ['phone', clean(known.phones)],
    ['mrn', clean(known.mrns)],
    ['zip', clean(known.zips)],
    ['id', clean(known.other)],
  ];
  for (const [type, values] of numbered) {
    for (const value of values) {
      const digits = value.replace(/\D/g, '');
      // Four digits or fewer match too much; a ZIP needs all five. Shorter identifiers are
      // left to the pattern detectors and their cue words.
      if (digits.length < (type === 'zip' ? 5 : 4)) continue;
      const prefix = (/^[^0-9]*/.exec(value)?.[0] ?? '').replace(/[^A-Za-z]/g, '').toLowerCase();
      numbers.push({ type, digits, prefix });
      // A North American number kept with its country code ("1-313-555-8094") is written and
      // said without it at least as often.
      if (type === 'phone' && digits.length === 11 && digits.startsWith('1')) numbers.push({ type, digits: digits.slice(1), prefix: '' });
    }
  }
  // An identifier with a letter and a digit, found whole: short ones ("P002") have too few
  // digits for the search by digits above, and a word of letters alone is not an identifier.
  const literals = clean(known.other)
    .filter((value) => value.length >= 3 && /\d/.test(value) && /[A-Za-z]/.test(value))
    .map((value) => value.toLowerCase());
  const emails = clean(known.emails).map((e) => e.toLowerCase());
  const handles = emails
    .map((email) => email.slice(0, email.indexOf('@')))
    .filter((handle) => handle.length >= 5 && /[a-z]/.test(handle) && !COMMON_WORDS.has(handle) && !CLINICAL_TERMS.has(handle));
  const addresses: KnownAddress[] = [];
  for (const line of clean(known.addresses)) {
    const head = /^(\d{1,6}[A-Za-z]?)[\s,]+(.+)$/.exec(line);
    if (!head) continue;
    const words = head[2]!
      .toLowerCase()
      .split(/[^a-z0-9']+/)
      .filter(Boolean)
      .map((w) => ABBREVIATION_OF.get(w) ?? [w]);
    if (words.length > 0) addresses.push({ number: head[1]!.toLowerCase(), words });
  }
  const birthDates: KnownDate[] = [];
  for (const value of clean(known.birthDates)) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (m) birthDates.push({ year: m[1]!, month: Number(m[2]), day: Number(m[3]) });
  }
  const empty =
    nameKeys.size === 0 &&
    staffKeys.size === 0 &&
    cityPhrases.size === 0 &&
    numbers.length === 0 &&
    emails.length === 0 &&
    addresses.length === 0 &&
    literals.length === 0 &&
    birthDates.length === 0;
  return { nameKeys, staffKeys, cityPhrases, numbers, emails, literals, handles, addresses, birthDates, empty };
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

/**
 * Runs of digits with at most three separators between consecutive digits ("(617) 555-0134",
 * "397 - 33 - 8133", "397/33/8133"), each with the offset of every digit, so a known number
 * is found by its digits alone.
 */
const DIGIT_RUN = /\d(?:[\s()./_-]{0,3}\d)*/g;

function findNumbers(text: string, numbers: readonly KnownNumber[], out: Finding[]): void {
  DIGIT_RUN.lastIndex = 0;
  for (let m = DIGIT_RUN.exec(text); m !== null; m = DIGIT_RUN.exec(text)) {
    const run = m[0];
    let digits = '';
    const offsets: number[] = [];
    for (let i = 0; i < run.length; i++) {
      const c = run.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        digits += run[i];
        offsets.push(m.index + i);
      }
    }
    for (const known of numbers) {
      if (digits.length < known.digits.length) continue;
      for (let at = digits.indexOf(known.digits); at >= 0; at = digits.indexOf(known.digits, at + 1)) {
        let start = offsets[at]!;
        const end = offsets[at + known.digits.length - 1]! + 1;
        if (known.prefix) {
          // "MR-004512": take the letters before the digits too when they are the known ones.
          const before = text.slice(Math.max(0, start - known.prefix.length - 2), start);
          const letters = /([A-Za-z]+)[\s#:-]{0,2}$/.exec(before);
          if (letters && letters[1]!.toLowerCase() === known.prefix) start -= before.length - letters.index;
        }
        out.push({ start, end, type: known.type });
      }
    }
  }
}

const DIGIT_WORDS: Readonly<Record<string, string>> = {
  zero: '0', oh: '0', o: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
  ten: '10', eleven: '11', twelve: '12', thirteen: '13', fourteen: '14', fifteen: '15', sixteen: '16', seventeen: '17', eighteen: '18', nineteen: '19',
  // "eight hundred" is how 800 is said; "hundred" adds its zeros to the digit before.
  hundred: '00',
};
/** Tens: "fifty-five" and "fifty five" are 55, "fifty" alone is 50. */
const TENS_WORDS: Readonly<Record<string, string>> = {
  twenty: '2', thirty: '3', forty: '4', fifty: '5', sixty: '6', seventy: '7', eighty: '8', ninety: '9',
};
const NUMBER_WORD = `(?:${[...Object.keys(DIGIT_WORDS), ...Object.keys(TENS_WORDS)].filter((w) => w !== 'o').join('|')})`;
/**
 * Numbers spelt out, alone or mixed with digits: "three one six, five five five, four zero two
 * zero", "five one two 44 9876", "three sixteen, five fifty-five, forty twenty". Read aloud
 * and typed as heard, a known number has no digits in a row for the search by digits to find.
 */
const SPELT_RUN = new RegExp(String.raw`\b(?:${NUMBER_WORD}|\d+)(?:[\s,.()-]{1,3}(?:${NUMBER_WORD}|o|\d+)\b){3,}`, 'gi');
const SPELT_PART = /[a-z]+|\d/gi;
const UNIT_WORD = /^(?:one|two|three|four|five|six|seven|eight|nine)$/i;

function findSpeltNumbers(text: string, numbers: readonly KnownNumber[], out: Finding[]): void {
  SPELT_RUN.lastIndex = 0;
  for (let m = SPELT_RUN.exec(text); m !== null; m = SPELT_RUN.exec(text)) {
    if (!/[a-z]/i.test(m[0])) continue; // digits alone: findNumbers has it
    // One entry per digit, with where in the text the word or digit that says it starts and ends.
    let digits = '';
    const starts: number[] = [];
    const ends: number[] = [];
    const say = (value: string, start: number, end: number) => {
      for (const digit of value) {
        digits += digit;
        starts.push(start);
        ends.push(end);
      }
    };
    const parts = [...m[0].matchAll(SPELT_PART)];
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const word = part[0].toLowerCase();
      const start = m.index + part.index;
      const end = start + part[0].length;
      const tens = TENS_WORDS[word];
      if (tens !== undefined) {
        const next = parts[i + 1];
        // A unit right after (a hyphen or one space between) is the same number: "fifty-five".
        if (next !== undefined && UNIT_WORD.test(next[0]) && /^[ -]$/.test(m[0].slice(part.index + part[0].length, next.index))) {
          say(`${tens}${DIGIT_WORDS[next[0].toLowerCase()]}`, start, m.index + next.index + next[0].length);
          i++;
        } else {
          say(`${tens}0`, start, end);
        }
        continue;
      }
      const value = /\d/.test(part[0]) ? part[0] : DIGIT_WORDS[word];
      if (value !== undefined) say(value, start, end);
    }
    for (const known of numbers) {
      for (let at = digits.indexOf(known.digits); at >= 0; at = digits.indexOf(known.digits, at + 1)) {
        out.push({ start: starts[at]!, end: ends[at + known.digits.length - 1]!, type: known.type });
      }
    }
  }
}

function findEmails(text: string, matcher: KnownMatcher, out: Finding[]): void {
  const lower = text.toLowerCase();
  const find = (value: string, whole: boolean) => findLiteral(lower, value, whole ? HANDLE_CHAR : undefined, 'email', out);
  if (text.includes('@')) for (const email of matcher.emails) find(email, false);
  // The user name alone, as a word of its own (in a full address it is found above).
  for (const handle of matcher.handles) find(handle, true);
}

/** Each place `value` (lower case) stands in `lower`, with no `joined` character on either side when one is given. */
function findLiteral(lower: string, value: string, joined: RegExp | undefined, type: PhiType, out: Finding[]): void {
  for (let at = lower.indexOf(value); at >= 0; at = lower.indexOf(value, at + 1)) {
    const end = at + value.length;
    if (joined && (joined.test(lower[at - 1] ?? '') || joined.test(lower[end] ?? ''))) continue;
    out.push({ start: at, end, type });
  }
}

const HANDLE_CHAR = /[a-z0-9._%+-]/;
const WORD_CHAR = /[a-z0-9]/;

const WORD_AFTER = /^[\s.,#-]*([A-Za-z0-9']+)/;

function findAddresses(text: string, addresses: readonly KnownAddress[], out: Finding[]): void {
  const lower = text.toLowerCase();
  for (const address of addresses) {
    for (let at = lower.indexOf(address.number); at >= 0; at = lower.indexOf(address.number, at + 1)) {
      const end = at + address.number.length;
      if (/[A-Za-z0-9]/.test(text[at - 1] ?? '') || /[0-9]/.test(text[end] ?? '')) continue;
      let cursor = end;
      let matched = 0;
      for (const options of address.words) {
        const next = WORD_AFTER.exec(lower.slice(cursor, cursor + 40));
        if (!next || !options.includes(next[1]!)) break;
        cursor += next[0].length;
        matched++;
      }
      if (matched > 0) out.push({ start: at, end: cursor, type: 'address' });
    }
  }
}

/** Adds findings to `out` and marks the name tokens it found in `names`. */
export function findKnown(
  text: string,
  tokens: readonly Token[],
  clinical: Uint8Array,
  matcher: KnownMatcher,
  out: Finding[],
  names: Uint8Array,
): void {
  if (matcher.empty) return;
  if (matcher.nameKeys.size > 0 || matcher.staffKeys.size > 0 || matcher.cityPhrases.size > 0) {
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
      // Parts of a hyphenated word count only when every part is capitalised: "Smith-Jones",
      // not "long-term" or "Faith-based".
      const knows = (keys: ReadonlySet<string>) =>
        keys.has(token.key) || (token.capitalised && !/-[a-z]/.test(token.text) && partsOf(token.key).some((p) => p.length >= 2 && keys.has(p)));
      // Staff names only as names are written, capitalised: in lower case "grey stool" and the
      // "front desk" are words. Capitalised they are taken even at a sentence's start, where a
      // reviewer found "Grey reviewed the films." and "Ji called." left by a rule that let such
      // words go: the demo's "Dr. Former Staff" still takes "Former smoker." for a name.
      const known = knows(matcher.nameKeys) || (token.capitalised && knows(matcher.staffKeys));
      if (known) {
        out.push({ start: token.start, end: token.end, type: 'name' });
        names[i] = 1;
      }
    }
  }
  if (matcher.numbers.length > 0) {
    findNumbers(text, matcher.numbers, out);
    findSpeltNumbers(text, matcher.numbers, out);
  }
  if (matcher.emails.length > 0) findEmails(text, matcher, out);
  if (matcher.literals.length > 0) {
    const lower = text.toLowerCase();
    for (const literal of matcher.literals) findLiteral(lower, literal, WORD_CHAR, 'id', out);
  }
  if (matcher.addresses.length > 0) findAddresses(text, matcher.addresses, out);
  if (matcher.birthDates.length > 0) findBirthDates(text, matcher.birthDates, out);
}

/**
 * Numbers that could spell a date: three groups with a dot, slash, dash or space between
 * ("9.3.71", "09 03 1971"), six or eight digits in one ("090371", "19710903"), or a day and
 * month alone with a slash or dash ("birthday 04/12": beside the birth year a researcher sees,
 * the whole date; with a dot it is a decimal, "INR 9.3").
 */
const NUMERIC_DATE =
  /(?<![\d.])(?:\d{1,4}(?:[ \t]?[./-][ \t]?|[ \t])\d{1,2}(?:[ \t]?[./-][ \t]?|[ \t])\d{2,4}|\d{8}|\d{6}|\d{1,2}[/-]\d{1,2})(?![\d]|[./-]\d)/g;

/**
 * The record's own birth date however it is spelt in numbers: day and month either way
 * round, the year in two digits or four, first or last. Only that one date is looked for,
 * so the spellings the general date patterns leave alone ("DOB: 9.3.71", "DOB 090371", which
 * are as often something else) are safe to take here.
 */
function findBirthDates(text: string, dates: readonly KnownDate[], out: Finding[]): void {
  NUMERIC_DATE.lastIndex = 0;
  for (let m = NUMERIC_DATE.exec(text); m !== null; m = NUMERIC_DATE.exec(text)) {
    const written = m[0];
    const groups = /^\d+$/.test(written) ? compactGroups(written) : [written.split(/[^\d]+/)];
    if (dates.some((date) => groups.some((parts) => spellsDate(parts, date)))) out.push({ start: m.index, end: m.index + written.length, type: 'date' });
  }
}

/** The ways six or eight digits split into a year, a month and a day (spellsDate tries the year first and last). */
function compactGroups(digits: string): string[][] {
  if (digits.length === 6) return [[digits.slice(0, 2), digits.slice(2, 4), digits.slice(4)]];
  return [
    [digits.slice(0, 2), digits.slice(2, 4), digits.slice(4)],
    [digits.slice(0, 4), digits.slice(4, 6), digits.slice(6)],
  ];
}

function spellsDate(parts: readonly string[], date: KnownDate): boolean {
  const dayAndMonth = (x: string, y: string) =>
    (Number(x) === date.month && Number(y) === date.day) || (Number(x) === date.day && Number(y) === date.month);
  if (parts.length === 2) return dayAndMonth(parts[0] as string, parts[1] as string);
  if (parts.length !== 3) return false;
  const [a, b, c] = parts as [string, string, string];
  const isYear = (part: string) => part === date.year || (part.length === 2 && part === date.year.slice(2));
  return (isYear(c) && dayAndMonth(a, b)) || (isYear(a) && dayAndMonth(b, c));
}
