/**
 * Deterministic synthetic patients: the same (seed, index) gives the same patient on every
 * run and machine, each patient drawn from its own PRNG stream so any one can be rebuilt
 * alone. Demographics, a few years of encounters with vital signs and labs that follow the
 * patient's conditions, medications, allergies and free-text notes written the way
 * clinicians write them (names, phone numbers and dates inline).
 */
import type {
  AllergyRow,
  ConditionRow,
  ContactRow,
  EncounterRow,
  MedicationRow,
  ObservationRow,
  PatientRow,
} from '../records.js';
import type { PatientBundle } from '../clinical/store.js';
import {
  ADMISSION_REASONS,
  ALLERGIES,
  CONDITIONS,
  EMERGENCY_COMPLAINTS,
  ENCOUNTER_TYPES,
  LABS,
  MEDICATIONS,
  PANELS,
  VITALS,
  type ConditionDef,
  type EncounterTypeDef,
  type LabName,
  type MeasureDef,
} from './catalog.js';
import { ageOn, DAY_MS, formatPhone, isoDate, isoInstant, randomPhoneStyle, round } from './format.js';
import { FAMILY_NAMES, givenNameFor } from './names.js';
import { writeNotes, type NoteSubject } from './notes.js';
import { CITIES, CLINICS, EMAIL_DOMAINS, EMERGENCY_DEPARTMENT, INPATIENT_WARDS, STREET_NAMES, STREET_SUFFIXES, UNIT_FORMATS } from './places.js';
import { Random, streamSeed } from './random.js';

/** "Now" for generated charts: fixed, so output never depends on the day it runs. */
export const REFERENCE_INSTANT = '2026-11-22T08:00:00.000Z';

export interface AdmissionOption {
  /** ISO instant; the last encounter becomes this ongoing inpatient stay. */
  start: string;
  location: string;
  reason: string;
}

export interface GenerateOptions {
  /** The chart's "now" (ISO instant); defaults to REFERENCE_INSTANT. */
  asOf?: string;
  patientId?: string;
  mrn?: string;
  /** patients.source; defaults to 'synthetic'. */
  source?: string;
  identity?: Partial<Pick<PatientRow, 'given_name' | 'family_name' | 'birth_date' | 'sex'>>;
  /** SNOMED codes (from the catalog) the patient must have, active. */
  conditions?: readonly string[];
  /** SNOMED codes (from the catalog) of allergies the patient must have. */
  allergies?: readonly string[];
  /** Relatives to list instead of random ones. */
  contacts?: readonly { name: string; relationship: string }[];
  admission?: AdmissionOption;
  /** At least this many notes. */
  minNotes?: number;
  /** Every note names a relative and a phone number (demo charts rely on it). */
  notesMentionContacts?: boolean;
}

/** G000123: the id of the generated patient with that index. */
export function generatedPatientId(index: number): string {
  return `G${String(index).padStart(6, '0')}`;
}

/**
 * MRN-1000000 … MRN-9999999, a bijection of the index (7919 is prime to 9,000,000), so
 * generated MRNs never collide and never look sequential. Demo MRNs start with 0.
 */
export function generatedMrn(index: number): string {
  return `MRN-${1_000_000 + ((index * 7919 + 104_729) % 9_000_000)}`;
}

interface Vitals {
  heartRate: number;
  systolic: number;
  diastolic: number;
  temperature: number;
  respiratoryRate: number;
  oxygenSaturation: number;
}

/** What notes need to know about one encounter. */
export interface EncounterFacts {
  row: EncounterRow;
  startMs: number;
  endMs: number | null;
  vitals: Vitals;
  weight: number;
  labs: { name: LabName; value: number }[];
  acute: ConditionDef | undefined;
}

