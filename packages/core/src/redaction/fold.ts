/**
 * Lookalike characters folded to their ASCII form, one UTF-16 unit for one, before any
 * detector reads a text. Word processors and phone keyboards turn "397-33-8133" into
 * "397–33–8133" (en dash), an input method into "３９７" (full-width digits), a copy from a
 * web page puts no-break spaces in a phone number; every pattern would need each variant.
 * Folded, they are found as the plain forms are; the offsets are the original text's, so the
 * placeholders go into the text as written.
 */

/** Dashes and minus signs: hyphen, non-breaking hyphen, figure, en and em dash, bar, minus, small and full-width hyphen-minus. */
const DASHES = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g;
/** Spaces that are not U+0020: no-break, the typographic ones, narrow no-break, ideographic. */
const SPACES = /[\u00A0\u2000-\u200A\u202F\u205F\u3000]/g;
/** Slashes: fraction and division slash, full-width solidus. */
const SLASHES = /[\u2044\u2215\uFF0F]/g;
/** Full-width digits, full stop, colon and number sign. */
const FULL_WIDTH = /[\uFF10-\uFF19\uFF0E\uFF1A\uFF03]/g;
const ANY = /[\u00A0\u2000-\u2015\u202F\u2044\u205F\u2212\u2215\u3000\uFE58\uFE63\uFF03\uFF0D-\uFF1A]/;

export function foldLookalikes(text: string): string {
  // Most notes hold none of them: one test, and the text itself comes back.
  if (!ANY.test(text)) return text;
  return text
    .replace(DASHES, '-')
    .replace(SPACES, ' ')
    .replace(SLASHES, '/')
    .replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}
