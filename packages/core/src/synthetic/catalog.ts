/**
 * The clinical vocabulary synthetic patients are made from: LOINC vital signs and labs with
 * UCUM units and adult reference ranges, SNOMED CT conditions with how common they are by
 * age, the RxNorm drugs that treat them, allergies and encounter types. Codes are the ones
 * Synthea and US Core use, so generated and imported rows read alike.
 */
import type { ObservationCategory } from '../records.js';

export interface MeasureDef {
  readonly code: string;
  readonly display: string;
  readonly category: ObservationCategory;
  readonly unit: string | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly decimals: number;
}

const vital = (code: string, display: string, unit: string, low: number | null, high: number | null, decimals: number): MeasureDef =>
  ({ code, display, category: 'vital-signs', unit, low, high, decimals });
const lab = (code: string, display: string, unit: string, low: number | null, high: number | null, decimals: number): MeasureDef =>
  ({ code, display, category: 'laboratory', unit, low, high, decimals });

export const VITALS = {
  heartRate: vital('8867-4', 'Heart rate', '/min', 60, 100, 0),
  systolic: vital('8480-6', 'Systolic blood pressure', 'mm[Hg]', 90, 120, 0),
  diastolic: vital('8462-4', 'Diastolic blood pressure', 'mm[Hg]', 60, 80, 0),
  temperature: vital('8310-5', 'Body temperature', 'Cel', 36.1, 37.2, 1),
  respiratoryRate: vital('9279-1', 'Respiratory rate', '/min', 12, 20, 0),
  oxygenSaturation: vital('2708-6', 'Oxygen saturation in Arterial blood', '%', 95, 100, 0),
  weight: vital('29463-7', 'Body weight', 'kg', null, null, 1),
  height: vital('8302-2', 'Body height', 'cm', null, null, 1),
  bmi: vital('39156-5', 'Body mass index (BMI) [Ratio]', 'kg/m2', 18.5, 24.9, 1),
} as const;

/** Labs with the mean and spread of a healthy adult; conditions shift some of them. */
export interface LabDef extends MeasureDef {
  readonly mean: number;
  readonly sd: number;
}

const withNormal = (def: MeasureDef, mean: number, sd: number): LabDef => ({ ...def, mean, sd });

export const LABS = {
  hba1c: withNormal(lab('4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', '%', 4.0, 5.6, 1), 5.2, 0.3),
  glucose: withNormal(lab('2345-7', 'Glucose [Mass/volume] in Serum or Plasma', 'mg/dL', 70, 99, 0), 88, 9),
  creatinine: withNormal(lab('2160-0', 'Creatinine [Mass/volume] in Serum or Plasma', 'mg/dL', 0.6, 1.3, 2), 0.95, 0.15),
  urea: withNormal(lab('3094-0', 'Urea nitrogen [Mass/volume] in Serum or Plasma', 'mg/dL', 7, 20, 0), 14, 3),
  sodium: withNormal(lab('2951-2', 'Sodium [Moles/volume] in Serum or Plasma', 'mmol/L', 135, 145, 0), 140, 2),
  potassium: withNormal(lab('2823-3', 'Potassium [Moles/volume] in Serum or Plasma', 'mmol/L', 3.5, 5.1, 1), 4.2, 0.3),
  hemoglobin: withNormal(lab('718-7', 'Hemoglobin [Mass/volume] in Blood', 'g/dL', 12.0, 17.5, 1), 14.2, 1.1),
  wbc: withNormal(lab('6690-2', 'Leukocytes [#/volume] in Blood by Automated count', '10*3/uL', 4.5, 11.0, 1), 7.2, 1.6),
  platelets: withNormal(lab('777-3', 'Platelets [#/volume] in Blood by Automated count', '10*3/uL', 150, 400, 0), 260, 50),
  cholesterol: withNormal(lab('2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma', 'mg/dL', null, 200, 0), 185, 25),
  ldl: withNormal(lab('18262-6', 'Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay', 'mg/dL', null, 100, 0), 105, 22),
  hdl: withNormal(lab('2085-9', 'Cholesterol in HDL [Mass/volume] in Serum or Plasma', 'mg/dL', 40, null, 0), 52, 10),
  triglycerides: withNormal(lab('2571-8', 'Triglyceride [Mass/volume] in Serum or Plasma', 'mg/dL', null, 150, 0), 120, 35),
  tsh: withNormal(lab('3016-3', 'Thyrotropin [Units/volume] in Serum or Plasma', 'm[IU]/L', 0.4, 4.0, 2), 1.8, 0.7),
  alt: withNormal(lab('1742-6', 'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma', 'U/L', 7, 56, 0), 24, 8),
} as const;

