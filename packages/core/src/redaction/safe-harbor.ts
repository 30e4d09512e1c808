/**
 * Field transforms for HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i). Each returns null when
 * the input cannot be read: an unreadable value is dropped, never passed through.
 */

/**
 * Three-digit ZIP prefixes whose areas held 20,000 people or fewer at the 2000 Census; the
 * rule (164.514(b)(2)(i)(B)) requires `000` for them. List as published in HHS's
 * de-identification guidance (2012).
 */
export const RESTRICTED_ZIP3: ReadonlySet<string> = new Set([
  '036', '059', '063', '102', '203', '556', '692', '790', '821',
  '823', '830', '831', '878', '879', '884', '890', '893',
]);

const LEADING_YEAR = /^(\d{4})(?:-\d{2}(?:-\d{2})?)?(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** `YYYY` of an ISO date or instant. */
export function yearOnly(value: string): string | null {
  const match = LEADING_YEAR.exec(value.trim());
  return match ? match[1]! : null;
}

/**
 * The age a person born on `birthDate` reaches in `at`'s year (`at`'s year less the birth
 * year), or null if unreadable. Not the age on the day: beside the birth year that one told
 * whether the birthday had passed, and asked for day after day, it moved on the birthday
 * itself (a reviewer read 2001-12-12 off "2001, 24" turning "2001, 25"). Safe Harbor keeps
 * no element of a date but the year.
 */
export function ageInYears(birthDate: string, at: Date): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(birthDate.trim());
  if (!match) return null;
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const age = at.getUTCFullYear() - Number(match[1]);
  return age >= 0 ? age : null;
}

/** Ages above 89 are aggregated into one category (164.514(b)(2)(i)(C)). */
export function ageBucket(birthDate: string, at: Date): number | '90+' | null {
  const age = ageInYears(birthDate, at);
  if (age === null) return null;
  return age > 89 ? '90+' : age;
}

/** Birth year, or null when it would reveal an age over 89 (same paragraph: "including year"). */
export function birthYear(birthDate: string, at: Date): string | null {
  const age = ageInYears(birthDate, at);
  if (age === null || age > 89) return null;
  return yearOnly(birthDate);
}

export function zip3(postalCode: string): string | null {
  const match = /^(\d{3})\d{2}(?:-?\d{4})?$/.exec(postalCode.trim());
  if (!match) return null;
  return RESTRICTED_ZIP3.has(match[1]!) ? '000' : match[1]!;
}

/** `***-**-1234`: enough for staff to confirm an identity, not enough to use the number. */
export function maskLast4(value: string): string {
  const digits = value.replace(/\D/g, '');
  return digits.length >= 4 ? `***-**-${digits.slice(-4)}` : '***-**-****';
}
