import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database.js';
import { auditEvent } from '../../../../test/audit/support.js';
import { createAccount } from '../accounts.js';
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
    const writer = createAuditWriter(database);
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        writer.record(auditEvent({ request_id: `old-${i}`, decision: i % 4 === 0 ? 'deny' : 'allow', break_glass: i % 10 === 3 })),
      ),
    );
    await writer.close();
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
    expect(upgraded).toEqual(['0005_audit_partial_indexes', '0006_access_tokens_in_ledger', '0007_audit_no_replace', '0008_sessions_ended_at', '0009_audit_seq_positive']);
  });

  it('keeps the audit chain whole, and appends to it under the new indexes', async () => {
    const writer = createAuditWriter(database);
    await Promise.all(Array.from({ length: 20 }, (_, i) => writer.record(auditEvent({ request_id: `new-${i}`, decision: 'deny' }))));
    await writer.close();
    expect(await verifyAuditChain(database)).toMatchObject({ ok: true, count: 80 });
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
