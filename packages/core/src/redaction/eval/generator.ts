/**
 * The labelled evaluation set: synthetic clinical notes of five kinds (progress notes,
 * discharge summaries, telephone encounters, referral letters, nursing notes) with every
 * identifier span and every must-keep clinical term annotated by offset. Deterministic
 * for a given seed.
 *
 * Each note comes with the identifiers its record knows (patient, contacts, staff
 * directory), as a tool would pass them. Notes also name people no record knows
 * (neighbours, outside clinicians, invented surnames) so the unknown-name heuristic is
 * measured, not just the record lookup.
 */
import type { KnownIdentifiers, PhiType } from '../types.js';
import { Rng } from './prng.js';
import {
  AMBIGUOUS_FAMILY_NAMES,
  AMBIGUOUS_GIVEN_NAMES,
  CREDENTIALS,
  DIAGNOSES,
  EMPLOYERS,
  EPONYMS,
  FACILITIES,
  FAMILY_NAMES,
  GIVEN_NAMES,
  MEASUREMENTS,
  MEDICATIONS,
  STAFF,
  STATES,
  STREET_NAMES,
  STREET_SUFFIXES,
  TOWNS,
  UNITS,
  YEARS_ALONE,
  inventedSurname,
} from './vocab.js';

export const NOTE_KINDS = ['progress', 'discharge', 'phone', 'referral', 'nursing'] as const;
export type NoteKind = (typeof NOTE_KINDS)[number];

/** Where a name came from: the record, the staff directory, or nowhere the scrubber can look. */
export type NameSource = 'record' | 'staff' | 'unknown';
export type KeepCategory = 'clinical' | 'word';

export interface PhiSpan {
  readonly start: number;
  readonly end: number;
  readonly type: PhiType;
  readonly source?: NameSource;
}

export interface KeepSpan {
  readonly start: number;
  readonly end: number;
  readonly category: KeepCategory;
}

export interface EvalNote {
  readonly id: string;
  readonly kind: NoteKind;
  readonly text: string;
  readonly phi: readonly PhiSpan[];
  readonly keep: readonly KeepSpan[];
  readonly known: KnownIdentifiers;
}

// ---------------------------------------------------------------- segments

interface PhiSeg {
  readonly phi: PhiType;
  readonly value: string;
  readonly source?: NameSource;
}
interface KeepSeg {
  readonly keep: string;
  readonly category: KeepCategory;
}
type Seg = string | PhiSeg | KeepSeg | readonly Seg[];

const phi = (type: PhiType, value: string, source?: NameSource): PhiSeg => (source ? { phi: type, value, source } : { phi: type, value });
const keep = (term: string, category: KeepCategory = 'clinical'): KeepSeg => ({ keep: term, category });

/** Tagged template: `s\`Seen by ${name} on ${date}.\`` interleaves text and segments. */
function s(strings: TemplateStringsArray, ...values: Seg[]): Seg[] {
  const out: Seg[] = [];
  strings.forEach((text, i) => {
    if (text) out.push(text);
    if (i < values.length) out.push(values[i]!);
  });
  return out;
}

class NoteBuilder {
  private text = '';
  readonly phi: PhiSpan[] = [];
  readonly keep: KeepSpan[] = [];

  add(seg: Seg): void {
    if (typeof seg === 'string') {
      this.text += seg;
    } else if (Array.isArray(seg)) {
      for (const part of seg as readonly Seg[]) this.add(part);
    } else if ('phi' in (seg as PhiSeg)) {
      const p = seg as PhiSeg;
      const start = this.text.length;
      this.text += p.value;
      this.phi.push(p.source ? { start, end: this.text.length, type: p.phi, source: p.source } : { start, end: this.text.length, type: p.phi });
    } else {
      const k = seg as KeepSeg;
      const start = this.text.length;
      this.text += k.keep;
      this.keep.push({ start, end: this.text.length, category: k.category });
    }
  }

  build(): string {
    return this.text;
  }
}

// ---------------------------------------------------------------- people and records

interface Person {
  readonly given: string;
  readonly family: string;
  readonly source: NameSource;
}

interface Patient extends Person {
  readonly sex: 'male' | 'female';
  readonly birth: Date;
  readonly mrn: string;
  readonly ssn: string;
  readonly phone: string;
  readonly email: string;
  readonly street: string;
  readonly town: string;
  readonly state: readonly [string, string];
  readonly zip: string;
}

interface Contact extends Person {
  readonly relation: string;
  readonly phone: string;
}

interface Ctx {
  readonly rng: Rng;
  readonly patient: Patient;
  readonly contacts: readonly Contact[];
  readonly staff: readonly Person[];
  readonly visit: Date;
}

const RELATIONS_F = ['daughter', 'wife', 'mother', 'sister', 'niece', 'granddaughter', 'neighbor', 'friend', 'caregiver'];
const RELATIONS_M = ['son', 'husband', 'father', 'brother', 'nephew', 'grandson', 'neighbor', 'friend', 'caregiver'];

function givenName(rng: Rng): string {
  return rng.chance(0.15) ? rng.pick(AMBIGUOUS_GIVEN_NAMES) : rng.pick(GIVEN_NAMES);
}

function familyName(rng: Rng): string {
  const roll = rng.float();
  if (roll < 0.1) return rng.pick(AMBIGUOUS_FAMILY_NAMES);
  if (roll < 0.35) return inventedSurname((items) => rng.pick(items));
  return rng.pick(FAMILY_NAMES);
}

function phoneNumber(rng: Rng): string {
  return `${rng.pick(['617', '508', '781', '413', '978', '401', '603', '212', '303'])}-555-${rng.digits(4)}`;
}

