/**
 * Clinical words the name and place heuristics must leave alone: drug names (generic and
 * brand), diagnoses, lab and test names, eponyms, and the words that follow an eponym.
 * A token found here is never a name by lexicon alone; a title or relation cue
 * ("Dr. Parkinson", "his daughter Allegra") still overrides it.
 */
import { phraseList, wordSet } from './words.js';

const DRUGS = `
acetaminophen paracetamol ibuprofen naproxen aspirin celecoxib meloxicam ketorolac diclofenac indomethacin
tramadol oxycodone hydrocodone morphine hydromorphone fentanyl methadone buprenorphine codeine naloxone naltrexone
metformin glipizide glyburide glimepiride pioglitazone sitagliptin linagliptin saxagliptin empagliflozin
dapagliflozin canagliflozin liraglutide semaglutide dulaglutide exenatide tirzepatide insulin glargine detemir
degludec lispro aspart regular nph lisinopril enalapril ramipril benazepril captopril quinapril losartan
valsartan irbesartan olmesartan candesartan telmisartan sacubitril amlodipine nifedipine diltiazem verapamil
metoprolol atenolol carvedilol propranolol bisoprolol labetalol nebivolol hydrochlorothiazide chlorthalidone
furosemide bumetanide torsemide spironolactone eplerenone hydralazine clonidine isosorbide nitroglycerin
digoxin amiodarone sotalol dofetilide flecainide warfarin heparin enoxaparin apixaban rivaroxaban dabigatran
edoxaban clopidogrel prasugrel ticagrelor atorvastatin simvastatin rosuvastatin pravastatin lovastatin
ezetimibe fenofibrate gemfibrozil niacin levothyroxine liothyronine methimazole propylthiouracil
prednisone prednisolone methylprednisolone dexamethasone hydrocortisone fludrocortisone budesonide
fluticasone albuterol levalbuterol ipratropium tiotropium salmeterol formoterol montelukast theophylline
omeprazole pantoprazole esomeprazole lansoprazole famotidine ranitidine sucralfate ondansetron
metoclopramide prochlorperazine promethazine docusate senna sennosides bisacodyl polyethylene glycol
lactulose loperamide simethicone amoxicillin clavulanate ampicillin penicillin piperacillin tazobactam
cefazolin cephalexin ceftriaxone cefepime cefdinir cefuroxime ceftazidime azithromycin clarithromycin
erythromycin doxycycline minocycline tetracycline ciprofloxacin levofloxacin moxifloxacin
trimethoprim sulfamethoxazole nitrofurantoin metronidazole clindamycin vancomycin linezolid daptomycin
gentamicin tobramycin amikacin meropenem imipenem ertapenem aztreonam rifampin isoniazid
fluconazole itraconazole voriconazole nystatin terbinafine acyclovir valacyclovir oseltamivir
remdesivir tenofovir emtricitabine dolutegravir bictegravir efavirenz sertraline fluoxetine paroxetine
citalopram escitalopram venlafaxine duloxetine bupropion mirtazapine trazodone amitriptyline
nortriptyline lithium quetiapine olanzapine risperidone aripiprazole haloperidol ziprasidone
clozapine lorazepam alprazolam clonazepam diazepam midazolam zolpidem melatonin gabapentin
pregabalin levetiracetam phenytoin carbamazepine valproate lamotrigine topiramate lacosamide
donepezil memantine rivastigmine galantamine levodopa carbidopa pramipexole ropinirole
sumatriptan baclofen cyclobenzaprine tizanidine methocarbamol allopurinol colchicine febuxostat
methotrexate hydroxychloroquine sulfasalazine adalimumab infliximab etanercept rituximab
tamoxifen letrozole anastrozole cisplatin carboplatin paclitaxel docetaxel doxorubicin
cyclophosphamide pembrolizumab nivolumab trastuzumab bevacizumab tacrolimus cyclosporine
mycophenolate azathioprine epoetin filgrastim ferrous sulfate iron folic folate cyanocobalamin
vitamin calcium magnesium potassium sodium chloride bicarbonate phosphate zinc thiamine
cholecalciferol ergocalciferol finasteride tamsulosin oxybutynin sildenafil tadalafil estradiol
medroxyprogesterone progesterone testosterone alendronate denosumab oxytocin misoprostol
diphenhydramine hydroxyzine cetirizine loratadine fexofenadine epinephrine norepinephrine
dopamine dobutamine vasopressin phenylephrine propofol ketamine etomidate succinylcholine
rocuronium lidocaine bupivacaine atropine glucagon dextrose saline
tylenol advil motrin aleve lasix coumadin eliquis xarelto pradaxa plavix brilinta lipitor zocor
crestor synthroid glucophage januvia jardiance farxiga ozempic trulicity victoza mounjaro lantus
humalog novolog levemir tresiba toprol lopressor norvasc zestril cozaar diovan entresto aldactone
ventolin proair albuterol advair symbicort spiriva singulair prilosec protonix nexium pepcid
zofran reglan colace senokot miralax dulcolax augmentin keflex zithromax cipro levaquin bactrim
macrobid flagyl vancocin diflucan valtrex tamiflu zoloft prozac paxil celexa lexapro effexor
cymbalta wellbutrin remeron desyrel elavil seroquel zyprexa risperdal abilify haldol ativan xanax
klonopin valium versed ambien neurontin lyrica keppra dilantin tegretol depakote lamictal topamax
aricept namenda sinemet requip imitrex flexeril zanaflex zyloprim colcrys plaquenil humira
remicade enbrel rituxan keytruda opdivo herceptin avastin prograf cellcept imuran procrit
neupogen flomax proscar viagra cialis premarin fosamax prolia benadryl atarax zyrtec claritin
allegra epipen narcan suboxone percocet vicodin norco dilaudid oxycontin ultram toradol
medrol decadron solumedrol pulmicort flovent
`;

