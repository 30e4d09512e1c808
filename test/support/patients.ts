/** Bare patient records for tests that need one to exist (a patient account must point at one). */
import type { Kysely } from 'kysely';
import { patientInsert } from '@secure-hospital-ai/core/clinical/store';
import type { Tables } from '@secure-hospital-ai/core/db/schema';

export async function insertPatients(db: Kysely<Tables>, ids: readonly string[]): Promise<void> {
  const now = new Date().toISOString();
  for (const id of ids) {
    await db
      .insertInto('patients')
      .values(
        patientInsert(
          { id, mrn: `MRN-${id}`, ssn: null, given_name: `Given${id}`, family_name: 'Test', birth_date: '1970-01-01', sex: 'unknown', phone: null, email: null, address_line: null, city: null, state: null, postal_code: null, deceased_at: null, source: null },
          now,
        ),
      )
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}