function makePatient(rng: Rng, visit: Date): Patient {
  const sex = rng.chance(0.5) ? 'female' : 'male';
  const given = givenName(rng);
  const family = familyName(rng);
  // One patient in eight is over 89, so ages over 89 appear often enough to measure.
  const age = rng.chance(0.125) ? rng.int(90, 104) : rng.int(18, 88);
  const birth = new Date(Date.UTC(visit.getUTCFullYear() - age, rng.int(0, 11), rng.int(1, 28)));
  const state = rng.pick(STATES);
  const mrnStyle = rng.int(0, 2);
  const mrn = mrnStyle === 0 ? rng.digits(8) : mrnStyle === 1 ? `A${rng.digits(7)}` : `MR-${rng.digits(6)}`;
  const street = `${rng.int(1, 9999)} ${rng.pick(STREET_NAMES)} ${rng.pick(STREET_SUFFIXES)}${rng.chance(0.4) ? `, ${rng.pick(UNITS)}` : ''}`;
  const handle = `${given}.${family}`.toLowerCase().replace(/[^a-z.]/g, '');
  return {
    given,
    family,
    source: 'record',
    sex,
    birth,
    mrn,
    ssn: `${rng.int(100, 899)}-${rng.digits(2).replace(/^00$/, '01')}-${rng.int(1000, 9999)}`,
    phone: phoneNumber(rng),
    email: `${handle}${rng.int(1, 99)}@${rng.pick(['gmail.com', 'yahoo.com', 'outlook.com', 'comcast.net', 'icloud.com'])}`,
    street,
    town: rng.pick(TOWNS),
    state,
    zip: `0${rng.int(1000, 2799)}`,
  };
}

function makeContacts(rng: Rng, patient: Patient): Contact[] {
  const count = rng.int(1, 2);
  const out: Contact[] = [];
  for (let i = 0; i < count; i++) {
    const female = rng.chance(0.5);
    out.push({
      given: givenName(rng),
      family: rng.chance(0.6) ? patient.family : familyName(rng),
      source: 'record',
      relation: rng.pick(female ? RELATIONS_F : RELATIONS_M),
      phone: phoneNumber(rng),
    });
  }
  return out;
}

function unknownPerson(rng: Rng): Person {
  const family = rng.chance(0.6) ? inventedSurname((items) => rng.pick(items)) : rng.pick(FAMILY_NAMES);
  return { given: givenName(rng), family, source: 'unknown' };
}

// ---------------------------------------------------------------- formatted identifiers

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const pad = (n: number): string => String(n).padStart(2, '0');
const ordinal = (n: number): string => `${n}${n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th'}`;

/** A date in one of the formats notes use; the cue word stays outside the span. */
function dateSeg(rng: Rng, d: Date): Seg {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const month = MONTHS[m - 1]!;
  const formats: (() => Seg)[] = [
    () => phi('date', `${pad(m)}/${pad(day)}/${y}`),
    () => phi('date', `${m}/${day}/${y}`),
    () => phi('date', `${m}/${day}/${String(y).slice(2)}`),
    () => phi('date', `${y}-${pad(m)}-${pad(day)}`),
    () => phi('date', `${month} ${day}, ${y}`),
    () => phi('date', `${month.slice(0, 3)} ${day}, ${y}`),
    () => phi('date', `${day} ${month} ${y}`),
    () => phi('date', `${month.slice(0, 3)}. ${ordinal(day)}`),
    () => phi('date', `${month} ${ordinal(day)}`),
    () => phi('date', `${pad(day)}-${month.slice(0, 3)}-${y}`),
    () => phi('date', `${month} ${y}`),
    () => s`on ${phi('date', `${m}/${day}`)}`,
    () => phi('date', `${pad(m)}-${pad(day)}-${y}`),
    () => phi('date', `${y}-${pad(m)}-${pad(day)}T${pad(rng.int(0, 23))}:${pad(rng.int(0, 59))}:00Z`),
    () => phi('date', `${ordinal(day)} of ${month}`),
  ];
  return rng.pick(formats)();
}

function daysBefore(d: Date, days: number): Date {
  return new Date(d.getTime() - days * 86_400_000);
}

function phoneSeg(rng: Rng, base: string): Seg {
  const [a, b, c] = base.split('-') as [string, string, string];
  const ext = rng.chance(0.2) ? rng.pick([` ext. ${rng.int(10, 999)}`, ` x${rng.int(100, 9999)}`, ` extension ${rng.int(1, 99)}`]) : '';
  const formats = [`(${a}) ${b}-${c}`, `${a}-${b}-${c}`, `${a}.${b}.${c}`, `${a} ${b} ${c}`, `+1 ${a} ${b} ${c}`, `1-${a}-${b}-${c}`, `${a}${b}${c}`];
  return phi('phone', rng.pick(formats) + ext);
}

function intlPhoneSeg(rng: Rng): Seg {
  return phi('phone', rng.pick([
    `+44 20 7946 ${rng.digits(4)}`, `+33 1 42 68 ${rng.digits(2)} ${rng.digits(2)}`, `+49 30 ${rng.digits(7)}`,
    `+91 98${rng.digits(3)} ${rng.digits(5)}`, `0044 161 496 ${rng.digits(4)}`, `+52 55 ${rng.digits(4)} ${rng.digits(4)}`,
    `+353 1 ${rng.digits(3)} ${rng.digits(4)}`,
  ]));
}