export function generatePatient(seed: number, index: number, options: GenerateOptions = {}): PatientBundle {
  const random = new Random(streamSeed(seed, index));
  const asOfMs = Date.parse(options.asOf ?? REFERENCE_INSTANT);
  if (Number.isNaN(asOfMs)) throw new Error(`generatePatient: asOf is not an ISO instant: ${options.asOf}`);
  const id = options.patientId ?? generatedPatientId(index);

  const patient = makePatient(random, id, options.mrn ?? generatedMrn(index), asOfMs, options);
  const age = ageOn(patient.birth_date, asOfMs);
  const contacts = makeContacts(random, patient, age, options.contacts);
  const { chronic, acute } = chooseConditions(random, age, patient.sex, options.conditions ?? []);
  const body = makeBody(random, patient.sex, age, chronic);

  const encounters = makeEncounters(random, id, patient, asOfMs, age, chronic, acute, body, options.admission);
  const observations = makeObservations(id, encounters, body, patient.birth_date);
  const conditions = makeConditionRows(random, id, chronic, acute, encounters, patient.birth_date, asOfMs);
  const medications = makeMedications(random, id, chronic, encounters);
  const allergies = makeAllergies(random, id, patient.birth_date, asOfMs, options.allergies ?? []);

  const subject: NoteSubject = {
    patient,
    age,
    contacts,
    chronic,
    medications,
    allergies,
    encounters,
    asOfMs,
  };
  const notes = writeNotes(random, subject, {
    minNotes: options.minNotes ?? 0,
    mentionContacts: options.notesMentionContacts ?? false,
  });

  return {
    patient,
    contacts,
    encounters: encounters.map((e) => e.row),
    observations,
    medications,
    allergies,
    conditions,
    notes,
  };
}

function pickSex(random: Random): PatientRow['sex'] {
  return random.weighted<PatientRow['sex']>([
    ['female', 50],
    ['male', 48],
    ['other', 1],
    ['unknown', 1],
  ]);
}

function pickAgeYears(random: Random): number {
  // A hospital's population: more old than young, and a real share past 89 (Safe Harbor's
  // "90+" bucket must have patients in it).
  const band = random.weighted<[number, number]>([
    [[0, 17], 18],
    [[18, 44], 28],
    [[45, 64], 26],
    [[65, 89], 22],
    [[90, 100], 6],
  ]);
  return random.int(band[0], band[1]);
}

function makeSsn(random: Random): string {
  // Never issued: area 000, 666 and 900-999, group 00, serial 0000 (SSA).
  let area = random.int(1, 899);
  if (area === 666) area = 667;
  return `${String(area).padStart(3, '0')}-${String(random.int(1, 99)).padStart(2, '0')}-${String(random.int(1, 9999)).padStart(4, '0')}`;
}

function phoneDigits(random: Random, areaCode: string): string {
  // 555 exchanges are the ones fiction uses; numbers still look real to a reader.
  return `${areaCode}555${String(random.int(100, 9999)).padStart(4, '0')}`;
}

function makeAddress(random: Random): { line: string; city: string; state: string; zip: string; areaCode: string } {
  const place = random.pick(CITIES);
  let line = `${random.int(1, 9899)} ${random.pick(STREET_NAMES)} ${random.pick(STREET_SUFFIXES)}`;
  if (random.chance(0.22)) {
    const unit = random.pick(UNIT_FORMATS);
    const number = random.chance(0.3) ? `${random.int(1, 12)}${random.pick(['A', 'B', 'C', 'D'])}` : String(random.int(1, 420));
    line += unit === '#' ? ` #${number}` : `, ${unit} ${number}`;
  }
  return { line, city: place.city, state: place.state, zip: `${place.zip3}${random.digits(2)}`, areaCode: random.pick(place.areaCodes) };
}

function makeEmail(random: Random, given: string, family: string): string {
  const g = given.toLowerCase().replace(/[^a-z]/g, '');
  const f = family.toLowerCase().replace(/[^a-z]/g, '');
  const local = random.weighted<string>([
    [`${g}.${f}`, 3],
    [`${g[0] ?? 'x'}${f}`, 3],
    [`${g}${f}${random.int(1, 99)}`, 2],
    [`${g}_${f[0] ?? 'x'}${random.int(50, 99)}`, 1],
  ]);
  return `${local}@${random.pick(EMAIL_DOMAINS)}`;
}