export type LabName = keyof typeof LABS;

/** Panels drawn together, as a lab requisition would. */
export const PANELS: Readonly<Record<string, readonly LabName[]>> = {
  bmp: ['glucose', 'creatinine', 'urea', 'sodium', 'potassium'],
  cbc: ['hemoglobin', 'wbc', 'platelets'],
  lipids: ['cholesterol', 'ldl', 'hdl', 'triglycerides'],
  a1c: ['hba1c'],
  thyroid: ['tsh'],
  liver: ['alt'],
};

export interface MedicationDef {
  readonly rxnorm: string;
  readonly display: string;
  readonly dosage: string;
  /** How a clinician writes it in a note. */
  readonly short: string;
}

const med = (rxnorm: string, display: string, dosage: string, short: string): MedicationDef => ({ rxnorm, display, dosage, short });

export const MEDICATIONS = {
  lisinopril: med('314076', 'lisinopril 10 MG Oral Tablet', 'Take 1 tablet (10 mg) by mouth once daily', 'lisinopril 10 mg daily'),
  amlodipine: med('197361', 'amlodipine 5 MG Oral Tablet', 'Take 1 tablet (5 mg) by mouth once daily', 'amlodipine 5 mg daily'),
  hydrochlorothiazide: med('316049', 'hydrochlorothiazide 25 MG', 'Take 25 mg by mouth every morning', 'HCTZ 25 mg qAM'),
  metformin: med('860975', '24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet', 'Take 1 tablet by mouth twice daily with meals', 'metformin ER 500 mg BID'),
  insulin: med('106892', 'insulin isophane, human 70 UNT/ML / insulin, regular, human 30 UNT/ML Injectable Suspension [Humulin]', 'Inject 20 units subcutaneously twice daily before meals', 'Humulin 70/30 20 units BID'),
  simvastatin: med('316672', 'simvastatin 10 MG', 'Take 10 mg by mouth at bedtime', 'simvastatin 10 mg qHS'),
  albuterol: med('745679', '200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler', 'Inhale 2 puffs every 4-6 hours as needed for wheezing', 'albuterol MDI 2 puffs q4-6h PRN'),
  fluticasoneSalmeterol: med('896209', '60 ACTUAT fluticasone propionate 0.25 MG/ACTUAT / salmeterol 0.05 MG/ACTUAT Dry Powder Inhaler', 'Inhale 1 puff twice daily', 'Advair 250/50 1 puff BID'),
  aspirin: med('243670', 'aspirin 81 MG Oral Tablet', 'Take 1 tablet (81 mg) by mouth once daily', 'aspirin 81 mg daily'),
  clopidogrel: med('309362', 'clopidogrel 75 MG Oral Tablet', 'Take 1 tablet (75 mg) by mouth once daily', 'clopidogrel 75 mg daily'),
  nitroglycerin: med('705129', 'nitroglycerin 0.4 MG/ACTUAT Mucosal Spray', '1 spray under the tongue every 5 minutes as needed for chest pain, up to 3 doses', 'NTG spray PRN chest pain'),
  metoprolol: med('866414', '24 HR metoprolol succinate 100 MG Extended Release Oral Tablet', 'Take 1 tablet by mouth once daily', 'metoprolol succinate 100 mg daily'),
  warfarin: med('855332', 'warfarin sodium 5 MG Oral Tablet', 'Take 5 mg by mouth daily or as directed by the anticoagulation clinic', 'warfarin 5 mg daily (INR goal 2-3)'),
  furosemide: med('313988', 'furosemide 40 MG Oral Tablet', 'Take 1 tablet (40 mg) by mouth every morning', 'furosemide 40 mg daily'),
  levothyroxine: med('966222', 'levothyroxine sodium 0.075 MG Oral Tablet', 'Take 1 tablet (75 mcg) by mouth every morning on an empty stomach', 'levothyroxine 75 mcg daily'),
  sertraline: med('312938', 'sertraline 100 MG Oral Tablet', 'Take 1 tablet (100 mg) by mouth once daily', 'sertraline 100 mg daily'),
  donepezil: med('997224', 'donepezil hydrochloride 10 MG Oral Tablet', 'Take 1 tablet (10 mg) by mouth at bedtime', 'donepezil 10 mg qHS'),
  acetaminophen: med('313782', 'acetaminophen 325 MG Oral Tablet', 'Take 2 tablets (650 mg) by mouth every 6 hours as needed for pain', 'acetaminophen 650 mg q6h PRN'),
  ibuprofen: med('310965', 'ibuprofen 200 MG Oral Tablet', 'Take 2 tablets (400 mg) by mouth every 6 hours as needed with food', 'ibuprofen 400 mg q6h PRN'),
  naproxen: med('849574', 'naproxen sodium 220 MG Oral Tablet', 'Take 1 tablet by mouth every 12 hours as needed', 'naproxen 220 mg q12h PRN'),
  amoxicillin: med('308182', 'amoxicillin 250 MG Oral Capsule', 'Take 2 capsules (500 mg) by mouth three times daily for 10 days', 'amoxicillin 500 mg TID x10d'),
  amoxicillinClavulanate: med('562251', 'amoxicillin 250 MG / clavulanate 125 MG Oral Tablet', 'Take 1 tablet by mouth every 8 hours for 7 days', 'Augmentin TID x7d'),
  penicillinV: med('834061', 'penicillin V potassium 250 MG Oral Tablet', 'Take 1 tablet by mouth four times daily for 10 days', 'penicillin VK 250 mg QID x10d'),
  nitrofurantoin: med('311995', 'nitrofurantoin, macrocrystals 50 MG Oral Capsule', 'Take 1 capsule by mouth four times daily for 5 days', 'nitrofurantoin 50 mg QID x5d'),
  fexofenadine: med('997488', 'fexofenadine hydrochloride 30 MG Oral Tablet', 'Take 1 tablet by mouth twice daily as needed for allergy symptoms', 'fexofenadine 30 mg BID PRN'),
  epinephrine: med('1870230', 'NDA020800 0.3 ML epinephrine 1 MG/ML Auto-Injector', 'Inject 0.3 mg into the outer thigh once for anaphylaxis; call 911', 'EpiPen 0.3 mg IM PRN anaphylaxis'),
} as const satisfies Record<string, MedicationDef>;

