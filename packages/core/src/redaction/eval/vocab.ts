/**
 * The evaluation set's own vocabulary, written apart from the scrubber's lexicons: names
 * the lexicon has and names it lacks (rare given names, invented surnames), ambiguous
 * names that are also words, invented towns, and clinical terms including brand names the
 * scrubber's keep-list does not list. The run reports recall separately for names the
 * lexicon knows and names it does not.
 */

export const GIVEN_NAMES = `
James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica
Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Donald Sandra Steven Ashley Andrew Kimberly
Kenneth Donna Joshua Michelle Kevin Carol Brian Amanda George Melissa Timothy Deborah Ronald Stephanie Jason Rebecca
Maria Luis Carmen Jose Rosa Miguel Ana Jorge Lucia Alejandro Guadalupe Mei Wei Hiroshi Yuki Priya Raj Fatima Omar
Aisha Mohammed Olga Dmitri Agnieszka Tomasz Ingrid Lars Siobhan Niamh Bronwyn Ines Wiktoria Bartosz Grzegorz
Chiamaka Nkechi Thandiwe Kwabena Ngozi Tenzin Pema Xochitl Itzel Yaretzi Dagny Solveig Eirik Ragnhild Liesel
Leopoldo Eleuterio Fionnuala Caoimhe Saoirse Ffion Rhys Oisin Tadhg Zebulon Ottoline Marisela Anouk Wendeline
Eustace Philippa Cosimo Benedetta Augustin Hortense Ignatius Clementine Lazarus Winifred Percival Araminta
`.split(/\s+/).filter(Boolean);

/** Given names that are also ordinary English words: the hard case for a name lexicon. */
export const AMBIGUOUS_GIVEN_NAMES = `Hope Faith Grace Joy Will Rose June April Dawn Mark Bill Ruby Ivy Amber Destiny Sunny Penny`
  .split(/\s+/)
  .filter(Boolean);

export const FAMILY_NAMES = `
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson
Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker
Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell
Carter Roberts Okafor Lindqvist Kowalczyk Okonkwo Haddad Tanaka Petrov Novak Fitzgerald O'Brien McAllister
Delacroix Vanderhoef Abernathy Whitcombe Szymanski Nakashima Oyelaran Castellanos Bergstrom Achterberg
`.split(/\s+/).filter(Boolean);

/** Family names that are also words. */
export const AMBIGUOUS_FAMILY_NAMES = `Young White Brown Long King Hill Bell Rich Day Little Love Price Hope`.split(/\s+/).filter(Boolean);

const SURNAME_HEADS = `Brz Okw Vasq Dral Tor Hal Wen Quil Zel Fen Grim Ost Marv Kel Dun Pell Strav Abr Yev Teq Lun Corv Bex Harr Moll Nad Ruv Sket Plo Vand`
  .split(/\s+/)
  .filter(Boolean);
const SURNAME_TAILS = `ezinski anko ovich qvist enko ova worth hurst stad berg mann wick shaw more dale ington ard ette ez ides oulos ashvili ergaard olli uzzi`
  .split(/\s+/)
  .filter(Boolean);

/** Invented surnames ("Grimworth", "Zelashvili"): no lexicon can hold them. */
export function inventedSurname(pick: <T>(items: readonly T[]) => T): string {
  return pick(SURNAME_HEADS) + pick(SURNAME_TAILS);
}

export const STREET_NAMES = `
Elm Maple Oak Beacon Commonwealth Chestnut Pine Cedar Lakeview Hillcrest Sunset Riverside Highland Prospect Pleasant
Summer Main Church School Mill Union Water Bridge Walnut Birch Willow Harbor Ocean Forest Meadow Orchard Linden
Dogwood Juniper Larkspur Foxglove Quarry Tremont Hancock Lafayette Marlborough Brattle Kirkland Magnolia
`.split(/\s+/).filter(Boolean);

export const STREET_SUFFIXES = `Street St. St Avenue Ave Ave. Road Rd Lane Ln Drive Dr. Court Ct Place Terrace Way Boulevard Blvd Circle Parkway`
  .split(/\s+/)
  .filter(Boolean);

export const UNITS = ['Apt 4B', 'Apt. 12', 'Unit 7', '#3', 'Suite 210', 'Apartment 2C', 'Unit 14A', 'Fl 2'];

/** Real towns (some in the scrubber's gazetteer, some not) and invented ones. */
export const TOWNS = `
Boston|Cambridge|Worcester|Springfield|Lowell|Quincy|Brockton|New Bedford|Fall River|Framingham|Somerville|
Hyannis|Provincetown|Pittsfield|Greenfield|Northampton|Amherst|Burlington|Hartford|Providence|Nashua|Albany|
Denver|Tucson|Omaha|Dayton|Fresno|Tulsa|Spokane|Boise|Millbrook|East Hadley|Port Averill|Cedar Hollow|
North Brantwood|Glenmoor|Ashford Falls|Larkspur Bay|Fenwick Crossing|Wrenfield|Stonebridge|Halloway
`.split('|').map((t) => t.trim()).filter(Boolean);

export const STATES = [
  ['MA', 'Massachusetts'], ['NH', 'New Hampshire'], ['RI', 'Rhode Island'], ['CT', 'Connecticut'], ['VT', 'Vermont'],
  ['NY', 'New York'], ['CO', 'Colorado'], ['AZ', 'Arizona'], ['OH', 'Ohio'], ['CA', 'California'],
] as const;

export const EMPLOYERS = `Brightwater Logistics|Harbor Point Marine|Kessler Hardware|Northfield Dairy|Lumen Textiles|Carver Auto Body`
  .split('|');

