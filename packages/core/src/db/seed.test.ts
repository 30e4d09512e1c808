/**
 * What production counts as a demo account (SPEC "Demo accounts": their passwords are
 * published): one seeded as such, or one with a demo name that still has the demo password.
 */
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database.js';
import { createAccount, resetPassword } from '../accounts.js';
import { hashPassword } from '../passwords.js';
import type { Database } from './database.js';
import { DEMO_ACCOUNTS, demoAccountsPresent, seedDemoData } from './seed.js';

let database: Database;
useTestDatabase((opened) => (database = opened), { each: true });

describe('demoAccountsPresent', () => {
  it('names every seeded demo account', async () => {
    await seedDemoData(database.db);
    expect((await demoAccountsPresent(database.db)).sort()).toEqual(DEMO_ACCOUNTS.map((a) => a.username).sort());
  });

  it("does not count an operator's own account that shares a demo name, unless it has the demo's published password", async () => {
    const admin = DEMO_ACCOUNTS.find((a) => a.username === 'admin')!;
    await createAccount(database.db, { username: 'admin', password: 'an-operator-chosen-passphrase', role: 'admin', displayName: 'Operator' });
    expect(await demoAccountsPresent(database.db)).toEqual([]);
    // No reset gives out a published password now; one given before that (or by SQL) is still found.
    await expect(resetPassword(database.db, 'admin', admin.password)).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await database.db.updateTable('accounts').set({ password_hash: await hashPassword(admin.password) }).where('username', '=', 'admin').execute();
    expect(await demoAccountsPresent(database.db)).toEqual(['admin']);
  });
});