function ssnSeg(rng: Rng, ssn: string): Seg {
  const digits = ssn.replace(/\D/g, '');
  return rng.pick<Seg>([
    s`SSN ${phi('ssn', ssn)}`,
    s`SSN: ${phi('ssn', `${digits.slice(0, 3)} ${digits.slice(3, 5)} ${digits.slice(5)}`)}`,
    s`social security number ${phi('ssn', digits)}`,
    s`SSN ending in ${phi('ssn', digits.slice(5))}`,
    s`SS# ${phi('ssn', ssn)}`,
  ]);
}

function mrnSeg(rng: Rng, mrn: string): Seg {
  return rng.pick<Seg>([
    s`MRN: ${phi('mrn', mrn)}`,
    s`MRN ${phi('mrn', mrn)}`,
    s`MR# ${phi('mrn', mrn)}`,
    s`medical record number ${phi('mrn', mrn)}`,
    s`chart #${phi('mrn', mrn)}`,
    s`(${phi('mrn', mrn)})`,
  ]);
}

function addressSeg(p: Patient, rng: Rng): Seg {
  const [code, name] = p.state;
  return rng.pick<Seg>([
    s`${phi('address', p.street)}, ${phi('location', p.town)}, ${code} ${phi('zip', p.zip)}`,
    s`${phi('address', p.street)}, ${phi('location', p.town)}, ${name} ${phi('zip', p.zip)}`,
    s`${phi('address', p.street)} in ${phi('location', p.town)}`,
  ]);
}

function ageSeg(rng: Rng, p: Patient, visit: Date): Seg {
  const age = visit.getUTCFullYear() - p.birth.getUTCFullYear();
  const sexWord = p.sex === 'female' ? 'woman' : 'man';
  const letter = p.sex === 'female' ? 'F' : 'M';
  if (age <= 89) return rng.pick<Seg>([`${age}-year-old ${sexWord}`, `${age} yo ${letter}`, `${age} y/o ${sexWord}`]);
  return rng.pick<Seg>([
    s`${phi('age', String(age))}-year-old ${sexWord}`,
    s`${phi('age', String(age))} yo ${letter}`,
    s`${phi('age', String(age))} y/o ${sexWord}`,
    s`${phi('age', String(age))}${letter}`,
    s`${sexWord} aged ${phi('age', String(age))}`,
    s`${phi('age', String(age))} year old ${sexWord}`,
  ]);
}

/** The patient's name written as notes write it; the title stays outside the span. */
function patientName(rng: Rng, p: Person & { sex?: string }, source: NameSource = p.source): Seg {
  const title = p.sex === 'male' ? 'Mr.' : rng.pick(['Mrs.', 'Ms.', 'Ms']);
  return rng.pick<Seg>([
    s`${title} ${phi('name', p.family, source)}`,
    phi('name', `${p.given} ${p.family}`, source),
    phi('name', `${p.family}, ${p.given}`, source),
    phi('name', `${p.given} ${p.family}`.toUpperCase(), source),
    phi('name', `${p.family.toUpperCase()}, ${p.given.toUpperCase()}`, source),
    phi('name', p.given, source),
    s`${title} ${phi('name', `${p.given} ${p.family}`, source)}`,
  ]);
}

function staffName(rng: Rng, person: Person): Seg {
  return rng.pick<Seg>([
    s`Dr. ${phi('name', person.family, person.source)}`,
    s`Dr. ${phi('name', `${person.given} ${person.family}`, person.source)}`,
    s`${phi('name', `${person.given} ${person.family}`, person.source)}, ${rng.pick(CREDENTIALS)}`,
    s`${phi('name', `${person.given[0]}. ${person.family}`, person.source)}, ${rng.pick(CREDENTIALS)}`,
  ]);
}

function contactRef(rng: Rng, c: Contact, possessive: string): Seg {
  return rng.pick<Seg>([
    s`${possessive} ${c.relation} ${phi('name', c.given, c.source)}`,
    s`${possessive} ${c.relation}, ${phi('name', `${c.given} ${c.family}`, c.source)},`,
    s`${possessive} ${c.relation} ${phi('name', `${c.given} ${c.family}`, c.source)}`,
    s`${phi('name', c.given, c.source)} (${c.relation})`,
  ]);
}

// ---------------------------------------------------------------- sentence pools

type Sentence = (c: Ctx) => Seg;

const pronoun = (p: Patient): string => (p.sex === 'female' ? 'She' : 'He');
const possessive = (p: Patient): string => (p.sex === 'female' ? 'her' : 'his');
const med = (c: Ctx): Seg => keep(c.rng.pick(MEDICATIONS));
const dx = (c: Ctx): Seg => keep(c.rng.pick(DIAGNOSES));
const eponym = (c: Ctx): Seg => keep(c.rng.pick(EPONYMS));
const vital = (c: Ctx): Seg => keep(c.rng.pick(MEASUREMENTS));
const pastDate = (c: Ctx): Seg => dateSeg(c.rng, daysBefore(c.visit, c.rng.int(1, 900)));

