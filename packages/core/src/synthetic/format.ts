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

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * Year, month, day of a count of days since 1970-01-01 (Howard Hinnant's civil_from_days).
 * Date#toISOString was a third of the generator's time; this is arithmetic only.
 */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/** YYYY-MM-DD (UTC), years 0-9999. */
export function isoDate(ms: number): string {
  const [y, m, d] = civilFromDays(Math.floor(ms / DAY_MS));
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
}

/** The same text as Date#toISOString for years 0-9999. */
export function isoInstant(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  const [y, m, d] = civilFromDays(days);
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${String(millis).padStart(3, '0')}Z`;
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
  const by = Number(birthDate.slice(0, 4));
  const bm = Number(birthDate.slice(5, 7));
  const bd = Number(birthDate.slice(8, 10));
  const [y, m, d] = civilFromDays(Math.floor(atMs / DAY_MS));
  const beforeBirthday = m < bm || (m === bm && d < bd);
  return Math.max(0, y - by - (beforeBirthday ? 1 : 0));
}
