import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database.js';
import { openDatabase, type Database } from '../db/database.js';
import { nextTurn } from '../db/test-database.js';
import { generatePatient } from '../synthetic/index.js';
import type { Principal } from '../domain.js';
import { loadPatientRelationships } from '../policy/relationships.js';
import { chartRevision, createOverviewReader, revisionFrom } from './chart-cache.js';
import { getPatientOverview } from './queries.js';
import { insertPatientBundles } from './store.js';

let database: Database;
useTestDatabase((opened) => (database = opened));
/** A second connection to the same database: another server process, as far as SQL can tell. */
let other: Database;
const ids: string[] = [];

function secondHandle(db: Database): Database {
  if (db.sqlite) return openDatabase({ dataDir: dirname(db.sqlite.name) });
  const url = (db.pool as unknown as { options: { connectionString: string } }).options.connectionString;
  return openDatabase({ dataDir: tmpdir(), databaseUrl: url, poolSize: 2 });
}

beforeAll(async () => {
  const bundles = Array.from({ length: 12 }, (_, i) => generatePatient(7, i));
  await insertPatientBundles(database.db, bundles);
  ids.push(...bundles.map((b) => b.patient.id));
  other = secondHandle(database);
});

afterAll(async () => {
  await other?.close();
});

describe('chart revisions (migration 0004 triggers)', () => {
  it('move on insert, update and delete in every table an overview is read from', async () => {
    const id = ids[0] as string;
    const db = database.db;
    const at = '2026-11-01T00:00:00.000Z';
    let last = await chartRevision(db, id);
    const expectMoved = async (what: string) => {
      const now = await chartRevision(db, id);
      expect(now, what).not.toBe(last);
      last = now;
    };
    // Another patient's chart must not move with this one's.
    const bystander = ids[1] as string;
    const bystanderBefore = await chartRevision(db, bystander);

    await db.updateTable('patients').set({ phone: '555-0100' }).where('id', '=', id).execute();
    await expectMoved('patients update');

    const rows = {
      patient_contacts: { id: `${id}-rev-c`, patient_id: id, relationship: 'sibling', name: 'Sam Doe', phone: null },
      conditions: { id: `${id}-rev-cond`, patient_id: id, encounter_id: null, system: 'snomed', code: '38341003', display: 'Hypertension', clinical_status: 'active', onset_at: at, abatement_at: null },
      medications: { id: `${id}-rev-med`, patient_id: id, encounter_id: null, rxnorm_code: null, display: 'Lisinopril 10 MG', dosage: null, status: 'active', authored_at: at, prescriber_name: null },
      allergies: { id: `${id}-rev-all`, patient_id: id, code: null, display: 'Latex', category: 'environment', criticality: 'high', reaction: 'hives', status: 'active', recorded_at: at },
      observations: { id: `${id}-rev-obs`, patient_id: id, encounter_id: null, category: 'vital-signs', code: '8867-4', display: 'Heart rate', value_num: 72, value_text: null, unit: '/min', ref_low: null, ref_high: null, effective_at: at },
    } as const;
    for (const [table, row] of Object.entries(rows) as Array<[keyof typeof rows, (typeof rows)[keyof typeof rows]]>) {
      await db.insertInto(table).values(row as never).execute();
      await expectMoved(`${table} insert`);
      const change = table === 'patient_contacts' ? { name: 'Sam Roe' } : { display: 'changed' };
      await db.updateTable(table).set(change as never).where('id', '=', row.id).execute();
      await expectMoved(`${table} update`);
      await db.deleteFrom(table).where('id', '=', row.id).execute();
      await expectMoved(`${table} delete`);
    }
    expect(await chartRevision(db, bystander)).toBe(bystanderBefore);
  });

  it('move both charts when a row is moved from one patient to another', async () => {
    const [, from, to] = ids as [string, string, string];
    const db = database.db;
    const [row] = await db.selectFrom('observations').select('id').where('patient_id', '=', from).limit(1).execute();
    const before = [await chartRevision(db, from), await chartRevision(db, to)];
    await db.updateTable('observations').set({ patient_id: to }).where('id', '=', row?.id as string).execute();
    expect(await chartRevision(db, from)).not.toBe(before[0]);
    expect(await chartRevision(db, to)).not.toBe(before[1]);
  });
});