const CLINICAL: Sentence[] = [
  (c) => s`${pronoun(c.patient)} has a history of ${dx(c)} and ${eponym(c)}.`,
  (c) => s`Continue ${med(c)} daily; started ${med(c)} for ${dx(c)}.`,
  (c) => s`Vitals: ${vital(c)}, ${vital(c)}, ${vital(c)}.`,
  (c) => s`Labs notable for ${vital(c)} and ${vital(c)}.`,
  (c) => s`Assessment: ${dx(c)}, stable. Known ${eponym(c)}.`,
  (c) => s`Diagnosed with ${eponym(c)} in ${keep(c.rng.pick(YEARS_ALONE))}; on ${med(c)} since ${keep(c.rng.pick(YEARS_ALONE))}.`,
  (c) => s`Exam remarkable for ${eponym(c)}. ${vital(c)}.`,
  (c) => s`Plan: titrate ${med(c)}, recheck ${vital(c)} in 2 weeks.`,
  (c) => s`Reports ${keep('shortness of breath')} and ${keep('bilateral lower extremity edema')}; ${vital(c)}.`,
  (c) => s`Patient expresses ${keep('hope', 'word')} that ${possessive(c.patient)} ${dx(c)} will improve.`,
  (c) => s`${keep('Will', 'word')} follow up after imaging. ${keep('May', 'word')} resume ${med(c)} if ${vital(c)}.`,
  () => s`${keep('Mark', 'word')} the site before the procedure; ${keep('white', 'word')} count trending down.`,
  () => s`${keep('Faith-based', 'word')} community support noted; patient states ${keep('faith', 'word')} helps with coping.`,
  (c) => s`Sputum is ${keep('brown', 'word')}; chest X-ray shows ${dx(c)}.`,
  (c) => s`Discussed ${keep('long-term', 'word')} anticoagulation with ${med(c)}.`,
  (c) => s`Started on ${med(c)} and ${med(c)}; avoid ${med(c)} given ${eponym(c)}.`,
];

const IDENTIFYING: Sentence[] = [
  (c) => s`${patientName(c.rng, c.patient)} is a ${ageSeg(c.rng, c.patient, c.visit)} seen on ${dateSeg(c.rng, c.visit)} for ${dx(c)}.`,
  (c) => s`${patientName(c.rng, c.patient)} was last seen ${pastDate(c)} by ${staffName(c.rng, c.rng.pick(c.staff))}.`,
  (c) => s`Spoke with ${contactRef(c.rng, c.rng.pick(c.contacts), possessive(c.patient))} at ${phoneSeg(c.rng, c.rng.pick(c.contacts).phone)}.`,
  (c) => s`${pronoun(c.patient)} lives at ${addressSeg(c.patient, c.rng)} with ${contactRef(c.rng, c.rng.pick(c.contacts), possessive(c.patient))}.`,
  (c) => s`Call back number ${phoneSeg(c.rng, c.patient.phone)}; e-mail ${phi('email', c.patient.email)}.`,
  (c) => s`Identifiers verified: ${mrnSeg(c.rng, c.patient.mrn)}, DOB ${dateSeg(c.rng, c.patient.birth)}, ${ssnSeg(c.rng, c.patient.ssn)}.`,
  (c) => {
    const u = unknownPerson(c.rng);
    return s`${possessive(c.patient)[0]!.toUpperCase()}${possessive(c.patient).slice(1)} neighbor ${phi('name', u.given, 'unknown')} checks on ${possessive(c.patient)} daily.`;
  },
  (c) => {
    const u = unknownPerson(c.rng);
    return s`Outside records from Dr. ${phi('name', u.family, 'unknown')} at ${phi('location', c.rng.pick(FACILITIES))} reviewed.`;
  },
  (c) => {
    const u = unknownPerson(c.rng);
    return s`Seen by ${phi('name', `${u.given} ${u.family}`, 'unknown')}, ${c.rng.pick(CREDENTIALS)} from home health.`;
  },
  (c) => {
    const u = unknownPerson(c.rng);
    return s`Pharmacist ${phi('name', `${u.given} ${u.family}`, 'unknown')} called about ${med(c)}.`;
  },
  (c) => {
    const u = unknownPerson(c.rng);
    return s`${phi('name', u.given, 'unknown')} called to report that ${possessive(c.patient)} ${vital(c)} this morning.`;
  },
  (c) => {
    const u = unknownPerson(c.rng);
    return s`${pronoun(c.patient)} was accompanied by ${phi('name', `${u.given} ${u.family}`, 'unknown')}, a family friend.`;
  },
  (c) => {
    const u = unknownPerson(c.rng);
    // No cue at all: the hardest case, only the lexicon can help.
    return s`${phi('name', `${u.given} ${u.family}`, 'unknown')} will drive ${possessive(c.patient)} home after discharge.`;
  },
  (c) => s`${pronoun(c.patient)} moved to ${phi('location', c.rng.pick(TOWNS))} in ${keep(c.rng.pick(YEARS_ALONE))} and works at ${phi('location', c.rng.pick(EMPLOYERS))}.`,
  (c) => s`Originally from ${phi('location', c.rng.pick(TOWNS))}, ${c.patient.state[0]}; now lives in ${phi('location', c.rng.pick(TOWNS))}.`,
  (c) => s`Transferred from ${phi('location', c.rng.pick(FACILITIES))} on ${dateSeg(c.rng, daysBefore(c.visit, c.rng.int(1, 10)))}.`,
  (c) => s`Patient portal: ${phi('url', c.rng.pick([`https://portal.examplehealth.org/p/${c.rng.digits(6)}`, `www.carepages.com/${c.patient.family.toLowerCase()}`, `mychart.examplehealth.org/visit?id=${c.rng.digits(5)}`]))}.`,
  (c) => s`Remote monitoring device reported from IP ${phi('ip', c.rng.pick([`10.${c.rng.int(0, 255)}.${c.rng.int(0, 255)}.${c.rng.int(1, 254)}`, `192.168.${c.rng.int(0, 255)}.${c.rng.int(1, 254)}`, `2001:db8::${c.rng.int(1, 9)}a2e:370:${c.rng.int(1000, 9999)}`]))}.`,
  (c) => s`Insurance: member ID ${phi('health_plan', `${c.rng.pick(['XQH', 'BCB', 'W'])}${c.rng.digits(9)}`)}, policy number ${phi('health_plan', `BC-${c.rng.digits(4)}-${c.rng.digits(4)}`)}.`,
  (c) => s`Billing account #${phi('account', c.rng.digits(9))} updated.`,
  (c) => s`Pacemaker serial number ${phi('device', `PJN${c.rng.digits(6)}`)} interrogated; ${vital(c)}.`,
  (c) => s`${pronoun(c.patient)} drove here; license plate ${phi('vehicle', `${c.rng.int(1, 9)}${c.rng.pick(['XKL', 'BRT', 'MWQ'])}${c.rng.digits(3)}`)} noted by security.`,
  (c) => s`Prescriber DEA # ${phi('license', `AB${c.rng.digits(7)}`)}, NPI ${phi('license', c.rng.digits(10))}.`,
  (c) => s`Driver's license number ${phi('license', `S${c.rng.digits(8)}`)} on file.`,
  (c) => s`Interpreter requested for ${possessive(c.patient)} appointment on ${dateSeg(c.rng, daysBefore(c.visit, -c.rng.int(3, 60)))}.`,
  (c) => s`${possessive(c.patient)[0]!.toUpperCase()}${possessive(c.patient).slice(1)} ${c.rng.pick(c.contacts).relation} can be reached abroad at ${intlPhoneSeg(c.rng)}.`,
  (c) => s`Fax records to ${phi('fax', `${c.rng.pick(['617', '508'])}-555-${c.rng.digits(4)}`)}.`,
  (c) => s`Zip code ${phi('zip', c.patient.zip)} is outside the service area.`,
  (c) => s`Surgery on ${dateSeg(c.rng, daysBefore(c.visit, c.rng.int(20, 400)))}; follow-up ${dateSeg(c.rng, daysBefore(c.visit, -c.rng.int(5, 40)))}.`,
  (c) => s`${pronoun(c.patient)} is in ${possessive(c.patient)} ${phi('age', '90s')} and lives alone.`,
];

