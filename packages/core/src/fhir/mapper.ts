/**
 * FHIR R4 resources to our rows. Each function reads one resource and returns its rows,
 * resolving references through a `References` the importer supplies. Required fields are
 * the ones our tables need (a Patient's name and birth date, an Observation's code and
 * time, …); their absence refuses the bundle rather than storing half a record.
 */
import { createHash } from 'node:crypto';
import { freeTextProblem } from '../free-text.js';
import type {
  AllergyRow,
  ConditionRow,
  ContactRow,
  EncounterRow,
  MedicationRow,
  NoteRow,
  ObservationCategory,
  ObservationRow,
  PatientRow,
} from '../records.js';
import {
  arr,
  coding,
  conceptText,
  date,
  first,
  humanName,
  instant,
  num,
  obj,
  requiredStr,
  ResourceError,
  stateCode,
  str,
  type Json,
  type JsonObject,
} from './resources.js';

const SNOMED = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

/** A resource another one points at, once known. */
export interface Target {
  type: string;
  /** Our row id, once the resource is mapped (clinical rows and patients). */
  rowId?: string;
  /** The patient row the resource belongs to. */
  patientId?: string;
  /** For practitioners, organisations, locations, medications: what to show. */
  display?: string;
  code?: string;
}

export interface References {
  /**
   * The target of a structural reference (subject, encounter): undefined while it is not
   * (yet) known, so the resource waits; throws when the reference cannot be one.
   */
  structural(ref: JsonObject | undefined, path: string, expectedType: string): Target | undefined;
  /** A descriptive reference (practitioner, organisation): its display text, if any. */
  describe(ref: JsonObject | undefined, path: string): Target | undefined;
}

/** F + 12 hex of SHA-256(Patient.id): stable across re-imports, any id syntax. */
export function patientRowId(fhirId: string): string {
  return `F${createHash('sha256').update(fhirId).digest('hex').slice(0, 12)}`;
}

export function rowId(patientId: string, letter: string, resourceId: string, suffix?: number): string {
  return suffix === undefined ? `${patientId}-${letter}-${resourceId}` : `${patientId}-${letter}-${resourceId}-${suffix}`;
}

// ---------------------------------------------------------------------------------------
// Patient

export interface MappedPatient {
  patient: PatientRow & { source: string };
  contacts: ContactRow[];
}

function identifierOfType(resource: JsonObject, typeCode: string, system?: string): string | undefined {
  const identifiers = arr(resource.identifier, 'identifier');
  for (let i = 0; i < identifiers.length; i += 1) {
    const identifier = obj(identifiers[i], `identifier[${i}]`);
    if (!identifier) continue;
    const type = coding(obj(identifier.type, `identifier[${i}].type`), `identifier[${i}].type`);
    const matches = type?.code === typeCode || (system !== undefined && str(identifier.system, `identifier[${i}].system`) === system);
    if (matches) return str(identifier.value, `identifier[${i}].value`);
  }
  return undefined;
}

function preferred(items: Json[], path: string, use: readonly string[]): JsonObject | undefined {
  const objects = items.map((item, i) => obj(item, `${path}[${i}]`)).filter((o): o is JsonObject => o !== undefined);
  for (const wanted of use) {
    const hit = objects.find((o) => str(o.use, `${path}.use`) === wanted);
    if (hit) return hit;
  }
  return objects[0];
}

function telecomValue(resource: JsonObject, system: string, path = 'telecom'): string | undefined {
  const telecoms = arr(resource.telecom, path)
    .map((t, i) => obj(t, `${path}[${i}]`))
    .filter((t): t is JsonObject => t !== undefined && str(t.system, `${path}.system`) === system);
  const chosen = preferred(telecoms, path, ['mobile', 'home', 'work']);
  return chosen ? str(chosen.value, `${path}.value`) : undefined;
}

const SEXES = new Set(['male', 'female', 'other', 'unknown']);