export type MedicationName = keyof typeof MEDICATIONS;

export interface ConditionDef {
  readonly code: string;
  readonly display: string;
  /** How a clinician says it in a note: "type 2 diabetes", "Parkinson's disease". */
  readonly phrase: string;
  readonly chronic: boolean;
  /** Chance a patient of this age and sex has it (chronic) or had it recently (acute). */
  readonly prevalence: (age: number, sex: string) => number;
  readonly medications: readonly MedicationName[];
  readonly panels: readonly string[];
  /** Shifts applied to a lab's mean for patients with the condition. */
  readonly labShift?: Partial<Record<LabName, number>>;
  readonly systolicShift?: number;
}

const rising = (start: number, perDecade: number, cap: number) => (age: number) =>
  age < start ? 0 : Math.min(cap, ((age - start) / 10) * perDecade + perDecade / 2);

export const CONDITIONS: readonly ConditionDef[] = [
  { code: '38341003', display: 'Hypertension', phrase: 'hypertension', chronic: true, prevalence: rising(25, 0.1, 0.6), medications: ['lisinopril', 'amlodipine', 'hydrochlorothiazide'], panels: ['bmp'], systolicShift: 18 },
  { code: '44054006', display: 'Diabetes mellitus type 2', phrase: 'type 2 diabetes', chronic: true, prevalence: rising(30, 0.05, 0.25), medications: ['metformin', 'insulin'], panels: ['a1c', 'bmp'], labShift: { hba1c: 2.4, glucose: 60 } },
  { code: '15777000', display: 'Prediabetes', phrase: 'prediabetes', chronic: true, prevalence: rising(25, 0.03, 0.15), medications: [], panels: ['a1c'], labShift: { hba1c: 0.8, glucose: 18 } },
  { code: '55822004', display: 'Hyperlipidemia', phrase: 'hyperlipidemia', chronic: true, prevalence: rising(30, 0.07, 0.4), medications: ['simvastatin'], panels: ['lipids'], labShift: { cholesterol: 55, ldl: 45, triglycerides: 60 } },
  { code: '195967001', display: 'Asthma', phrase: 'asthma', chronic: true, prevalence: () => 0.08, medications: ['albuterol', 'fluticasoneSalmeterol'], panels: [] },
  { code: '13645005', display: 'Chronic obstructive lung disease', phrase: 'COPD', chronic: true, prevalence: rising(45, 0.03, 0.15), medications: ['fluticasoneSalmeterol', 'albuterol'], panels: ['cbc'] },
  { code: '433144002', display: 'Chronic kidney disease stage 3', phrase: 'CKD stage 3', chronic: true, prevalence: rising(50, 0.03, 0.15), medications: [], panels: ['bmp'], labShift: { creatinine: 0.9, urea: 14, potassium: 0.4 } },
  { code: '53741008', display: 'Coronary heart disease', phrase: 'coronary artery disease', chronic: true, prevalence: rising(45, 0.03, 0.2), medications: ['aspirin', 'clopidogrel', 'nitroglycerin'], panels: ['lipids'] },
  { code: '49436004', display: 'Atrial fibrillation', phrase: 'atrial fibrillation', chronic: true, prevalence: rising(55, 0.03, 0.15), medications: ['warfarin', 'metoprolol'], panels: ['cbc'] },
  { code: '42343007', display: 'Congestive heart failure', phrase: 'congestive heart failure', chronic: true, prevalence: rising(60, 0.025, 0.12), medications: ['furosemide', 'metoprolol'], panels: ['bmp'] },
  { code: '40930008', display: 'Hypothyroidism', phrase: 'hypothyroidism', chronic: true, prevalence: (age, sex) => (age < 20 ? 0.005 : sex === 'female' ? 0.08 : 0.02), medications: ['levothyroxine'], panels: ['thyroid'], labShift: { tsh: 3.5 } },
  { code: '370143000', display: 'Major depressive disorder', phrase: 'major depressive disorder', chronic: true, prevalence: (age) => (age < 13 ? 0 : 0.07), medications: ['sertraline'], panels: [] },
  { code: '239873007', display: 'Osteoarthritis of knee', phrase: 'osteoarthritis of the knee', chronic: true, prevalence: rising(45, 0.05, 0.3), medications: ['acetaminophen', 'naproxen'], panels: [] },
  { code: '162864005', display: 'Body mass index 30+ - obesity', phrase: 'obesity', chronic: true, prevalence: (age) => (age < 6 ? 0.02 : 0.2), medications: [], panels: ['a1c', 'lipids'] },
  { code: '235595009', display: 'Gastroesophageal reflux disease', phrase: 'GERD', chronic: true, prevalence: (age) => (age < 18 ? 0.01 : 0.08), medications: [], panels: [] },
  { code: '37796009', display: 'Migraine', phrase: 'migraine', chronic: true, prevalence: (age, sex) => (age < 12 ? 0.01 : sex === 'female' ? 0.1 : 0.04), medications: ['ibuprofen'], panels: [] },
  { code: '49049000', display: "Parkinson's disease", phrase: "Parkinson's disease", chronic: true, prevalence: rising(60, 0.01, 0.05), medications: [], panels: [] },
  { code: '34000006', display: "Crohn's disease", phrase: "Crohn's disease", chronic: true, prevalence: (age) => (age < 12 ? 0 : 0.005), medications: [], panels: ['cbc'] },
  { code: '26929004', display: "Alzheimer's disease", phrase: "Alzheimer's disease", chronic: true, prevalence: rising(70, 0.04, 0.2), medications: ['donepezil'], panels: [] },
  { code: '84757009', display: 'Epilepsy', phrase: 'epilepsy', chronic: true, prevalence: () => 0.01, medications: [], panels: [] },
  // Acute problems, resolved within weeks; they give symptom and emergency visits a reason.
  { code: '444814009', display: 'Viral sinusitis (disorder)', phrase: 'viral sinusitis', chronic: false, prevalence: () => 0.2, medications: ['acetaminophen'], panels: [] },
  { code: '10509002', display: 'Acute bronchitis (disorder)', phrase: 'acute bronchitis', chronic: false, prevalence: () => 0.1, medications: ['acetaminophen'], panels: [] },
  { code: '195662009', display: 'Acute viral pharyngitis (disorder)', phrase: 'viral pharyngitis', chronic: false, prevalence: (age) => (age < 18 ? 0.15 : 0.06), medications: ['ibuprofen'], panels: [] },
  { code: '43878008', display: 'Streptococcal sore throat (disorder)', phrase: 'strep pharyngitis', chronic: false, prevalence: (age) => (age < 18 ? 0.12 : 0.03), medications: ['penicillinV', 'amoxicillin'], panels: [] },
  { code: '65363002', display: 'Otitis media', phrase: 'acute otitis media', chronic: false, prevalence: (age) => (age < 8 ? 0.3 : 0.01), medications: ['amoxicillin'], panels: [] },
  { code: '301011002', display: 'Escherichia coli urinary tract infection', phrase: 'E. coli UTI', chronic: false, prevalence: (age, sex) => (sex === 'female' ? 0.08 : 0.02), medications: ['nitrofurantoin'], panels: ['cbc'] },
  { code: '233604007', display: 'Pneumonia', phrase: 'community-acquired pneumonia', chronic: false, prevalence: (age) => (age > 65 || age < 5 ? 0.08 : 0.02), medications: ['amoxicillinClavulanate'], panels: ['cbc', 'bmp'], labShift: { wbc: 6 } },
  { code: '44465007', display: 'Sprain of ankle', phrase: 'ankle sprain', chronic: false, prevalence: (age) => (age > 10 && age < 50 ? 0.06 : 0.01), medications: ['ibuprofen'], panels: [] },
];