/**
 * A second batch of sentences, written after the scrubber was tuned on the first and
 * scored before any further tuning (see README "Evaluation"): phrasing the detectors were
 * not written against, including cases they are expected to miss.
 */
const CLINICAL_2: Sentence[] = [
  (c) => s`${keep('Hgb A1c 6.9%')} (was ${keep('7.4%')} in ${keep(c.rng.pick(YEARS_ALONE))}).`,
  () => s`${keep('Troponin I <0.04 ng/mL')} x2.`,
  () => s`${keep('Temp 101.2 F')}, ${keep('HR 112')}, ${keep('BP 98/60')}, ${keep('RR 22')}, ${keep('SpO2 91% on RA')}.`,
  () => s`Medications: ${keep('Lipitor 20 mg')} qHS, ${keep('Norvasc 10 mg')} daily, ${keep('Januvia 100 mg')} daily.`,
  () => s`History of ${keep("Hodgkin's disease")} treated with ${keep('ABVD')} in ${keep('1998')}.`,
  () => s`Gait: positive ${keep('Romberg')}; ${keep('Babinski')} downgoing bilaterally.`,
  () => s`${keep('Apgars 8 and 9')} at 1 and 5 minutes.`,
  () => s`${keep('Kussmaul')} breathing noted in ${keep('DKA')}.`,
  () => s`${keep('MMSE 24/30')}, ${keep('MoCA 21/30')}.`,
  () => s`Started ${keep('Paxlovid')}; ${keep('Dexcom G7')} sensor placed.`,
  () => s`Echo: ${keep('EF 55-60%')}, mild ${keep('MR')}.`,
  () => s`Ortho consulted re: ${keep("Colles' fracture")} of the right wrist.`,
  () => s`Neuro exam notable for ${keep('Horner syndrome')} on the left.`,
  () => s`Positive ${keep('Tinel')} and ${keep('Phalen signs')} at the wrist.`,
  () => s`Cultures grew ${keep('Klebsiella pneumoniae')} and ${keep('Enterococcus faecalis')}.`,
  () => s`Subarachnoid hemorrhage, ${keep('Hunt and Hess grade 2')}.`,
  () => s`Known ${keep("Still's disease")} on ${keep('anakinra')}.`,
  () => s`Coverage through ${keep('Medicare Part D', 'word')} confirmed.`,
  () => s`${keep('CHA2DS2-VASc score 4')}; ${keep('HAS-BLED 2')}.`,
  () => s`${keep('Nexium')} switched to ${keep('Pepcid 20 mg')} BID.`,
];

