import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database.js';
import type { Database } from '../db/database.js';
import { importBundle, importBundleFile, patientRowId } from './index.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const FILES = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => join(FIXTURES, f));

type Json = Record<string, unknown>;
interface Entry {
  fullUrl?: string;
  resource: Json & { resourceType: string; id: string };
}
interface Bundle {
  resourceType: string;
  type: string;
  entry: Entry[];
}

const TABLES = ['patients', 'patient_contacts', 'encounters', 'observations', 'medications', 'allergies', 'conditions', 'clinical_notes', 'import_sources'] as const;
type Table = (typeof TABLES)[number];

let database: Database;
useTestDatabase((opened) => (database = opened));
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'shai-fhir-'));
});

afterAll(async () => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function load(file: string): Bundle {
  return JSON.parse(readFileSync(file, 'utf8')) as Bundle;
}

function patientOf(bundle: Bundle): Entry['resource'] {
  const patient = bundle.entry.find((e) => e.resource.resourceType === 'Patient');
  if (!patient) throw new Error('fixture without a Patient');
  return patient.resource;
}

/** Rows each table should get from a bundle, counted from the resources themselves. */
function expectedRows(bundle: Bundle): Record<Table, number> {
  const of = (type: string) => bundle.entry.filter((e) => e.resource.resourceType === type).map((e) => e.resource);
  const observationRows = of('Observation').reduce((n, o) => {
    const components = (o.component as unknown[] | undefined)?.length ?? 0;
    const hasValue = Object.keys(o).some((k) => k.startsWith('value'));
    return n + (components > 0 ? components + (hasValue ? 1 : 0) : 1);
  }, 0);
  const textAttachments = (items: unknown[] | undefined) =>
    (items ?? []).filter((a) => String((a as Json).contentType ?? 'text/plain').startsWith('text/') && (a as Json).data).length;
  const notes =
    of('DocumentReference').reduce((n, d) => n + textAttachments((d.content as Json[] | undefined)?.map((c) => c.attachment)), 0) +
    of('DiagnosticReport').reduce((n, d) => n + textAttachments(d.presentedForm as unknown[] | undefined), 0);
  return {
    patients: 1,
    patient_contacts: of('Patient').reduce((n, p) => n + ((p.contact as unknown[] | undefined)?.length ?? 0), 0),
    encounters: of('Encounter').length,
    observations: observationRows,
    medications: of('MedicationRequest').length,
    allergies: of('AllergyIntolerance').length,
    conditions: of('Condition').length,
    clinical_notes: notes,
    import_sources: 1,
  };
}

async function countsFor(patientId: string): Promise<Record<Table, number>> {
  const out = {} as Record<Table, number>;
  for (const table of TABLES) {
    const column = table === 'patients' ? 'id' : 'patient_id';
    const row = await database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(column as never, '=', patientId as never)
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

async function totals(): Promise<Record<Table, number>> {
  const out = {} as Record<Table, number>;
  for (const table of TABLES) {
    const row = await database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

function write(name: string, bundle: unknown): string {
  const file = join(tmp, name);
  writeFileSync(file, JSON.stringify(bundle, null, 2));
  return file;
}

/** A copy of a fixture as a different patient, so it can be imported (or refused) afresh. */
function asNewPatient(file: string, fhirId: string): Bundle {
  const bundle = load(file);
  patientOf(bundle).id = fhirId;
  return bundle;
}

describe('importBundleFile on Synthea bundles', () => {
  it('stores one row per resource (one per component for blood pressure), for each sample', async () => {
    expect(FILES.length).toBeGreaterThanOrEqual(3);
    for (const file of FILES) {
      const bundle = load(file);
      const expected = expectedRows(bundle);
      const result = await importBundleFile(database.db, file);
      expect(result.status, result.reason).toBe('imported');
      expect(result.patientsImported).toBe(1);
      const patientId = patientRowId(patientOf(bundle).id);
      expect(await countsFor(patientId)).toEqual(expected);
      expect(result.rows).toEqual(Object.fromEntries(Object.entries(expected).filter(([, n]) => n > 0)));
      expect(result.entries).toBe(bundle.entry.length);
      expect(result.ignored.Claim).toBe(bundle.entry.filter((e) => e.resource.resourceType === 'Claim').length);
    }
  });

  it('maps identifiers, address and blood-pressure components faithfully', async () => {
    const bundle = load(FILES.find((f) => f.includes('Octavio')) as string);
    const fhirPatient = patientOf(bundle);
    const patientId = patientRowId(fhirPatient.id);
    const patient = await database.db.selectFrom('patients').selectAll().where('id', '=', patientId).executeTakeFirstOrThrow();
    expect(patient).toMatchObject({
      mrn: '5fd6d71b-62ba-457c-833b-9c73e0215a1f',
      ssn: '999-42-1186',
      given_name: 'Octavio',
      family_name: 'Dickens',
      family_name_lc: 'dickens',
      birth_date: '1997-03-03',
      sex: 'male',
      phone: '555-803-8102',
      address_line: '125 Wiegand Corner Unit 32',
      city: 'Northampton',
      state: 'MA',
      postal_code: '01053',
      source: 'fhir',
    });
    const bp = bundle.entry.find((e) => e.resource.resourceType === 'Observation' && e.resource.component)?.resource as Json;
    const rows = await database.db.selectFrom('observations').selectAll().where('id', 'like', `${patientId}-O-${String(bp.id)}-%`).orderBy('id').execute();
    expect(rows.map((r) => r.code).sort()).toEqual(['8462-4', '8480-6']);
    expect(rows.every((r) => r.unit === 'mm[Hg]' && typeof r.value_num === 'number' && r.category === 'vital-signs')).toBe(true);
    const allergy = await database.db.selectFrom('allergies').selectAll().where('patient_id', '=', patientId).orderBy('id').executeTakeFirstOrThrow();
    expect(allergy).toMatchObject({ category: 'food', criticality: 'low' });
    expect(['active', 'inactive', 'resolved']).toContain(allergy.status);
    const encounter = await database.db.selectFrom('encounters').selectAll().where('patient_id', '=', patientId).orderBy('start_at').executeTakeFirstOrThrow();
    expect(encounter.provider_name).toMatch(/^Dr\. /);
    expect(encounter.location).toBeTruthy();
  });

  it('is idempotent: importing the same bundles again changes nothing', async () => {
    const before = await totals();
    for (const file of FILES) {
      const result = await importBundleFile(database.db, file);
      expect(result.status).toBe('skipped');
      expect(result.patientsSkipped).toBe(1);
      expect(result.rows).toEqual({});
    }
    expect(await totals()).toEqual(before);
  });
});

describe('importBundle: references, notes, bundle kinds', () => {
  it('resolves references to resources later in the bundle, and imports notes', async () => {
    const text = 'Pt seen with daughter Jane; call 413-555-0199.';
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          fullUrl: 'urn:uuid:00000000-0000-4000-8000-000000000003',
          resource: {
            resourceType: 'Observation',
            id: 'obs-1',
            status: 'final',
            category: [{ coding: [{ code: 'vital-signs' }] }],
            code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
            subject: { reference: 'Patient/fwd-patient' },
            encounter: { reference: 'urn:uuid:00000000-0000-4000-8000-000000000002' },
            effectiveDateTime: '2026-01-02T10:00:00+01:00',
            valueQuantity: { value: 72, unit: '/min' },
            referenceRange: [{ low: { value: 60 }, high: { value: 100 } }],
          },
        },
        {
          resource: {
            resourceType: 'DocumentReference',
            id: 'doc-1',
            status: 'current',
            type: { coding: [{ system: 'http://loinc.org', code: '34748-4' }] },
            subject: { reference: 'Patient/fwd-patient' },
            date: '2026-01-02T11:00:00Z',
            author: [{ reference: 'Practitioner/pr-1' }],
            content: [
              { attachment: { contentType: 'text/plain', data: Buffer.from(text).toString('base64') } },
              { attachment: { contentType: 'application/pdf', data: 'JVBERi0=' } },
            ],
            context: { encounter: [{ reference: 'urn:uuid:00000000-0000-4000-8000-000000000002' }] },
          },
        },
        {
          fullUrl: 'urn:uuid:00000000-0000-4000-8000-000000000002',
          resource: {
            resourceType: 'Encounter',
            id: 'enc-1',
            status: 'finished',
            class: { code: 'AMB' },
            subject: { reference: 'Patient/fwd-patient' },
            period: { start: '2026-01-02T09:45:00Z' },
          },
        },
        { resource: { resourceType: 'Practitioner', id: 'pr-1', name: [{ prefix: ['Dr.'], given: ['Ada'], family: 'Quinn' }] } },
        {
          resource: {
            resourceType: 'Patient',
            id: 'fwd-patient',
            identifier: [{ type: { coding: [{ code: 'MR' }] }, value: 'MRN-FWD-1' }],
            name: [{ family: 'Forward', given: ['Fiona'] }],
            birthDate: '1970-05',
            gender: 'female',
            contact: [{ relationship: [{ text: 'daughter' }], name: { given: ['Jane'], family: 'Forward' }, telecom: [{ system: 'phone', value: '413-555-0199' }] }],
          },
        },
      ],
    };
    const result = await importBundle(database.db, JSON.stringify(bundle));
    expect(result.status, result.reason).toBe('imported');
    const patientId = patientRowId('fwd-patient');
    const obs = await database.db.selectFrom('observations').selectAll().where('patient_id', '=', patientId).executeTakeFirstOrThrow();
    expect(obs).toMatchObject({
      encounter_id: `${patientId}-E-enc-1`,
      effective_at: '2026-01-02T09:00:00.000Z',
      value_num: 72,
      ref_low: 60,
      ref_high: 100,
    });
    const notes = await database.db.selectFrom('clinical_notes').selectAll().where('patient_id', '=', patientId).execute();
    expect(notes).toEqual([
      expect.objectContaining({ text, note_type: 'phone', author_name: 'Dr. Ada Quinn', encounter_id: `${patientId}-E-enc-1` }),
    ]);
    const patient = await database.db.selectFrom('patients').select(['birth_date', 'mrn']).where('id', '=', patientId).executeTakeFirstOrThrow();
    expect(patient).toEqual({ birth_date: '1970-05-01', mrn: 'MRN-FWD-1' });
    expect(await countsFor(patientId)).toMatchObject({ patient_contacts: 1 });
  });

  it('refuses what is not a Bundle, or a bundle without a patient', async () => {
    expect((await importBundle(database.db, '{"resourceType": "Patient", "id": "x"}')).reason).toBe('not a FHIR Bundle: resourceType is Patient');
    expect((await importBundle(database.db, '{"resourceType": "Bundle", "type": "history", "entry": []}')).reason).toBe(
      'line 1: Bundle.type must be one of transaction, batch, collection, searchset',
    );
    expect((await importBundle(database.db, '{"resourceType": "Bundle", "type": "collection", "entry": []}')).reason).toBe('the bundle holds no Patient');
  });
});

describe('importBundle refuses a broken bundle and stores nothing of it', () => {
  const base = () => FILES.find((f) => f.includes('Luigi')) as string;

  async function expectRefused(file: string, reason: RegExp | string): Promise<void> {
    const before = await totals();
    const result = await importBundleFile(database.db, file);
    expect(result.status).toBe('refused');
    if (typeof reason === 'string') expect(result.reason).toBe(reason);
    else expect(result.reason).toMatch(reason);
    expect(result.rows).toEqual({});
    expect(await totals()).toEqual(before);
  }

  it('invalid JSON in the middle: names the line', async () => {
    const bundle = asNewPatient(base(), 'broken-json');
    const text = JSON.stringify(bundle, null, 2);
    const target = bundle.entry.findIndex((e, i) => i > bundle.entry.length / 2 && e.resource.resourceType === 'Observation');
    const marker = `"id": "${bundle.entry[target]?.resource.id}"`;
    const at = text.indexOf(marker);
    const broken = `${text.slice(0, at)}"id": tru,${text.slice(at)}`;
    const line = text.slice(0, at).split('\n').length;
    const file = join(tmp, 'broken-json.json');
    writeFileSync(file, broken);
    await expectRefused(file, `line ${line}: unexpected 't' (entry ${target})`);
  });

  it('a bracket that closes the wrong thing: names the line', async () => {
    const text = JSON.stringify(asNewPatient(base(), 'broken-bracket'), null, 2);
    const at = text.indexOf('"valueQuantity"');
    const closeAt = text.indexOf('}', at);
    const file = join(tmp, 'broken-bracket.json');
    writeFileSync(file, `${text.slice(0, closeAt)}]${text.slice(closeAt + 1)}`);
    await expectRefused(file, new RegExp(`^line ${text.slice(0, closeAt).split('\n').length}: '\\]' does not match the '\\{' it closes \\(entry \\d+\\)$`));
  });

  it('a truncated file', async () => {
    const text = readFileSync(base(), 'utf8').replace(patientOf(load(base())).id, 'broken-truncated');
    const file = join(tmp, 'truncated.json');
    writeFileSync(file, text.slice(0, Math.floor(text.length * 0.7)));
    await expectRefused(file, /^line \d+: unexpected end of file \(inside entry \d+, which starts on line \d+\)$/);
  });

  it('a resource missing a required field', async () => {
    const bundle = asNewPatient(base(), 'broken-missing');
    const index = bundle.entry.findIndex((e) => e.resource.resourceType === 'Observation');
    const observation = bundle.entry[index]?.resource as Json;
    delete observation.code;
    await expectRefused(write('missing.json', bundle), `entry ${index} (Observation/${String(observation.id).slice(0, 8)}…): code is missing`);
  });

  it('a value of the wrong type', async () => {
    const bundle = asNewPatient(base(), 'broken-type');
    const index = bundle.entry.findIndex((e) => e.resource.resourceType === 'Observation' && e.resource.valueQuantity);
    const observation = bundle.entry[index]?.resource as Json;
    (observation.valueQuantity as Json).value = '98.6';
    await expectRefused(write('type.json', bundle), `entry ${index} (Observation/${String(observation.id).slice(0, 8)}…): valueQuantity.value is not a number`);
  });

  it('a number with more digits than a stored value keeps: refused with its line, not rounded', async () => {
    const text = JSON.stringify(asNewPatient(base(), 'broken-digits'), null, 2);
    const at = text.indexOf('"value": ', text.indexOf('"valueQuantity"'));
    const end = at + (/^"value": -?[\d.eE+-]+/.exec(text.slice(at))?.[0].length ?? 0);
    const digits = '123456789012345678901234567890123456789';
    const file = join(tmp, 'digits.json');
    writeFileSync(file, `${text.slice(0, at)}"value": ${digits}${text.slice(end)}`);
    await expectRefused(file, new RegExp(`^line ${text.slice(0, at).split('\n').length}: the number ${digits} cannot be stored exactly`));
  });

  it('a patient without a birth date', async () => {
    const bundle = asNewPatient(base(), 'broken-patient');
    delete patientOf(bundle).birthDate;
    await expectRefused(write('patient.json', bundle), 'entry 0 (Patient/broken-p…): birthDate is missing');
  });

  it('a string too long to be a value, or with control characters in it (a NUL PostgreSQL cannot store)', async () => {
    const long = asNewPatient(base(), 'broken-long');
    const longName = (patientOf(long).name as Json[])[0] as Json;
    longName.family = 'x'.repeat(70_000);
    await expectRefused(write('long.json', long), 'entry 0 (Patient/broken-long): name.family is longer than 65536 characters');
    const control = asNewPatient(base(), 'broken-ctrl');
    ((patientOf(control).name as Json[])[0] as Json).family = 'Ko\u0000epp\u001b[31m';
    await expectRefused(write('control.json', control), 'entry 0 (Patient/broken-ctrl): name.family must not contain control characters');
  });

  // Found by a reviewer, each imported with exit 0 before.
  it('an id that is not a FHIR id: too long, or with characters an id does not have', async () => {
    for (const [name, id] of [
      ['id-long', 'x'.repeat(100_000)],
      ['id-sql', "x'); DROP TABLE patients;--"],
      ['id-control', 'a\u202e\u0000\ud800'],
      ['id-empty', ''],
    ] as const) {
      const bundle = asNewPatient(base(), 'placeholder');
      patientOf(bundle).id = id;
      await expectRefused(write(`${name}.json`, bundle), /^entry 0 \(Patient\): id is not a FHIR id/);
    }
  });

  it('a bundle without a type, and a patient born in the future', async () => {
    const { type: _type, ...untyped } = asNewPatient(base(), 'broken-untyped');
    await expectRefused(write('untyped.json', untyped), /^Bundle\.type is missing/);
    const unborn = asNewPatient(base(), 'broken-unborn');
    patientOf(unborn).birthDate = '3990-01-01';
    await expectRefused(write('unborn.json', unborn), 'entry 0 (Patient/broken-u…): birthDate is in the future');
  });

  it('a note whose base64 text decodes to control characters', async () => {
    const bundle = asNewPatient(base(), 'broken-b64');
    const patient = bundle.entry.find((e) => e.resource.resourceType === 'Patient') as Entry;
    const encounter = bundle.entry.find((e) => e.resource.resourceType === 'Encounter') as Entry;
    bundle.entry.push({
      resource: {
        resourceType: 'DocumentReference',
        id: 'doc-b64',
        status: 'current',
        type: { coding: [{ system: 'http://loinc.org', code: '34748-4' }] },
        subject: { reference: patient.fullUrl as string },
        date: '2026-01-02T11:00:00Z',
        content: [{ attachment: { contentType: 'text/plain', data: Buffer.from('Note NUL\u0000 ESC\u001b[2J BEL\u0007').toString('base64') } }],
        context: { encounter: [{ reference: encounter.fullUrl as string }] },
      },
    });
    await expectRefused(
      write('b64.json', bundle),
      `entry ${bundle.entry.length - 1} (DocumentReference/doc-b64): content[0].attachment.data decodes to text that must not contain control characters`,
    );
  });

  it('an Observation referencing an encounter that is not in the bundle', async () => {
    const bundle = asNewPatient(base(), 'broken-encounter');
    const index = bundle.entry.findIndex((e, i) => i > 10 && e.resource.resourceType === 'Observation' && e.resource.encounter);
    const observation = bundle.entry[index]?.resource as Json;
    observation.encounter = { reference: 'urn:uuid:6f1c0d4e-0000-4000-8000-00000000dead' };
    await expectRefused(
      write('encounter.json', bundle),
      `entry ${index} (Observation/${String(observation.id).slice(0, 8)}…): encounter points to urn:uuid:6f1c0d4e-0000-4000-8000-00000000dead, which is not in the bundle`,
    );
  });

  it('an Observation referencing a patient that is not in the bundle', async () => {
    const bundle = asNewPatient(base(), 'broken-subject');
    const index = bundle.entry.findIndex((e, i) => i > 10 && e.resource.resourceType === 'Observation');
    const observation = bundle.entry[index]?.resource as Json;
    observation.subject = { reference: 'Patient/someone-else' };
    await expectRefused(write('subject.json', bundle), `entry ${index} (Observation/${String(observation.id).slice(0, 8)}…): subject points to Patient/someone-else, which is not in the bundle`);
  });

  it('a reference of the wrong type', async () => {
    const bundle = asNewPatient(base(), 'broken-kind');
    const index = bundle.entry.findIndex((e) => e.resource.resourceType === 'Condition' || e.resource.resourceType === 'Observation');
    const resource = bundle.entry[index]?.resource as Json;
    resource.encounter = { reference: bundle.entry[0]?.fullUrl as string };
    await expectRefused(write('kind.json', bundle), /: encounter points to a Patient, not an Encounter$/);
  });
});

describe('streaming', () => {
  it('imports a ~20 MB bundle without holding it in memory', async () => {
    const file = join(tmp, 'large.json');
    const fd = openSync(file, 'w');
    const patientUrl = 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000001';
    const encounterUrl = 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000002';
    writeSync(fd, '{\n  "resourceType": "Bundle",\n  "type": "transaction",\n  "entry": [\n');
    writeSync(fd, JSON.stringify({ fullUrl: patientUrl, resource: { resourceType: 'Patient', id: 'large-1', name: [{ family: 'Large', given: ['Lara'] }], birthDate: '1950-01-01', gender: 'female' } }));
    writeSync(fd, ',\n');
    writeSync(fd, JSON.stringify({ fullUrl: encounterUrl, resource: { resourceType: 'Encounter', id: 'large-enc', class: { code: 'IMP' }, subject: { reference: patientUrl }, period: { start: '2026-01-01T00:00:00Z' } } }));
    const padding = 'x'.repeat(700);
    const count = 24_000;
    let batch: string[] = [];
    for (let i = 0; i < count; i += 1) {
      batch.push(
        JSON.stringify({
          fullUrl: `urn:uuid:bbbbbbbb-0000-4000-8000-${String(i).padStart(12, '0')}`,
          resource: {
            resourceType: 'Observation',
            id: `large-obs-${i}`,
            status: 'final',
            category: [{ coding: [{ code: 'laboratory' }] }],
            code: { coding: [{ system: 'http://loinc.org', code: '2345-7', display: 'Glucose' }] },
            subject: { reference: patientUrl },
            encounter: { reference: encounterUrl },
            effectiveDateTime: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
            valueQuantity: { value: 80 + (i % 40), unit: 'mg/dL' },
            note: [{ text: padding }],
          },
        }),
      );
      if (batch.length === 1000) {
        writeSync(fd, `,\n${batch.join(',\n')}`);
        batch = [];
      }
    }
    if (batch.length > 0) writeSync(fd, `,\n${batch.join(',\n')}`);
    batch = [];
    writeSync(fd, '\n  ]\n}\n');
    closeSync(fd);
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(19_000_000);

    // Live heap after a full collection, sampled as the import runs: what the importer
    // keeps, not the garbage it has not yet had collected.
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const result = await importBundleFile(database.db, file, {
      progressEvery: 1000,
      onProgress: () => {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      },
    });
    expect(result.status, result.reason).toBe('imported');
    expect(result.rows.observations).toBe(count);
    expect((await countsFor(patientRowId('large-1'))).observations).toBe(count);
    // JSON.parse of the whole file would keep the text plus several times its size in
    // objects; streaming keeps one entry and one batch of rows alive.
    expect(peak - baseline).toBeLessThan(size / 4);
  }, 120_000);
});
