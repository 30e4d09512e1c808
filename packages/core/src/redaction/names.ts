/**
 * Names no record knows. A capitalised word is a name when:
 * - it follows a title ("Dr. Okafor", "Mrs Lindqvist"), a relation ("his daughter Maria"),
 *   an agent phrase ("spoke with", "signed by") or a label ("Contact: ...");
 * - it is in the name lexicon and is not also an ordinary or clinical word ("Maria");
 * - it is an ambiguous lexicon word ("Hope", "Will", "Young") standing next to a name, or
 *   a first name next to a surname ("Hope Young");
 * - it stands next to a name (the unknown surname in "Maria Kowalczyk"), or before a
 *   credential ("Kowalczyk, MD"), or before a verb of speaking ("Tomasz called").
 * Clinical words and protected clinical usage ("Parkinson's", "Bell's palsy") are never
 * names by lexicon; only a title overrides that.
 */
import { CLINICAL_SUFFIX, CLINICAL_TERMS, MEDICAL_ENDING } from './lexicon/clinical-terms.js';
import { COMMON_WORDS } from './lexicon/common-words.js';
import { FIRST_NAMES } from './lexicon/first-names.js';
import { SURNAMES } from './lexicon/surnames.js';
import { wordSet } from './lexicon/words.js';
import { type Token, partsOf, startsSentence } from './tokens.js';
import type { Finding } from './types.js';

const TITLES = wordSet('mr mrs ms miss mx dr doctor prof professor rev reverend fr father sr nurse sister mister madam');
const RELATIONS = wordSet(`
wife husband daughter son mother father mom mum dad sister brother friend neighbor neighbour caregiver carer partner
fiance fiancé fiancee fiancée boyfriend girlfriend niece nephew aunt uncle grandson granddaughter grandmother
grandfather grandma grandpa granny cousin guardian roommate spouse stepson stepdaughter stepmother stepfather
child landlord landlady pastor priest rabbi imam coworker co-worker employer boss sponsor named nicknamed aka
daughter-in-law son-in-law mother-in-law father-in-law sister-in-law brother-in-law
`);
/** Verbs after which "with", "by" or "to" introduces a person. */
const AGENT_VERBS = wordSet(`
spoke speak speaking talked talking met meeting discussed discussing lives living lived stays staying stayed
seen signed accompanied referred called dictated reviewed evaluated examined cosigned co-signed witnessed
translated interpreted visited brought attended covered transcribed authored consulted left message messages
voicemail
`);
const AGENT_PREPOSITIONS = wordSet('with by to for');
/** Words that introduce a person without a verb ("Per Okafor", "Dear Ms ..."). */
const AGENT_WORDS = wordSet(`
per cc attn attention dear sincerely regards pcp attending surgeon interpreter caller pharmacist chaplain therapist
dietitian dietician nutritionist coordinator aide paramedic emt midwife doula counselor counsellor psychologist
physician intern student technician tech translator attorney lawyer notary
`);
/** Labels that introduce a person when followed by a colon. */
const LABELS = wordSet(`
name patient pt contact caller guardian nok kin proxy poa hcp pcp attending provider physician surgeon author
from to cc re attn signed resident fellow nurse rn interpreter emergency
`);
const CREDENTIALS = new Set([
  'MD', 'DO', 'RN', 'NP', 'PA', 'PA-C', 'PhD', 'LPN', 'CNA', 'MSW', 'LCSW', 'PharmD', 'DDS', 'DPM', 'APRN', 'FNP',
  'CNM', 'CRNA', 'BSN', 'MSN', 'DNP', 'MPH', 'FACP', 'FACS', 'Esq', 'JD',
]);
/**
 * Who speaks in a note without being named: pronouns and kin ("He reports", "Son said", "Mom
 * called"). "He" and "Ma" are surnames in the lexicon, and a verb of speaking after them had
 * made them names.
 */
const SPEAKERS_NOT_NAMED = wordSet(`
he she they we i you it his her patient pt son daughter mom mum dad ma pa mother father wife husband brother
sister spouse partner family caregiver caller parent parents grandma grandpa staff team nurse doctor
`);
const SPEAKING_VERBS = wordSet(`
called calls phoned texted emailed telephoned reports reported states stated says said agrees agreed declined
requested asked visited arrived confirmed expressed wishes prefers brought left verbalized verbalizes
`);

type Kind = 'strong' | 'weak' | 'unknown' | 'ordinary' | 'clinical';