export function mapPatient(resource: JsonObject, fhirId: string): MappedPatient {
  const id = patientRowId(fhirId);
  const name = preferred(arr(resource.name, 'name'), 'name', ['official', 'usual']);
  if (!name) throw new ResourceError('name is missing');
  let family = str(name.family, 'name.family');
  let given = arr(name.given, 'name.given')
    .map((g, i) => str(g, `name.given[${i}]`))
    .filter(Boolean)
    .join(' ');
  if (!family && !given) {
    const text = str(name.text, 'name.text')?.trim();
    if (!text) throw new ResourceError('name has neither family, given nor text');
    const words = text.split(/\s+/);
    family = words.pop();
    given = words.join(' ');
  }
  const birthDate = date(resource.birthDate, 'birthDate');
  if (!birthDate) throw new ResourceError('birthDate is missing');
  // Every age, and the researcher's "90+", is counted from it.
  if (birthDate > new Date().toISOString().slice(0, 10)) throw new ResourceError('birthDate is in the future');
  const gender = str(resource.gender, 'gender') ?? 'unknown';
  if (!SEXES.has(gender)) throw new ResourceError('gender is not one of male, female, other, unknown');
  const address = preferred(arr(resource.address, 'address'), 'address', ['home']);
  const lines = address ? arr(address.line, 'address.line').map((l, i) => str(l, `address.line[${i}]`)).filter(Boolean) : [];
  // Hospitals file patients under their own record number; without one the FHIR id stands in.
  const mrn = identifierOfType(resource, 'MR') ?? `FHIR-${fhirId}`;
  const contacts = arr(resource.contact, 'contact').map((c, i): ContactRow => {
    const contact = obj(c, `contact[${i}]`) ?? {};
    const contactName = humanName(obj(contact.name, `contact[${i}].name`), `contact[${i}].name`);
    if (!contactName) throw new ResourceError(`contact[${i}].name is missing`);
    const relationship = conceptText(first(contact.relationship, `contact[${i}].relationship`), `contact[${i}].relationship`);
    return {
      id: rowId(id, 'K', String(i + 1)),
      patient_id: id,
      name: contactName,
      relationship: relationship ?? 'contact',
      phone: telecomValue(contact, 'phone', `contact[${i}].telecom`) ?? null,
    };
  });
  return {
    patient: {
      id,
      mrn,
      ssn: identifierOfType(resource, 'SS', 'http://hl7.org/fhir/sid/us-ssn') ?? null,
      given_name: given,
      family_name: family ?? '',
      birth_date: birthDate,
      sex: gender as PatientRow['sex'],
      phone: telecomValue(resource, 'phone') ?? null,
      email: telecomValue(resource, 'email') ?? null,
      address_line: lines.length > 0 ? lines.join(', ') : null,
      city: address ? (str(address.city, 'address.city') ?? null) : null,
      state: address ? (stateCode(str(address.state, 'address.state')) ?? null) : null,
      postal_code: address ? (str(address.postalCode, 'address.postalCode') ?? null) : null,
      deceased_at: instant(resource.deceasedDateTime, 'deceasedDateTime') ?? null,
      source: 'fhir',
    },
    contacts,
  };
}

/** What the importer records about a resource it can point to later. */
export function describeResource(resource: JsonObject, type: string): Pick<Target, 'display' | 'code'> {
  switch (type) {
    case 'Practitioner': {
      const names = arr(resource.name, 'name');
      return { display: humanName(obj(names[0], 'name[0]'), 'name[0]') };
    }
    case 'Organization':
    case 'Location':
      return { display: str(resource.name, 'name') };
    case 'Medication': {
      const c = coding(obj(resource.code, 'code'), 'code', [RXNORM]);
      return { display: c?.display, code: c?.code };
    }
    default:
      return {};
  }
}

// ---------------------------------------------------------------------------------------
// Clinical resources. Each returns undefined while a structural reference is unknown.

export interface Context {
  refs: References;
  resourceId: string;
}

