/**
 * Places smaller than a state (Safe Harbor identifier 2): towns and cities from the
 * gazetteer, "City, ST" pairs, places after a cue ("lives in Millbrook"), and named
 * facilities ("St. Elsewhere Hospital"). States and countries stay.
 */
import { CLINICAL_TERMS } from './lexicon/clinical-terms.js';
import { COMMON_WORDS } from './lexicon/common-words.js';
import { FIRST_NAMES } from './lexicon/first-names.js';
import { CITIES, STATE_CODES, STATE_NAMES } from './lexicon/places.js';
import { SURNAMES } from './lexicon/surnames.js';
import { wordSet } from './lexicon/words.js';
import { phraseAt } from './protect.js';
import { type Token, tokenize } from './tokens.js';
import type { Finding } from './types.js';

function phraseMap(phrases: readonly string[]): Map<string, string[][]> {
  const map = new Map<string, string[][]>();
  for (const phrase of phrases) {
    const keys = tokenize(phrase).map((t) => t.key);
    if (keys.length === 0) continue;
    map.set(keys[0]!, [...(map.get(keys[0]!) ?? []), keys]);
  }
  for (const list of map.values()) list.sort((a, b) => b.length - a.length);
  return map;
}

const CITY_PHRASES = phraseMap(CITIES);
const STATE_PHRASES = phraseMap(STATE_NAMES);
const COUNTRIES = wordSet(`
usa america canada mexico guatemala honduras salvador nicaragua cuba haiti jamaica dominican puerto brazil
colombia venezuela peru ecuador chile argentina bolivia england britain ireland scotland wales france spain
portugal italy germany poland russia ukraine greece turkey israel lebanon syria iraq iran egypt morocco
nigeria ghana kenya ethiopia somalia india pakistan bangladesh china japan korea vietnam philippines
thailand cambodia laos indonesia australia europe asia africa
`);
/** Words before a preposition that make the following capitalised words a place. */
const PLACE_VERBS = wordSet(`
lives live living lived resides reside residing moved moving relocated born raised grew visiting visited
traveled travelled travel trip vacation vacationing returned returning works working worked employed staying
stays stayed home house apartment shelter located
`);
const PLACE_PREPOSITIONS = wordSet('in to from at near outside on');
const BARE_PREPOSITIONS = wordSet('in from at near');
/** First words of place names: "East Hadley", "Port Averill", "Mount Vernon". */
const PLACE_PREFIXES = wordSet('north south east west new old port fort mount mt lake glen saint st upper lower greater');

/** A Titlecase word in no list: not a name, not a common or clinical word, not a known place. */
function isUnlisted(t: Token): boolean {
  return (
    t.capitalised &&
    !t.allCaps &&
    !COMMON_WORDS.has(t.key) &&
    !CLINICAL_TERMS.has(t.key) &&
    !FIRST_NAMES.has(t.key) &&
    !SURNAMES.has(t.key) &&
    !COUNTRIES.has(t.key)
  );
}
/** Prepositions that, alone, make an ambiguous gazetteer word a place ("in Reading"). */
const PLACE_CUES = wordSet('in from to near at outside around of');
const FACILITY_WORDS = wordSet(`
hospital hospitals clinic clinics medical health healthcare nursing rehabilitation rehab pharmacy school
university college church shelter hospice manor village academy living residence practice associates
`);
const DEGREE_LIKE_CODES = new Set(['MD', 'DO', 'PA', 'OR', 'IN', 'ME', 'OK', 'HI']);

const BLANKS = /^[ \t]{1,3}$/;

/** Capitalised run starting at i, up to `max` words, stopping at ordinary/clinical words. Returns its length. */
function placeRun(text: string, tokens: readonly Token[], clinical: Uint8Array, i: number, max: number, strongCue = false): number {
  let count = 0;
  for (let k = i; k < tokens.length && count < max; k++, count++) {
    const t = tokens[k]!;
    if (k > i && !/^[ \t]{1,2}$|^-$/.test(text.slice(tokens[k - 1]!.end, t.start))) break;
    // After "works at" or "lives in" the words name a place even when one is clinical ("Carver Auto Body").
    if (!t.capitalised || clinical[k] || (CLINICAL_TERMS.has(t.key) && !(strongCue && k > i)) || COUNTRIES.has(t.key)) break;
    if (COMMON_WORDS.has(t.key) && !CITY_PHRASES.has(t.key)) break;
    if (STATE_PHRASES.has(t.key) && phraseAt(text, tokens, k, STATE_PHRASES.get(t.key)![0]!) > 0) break;
  }
  return count;
}

