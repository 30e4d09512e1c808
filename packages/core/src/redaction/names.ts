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
import { CLINICAL_TERMS } from './lexicon/clinical-terms.js';
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
translated interpreted visited brought attended covered transcribed authored consulted
`);
const AGENT_PREPOSITIONS = wordSet('with by to');
/** Words that introduce a person without a verb ("Per Okafor", "Dear Ms ..."). */
const AGENT_WORDS = wordSet('per cc attn attention dear sincerely regards pcp attending surgeon interpreter caller');
/** Labels that introduce a person when followed by a colon. */
const LABELS = wordSet(`
name patient pt contact caller guardian nok kin proxy poa hcp pcp attending provider physician surgeon author
from to cc re attn signed resident fellow nurse rn interpreter emergency
`);
const CREDENTIALS = new Set([
  'MD', 'DO', 'RN', 'NP', 'PA', 'PA-C', 'PhD', 'LPN', 'CNA', 'MSW', 'LCSW', 'PharmD', 'DDS', 'DPM', 'APRN', 'FNP',
  'CNM', 'CRNA', 'BSN', 'MSN', 'DNP', 'MPH', 'FACP', 'FACS',
]);
const SPEAKING_VERBS = wordSet(`
called calls phoned texted emailed telephoned reports reported states stated says said agrees agreed declined
requested asked visited arrived confirmed expressed wishes prefers brought left verbalized verbalizes
`);

type Kind = 'strong' | 'weak' | 'unknown' | 'ordinary' | 'clinical';

function lexicalKind(token: Token): Kind {
  const parts = partsOf(token.key);
  if (parts.some((p) => CLINICAL_TERMS.has(p))) return 'clinical';
  const inLexicon = parts.some((p) => FIRST_NAMES.has(p) || SURNAMES.has(p));
  const ordinary = parts.every((p) => COMMON_WORDS.has(p) || p.length <= 2);
  if (!token.capitalised) return ordinary ? 'ordinary' : 'unknown';
  // Short acronyms in capitals (ED, AL, MAE) are abbreviations far more often than names.
  if (token.allCaps && token.key.length <= 3) return 'ordinary';
  if (inLexicon) return ordinary ? 'weak' : 'strong';
  return ordinary ? 'ordinary' : 'unknown';
}

const BLANKS = /^[ \t]{1,3}$/;
const NAME_GAP = /^(?:[ \t]{1,3}|,[ \t]{1,2}|\.[ \t]{1,2})$/;

export function findNames(text: string, tokens: readonly Token[], clinical: Uint8Array, out: Finding[]): void {
  const n = tokens.length;
  if (n === 0) return;
  const kinds: Kind[] = new Array(n);
  for (let i = 0; i < n; i++) kinds[i] = clinical[i] ? 'clinical' : lexicalKind(tokens[i]!);
  const isName = new Uint8Array(n);

  const gap = (i: number): string => text.slice(tokens[i - 1]!.end, tokens[i]!.start);
  /** A single capital letter used as an initial ("J. Smith", "John Q. Public"). */
  const isInitial = (i: number): boolean => {
    const t = tokens[i]!;
    return t.text.length === 1 && t.capitalised && text[t.end] === '.';
  };
  /** Mark the capitalised run starting at i (up to 4 words) as a name; `force` accepts clinical words too. */
  const takeRun = (i: number, force: boolean): void => {
    for (let k = i, count = 0; k < n && count < 4; k++, count++) {
      const t = tokens[k]!;
      if (k > i && !NAME_GAP.test(gap(k))) break;
      if (!t.capitalised) break;
      const kind = kinds[k]!;
      if (kind === 'ordinary' && !isInitial(k)) break;
      if (kind === 'clinical' && !(force && k === i)) break;
      isName[k] = 1;
    }
  };

  for (let i = 0; i < n; i++) {
    const token = tokens[i]!;
    // Titles: "Dr. Okafor", "Mrs Lindqvist", "Nurse Ratched".
    if (TITLES.has(token.key) && i + 1 < n && /^\.?[ \t]{1,2}$/.test(gap(i + 1)) && tokens[i + 1]!.capitalised) {
      takeRun(i + 1, true);
      continue;
    }
    if (i + 1 >= n || !tokens[i + 1]!.capitalised) continue;
    const next = gap(i + 1);
    // Relations: "his daughter Maria", "her son, Tom", "wife (Ana)".
    if (RELATIONS.has(token.key) && /^[ \t]*[,:(]?[ \t]*$/.test(next) && next.length <= 3) {
      takeRun(i + 1, false);
      continue;
    }
    // Agents: "spoke with Tomasz", "signed by Okafor", "Per Lindqvist".
    const verbBefore = i > 0 && AGENT_VERBS.has(tokens[i - 1]!.key) && BLANKS.test(gap(i));
    if ((AGENT_PREPOSITIONS.has(token.key) && verbBefore) || AGENT_WORDS.has(token.key)) {
      if (/^[ \t]*,?[ \t]*\n?[ \t]*$/.test(next)) takeRun(i + 1, false);
      continue;
    }
    // Labels: "Contact: Ana Lindqvist", "Caller: Tomasz".
    if (LABELS.has(token.key) && /^[ \t]*:[ \t]*$/.test(next)) takeRun(i + 1, false);
  }

  // Lexicon: strong tokens are names wherever they stand.
  for (let i = 0; i < n; i++) if (kinds[i] === 'strong') isName[i] = 1;

  // A first name next to a surname is a name even when both are ordinary words ("Hope Young").
  for (let i = 0; i + 1 < n; i++) {
    const a = tokens[i]!;
    const b = tokens[i + 1]!;
    if (kinds[i] !== 'weak' || (kinds[i + 1] !== 'weak' && kinds[i + 1] !== 'strong')) continue;
    if (!BLANKS.test(gap(i + 1))) continue;
    if (FIRST_NAMES.has(a.key) && SURNAMES.has(b.key)) isName[i] = isName[i + 1] = 1;
  }

  // Spread to neighbours: unknown and ambiguous capitalised words and initials beside a name.
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < n; i++) {
      if (isName[i]) continue;
      const t = tokens[i]!;
      if (!t.capitalised) continue;
      const kind = kinds[i]!;
      const candidate = kind === 'weak' || kind === 'unknown' || isInitial(i);
      if (!candidate) continue;
      const leftName = i > 0 && isName[i - 1] && NAME_GAP.test(gap(i));
      const rightName = i + 1 < n && isName[i + 1] && NAME_GAP.test(gap(i + 1)) && !gap(i + 1).startsWith('.');
      // A weak word at a sentence start before a name ("Will Maria come?") stays a word.
      if (leftName || (rightName && !(kind === 'weak' && startsSentence(text, t)))) isName[i] = 1;
    }
  }

  // Credentials and verbs of speaking after a capitalised word: "Okafor, MD", "Tomasz called".
  for (let i = 0; i < n; i++) {
    if (isName[i]) continue;
    const t = tokens[i]!;
    if (!t.capitalised || (kinds[i] !== 'unknown' && kinds[i] !== 'weak')) continue;
    const after = text.slice(t.end, t.end + 12);
    const credential = /^,?[ \t]+([A-Za-z-]{2,7})(?![A-Za-z])/.exec(after);
    const next = tokens[i + 1];
    const speaks = next !== undefined && SPEAKING_VERBS.has(next.key) && BLANKS.test(gap(i + 1));
    if ((credential && CREDENTIALS.has(credential[1]!)) || (speaks && !startsSentence(text, t)) || (speaks && kinds[i] === 'unknown')) {
      isName[i] = 1;
      for (let k = i - 1; k >= 0 && k >= i - 2; k--) {
        if (!tokens[k]!.capitalised || !NAME_GAP.test(gap(k + 1)) || kinds[k] === 'ordinary' || kinds[k] === 'clinical') break;
        isName[k] = 1;
      }
    }
  }

  for (let i = 0; i < n; i++) {
    if (isName[i]) out.push({ start: tokens[i]!.start, end: tokens[i]!.end, type: 'name' });
  }
}