describe('createOverviewReader', () => {
  it('serves a repeat read from memory, and a change made through another connection at the next read', async () => {
    const id = ids[3] as string;
    const reader = createOverviewReader(10);
    const first = await reader.read(database.db, id);
    const second = await reader.read(database.db, id);
    expect(second).toBe(first);
    expect(reader.stats).toMatchObject({ hits: 1, misses: 1 });

    // Another process adds an allergy: the next read after it must show it, not the cached chart
    // (on SQLite the reads of one turn share a snapshot, so "after" means from the next turn).
    await other.db
      .insertInto('allergies')
      .values({ id: `${id}-a-new`, patient_id: id, code: null, display: 'Latex', category: 'environment', criticality: 'high', reaction: 'hives', status: 'active', recorded_at: '2026-11-01T00:00:00.000Z' })
      .execute();
    await nextTurn();
    const third = await reader.read(database.db, id);
    expect(third?.allergies.map((a) => a.id)).toContain(`${id}-a-new`);
    expect(third).toEqual(await getPatientOverview(database.db, id));
    expect(reader.stats).toMatchObject({ hits: 1, misses: 2 });
  });

  it('is read with the relationships (one statement), equal to its own read, and moves with a change', async () => {
    const id = ids[5] as string;
    const caller: Principal = { userId: '999', role: 'doctor', jti: 'test', exp: 0 };
    const first = await loadPatientRelationships(database.db, caller, id);
    expect(first.chartRevision).toBe(await chartRevision(database.db, id));
    const reader = createOverviewReader(10);
    const cached = await reader.read(database.db, id, first.chartRevision);
    expect(await reader.read(database.db, id, first.chartRevision)).toBe(cached);

    await other.db
      .insertInto('allergies')
      .values({ id: `${id}-a-rel`, patient_id: id, code: null, display: 'Penicillin', category: 'medication', criticality: 'high', reaction: 'rash', status: 'active', recorded_at: '2026-11-02T00:00:00.000Z' })
      .execute();
    await nextTurn();
    const second = await loadPatientRelationships(database.db, caller, id);
    expect(second.chartRevision).not.toBe(first.chartRevision);
    expect(second.chartRevision).toBe(await chartRevision(database.db, id));
    expect((await reader.read(database.db, id, second.chartRevision))?.allergies.map((a) => a.id)).toContain(`${id}-a-rel`);

    expect((await loadPatientRelationships(database.db, caller, 'NO-SUCH-PATIENT')).chartRevision).toBeUndefined();
    expect([revisionFrom(null), revisionFrom(undefined), revisionFrom(7), revisionFrom('7')]).toEqual(['0', '0', '7', '7']);
  });

  it('hands out frozen charts, so no caller can change what the next one reads', async () => {
    const reader = createOverviewReader(10);
    const overview = await reader.read(database.db, ids[4] as string);
    expect(() => {
      (overview as { patient: { given_name: string } }).patient.given_name = 'Mallory';
    }).toThrow(TypeError);
    expect(() => (overview?.conditions as unknown[]).push({})).toThrow(TypeError);
    expect((await reader.read(database.db, ids[4] as string))?.patient.given_name).not.toBe('Mallory');
  });

  it('keeps at most maxEntries charts, dropping the least recently read; 0 keeps none', async () => {
    const reader = createOverviewReader(2);
    const [a, b, c] = ids.slice(3) as [string, string, string];
    await reader.read(database.db, a);
    await reader.read(database.db, b);
    await reader.read(database.db, a); // a is now the most recent
    await reader.read(database.db, c); // evicts b
    expect(reader.stats.size).toBe(2);
    await reader.read(database.db, a);
    await reader.read(database.db, b);
    expect(reader.stats).toMatchObject({ hits: 2, misses: 4 });

    const off = createOverviewReader(0);
    await off.read(database.db, a);
    const again = await off.read(database.db, a);
    expect(off.stats).toMatchObject({ hits: 0, size: 0 });
    expect(again).toEqual(await getPatientOverview(database.db, a));
    expect(() => createOverviewReader(-1)).toThrow(RangeError);
  });

  it('answers undefined for a patient that does not exist, and does not remember it', async () => {
    const reader = createOverviewReader(10);
    expect(await reader.read(database.db, 'P-none')).toBeUndefined();
    expect(reader.stats.size).toBe(0);
  });
});
