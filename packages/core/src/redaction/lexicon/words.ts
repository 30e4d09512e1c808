/** Data files are written as whitespace-separated words; this turns them into lowercase sets. */
export function wordSet(...lists: string[]): Set<string> {
  const set = new Set<string>();
  for (const list of lists) for (const word of list.split(/\s+/)) if (word) set.add(word.toLowerCase());
  return set;
}

/** Multi-word entries are separated by `|` (e.g. "Bell's palsy|Glasgow Coma Scale"). */
export function phraseList(list: string): string[] {
  return list
    .split('|')
    .map((p) => p.trim().replace(/\s+/g, ' '))
    .filter((p) => p.length > 0);
}
