import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database.js';
import { auditEvent } from '../../../../test/audit/support.js';
import { createAccount } from '../accounts.js';
import { chainEvent, HASH_INDEX, STORED_COLUMNS } from '../audit/chain.js';
import { normalizeAuditEvent } from '../audit/normalize.js';
import { auditDb } from '../audit/tables.js';
import { verifyAuditChain } from '../audit/verify.js';
import { createAuditWriter } from '../audit/writer.js';
import { migrateTo, migrateToLatest } from './migrate.js';
import type { Database } from './database.js';
import { testDatabaseKind } from './test-database.js';

/**
 * An installation that already holds data moves to this schema without losing or altering
 * any of it: the audit chain written under the old indexes still verifies, and refresh
 * tokens issued before the ledger named access tokens still work.
 */
describe(`upgrading a database with data in it (${testDatabaseKind()})`, () => {
  let database: Database;
  useTestDatabase((opened) => (database = opened), { migrate: false });
  let upgraded: string[];
  let accountId: number;

  beforeAll(async () => {
    await migrateTo(database, '0004_patient_revisions');
    // As the writer of that time stored them: its columns only, chained from the head.
    let prev = '0'.repeat(64);
    for (let i = 0; i < 60; i += 1) {
      const fields = normalizeAuditEvent(auditEvent({ request_id: `old-${i}`, decision: i % 4 === 0 ? 'deny' : 'allow', break_glass: i % 10 === 3 }));
      const row = chainEvent(fields, i + 1, prev).slice(0, HASH_INDEX + 1);
      await sql`INSERT INTO audit_events (${sql.raw(STORED_COLUMNS.slice(0, HASH_INDEX + 1).join(', '))}) VALUES (${sql.join(row)})`.execute(database.db);
      prev = row[HASH_INDEX] as string;
    }
    await sql`UPDATE audit_chain_head SET seq = 60, hash = ${prev} WHERE id = 1`.execute(database.db);
    accountId = (await createAccount(database.db, { username: 'upgrade_doc', password: 'password-u', role: 'doctor' })).id;
    await database.db
      .insertInto('refresh_tokens')
      // Written as the schema before 0006 had it: no access-token columns.
      .values({
        jti: 'issued-before',
        account_id: accountId,
        family_id: 'fam',
        issued_at: '2026-01-01T00:00:00.000Z',
        expires_at: '2999-01-01T00:00:00.000Z',
        revoked_at: null,
        revoked_reason: null,
        replaced_by: null,
      })
      .execute();
    upgraded = await migrateToLatest(database);
  });

  it('runs exactly the migrations after the one it was on', () => {
    expect(upgraded).toEqual(['0005_audit_partial_indexes', '0006_access_tokens_in_ledger', '0007_audit_no_replace', '0008_sessions_ended_at', '0009_audit_seq_positive', '0010_audit_listed_patients', '0011_audit_justification']);
  });

  it('keeps the audit chain whole, and appends to it under the new indexes, searches with their lists and break-glass with its justification', async () => {
    expect(await verifyAuditChain(database)).toMatchObject({ ok: true, count: 60 });
    const writer = createAuditWriter(database);
    await Promise.all(Array.from({ length: 20 }, (_, i) => writer.record(auditEvent({ request_id: `new-${i}`, decision: 'deny' }))));
    await writer.record(auditEvent({ request_id: 'search', tool: 'search_patients', patient_id: null, listed_patients: ['P001', 'P002'] }));
    await writer.record(auditEvent({ request_id: 'btg', tool: 'break_glass', break_glass: true, purpose_of_use: 'ETREAT', justification: 'Unconscious in the ED' }));
    await writer.close();
    expect(await verifyAuditChain(database)).toMatchObject({ ok: true, count: 82 });
    const denied = await auditDb(database)
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('decision', '=', 'deny')
      .executeTakeFirstOrThrow();
    expect(Number(denied.n)).toBe(15 + 20);
  });

  it('keeps refresh tokens issued before the ledger named access tokens', async () => {
    const row = await database.db.selectFrom('refresh_tokens').selectAll().where('jti', '=', 'issued-before').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ account_id: accountId, family_id: 'fam', revoked_at: null, access_jti: null, access_expires_at: null });
  });
});