/** The patient a resource belongs to, or undefined to wait. */
function subjectOf(resource: JsonObject, ctx: Context, field = 'subject'): Target | undefined {
  const ref = obj(resource[field], field);
  if (!ref) throw new ResourceError(`${field} is missing`);
  return ctx.refs.structural(ref, field, 'Patient');
}

/** The encounter a resource belongs to: null when it names none, undefined to wait. */
function encounterOf(ref: JsonObject | undefined, path: string, ctx: Context, patient: Target): string | null | undefined {
  if (!ref) return null;
  const target = ctx.refs.structural(ref, path, 'Encounter');
  if (!target) return undefined;
  if (target.patientId !== patient.patientId) throw new ResourceError(`${path} points to another patient's encounter`);
  return target.rowId ?? null;
}

export function mapEncounter(resource: JsonObject, ctx: Context): { patient: Target; row: EncounterRow } | undefined {
  const patient = subjectOf(resource, ctx);
  if (!patient) return undefined;
  const klass = obj(resource.class, 'class');
  const classCode = requiredStr(klass?.code, 'class.code');
  const type = coding(first(resource.type, 'type'), 'type[0]', [SNOMED]);
  const period = obj(resource.period, 'period');
  const start = instant(period?.start, 'period.start');
  if (!start) throw new ResourceError('period.start is missing');
  const reasonConcept = first(resource.reasonCode, 'reasonCode');
  const reasonRef = first(resource.reasonReference, 'reasonReference');
  const location = first(resource.location, 'location');
  const participant = first(resource.participant, 'participant');
  const patientId = patient.patientId as string;
  return {
    patient,
    row: {
      id: rowId(patientId, 'E', ctx.resourceId),
      patient_id: patientId,
      class: classCode,
      type_code: type?.code ?? null,
      type_display: type?.display ?? str(klass?.display, 'class.display') ?? classCode,
      reason: conceptText(reasonConcept, 'reasonCode[0]') ?? str(reasonRef?.display, 'reasonReference[0].display') ?? null,
      start_at: start,
      end_at: instant(period?.end, 'period.end') ?? null,
      location:
        ctx.refs.describe(obj(location?.location, 'location[0].location'), 'location[0].location')?.display ??
        ctx.refs.describe(obj(resource.serviceProvider, 'serviceProvider'), 'serviceProvider')?.display ??
        null,
      provider_name:
        ctx.refs.describe(obj(participant?.individual, 'participant[0].individual'), 'participant[0].individual')?.display ?? null,
    },
  };
}

const CATEGORIES = new Set<ObservationCategory>([
  'laboratory', 'vital-signs', 'survey', 'social-history', 'exam', 'procedure', 'imaging', 'therapy', 'activity',
]);

/** Vital-sign LOINC codes, for Observations that carry no category. */
const VITAL_CODES = new Set([
  '8867-4', '8480-6', '8462-4', '8310-5', '8331-1', '29463-7', '8302-2', '2708-6', '59408-5', '9279-1', '39156-5',
  '55284-4', '85354-9', '72514-3',
]);

function observationCategory(resource: JsonObject, code: string): ObservationCategory {
  const categories = arr(resource.category, 'category');
  for (let i = 0; i < categories.length; i += 1) {
    const concept = obj(categories[i], `category[${i}]`);
    for (const [j, c] of arr(concept?.coding, `category[${i}].coding`).entries()) {
      const value = str(obj(c, `category[${i}].coding[${j}]`)?.code, `category[${i}].coding[${j}].code`);
      if (value && CATEGORIES.has(value as ObservationCategory)) return value as ObservationCategory;
    }
  }
  return VITAL_CODES.has(code) ? 'vital-signs' : 'laboratory';
}

interface ObservedValue {
  value_num: number | null;
  value_text: string | null;
  unit: string | null;
  present: boolean;
}

