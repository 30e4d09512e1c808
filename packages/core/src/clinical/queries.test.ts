import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { PatientRow } from '../records.js';
import { demoPatientBundles, generatePatient } from '../synthetic/index.js';
import {
  classifyQuery,
  getClinicalNotes,
  getMedications,
  getObservations,
  getPatientOverview,
  listEncounters,
  searchPatients,
  type PatientFilter,
  type PatientSearchOptions,
} from './queries.js';
import { insertPatientBundles, type PatientBundle } from './store.js';

let database: Database;
useTestDatabase((opened) => (database = opened));
const bundles: PatientBundle[] = [];

function named(index: number, given: string, family: string, birthDate?: string): PatientBundle {
  const bundle = generatePatient(99, index);
  bundle.patient.given_name = given;
  bundle.patient.family_name = family;
  if (birthDate) bundle.patient.birth_date = birthDate;
  return bundle;
}

beforeAll(async () => {
  bundles.push(...demoPatientBundles());
  for (let i = 0; i < 400; i += 1) bundles.push(generatePatient(99, i));
  bundles.push(
    named(1001, 'John', 'Smith', '1990-01-02'),
    named(1002, 'Johnny', 'Smithers', '1990-01-02'),
    named(1003, 'Jo', 'Smyth'),
    named(1004, 'Smith', 'Jones'),
    named(1005, 'Maria', 'De La Cruz'),
    named(1006, 'Ann', 'Delacroix'),
    named(1007, 'Mary Ann', 'Smith'),
  );
  await insertPatientBundles(database.db, bundles);
});


const lc = (p: PatientRow) => [p.family_name.toLowerCase(), p.given_name.toLowerCase(), p.id] as const;

function byName(a: PatientRow, b: PatientRow): number {
  const [x, y] = [lc(a), lc(b)];
  for (let i = 0; i < 3; i += 1) if (x[i] !== y[i]) return (x[i] as string) < (y[i] as string) ? -1 : 1;
  return 0;
}

/** What a search should find, computed from the rows we inserted. */
function oracle(match: (p: PatientRow) => boolean): string[] {
  return bundles.map((b) => b.patient).filter(match).sort(byName).map((p) => p.id);
}

async function allPages(options: PatientSearchOptions): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 200; page += 1) {
    const result = await searchPatients(database.db, { ...options, cursor });
    ids.push(...result.patients.map((p) => p.id));
    cursor = result.next_cursor;
    if (!cursor) return ids;
    expect(result.patients.length).toBe(options.limit ?? 20);
  }
  throw new Error('pagination did not end');
}

async function rejects(promise: Promise<unknown>, detail: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe('ERR_VALIDATION');
  expect((error as AppError).detail).toMatch(detail);
}

describe('classifyQuery', () => {
  it('reads dates, MRNs and names', () => {
    expect(classifyQuery(' 1990-01-02 ')).toEqual({ kind: 'birth_date', value: '1990-01-02' });
    expect(classifyQuery('1/2/1990')).toEqual({ kind: 'birth_date', value: '1990-01-02' });
    expect(classifyQuery('mrn-0004821')).toEqual({ kind: 'mrn', values: ['mrn-0004821', 'MRN-0004821'] });
    expect(classifyQuery('Smith, Jo')).toEqual({ kind: 'name', branches: [{ family: 'smith', given: 'jo' }] });
    expect(classifyQuery('smi')).toEqual({ kind: 'name', branches: [{ family: 'smi' }, { given: 'smi' }] });
  });
});