function lexicalKind(token: Token): Kind {
  const parts = partsOf(token.key);
  if (parts.some((p) => CLINICAL_TERMS.has(p))) return 'clinical';
  // "Faith-based", "King-size": a hyphenated word with a lower-case part is a word, not a name.
  if (parts.length > 1 && /-[a-z]/.test(token.text)) return 'ordinary';
  const inLexicon = parts.some((p) => FIRST_NAMES.has(p) || SURNAMES.has(p));
  const ordinary = parts.every((p) => COMMON_WORDS.has(p) || p.length <= 2);
  if (!token.capitalised) return ordinary ? 'ordinary' : 'unknown';
  // Short acronyms in capitals (ED, AL, MAE) are abbreviations far more often than names.
  if (token.allCaps && token.key.length <= 3) return 'ordinary';
  if (inLexicon) return ordinary ? 'weak' : 'strong';
  return ordinary ? 'ordinary' : 'unknown';
}

const BLANKS = /^[ \t]{1,3}$/;
/** Between two words of one name: blanks, or "Smith, John". */
const NAME_GAP = /^(?:[ \t]{1,3}|,[ \t]{1,2})$/;
/** After an initial: "J. Smith", "John Q. Public". */
const INITIAL_GAP = /^\.[ \t]{1,2}$/;

/**
 * Marks name tokens. `preset` holds tokens already known to be names (from the record),
 * so that their unknown neighbours (a middle name, an initial) are found too.
 */