function observedValue(holder: JsonObject, path: string): ObservedValue {
  const prefix = path ? `${path}.` : '';
  const quantity = obj(holder.valueQuantity, `${prefix}valueQuantity`);
  if (quantity) {
    const value = num(quantity.value, `${prefix}valueQuantity.value`);
    if (value === undefined) throw new ResourceError(`${prefix}valueQuantity.value is missing`);
    const unit = str(quantity.unit, `${prefix}valueQuantity.unit`) ?? str(quantity.code, `${prefix}valueQuantity.code`);
    return { value_num: value, value_text: null, unit: unit ?? null, present: true };
  }
  const concept = obj(holder.valueCodeableConcept, `${prefix}valueCodeableConcept`);
  if (concept) return { value_num: null, value_text: conceptText(concept, `${prefix}valueCodeableConcept`) ?? null, unit: null, present: true };
  if (holder.valueString !== undefined) return { value_num: null, value_text: str(holder.valueString, `${prefix}valueString`) ?? null, unit: null, present: true };
  if (holder.valueInteger !== undefined) return { value_num: num(holder.valueInteger, `${prefix}valueInteger`) ?? null, value_text: null, unit: null, present: true };
  if (holder.valueBoolean !== undefined) {
    if (typeof holder.valueBoolean !== 'boolean') throw new ResourceError(`${prefix}valueBoolean is not a boolean`);
    return { value_num: null, value_text: String(holder.valueBoolean), unit: null, present: true };
  }
  return { value_num: null, value_text: null, unit: null, present: false };
}

function referenceRange(holder: JsonObject, path: string): { low: number | null; high: number | null } {
  const range = first(holder.referenceRange, `${path}referenceRange`);
  if (!range) return { low: null, high: null };
  return {
    low: num(obj(range.low, `${path}referenceRange[0].low`)?.value, `${path}referenceRange[0].low.value`) ?? null,
    high: num(obj(range.high, `${path}referenceRange[0].high`)?.value, `${path}referenceRange[0].high.value`) ?? null,
  };
}

/**
 * One row per Observation, or one per component (blood pressure's systolic and diastolic),
 * plus the panel's own value if it has one.
 */
export function mapObservation(resource: JsonObject, ctx: Context): { patient: Target; rows: ObservationRow[] } | undefined {
  const patient = subjectOf(resource, ctx);
  if (!patient) return undefined;
  const encounterId = encounterOf(obj(resource.encounter, 'encounter'), 'encounter', ctx, patient);
  if (encounterId === undefined) return undefined;
  const code = coding(obj(resource.code, 'code'), 'code', [LOINC]);
  if (!code?.code) throw new ResourceError('code is missing');
  const effective =
    instant(resource.effectiveDateTime, 'effectiveDateTime') ??
    instant(obj(resource.effectivePeriod, 'effectivePeriod')?.start, 'effectivePeriod.start') ??
    instant(resource.effectiveInstant, 'effectiveInstant') ??
    instant(resource.issued, 'issued');
  if (!effective) throw new ResourceError('effective[x] is missing');
  const patientId = patient.patientId as string;
  const category = observationCategory(resource, code.code);
  const rows: ObservationRow[] = [];
  const value = observedValue(resource, '');
  const components = arr(resource.component, 'component');
  if (value.present || components.length === 0) {
    const range = referenceRange(resource, '');
    rows.push({
      id: rowId(patientId, 'O', ctx.resourceId),
      patient_id: patientId,
      encounter_id: encounterId,
      category,
      code: code.code,
      display: code.display ?? code.code,
      ...withoutPresent(value),
      ref_low: range.low,
      ref_high: range.high,
      effective_at: effective,
    });
  }
  components.forEach((item, i) => {
    const component = obj(item, `component[${i}]`) ?? {};
    const componentCode = coding(obj(component.code, `component[${i}].code`), `component[${i}].code`, [LOINC]);
    if (!componentCode?.code) throw new ResourceError(`component[${i}].code is missing`);
    const range = referenceRange(component, `component[${i}].`);
    rows.push({
      id: rowId(patientId, 'O', ctx.resourceId, i + 1),
      patient_id: patientId,
      encounter_id: encounterId,
      category,
      code: componentCode.code,
      display: componentCode.display ?? componentCode.code,
      ...withoutPresent(observedValue(component, `component[${i}]`)),
      ref_low: range.low,
      ref_high: range.high,
      effective_at: effective,
    });
  });
  return { patient, rows };
}