const IDENTIFYING_2: Sentence[] = [
  (c) => {
    const k = c.rng.pick(c.contacts);
    return s`Emergency contact: ${phi('name', `${k.given} ${k.family}`, 'record')} (${k.relation}), cell ${phoneSeg(c.rng, k.phone)}.`;
  },
  (c) => {
    const u = unknownPerson(c.rng);
    return s`Pt's wife ${phi('name', u.given, 'unknown')} brought in ${possessive(c.patient)} pill bottles.`;
  },
  (c) => {
    const u = unknownPerson(c.rng);
    return s`Message left for ${phi('name', u.given, 'unknown')} at the number on file.`;
  },
  (c) => {
    const a = c.rng.pick(c.staff);
    const b = c.rng.pick(c.staff);
    return s`Discussed with Dr ${phi('name', a.family, 'staff')} and RN ${phi('name', b.family, 'staff')}.`;
  },
  (c) => {
    const u = unknownPerson(c.rng);
    return s`Pt states Grandma ${phi('name', u.given, 'unknown')} is visiting from ${phi('location', c.rng.pick(TOWNS))} next week.`;
  },
  (c) => {
    const u = unknownPerson(c.rng);
    return s`Lives with partner ${phi('name', `${u.given} ${u.family}`, 'unknown')} in a 2nd floor apartment at ${phi('address', `${c.rng.int(2, 90)} ${c.rng.int(2, 9)}th Avenue`)}.`;
  },
  (c) => s`Seen at the ${phi('location', c.rng.pick(TOWNS))} urgent care ${dateSeg(c.rng, daysBefore(c.visit, c.rng.int(2, 30)))}.`,
  (c) => {
    const d = daysBefore(c.visit, c.rng.int(2, 30));
    return s`Admission date: ${phi('date', `${d.getUTCMonth() + 1}.${d.getUTCDate()}.${d.getUTCFullYear()}`)}.`;
  },
  (c) => {
    const age = c.visit.getUTCFullYear() - c.patient.birth.getUTCFullYear();
    return age > 89 ? s`DOB ${dateSeg(c.rng, c.patient.birth)} (age ${phi('age', String(age))}).` : s`DOB ${dateSeg(c.rng, c.patient.birth)} (age ${String(age)}).`;
  },
  (c) => {
    const k = c.rng.pick(c.contacts);
    return s`Hx per ${k.relation} (${phi('name', k.given, 'record')}, ${phi('phone', `555-${c.rng.digits(4)}`)}).`;
  },
  (c) => s`${pronoun(c.patient)} is a retired firefighter from ${phi('location', c.rng.pick(TOWNS))} who turned ${phi('age', String(c.rng.int(90, 99)))} this spring.`,
  (c) => {
    const u = unknownPerson(c.rng);
    return s`Her husband, Mr. ${phi('name', `${u.given} ${u.family}`, 'unknown')}, is her health care proxy.`;
  },
  (c) => s`Call Interpreter Services at ${phi('phone', `617-555-${c.rng.digits(4)} x${c.rng.digits(4)}`)}.`,
  (c) => s`Reminder sent to ${phi('email', `${c.patient.given.toLowerCase()}.${c.rng.pick(['hope', 'k', 'm'])}${c.rng.int(1, 99)}@gmail.com`)} and by text to ${phi('phone', `781 555 ${c.rng.digits(4)}`)}.`,
  (c) => s`Tel: ${phi('phone', `+1 (617) 555-${c.rng.digits(4)}`)}.`,
  (c) => s`Kaiser member #${phi('health_plan', `K${c.rng.digits(9)}`)} verified.`,
  (c) => {
    const u = unknownPerson(c.rng);
    return s`The patient's nephew, ${phi('name', u.given, 'unknown')}, will pick ${possessive(c.patient) === 'her' ? 'her' : 'him'} up.`;
  },
  (c) => s`Patient is a ${phi('age', String(c.rng.int(90, 104)))} y.o. ${c.patient.sex}.`,
  (c) => s`Born ${dateSeg(c.rng, c.patient.birth)}; last colonoscopy ${keep('2019')}, next due ${keep('2029')}.`,
  (c) => {
    const d = daysBefore(c.visit, c.rng.int(2, 30));
    return s`Seen in clinic Tuesday, ${phi('date', `${d.getUTCMonth() + 1}/${d.getUTCDate()}`)}.`;
  },
  (c) => {
    const d = daysBefore(c.visit, -c.rng.int(7, 30));
    return s`f/u ${phi('date', `${d.getUTCMonth() + 1}/${d.getUTCDate()}`)} with ${staffName(c.rng, c.rng.pick(c.staff))}.`;
  },
  (c) => {
    const a = c.rng.pick(c.staff);
    return s`Signed electronically by ${phi('name', `${a.given} ${a.family}`, 'staff')}, RN on ${phi('date', `${c.visit.getUTCFullYear()}-${pad(c.visit.getUTCMonth() + 1)}-${pad(c.visit.getUTCDate())} 14:22`)}.`;
  },
  (c) => {
    const a = c.rng.pick(c.staff);
    const u = unknownPerson(c.rng);
    return s`CC: Dr. ${phi('name', a.family, 'staff')}; Ms. ${phi('name', u.family, 'unknown')} (case manager).`;
  },
  (c) => {
    const u = unknownPerson(c.rng);
    return s`Ms. ${phi('name', `O'Brien-${u.family}`, 'unknown')} reports the ${keep('Foley')} was removed.`;
  },
  (c) => s`Contact her at her work number ${phi('phone', `(413) 555-${c.rng.digits(4)}, ext ${c.rng.digits(4)}`)}, or home ${phi('phone', `413.555.${c.rng.digits(4)}`)}.`,
  (c) => s`IP ${phi('ip', `172.16.${c.rng.int(0, 255)}.${c.rng.int(1, 254)}`)} logged the portal access.`,
  (c) => s`URL: ${phi('url', `http://tinyurl.com/${c.rng.pick(['ab', 'xy', 'pq'])}${c.rng.digits(4)}`)}`,
  (c) => s`Mailing address: ${phi('address', `PO Box ${c.rng.int(10, 9999)}`)}, ${phi('location', c.rng.pick(TOWNS))}, VT ${phi('zip', `05${c.rng.digits(3)}`)}.`,
  (c) => s`Lives in apartment 3R at ${phi('address', `${c.rng.int(1, 300)} Beacon St.`)}`,
  (c) => s`${pronoun(c.patient)} spent Christmas ${keep('2019')} with family in ${phi('location', c.rng.pick(TOWNS))}.`,
  (c) => {
    const u = unknownPerson(c.rng);
    return s`Mother (${phi('name', `${u.given} ${u.family}`, 'unknown')}, 72) reports poor appetite.`;
  },
  (c) => {
    const u = unknownPerson(c.rng);
    return s`Friend ${phi('name', u.given, 'unknown')} drove ${possessive(c.patient) === 'her' ? 'her' : 'him'} in.`;
  },
  (c) => s`Patient's son ${phi('name', 'Will', 'unknown')} says ${pronoun(c.patient).toLowerCase()} has been confused.`,
];

