/**
 * Recently read patient overviews, kept in memory and served again only while the patient's
 * revision is unchanged. The revision is moved by database triggers on every change to the
 * rows an overview is made of (migration 0004), whoever makes it: this process, another
 * server on the same database, the importer, or a DBA by hand. So a hit costs one indexed
 * read of the revision instead of six chart reads, and a change is seen on the very next call.
 *
 * What is cached is the stored rows, before policy and redaction: those run on every call,
 * for the caller's role, exactly as on a miss. Entries are deep-frozen, so nothing
 * downstream can alter what the next caller gets.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import { preparedQuery } from '../db/prepared.js';
import { deepFreeze } from '../frozen.js';
import { LruMap } from '../lru.js';
import type { Tables } from '../db/schema.js';
import { getPatientOverview, type PatientOverview } from './queries.js';

const revisionOf = preparedQuery(
  (db, { patientId }: { patientId: string }) => db.selectFrom('patient_revisions').select('revision').where('patient_id', '=', patientId),
  { patientId: '\u0000patient' },
);

/** A revision as stored (or null for none yet), as the text the cache compares. */
export function revisionFrom(raw: unknown): string {
  // PostgreSQL answers bigint as text, SQLite as a number: compared as text either way.
  return raw === undefined || raw === null ? '0' : String(raw);
}

/**
 * The patient's revision as a column of a query on `patients`, so a read the call makes
 * anyway (policy/relationships.ts) brings it along instead of a round trip of its own.
 */
export function chartRevisionColumn(eb: ExpressionBuilder<Tables, 'patients'>) {
  return eb.selectFrom('patient_revisions').select('patient_revisions.revision').whereRef('patient_revisions.patient_id', '=', 'patients.id');
}

/** The patient's chart revision; 0 until something first changes it. */
export async function chartRevision(db: Kysely<Tables>, patientId: string): Promise<string> {
  const [row] = await revisionOf(db, { patientId });
  return revisionFrom(row?.revision);
}

export interface OverviewReader {
  /**
   * The overview as stored now; undefined when there is no such patient. `revision`, when
   * given, is the patient's revision read earlier in the same call (it must be read before
   * the chart, see below); without it the revision is read here.
   */
  read(db: Kysely<Tables>, patientId: string, revision?: string): Promise<PatientOverview | undefined>;
  readonly stats: { readonly hits: number; readonly misses: number; readonly size: number };
}

/**
 * `maxEntries` bounds the memory (an overview is a few tens of kilobytes); 0 turns the cache
 * off, and every call reads the chart.
 */
export function createOverviewReader(maxEntries: number): OverviewReader {
  const entries = new LruMap<string, { revision: string; overview: PatientOverview }>(maxEntries);
  let hits = 0;
  let misses = 0;

  return {
    async read(db, patientId, knownRevision) {
      if (maxEntries === 0) return getPatientOverview(db, patientId);
      // The revision is read BEFORE the chart: a change committed in between leaves newer
      // rows under the older revision, which the next call's revision no longer matches.
      // The other order could keep older rows under a newer revision, and serve them.
      const revision = knownRevision ?? (await chartRevision(db, patientId));
      const cached = entries.get(patientId);
      if (cached !== undefined && cached.revision === revision) {
        hits += 1;
        return cached.overview;
      }
      misses += 1;
      const overview = await getPatientOverview(db, patientId);
      if (overview === undefined) {
        entries.delete(patientId);
        return undefined;
      }
      entries.set(patientId, { revision, overview: deepFreeze(overview) });
      return overview;
    },
    get stats() {
      return { hits, misses, size: entries.size };
    },
  };
}
