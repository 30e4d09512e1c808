/**
 * Identifiers with a shape: numbers, addresses, dates, ages, e-mail, URLs, IPs. Each
 * detector is one or two precompiled global regexes run over the whole text. Every regex
 * here is linear: repetitions are bounded or anchored by a lookbehind that only lets a
 * match start at the beginning of a run, so no input can make them backtrack badly.
 *
 * Where a cue word announces the value ("MRN: 123"), only the value is reported: the cue
 * stays readable, which keeps the note's sense without the identifier.
 */
import { CLINICAL_TERMS } from './lexicon/clinical-terms.js';
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
const URL_TLD_HINT = /\.(?:com|org|net|edu|gov|mil|io|us|info|biz|health|care|co|me|app)(?![A-Za-z0-9-])/i;
const IPV4 = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\d|\.\d)/g;
const HEX_OR_COLON = /[0-9A-Fa-f:]/;

function trimUrl(text: string, start: number, end: number): number {
  while (end > start && /[.,;:!?]/.test(text[end - 1]!)) end--;
  return end;
}

/**
 * IPv6 addresses are found from their colons: most text has few, and scanning outwards
 * from each is far cheaper than trying a hex pattern at every letter a-f.
 */
function findIpv6(text: string, emit: Emit): void {
  let from = 0;
  for (let colon = text.indexOf(':'); colon >= 0; colon = text.indexOf(':', from)) {
    let start = colon;
    while (start > 0 && HEX_OR_COLON.test(text[start - 1]!)) start--;
    let end = colon + 1;
    while (end < text.length && HEX_OR_COLON.test(text[end]!)) end++;
    from = end + 1;
    // Letters before or after the run make it part of a word ("Date:").
    if (/[G-Zg-z]/.test(text[start - 1] ?? '') || /[G-Zg-z]/.test(text[end] ?? '')) continue;
    const candidate = text.slice(start, end);
    if (candidate.length >= 6 && isIpv6(candidate)) emit(start, end, 'ip');
  }
}

function isIpv6(candidate: string): boolean {
  if (!/^(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}$/.test(candidate)) return false;
  const groups = candidate.split(':');
  const filled = groups.filter((g) => g.length > 0);
  if (candidate.includes('::')) return filled.length >= 2 && filled.some((g) => g.length >= 3 || /[a-f]/i.test(g));
  return groups.length === 8 && filled.length === 8;
}

// ---------------------------------------------------------------- SSN, phone, numbered identifiers

/**
 * Between the groups of an SSN or a phone number: a hyphen, dot, slash or underscore, with
 * up to two blanks on either side ("397 - 33 - 8133"), or one blank. Dashes of other widths
 * are hyphens by then (fold.ts).
 */
