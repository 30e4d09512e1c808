/**
 * FHIR decimals may carry any number of digits; the record keeps numbers as IEEE doubles,
 * which hold 15 to 17 significant digits. JSON.parse rounds the rest away without a word (a
 * 39-digit value was stored rounded), so a bundle's numbers are checked in its text, before
 * parsing: one that would not come back as written is refused with its line, never altered.
 * Output of any program that writes doubles (Synthea's among them) always comes back.
 */

/** Strings are matched whole so that digits inside them are skipped; anything else that starts a number is a number. */
const STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*/g;
const NUMBER = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * A number's value as significant digits and the place of the decimal point, or undefined
 * when it is not a JSON number (JSON.parse will then say what is wrong with it).
 */
function significand(literal: string): string | undefined {
  const m = NUMBER.exec(literal);
  if (m === null) return undefined;
  const whole = m[1] as string;
  let digits = whole + (m[2] ?? '');
  let point = whole.length + Number(m[3] ?? 0);
  const leading = /^0*/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(leading).replace(/0+$/, '');
  point -= leading;
  if (digits === '') return '0';
  return `${literal.startsWith('-') ? '-' : ''}${digits}e${point}`;
}

/** The first number in a JSON text that a double cannot hold as written, with its 0-based line; undefined when there is none. */
export function firstInexactNumber(json: string): { literal: string; lineOffset: number } | undefined {
  STRING_OR_NUMBER.lastIndex = 0;
  for (let m = STRING_OR_NUMBER.exec(json); m !== null; m = STRING_OR_NUMBER.exec(json)) {
    const literal = m[0];
    if (literal.charCodeAt(0) === 34) continue;
    const written = significand(literal);
    if (written === undefined) continue;
    const value = Number(literal);
    if (Number.isFinite(value) && significand(String(value)) === written) continue;
    let lineOffset = 0;
    for (let i = json.indexOf('\n'); i !== -1 && i < m.index; i = json.indexOf('\n', i + 1)) lineOffset += 1;
    return { literal, lineOffset };
  }
  return undefined;
}
