/**
 * The demo patients P001…P010 (SPEC "Demo data"): hand-picked identities and problems run
 * through the same generator with a fixed seed, so their charts are as rich as generated
 * ones and identical on every machine. The admissions match seed.ts (P001 and P004 in
 * ward W1, P006 in W2).
 */
import type { PatientBundle } from '../clinical/store.js';
import { INPATIENT_WARDS } from './places.js';
import { generatePatient, type GenerateOptions } from './generator.js';

export const DEMO_SEED = 20_261_122;

const WARD_1 = INPATIENT_WARDS[0];
const WARD_2 = INPATIENT_WARDS[1];

const DEMO_PATIENTS: readonly GenerateOptions[] = [
  {
    patientId: 'P001',
    identity: { given_name: 'Margaret', family_name: 'Okafor', sex: 'female', birth_date: '1956-04-12' },
    conditions: ['38341003', '44054006'],
    allergies: ['91936005'],
    contacts: [
      { name: 'Daniel Okafor', relationship: 'spouse' },
      { name: 'Grace Okafor', relationship: 'daughter' },
    ],
    admission: { start: '2026-11-18T09:30:00.000Z', location: WARD_1, reason: 'Community-acquired pneumonia' },
    minNotes: 4,
    notesMentionContacts: true,
  },
  {
    patientId: 'P002',
    identity: { given_name: 'Robert', family_name: 'Chen', sex: 'male', birth_date: '1971-09-03' },
    conditions: ['55822004', '195967001'],
    contacts: [{ name: 'Linda Chen', relationship: 'spouse' }],
    minNotes: 3,
  },
  {
    patientId: 'P003',
    identity: { given_name: 'Aisha', family_name: 'Rahman', sex: 'female', birth_date: '1988-02-17' },
    conditions: ['37796009', '40930008'],
    allergies: ['300916003'],
    contacts: [{ name: 'Omar Rahman', relationship: 'brother' }],
    minNotes: 3,
  },
  {
    patientId: 'P004',
    identity: { given_name: 'Walter', family_name: 'Kowalski', sex: 'male', birth_date: '1941-11-30' },
    conditions: ['42343007', '49436004'],
    contacts: [
      { name: 'Helen Kowalski', relationship: 'daughter' },
      { name: 'Peter Kowalski', relationship: 'son' },
    ],
    admission: { start: '2026-11-20T14:05:00.000Z', location: WARD_1, reason: 'Acute decompensated heart failure' },
    minNotes: 3,
    notesMentionContacts: true,
  },
  {
    patientId: 'P005',
    identity: { given_name: 'Sofia', family_name: 'Martinez', sex: 'female', birth_date: '2019-06-21' },
    conditions: ['195967001'],
    allergies: ['91935009'],
    contacts: [
      { name: 'Lucia Martinez', relationship: 'mother' },
      { name: 'Carlos Martinez', relationship: 'father' },
    ],
    minNotes: 3,
  },
  {
    patientId: 'P006',
    identity: { given_name: 'James', family_name: "O'Brien", sex: 'male', birth_date: '1962-01-08' },
    conditions: ['53741008', '38341003'],
    contacts: [{ name: "Kathleen O'Brien", relationship: 'spouse' }],
    admission: { start: '2026-11-21T22:40:00.000Z', location: WARD_2, reason: 'Chest pain, rule out acute coronary syndrome' },
    minNotes: 3,
  },
  {
    patientId: 'P007',
    identity: { given_name: 'Dorothy', family_name: 'Nguyen', sex: 'female', birth_date: '1932-03-15' },
    conditions: ['26929004', '38341003'],
    contacts: [{ name: 'Thomas Nguyen', relationship: 'son' }],
    minNotes: 3,
    notesMentionContacts: true,
  },
  {
    patientId: 'P008',
    identity: { given_name: 'Harold', family_name: 'Jenkins', sex: 'male', birth_date: '1950-07-22' },
    conditions: ['49049000'],
    contacts: [{ name: 'Ruth Jenkins', relationship: 'spouse' }],
    minNotes: 3,
  },
  {
    patientId: 'P009',
    identity: { given_name: 'Emily', family_name: 'Rossi', sex: 'female', birth_date: '1996-10-05' },
    conditions: ['34000006', '370143000'],
    contacts: [{ name: 'Marco Rossi', relationship: 'father' }],
    minNotes: 3,
  },
  {
    patientId: 'P010',
    identity: { given_name: 'Jordan', family_name: 'Reyes', sex: 'other', birth_date: '2001-12-12' },
    contacts: [{ name: 'Camila Reyes', relationship: 'mother' }],
    minNotes: 2,
  },
];

/** MRN-0004821, MRN-0006194, …: leading zero, a range the generator never produces. */
function demoMrn(i: number): string {
  return `MRN-${String(4821 + i * 1373).padStart(7, '0')}`;
}

export function demoPatientBundles(): PatientBundle[] {
  return DEMO_PATIENTS.map((options, i) =>
    generatePatient(DEMO_SEED, i + 1, { ...options, mrn: demoMrn(i), source: 'demo' }),
  );
}
