import { foldWord } from '../fold.js';

/**
 * Data files are written as whitespace-separated words; this turns them into lowercase sets,
 * each word also as the detectors read it (fold.ts: "josé" as "jose" too).
 */
export function wordSet(...lists: string[]): Set<string> {
  const set = new Set<string>();
  for (const list of lists) {
    for (const word of list.split(/\s+/)) {
      if (!word) continue;
      set.add(word.toLowerCase());
      set.add(foldWord(word.toLowerCase()));
    }
  }
  return set;
}

/** Multi-word entries are separated by `|` (e.g. "Bell's palsy|Glasgow Coma Scale"). */
export function phraseList(list: string): string[] {
  return list
    .split('|')
    .map((p) => p.trim().replace(/\s+/g, ' '))
    .filter((p) => p.length > 0);
}