const CONDITIONS = `
hypertension hypotension diabetes mellitus prediabetes hyperlipidemia dyslipidemia hypercholesterolemia
obesity overweight asthma copd emphysema bronchitis pneumonia influenza covid sars coronavirus
sepsis bacteremia cellulitis abscess osteomyelitis endocarditis meningitis encephalitis
pyelonephritis cystitis uti urosepsis gastroenteritis colitis diverticulitis diverticulosis
appendicitis cholecystitis cholelithiasis pancreatitis hepatitis cirrhosis steatosis gerd
reflux esophagitis gastritis ulcer dyspepsia constipation hemorrhoids ibs anemia thrombocytopenia
leukopenia neutropenia leukocytosis polycythemia thrombosis embolism dvt pe stroke cva tia
aneurysm atherosclerosis cad angina infarction mi nstemi stemi arrhythmia fibrillation flutter
tachycardia bradycardia heart failure cardiomyopathy chf valvular stenosis regurgitation murmur
pericarditis myocarditis hypothyroidism hyperthyroidism thyroiditis goiter osteoporosis
osteopenia osteoarthritis arthritis rheumatoid gout lupus psoriasis eczema dermatitis
fibromyalgia migraine headache epilepsy seizure seizures neuropathy dementia delirium depression
anxiety schizophrenia bipolar ptsd adhd autism insomnia apnea ckd esrd aki nephropathy
nephrolithiasis hyperkalemia hypokalemia hyponatremia hypernatremia hypoglycemia hyperglycemia
dka acidosis alkalosis dehydration malnutrition cancer carcinoma adenocarcinoma melanoma lymphoma
leukemia myeloma sarcoma metastasis metastatic tumor tumour neoplasm malignancy benign
bph prostatitis endometriosis preeclampsia eclampsia gestational pregnancy postpartum
fracture sprain strain contusion laceration concussion syncope vertigo dizziness fatigue
edema ascites effusion hematoma hemorrhage bleeding jaundice rash pruritus urticaria anaphylaxis
glaucoma cataract retinopathy macular degeneration otitis sinusitis pharyngitis tonsillitis
laryngitis rhinitis conjunctivitis hiv aids tuberculosis syphilis gonorrhea chlamydia herpes
shingles zoster varicella measles mumps rubella pertussis
`;

const LABS = `
hba1c a1c hemoglobin hematocrit hgb hct wbc rbc platelets plt mcv mch mchc rdw neutrophils
lymphocytes monocytes eosinophils basophils glucose creatinine bun egfr gfr sodium potassium
chloride bicarbonate co2 calcium magnesium phosphorus albumin protein bilirubin alt ast alp ggt
ldh lipase amylase troponin bnp ntprobnp ck ckmb inr pt ptt aptt fibrinogen ddimer d-dimer
tsh t3 t4 ft4 cholesterol ldl hdl triglycerides psa cea ca-125 afp ferritin iron tibc transferrin
b12 folate vitamin crp esr procalcitonin lactate ammonia urinalysis ua ph specific gravity
ketones nitrite leukocyte esterase culture sensitivity gram stain spo2 o2 fio2 pao2 paco2 abg vbg
ekg ecg echo echocardiogram mri ct cta pet xray x-ray ultrasound doppler holter eeg emg colonoscopy
endoscopy egd bronchoscopy biopsy mammogram dexa spirometry pft bmi bp hr rr temp sat sats
mg mcg g kg lb lbs ml l dl mmol meq iu units unit mmhg bpm cm mm in
`;