function withoutPresent(value: ObservedValue): Omit<ObservedValue, 'present'> {
  return { value_num: value.value_num, value_text: value.value_text, unit: value.unit };
}

const PERIOD_UNITS: Readonly<Record<string, string>> = { s: 'second', min: 'minute', h: 'hour', d: 'day', wk: 'week', mo: 'month', a: 'year' };

/** Dosage text: the instruction's own text, else one composed from timing and dose. */
function dosageText(resource: JsonObject): string | null {
  const dosage = first(resource.dosageInstruction, 'dosageInstruction');
  if (!dosage) return null;
  const text = str(dosage.text, 'dosageInstruction[0].text');
  if (text) return text;
  const parts: string[] = [];
  const doseAndRate = first(dosage.doseAndRate, 'dosageInstruction[0].doseAndRate');
  const dose = obj(doseAndRate?.doseQuantity, 'dosageInstruction[0].doseAndRate[0].doseQuantity');
  const doseValue = num(dose?.value, 'dosageInstruction[0].doseAndRate[0].doseQuantity.value');
  if (doseValue !== undefined) parts.push(`${doseValue} ${dose?.unit ? str(dose.unit, 'doseQuantity.unit') : 'per dose'}`);
  const repeat = obj(obj(dosage.timing, 'dosageInstruction[0].timing')?.repeat, 'dosageInstruction[0].timing.repeat');
  const frequency = num(repeat?.frequency, 'timing.repeat.frequency');
  const period = num(repeat?.period, 'timing.repeat.period');
  const unit = str(repeat?.periodUnit, 'timing.repeat.periodUnit');
  if (frequency !== undefined && period !== undefined && unit) {
    const unitWord = PERIOD_UNITS[unit] ?? unit;
    parts.push(`${frequency} time${frequency === 1 ? '' : 's'} every ${period === 1 ? unitWord : `${period} ${unitWord}s`}`);
  }
  if (dosage.asNeededBoolean === true) parts.push('as needed');
  return parts.length > 0 ? parts.join(', ') : null;
}

export function mapMedicationRequest(resource: JsonObject, ctx: Context): { patient: Target; row: MedicationRow } | undefined {
  const patient = subjectOf(resource, ctx);
  if (!patient) return undefined;
  const encounterId = encounterOf(obj(resource.encounter, 'encounter'), 'encounter', ctx, patient);
  if (encounterId === undefined) return undefined;
  let code: string | undefined;
  let display: string | undefined;
  const concept = obj(resource.medicationCodeableConcept, 'medicationCodeableConcept');
  if (concept) {
    const c = coding(concept, 'medicationCodeableConcept', [RXNORM]);
    code = c?.code;
    display = c?.display ?? c?.code;
  } else {
    const reference = obj(resource.medicationReference, 'medicationReference');
    if (!reference) throw new ResourceError('medication[x] is missing');
    const medication = ctx.refs.describe(reference, 'medicationReference');
    code = medication?.code;
    display = medication?.display ?? medication?.code;
  }
  if (!display) throw new ResourceError('medication[x] has no code or display');
  const authored = instant(resource.authoredOn, 'authoredOn');
  if (!authored) throw new ResourceError('authoredOn is missing');
  const patientId = patient.patientId as string;
  return {
    patient,
    row: {
      id: rowId(patientId, 'M', ctx.resourceId),
      patient_id: patientId,
      encounter_id: encounterId,
      rxnorm_code: code ?? null,
      display,
      dosage: dosageText(resource),
      status: requiredStr(resource.status, 'status'),
      authored_at: authored,
      prescriber_name: ctx.refs.describe(obj(resource.requester, 'requester'), 'requester')?.display ?? null,
    },
  };
}

