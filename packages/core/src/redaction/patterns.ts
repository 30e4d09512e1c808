/**
 * Identifiers with a shape: numbers, addresses, dates, ages, e-mail, URLs, IPs. Each
 * detector is one or two precompiled global regexes run over the whole text. Every regex
 * here is linear: repetitions are bounded or anchored by a lookbehind that only lets a
 * match start at the beginning of a run, so no input can make them backtrack badly.
 *
 * Where a cue word announces the value ("MRN: 123"), only the value is reported: the cue
 * stays readable, which keeps the note's sense without the identifier.
 */
import { STATE_CODES, STATE_NAMES } from './lexicon/places.js';
import type { Finding, PhiType } from './types.js';

type Emit = (start: number, end: number, type: PhiType) => void;

/** Case-insensitive character classes for one word, for regexes that are otherwise case-sensitive. */
function ci(word: string): string {
  return word.replace(/[A-Za-z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

/**
 * Run a global regex and emit the span of group `group` (0 = whole match) when `type`
 * accepts it. Regexes read by group carry the `d` flag, so offsets come from the engine.
 */
function scan(
  text: string,
  regex: RegExp,
  type: PhiType | ((m: RegExpExecArray) => PhiType | null),
  emit: Emit,
  group = 0,
): void {
  regex.lastIndex = 0;
  for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
    if (m[0].length === 0) {
      regex.lastIndex++;
      continue;
    }
    const kind = typeof type === 'function' ? type(m) : type;
    if (kind === null) continue;
    if (group === 0) {
      emit(m.index, m.index + m[0].length, kind);
      continue;
    }
    const range = m.indices?.[group];
    if (range) emit(range[0], range[1], kind);
  }
}

// ---------------------------------------------------------------- e-mail, URL, IP

const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}/g;
const URL_SCHEME = /(?<![A-Za-z0-9])(?:https?:\/\/|ftp:\/\/|www\.)[^\s<>"'`)\]]{1,2048}/gi;
const URL_BARE =
  /(?<![@A-Za-z0-9._-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,6}(?:com|org|net|edu|gov|mil|io|us|info|biz|health|care|co|me|app)(?![A-Za-z0-9-])(?:\/[^\s<>"'`)\]]{0,2048})?/gi;
const IPV4 = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\d|\.\d)/g;
const IPV6 = /(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Fa-f:])/g;

function trimUrl(text: string, start: number, end: number): number {
  while (end > start && /[.,;:!?]/.test(text[end - 1]!)) end--;
  return end;
}

function isIpv6(candidate: string): boolean {
  const groups = candidate.split(':');
  const filled = groups.filter((g) => g.length > 0);
  if (candidate.includes('::')) return filled.length >= 2 && filled.some((g) => g.length >= 3 || /[a-f]/i.test(g));
  return groups.length === 8 && filled.length === 8;
}

// ---------------------------------------------------------------- SSN, phone, numbered identifiers

const SSN_DASHED = /(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])/g;
const SSN_SPACED = /(?<![\d ])\d{3} \d{2} \d{4}(?! ?\d)/g;
const SSN_BARE = /(?<![\d.,-])\d{9}(?![\d-]|[.,]\d)/g;
const SSN_CUE =
  /\b(?:SSN|SS#|SS No\.?|[Ss]ocial [Ss]ecurity(?: [Nn]umber| [Nn]o\.?| #)?)[ \t]*(?:#|:|is|was|of|ending in|ends in|last (?:4|four)(?: digits)?(?: of)?)?[ \t:]*((?:\d|[xX*]{3}[- ]?[xX*]{2}[- ]?)[\d -]{2,10}\d)/gd;

const EXT = String.raw`(?:,?[ \t]*(?:x|ext\.?|extension|#)[ \t]*\d{1,6})?`;
const PHONE_US = new RegExp(
  String.raw`(?<![\w+])(?:\+?1[ \t.-]?)?(?:\(\d{3}\)[ \t]?|\d{3}[ \t.-])\d{3}[ \t.-]\d{4}(?!\d)` + EXT,
  'gi',
);
const PHONE_BARE = new RegExp(String.raw`(?<![\d.,+-])1?\d{10}(?![\d-]|[.,]\d)` + EXT, 'gi');
const PHONE_LOCAL = new RegExp(String.raw`(?<![\d.-])\d{3}-\d{4}(?![\d-])` + EXT, 'gi');
const PHONE_INTL = new RegExp(
  String.raw`(?<![\w+])(?:\+|00|011)[ \t.-]?\d{1,3}(?:[ \t.-]?\(?\d{1,5}\)?){1,6}(?!\d)` + EXT,
  'gi',
);
const FAX_CUE = /(?:fax|facsimile|\bf)\b[^\n\d]{0,12}$/i;

function phoneType(text: string, start: number): PhiType {
  return FAX_CUE.test(text.slice(Math.max(0, start - 16), start)) ? 'fax' : 'phone';
}

const VALUE = String.raw`([A-Za-z0-9][A-Za-z0-9-]{1,24}[A-Za-z0-9]|\d{3,})`;
/** "number", "no.", "ID", "#" or a colon: what turns an ordinary word into a cue. */
const MARKER = String.raw`(?:[ \t]*(?:[Nn]umber|[Nn]um\.?|[Nn]o\.|ID|#)[ \t]*(?:is|was|of)?[ \t]*[:#]?|[ \t]*:)[ \t]*#?[ \t]*`;
const OPTIONAL_MARKER = `(?:${MARKER}|[ \t]+(?:is[ \t]+|was[ \t]+)?)`;

/**
 * Cue words that announce a numbered identifier, with the type they announce. Acronyms
 * are cues by themselves; ordinary words ("policy", "serial") only with a marker after
 * them, so that "Plan: 500 mg" or "group A strep" stay.
 */
const ID_CUES: readonly [PhiType, string, string][] = [
  ['mrn', String.raw`MRN|MR#|MRNo|Med[ \t]?Rec`, String.raw`[Mm]edical [Rr]ecord|[Cc]hart|[Hh]ospital|[Pp]atient|[Pp]t|[Uu]nit|MR`],
  ['account', String.raw`[Aa]cct\.?|FIN`, String.raw`[Aa]ccount|[Bb]illing|[Ii]nvoice|[Cc]laim|[Vv]isit|[Ee]ncounter|[Cc]ase`],
  ['health_plan', String.raw`MBI|BCBS|HMO|PPO`, String.raw`[Mm]ember|[Ss]ubscriber|[Pp]olicy|[Gg]roup|[Ii]nsurance|[Hh]ealth [Pp]lan|[Pp]lan|[Mm]edicare|[Mm]edicaid|[Bb]eneficiary`],
  ['license', String.raw`DEA|NPI`, String.raw`[Ll]icen[sc]e|[Ll]ic\.?|[Cc]ertificate|[Dd]river'?s [Ll]icen[sc]e|DL|[Pp]assport`],
  ['device', String.raw`S\/N|SN|UDI`, String.raw`[Ss]erial|[Dd]evice|[Ll]ot|[Ii]mplant|[Pp]acemaker|[Mm]odel`],
  ['vehicle', String.raw`VIN`, String.raw`[Ll]icen[sc]e [Pp]late|[Pp]late|[Tt]ag|[Vv]ehicle`],
];
const ID_CUE_REGEXES: readonly [PhiType, RegExp][] = ID_CUES.flatMap(([type, acronyms, words]) => [
  [type, new RegExp(String.raw`(?<![A-Za-z])(?:${acronyms})${OPTIONAL_MARKER}${VALUE}(?![A-Za-z0-9])`, 'gd')],
  [type, new RegExp(String.raw`(?<![A-Za-z])(?:${words})${MARKER}${VALUE}(?![A-Za-z0-9])`, 'gd')],
] as [PhiType, RegExp][]);
/** Two-part plates such as "ABC 1234" after a plate cue. */
const PLATE = /\b(?:[Ll]icen[sc]e [Pp]late|[Pp]late)[ \t]*(?:number|no\.?|#)?[ \t:#]*([A-Z0-9]{2,4}[ -][A-Z0-9]{2,4})\b/gd;
const VIN = /(?<![A-Z0-9])(?=[A-HJ-NPR-Z0-9]{17}(?![A-Z0-9]))(?=[A-Z]{0,16}\d)(?=\d{0,16}[A-Z])[A-HJ-NPR-Z0-9]{17}/g;
/** Letters then five or more digits: record, account and member numbers without a cue. */
const PREFIXED_NUMBER = /(?<![\w-])[A-Z]{1,4}-?\d{5,12}(?:-\d{1,6})?(?![\w-])/g;
/** Seven or more digits in a row that are not a measurement. */
const LONG_NUMBER = /(?<![\d.,])\d{7,}(?![\d]|[.,]\d)/g;
const CODE_SYSTEM_BEFORE = /(?:LOINC|SNOMED|SCT|RxNorm|RXCUI|ICD-?1?0?|CPT|NDC|HCPCS|code)[\s:#-]*$/i;
const UNIT_AFTER = /^[ \t]*(?:copies|IU|units?|cells|\/|x ?10|mg|mcg|ng|pg|k\b|cfu)/i;

// ---------------------------------------------------------------- dates

const MONTH_FULL = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** Month names; "May" and "Mar" must be capitalised (lower case they are a verb). */
const MONTH = String.raw`(?:${[
  ci('jan') + `(?:${ci('uary')})?`,
  ci('feb') + `(?:${ci('ruary')})?`,
  `(?:Mar|MAR)(?:ch|CH)?`,
  ci('apr') + `(?:${ci('il')})?`,
  `(?:May|MAY)`,
  ci('jun') + `(?:${ci('e')})?`,
  ci('jul') + `(?:${ci('y')})?`,
  ci('aug') + `(?:${ci('ust')})?`,
  ci('sep') + `(?:${ci('t')})?(?:${ci('ember')})?`,
  ci('oct') + `(?:${ci('ober')})?`,
  ci('nov') + `(?:${ci('ember')})?`,
  ci('dec') + `(?:${ci('ember')})?`,
].join('|')})\.?`;
const DAY = String.raw`(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?`;
const YEAR = String.raw`(?:1[89]\d\d|20\d\d)`;
const DATE_MONTH_FIRST = new RegExp(
  String.raw`(?<![A-Za-z])${MONTH}[ \t]+${DAY}(?![\d:])(?:,?[ \t]+(?:${YEAR}|'\d\d)(?!\d))?`,
  'g',
);
const DATE_DAY_FIRST = new RegExp(
  String.raw`(?<![\w.])${DAY}(?:[ \t]+of)?[ \t]+${MONTH}(?![A-Za-z])(?:,?[ \t]+${YEAR}(?!\d))?`,
  'g',
);
const DATE_DAY_MON_YEAR = new RegExp(String.raw`(?<![\w])${DAY}[-/ ]${MONTH}[-/ ](?:${YEAR}|\d\d)(?!\d)`, 'g');
const DATE_MONTH_YEAR = new RegExp(String.raw`(?<![A-Za-z])${MONTH},?[ \t]+(?:of[ \t]+)?(?:${YEAR}|'\d\d)(?!\d)`, 'g');
const MONTH_ALONE_CUE = new RegExp(
  String.raw`\b(?:[Ii]n|[Ss]ince|[Dd]uring|[Uu]ntil|[Tt]ill|[Ff]rom|[Bb]y|[Ee]arly|[Ll]ate|[Mm]id-?|[Ll]ast|[Nn]ext|[Tt]his|[Oo]f|[Oo]n|[Tt]hrough|[Bb]efore|[Aa]fter|[Ee]nd of|[Bb]eginning of)[ \t]+(?:(?:early|late|mid)-?[ \t]*)?(${MONTH_FULL.join('|')}|Sept)(?![A-Za-z])`,
  'gd',
);
const DATE_ISO = new RegExp(
  String.raw`(?<![\d-])${YEAR}([-/.])(?:0?[1-9]|1[0-2])\1(?:[12]\d|3[01]|0?[1-9])(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\d-])`,
  'g',
);
const DATE_NUMERIC = /(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/-]|\.\d)/g;
const DATE_MONTH_SLASH_YEAR = new RegExp(String.raw`(?<![\d/.-])(?:0?[1-9]|1[0-2])[/-]${YEAR}(?![\d/-])`, 'g');
const DATE_YEAR_MONTH = new RegExp(String.raw`(?<![\d/-])${YEAR}-(?:0[1-9]|1[0-2])(?![\d/-])`, 'g');
const DATE_CUED_MONTH_DAY =
  /\b(?:[Oo]n|[Ss]ince|[Ff]rom|[Uu]ntil|[Tt]ill|[Bb]y|[Dd]ated|[Tt]hrough|[Tt]hru|[Tt]o|DOS|DOB|[Ss]een|[Aa]dmitted|[Dd]ischarged|[Bb]orn|[Ss]tarting|[Ee]ffective|[Bb]efore|[Aa]fter|[Dd]ate)[ \t:]+(?:the[ \t]+)?((?:0?[1-9]|1[0-2])\/(?:[12]\d|3[01]|0?[1-9]))(?![\d/])(?:[ \t]*[-–][ \t]*((?:0?[1-9]|1[0-2])\/(?:[12]\d|3[01]|0?[1-9]))(?![\d/]))?/gd;

function validNumericDate(m: RegExpExecArray): PhiType | null {
  const a = Number(m[1]);
  const b = Number(m[3]);
  const year = m[4]!;
  // Dotted dates need a four-digit year: "7.2.20" is far more often something else.
  if (m[2] === '.' && year.length !== 4) return null;
  if (year.length === 4 && (Number(year) < 1800 || Number(year) > 2099)) return null;
  if (a < 1 || b < 1 || a > 31 || b > 31) return null;
  return a <= 12 || b <= 12 ? 'date' : null;
}

// ---------------------------------------------------------------- ages over 89

const AGE_NUMBER = String.raw`(?:9\d|1[0-4]\d)`;
const AGE_YEARS = new RegExp(
  String.raw`(?<![\d.])(${AGE_NUMBER})(?=[ \t]*-?[ \t]*(?:years?|yrs?|yo|y\.o\.?|y\/o|year-old|years-old)(?![A-Za-z]))`,
  'gid',
);
const AGE_CUE = new RegExp(String.raw`\b(?:[Aa]ge|[Aa]ged|AGE)[ \t]*(?:of|is|was|:)?[ \t]*(${AGE_NUMBER})(?![\d.])`, 'gd');
const AGE_SEX = new RegExp(String.raw`(?<![\d.\w])(${AGE_NUMBER})(?:M|F|yoM|yoF|yom|yof)(?![A-Za-z\d])`, 'gd');
const AGE_DECADE = /\b(?:in (?:his|her|their) (?:early |mid-?|late )?)((?:9|10)0s|nineties)\b/gid;
const AGE_WORDS = /\b(?:nonagenarian|centenarian|(?:ninety|one hundred)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?[- ]years?[- ]old)\b/gi;
const TEMP_BEFORE = /(?:\bT|temp(?:erature)?|Tmax|°)[\s:]*$/i;

// ---------------------------------------------------------------- street addresses, ZIP, state

const STREET_SUFFIX = [
  'Street', 'St', 'Avenue', 'Ave', 'Road', 'Rd', 'Boulevard', 'Blvd', 'Lane', 'Ln', 'Drive', 'Dr', 'Court', 'Ct',
  'Place', 'Pl', 'Way', 'Terrace', 'Ter', 'Circle', 'Cir', 'Parkway', 'Pkwy', 'Highway', 'Hwy', 'Square', 'Sq',
  'Trail', 'Trl', 'Row', 'Path', 'Pike', 'Turnpike', 'Tpke', 'Alley', 'Plaza', 'Crescent', 'Walk', 'Heights',
  'Ridge', 'Loop', 'Crossing', 'Commons', 'Landing', 'Hollow', 'Hill', 'Park',
];
const SUFFIX_ALT = STREET_SUFFIX.flatMap((s) => [s, s.toUpperCase()]).join('|');
const UNIT = String.raw`(?:,?[ \t]*(?:Apt|APT|Apartment|Unit|UNIT|Suite|STE|Ste|Fl|Floor|Room|Rm|Bldg|Building|Lot|#)\.?[ \t]*#?[ \t]*[A-Za-z0-9-]{1,6}(?![A-Za-z0-9]))?`;
const STREET_WORD = String.raw`(?:[A-Z][A-Za-z'.-]{0,30}|\d{1,3}(?:st|nd|rd|th))`;
const STREET = new RegExp(
  String.raw`(?<![\w.,/-])\d{1,6}[A-Za-z]?(?:-\d{1,5}[A-Za-z]?)?[ \t]+(?:[NSEW]\.?[ \t]+)?(?:${STREET_WORD}[ \t]+){1,4}?(?:${SUFFIX_ALT})\.?(?![A-Za-z])` +
    UNIT,
  'g',
);
const UNIT_ALONE = /\b(?:Apt|APT|Apartment|Suite|Ste)\.?[ \t]*#?[ \t]*\d{1,5}[A-Za-z]?\b/g;
const PO_BOX = /\b[Pp]\.?[ \t]?[Oo]\.?[ \t]*[Bb]ox[ \t]*\d{1,6}\b/g;
const STATE_ALT = [...STATE_NAMES.map((s) => s.replace(/ /g, '[ \\t]+')), ...STATE_CODES].join('|');
const ZIP_AFTER_STATE = new RegExp(String.raw`\b(?:${STATE_ALT}),?[ \t]+(\d{5}(?:-\d{4})?)(?![\d-])`, 'gd');
const ZIP_CUE = /\b(?:ZIP|[Zz]ip|[Pp]ostal)(?:[ \t]*[Cc]ode)?[ \t]*(?:is|:|#)?[ \t]*(\d{5}(?:-\d{4})?)(?![\d-])/gd;
const ZIP_PLUS4 = /(?<![\d-])\d{5}-\d{4}(?![\d-])/g;

// ---------------------------------------------------------------- the detector

export function findPatterns(text: string, out: Finding[]): void {
  const emit: Emit = (start, end, type) => {
    if (end > start) out.push({ start, end, type });
  };

  if (text.includes('@')) scan(text, EMAIL, 'email', emit);
  if (text.includes('.') || text.includes('/')) {
    URL_SCHEME.lastIndex = 0;
    for (let m = URL_SCHEME.exec(text); m !== null; m = URL_SCHEME.exec(text)) {
      emit(m.index, trimUrl(text, m.index, m.index + m[0].length), 'url');
    }
    URL_BARE.lastIndex = 0;
    for (let m = URL_BARE.exec(text); m !== null; m = URL_BARE.exec(text)) {
      emit(m.index, trimUrl(text, m.index, m.index + m[0].length), 'url');
    }
    scan(text, IPV4, 'ip', emit);
  }
  if (text.includes(':')) scan(text, IPV6, (m) => (isIpv6(m[0]) ? 'ip' : null), emit);

  scan(text, SSN_DASHED, 'ssn', emit);
  scan(text, SSN_SPACED, 'ssn', emit);
  scan(text, SSN_BARE, 'ssn', emit);
  scan(text, SSN_CUE, 'ssn', emit, 1);

  for (const regex of [PHONE_US, PHONE_BARE, PHONE_LOCAL]) {
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
      const end = m.index + m[0].length;
      // "300-1000 mg" is a range, not a number to call.
      if (regex === PHONE_LOCAL && UNIT_AFTER.test(text.slice(end, end + 8))) continue;
      emit(m.index, end, phoneType(text, m.index));
    }
  }
  PHONE_INTL.lastIndex = 0;
  for (let m = PHONE_INTL.exec(text); m !== null; m = PHONE_INTL.exec(text)) {
    const digits = m[0].replace(/(?:x|ext\.?|extension|#)[ \t]*\d+$/i, '').replace(/\D/g, '').length;
    if (digits >= 8 && digits <= 17) emit(m.index, m.index + m[0].trimEnd().length, phoneType(text, m.index));
  }

  for (const [type, regex] of ID_CUE_REGEXES) {
    scan(
      text,
      regex,
      (m) => {
        const end = m.index + m[0].length;
        return /\d/.test(m[1]!) && !UNIT_AFTER.test(text.slice(end, end + 8)) ? type : null;
      },
      emit,
      1,
    );
  }
  scan(text, PLATE, 'vehicle', emit, 1);
  scan(text, VIN, 'vehicle', emit);
  scan(text, PREFIXED_NUMBER, 'id', emit);
  LONG_NUMBER.lastIndex = 0;
  for (let m = LONG_NUMBER.exec(text); m !== null; m = LONG_NUMBER.exec(text)) {
    const end = m.index + m[0].length;
    if (CODE_SYSTEM_BEFORE.test(text.slice(Math.max(0, m.index - 16), m.index))) continue;
    if (UNIT_AFTER.test(text.slice(end, end + 8))) continue;
    emit(m.index, end, 'id');
  }

  scan(text, DATE_ISO, 'date', emit);
  scan(text, DATE_NUMERIC, validNumericDate, emit);
  scan(text, DATE_MONTH_SLASH_YEAR, 'date', emit);
  scan(text, DATE_YEAR_MONTH, 'date', emit);
  scan(text, DATE_MONTH_FIRST, 'date', emit);
  scan(text, DATE_DAY_FIRST, 'date', emit);
  scan(text, DATE_DAY_MON_YEAR, 'date', emit);
  scan(text, DATE_MONTH_YEAR, 'date', emit);
  scan(text, MONTH_ALONE_CUE, 'date', emit, 1);
  scan(text, DATE_CUED_MONTH_DAY, 'date', emit, 1);
  scan(text, DATE_CUED_MONTH_DAY, (m) => (m[2] ? 'date' : null), emit, 2);

  scan(text, AGE_YEARS, 'age', emit, 1);
  scan(text, AGE_CUE, 'age', emit, 1);
  AGE_SEX.lastIndex = 0;
  for (let m = AGE_SEX.exec(text); m !== null; m = AGE_SEX.exec(text)) {
    if (TEMP_BEFORE.test(text.slice(Math.max(0, m.index - 14), m.index))) continue;
    emit(m.index, m.index + m[1]!.length, 'age');
  }
  scan(text, AGE_DECADE, 'age', emit, 1);
  scan(text, AGE_WORDS, 'age', emit);

  scan(text, STREET, 'address', emit);
  scan(text, UNIT_ALONE, 'address', emit);
  scan(text, PO_BOX, 'address', emit);
  scan(text, ZIP_AFTER_STATE, 'zip', emit, 1);
  scan(text, ZIP_CUE, 'zip', emit, 1);
  scan(text, ZIP_PLUS4, 'zip', emit);
}