describe('searchPatients', () => {
  it('finds a family- or given-name prefix, in name order, across pages', async () => {
    for (const query of ['smi', 'J', 'de', "o'b", 'ma']) {
      const q = query.toLowerCase();
      const expected = oracle((p) => p.family_name.toLowerCase().startsWith(q) || p.given_name.toLowerCase().startsWith(q));
      expect(expected.length).toBeGreaterThan(0);
      expect(await allPages({ query, limit: 7 })).toEqual(expected);
    }
  });

  it('reads "family, given" and "given family"', async () => {
    expect(await allPages({ query: 'Smith, Jo', limit: 3 })).toEqual(
      oracle((p) => p.family_name.toLowerCase().startsWith('smith') && p.given_name.toLowerCase().startsWith('jo')),
    );
    const johnSmith = await allPages({ query: 'john smith' });
    expect(johnSmith).toContain(bundles.find((b) => b.patient.given_name === 'John' && b.patient.family_name === 'Smith')?.patient.id);
    expect(johnSmith).toContain(bundles.find((b) => b.patient.given_name === 'Johnny')?.patient.id);
    expect(johnSmith).not.toContain(bundles.find((b) => b.patient.given_name === 'Jo' && b.patient.family_name === 'Smyth')?.patient.id);
    // Multi-word family names and given names.
    const deLaCruz = await allPages({ query: 'De La Cruz' });
    expect(deLaCruz).toContain(bundles.find((b) => b.patient.family_name === 'De La Cruz')?.patient.id);
    expect(await allPages({ query: 'Mary Ann Smith' })).toContain(bundles.find((b) => b.patient.given_name === 'Mary Ann')?.patient.id);
  });

  it('matches an MRN exactly, case-insensitively for the prefix', async () => {
    const p1 = await searchPatients(database.db, { query: 'mrn-0004821' });
    expect(p1.matched_by).toBe('mrn');
    expect(p1.patients.map((p) => p.id)).toEqual(['P001']);
    expect((await searchPatients(database.db, { query: 'MRN-000482' })).patients).toEqual([]);
  });

  it('matches a birth date exactly', async () => {
    const result = await searchPatients(database.db, { query: '1990-01-02' });
    expect(result.matched_by).toBe('birth_date');
    expect(result.patients.map((p) => p.id)).toEqual(oracle((p) => p.birth_date === '1990-01-02'));
    expect(result.patients.length).toBeGreaterThanOrEqual(2);
  });

  it('returns demographics only, without the internal columns', async () => {
    const [row] = (await searchPatients(database.db, { query: 'MRN-0004821' })).patients;
    expect(Object.keys(row ?? {}).sort()).toEqual(
      ['address_line', 'birth_date', 'city', 'deceased_at', 'email', 'family_name', 'given_name', 'id', 'mrn', 'phone', 'postal_code', 'sex', 'ssn', 'state'].sort(),
    );
  });

  it('applies the policy filter inside the query, so pages and cursors hold allowed rows only', async () => {
    const allowed = new Set(bundles.filter((_, i) => i % 5 === 0).map((b) => b.patient.id));
    const restrictTo: PatientFilter = (eb) => eb('id', 'in', [...allowed]);
    const found = await allPages({ query: 'm', limit: 4, restrictTo });
    const expected = oracle((p) => allowed.has(p.id) && (p.family_name.toLowerCase().startsWith('m') || p.given_name.toLowerCase().startsWith('m')));
    expect(found).toEqual(expected);
    expect(found.length).toBeGreaterThan(4);
    // A cursor names a row the caller saw; continuing from it never yields another.
    const first = await searchPatients(database.db, { query: 'm', limit: 4, restrictTo });
    const cursorKey = JSON.parse(Buffer.from(first.next_cursor as string, 'base64url').toString()) as { k: string[] };
    expect(allowed.has(cursorKey.k[2] as string)).toBe(true);
    // A filter that matches nothing returns nothing, whatever the query.
    expect((await searchPatients(database.db, { query: 'MRN-0004821', restrictTo: (eb) => eb('id', '=', 'nobody') })).patients).toEqual([]);
  });

  it('seals cursors when given a key, and refuses tampered or foreign ones', async () => {
    const cursorKey = 'test-cursor-key';
    const first = await searchPatients(database.db, { query: 'j', limit: 5, cursorKey });
    const cursor = first.next_cursor as string;
    // Sealed: neither the last row's names nor its id can be read from it (a plain cursor
    // carries all three). Checked against the row itself, not a letter pattern, which random
    // ciphertext matches now and then.
    const last = first.patients.at(-1) as PatientRow;
    const opened = Buffer.from(cursor, 'base64url').toString('latin1');
    for (const secret of [last.family_name.toLowerCase(), last.given_name.toLowerCase(), last.id]) expect(opened).not.toContain(secret);
    const plainCursor = (await searchPatients(database.db, { query: 'j', limit: 5 })).next_cursor as string;
    expect(Buffer.from(plainCursor, 'base64url').toString('utf8')).toContain(last.family_name.toLowerCase());
    const second = await searchPatients(database.db, { query: 'j', limit: 5, cursorKey, cursor });
    expect(second.patients[0]?.id).toBe((await allPages({ query: 'j', limit: 5 }))[5]);
    const tampered = `${cursor.slice(0, -2)}${cursor.at(-2) === 'A' ? 'B' : 'A'}${cursor.slice(-1)}`;
    await rejects(searchPatients(database.db, { query: 'j', cursorKey, cursor: tampered }), /cursor is invalid/);
    await rejects(searchPatients(database.db, { query: 'j', cursor }), /cursor is invalid/);
    const plain = (await searchPatients(database.db, { query: 'j', limit: 5 })).next_cursor as string;
    await rejects(searchPatients(database.db, { query: 'k', cursor: plain }), /different query/);
  });

  it('refuses bad input clearly', async () => {
    await rejects(searchPatients(database.db, { query: '   ' }), /query is empty/);
    await rejects(searchPatients(database.db, { query: 'x'.repeat(101) }), /longer than 100/);
    await rejects(searchPatients(database.db, { query: 'smith', limit: 0 }), /limit/);
    await rejects(searchPatients(database.db, { query: 'smith', limit: 101 }), /limit/);
    await rejects(searchPatients(database.db, { query: '2026-02-30' }), /not a valid date/);
    await rejects(searchPatients(database.db, { query: 'smith', cursor: '%%%' }), /cursor is invalid/);
  });
});

