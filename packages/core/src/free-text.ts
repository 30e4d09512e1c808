/**
 * Free text people write into the record (a clinical note, a break-glass justification): what
 * it must be before it is stored, checked the same way wherever it comes in.
 * - Well-formed Unicode: a lone surrogate cannot be stored as UTF-8; it came back as U+FFFD,
 *   so what was read differed from what was written.
 * - No control characters but tab and line breaks: they mean nothing in a note, and each one
 *   leaves as six characters of JSON escape, twice per answer (a 20,000-character note of BEL
 *   answered 260 KB).
 * - A justification says something: only letters and digits a reader can see count toward
 *   its length, so ten zero-width spaces, braille blanks, Hangul fillers or dots are not a
 *   reason.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// C0 controls but TAB, LF and CR; DEL; C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/gu;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/gu;
/** Letters and symbols that render as nothing: the Hangul fillers and the braille blank. */
const BLANK_LOOKING = /[\u115F\u1160\u3164\uFFA0\u2800]/gu;

/** Why `text` cannot be stored as free text, or undefined when it can. */
export function freeTextProblem(text: string): string | undefined {
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode text';
  if (CONTROL.test(text)) return 'must not contain control characters';
  return undefined;
}

/** Letters, digits, punctuation and symbols: what a reader can see. */
export function visibleLength(text: string): number {
  return text.replace(BLANK_LOOKING, '').match(VISIBLE)?.length ?? 0;
}

/** Letters and digits a reader can see: what words are written in ("………." is not a reason). */
export function wordLength(text: string): number {
  return text.replace(BLANK_LOOKING, '').match(LETTER_OR_DIGIT)?.length ?? 0;
}

/** Direction marks, overrides and isolates: a name that reads backwards can pass for another. */
const BIDI_CONTROL = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
/** What ends a line: tab and the line breaks, Unicode's line and paragraph separators among them. */
const LINE_BREAK = /[\t\n\v\f\r\u0085\u2028\u2029]/;

/**
 * Why `text` cannot be a name shown in a list or beside a note (an account's display name, a
 * ward's name), or undefined when it can: free text without text-direction controls. With
 * `oneLine`, no tab or line break either: a carriage return in a ward's name had overwritten
 * another ward's line in `wards list`.
 */
export function labelProblem(text: string, options: { oneLine?: boolean } = {}): string | undefined {
  const problem = freeTextProblem(text);
  if (problem !== undefined) return problem;
  if (BIDI_CONTROL.test(text)) return 'must not contain text-direction controls';
  if (options.oneLine === true && LINE_BREAK.test(text)) return 'must be one line, without tabs';
  return undefined;
}
