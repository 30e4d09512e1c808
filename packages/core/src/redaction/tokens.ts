/**
 * One pass over the text that splits it into words with their offsets. The name, place and
 * record-aware detectors all work on this token list, so each word is looked up in a Set
 * once instead of scanning the text with one large alternation per list.
 */

export interface Token {
  readonly start: number;
  readonly end: number;
  /** The word as written, possessive included ("Smith's"). */
  readonly text: string;
  /** Lowercase, possessive and trailing apostrophe removed, curly apostrophes straightened. */
  readonly key: string;
  /** First letter upper case. */
  readonly capitalised: boolean;
  /** Every letter upper case and at least two letters ("SMITH"). */
  readonly allCaps: boolean;
}

const LETTER = 'A-Za-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u024F';
const WORD = new RegExp(`[${LETTER}]+(?:['’][${LETTER}]+)*(?:-[${LETTER}]+(?:['’][${LETTER}]+)*)*['’]?`, 'g');
const UPPER_START = /^[A-Z\u00C0-\u00D6\u00D8-\u00DE]/;
const HAS_LOWER = /[a-z\u00DF-\u00F6\u00F8-\u00FF]/;

export function keyOf(word: string): string {
  let key = word.toLowerCase().replace(/’/g, "'");
  if (key.endsWith("'s")) key = key.slice(0, -2);
  else if (key.endsWith("'")) key = key.slice(0, -1);
  return key;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    const word = m[0];
    const capitalised = UPPER_START.test(word);
    tokens.push({
      start: m.index,
      end: m.index + word.length,
      text: word,
      key: keyOf(word),
      capitalised,
      allCaps: capitalised && word.length >= 2 && !HAS_LOWER.test(word),
    });
  }
  return tokens;
}

/** The parts of a hyphenated word ("smith-jones" -> smith, jones), or the word itself. */
export function partsOf(key: string): string[] {
  return key.includes('-') ? key.split('-').filter((p) => p.length > 0) : [key];
}

/** Text between two tokens, e.g. " " or ", ". */
export function gapBetween(text: string, left: Token, right: Token): string {
  return text.slice(left.end, right.start);
}

/** True when the token starts a sentence, a line or the text (capitals there say nothing). */
export function startsSentence(text: string, token: Token): boolean {
  for (let i = token.start - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9) continue; // space, tab
    // newline . ! ? : ; bullet characters and opening quotes/brackets
    return c === 10 || c === 13 || c === 46 || c === 33 || c === 63 || c === 58 || c === 45 || c === 42 || c === 8226 || c === 34 || c === 40;
  }
  return true;
}