describe('getPatientOverview', () => {
  it("gathers P001's demographics, active problems, medications, allergies and latest vitals", async () => {
    const p1 = bundles[0] as PatientBundle;
    const overview = await getPatientOverview(database.db, 'P001');
    expect(overview).toBeDefined();
    if (!overview) return;
    const { source: _source, ...demographics } = p1.patient;
    expect(overview.patient).toEqual(demographics);
    expect(overview.contacts.map((c) => c.name).sort()).toEqual(p1.contacts.map((c) => c.name).sort());
    expect(overview.conditions.map((c) => c.id).sort()).toEqual(p1.conditions.filter((c) => c.clinical_status === 'active').map((c) => c.id).sort());
    expect(overview.medications.map((m) => m.id).sort()).toEqual(p1.medications.filter((m) => m.status === 'active').map((m) => m.id).sort());
    expect(overview.allergies.length).toBe(p1.allergies.length);
    const latest = new Map<string, string>();
    for (const o of p1.observations.filter((x) => x.category === 'vital-signs')) {
      const seen = latest.get(o.code);
      const current = seen ? p1.observations.find((x) => x.id === seen) : undefined;
      if (!current || o.effective_at > current.effective_at || (o.effective_at === current.effective_at && o.id > current.id)) latest.set(o.code, o.id);
    }
    expect(overview.latest_vitals.map((o) => o.id).sort()).toEqual([...latest.values()].sort());
    expect(new Set(overview.latest_vitals.map((o) => o.code)).size).toBe(overview.latest_vitals.length);
    expect(overview.latest_vitals.every((o) => o.effective_at.startsWith('2026-11-18'))).toBe(true);
  });

  it('answers undefined for a patient that does not exist', async () => {
    expect(await getPatientOverview(database.db, 'P999')).toBeUndefined();
  });
});

describe('chart reads', () => {
  const p1 = () => bundles[0] as PatientBundle;

  it('lists encounters newest first', async () => {
    const encounters = await listEncounters(database.db, { patient_id: 'P001' });
    expect(encounters.map((e) => e.id)).toEqual([...p1().encounters].sort((a, b) => (a.start_at < b.start_at ? 1 : -1)).map((e) => e.id));
  });

  it('filters observations by category, code and time', async () => {
    const labs = await getObservations(database.db, { patient_id: 'P001', category: 'laboratory' });
    expect(labs.length).toBe(p1().observations.filter((o) => o.category === 'laboratory').length);
    expect(labs.every((o) => o.category === 'laboratory')).toBe(true);
    const heart = await getObservations(database.db, { patient_id: 'P001', code: '8867-4' });
    expect(heart.length).toBe(p1().encounters.length);
    for (let i = 1; i < heart.length; i += 1) expect((heart[i - 1] as { effective_at: string }).effective_at >= (heart[i] as { effective_at: string }).effective_at).toBe(true);
    const recent = await getObservations(database.db, { patient_id: 'P001', since: '2026-11-01' });
    expect(recent.length).toBe(p1().observations.filter((o) => o.effective_at >= '2026-11-01').length);
    expect(recent.length).toBeGreaterThan(0);
    expect((await getObservations(database.db, { patient_id: 'P001', limit: 3 })).length).toBe(3);
    await rejects(getObservations(database.db, { patient_id: 'P001', since: 'yesterday' }), /since/);
  });

  it('returns medications and notes', async () => {
    expect((await getMedications(database.db, { patient_id: 'P001' })).length).toBe(p1().medications.length);
    expect((await getMedications(database.db, { patient_id: 'P001', status: 'active' })).every((m) => m.status === 'active')).toBe(true);
    const notes = await getClinicalNotes(database.db, { patient_id: 'P001' });
    expect(notes.map((n) => n.id).sort()).toEqual(p1().notes.map((n) => n.id).sort());
    expect((await getClinicalNotes(database.db, { patient_id: 'P001', limit: 1 }))[0]?.created_at).toBe(
      [...p1().notes].sort((a, b) => (a.created_at < b.created_at ? 1 : -1))[0]?.created_at,
    );
    const since = await getClinicalNotes(database.db, { patient_id: 'P001', since: '2026-11-18T00:00:00Z' });
    expect(since.every((n) => n.created_at >= '2026-11-18T00:00:00.000Z')).toBe(true);
  });
});