export interface AllergyDef {
  readonly code: string;
  readonly display: string;
  readonly category: 'food' | 'medication' | 'environment';
  readonly criticality: 'low' | 'high';
  readonly reactions: readonly string[];
}

export const ALLERGIES: readonly AllergyDef[] = [
  { code: '91936005', display: 'Allergy to penicillin', category: 'medication', criticality: 'high', reactions: ['Hives', 'Anaphylaxis', 'Rash'] },
  { code: '294505008', display: 'Allergy to sulfonamide', category: 'medication', criticality: 'low', reactions: ['Rash', 'Pruritus'] },
  { code: '91935009', display: 'Allergy to peanuts', category: 'food', criticality: 'high', reactions: ['Anaphylaxis', 'Angioedema', 'Hives'] },
  { code: '300913006', display: 'Shellfish allergy', category: 'food', criticality: 'high', reactions: ['Hives', 'Vomiting', 'Angioedema'] },
  { code: '420174000', display: 'Allergy to wheat', category: 'food', criticality: 'low', reactions: ['Abdominal pain', 'Diarrhea'] },
  { code: '300916003', display: 'Latex allergy', category: 'environment', criticality: 'high', reactions: ['Contact dermatitis', 'Wheezing'] },
  { code: '424213003', display: 'Allergy to bee venom', category: 'environment', criticality: 'high', reactions: ['Anaphylaxis', 'Local swelling'] },
  { code: '418689008', display: 'Allergy to grass pollen', category: 'environment', criticality: 'low', reactions: ['Rhinitis', 'Itchy eyes'] },
  { code: '232347008', display: 'Dander (animal) allergy', category: 'environment', criticality: 'low', reactions: ['Rhinitis', 'Wheezing'] },
  { code: '232350006', display: 'House dust mite allergy', category: 'environment', criticality: 'low', reactions: ['Rhinitis', 'Cough'] },
];

