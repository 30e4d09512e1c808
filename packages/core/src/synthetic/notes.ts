/**
 * Free-text notes as clinicians write them: progress, discharge, telephone, referral and
 * nursing notes that name the patient and relatives, quote phone numbers, dates and the
 * home address, and now and then the MRN. They are the redaction layer's test material, so
 * the identifiers come in the shapes real charts use (several date and phone styles,
 * first-name-only mentions, "Mr. Family").
 */
import type { AllergyRow, ContactRow, MedicationRow, NoteRow, PatientRow } from '../records.js';
import { MEDICATIONS, type ConditionDef, type LabName } from './catalog.js';
import type { EncounterFacts } from './generator.js';
import { anyDate, clock, DAY_MS, formatPhone, isoInstant, longDate, randomPhoneStyle, usDate } from './format.js';
import { FAMILY_NAMES, givenNameFor } from './names.js';
import type { Random } from './random.js';

export interface NoteSubject {
  patient: PatientRow;
  age: number;
  contacts: readonly ContactRow[];
  chronic: readonly ConditionDef[];
  medications: readonly MedicationRow[];
  allergies: readonly AllergyRow[];
  encounters: readonly EncounterFacts[];
  asOfMs: number;
}

export interface NoteOptions {
  minNotes: number;
  mentionContacts: boolean;
}

type Kind = 'progress' | 'discharge' | 'phone' | 'referral' | 'nursing';

interface Plan {
  kind: Kind;
  encounter: EncounterFacts | undefined;
  atMs: number;
}

interface Voice {
  title: string;
  he: string;
  him: string;
  his: string;
  noun: string;
}