const GROUP_SEP = String.raw`(?:[ \t]{0,2}[-./_][ \t]{0,2}|[ \t])`;
const SSN_DASHED = new RegExp(String.raw`(?<![\d-])\d{3}[ \t]{0,2}[-./_][ \t]{0,2}\d{2}[ \t]{0,2}[-./_][ \t]{0,2}\d{4}(?![\d-])`, 'g');
const SSN_SPACED = /(?<!\d ?)\d{3} \d{2} \d{4}(?! ?\d)/g;
const SSN_BARE = /(?<![\w.,-])\d{9}(?![\d-]|[.,]\d)/g;
const SSN_CUE =
  /(?:\bSSN|\bSS#|\bSS No\.?|(?<![A-Za-z.])S\.[ \t]?S\.[ \t]?N\.?|\b[Ss]ocial [Ss]ecurity(?: [Nn]umber| [Nn]o\.?| #)?)[ \t]*(?:#|:|is|was|of|ending in|ends in|last (?:4|four)(?: digits)?(?: of)?)?[ \t:(#]*((?:\d|[xX*]{3}[ \t]{0,2}[-./_ ]?[ \t]{0,2}[xX*]{2}[ \t]{0,2}[-./_ ]?[ \t]{0,2})[\d ./_-]{2,14}\d)/gd;

const EXT = String.raw`(?:,?[ \t]*(?:x|ext\.?|extension|#)[ \t]*\d{1,6})?`;
const PHONE_US = new RegExp(
  String.raw`(?<![\w+])(?:\+?1${GROUP_SEP}?)?(?:\(\d{3}\)[ \t]?|\d{3}${GROUP_SEP})\d{3}${GROUP_SEP}\d{4}(?!\d)` + EXT,
  'gi',
);
const PHONE_BARE = new RegExp(String.raw`(?<![\d.,+-])1?\d{10}(?![\d-]|[.,]\d)` + EXT, 'gi');
const PHONE_LOCAL = new RegExp(String.raw`(?<![\d.-])[2-9]\d{2}-\d{4}(?![\d-])` + EXT, 'gi');
const PHONE_INTL = new RegExp(
  String.raw`(?<![\w+])(?:\+|00|011)[ \t.-]?\d{1,3}(?:[ \t.-]?\(?\d{1,5}\)?){1,6}(?!\d)` + EXT,
  'gi',
);
/** National formats with a trunk 0 (UK, EU): "07700 900123", "020 7946 0958". */
const PHONE_NATIONAL = /(?<![\w.+-])0\d{2,4}[ \t-]?\d{3,4}[ \t-]?\d{3,4}(?![\d-])/g;
const FAX_CUE = /(?:fax|facsimile|\bf)\b[^\n\d]{0,12}$/i;

function phoneType(text: string, start: number): PhiType {
  return FAX_CUE.test(text.slice(Math.max(0, start - 16), start)) ? 'fax' : 'phone';
}

const VALUE = String.raw`([A-Za-z0-9][A-Za-z0-9-]{1,24}[A-Za-z0-9]|\d{3,})`;
/** "number", "no.", "ID", "#" or a colon: what turns an ordinary word into a cue. */
const MARKER = String.raw`(?:[ \t]*(?:[Nn]umber|[Nn]um\.?|[Nn]o\.|ID|#)[ \t]*(?:is|was|of)?[ \t]*[:#]?|[ \t]*:)[ \t]*#?[ \t]*`;
const OPTIONAL_MARKER = `(?:${MARKER}|[ \t]+(?:is[ \t]+|was[ \t]+)?)`;

/** A surgical pathology or pathology case number's cue: "Surgical pathology", "Surg. path.", "Path case". */
const SURGICAL_PATHOLOGY = String.raw`[Ss]urg(?:ical|\.)?[ \t]+[Pp]ath(?:ology|\.)?`;
const PATHOLOGY_CASE = String.raw`[Pp]ath(?:ology|\.)?[ \t]+[Cc]ase`;
/**
 * Cue words that announce a numbered identifier, with the type they announce. Acronyms
 * are cues by themselves; ordinary words ("policy", "serial") only with a marker after
 * them, so that "Plan: 500 mg" or "group A strep" stay.
 */
const ID_CUES: readonly [PhiType, string, string][] = [
  ['mrn', String.raw`MRN|MR#|MRNo|Med[ \t]?Rec`, String.raw`[Mm]edical [Rr]ecord|[Cc]hart|[Hh]ospital|[Pp]atient|[Pp]t|[Uu]nit|MR`],
  ['account', String.raw`[Aa]cct\.?|FIN`, String.raw`[Aa]ccount|[Bb]illing|[Ii]nvoice|[Cc]laim|[Vv]isit|[Ee]ncounter|[Cc]ase`],
  ['health_plan', String.raw`MBI|BCBS|HMO|PPO`, String.raw`[Mm]ember|[Ss]ubscriber|[Pp]olicy|[Gg]roup|[Ii]nsurance|[Hh]ealth [Pp]lan|[Pp]lan|[Mm]edicare|[Mm]edicaid|[Bb]eneficiary`],
  ['license', String.raw`DEA|NPI|DL`, String.raw`[Ll]icen[sc]e|[Ll]ic\.?|[Cc]ertificate|[Dd]river'?s [Ll]icen[sc]e|[Pp]assport`],
  ['device', String.raw`S\/N|SN|UDI`, String.raw`[Ss]erial|[Dd]evice|[Ll]ot|[Ii]mplant|[Pp]acemaker|[Mm]odel`],
  ['vehicle', String.raw`VIN|[Ll]icen[sc]e [Pp]late|[Pp]late [Nn]umber`, String.raw`[Pp]late|[Tt]ag|[Vv]ehicle`],
  // Any other unique number (Safe Harbor's (R)): lab accessions, specimens, transplant registry ids.
  // "Acc" only as "Acc#" / "Acc no.": "Per ACC: 2019 guidelines" and "acc: 120 mL/h" are not numbers of anyone's.
  [
    'id',
    String.raw`UNOS|(?:ACC|[Aa]cc|[Pp]ath)(?=#|[ \t]*[Nn]o\.)`,
    String.raw`[Aa]ccession|[Ss]pecimen|[Rr]equisition|${SURGICAL_PATHOLOGY}|${PATHOLOGY_CASE}`,
  ],
];
/**
 * All cues in two regexes (acronyms, and words that need a marker), one capture group per
 * type: one pass each over the text instead of one per type.
 */
function cueRegex(pick: (cue: readonly [PhiType, string, string]) => string, marker: string): RegExp {
  const groups = ID_CUES.map((cue) => `(${pick(cue)})`).join('|');
  return new RegExp(String.raw`(?<![A-Za-z])(?:${groups})${marker}${VALUE}(?![A-Za-z0-9])`, 'gd');
}
const ID_CUE_REGEXES: readonly RegExp[] = [cueRegex((c) => c[1], OPTIONAL_MARKER), cueRegex((c) => c[2], MARKER)];
/** Capture group of the value: after one group per cue type. */
const ID_VALUE_GROUP = ID_CUES.length + 1;

/**
 * A few words that name an identifier even with no marker, when what follows is shaped like
 * one: "Medicare 1EG4TE5MK73", "pacemaker serial 4X7-99812-K". Digits and letters (or a dash)
 * mixed, or six digits or more: "serial troponins" and "policy 2" stay.
 */
const BARE_CUES: readonly [PhiType, RegExp][] = [
  ['health_plan', /\b(?:[Mm]edicare|[Mm]edicaid|[Mm]ember|[Ss]ubscriber|[Bb]eneficiary|[Pp]olicy)[ \t]+(?=([A-Za-z0-9][A-Za-z0-9-]{3,24}[A-Za-z0-9])(?![A-Za-z0-9]))/dg],
  ['device', /\b(?:[Ss]erial|[Ii]mplant|[Pp]acemaker|[Dd]evice)[ \t]+(?=([A-Za-z0-9][A-Za-z0-9-]{3,24}[A-Za-z0-9])(?![A-Za-z0-9]))/dg],
  [
    'id',
    new RegExp(String.raw`\b(?:[Aa]ccession|[Ss]pecimen|[Rr]equisition|${SURGICAL_PATHOLOGY}|${PATHOLOGY_CASE})[ \t]+(?=([A-Za-z0-9][A-Za-z0-9-]{3,24}[A-Za-z0-9])(?![A-Za-z0-9]))`, 'dg'),
  ],
];

function identifierShaped(value: string): boolean {
  if (!/\d/.test(value)) return false;
  return /[A-Za-z-]/.test(value) ? /\d.*[A-Za-z]|[A-Za-z].*\d|\d-\d/.test(value) : value.length >= 6;
}

/**
 * Medicare Beneficiary Identifier (CMS): 11 characters in a fixed pattern of digits and letters
 * (no S, L, O, I, B or Z), dashes optional after the 4th and 7th; specific enough without a cue.
 */
const MBI_LETTER = '[AC-HJKMNP-RT-Y]';
const MBI = new RegExp(
  String.raw`(?<![A-Za-z0-9-])[1-9]${MBI_LETTER}[AC-HJKMNP-RT-Y0-9]\d-?${MBI_LETTER}[AC-HJKMNP-RT-Y0-9]\d-?${MBI_LETTER}{2}\d{2}(?![A-Za-z0-9-])`,
  'g',
);

/** A network card's MAC address, a device identifier: six pairs of hex digits. */
const MAC = /(?<![0-9A-Fa-f:-])[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}(?![0-9A-Fa-f:-])/g;

/** A cue right before a bare number: the cue's type names it, not the number's shape. */
const ANY_CUE_BEFORE = new RegExp(
  String.raw`(?:${ID_CUES.flatMap(([, acronyms, words]) => [acronyms, words]).join('|')})[ \t]*(?:[Nn]umber|[Nn]um\.?|[Nn]o\.|ID|#)?[ \t]*(?:is|was|of)?[ \t:#]*$`,
);

function cuedBefore(text: string, start: number): boolean {
  return ANY_CUE_BEFORE.test(text.slice(Math.max(0, start - 40), start));
}

/**
 * A plate after a plate cue: "licence plate 7XKL 329", "plates: CA 7XKL329", "plate number
 * reads 7-XKL-329". Up to three parts (a state's two letters may come first), upper case only,
 * and kept (plateShaped) only with a digit, four to ten characters in all, and a letter unless
 * five or more, so that "plate 2 of 3", "Plate: 10 mm", "agar plate 24 h" and "plates and
 * screws" stay. The value was once one part only: "plate is 7XKL 329" left "329".
 */
const PLATE =
  /\b(?:[Ll]icen[sc]e[ \t]+[Pp]lates?|[Pp]lates?|[Tt]ags?)(?:[ \t]+(?:[Nn]umber|[Nn]o\.?))?(?:[ \t]*[:#]|[ \t]+(?:is|was|reads|read|shows|of))*[ \t]*["'(]?((?:[A-Z]{2}[ \t]+)?[A-Z0-9]{1,8}(?:[ -][A-Z0-9]{1,4}){0,2})(?![A-Za-z0-9]|\.\d)/dg;

function plateShaped(m: RegExpExecArray): PhiType | null {
  const plate = (m[1] ?? '').replace(/[ \t-]/g, '');
  const shaped = plate.length >= 4 && plate.length <= 10 && /\d/.test(plate) && (/[A-Z]/.test(plate) || plate.length >= 5);
  return shaped ? 'vehicle' : null;
}
const VIN = /(?<![A-Z0-9])[A-HJ-NPR-Z0-9]{17}(?![A-Z0-9])/g;
/**
 * This system's own record ids, whosever they are: the demo's P001, generated G000123,
 * imported F + 12 hex digits. A note that names another patient's record ("see P004")
 * would give a de-identified reader that record's real id beside the pseudonyms. Typed in
 * lower case too ("see p004").
 */
const RECORD_ID = /(?<![A-Za-z0-9-])(?:[Pp]0\d{2}|[Gg]\d{6}|[Ff][0-9a-f]{12})(?![A-Za-z0-9])/g;
/** A laboratory's accession shape without a cue: letters, the year's two digits, a dash, a serial ("S25-12345", "C25-00123"). */
const ACCESSION_SHAPED = /(?<![\w-])[A-Z]{1,3}\d{2}-\d{4,6}(?![\w-])/g;
/** Letters then five or more digits: record, account and member numbers without a cue. */
const PREFIXED_NUMBER = /(?<![\w-])[A-Z]{1,4}-?\d{5,12}(?:-\d{1,6})?(?![\w-])/g;
/** Seven or more digits in a row that are not a measurement. */
const LONG_NUMBER = /(?<![\d.,])\d{7,}(?![\d]|[.,]\d)/g;
const CODE_SYSTEM_BEFORE = /(?:LOINC|SNOMED|SCT|RxNorm|RXCUI|ICD-?1?0?|CPT|NDC|HCPCS|code)[\s:#-]*$/i;
const UNIT_AFTER = /^[ \t]*(?:copies|IU|units?|cells|\/|x ?10|mg|mcg|ng|pg|k\b|cfu)/i;

const WORD_BEFORE = /([A-Za-z][A-Za-z0-9]*)[\s:=]*$/;

function afterClinicalWord(text: string, start: number): boolean {
  const word = WORD_BEFORE.exec(text.slice(Math.max(0, start - 24), start));
  return word !== null && CLINICAL_TERMS.has(word[1]!.toLowerCase());
}

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
const DAY_NUMBER = String.raw`(?:[12]\d|3[01]|0?[1-9])`;
const DAY = String.raw`${DAY_NUMBER}(?:st|nd|rd|th)?`;
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
/**
 * Written without spaces, as charts and orders do: "20NOV2026", "19NOV26", "03SEP1971",
 * "19-Nov", "Nov19". Three-letter months only, capitalised or in capitals, so that words
 * ("Mayo", "Decadron 4", "mar5") stay.
 */
/** Month first, capitalised only: in capitals ("OCT4", "SEPT9", "MAY1") it is a gene or a test. */
const MON3_CAPITALISED = String.raw`(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)`;
const MON3 = `(?:${MON3_CAPITALISED}|${MON3_CAPITALISED.toUpperCase()})`;
const DATE_COMPACT = new RegExp(
  String.raw`(?<![A-Za-z0-9])(?:${DAY_NUMBER}${MON3}(?:\d{4}|\d{2})?|${DAY_NUMBER}-${MON3}(?:-(?:\d{4}|\d{2}))?|${MON3_CAPITALISED}-?${DAY_NUMBER}(?:-(?:\d{4}|\d{2}))?|${MON3}-${DAY_NUMBER}-(?:\d{4}|\d{2}))(?![A-Za-z0-9])`,
  'g',
);
/** A weekday and the day of the month: "Tuesday the 24th", "Fri 3rd". */
const DATE_WEEKDAY_ORDINAL = new RegExp(
  String.raw`\b(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|Mon|Tues?|Wed|Thurs?|Fri|Sat|Sun)\.?,?[ \t]+(?:the[ \t]+)?${DAY_NUMBER}(?:st|nd|rd|th)\b(?![ \t]+degree)`,
  'gi',
);
/** A day of the month in words: "ninth", "twenty-fourth", lower case or capitalised. */
const capitalisedOrNot = (word: string) => `[${word[0]}${word[0]!.toUpperCase()}]${word.slice(1)}`;
const UNIT_ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth'];
const DAY_WORDS = `(?:${[
  `${capitalisedOrNot('twenty')}[- ](?:${UNIT_ORDINALS.map(capitalisedOrNot).join('|')})`,
  `${capitalisedOrNot('thirty')}[- ]${capitalisedOrNot('first')}`,
  ...[...UNIT_ORDINALS, 'tenth', 'eleventh', 'twelfth', 'thirteenth', 'fourteenth', 'fifteenth', 'sixteenth', 'seventeenth', 'eighteenth', 'nineteenth', 'twentieth', 'thirtieth'].map(capitalisedOrNot),
].join('|')})`;
/** "March ninth", "the ninth of March", "9th of March": a month with its day in words or as an ordinal. */
const DATE_DAY_WORDS = new RegExp(
  String.raw`(?<![A-Za-z])(?:${MONTH}[ \t]+(?:the[ \t]+)?${DAY_WORDS}|(?:[Tt]he[ \t]+)?${DAY_WORDS}[ \t]+of[ \t]+${MONTH})(?![A-Za-z])`,
  'g',
);
const ORDINAL_DAY = String.raw`${DAY_NUMBER}(?:st|nd|rd|th)`;
/**
 * What may follow a day of the month for it to be one: the end of a clause, a time or an
 * errand ("at 0900", "for follow-up"), another such day ("the 24th and the 25th"), or what
 * happened next ("and discharged"); not a noun that makes it a count ("the 3rd attempt").
 */
const AFTER_A_DAY = String.raw`(?=[ \t]*(?:[.,;:!?)]|$)|[ \t]+(?:at|for|when|with|in[ \t]+the[ \t]+(?:morning|afternoon|evening)|of[ \t]+(?:this|last|next|the)[ \t]+month)\b|[ \t]+(?:and|or|to|through)[ \t]+(?:the[ \t]+)?${ORDINAL_DAY}\b|[ \t]+(?:and|then)[ \t]+(?:was[ \t]+)?(?:admitted|discharged|seen|returned|transferred|readmitted|sent|went|called)\b)`;
/**
 * "seen on the 24th.", "back by the twenty-fourth for …": a day of the month with no month,
 * after a word that places an event on it ("on the 3rd attempt", "on the 2nd floor", "on the
 * 2nd, 3rd and 4th fingers" stay).
 */
const DATE_ON_THE_ORDINAL = new RegExp(
  String.raw`\b(?:[Oo]n|[Bb]y|[Uu]ntil|[Tt]ill|[Ss]ince|[Bb]efore|[Aa]fter)[ \t]+the[ \t]+(${ORDINAL_DAY}|${DAY_WORDS})(?![ \t]*,?[ \t]*\d{1,2}(?:st|nd|rd|th))${AFTER_A_DAY}`,
  'gdm',
);
/** "Admitted the 24th; discharged the 27th", "Admitted 24th, discharged 27th": a day after the event on it. */
const DATE_EVENT_ORDINAL = new RegExp(
  String.raw`\b(?:[Aa]dmitted|[Dd]ischarged|[Ss]een|[Rr]eturned|[Tt]ransferred|[Rr]eadmitted|[Dd]ied|[Bb]orn|[Oo]perated|[Dd]elivered)[ \t]+(?:on[ \t]+)?(?:the[ \t]+)?(${ORDINAL_DAY})${AFTER_A_DAY}`,
  'gdm',
);
/** The second of two days: "on the 24th and the 25th." */
const DATE_SECOND_ORDINAL = new RegExp(String.raw`(?<=\d(?:st|nd|rd|th)[ \t]+(?:and|or|to|through)[ \t]+(?:the[ \t]+)?)(${ORDINAL_DAY})${AFTER_A_DAY}`, 'gdm');
const MONTH_ALONE_CUE = new RegExp(
  String.raw`\b(?:[Ii]n|[Ss]ince|[Dd]uring|[Uu]ntil|[Tt]ill|[Ff]rom|[Bb]y|[Ee]arly|[Ll]ate|[Mm]id-?|[Ll]ast|[Nn]ext|[Tt]his|[Oo]f|[Oo]n|[Tt]hrough|[Bb]efore|[Aa]fter|[Ee]nd of|[Bb]eginning of)[ \t]+(?:(?:early|late|mid)-?[ \t]*)?(${MONTH_FULL.join('|')}|Sept)(?![A-Za-z])`,
  'gd',
);
/** A holiday names a day: "Thanksgiving Day", "Christmas Eve", "New Year's Day". */
const DATE_HOLIDAY =
  /\b(?:Thanksgiving(?: Day)?|Christmas(?: Day| Eve)?|Easter(?: Sunday)?|Halloween|New Year['’]s(?: Day| Eve)|Independence Day|Memorial Day|Labor Day|Veterans Day|Fourth of July|July 4th|Valentine['’]s Day|Mother['’]s Day|Father['’]s Day)(?![ \t]+disease)\b/g;
const DATE_ISO = new RegExp(
  String.raw`(?<![\d-])${YEAR}([-/.])(?:0?[1-9]|1[0-2])\1(?:[12]\d|3[01]|0?[1-9])(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\d-])`,
  'g',
);
const DATE_NUMERIC = /(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/-]|\.\d)/g;
const DATE_MONTH_SLASH_YEAR = new RegExp(String.raw`(?<![\d/.-])(?:0?[1-9]|1[0-2])[/-]${YEAR}(?![\d/-])`, 'g');
const DATE_YEAR_MONTH = new RegExp(String.raw`(?<![\d/-])${YEAR}-(?:0[1-9]|1[0-2])(?![\d/-])`, 'g');
/**
 * Month/day without a year ("on 3/14", "seen 11-19") is a date only after a word that says
 * so. With a dash it is as often a range ("from 10-12 L/min", "10-15 seconds"): both halves
 * have two digits, only a word that names an encounter or a sample may come before, and no
 * unit or "to" after.
 */
const MONTH_DAY = /(?<![\d/.-])(?:(?:0?[1-9]|1[0-2])\/(?:[12]\d|3[01]|0?[1-9])|(?:0[1-9]|1[0-2])-(?:[12]\d|3[01]|0[1-9]))(?![\d/-]|\.\d)/g;
const UNIT_AFTER_RANGE = /^[ \t]*(?:[A-Za-z%°]|\/[A-Za-z])/;
const DASHED_CUE_BEFORE = /\b(?:seen|saw(?:[ \t]+(?:her|him|them|pt))?|admitted|admit|discharged|discharge|dos|dob|born|dated|draw|drawn|collected|appt|visit|f\/u|follow-?up)[ \t:]+$/i;
const MONTH_DAY_CUE_BEFORE =
  /(?:\b(?:on|since|from|until|till|by|dated|through|thru|to|dos|dob|seen|admitted|discharged|born|starting|effective|before|after|date|f\/u|follow-?up|appt|visit|last|draw|drawn|collected|wk of|week of)(?:[ \t]+(?:again|back|last|first|initially|previously|originally|next))?|(?:mon|tues|wednes|thurs|fri|satur|sun)day,?|\b(?:mon|tue|wed|thu|fri|sat|sun)\.?,?)[ \t:]+(?:the[ \t]+)?$/i;
/** A time after it: "drawn 4/8 @ 0600", "4/8 at 10:30". */
const MONTH_DAY_TIME_AFTER = /^[ \t]*(?:@|at[ \t]+\d{1,2}(?::\d{2})|\d{1,2}:\d{2})/;
/** The second half of a range: "3/4-3/9". */
const MONTH_DAY_RANGE_BEFORE = /\d\/\d{1,2}[ \t]*[-–][ \t]*$/;

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
  String.raw`(?<![\d.])(${AGE_NUMBER}(?:\.\d+)?)(?=[ \t]*-?[ \t]*(?:years?|yrs?|yo|y\.o\.?|y\/o|year-old|years-old)(?![A-Za-z]))`,
  'gid',
);
const AGE_CUE = new RegExp(String.raw`\b(?:[Aa]ge|[Aa]ged|AGE)[ \t]*(?:of|is|was|:)?[ \t]*(${AGE_NUMBER})(?!\d|\.\d)`, 'gd');
const AGE_TURNED = new RegExp(
  String.raw`\b(?:turned|turns|turning|celebrated|celebrating|celebrates)[ \t]+(?:(?:his|her|their)[ \t]+)?(${AGE_NUMBER})(?:st|nd|rd|th)?(?![\d.]|[ \t]*(?:mg|mcg|%|units?|mL|degrees?))`,
  'gd',
);
const AGE_BIRTHDAY = new RegExp(String.raw`(?<![\d.])(${AGE_NUMBER})(?:st|nd|rd|th)[ \t]+birthday`, 'gd');
const AGE_SEX = new RegExp(String.raw`(?<![\d.\w])(${AGE_NUMBER})(?:M|F|yoM|yoF|yom|yof)(?![A-Za-z\d])`, 'gd');
const AGE_DECADE = /\b(?:in (?:his|her|their) (?:early |mid-?|late )?)((?:9|10)0s|nineties)\b/gid;
/** A relative: who a family history gives an age, in any case ("MOTHER", "Grandpa", "father-in-law", "stepfather"). */
const RELATIVE = `(?:${[
  String.raw`(?:great-)?grand(?:mother|father|ma|pa|parent|son|daughter)`,
  String.raw`(?:step-?)?(?:mother|father|mom|dad|son|daughter|parent|sister|brother)`,
  String.raw`god(?:mother|father|parent|son|daughter)`,
  'husband', 'wife', 'spouse', 'partner', 'aunt', 'uncle', 'cousin', 'niece', 'nephew', 'sibling', 'granny',
].map(ci).join('|')})(?:-${ci('in-law')})?`;
/** What after a number makes it a dose, a reading (a saturation "on room air", a temperature in F), a rank or a span rather than an age. */
const NOT_AN_AGE_AFTER = String.raw`(?!\d|\.\d|st\b|nd\b|rd\b|th\b|[ \t]*(?:mg|mcg|g\b|%|kg|lbs?|cm|mm|units?|[mM][lL]|cc\b|L\b|degrees?|°|[FC]\b|bpm|mmHg|beats|breaths|percent|percentile|min|minutes?|sec|seconds?|s\b|h\b|hrs?|hours?|days?|weeks?|wks?|months?|mos?\b|\/|on[ \t]+(?:room|RA\b|\d|NC\b|O2|oxygen|nasal|high|BiPAP|CPAP|the[ \t]+vent|vent)))`;
/** "She is 91.", "pt was 93", "Her mother, who is 94,": a person's age after who it is, not a dose or a reading. */
const AGE_PERSON_IS = new RegExp(
  String.raw`\b(?:[Ss]he|[Hh]e|[Pp]atient|[Pp]t|[Tt]hey|${RELATIVE})(?:['’]s|(?:,?[ \t]+who)?[ \t]+(?:is|was|are|were)(?:[ \t]+now)?)[ \t]+(${AGE_NUMBER})${NOT_AN_AGE_AFTER}`,
  'gd',
);
/** "Her grandmother, 97, lives alone", "father (94)", "Mother [96]", "Grandma: 98.": a relative's age set off after them. */
const AGE_RELATIVE_APART = new RegExp(String.raw`\b${RELATIVE}[ \t]*[,(\[:][ \t]*(${AGE_NUMBER})${NOT_AN_AGE_AFTER}`, 'gd');
/** "father died at 96", "passed away aged 91": the age at death ("passed" alone is as often urine or flatus). */
const AGE_AT_DEATH = new RegExp(
  String.raw`\b(?:died|passed[ \t]+away|deceased|death)[ \t]+(?:at|aged?)[ \t]+(?:(?:the[ \t]+)?age[ \t]+(?:of[ \t]+)?)?(${AGE_NUMBER})${NOT_AN_AGE_AFTER}`,
  'gd',
);
/** "Father passed at 96", "her mother died in her sleep at 97": a relative's age at death, a few words on. */
const AGE_RELATIVE_DEATH = new RegExp(
  String.raw`\b${RELATIVE}\b[^.;\n]{0,30}?\b(?:passed|died)\b[^.;\n]{0,30}?\b(?:at|aged?)[ \t]+(?:(?:the[ \t]+)?age[ \t]+(?:of[ \t]+)?)?(${AGE_NUMBER})${NOT_AN_AGE_AFTER}`,
  'gd',
);
/** A year of birth is a date element Safe Harbor keeps only while it does not tell an age over 89. */
const BIRTH_YEAR = /\b(?:[Bb]orn|[Bb]\.|DOB|[Dd]ate of [Bb]irth|[Yy]ear of [Bb]irth)[ \t:]*(?:in[ \t]+)?((?:18|19|20)\d\d)(?![\d\/-])/dg;
const AGE_NUMBER_WORDS = String.raw`(?:ninety|one hundred|a hundred)(?:[- ](?:and[- ])?(?:one|two|three|four|five|six|seven|eight|nine))?`;
const AGE_WORDS = new RegExp(
  String.raw`\b(?:nonagenarian|centenarian|${AGE_NUMBER_WORDS}[- ](?:years?[- ]old|yo|y\/o|y\.o\.|yrs?[- ]old)|(?:aged|age of|age)[ \t]+${AGE_NUMBER_WORDS})(?![A-Za-z-])`,
  'gi',
);
/** "Grandfather, ninety-six", "his brother who is ninety-two": the words alone, the relative kept. */
const AGE_WORDS_AFTER_RELATIVE = new RegExp(String.raw`\b${RELATIVE}(?:[ \t]*[,(\[:]|,?[ \t]+who[ \t]+(?:is|was))[ \t]*(${AGE_NUMBER_WORDS})(?![A-Za-z-])`, 'gid');
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
/** A street named without a house number, after "on"/"off": "lives on Mill Hill Rd". */
const STREET_NAMED = new RegExp(
  String.raw`\b(?:[Oo]n|[Oo]ff|[Nn]ear)[ \t]+((?:[A-Z][a-z'.-]{1,20}[ \t]+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Court|Ct|Place|Terrace|Way|Circle|Parkway|Pkwy|Highway|Hwy|Pike|Turnpike)\.?)(?![A-Za-z])`,
  'gd',
);
const UNIT_ALONE = /\b(?:Apt|APT|Apartment|Suite|Ste)\.?[ \t]*#?[ \t]*\d{1,5}[A-Za-z]?\b/g;
const PO_BOX = /\b[Pp]\.?[ \t]?[Oo]\.?[ \t]*[Bb]ox[ \t]*\d{1,6}\b/g;
const STATE_ALT = [...STATE_NAMES.map((s) => s.replace(/ /g, '[ \\t]+')), ...STATE_CODES].join('|');
const ZIP_AFTER_STATE = new RegExp(String.raw`\b(?:${STATE_ALT}),?[ \t]+(\d{5}(?:-\d{4})?)(?![\d-])`, 'gd');
const ZIP_CUE = /\b(?:ZIP|[Zz]ip|[Pp]ostal)(?:[ \t]*[Cc]ode)?[ \t]*(?:is|:|#)?[ \t]*(\d{5}(?:-\d{4})?)(?![\d-])/gd;
const ZIP_PLUS4 = /(?<![\d-])\d{5}-\d{4}(?![\d-])/g;

// ---------------------------------------------------------------- the detector

/** Social security numbers alone: what full-access views mask in free text (SPEC: last 4 digits). */
export function findSsns(text: string, out: Finding[]): void {
  findSsnsWith(text, (start, end, type) => {
    if (end > start) out.push({ start, end, type });
  });
}

function findSsnsWith(text: string, emit: Emit): void {
  scan(text, SSN_DASHED, 'ssn', emit);
  scan(text, SSN_SPACED, 'ssn', emit);
  scan(text, SSN_BARE, (m) => (cuedBefore(text, m.index) ? null : 'ssn'), emit);
  scan(text, SSN_CUE, 'ssn', emit, 1);
}

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
    if (URL_TLD_HINT.test(text)) {
      URL_BARE.lastIndex = 0;
      for (let m = URL_BARE.exec(text); m !== null; m = URL_BARE.exec(text)) {
        emit(m.index, trimUrl(text, m.index, m.index + m[0].length), 'url');
      }
    }
    scan(text, IPV4, 'ip', emit);
  }
  if (text.includes(':')) findIpv6(text, emit);

  findSsnsWith(text, emit);

  for (const regex of [PHONE_US, PHONE_BARE, PHONE_LOCAL]) {
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
      const end = m.index + m[0].length;
      if (regex === PHONE_BARE && cuedBefore(text, m.index)) continue;
      // "300-1000 mg" and "ferritin 300-1000" are ranges, not numbers to call.
      if (regex === PHONE_LOCAL && (UNIT_AFTER.test(text.slice(end, end + 8)) || afterClinicalWord(text, m.index))) continue;
      emit(m.index, end, phoneType(text, m.index));
    }
  }
  PHONE_NATIONAL.lastIndex = 0;
  for (let m = PHONE_NATIONAL.exec(text); m !== null; m = PHONE_NATIONAL.exec(text)) {
    const digits = m[0].replace(/\D/g, '').length;
    if (digits >= 10 && digits <= 11) emit(m.index, m.index + m[0].length, phoneType(text, m.index));
  }
  PHONE_INTL.lastIndex = 0;
  for (let m = PHONE_INTL.exec(text); m !== null; m = PHONE_INTL.exec(text)) {
    const digits = m[0].replace(/(?:x|ext\.?|extension|#)[ \t]*\d+$/i, '').replace(/\D/g, '').length;
    if (digits >= 8 && digits <= 17) emit(m.index, m.index + m[0].trimEnd().length, phoneType(text, m.index));
  }

  for (const regex of ID_CUE_REGEXES) {
    scan(
      text,
      regex,
      (m) => {
        const end = m.index + m[0].length;
        if (!/\d/.test(m[ID_VALUE_GROUP]!) || UNIT_AFTER.test(text.slice(end, end + 8))) return null;
        for (let g = 1; g < ID_VALUE_GROUP; g++) if (m[g] !== undefined) return ID_CUES[g - 1]![0];
        return null;
      },
      emit,
      ID_VALUE_GROUP,
    );
  }
  for (const [type, regex] of BARE_CUES) scan(text, regex, (m) => (identifierShaped(m[1]!) ? type : null), emit, 1);
  scan(text, MBI, 'health_plan', emit);
  if (text.includes(':') || text.includes('-')) scan(text, MAC, 'device', emit);
  scan(text, PLATE, plateShaped, emit, 1);
  scan(text, VIN, (m) => (/\d/.test(m[0]) && /[A-Z]/.test(m[0]) ? 'vehicle' : null), emit);
  scan(text, PREFIXED_NUMBER, 'id', emit);
  scan(text, ACCESSION_SHAPED, 'id', emit);
  scan(text, RECORD_ID, 'id', emit);
  LONG_NUMBER.lastIndex = 0;
  for (let m = LONG_NUMBER.exec(text); m !== null; m = LONG_NUMBER.exec(text)) {
    const end = m.index + m[0].length;
    if (CODE_SYSTEM_BEFORE.test(text.slice(Math.max(0, m.index - 16), m.index))) continue;
    if (UNIT_AFTER.test(text.slice(end, end + 8))) continue;
    emit(m.index, end, 'id');
  }

  scan(text, DATE_ISO, 'date', emit);
  scan(text, DATE_HOLIDAY, 'date', emit);
  scan(text, DATE_NUMERIC, validNumericDate, emit);
  scan(text, DATE_MONTH_SLASH_YEAR, 'date', emit);
  scan(text, DATE_YEAR_MONTH, 'date', emit);
  scan(text, DATE_MONTH_FIRST, 'date', emit);
  scan(text, DATE_DAY_FIRST, 'date', emit);
  scan(text, DATE_DAY_MON_YEAR, 'date', emit);
  scan(text, DATE_MONTH_YEAR, 'date', emit);
  scan(text, MONTH_ALONE_CUE, 'date', emit, 1);
  scan(text, DATE_COMPACT, 'date', emit);
  scan(text, DATE_WEEKDAY_ORDINAL, 'date', emit);
  scan(text, DATE_DAY_WORDS, 'date', emit);
  scan(text, DATE_ON_THE_ORDINAL, 'date', emit, 1);
  scan(text, DATE_EVENT_ORDINAL, 'date', emit, 1);
  scan(text, DATE_SECOND_ORDINAL, 'date', emit, 1);
  MONTH_DAY.lastIndex = 0;
  for (let m = MONTH_DAY.exec(text); m !== null; m = MONTH_DAY.exec(text)) {
    const before = text.slice(Math.max(0, m.index - 24), m.index);
    const end = m.index + m[0].length;
    const after = text.slice(end, end + 12);
    if (m[0].includes('-')) {
      // A word or unit after a dashed pair makes it a range; "seen 11-19, labs" is still a date.
      if (DASHED_CUE_BEFORE.test(before) && !UNIT_AFTER_RANGE.test(after)) emit(m.index, end, 'date');
      continue;
    }
    if (MONTH_DAY_CUE_BEFORE.test(before) || MONTH_DAY_RANGE_BEFORE.test(before) || MONTH_DAY_TIME_AFTER.test(after)) {
      emit(m.index, end, 'date');
    }
  }

  scan(text, AGE_YEARS, 'age', emit, 1);
  scan(text, AGE_CUE, 'age', emit, 1);
  scan(text, AGE_TURNED, 'age', emit, 1);
  scan(text, AGE_BIRTHDAY, 'age', emit, 1);
  AGE_SEX.lastIndex = 0;
  for (let m = AGE_SEX.exec(text); m !== null; m = AGE_SEX.exec(text)) {
    if (TEMP_BEFORE.test(text.slice(Math.max(0, m.index - 14), m.index))) continue;
    emit(m.index, m.index + m[1]!.length, 'age');
  }
  scan(text, AGE_DECADE, 'age', emit, 1);
  scan(text, AGE_WORDS, 'age', emit);
  scan(text, AGE_WORDS_AFTER_RELATIVE, 'age', emit, 1);
  scan(text, AGE_PERSON_IS, 'age', emit, 1);
  scan(text, AGE_RELATIVE_APART, 'age', emit, 1);
  scan(text, AGE_AT_DEATH, 'age', emit, 1);
  scan(text, AGE_RELATIVE_DEATH, 'age', emit, 1);
  const thisYear = new Date().getUTCFullYear();
  scan(text, BIRTH_YEAR, (m) => (thisYear - Number(m[1]) > 89 ? 'age' : null), emit, 1);

  scan(text, STREET, 'address', emit);
  scan(text, STREET_NAMED, 'address', emit, 1);
  scan(text, UNIT_ALONE, 'address', emit);
  scan(text, PO_BOX, 'address', emit);
  scan(text, ZIP_AFTER_STATE, 'zip', emit, 1);
  scan(text, ZIP_CUE, 'zip', emit, 1);
  scan(text, ZIP_PLUS4, 'zip', emit);
}