export interface EncounterTypeDef {
  readonly class: 'AMB' | 'EMER' | 'IMP';
  readonly code: string;
  readonly display: string;
}

export const ENCOUNTER_TYPES = {
  checkUp: { class: 'AMB', code: '185349003', display: 'Encounter for check up (procedure)' },
  wellChild: { class: 'AMB', code: '410620009', display: 'Well child visit (procedure)' },
  symptom: { class: 'AMB', code: '185345009', display: 'Encounter for symptom' },
  followUp: { class: 'AMB', code: '390906007', display: 'Follow-up encounter' },
  emergency: { class: 'EMER', code: '50849002', display: 'Emergency room admission (procedure)' },
  admission: { class: 'IMP', code: '32485007', display: 'Hospital admission (procedure)' },
} as const satisfies Record<string, EncounterTypeDef>;

/** Why people come to the emergency department when no listed condition explains it. */
export const EMERGENCY_COMPLAINTS = [
  'Chest pain', 'Shortness of breath', 'Abdominal pain', 'Fall at home', 'Syncope', 'Laceration of hand',
  'Headache', 'Dizziness', 'Fever', 'Back pain',
] as const;

export const ADMISSION_REASONS = [
  'Community-acquired pneumonia', 'Exacerbation of COPD', 'Acute decompensated heart failure', 'Cellulitis of left leg',
  'Syncope, under evaluation', 'Diabetic ketoacidosis', 'Hip fracture after a fall', 'Atrial fibrillation with rapid ventricular response',
] as const;
