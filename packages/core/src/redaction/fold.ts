/**
 * What the detectors read: the text with lookalike characters folded to plain ASCII and
 * invisible ones taken out, with a map back to the text as written, so that each placeholder
 * covers exactly what the writer typed. Word processors and phone keyboards turn
 * "397-33-8133" into "397–33–8133" (en dash), an input method into "３９７", a copy from a web
 * page brings no-break spaces, zero-width spaces and soft hyphens, a keyboard layout gives
 * Arabic-Indic digits or a Cyrillic "о" in "Rоbert". Each of those reached a researcher
 * unredacted (found by reviewers), while the plain forms were found.
 *
 * Per code point, in this order: invisible (format characters, variation selectors) and
 * combining marks are dropped; a Latin letter with accents loses them (lexicons and the
 * record's own identifiers are folded the same way, `foldWord`); a decimal digit of any
 * script becomes its ASCII digit; dashes, spaces and slashes of every width become "-", " "
 * and "/"; Cyrillic and Greek letters that look like Latin ones become those; anything whose
 * compatibility form is ASCII (full-width letters, ligatures, mathematical letters) becomes
 * that. Everything else stays. ASCII text, nearly every note, comes back as it is.
 */

export interface Folded {
  readonly text: string;
  /** Per folded UTF-16 unit, where its code point starts and ends in the text as written; null when nothing moved. */
  readonly from: Int32Array | null;
  readonly to: Int32Array | null;
}

const NON_ASCII = /[^\u0000-\u007f]/;
const INVISIBLE = /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]|\uDB40[\uDC00-\uDDEF]/;
const MARK = /^\p{M}$/u;
const DIGIT = /^\p{Nd}$/u;
const DASH = /^[\u2010-\u2015\u2212\u2E3A\u2E3B\uFE58\uFE63\uFF0D]$/;
const SPACE = /^[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]$/;
const SLASH = /^[\u2044\u2215\u29F8\uFF0F]$/;
const LATIN_WITH_MARKS = /^[\u00C0-\u024F\u1E00-\u1EFF]$/;

/** Cyrillic and Greek letters drawn like Latin ones. */
const LOOKALIKES: Readonly<Record<string, string>> = {
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', У: 'Y', Х: 'X', Ѕ: 'S', І: 'I', Ј: 'J', Ԁ: 'D', Ԛ: 'Q', Ԝ: 'W',
  а: 'a', в: 'b', е: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', ѕ: 's', і: 'i', ј: 'j', ԁ: 'd', ԛ: 'q', ԝ: 'w', һ: 'h', ӏ: 'l',
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
  ο: 'o', ν: 'v', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ι: 'i', κ: 'k',
};

/** A decimal digit of any script: its value, from the start of its run of ten. */
function digitValue(cp: number): string {
  let start = cp;
  while (start > 0 && DIGIT.test(String.fromCodePoint(start - 1))) start -= 1;
  return String((cp - start) % 10);
}

const FOLDED = new Map<string, string>();

/** What one non-ASCII code point becomes (possibly nothing, possibly several ASCII characters). */
function foldCodePoint(ch: string): string {
  const known = FOLDED.get(ch);
  if (known !== undefined) return known;
  let out: string;
  if (INVISIBLE.test(ch) || MARK.test(ch)) out = '';
  else if (LATIN_WITH_MARKS.test(ch)) out = ch.normalize('NFD').replace(/\p{M}/gu, '');
  else if (DIGIT.test(ch)) out = digitValue(ch.codePointAt(0) as number);
  else if (DASH.test(ch)) out = '-';
  else if (SPACE.test(ch)) out = ' ';
  else if (SLASH.test(ch)) out = '/';
  else if (LOOKALIKES[ch] !== undefined) out = LOOKALIKES[ch];
  else {
    const compatible = ch.normalize('NFKC');
    out = compatible !== ch && !NON_ASCII.test(compatible) ? compatible : ch;
  }
  // Bounded: the distinct characters of real notes are few, and a flood of new ones only misses.
  if (FOLDED.size < 65_536) FOLDED.set(ch, out);
  return out;
}

export function foldText(text: string): Folded {
  if (!NON_ASCII.test(text)) return { text, from: null, to: null };
  let out = '';
  const from: number[] = [];
  const to: number[] = [];
  let at = 0;
  for (const ch of text) {
    const end = at + ch.length;
    const folded = ch.charCodeAt(0) < 0x80 ? ch : foldCodePoint(ch);
    for (let i = 0; i < folded.length; i++) {
      from.push(at);
      to.push(end);
    }
    out += folded;
    at = end;
  }
  return { text: out, from: Int32Array.from(from), to: Int32Array.from(to) };
}

/** A span [start, end) of the folded text, in the text as written. */
export function originalSpan(folded: Folded, start: number, end: number): [number, number] {
  if (folded.from === null || folded.to === null) return [start, end];
  return [folded.from[start] as number, folded.to[end - 1] as number];
}

/** One word or identifier folded as text is (a lexicon entry, a name from the record). */
export function foldWord(word: string): string {
  return foldText(word).text;
}
