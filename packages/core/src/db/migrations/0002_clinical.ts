import type { Kysely } from 'kysely';

/**
 * The clinical model: patients with identifiers and contacts, wards and admissions, care
 * teams, and the FHIR-shaped clinical rows. Every lookup a tool makes has an index here
 * (patient by name prefix, MRN, birth date; clinical rows by patient and time).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('patients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('mrn', 'text', (c) => c.notNull().unique())
    .addColumn('ssn', 'text')
    .addColumn('given_name', 'text', (c) => c.notNull())
    .addColumn('family_name', 'text', (c) => c.notNull())
    .addColumn('birth_date', 'text', (c) => c.notNull())
    .addColumn('sex', 'text', (c) => c.notNull())
    .addColumn('phone', 'text')
    .addColumn('email', 'text')
    .addColumn('address_line', 'text')
    .addColumn('city', 'text')
    .addColumn('state', 'text')
    .addColumn('postal_code', 'text')
    .addColumn('deceased_at', 'text')
    // Name search is case-insensitive prefix search; lowered copies make it indexable on
    // both engines without relying on collations or expression-index syntax.
    .addColumn('family_name_lc', 'text', (c) => c.notNull())
    .addColumn('given_name_lc', 'text', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('patients_family_lc').on('patients').columns(['family_name_lc', 'given_name_lc', 'id']).execute();
  await db.schema.createIndex('patients_given_lc').on('patients').columns(['given_name_lc', 'id']).execute();
  await db.schema.createIndex('patients_birth_date').on('patients').columns(['birth_date', 'id']).execute();

  await db.schema
    .createTable('patient_contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('relationship', 'text', (c) => c.notNull())
    .addColumn('phone', 'text')
    .execute();
  await db.schema.createIndex('patient_contacts_patient').on('patient_contacts').column('patient_id').execute();

  await db.schema
    .createTable('wards')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('admissions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('ward_id', 'text', (c) => c.notNull().references('wards.id'))
    .addColumn('admitted_at', 'text', (c) => c.notNull())
    .addColumn('discharged_at', 'text')
    .execute();
  await db.schema.createIndex('admissions_ward').on('admissions').columns(['ward_id', 'patient_id']).execute();
  await db.schema.createIndex('admissions_patient').on('admissions').column('patient_id').execute();

  await db.schema
    .createTable('care_team_members')
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('team_role', 'text', (c) => c.notNull())
    .addColumn('since', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('care_team_members_pk', ['account_id', 'patient_id'])
    .execute();
  await db.schema.createIndex('care_team_members_patient').on('care_team_members').column('patient_id').execute();

  await db.schema
    .createTable('ward_assignments')
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('ward_id', 'text', (c) => c.notNull().references('wards.id'))
    .addPrimaryKeyConstraint('ward_assignments_pk', ['account_id', 'ward_id'])
    .execute();

  await db.schema
    .createTable('break_glass_grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('break_glass_grants_lookup')
    .on('break_glass_grants')
    .columns(['account_id', 'patient_id', 'expires_at'])
    .execute();

  await db.schema
    .createTable('encounters')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('class', 'text', (c) => c.notNull())
    .addColumn('type_code', 'text')
    .addColumn('type_display', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('start_at', 'text', (c) => c.notNull())
    .addColumn('end_at', 'text')
    .addColumn('location', 'text')
    .addColumn('provider_name', 'text')
    .execute();
  await db.schema.createIndex('encounters_patient_start').on('encounters').columns(['patient_id', 'start_at', 'id']).execute();

  await db.schema
    .createTable('observations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('encounter_id', 'text')
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('display', 'text', (c) => c.notNull())
    .addColumn('value_num', 'double precision')
    .addColumn('value_text', 'text')
    .addColumn('unit', 'text')
    .addColumn('ref_low', 'double precision')
    .addColumn('ref_high', 'double precision')
    .addColumn('effective_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('observations_patient_time')
    .on('observations')
    .columns(['patient_id', 'effective_at', 'id'])
    .execute();
  await db.schema
    .createIndex('observations_patient_category')
    .on('observations')
    .columns(['patient_id', 'category', 'effective_at'])
    .execute();
  await db.schema.createIndex('observations_patient_code').on('observations').columns(['patient_id', 'code', 'effective_at']).execute();

  await db.schema
    .createTable('medications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('encounter_id', 'text')
    .addColumn('rxnorm_code', 'text')
    .addColumn('display', 'text', (c) => c.notNull())
    .addColumn('dosage', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('authored_at', 'text', (c) => c.notNull())
    .addColumn('prescriber_name', 'text')
    .execute();
  await db.schema.createIndex('medications_patient').on('medications').columns(['patient_id', 'authored_at', 'id']).execute();

  await db.schema
    .createTable('allergies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('code', 'text')
    .addColumn('display', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('criticality', 'text')
    .addColumn('reaction', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('allergies_patient').on('allergies').column('patient_id').execute();

  await db.schema
    .createTable('conditions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('encounter_id', 'text')
    .addColumn('system', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('display', 'text', (c) => c.notNull())
    .addColumn('clinical_status', 'text', (c) => c.notNull())
    .addColumn('onset_at', 'text')
    .addColumn('abatement_at', 'text')
    .execute();
  await db.schema.createIndex('conditions_patient').on('conditions').columns(['patient_id', 'clinical_status']).execute();

  await db.schema
    .createTable('clinical_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('encounter_id', 'text')
    .addColumn('author_account_id', 'integer')
    .addColumn('author_name', 'text')
    .addColumn('note_type', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('clinical_notes_patient_time').on('clinical_notes').columns(['patient_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('import_sources')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text', (c) => c.notNull())
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_sources_pk', ['source', 'source_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'import_sources', 'clinical_notes', 'conditions', 'allergies', 'medications', 'observations', 'encounters',
    'break_glass_grants', 'ward_assignments', 'care_team_members', 'admissions', 'wards', 'patient_contacts', 'patients',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