export function findNames(text: string, tokens: readonly Token[], clinical: Uint8Array, preset: Uint8Array, out: Finding[]): void {
  const n = tokens.length;
  if (n === 0) return;
  const kinds: Kind[] = new Array(n);
  for (let i = 0; i < n; i++) kinds[i] = clinical[i] ? 'clinical' : lexicalKind(tokens[i]!);
  const isName = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (preset[i]) isName[i] = 1;

  const gap = (i: number): string => text.slice(tokens[i - 1]!.end, tokens[i]!.start);
  /** A single capital letter used as an initial ("J. Smith", "John Q. Public"). */
  const isInitial = (i: number): boolean => {
    const t = tokens[i]!;
    // "98.6 F." is a unit after a number, not an initial.
    return t.text.length === 1 && t.capitalised && text[t.end] === '.' && !/\d[ \t]*$/.test(text.slice(Math.max(0, t.start - 3), t.start));
  };
  /** Do tokens i-1 and i belong to one name, as far as the text between them goes? */
  const joined = (i: number): boolean => {
    const g = gap(i);
    return NAME_GAP.test(g) || (isInitial(i - 1) && INITIAL_GAP.test(g));
  };
  const candidate = (i: number): boolean => {
    const kind = kinds[i]!;
    return tokens[i]!.capitalised && (kind === 'strong' || kind === 'weak' || kind === 'unknown' || isInitial(i));
  };
  /**
   * Mark the capitalised run starting at i (up to 4 words) as a name. After a relation
   * ("his daughter Hope") even an ordinary word is taken; after other cues only when a
   * name-like word follows it. A title takes a clinical word too ("Dr. Parkinson").
   */
  const takeRun = (i: number, cue: 'title' | 'relation' | 'agent'): void => {
    for (let k = i, count = 0; k < n && count < 4; k++, count++) {
      const t = tokens[k]!;
      if (k > i && !joined(k)) break;
      if (!t.capitalised) break;
      const kind = kinds[k]!;
      if (kind === 'clinical' && !(cue === 'title' && k === i)) break;
      if (kind === 'ordinary' && !isInitial(k)) {
        const firstOfRun = k === i;
        const nameFollows = k + 1 < n && joined(k + 1) && candidate(k + 1);
        if (!(firstOfRun && (cue === 'relation' || nameFollows))) break;
      }
      isName[k] = 1;
    }
  };

  for (let i = 0; i < n; i++) {
    const token = tokens[i]!;
    // Titles: "Dr. Okafor", "Mrs Lindqvist", "Nurse Ratched". In capitals a title is also
    // an abbreviation ("mild MR. MMSE 24/30", "MS"), so there the next word must be a lexicon name.
    const titled =
      TITLES.has(token.key) &&
      i + 1 < n &&
      /^\.?[ \t]{1,2}$/.test(gap(i + 1)) &&
      tokens[i + 1]!.capitalised &&
      (!token.allCaps || kinds[i + 1] === 'strong' || kinds[i + 1] === 'weak');
    if (titled) {
      takeRun(i + 1, 'title');
      continue;
    }
    if (i + 1 >= n || !tokens[i + 1]!.capitalised) continue;
    const next = gap(i + 1);
    // Relations: "his daughter Maria", "her son, Tom", "wife (Ana)".
    if (RELATIONS.has(token.key) && /^[ \t]*[,:(]?[ \t]*$/.test(next) && next.length <= 3) {
      takeRun(i + 1, 'relation');
      continue;
    }
    // Agents: "spoke with Tomasz", "signed by Okafor", "Per Lindqvist".
    const verbBefore = i > 0 && AGENT_VERBS.has(tokens[i - 1]!.key) && BLANKS.test(gap(i));
    if ((AGENT_PREPOSITIONS.has(token.key) && verbBefore) || AGENT_WORDS.has(token.key)) {
      if (/^[ \t]*,?[ \t]*\n?[ \t]*$/.test(next)) takeRun(i + 1, 'agent');
      continue;
    }
    // Labels: "Contact: Ana Lindqvist", "Caller: Tomasz".
    if (LABELS.has(token.key) && /^[ \t]*:[ \t]*$/.test(next)) takeRun(i + 1, 'agent');
  }

  // Lexicon: strong tokens are names wherever they stand.
  for (let i = 0; i < n; i++) if (kinds[i] === 'strong') isName[i] = 1;

  for (let i = 0; i + 1 < n; i++) {
    if (!joined(i + 1) || gap(i + 1).includes(',')) continue;
    const a = tokens[i]!;
    const b = tokens[i + 1]!;
    const ka = kinds[i]!;
    const kb = kinds[i + 1]!;
    if (!a.capitalised || !b.capitalised || a.allCaps !== b.allCaps) continue;
    // A first name before a surname is a name even when both are words ("Hope Young", "Penny Rivera").
    if ((ka === 'weak' || ka === 'strong') && (kb === 'weak' || kb === 'strong') && FIRST_NAMES.has(a.key) && SURNAMES.has(b.key)) {
      isName[i] = isName[i + 1] = 1;
      continue;
    }
    // Two name-shaped words no list knows, or one unknown beside an ambiguous lexicon word:
    // "Philippa Ruvard", "Nkechi Young". Titlecase only: capitals are headings.
    // Not inside a Title Case run of three or more words ("Basic Metabolic Panel"), and not
    // words shaped like drugs or chemistry ("Meperidine Hydrochloride").
    const titleRun =
      (i > 0 && tokens[i - 1]!.capitalised && BLANKS.test(gap(i))) || (i + 2 < n && tokens[i + 2]!.capitalised && BLANKS.test(gap(i + 2)));
    const medicalShape =
      CLINICAL_SUFFIX.test(a.key) || CLINICAL_SUFFIX.test(b.key) || (MEDICAL_ENDING.test(a.key) && MEDICAL_ENDING.test(b.key));
    const unknownPair =
      !titleRun &&
      !medicalShape &&
      !a.allCaps &&
      a.key.length >= 3 &&
      ((ka === 'unknown' && (kb === 'unknown' || (kb === 'weak' && SURNAMES.has(b.key)))) ||
        (kb === 'unknown' && ka === 'weak' && FIRST_NAMES.has(a.key)));
    if (unknownPair) isName[i] = isName[i + 1] = 1;
  }

  // Spread to neighbours: unknown and ambiguous capitalised words and initials beside a name.
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < n; i++) {
      if (isName[i] || !candidate(i)) continue;
      const leftName = i > 0 && isName[i - 1] && joined(i);
      const rightName = i + 1 < n && isName[i + 1] && joined(i + 1);
      // A weak word at a sentence start before a name ("Will Maria come?") stays a word,
      // unless it is a first name before a surname.
      const weakStart = kinds[i] === 'weak' && startsSentence(text, tokens[i]!) && !(FIRST_NAMES.has(tokens[i]!.key) && i + 1 < n && SURNAMES.has(tokens[i + 1]!.key));
      if (leftName || (rightName && !weakStart)) isName[i] = 1;
    }
  }

  // Credentials and verbs of speaking after a capitalised word: "Okafor, MD", "Tomasz called".
  for (let i = 0; i < n; i++) {
    if (isName[i]) continue;
    const t = tokens[i]!;
    if (!t.capitalised || (kinds[i] !== 'unknown' && kinds[i] !== 'weak')) continue;
    if (SPEAKERS_NOT_NAMED.has(t.key)) continue;
    const after = text.slice(t.end, t.end + 12);
    const credential = /^,?[ \t]+([A-Za-z-]{2,7})(?![A-Za-z])/.exec(after);
    const next = tokens[i + 1];
    const speaks = next !== undefined && SPEAKING_VERBS.has(next.key) && BLANKS.test(gap(i + 1));
    if ((credential && CREDENTIALS.has(credential[1]!)) || speaks) {
      isName[i] = 1;
      for (let k = i - 1; k >= 0 && k >= i - 2; k--) {
        if (!joined(k + 1) || !candidate(k)) break;
        isName[k] = 1;
      }
    }
  }

  for (let i = 0; i < n; i++) {
    if (isName[i] && !preset[i]) out.push({ start: tokens[i]!.start, end: tokens[i]!.end, type: 'name' });
  }
}
