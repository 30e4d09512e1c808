/**
 * How identifiers are written by people: the same phone number or date appears in several
 * shapes across a chart, which is what the redaction layer has to recognise.
 */
import type { Random } from './random.js';

export const DAY_MS = 86_400_000;

const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December',
] as const;

/** A phone number as 10 digits, written in one of the common US styles. */
export function formatPhone(digits: string, style: number): string {
  const a = digits.slice(0, 3);
  const b = digits.slice(3, 6);
  const c = digits.slice(6, 10);
  switch (style % 6) {
    case 0:
      return `(${a}) ${b}-${c}`;
    case 1:
      return `${a}-${b}-${c}`;
    case 2:
      return `${a}.${b}.${c}`;
    case 3:
      return `+1 ${a} ${b} ${c}`;
    case 4:
      return `${a} ${b} ${c}`;
    default:
      return `1-${a}-${b}-${c}`;
  }
}

export function randomPhoneStyle(random: Random): number {
  return random.weighted([
    [0, 4],
    [1, 4],
    [2, 1],
    [3, 1],
    [4, 1],
    [5, 1],
  ]);
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function isoInstant(ms: number): string {
  return new Date(ms).toISOString();
}

/** 11/18/2026 */
export function usDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
}

/** 11/18/26 */
export function usShortDate(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCFullYear() % 100).padStart(2, '0')}`;
}

/** November 18, 2026 */
export function longDate(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
}

/** Nov 18 */
export function monthDay(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()]!.slice(0, 3)} ${d.getUTCDate()}`;
}

/** 14:05 */
export function clock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

/** A date in one of the styles clinicians use. */
export function anyDate(random: Random, ms: number): string {
  return random.weighted<(t: number) => string>([
    [usDate, 4],
    [longDate, 2],
    [usShortDate, 1],
    [isoDate, 1],
    [monthDay, 1],
  ])(ms);
}

export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

export function ageOn(birthDate: string, atMs: number): number {
  const birth = new Date(`${birthDate}T00:00:00Z`);
  const at = new Date(atMs);
  let age = at.getUTCFullYear() - birth.getUTCFullYear();
  const beforeBirthday =
    at.getUTCMonth() < birth.getUTCMonth() ||
    (at.getUTCMonth() === birth.getUTCMonth() && at.getUTCDate() < birth.getUTCDate());
  if (beforeBirthday) age -= 1;
  return Math.max(0, age);
}