/**
 * Held-out sentences: written last and never tuned against. They are scored separately
 * (`generateHoldoutSet`, reported by run.ts but not part of the targets) to show how the
 * scrubber does on phrasing it was not fitted to.
 */
const HOLDOUT: Sentence[] = [
  (c) => {
    const u = unknownPerson(c.rng);
    return s`Pt seen w/ wife ${phi('name', u.given, 'unknown')} at bedside.`;
  },
  (c) => {
    const u = unknownPerson(c.rng);
    return s`Case discussed w/ Dr ${phi('name', `${u.family}-Ortega`, 'unknown')} from ID.`;
  },
  (c) => {
    const u = unknownPerson(c.rng);
    return s`Son (${phi('name', u.given, 'unknown')}) reachable on his mobile ${phi('phone', `07700 ${c.rng.digits(6)}`)}.`;
  },
  (c) => s`Pt is a ${phi('age', 'nonagenarian')} (DOB ${phi('date', `2/${c.rng.int(1, 28)}/19${c.rng.int(25, 34)}`)}).`,
  (c) => s`Lives on ${phi('address', `${c.rng.pick(STREET_NAMES)} Hill Rd`)} in ${phi('location', c.rng.pick(TOWNS))}.`,
  (c) => s`Old records faxed from ${phi('location', `${c.rng.pick(['Brightwater', 'Cedar Hollow', 'Glenmoor'])} Family Practice`)}, fax ${phi('fax', `508 555 ${c.rng.digits(4)}`)}.`,
  (c) => s`Email: ${phi('email', `${c.patient.given.toLowerCase()}_${c.rng.int(1, 9)}@protonmail.ch`)}`,
  (c) => {
    const u = unknownPerson(c.rng);
    return s`Pt's landlord, a Mr. ${phi('name', u.family, 'unknown')}, called re: noise complaints.`;
  },
  (c) => {
    const u = unknownPerson(c.rng);
    return s`Daughter-in-law ${phi('name', u.given, 'unknown')} helps with meds.`;
  },
  (c) => s`Seen on ${phi('date', 'Thanksgiving Day')} ${keep(String(c.rng.int(2019, 2024)))}.`,
  () => s`Moved here from ${phi('location', 'Saskatoon')} last winter.`,
  (c) => {
    const u = unknownPerson(c.rng);
    return s`Her PCP is Dr. ${phi('name', `${u.given} ${u.family}`, 'unknown')} at ${phi('address', `${c.rng.int(1, 99)} Medical Center Dr, Suite ${c.rng.int(100, 400)}`)}.`;
  },
  (c) => s`Blood drawn ${phi('date', `${c.rng.int(1, 12)}/${c.rng.int(1, 28)}`)} @ 0600.`,
  (c) => s`Tx to SNF (${phi('location', `${c.rng.pick(['Maple Grove', 'Whispering Pines', 'Harbor View'])} Manor`)}) on ${dateSeg(c.rng, daysBefore(c.visit, c.rng.int(1, 60)))}.`,
  (c) => {
    const u = unknownPerson(c.rng);
    return s`Contact sister ${phi('name', `${u.given} O'Sullivan-Hayes`, 'unknown')} (home ${phi('phone', `413-555-${c.rng.digits(4)}`)}, cell ${phi('phone', `413-555-${c.rng.digits(4)}`)}).`;
  },
  (c) => {
    const u = unknownPerson(c.rng);
    return s`Patient requests records be sent to her attorney, ${phi('name', `${u.given} ${u.family}`, 'unknown')}, Esq.`;
  },
  () => s`Hospitalized at ${phi('location', 'Mass General')} in ${phi('date', 'March')}.`,
  (c) => s`Insurance ID# ${phi('health_plan', `ZGP-${c.rng.digits(4)}-${c.rng.digits(4)}-01`)} on file.`,
  (c) => s`Verified identity with last 4 of SSN (${phi('ssn', c.rng.digits(4))}).`,
  () => s`${keep('Temp max 101.3')}, ${keep('WBC 14.2K')}, on day 3 of ${keep('cefepime')}.`,
  () => s`Neuro: ${keep('CN II-XII intact')}, ${keep('Romberg negative')}, no pronator drift.`,
  () => s`Dx: ${keep('Sjogren syndrome')}, ${keep('Raynaud phenomenon')}.`,
  () => s`Pt ambulating with walker; ${keep('Morse fall score 45')}.`,
  () => s`Started ${keep('Entresto 24/26 mg')} BID.`,
  () => s`${keep('Gleason 3+4=7')} adenocarcinoma; ${keep('PSA 6.8')}.`,
  () => s`${keep('Murphy sign')} positive, ${keep('McBurney point')} nontender.`,
];

