/**
 * Ordinary English words that start sentences, head sections, or double as names and
 * places ("Will", "Hope", "Young", "Reading"). A name-lexicon token that is also one of
 * these needs corroboration before it is treated as a name (see names.ts), and capitalised
 * runs after a cue stop at them.
 */
import { wordSet } from './words.js';

export const COMMON_WORDS: ReadonlySet<string> = wordSet(`
a about above after again against all almost alone along already also although always am among an
and another any anyone anything are around as ask asked at away back bad be became because become
been before began behind being below best better between both bring brought but by call called came
can cannot care case cause certain change check clear close come coming could course current daily
day days did do does doing done down during each early either else end enough even ever every
except fair far feel feeling few fine first follow following for found free from full further
gave get getting give given go going good got great had half hand has have having he her here
hers herself high him himself his home hope how however i if ill in including indeed instead into
is it its itself just keep kept kind know known large last late later least left less let like
likely little long look lost lot low made main make making many may maybe me mean means might
mild more most mostly much must my myself near nearly need needed needs never new next nice no
none nor normal not note noted nothing now of off often oh ok okay old on once one only or other
others our out over own part past per perhaps plan please plus poor prior quite rather really
recent recently right said same saw say says second see seen seems seven several shall she short
should show showed side since six small so some something sometimes soon still stable such sure
take taken than that the their them then there these they thing things think third this those
though three through thus time times to today together told too took toward two under unless
until up upon us use used very was way we well went were what when where whether which while who
whole whom whose why will with within without would yes yet you young your
patient patients pt pts he she they denies denied reports reported states stated notes noted
presents presented complains admits admitted discharged continue continued start started stop
stopped started resume resumed increase increased decrease decreased monitor monitored follow
followup follow-up return returned call called spoke discussed reviewed reviewing review
history hx assessment plan impression subjective objective exam examination physical vitals
vital signs labs lab results result imaging medications medication meds allergies allergy
problem problems diagnosis diagnoses procedure procedures disposition summary course hospital
clinic office emergency department unit ward floor room bed service team attending resident
intern fellow nurse nursing doctor physician provider pharmacist pharmacy therapist therapy
social work worker case manager management chaplain family friend friends daughter son wife
husband mother father sister brother parent parents child children spouse partner caregiver
neighbor grandmother grandfather grandson granddaughter aunt uncle niece nephew cousin
mr mrs ms miss dr doctor prof professor sir madam
monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday tonight
morning afternoon evening night weekend week weeks month months year years
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
spring summer autumn fall winter christmas easter thanksgiving
north south east west northern southern eastern western central upper lower left right
general medical medicine surgical surgery cardiology neurology oncology pediatrics psychiatry
radiology orthopedics urology nephrology dermatology gastroenterology pulmonology endocrinology
rheumatology hematology obstetrics gynecology ophthalmology otolaryngology anesthesia
intensive critical primary urgent acute chronic community memorial regional university
county state city town village center centre health healthcare services institute
street avenue road lane drive court place way boulevard park square
no yes none negative positive pending normal abnormal unremarkable stable improved improving
worse worsening better resolved resolving ongoing active inactive unknown
alert oriented awake asleep calm anxious pleasant cooperative comfortable distressed
bill mark will grace faith joy hope dawn rose ruby ivy iris lily daisy holly amber crystal
pearl jade penny candy destiny trinity harmony honor patience prudence charity mercy angel
heaven brook brooke river rain storm star sunny sky summer autumn winter june april august
frank art rob pat sue gene chase hunter mason cole dean drew miles guy jack ray sandy rusty
misty brandy ginger autumn major reading salem mobile independence liberty justice
black white brown green gray grey long short little small young old strong sharp
king bishop cook baker walker wood woods hill hall lane price rich bell moss rice banks
fields stone marsh ford cross hunt fox wolf bird day good free love sweet parks wells rivers
brooks means person page power ward bond spring frost snow hale noble read small large
law hart lord cash gold silver pope marshall golden wise cherry house church branch glass moon
park short french english carpenter mayo potter tucker porter hunter fisher gardner shepherd
taylor turner fuller butler miller mills baker cooper carter spencer parker walker archer
do he le li ma oh ye du su lu yu ho ko vo vu son sun so han song hong pan ren cao ding jin
an to in on at by of or as is it we us go no
blood pressure heart rate pulse temperature weight height pain fever cough nausea vomiting
diarrhea shortness breath chest abdomen head neck back skin eyes ears nose throat mouth legs arms
foot feet hand hands knee hip shoulder
total free direct indirect fasting random serum plasma urine stool culture
dose doses tablet tablets capsule capsules injection infusion drip oral topical
per prn bid tid qid qd qhs daily weekly monthly
signed dictated transcribed electronically cc attn re regarding dear sincerely thanks thank
date time phone fax email address contact name age sex dob mrn ssn id
medicare medicaid medigap masshealth tricare insurance
english spanish portuguese french mandarin cantonese vietnamese russian arabic haitian creole korean japanese
polish italian german greek hindi urdu bengali tagalog somali amharic swahili farsi
assistant associate director coordinator technician specialist consultant team staff unit
`);