/**
 * Eponyms of diseases, signs, tests and devices: capitalised like names, yet clinical.
 * Surnames common in the population (Smith, Jones, Wilson, Turner) are NOT listed here;
 * they are protected by the words that follow them (EPONYM_SUFFIXES) instead.
 */
const EPONYMS = `
parkinson parkinsons parkinsonism parkinsonian crohn crohns hodgkin hodgkins alzheimer alzheimers apgar
cushing cushings addisons hashimoto hashimotos raynaud raynauds sjogren sjogrens sjögren
tourette tourettes asperger aspergers huntington huntingtons guillain barre barré epstein kaposi
kaposis marfan marfans meniere menieres ménière babinski foley doppler holter coombs valsalva
trendelenburg romberg lachman mcmurray tinel phalen finkelstein chvostek trousseau kussmaul
cheyne virchow osler janeway heberden bouchard dupuytren colles osgood schlatter perthes
kienbock lisfranc maisonneuve bankart horner argyll adie charcot creutzfeldt
lewy binswanger jacksonian lennox gastaut dravet sturge chiari dandy wernicke korsakoff
munchausen capgras wolff brugada prinzmetal takotsubo dressler waldenstrom waldenström burkitt
sternberg klinefelter noonan prader willi angelman ehlers danlos alport bartter gitelman
fanconi willebrand glanzmann felty behcet behçet takayasu wegener churg kawasaki henoch
schonlein schönlein goodpasture buerger reiter whipple zollinger mallory boerhaave
plummer vinson budd crigler najjar caroli sheehan kallmann asherman meigs bartholin
braxton naegele gleason breslow karnofsky folstein snellen ishihara
schirmer tzanck nikolsky auspitz koebner gottron scheuermann sever achilles hirschsprung meckel
fallot ebstein eisenmenger mobitz wenckebach killip nyha ranson glasgow pap gram
heimlich nissen roux whipple billroth swan ganz groshong tenckhoff
ommaya penrose sengstaken blakemore salter monteggia galeazzi
pott charcot ménétrier menetrier peutz jeghers
turcot paget pagets peyronie peyronies dupuytrens tay sachs gaucher fabry pompe
niemann duchenne friedreich charcot-marie-tooth gehrig gehrigs reye
lyme ebola zika nile lassa marburg norwalk coxsackie hantavirus
ramsay broca brocas korotkoff mcburney rovsing psoas obturator
kernig brudzinski homan homans westermark kerley virchows troisier
krukenberg bence auer heinz dohle döhle schistocytes
`;

/** Words after an eponym that mark it as clinical: "Wilson's disease", "Smith fracture". */
export const EPONYM_SUFFIXES: ReadonlySet<string> = wordSet(`
disease diseases syndrome syndromes sign signs fracture fractures palsy score scores scale scales test tests
criteria maneuver manoeuvre reflex reflexes phenomenon catheter catheters tube tubes drain cyst cysts neuroma
ulcer ulcers esophagus procedure operation repair classification lymphoma sarcoma tumor tumour anomaly triad
tetrad hernia contracture contractures deformity stain nodules nodule encephalopathy aphasia dementia chorea
ataxia dystrophy anemia thyroiditis arteritis vasculitis purpura tremor murmur apnea granulomatosis esophagitis
fundoplication respirations respiration
`);

/**
 * Eponyms that name a disease by their possessive alone ("a history of Addison's", "Graves'
 * treated with methimazole"), though the bare word is a name too (Addison Smith, Mr. Graves).
 */
export const POSSESSIVE_EPONYMS: ReadonlySet<string> = wordSet(`
addison graves cushing hashimoto crohn parkinson alzheimer hodgkin huntington raynaud sjogren menière meniere
`);

/** Generic words that mark an eponym only after a possessive: "McBurney's point", "Broca's area". */
export const POSSESSIVE_EPONYM_SUFFIXES: ReadonlySet<string> = wordSet(`
point space canal duct gland angle position block rhythm class type formula equation rule index method
technique monitor line lines bodies body cells cell lesion lesions infarct area areas ratio bundle node nodes
law lamp spots meal stage staging
`);

