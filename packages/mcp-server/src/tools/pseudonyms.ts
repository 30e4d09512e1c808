/**
 * Researchers address patients by the pseudonym they were shown, never by the real id
 * (that would let them link de-identified rows back to a person). A pseudonym is a keyed
 * HMAC and cannot be reversed, so the id behind one is found by computing the pseudonyms of
 * the patients we have: once per patient, kept in memory, refreshed when patients are added.
 */
import type { Database } from '@secure-hospital-ai/core/db/database';
import { isPseudonym, pseudonymFor } from '@secure-hospital-ai/core/redaction/pseudonym';

export interface PseudonymDirectory {
  pseudonymOf(patientId: string): string;
  /** The real id behind a pseudonym, or undefined when it names no patient. */
  resolve(pseudonym: string): Promise<string | undefined>;
  /**
   * Every patient's id, in the order of their pseudonyms: the order a de-identified listing
   * goes in, since one in id order would tell the n-th pseudonym's real id (P00n).
   */
  idsInPseudonymOrder(): Promise<readonly string[]>;
}

export function createPseudonymDirectory(database: Database, key: string): PseudonymDirectory {
  const byPseudonym = new Map<string, string>();
  const known = new Set<string>();
  let refreshing: Promise<void> | undefined;
  /** Sorted anew only after patients were added. */
  let ordered: { size: number; ids: readonly string[] } = { size: 0, ids: [] };

  function refreshOnce(): Promise<void> {
    refreshing ??= refresh().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  async function refresh(): Promise<void> {
    // Patients are never deleted, so a count equal to what we hold means nothing is new and a
    // miss is final: an unknown pseudonym costs one cheap count, not a scan of every id.
    const { count } = await database.db
      .selectFrom('patients')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    if (Number(count) === known.size) return;
    const rows = await database.db.selectFrom('patients').select('id').execute();
    for (const { id } of rows) {
      if (known.has(id)) continue;
      known.add(id);
      byPseudonym.set(pseudonymFor(id, key), id);
    }
  }

  return {
    pseudonymOf: (patientId) => pseudonymFor(patientId, key),
    async resolve(pseudonym) {
      if (!isPseudonym(pseudonym)) return undefined;
      const hit = byPseudonym.get(pseudonym);
      if (hit !== undefined) return hit;
      await refreshOnce();
      return byPseudonym.get(pseudonym);
    },
    async idsInPseudonymOrder() {
      await refreshOnce();
      if (ordered.size !== byPseudonym.size) {
        const pairs = [...byPseudonym].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        ordered = { size: pairs.length, ids: pairs.map(([, id]) => id) };
      }
      return ordered.ids;
    },
  };
}