export function findLocations(text: string, tokens: readonly Token[], clinical: Uint8Array, out: Finding[]): void {
  const n = tokens.length;
  const emitRun = (i: number, count: number): void => {
    if (count > 0) out.push({ start: tokens[i]!.start, end: tokens[i + count - 1]!.end, type: 'location' });
  };

  for (let i = 0; i < n; i++) {
    const token = tokens[i]!;
    if (!token.capitalised || clinical[i]) continue;

    // Gazetteer: multi-word names and unambiguous single words anywhere; ambiguous ones after a cue.
    const phrases = CITY_PHRASES.get(token.key);
    if (phrases) {
      for (const keys of phrases) {
        const covered = phraseAt(text, tokens, i, keys);
        if (covered === 0) continue;
        const previous = tokens[i - 1];
        const cued = previous !== undefined && PLACE_CUES.has(previous.key) && BLANKS.test(text.slice(previous.end, token.start));
        const ambiguous = covered === 1 && (COMMON_WORDS.has(token.key) || token.key.length <= 3);
        if (!ambiguous || cued || /^,[ \t]*[A-Z]{2}\b/.test(text.slice(token.end, token.end + 5))) {
          emitRun(i, covered);
          break;
        }
      }
    }

    // "Springfield, MA" and "Millbrook, Vermont": the words before a state are a city.
    const next = tokens[i + 1];
    if (next && text.slice(token.end, next.start).match(/^,[ \t]{1,2}$/)) {
      const stateCode = next.allCaps && STATE_CODES.has(next.text);
      const stateName = STATE_PHRASES.has(next.key) && phraseAt(text, tokens, i + 1, STATE_PHRASES.get(next.key)![0]!) > 0;
      const zipAfter = /^[ \t]+\d{5}/.test(text.slice(next.end, next.end + 7));
      if ((stateCode && (!DEGREE_LIKE_CODES.has(next.text) || zipAfter)) || stateName) {
        // Walk back over up to three capitalised words.
        let first = i;
        while (first > i - 2 && first > 0 && BLANKS.test(text.slice(tokens[first - 1]!.end, tokens[first]!.start)) && tokens[first - 1]!.capitalised) first--;
        while (first <= i && placeRun(text, tokens, clinical, first, i - first + 1) !== i - first + 1) first++;
        if (first <= i) emitRun(first, i - first + 1);
      }
    }

    // Facilities: "Mercy General Hospital", "Lakeside Rehabilitation Center".
    if (FACILITY_WORDS.has(token.key) && i > 0) {
      let first = i;
      while (first > 0 && first > i - 4 && BLANKS.test(text.slice(tokens[first - 1]!.end, tokens[first]!.start)) && tokens[first - 1]!.capitalised && !clinical[first - 1]) first--;
      // "St. Brigid's", "Mt. Auburn": the abbreviation belongs to the name.
      const before = tokens[first - 1];
      if (before && /^(?:st|saint|mt|ft)$/.test(before.key) && /^\.?[ \t]{1,2}$/.test(text.slice(before.end, tokens[first]!.start))) first--;
      const words = tokens.slice(first, i);
      // "General Hospital" says nothing; "Mercy General Hospital" names one.
      if (words.length >= 2 || words.some((w) => !COMMON_WORDS.has(w.key) && !CLINICAL_TERMS.has(w.key))) {
        let last = i;
        while (last + 1 < n && last < i + 2 && tokens[last + 1]!.capitalised && BLANKS.test(text.slice(tokens[last]!.end, tokens[last + 1]!.start)) && COMMON_WORDS.has(tokens[last + 1]!.key)) last++;
        out.push({ start: tokens[first]!.start, end: tokens[last]!.end, type: 'location' });
      }
    }
  }

  // Cues: "lives in Millbrook", "moved to East Hadley", "works at Brightwater"; and after
  // a bare preposition, a run holding a word no list knows ("family in Larkspur Bay",
  // "seen at the Stonebridge urgent care").
  for (let i = 1; i + 1 < n; i++) {
    const prep = tokens[i]!;
    if (!PLACE_PREPOSITIONS.has(prep.key)) continue;
    let j = i + 1;
    if (tokens[j]!.key === 'the' && j + 1 < n) j++;
    if (!BLANKS.test(text.slice(tokens[j - 1]!.end, tokens[j]!.start))) continue;
    const strongCue = PLACE_VERBS.has(tokens[i - 1]!.key);
    const count = placeRun(text, tokens, clinical, j, 3, strongCue);
    if (count === 0) continue;
    const run = tokens.slice(j, j + count);
    const placeShaped = run.some(isUnlisted) || (count >= 2 && PLACE_PREFIXES.has(run[0]!.key));
    if (strongCue || (BARE_PREPOSITIONS.has(prep.key) && placeShaped)) {
      emitRun(j, count);
    }
  }
}