function makePatient(
  random: Random,
  id: string,
  mrn: string,
  asOfMs: number,
  options: GenerateOptions,
): PatientBundle['patient'] {
  const identity = options.identity ?? {};
  const sex = identity.sex ?? pickSex(random);
  const given = identity.given_name ?? givenNameFor(random, sex);
  const family = identity.family_name ?? random.pick(FAMILY_NAMES);
  const birthDate =
    identity.birth_date ?? isoDate(asOfMs - Math.floor(pickAgeYears(random) * 365.2425 * DAY_MS) - random.int(0, 364) * DAY_MS);
  const address = makeAddress(random);
  const ssn = makeSsn(random);
  const phone = formatPhone(phoneDigits(random, address.areaCode), randomPhoneStyle(random));
  const email = random.chance(0.75) ? makeEmail(random, given, family) : null;
  return {
    id,
    mrn,
    ssn,
    given_name: given,
    family_name: family,
    birth_date: birthDate,
    sex,
    phone,
    email,
    address_line: address.line,
    city: address.city,
    state: address.state,
    postal_code: address.zip,
    deceased_at: null,
    source: options.source ?? 'synthetic',
  };
}

function makeContacts(
  random: Random,
  patient: PatientBundle['patient'],
  age: number,
  fixed: GenerateOptions['contacts'],
): ContactRow[] {
  const areaCode = (patient.phone ?? '').replace(/\D/g, '').replace(/^1(?=\d{10}$)/, '').slice(0, 3) || '617';
  const relatives: { name: string; relationship: string }[] = fixed
    ? [...fixed]
    : randomRelatives(random, patient, age, random.chance(0.45) ? 2 : 1);
  return relatives.map((relative, i) => ({
    id: `${patient.id}-K${i + 1}`,
    patient_id: patient.id,
    name: relative.name,
    relationship: relative.relationship,
    phone: formatPhone(phoneDigits(random, random.chance(0.7) ? areaCode : random.pick(random.pick(CITIES).areaCodes)), randomPhoneStyle(random)),
  }));
}

function randomRelatives(random: Random, patient: PatientRow, age: number, count: number) {
  const options: [string, number][] =
    age < 18
      ? [['mother', 5], ['father', 4], ['grandmother', 1], ['legal guardian', 1]]
      : age < 60
        ? [['spouse', 6], ['sister', 2], ['brother', 2], ['mother', 2], ['friend', 1]]
        : [['spouse', 4], ['daughter', 4], ['son', 4], ['niece', 1], ['friend', 1]];
  const picked: { name: string; relationship: string }[] = [];
  for (let i = 0; i < count; i += 1) {
    const relationship = random.weighted(options.filter(([r]) => !picked.some((p) => p.relationship === r)));
    const sexOfRelative = relativeSex(random, relationship, patient.sex);
    const sameFamily = relationship !== 'friend' && random.chance(relationship === 'spouse' ? 0.75 : 0.85);
    const family = sameFamily ? patient.family_name : random.pick(FAMILY_NAMES);
    picked.push({ name: `${givenNameFor(random, sexOfRelative)} ${family}`, relationship });
  }
  return picked;
}

function relativeSex(random: Random, relationship: string, patientSex: string): string {
  if (['mother', 'grandmother', 'sister', 'daughter', 'niece'].includes(relationship)) return 'female';
  if (['father', 'brother', 'son'].includes(relationship)) return 'male';
  if (relationship === 'spouse') return patientSex === 'male' ? (random.chance(0.9) ? 'female' : 'male') : random.chance(0.9) ? 'male' : 'female';
  return random.chance(0.5) ? 'female' : 'male';
}

function chooseConditions(random: Random, age: number, sex: string, forced: readonly string[]) {
  const chronic: ConditionDef[] = [];
  const acute: ConditionDef[] = [];
  for (const code of forced) {
    const def = CONDITIONS.find((c) => c.code === code);
    if (!def) throw new Error(`generatePatient: condition ${code} is not in the catalog`);
    chronic.push(def);
  }
  for (const def of CONDITIONS) {
    if (chronic.includes(def)) continue;
    const p = def.prevalence(age, sex);
    if (def.chronic) {
      if (chronic.length < 5 && random.chance(p)) chronic.push(def);
    } else if (acute.length < 2 && random.chance(p * 0.6)) {
      acute.push(def);
    }
  }
  return { chronic, acute };
}