export function mapAllergy(resource: JsonObject, ctx: Context): { patient: Target; row: AllergyRow } | undefined {
  const patient = subjectOf(resource, ctx, 'patient');
  if (!patient) return undefined;
  const code = coding(obj(resource.code, 'code'), 'code', [SNOMED]);
  if (!code?.display && !code?.code) throw new ResourceError('code is missing');
  const recorded =
    instant(resource.recordedDate, 'recordedDate') ?? instant(resource.onsetDateTime, 'onsetDateTime');
  if (!recorded) throw new ResourceError('recordedDate is missing');
  const reaction = first(resource.reaction, 'reaction');
  const manifestation = reaction ? first(reaction.manifestation, 'reaction[0].manifestation') : undefined;
  const categories = arr(resource.category, 'category');
  const patientId = patient.patientId as string;
  return {
    patient,
    row: {
      id: rowId(patientId, 'A', ctx.resourceId),
      patient_id: patientId,
      code: code.code ?? null,
      display: code.display ?? (code.code as string),
      category: str(categories[0], 'category[0]') ?? null,
      criticality: str(resource.criticality, 'criticality') ?? null,
      reaction: conceptText(manifestation, 'reaction[0].manifestation[0]') ?? null,
      status: coding(obj(resource.clinicalStatus, 'clinicalStatus'), 'clinicalStatus')?.code ?? 'active',
      recorded_at: recorded,
    },
  };
}

export function mapCondition(resource: JsonObject, ctx: Context): { patient: Target; row: ConditionRow } | undefined {
  const patient = subjectOf(resource, ctx);
  if (!patient) return undefined;
  const encounterId = encounterOf(obj(resource.encounter, 'encounter'), 'encounter', ctx, patient);
  if (encounterId === undefined) return undefined;
  const concept = obj(resource.code, 'code');
  const codings = arr(concept?.coding, 'code.coding').map((c, i) => obj(c, `code.coding[${i}]`));
  let system: ConditionRow['system'] | undefined;
  let chosen: JsonObject | undefined;
  for (const c of codings) {
    const s = str(c?.system, 'code.coding.system') ?? '';
    if (s === SNOMED) {
      system = 'snomed';
      chosen = c;
      break;
    }
    if (!chosen && /icd-?10/i.test(s)) {
      system = 'icd10';
      chosen = c;
    }
  }
  if (!chosen || !system) throw new ResourceError('code has no SNOMED CT or ICD-10 coding');
  const code = requiredStr(chosen.code, 'code.coding.code');
  const abatement = instant(resource.abatementDateTime, 'abatementDateTime') ?? null;
  const patientId = patient.patientId as string;
  return {
    patient,
    row: {
      id: rowId(patientId, 'C', ctx.resourceId),
      patient_id: patientId,
      encounter_id: encounterId,
      system,
      code,
      display: str(chosen.display, 'code.coding.display') ?? str(concept?.text, 'code.text') ?? code,
      clinical_status:
        coding(obj(resource.clinicalStatus, 'clinicalStatus'), 'clinicalStatus')?.code ?? (abatement ? 'resolved' : 'active'),
      onset_at: instant(resource.onsetDateTime, 'onsetDateTime') ?? null,
      abatement_at: abatement,
    },
  };
}

/** LOINC document types to our note kinds. */
const NOTE_TYPES: Readonly<Record<string, string>> = {
  '11506-3': 'progress',
  '18842-5': 'discharge',
  '34748-4': 'phone',
  '57133-1': 'referral',
  '34746-8': 'nursing',
  '28651-8': 'nursing',
  '34117-2': 'history-and-physical',
  '51847-2': 'assessment-and-plan',
  '11488-4': 'consult',
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function attachmentText(attachment: JsonObject, path: string): string | undefined {
  const contentType = str(attachment.contentType, `${path}.contentType`) ?? 'text/plain';
  // Only text can become a note; PDFs and images are left to a document store.
  if (!contentType.startsWith('text/')) return undefined;
  const data = str(attachment.data, `${path}.data`);
  if (data === undefined) return undefined;
  const compact = data.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) throw new ResourceError(`${path}.data is not valid base64`);
  const text = Buffer.from(compact, 'base64').toString('utf8');
  if (text.includes('\uFFFD')) throw new ResourceError(`${path}.data is not UTF-8 text`);
  // The decoded note is held to what a FHIR string and a written note are held to: a NUL or
  // an escape sequence hidden in base64 was stored and served to clinicians.
  const problem = freeTextProblem(text);
  if (problem !== undefined) throw new ResourceError(`${path}.data decodes to text that ${problem}`);
  return text;
}