function voiceOf(patient: PatientRow, age: number): Voice {
  const child = age < 18;
  if (patient.sex === 'male') return { title: 'Mr.', he: 'he', him: 'him', his: 'his', noun: child ? 'boy' : 'man' };
  if (patient.sex === 'female') return { title: 'Ms.', he: 'she', him: 'her', his: 'her', noun: child ? 'girl' : 'woman' };
  return { title: 'Mx.', he: 'they', him: 'them', his: 'their', noun: child ? 'child' : 'patient' };
}

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function list(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const LAB_ABBREVIATIONS: Readonly<Record<LabName, string>> = {
  hba1c: 'A1c', glucose: 'glucose', creatinine: 'Cr', urea: 'BUN', sodium: 'Na', potassium: 'K', hemoglobin: 'Hgb',
  wbc: 'WBC', platelets: 'Plt', cholesterol: 'TC', ldl: 'LDL', hdl: 'HDL', triglycerides: 'TG', tsh: 'TSH', alt: 'ALT',
};

/** Short drug names by RxNorm code, for notes. */
const SHORT_BY_RXNORM: ReadonlyMap<string, string> = new Map(Object.values(MEDICATIONS).map((m) => [m.rxnorm, m.short]));

const SPECIALTY: Readonly<Record<string, string>> = {
  '38341003': 'Cardiology', '44054006': 'Endocrinology', '15777000': 'Endocrinology', '55822004': 'Cardiology',
  '195967001': 'Pulmonology', '13645005': 'Pulmonology', '433144002': 'Nephrology', '53741008': 'Cardiology',
  '49436004': 'Cardiology', '42343007': 'Cardiology', '40930008': 'Endocrinology', '370143000': 'Psychiatry',
  '239873007': 'Orthopedics', '162864005': 'Nutrition and Weight Management', '235595009': 'Gastroenterology',
  '37796009': 'Neurology', '49049000': 'Neurology', '34000006': 'Gastroenterology', '26929004': 'Neurology',
  '84757009': 'Neurology',
};

const PLANS: Readonly<Record<string, string>> = {
  '38341003': 'BP above goal today; reinforced low-salt diet, home BP log',
  '44054006': 'A1c reviewed; continue current regimen, foot exam done, annual eye exam due',
  '15777000': 'discussed diet and exercise, recheck A1c in 6 months',
  '55822004': 'continue statin, repeat lipid panel in 3 months',
  '195967001': 'well controlled, uses rescue inhaler about twice a week; reviewed inhaler technique',
  '13645005': 'stable on inhalers, no recent exacerbation; pulmonary rehab offered',
  '433144002': 'creatinine stable; avoid NSAIDs, renally dose medications',
  '53741008': 'no angina since last visit; continue antiplatelet therapy',
  '49436004': 'rate controlled; INR monitoring through anticoagulation clinic',
  '42343007': 'euvolemic on exam, daily weights at home, call if gain > 2 lb/day',
  '40930008': 'TSH at goal, continue levothyroxine',
  '370143000': 'PHQ-9 improved to 8; continue sertraline, follows with therapist',
  '239873007': 'knee pain limits walking; PT referral, acetaminophen as needed',
  '162864005': 'BMI discussed; referred to nutrition',
  '235595009': 'symptoms controlled with diet changes',
  '37796009': 'two migraines per month; keep headache diary',
  '49049000': "resting tremor slightly worse; gait steady with cane; neurology follow-up for Parkinson's disease",
  '34000006': "no flare since last visit; GI following for Crohn's disease",
  '26929004': "memory declining per family; safety at home reviewed; continue donepezil for Alzheimer's disease",
  '84757009': 'seizure-free for 8 months; driving restrictions reviewed',
};

const SYMPTOMS: Readonly<Record<string, string>> = {
  '444814009': 'five days of nasal congestion, facial pressure and low-grade fever',
  '10509002': 'a productive cough for a week with mild wheezing',
  '195662009': 'sore throat and runny nose for three days',
  '43878008': 'sore throat, fever to 38.9 and painful swallowing; rapid strep positive',
  '65363002': 'ear pain and fussiness since yesterday, fever at night',
  '301011002': 'burning on urination and frequency for two days',
  '233604007': 'fever, cough and shortness of breath; crackles at the right base',
  '44465007': 'rolling the left ankle while stepping off a curb; swelling and bruising laterally',
};

function pickKinds(random: Random, subject: NoteSubject, count: number): Plan[] {
  const { encounters, asOfMs } = subject;
  const candidates: Plan[] = [];
  for (const encounter of encounters) {
    if (encounter.row.class === 'IMP') {
      const stayEnd = encounter.endMs ?? asOfMs;
      candidates.push({ kind: 'nursing', encounter, atMs: Math.min(stayEnd, encounter.startMs + random.int(6, 30) * 3_600_000) });
      if (encounter.endMs !== null) candidates.push({ kind: 'discharge', encounter, atMs: encounter.endMs });
    } else {
      candidates.push({ kind: 'progress', encounter, atMs: (encounter.endMs ?? encounter.startMs) + 20 * 60_000 });
    }
  }
  const anchor = random.pick(encounters);
  const phoneAt = Math.min(asOfMs - 3_600_000, anchor.startMs + random.int(1, 10) * DAY_MS + random.int(0, 8) * 3_600_000);
  candidates.push({ kind: 'phone', encounter: undefined, atMs: phoneAt });
  if (subject.chronic.length > 0) {
    const visit = random.pick(encounters.filter((e) => e.row.class === 'AMB').concat(encounters[0] ? [encounters[0]] : []));
    candidates.push({ kind: 'referral', encounter: visit, atMs: visit.startMs + 2 * 3_600_000 });
  }
  // Prefer variety: one of each kind first (most recent first), then more progress notes.
  const chosen: Plan[] = [];
  const byRecency = [...candidates].sort((a, b) => b.atMs - a.atMs);
  const order: Kind[] = random.chance(0.5)
    ? ['progress', 'phone', 'discharge', 'nursing', 'referral']
    : ['progress', 'nursing', 'referral', 'phone', 'discharge'];
  for (const kind of order) {
    const plan = byRecency.find((p) => p.kind === kind && !chosen.includes(p));
    if (plan && chosen.length < count) chosen.push(plan);
  }
  for (const plan of byRecency) if (chosen.length < count && !chosen.includes(plan)) chosen.push(plan);
  // Still short (a small chart asked for many notes): more telephone calls.
  while (chosen.length < count) {
    const at = asOfMs - random.int(1, 400) * DAY_MS;
    chosen.push({ kind: 'phone', encounter: undefined, atMs: at });
  }
  return chosen.sort((a, b) => a.atMs - b.atMs);
}

export function writeNotes(random: Random, subject: NoteSubject, options: NoteOptions): NoteRow[] {
  const count = Math.max(
    options.minNotes,
    random.weighted<number>([
      [2, 3],
      [3, 4],
      [4, 2],
      [5, 1],
    ]),
  );
  const plans = pickKinds(random, subject, count);
  const voice = voiceOf(subject.patient, subject.age);
  const nurse = `${givenNameFor(random, random.chance(0.8) ? 'female' : 'male')} ${random.pick(FAMILY_NAMES)}, RN`;
  const notes = plans.map((plan, i) => {
    const writer = WRITERS[plan.kind];
    const contact = subject.contacts.length > 0 ? random.pick(subject.contacts) : undefined;
    const mention = options.mentionContacts || random.chance(0.6);
    const text = writer({ random, subject, plan, voice, nurse, contact: mention ? contact : undefined });
    return {
      id: `${subject.patient.id}-N${i + 1}`,
      patient_id: subject.patient.id,
      encounter_id: plan.encounter?.row.id ?? null,
      author_account_id: null,
      author_name: plan.kind === 'nursing' || plan.kind === 'phone' ? nurse : (plan.encounter?.row.provider_name ?? null),
      note_type: plan.kind,
      text,
      created_at: isoInstant(plan.atMs),
    } satisfies NoteRow;
  });
  // Every chart quotes the patient's own number somewhere, as real ones do.
  const phone = subject.patient.phone;
  const last = notes[notes.length - 1];
  if (phone && last && !notes.some((n) => n.text.includes(phone))) {
    last.text += `\nPatient's preferred callback number: ${phone}.`;
  }
  return notes;
}

interface WriterInput {
  random: Random;
  subject: NoteSubject;
  plan: Plan;
  voice: Voice;
  nurse: string;
  contact: ContactRow | undefined;
}

const WRITERS: Readonly<Record<Kind, (input: WriterInput) => string>> = {
  progress: progressNote,
  discharge: dischargeNote,
  phone: phoneNote,
  referral: referralNote,
  nursing: nursingNote,
};

function activeMeds(subject: NoteSubject): string[] {
  return subject.medications
    .filter((m) => m.status === 'active')
    .map((m) => (m.rxnorm_code ? SHORT_BY_RXNORM.get(m.rxnorm_code) : undefined) ?? m.display);
}

function allergyText(subject: NoteSubject): string {
  return subject.allergies.length === 0 ? 'NKDA' : subject.allergies.map((a) => `${a.display.replace(/^Allergy to /, '')} (${a.reaction ?? 'reaction unknown'})`).join('; ');
}

function firstName(contact: ContactRow): string {
  return contact.name.split(' ')[0] ?? contact.name;
}

function otherPhoneStyle(random: Random, phone: string | null): string {
  if (!phone) return 'no phone on file';
  const digits = phone.replace(/\D/g, '').replace(/^1(?=\d{10}$)/, '');
  return formatPhone(digits, randomPhoneStyle(random));
}

function vitalsLine(encounter: EncounterFacts | undefined): string {
  if (!encounter) return '';
  const v = encounter.vitals;
  return `BP ${Math.round(v.systolic)}/${Math.round(v.diastolic)}, HR ${Math.round(v.heartRate)}, T ${v.temperature.toFixed(1)} C, RR ${Math.round(v.respiratoryRate)}, SpO2 ${Math.round(v.oxygenSaturation)}%`;
}

function progressNote({ random, subject, plan, voice, contact }: WriterInput): string {
  const { patient, age } = subject;
  const encounter = plan.encounter;
  const date = anyDate(random, plan.atMs);
  const problems = subject.chronic.map((c) => c.phrase);
  const reason = encounter?.acute
    ? `${SYMPTOMS[encounter.acute.code] ?? encounter.acute.phrase}`
    : encounter?.row.class === 'EMER'
      ? `${(encounter.row.reason ?? 'an urgent problem').toLowerCase()} in the emergency department`
      : encounter?.row.reason
        ? `follow-up of ${encounter.row.reason.toLowerCase()}`
        : 'a routine check-up';
  const lines: string[] = [];
  lines.push(`PROGRESS NOTE (${date})`);
  lines.push('');
  const history = problems.length > 0 ? ` with a history of ${list(problems)}` : '';
  const name = age < 18 ? patient.given_name : `${voice.title} ${patient.family_name}`;
  lines.push(`S: ${name} is a ${age}-year-old ${voice.noun}${history}, seen today for ${reason}.`);
  if (contact) {
    lines.push(
      random.chance(0.5)
        ? `Accompanied by ${voice.his} ${contact.relationship}, ${contact.name}, who helps with medications.`
        : `${capital(voice.his)} ${contact.relationship} ${firstName(contact)} joined by phone from ${contact.phone ?? 'an unlisted number'}.`,
    );
  }
  const meds = activeMeds(subject);
  lines.push(`Meds: ${meds.length > 0 ? meds.join(', ') : 'none'}. Allergies: ${allergyText(subject)}.`);
  lines.push('');
  lines.push(`O: ${vitalsLine(encounter)}. Weight ${encounter ? encounter.weight.toFixed(1) : '?'} kg.`);
  if (encounter && encounter.labs.length > 0) {
    lines.push(`Labs: ${encounter.labs.slice(0, 5).map((l) => `${LAB_ABBREVIATIONS[l.name]} ${l.value}`).join(', ')}.`);
  }
  lines.push('');
  lines.push('A/P:');
  let n = 1;
  if (encounter?.acute) {
    lines.push(`${n}. ${capital(encounter.acute.phrase)}: supportive care, return if not improving in a week.`);
    n += 1;
  }
  for (const condition of subject.chronic.slice(0, 3)) {
    lines.push(`${n}. ${capital(condition.phrase)}: ${PLANS[condition.code] ?? 'stable, continue current management'}.`);
    n += 1;
  }
  if (n === 1) lines.push('1. Healthy; age-appropriate screening and immunizations up to date.');
  lines.push(`RTC ${random.pick(['in 2 weeks', 'in 3 months', 'in 6 months', 'as needed'])}.`);
  if (random.chance(0.25)) lines.push(`Chart ${patient.mrn} reviewed.`);
  lines.push(`-- ${encounter?.row.provider_name ?? 'clinician'}`);
  return lines.join('\n');
}

function dischargeNote({ random, subject, plan, voice, contact }: WriterInput): string {
  const { patient, age } = subject;
  const encounter = plan.encounter;
  const admitted = encounter ? encounter.startMs : plan.atMs;
  const lines = [
    'DISCHARGE SUMMARY',
    `Patient: ${patient.given_name} ${patient.family_name}    MRN: ${patient.mrn}    DOB: ${usDate(Date.parse(`${patient.birth_date}T00:00:00Z`))}`,
    `Admitted: ${usDate(admitted)}    Discharged: ${usDate(plan.atMs)}`,
    `Attending: ${encounter?.row.provider_name ?? 'hospitalist'}`,
    '',
    `Reason for admission: ${encounter?.row.reason ?? 'observation'}.`,
    `Hospital course: ${patient.given_name} is a ${age}-year-old ${voice.noun} admitted on ${longDate(admitted)} for ${(encounter?.row.reason ?? 'observation').toLowerCase()}. ` +
      `${capital(voice.he)} improved with treatment and was ambulating independently by day ${random.int(2, 4)}.` +
      (subject.chronic.length > 0 ? ` Chronic ${list(subject.chronic.map((c) => c.phrase))} managed as below.` : ''),
    `Discharge medications: ${activeMeds(subject).join('; ') || 'none'}.`,
    `Allergies: ${allergyText(subject)}.`,
    '',
    `Disposition: home to ${patient.address_line}, ${patient.city}, ${patient.state} ${patient.postal_code}` +
      (contact ? `, with ${voice.his} ${contact.relationship} ${contact.name}, reachable at ${contact.phone ?? 'no phone on file'}.` : '.'),
    `Follow-up with primary care within 7 days; call ${otherPhoneStyle(random, patient.phone)} to confirm the appointment.`,
  ];
  return lines.join('\n');
}

function phoneNote({ random, subject, plan, voice, contact, nurse }: WriterInput): string {
  const { patient } = subject;
  const when = `${usDate(plan.atMs)} ${clock(plan.atMs)}`;
  const meds = activeMeds(subject);
  const topic = meds.length > 0 && random.chance(0.5) ? `a refill of ${random.pick(meds)}` : random.pick([
    'worsening cough overnight',
    'a question about lab results',
    'dizziness when standing up',
    'rescheduling the follow-up appointment',
    'swelling in both ankles',
  ]);
  if (contact) {
    return [
      `TELEPHONE ENCOUNTER ${when}`,
      `Caller: ${contact.name} (${contact.relationship}), callback ${contact.phone ?? 'not given'}.`,
      `${firstName(contact)} called regarding ${patient.given_name}: ${topic}. Identity verified with DOB ${anyDate(random, Date.parse(`${patient.birth_date}T00:00:00Z`))}.`,
      `Advised to bring ${voice.him} in if symptoms worsen; ${patient.given_name} can also be reached at home at ${otherPhoneStyle(random, patient.phone)}.`,
      `-- ${nurse}`,
    ].join('\n');
  }
  return [
    `TELEPHONE ENCOUNTER ${when}`,
    `${patient.given_name} ${patient.family_name} called from ${otherPhoneStyle(random, patient.phone)} regarding ${topic}.`,
    `Last seen ${anyDate(random, plan.atMs - random.int(5, 60) * DAY_MS)}. Message routed to the covering provider; patient aware.`,
    `-- ${nurse}`,
  ].join('\n');
}

function referralNote({ random, subject, plan, voice, contact }: WriterInput): string {
  const { patient, age } = subject;
  const condition = random.pick(subject.chronic);
  const specialty = SPECIALTY[condition.code] ?? 'Internal Medicine';
  const specialistFamily = random.pick(FAMILY_NAMES);
  const lines = [
    `REFERRAL — ${specialty}`,
    `Date: ${longDate(plan.atMs)}`,
    `Re: ${patient.given_name} ${patient.family_name}, DOB ${usDate(Date.parse(`${patient.birth_date}T00:00:00Z`))}${random.chance(0.5) ? `, MRN ${patient.mrn}` : ''}`,
    '',
    `Dear Dr. ${specialistFamily},`,
    `I am referring ${voice.title} ${patient.family_name}, a ${age}-year-old ${voice.noun} with ${condition.phrase}, for your evaluation and recommendations. ` +
      `${PLANS[condition.code] ? capital(PLANS[condition.code]!) + '.' : ''}`,
    `Current medications: ${activeMeds(subject).join(', ') || 'none'}.`,
    `${capital(voice.he)} lives at ${patient.address_line} in ${patient.city} and prefers calls to ${patient.phone ?? 'the clinic'}` +
      (patient.email ? ` or e-mail at ${patient.email}.` : '.'),
  ];
  if (contact) lines.push(`${capital(voice.his)} ${contact.relationship}, ${contact.name}, may accompany ${voice.him}; ${firstName(contact)}'s number is ${contact.phone ?? 'not on file'}.`);
  lines.push('', 'Thank you,', plan.encounter?.row.provider_name ?? 'Primary care');
  return lines.join('\n');
}

function nursingNote({ random, subject, plan, contact, nurse }: WriterInput): string {
  const { patient } = subject;
  const encounter = plan.encounter;
  const oxygen = encounter && encounter.vitals.oxygenSaturation < 93 ? '2 L NC' : 'RA';
  const lines = [
    `NURSING NOTE ${usDate(plan.atMs)} ${clock(plan.atMs)} (${patient.given_name} ${patient.family_name.charAt(0)}.)`,
    `Pt resting in bed, A&Ox${random.pick(['3', '3', '4', '2'])}. VS: ${vitalsLine(encounter)} on ${oxygen}. Pain ${random.int(0, 6)}/10.`,
    random.pick([
      'Tolerating diet, ambulated in hallway with walker x1 assist.',
      'IV site clean and dry; fall precautions in place.',
      'Voiding without difficulty. Bed alarm on.',
    ]),
  ];
  if (contact) {
    lines.push(
      `${capital(contact.relationship)} ${contact.name} at bedside this evening; asks to be called at ${contact.phone ?? 'home'} with any change in condition.`,
    );
  }
  lines.push(`-- ${nurse}`);
  return lines.join('\n');
}