interface Body {
  heightCm: number;
  bmi: number;
  baseline: Vitals;
  labShift: Partial<Record<LabName, number>>;
  female: boolean;
}

function adultHeight(random: Random, sex: string): number {
  return sex === 'male' ? random.normal(176, 7) : sex === 'female' ? random.normal(162.5, 6.5) : random.normal(169, 8);
}

/** Height at an age, from the adult height: a coarse growth curve, good enough for charts. */
function heightAt(adult: number, age: number): number {
  if (age >= 18) return adult;
  const fraction = age < 2 ? 0.3 + 0.14 * age : Math.min(1, 0.58 + 0.026 * age);
  return adult * fraction;
}

function makeBody(random: Random, sex: string, age: number, chronic: readonly ConditionDef[]): Body {
  const has = (display: string) => chronic.some((c) => c.display === display);
  const obese = has('Body mass index 30+ - obesity');
  const adultBmi = obese ? random.normal(34, 3) : random.normal(25.5, 3.5);
  const bmi = age < 18 ? random.normal(17, 1.5) + (obese ? 5 : 0) : Math.max(17, adultBmi);
  const labShift: Partial<Record<LabName, number>> = {};
  let systolicShift = 0;
  for (const condition of chronic) {
    systolicShift += condition.systolicShift ?? 0;
    for (const [lab, shift] of Object.entries(condition.labShift ?? {}) as [LabName, number][]) {
      labShift[lab] = (labShift[lab] ?? 0) + shift;
    }
  }
  const copd = has('Chronic obstructive lung disease');
  const ageSystolic = age < 18 ? -12 : Math.max(0, (age - 40) * 0.4);
  return {
    heightCm: adultHeight(random, sex),
    bmi,
    labShift,
    female: sex === 'female',
    baseline: {
      heartRate: age < 2 ? random.normal(125, 10) : age < 12 ? random.normal(95, 8) : random.normal(72, 8),
      systolic: random.normal(116, 8) + ageSystolic + systolicShift,
      diastolic: random.normal(74, 6) + systolicShift * 0.4,
      temperature: random.normal(36.8, 0.2),
      respiratoryRate: age < 2 ? random.normal(32, 4) : age < 12 ? random.normal(22, 3) : random.normal(15, 2),
      oxygenSaturation: copd ? random.normal(92, 1.5) : random.normal(97.5, 1),
    },
  };
}

function encounterTimes(random: Random, count: number, asOfMs: number, birthMs: number): number[] {
  // The most recent visit lies within the last two months so "latest vitals" are recent;
  // the others are spread over the three years before it (never before birth).
  const last = asOfMs - random.int(1, 60) * DAY_MS - random.int(0, 10) * 3_600_000;
  const earliest = Math.max(birthMs + DAY_MS, asOfMs - 3 * 365 * DAY_MS);
  const times = [last];
  for (let i = 1; i < count; i += 1) {
    times.push(earliest + Math.floor(random.next() * Math.max(DAY_MS, last - earliest)));
  }
  // Visits happen in the daytime: snap to 07:00-18:00 UTC on the chosen day.
  return times
    .map((t) => Math.floor(t / DAY_MS) * DAY_MS + random.int(7 * 60, 18 * 60) * 60_000)
    .sort((a, b) => a - b);
}

function providerName(random: Random): string {
  const sex = random.chance(0.5) ? 'female' : 'male';
  return `Dr. ${givenNameFor(random, sex)} ${random.pick(FAMILY_NAMES)}`;
}

