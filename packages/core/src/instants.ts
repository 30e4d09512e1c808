/**
 * Dates and instants given as arguments (a tool's `since`, `audit export --until`): ISO-8601 and
 * nothing else, read one way everywhere. `new Date()` alone takes "1" for 2001, "99999" for a
 * year no stored instant reaches, "12/08/2026" in some locale's order, 2026-02-30 for 2 March
 * and a time without an offset in the machine's own zone; an export bounded by any of those
 * was quietly wrong.
 */
import { AppError } from './errors.js';

/** `YYYY-MM-DD` (midnight UTC), or a date and time with seconds optional and an offset required. */
export const DATE_OR_INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

export const INSTANT_FORMAT = 'an ISO-8601 date (YYYY-MM-DD) or date-time with offset (2026-03-14T09:30:00Z)';

/** The instant as stored (UTC, milliseconds), or what is wrong with `value`. */
export function readInstant(value: unknown): { instant: string } | { problem: string } {
  const wrongFormat = { problem: `must be ${INSTANT_FORMAT}` };
  if (typeof value !== 'string' || !DATE_OR_INSTANT.test(value)) return wrongFormat;
  const time = Date.parse(value);
  if (Number.isNaN(time)) return wrongFormat;
  if (!isCalendarDate(value.slice(0, 10))) return { problem: 'not a real date' };
  return { instant: new Date(time).toISOString() };
}

/** YYYY-MM-DD that names a real day: Date.parse rolls 2026-02-30 over to 2 March instead of refusing it. */
export function isCalendarDate(value: string): boolean {
  const ms = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

/** The instant as stored, or undefined when `value` is not one. */
export function isoInstant(value: unknown): string | undefined {
  const read = readInstant(value);
  return 'instant' in read ? read.instant : undefined;
}

/** The instant as stored, or a validation error that names the argument. */
export function parseInstant(value: unknown, name: string): string {
  const read = readInstant(value);
  if ('problem' in read) throw new AppError('ERR_VALIDATION', { detail: `${name}: ${read.problem}` });
  return read.instant;
}
