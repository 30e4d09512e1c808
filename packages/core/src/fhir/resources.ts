/**
 * Reading FHIR R4 JSON defensively: the small accessors the mapper needs, each failing
 * with a message that names the field (`valueQuantity.value is not a number`) and never
 * quotes the value (it may be PHI).
 */

import { freeTextProblem } from '../free-text.js';
import { isCalendarDate } from '../instants.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A problem with one resource; the importer prefixes it with the entry and resource. */
export class ResourceError extends Error {
  override name = 'ResourceError';
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function obj(value: Json | undefined, path: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new ResourceError(`${path} is not an object`);
  return value;
}

export function arr(value: Json | undefined, path: string): Json[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ResourceError(`${path} is not an array`);
  return value;
}

/**
 * Longest string stored from a bundle. FHIR lets a string run to 1 MB; nothing this record keeps
 * (a name, a code, a value, a note) comes near 64 K characters, and a 30 MB family name was
 * answered 60 MB in every overview of that patient.
 */
export const MAX_FHIR_STRING = 65_536;

export function str(value: Json | undefined, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ResourceError(`${path} is not a string`);
  if (value.length > MAX_FHIR_STRING) throw new ResourceError(`${path} is longer than ${MAX_FHIR_STRING} characters`);
  // FHIR strings hold no control characters but tab and line breaks (R4 string's regex); a NUL
  // could not even be stored on PostgreSQL.
  const problem = freeTextProblem(value);
  if (problem !== undefined) throw new ResourceError(`${path} ${problem}`);
  return value;
}

export function requiredStr(value: Json | undefined, path: string): string {
  const text = str(value, path);
  if (text === undefined || text.trim() === '') throw new ResourceError(`${path} is missing`);
  return text;
}

export function num(value: Json | undefined, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ResourceError(`${path} is not a number`);
  return value;
}

/** The first object of an array property, e.g. `name[0]`. */
export function first(value: Json | undefined, path: string): JsonObject | undefined {
  const items = arr(value, path);
  if (items.length === 0) return undefined;
  return obj(items[0], `${path}[0]`);
}

/** A CodeableConcept's preferred coding: from `system` when given, else the first. */
export function coding(
  concept: JsonObject | undefined,
  path: string,
  preferSystems: readonly string[] = [],
): { system: string | undefined; code: string | undefined; display: string | undefined } | undefined {
  if (!concept) return undefined;
  const codings = arr(concept.coding, `${path}.coding`).map((c, i) => obj(c, `${path}.coding[${i}]`));
  const chosen =
    codings.find((c) => c && preferSystems.includes(str(c.system, `${path}.coding.system`) ?? '')) ?? codings[0];
  const text = str(concept.text, `${path}.text`);
  if (!chosen) return text ? { system: undefined, code: undefined, display: text } : undefined;
  return {
    system: str(chosen.system, `${path}.coding.system`),
    code: str(chosen.code, `${path}.coding.code`),
    display: str(chosen.display, `${path}.coding.display`) ?? text,
  };
}

/** Text of a CodeableConcept for people: its text, else the first coding's display or code. */
export function conceptText(concept: JsonObject | undefined, path: string): string | undefined {
  if (!concept) return undefined;
  const text = str(concept.text, `${path}.text`);
  if (text) return text;
  const c = coding(concept, path);
  return c?.display ?? c?.code;
}

const DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** FHIR dateTime (or date) as a UTC instant `YYYY-MM-DDTHH:MM:SS.sssZ`. */
export function instant(value: Json | undefined, path: string): string | undefined {
  const text = str(value, path);
  if (text === undefined) return undefined;
  if (DATE.test(text)) {
    if (!isCalendarDate(padDate(text))) throw new ResourceError(`${path} is not a valid date`);
    return `${padDate(text)}T00:00:00.000Z`;
  }
  if (!DATE_TIME.test(text)) throw new ResourceError(`${path} is not a FHIR dateTime`);
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || !isCalendarDate(text.slice(0, 10))) throw new ResourceError(`${path} is not a valid date-time`);
  return new Date(ms).toISOString();
}

/** FHIR date as `YYYY-MM-DD`; a partial date (1970, 1970-05) gets its first day. */
export function date(value: Json | undefined, path: string): string | undefined {
  const text = str(value, path);
  if (text === undefined) return undefined;
  if (!DATE.test(text)) throw new ResourceError(`${path} is not a FHIR date`);
  const full = padDate(text);
  if (!isCalendarDate(full)) throw new ResourceError(`${path} is not a valid date`);
  return full;
}

function padDate(text: string): string {
  if (text.length === 4) return `${text}-01-01`;
  if (text.length === 7) return `${text}-01`;
  return text;
}

/** Practitioner-style HumanName as one line: "Dr. Antonia Stark". */
export function humanName(name: JsonObject | undefined, path: string): string | undefined {
  if (!name) return undefined;
  const text = str(name.text, `${path}.text`);
  if (text) return text;
  const parts = [
    ...arr(name.prefix, `${path}.prefix`).map((p, i) => str(p, `${path}.prefix[${i}]`)),
    ...arr(name.given, `${path}.given`).map((g, i) => str(g, `${path}.given[${i}]`)),
    str(name.family, `${path}.family`),
  ].filter((p): p is string => Boolean(p));
  return parts.length > 0 ? parts.join(' ') : undefined;
}

const US_STATES: Readonly<Record<string, string>> = {
  alabama: 'AL', alaska: 'AK', arizona: 'AZ', arkansas: 'AR', california: 'CA', colorado: 'CO', connecticut: 'CT',
  delaware: 'DE', 'district of columbia': 'DC', florida: 'FL', georgia: 'GA', hawaii: 'HI', idaho: 'ID', illinois: 'IL',
  indiana: 'IN', iowa: 'IA', kansas: 'KS', kentucky: 'KY', louisiana: 'LA', maine: 'ME', maryland: 'MD',
  massachusetts: 'MA', michigan: 'MI', minnesota: 'MN', mississippi: 'MS', missouri: 'MO', montana: 'MT',
  nebraska: 'NE', nevada: 'NV', 'new hampshire': 'NH', 'new jersey': 'NJ', 'new mexico': 'NM', 'new york': 'NY',
  'north carolina': 'NC', 'north dakota': 'ND', ohio: 'OH', oklahoma: 'OK', oregon: 'OR', pennsylvania: 'PA',
  'puerto rico': 'PR', 'rhode island': 'RI', 'south carolina': 'SC', 'south dakota': 'SD', tennessee: 'TN',
  texas: 'TX', utah: 'UT', vermont: 'VT', virginia: 'VA', washington: 'WA', 'west virginia': 'WV',
  wisconsin: 'WI', wyoming: 'WY',
};

/** "Massachusetts" -> "MA", so imported and generated addresses agree; others unchanged. */
export function stateCode(state: string | undefined): string | undefined {
  if (state === undefined) return undefined;
  return US_STATES[state.trim().toLowerCase()] ?? state;
}