function makeEncounters(
  random: Random,
  patientId: string,
  patient: PatientRow,
  asOfMs: number,
  age: number,
  chronic: readonly ConditionDef[],
  acute: readonly ConditionDef[],
  body: Body,
  admission: AdmissionOption | undefined,
): EncounterFacts[] {
  const count = random.weighted<number>([
    [3, 2],
    [4, 3],
    [5, 4],
    [6, 3],
    [7, 2],
    [8, 1],
  ]);
  const birthMs = Date.parse(`${patient.birth_date}T00:00:00Z`);
  // With an admission given, the earlier visits all precede it.
  const times = encounterTimes(random, count, admission ? Date.parse(admission.start) : asOfMs, birthMs);
  const pcp = providerName(random);
  const clinic = random.pick(CLINICS);
  const acuteQueue = [...acute];
  const facts: EncounterFacts[] = [];

  times.forEach((startMs, i) => {
    const isLast = i === times.length - 1;
    let type: EncounterTypeDef;
    let reason: string | null;
    let location: string;
    let provider = pcp;
    let endMs: number | null;
    let acuteHere: ConditionDef | undefined;
    let start = startMs;

    if (isLast && admission) {
      start = Date.parse(admission.start);
      type = ENCOUNTER_TYPES.admission;
      reason = admission.reason;
      location = admission.location;
      provider = providerName(random);
      endMs = null;
    } else {
      const klass = random.weighted<'AMB' | 'EMER' | 'IMP'>([
        ['AMB', 74],
        ['EMER', 15],
        ['IMP', 11],
      ]);
      acuteHere = klass !== 'IMP' && acuteQueue.length > 0 && random.chance(0.6) ? acuteQueue.shift() : undefined;
      if (klass === 'EMER') {
        type = ENCOUNTER_TYPES.emergency;
        reason = acuteHere ? acuteHere.display : random.pick(EMERGENCY_COMPLAINTS);
        location = EMERGENCY_DEPARTMENT;
        provider = providerName(random);
        endMs = start + random.int(2 * 60, 9 * 60) * 60_000;
      } else if (klass === 'IMP') {
        type = ENCOUNTER_TYPES.admission;
        reason = random.pick(ADMISSION_REASONS);
        location = random.pick(INPATIENT_WARDS);
        provider = providerName(random);
        endMs = start + random.int(2, 7) * DAY_MS + random.int(0, 8) * 3_600_000;
        // A stay ends before the next visit; one still running on the chart's "now" has no end.
        const next = times[i + 1];
        if (next !== undefined && endMs > next - 3_600_000) endMs = Math.max(start + 3_600_000, next - 3_600_000);
        if (isLast && endMs > asOfMs) endMs = null;
      } else {
        location = clinic;
        endMs = start + random.int(15, 45) * 60_000;
        if (acuteHere) {
          type = ENCOUNTER_TYPES.symptom;
          reason = acuteHere.display;
        } else if (chronic.length > 0 && random.chance(0.55)) {
          type = ENCOUNTER_TYPES.followUp;
          reason = random.pick(chronic).display;
        } else {
          type = age < 18 ? ENCOUNTER_TYPES.wellChild : ENCOUNTER_TYPES.checkUp;
          reason = null;
        }
      }
    }

    const ageThen = ageOn(patient.birth_date, start);
    const vitals = vitalsAt(random, body, acuteHere !== undefined || type.class !== 'AMB');
    const height = heightAt(body.heightCm, ageThen);
    const weight = Math.max(2.5, (body.bmi * (height / 100) ** 2) * random.normal(1, 0.015));
    const labs = labsAt(random, body, chronic, acuteHere, type.class, ageThen);
    facts.push({
      row: {
        id: `${patientId}-E${i + 1}`,
        patient_id: patientId,
        class: type.class,
        type_code: type.code,
        type_display: type.display,
        reason,
        start_at: isoInstant(start),
        end_at: endMs === null ? null : isoInstant(endMs),
        location,
        provider_name: provider,
      },
      startMs: start,
      endMs,
      vitals,
      weight,
      labs,
      acute: acuteHere,
    });
  });
  return facts;
}

function vitalsAt(random: Random, body: Body, unwell: boolean): Vitals {
  const b = body.baseline;
  return {
    heartRate: b.heartRate + random.normal(unwell ? 12 : 0, 6),
    systolic: b.systolic + random.normal(unwell ? 6 : 0, 7),
    diastolic: b.diastolic + random.normal(0, 5),
    temperature: b.temperature + (unwell && random.chance(0.4) ? random.normal(1.3, 0.5) : random.normal(0, 0.2)),
    respiratoryRate: Math.max(10, b.respiratoryRate + random.normal(unwell ? 3 : 0, 1.5)),
    oxygenSaturation: Math.min(100, b.oxygenSaturation + random.normal(unwell ? -1.5 : 0, 0.8)),
  };
}