export const FACILITIES = `St. Brigid's Hospital|Mercy General Hospital|Lakeside Rehabilitation Center|Harborview Nursing Home|Oakmont Senior Living|Riverbend Health Center|Wrenfield Family Clinic`
  .split('|');

/** Staff directory: known to the record (passed to the scrubber as staff names). */
export const STAFF = `
Amelia Okafor|Benjamin Lindqvist|Chloe Haddad|Daniel Petrov|Elena Castellanos|Farah Nakashima|Gavin Whitcombe|
Hannah Abernathy|Isaac Bergstrom|Julia Fitzgerald|Kofi Mensah|Laura McAllister|Marcus Delacroix|Nina Szymanski|
Oscar Achterberg|Paula Oyelaran|Quinn Tanaka|Rachel Novak|Samuel Van Houten|Teresa Moreau
`.split('|').map((t) => t.trim()).filter(Boolean);

export const CREDENTIALS = ['MD', 'RN', 'NP', 'PA-C', 'DO', 'LCSW', 'PharmD'];

// ---------------------------------------------------------------- clinical terms that must stay

export const MEDICATIONS = `
metformin 500 mg|lisinopril 10 mg|atorvastatin 40 mg|apixaban 5 mg|levothyroxine 75 mcg|furosemide 40 mg|
insulin glargine 20 units|amoxicillin 875 mg|sertraline 50 mg|gabapentin 300 mg|albuterol inhaler|prednisone 20 mg|
omeprazole 20 mg|warfarin|ondansetron 4 mg|carbidopa-levodopa|mesalamine|hydroxychloroquine|donepezil 10 mg|
tamsulosin 0.4 mg|metoprolol succinate 25 mg|amlodipine 5 mg|ceftriaxone 1 g IV|vancomycin|heparin drip|
acetaminophen 650 mg|oxycodone 5 mg|pantoprazole 40 mg|spironolactone 25 mg|empagliflozin 10 mg|
Lasix 40 mg|Eliquis|Tylenol|Coumadin|Keppra|Humira|Ozempic|Xarelto|Synthroid|Zofran|
Trelegy|Rybelsus|Xeljanz|Otezla|Dupixent|Skyrizi|Biktarvy|Paxlovid|Nurtec|Entyvio|Stelara|Tagrisso
`.split('|').map((t) => t.trim()).filter(Boolean);

export const DIAGNOSES = `
type 2 diabetes mellitus|hypertension|atrial fibrillation|COPD exacerbation|community-acquired pneumonia|
congestive heart failure|chronic kidney disease stage 3|major depressive disorder|osteoarthritis of the knee|
urinary tract infection|hypothyroidism|GERD|iron deficiency anemia|cellulitis of the left leg|asthma|
hyperlipidemia|obstructive sleep apnea|migraine without aura|acute kidney injury|sepsis|
diabetic neuropathy|benign prostatic hyperplasia|generalized anxiety disorder|gout flare|pulmonary embolism
`.split('|').map((t) => t.trim()).filter(Boolean);

/** Eponyms: name-shaped, clinical. */
export const EPONYMS = `
Parkinson's disease|Crohn's disease|Hodgkin lymphoma|non-Hodgkin lymphoma|Bell's palsy|Alzheimer's dementia|
Graves' disease|Cushing's syndrome|Down syndrome|Wilson's disease|Guillain-Barré syndrome|Epstein-Barr virus|
Foley catheter|Babinski sign|Murphy's sign|Hashimoto's thyroiditis|Raynaud's phenomenon|Barrett's esophagus|
Kaposi sarcoma|Tourette syndrome|Glasgow Coma Scale|Lyme disease|Holter monitor|Doppler ultrasound|
Valsalva maneuver|Romberg sign|Turner syndrome|Marfan syndrome|Addison's disease|Sjögren's syndrome|
Ménière's disease|Cheyne-Stokes respirations|Whipple procedure|Nissen fundoplication|Swan-Ganz catheter|
Jackson-Pratt drain|Colles fracture|Smith fracture|Jones fracture|Baker's cyst|Morton's neuroma|
Dupuytren's contracture|Osgood-Schlatter disease|Wolff-Parkinson-White syndrome|Brugada syndrome|
Takotsubo cardiomyopathy|Gleason score 7|Wells score|Mallory-Weiss tear|Stevens-Johnson syndrome|
Apgar 9|Apgar scores of 8 and 9|Parkinson's|Crohn's|Hodgkin
`.split('|').map((t) => t.trim()).filter(Boolean);

export const MEASUREMENTS = `
BP 120/80|BP 142/88|blood pressure 118/76|HR 76|RR 18|SpO2 97%|temp 98.6 F|T 99.1F|HbA1c 7.2%|creatinine 1.3 mg/dL|
eGFR 52|WBC 11.4|Hgb 10.2 g/dL|platelets 210|Na 136|K 4.4|INR 2.4|TSH 3.1|LDL 128 mg/dL|troponin < 0.01|BNP 450|
glucose 182 mg/dL|lactate 1.8|GCS 15|pain 6/10|EF 35%|5/5 strength|1/2 tab|500 mg|2 L nasal cannula|
weight 82 kg|BMI 31.4|A1c 8.1%|ferritin 300-1000|PSA 4.2 ng/mL|viral load 1250000 copies/mL|CD4 350
`.split('|').map((t) => t.trim()).filter(Boolean);

/** Years alone are not identifiers under Safe Harbor and must stay. */
export const YEARS_ALONE = ['2019', '2015', '2008', '2021', '1998', '2012'];

/** Ordinary words that are also names: they must stay when used as words. */
export const NAME_LIKE_WORDS = [
  'hope', 'faith', 'Will', 'young', 'white', 'Brown', 'grace period', 'joy', 'long-term', 'King-size', 'Mark',
  'May', 'bill', 'rose', 'hill', 'Bell',
];