export function mapDocumentReference(resource: JsonObject, ctx: Context): { patient: Target; rows: NoteRow[] } | undefined {
  const patient = subjectOf(resource, ctx);
  if (!patient) return undefined;
  const context = obj(resource.context, 'context');
  const encounterId = encounterOf(first(context?.encounter, 'context.encounter'), 'context.encounter[0]', ctx, patient);
  if (encounterId === undefined) return undefined;
  const created =
    instant(resource.date, 'date') ?? instant(obj(context?.period, 'context.period')?.start, 'context.period.start');
  if (!created) throw new ResourceError('date is missing');
  const type = coding(obj(resource.type, 'type'), 'type', [LOINC]);
  const author = ctx.refs.describe(first(resource.author, 'author'), 'author[0]')?.display ?? null;
  const texts = arr(resource.content, 'content').map((item, i) => {
    const content = obj(item, `content[${i}]`);
    const attachment = obj(content?.attachment, `content[${i}].attachment`);
    if (!attachment) throw new ResourceError(`content[${i}].attachment is missing`);
    return attachmentText(attachment, `content[${i}].attachment`);
  });
  const noteType = (type?.code && NOTE_TYPES[type.code]) || 'clinical';
  return { patient, rows: noteRows(patient, ctx, { encounterId, author, noteType, created }, texts) };
}

/**
 * One note per attachment that carries text; the row id keeps the attachment's position, so
 * a re-import maps each attachment to the same row.
 */
function noteRows(
  patient: Target,
  ctx: Context,
  note: { encounterId: string | null; author: string | null; noteType: string; created: string },
  texts: ReadonlyArray<string | undefined>,
): NoteRow[] {
  const patientId = patient.patientId as string;
  const rows: NoteRow[] = [];
  texts.forEach((text, i) => {
    if (text === undefined) return;
    rows.push({
      id: rowId(patientId, 'N', ctx.resourceId, i + 1),
      patient_id: patientId,
      encounter_id: note.encounterId,
      author_account_id: null,
      author_name: note.author,
      note_type: note.noteType,
      text,
      created_at: note.created,
    });
  });
  return rows;
}

/** A DiagnosticReport's narrative (presentedForm) becomes notes; its results are Observations. */
export function mapDiagnosticReport(resource: JsonObject, ctx: Context): { patient: Target; rows: NoteRow[] } | undefined {
  const forms = arr(resource.presentedForm, 'presentedForm');
  const patient = subjectOf(resource, ctx);
  if (!patient) return undefined;
  const encounterId = encounterOf(obj(resource.encounter, 'encounter'), 'encounter', ctx, patient);
  if (encounterId === undefined) return undefined;
  if (forms.length === 0) return { patient, rows: [] };
  const created =
    instant(resource.issued, 'issued') ??
    instant(resource.effectiveDateTime, 'effectiveDateTime') ??
    instant(obj(resource.effectivePeriod, 'effectivePeriod')?.start, 'effectivePeriod.start');
  if (!created) throw new ResourceError('issued is missing');
  const type = coding(obj(resource.code, 'code'), 'code', [LOINC]);
  const author = ctx.refs.describe(first(resource.performer, 'performer'), 'performer[0]')?.display ?? null;
  const texts = forms.map((form, i) => {
    const attachment = obj(form, `presentedForm[${i}]`);
    return attachment ? attachmentText(attachment, `presentedForm[${i}]`) : undefined;
  });
  const noteType = (type?.code && NOTE_TYPES[type.code]) || 'report';
  return { patient, rows: noteRows(patient, ctx, { encounterId, author, noteType, created }, texts) };
}