function labsAt(
  random: Random,
  body: Body,
  chronic: readonly ConditionDef[],
  acute: ConditionDef | undefined,
  klass: string,
  age: number,
): { name: LabName; value: number }[] {
  const panels = new Set<string>();
  if (klass !== 'AMB') {
    panels.add('cbc');
    if (random.chance(0.6)) panels.add('bmp');
  }
  for (const panel of acute?.panels ?? []) panels.add(panel);
  for (const condition of chronic) {
    for (const panel of condition.panels) if (random.chance(0.22)) panels.add(panel);
  }
  if (age >= 40 && random.chance(0.1)) panels.add('lipids');
  if (panels.size === 0 && random.chance(0.2)) panels.add(random.pick(['cbc', 'bmp', 'liver']));
  const labs: { name: LabName; value: number }[] = [];
  for (const panel of [...panels].sort()) {
    for (const name of PANELS[panel] ?? []) {
      const def = LABS[name];
      let mean = def.mean + (body.labShift[name] ?? 0);
      if (name === 'hemoglobin' && body.female) mean -= 1.3;
      if (name === 'creatinine' && body.female) mean -= 0.15;
      const value = round(Math.max(def.decimals === 0 ? 1 : 0.01, random.normal(mean, def.sd)), def.decimals);
      labs.push({ name, value });
    }
  }
  return labs;
}

function observation(
  patientId: string,
  seq: number,
  encounter: EncounterFacts,
  def: MeasureDef,
  value: number,
  offsetMinutes: number,
): ObservationRow {
  return {
    id: `${patientId}-O${String(seq).padStart(3, '0')}`,
    patient_id: patientId,
    encounter_id: encounter.row.id,
    category: def.category,
    code: def.code,
    display: def.display,
    value_num: round(value, def.decimals),
    value_text: null,
    unit: def.unit,
    ref_low: def.low,
    ref_high: def.high,
    effective_at: isoInstant(encounter.startMs + offsetMinutes * 60_000),
  };
}

function makeObservations(patientId: string, encounters: readonly EncounterFacts[], body: Body, birthDate: string): ObservationRow[] {
  const rows: ObservationRow[] = [];
  let seq = 1;
  encounters.forEach((encounter, i) => {
    const v = encounter.vitals;
    const ageThen = ageOn(birthDate, encounter.startMs);
    const height = heightAt(body.heightCm, ageThen);
    const add = (def: MeasureDef, value: number, offset: number) => {
      rows.push(observation(patientId, seq, encounter, def, value, offset));
      seq += 1;
    };
    add(VITALS.heartRate, v.heartRate, 5);
    add(VITALS.systolic, v.systolic, 5);
    add(VITALS.diastolic, v.diastolic, 5);
    add(VITALS.temperature, v.temperature, 5);
    add(VITALS.respiratoryRate, v.respiratoryRate, 5);
    add(VITALS.oxygenSaturation, v.oxygenSaturation, 5);
    add(VITALS.weight, encounter.weight, 6);
    // Adults are measured now and then, children at every visit.
    if (ageThen < 18 || i === 0 || (encounter.startMs / 60_000) % 3 === 0) add(VITALS.height, height, 6);
    add(VITALS.bmi, encounter.weight / (height / 100) ** 2, 6);
    for (const lab of encounter.labs) add(LABS[lab.name], lab.value, 45);
  });
  return rows;
}