/** The held-out set: notes made only of HOLDOUT sentences (see above). */
export function generateHoldoutSet(seed = 31_337, count = 150): EvalNote[] {
  const rng = new Rng(seed);
  const staff: Person[] = STAFF.map((full) => {
    const [given, ...rest] = full.split(' ');
    return { given: given!, family: rest.join(' '), source: 'staff' as const };
  });
  const notes: EvalNote[] = [];
  for (let i = 0; i < count; i++) {
    const visit = new Date(Date.UTC(rng.int(2018, 2025), rng.int(0, 11), rng.int(1, 28)));
    const patient = makePatient(rng, visit);
    const ctx: Ctx = { rng, patient, contacts: makeContacts(rng, patient), staff, visit };
    const builder = new NoteBuilder();
    for (let k = 0; k < 8; k++) builder.add([rng.pick(HOLDOUT)(ctx), k % 3 === 2 ? '\n' : ' ']);
    notes.push({ id: `H${String(i + 1).padStart(4, '0')}`, kind: NOTE_KINDS[i % NOTE_KINDS.length]!, text: builder.build(), phi: builder.phi, keep: builder.keep, known: knownFor(ctx) });
  }
  return notes;
}

// ---------------------------------------------------------------- note kinds

function header(c: Ctx, title: string): Seg {
  const p = c.patient;
  return s`${title}\nPatient: ${phi('name', `${p.family}, ${p.given}`, 'record')}  ${mrnSeg(c.rng, p.mrn)}  DOB: ${dateSeg(c.rng, p.birth)}\nDate of service: ${dateSeg(c.rng, c.visit)}\n\n`;
}

function body(c: Ctx, count: number, identifyingShare: number): Seg[] {
  const out: Seg[] = [];
  for (let i = 0; i < count; i++) {
    const pool = c.rng.chance(identifyingShare) ? (c.rng.chance(0.4) ? IDENTIFYING_2 : IDENTIFYING) : c.rng.chance(0.4) ? CLINICAL_2 : CLINICAL;
    out.push(c.rng.pick(pool)(c), i % 3 === 2 ? '\n' : ' ');
  }
  return out;
}

function signature(c: Ctx): Seg {
  return s`\nSigned: ${staffName(c.rng, c.rng.pick(c.staff))}\n`;
}

const KINDS: Record<NoteKind, (c: Ctx) => Seg> = {
  progress: (c) =>
    s`${header(c, 'PROGRESS NOTE')}SUBJECTIVE: ${body(c, 4, 0.5)}\nOBJECTIVE: ${vital(c)}, ${vital(c)}. ${body(c, 2, 0.3)}\nASSESSMENT AND PLAN: ${body(c, 4, 0.4)}${signature(c)}`,
  discharge: (c) =>
    s`${header(c, 'DISCHARGE SUMMARY')}Admitted ${dateSeg(c.rng, daysBefore(c.visit, c.rng.int(2, 12)))} for ${dx(c)}.\nHOSPITAL COURSE: ${body(c, 6, 0.45)}\nDISCHARGE MEDICATIONS: ${med(c)}, ${med(c)}, ${med(c)}.\nFOLLOW-UP: ${body(c, 3, 0.6)}${signature(c)}`,
  phone: (c) => {
    const caller = c.rng.pick(c.contacts);
    return s`TELEPHONE ENCOUNTER ${dateSeg(c.rng, c.visit)}\n${contactRef(c.rng, caller, 'Patient\u2019s')} called from ${phoneSeg(c.rng, caller.phone)} regarding ${patientName(c.rng, c.patient)}. ${body(c, 5, 0.5)}${signature(c)}`;
  },
  referral: (c) => {
    const to = unknownPerson(c.rng);
    return s`${dateSeg(c.rng, c.visit)}\n\nDear Dr. ${phi('name', to.family, 'unknown')},\n\nThank you for seeing ${patientName(c.rng, c.patient)}, a ${ageSeg(c.rng, c.patient, c.visit)} with ${eponym(c)}. ${body(c, 6, 0.45)}\nAddress: ${addressSeg(c.patient, c.rng)}. Phone ${phoneSeg(c.rng, c.patient.phone)}.\n\nSincerely,\n${staffName(c.rng, c.rng.pick(c.staff))}\n`;
  },
  nursing: (c) => s`${header(c, 'NURSING NOTE')}${body(c, 6, 0.4)}\nReported to ${staffName(c.rng, c.rng.pick(c.staff))}.${signature(c)}`,
};

function knownFor(c: Ctx): KnownIdentifiers {
  const p = c.patient;
  return {
    names: [`${p.given} ${p.family}`, ...c.contacts.map((k) => `${k.given} ${k.family}`)],
    // As the tools pass them (createRedactor's staffNames): the staff directory apart.
    staffNames: c.staff.map((k) => `${k.given} ${k.family}`),
    mrns: [p.mrn],
    ssns: [p.ssn],
    phones: [p.phone, ...c.contacts.map((k) => k.phone)],
    emails: [p.email],
    addresses: [p.street],
    cities: [p.town],
    zips: [p.zip],
  };
}

export function generateEvalSet(seed = 20_260_101, count = 400): EvalNote[] {
  const rng = new Rng(seed);
  const staff: Person[] = STAFF.map((full) => {
    const [given, ...rest] = full.split(' ');
    return { given: given!, family: rest.join(' '), source: 'staff' as const };
  });
  const notes: EvalNote[] = [];
  for (let i = 0; i < count; i++) {
    const visit = new Date(Date.UTC(rng.int(2018, 2025), rng.int(0, 11), rng.int(1, 28)));
    const patient = makePatient(rng, visit);
    const ctx: Ctx = { rng, patient, contacts: makeContacts(rng, patient), staff, visit };
    const kind = NOTE_KINDS[i % NOTE_KINDS.length]!;
    const builder = new NoteBuilder();
    builder.add(KINDS[kind](ctx));
    notes.push({ id: `N${String(i + 1).padStart(4, '0')}`, kind, text: builder.build(), phi: builder.phi, keep: builder.keep, known: knownFor(ctx) });
  }
  return notes;
}