/** Multi-word clinical phrases kept as a whole even where their words look like names. */
export const CLINICAL_PHRASES: readonly string[] = phraseList(`
Bell's palsy|Bells palsy|Glasgow Coma Scale|Lou Gehrig's disease|Epstein-Barr|Epstein Barr|
Guillain-Barré|Guillain-Barre|Tetralogy of Fallot|Braxton Hicks|Ramsay Hunt|Argyll Robertson|
Marcus Gunn|Miller Fisher|Austin Flint|Philadelphia chromosome|Christmas disease|
Down syndrome|Down's syndrome|West Nile|Lyme disease|Rocky Mountain spotted fever|Hill-Sachs|
Sister Mary Joseph|Bence Jones|Howell-Jolly|Cheyne-Stokes|Stevens-Johnson|Wolff-Parkinson-White|
Jackson-Pratt|Swan-Ganz|Roux-en-Y|Charcot-Marie-Tooth|Creutzfeldt-Jakob|Prader-Willi|
Ehlers-Danlos|Tay-Sachs|Osgood-Schlatter|Legg-Calve-Perthes|Zollinger-Ellison|Mallory-Weiss|
Budd-Chiari|Plummer-Vinson|Henoch-Schonlein|Churg-Strauss|Lennox-Gastaut|Sturge-Weber|
von Willebrand|von Hippel-Lindau|de Quervain|Wernicke-Korsakoff|Kerley B|Apgar score|Apgar scores|
Hunt and Hess|Hunt-Hess|Ann Arbor stage|Ann Arbor staging|Ann Arbor classification|Medicare Part|
New York Heart Association|Mini-Mental|Beck Depression Inventory|Morse fall score|Morse fall scale|
Morse Fall Scale|Braden scale|Braden score|Christmas tree
`);

/** Section headings and department names that appear capitalised in notes. */
const HEADINGS = `
chief complaint hpi ros pmh psh fhx shx hpi a&p soap assessment plan impression diagnosis
discharge admission admitted diagnoses instructions disposition followup follow-up medications allergies
vitals labs imaging procedures consults consultation referral reason history physical exam
emergency department icu micu sicu ccu picu nicu pacu ed er or ob gyn ent gi pcp np pa rn lpn cna
md do phd pharmd msw lcsw pt ot slp rt
`;

/**
 * Everyday clinical vocabulary that appears in Title Case in order names, lab panels and
 * device descriptions ("Basic Metabolic Panel", "Drug Implant", "Peanut IgE Ab").
 */
const VOCABULARY = `
body mass index rate ratio level levels count panel screen screening measurement assay antigen antibody ab ige igg
iga igm surface serum plasma blood urine fluid sample specimen culture smear swab biopsy lipid lipoprotein density
nitrogen carbon dioxide oxygen urea basic metabolic comprehensive complete differential automated manual volume
fraction estimated glomerular filtration cerebral cortex cardiac renal hepatic pulmonary thyroid adrenal
pituitary pancreatic gastric intestinal colon rectal vaginal cervical prostate breast skin bone joint muscle
nerve spinal lumbar thoracic abdominal pelvic chest head neck upper lower extremity extremities
drug drugs implant system device pump patch pack kit spray solution suspension powder inhaler injectable injection
tablet capsule cream ointment gel lotion drops syrup elixir lozenge suppository film extended release delayed
actuat actuation dose doses daily oral topical nasal ophthalmic otic transdermal intrauterine subcutaneous
intravenous intramuscular sublingual chewable disintegrating hydrochloride sodium potassium sulfate acetate
citrate succinate tartrate maleate besylate propionate phosphate bromide hydrobromide
peanut walnut pecan cashew almond hazelnut shrimp crab lobster codfish fish shellfish wheat soybean soy egg milk
sesame ragweed grass tree pollen mold mite dust cat dog latex bee venom
status cause death certificate standard abuse history screening assessment evaluation consultation procedure
therapy rehabilitation vaccine vaccination immunization influenza pneumococcal hepatitis tetanus diphtheria
pertussis polio zoster papillomavirus meningococcal conjugate polysaccharide recombinant live inactivated
surgery surgical removal insertion excision incision repair replacement reduction injection aspiration drainage
examination ultrasound radiography tomography imaging scan screening mammography colonoscopy endoscopy
seizure pain fever cough wound ulcer burn fracture sprain dislocation laceration contusion abrasion
`;

export const CLINICAL_TERMS: ReadonlySet<string> = wordSet(DRUGS, CONDITIONS, LABS, EPONYMS, HEADINGS, VOCABULARY);

/**
 * Word endings of drug names, chemistry and procedures. Names almost never end this way,
 * so a capitalised word no list knows that ends like this is not taken for a name.
 */
export const CLINICAL_SUFFIX =
  /(?:ation|ition|ectomy|otomy|ostomy|plasty|scopy|graphy|logy|pathy|itis|osis|emia|aemia|ide|ate|ase|ium|ol|gen|pril|olol|sartan|statin|mab|nib|vir|cillin|mycin|floxacin|azole|sone|pam|lam|tide|gliptin|flozin|dipine|tidine|prazole|setron|triptan|zepam|afil|lukast|parin|xaban|grel)$/;

/** Endings common in medical English but also in names (Caroline, Irene): only both words together count. */
export const MEDICAL_ENDING = /(?:ine|ene|one|ic|ical|ous|ment|ness|ity|oma|gram|al|ar|ary)$/;