function makeConditionRows(
  random: Random,
  patientId: string,
  chronic: readonly ConditionDef[],
  acute: readonly ConditionDef[],
  encounters: readonly EncounterFacts[],
  birthDate: string,
  asOfMs: number,
): ConditionRow[] {
  const rows: ConditionRow[] = [];
  const birthMs = Date.parse(`${birthDate}T00:00:00Z`);
  const first = encounters[0];
  for (const def of chronic) {
    // Most chronic problems predate the visits we hold; some were found at one of them.
    const atVisit = first !== undefined && random.chance(0.3) ? random.pick(encounters) : undefined;
    const onsetMs = atVisit
      ? atVisit.startMs
      : Math.max(birthMs + 30 * DAY_MS, (first?.startMs ?? asOfMs) - random.int(30, 3650) * DAY_MS);
    rows.push({
      id: `${patientId}-C${rows.length + 1}`,
      patient_id: patientId,
      encounter_id: atVisit?.row.id ?? null,
      system: 'snomed',
      code: def.code,
      display: def.display,
      clinical_status: 'active',
      onset_at: isoInstant(onsetMs),
      abatement_at: null,
    });
  }
  for (const def of acute) {
    const visit = encounters.find((e) => e.acute === def);
    const onsetMs = visit ? visit.startMs : asOfMs - random.int(60, 900) * DAY_MS;
    const abatementMs = onsetMs + random.int(7, 21) * DAY_MS;
    const resolved = abatementMs <= asOfMs;
    rows.push({
      id: `${patientId}-C${rows.length + 1}`,
      patient_id: patientId,
      encounter_id: visit?.row.id ?? null,
      system: 'snomed',
      code: def.code,
      display: def.display,
      clinical_status: resolved ? 'resolved' : 'active',
      onset_at: isoInstant(onsetMs),
      abatement_at: resolved ? isoInstant(abatementMs) : null,
    });
  }
  return rows;
}

function makeMedications(
  random: Random,
  patientId: string,
  chronic: readonly ConditionDef[],
  encounters: readonly EncounterFacts[],
): MedicationRow[] {
  const rows: MedicationRow[] = [];
  const seen = new Set<string>();
  const add = (name: keyof typeof MEDICATIONS, encounter: EncounterFacts | undefined, status: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const def = MEDICATIONS[name];
    rows.push({
      id: `${patientId}-M${rows.length + 1}`,
      patient_id: patientId,
      encounter_id: encounter?.row.id ?? null,
      rxnorm_code: def.rxnorm,
      display: def.display,
      dosage: def.dosage,
      status,
      authored_at: isoInstant((encounter?.startMs ?? 0) + 30 * 60_000),
      prescriber_name: encounter?.row.provider_name ?? null,
    });
  };
  const outpatient = encounters.filter((e) => e.row.class === 'AMB');
  for (const condition of chronic) {
    const [firstChoice, ...others] = condition.medications;
    if (!firstChoice) continue;
    const visit = random.pick(outpatient.length > 0 ? outpatient : encounters);
    add(firstChoice, visit, 'active');
    if (others.length > 0 && random.chance(0.3)) add(random.pick(others), visit, 'active');
  }
  for (const encounter of encounters) {
    const choice = encounter.acute?.medications[0];
    if (choice) add(choice, encounter, 'completed');
  }
  // Now and then a drug was tried and stopped (side effects, no longer needed).
  if (rows.length > 0 && random.chance(0.12)) {
    const stopped = rows.find((r) => r.status === 'active');
    if (stopped) stopped.status = 'stopped';
  }
  return rows;
}

function makeAllergies(
  random: Random,
  patientId: string,
  birthDate: string,
  asOfMs: number,
  forced: readonly string[],
): AllergyRow[] {
  const chosen = forced.map((code) => {
    const def = ALLERGIES.find((a) => a.code === code);
    if (!def) throw new Error(`generatePatient: allergy ${code} is not in the catalog`);
    return def;
  });
  const extra = forced.length > 0 ? 0 : random.weighted<number>([
    [0, 62],
    [1, 30],
    [2, 8],
  ]);
  while (chosen.length < forced.length + extra) {
    const def = random.pick(ALLERGIES);
    if (!chosen.includes(def)) chosen.push(def);
  }
  const birthMs = Date.parse(`${birthDate}T00:00:00Z`);
  return chosen.map((def, i) => ({
    id: `${patientId}-A${i + 1}`,
    patient_id: patientId,
    code: def.code,
    display: def.display,
    category: def.category,
    criticality: def.criticality,
    reaction: random.pick(def.reactions),
    status: 'active',
    recorded_at: isoInstant(Math.max(birthMs + 90 * DAY_MS, asOfMs - random.int(90, 3650) * DAY_MS)),
  }));
}
