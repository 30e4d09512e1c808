/**
 * /api/admin/accounts on a real gateway over a fresh database: the admin role can make every
 * change, every other role and every bad token is refused with nothing changed, changes take
 * effect at the very next request (at the proxy and in the shared Authenticator), each change
 * and each refusal is audited, and no password or hash ever leaves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createAccount, findAccountByUsername } from '@secure-hospital-ai/core/accounts';
import { auditDb } from '@secure-hospital-ai/core/audit/tables';
import type { Role } from '@secure-hospital-ai/core/domain';
import { nowSeconds } from '@secure-hospital-ai/core/tokens';
import { refuseAuditWrites } from '../support/audit-outage.js';
import { insertPatients } from '../support/patients.js';
import { answerOf, post, startHarness, type Harness, type JsonAnswer } from './harness.js';

let h: Harness;
let base: string;
const ADMIN_PASSWORD = 'admin-test-passphrase';

beforeAll(async () => {
  h = await startHarness();
  base = `${h.gateway.url}/api/admin/accounts`;
  const db = h.database.db;
  await createAccount(db, { username: 'admin', password: ADMIN_PASSWORD, role: 'admin' });
  await createAccount(db, { username: 'admin2', password: 'admin2-demo-2026', role: 'admin' });
  await createAccount(db, { username: 'auditor1', password: 'auditor-test-passphrase', role: 'auditor' });
  await insertPatients(db, ['P001', 'P002', 'P003']);
  await db.insertInto('wards').values([{ id: 'W1', name: 'Ward one' }, { id: 'W2', name: 'Ward two' }]).execute();
});

afterAll(async () => {
  await h?.close();
});

/** A fresh access token for any account in the database, under its current role. */
async function tokenFor(username: string, issuedAt = nowSeconds()): Promise<string> {
  const account = await findAccountByUsername(h.database.db, username);
  if (!account) throw new Error(`test set-up: no account ${username}`);
  const issued = await h.tokens.issueAccess({ userId: String(account.id), role: account.role as Role, patientId: account.patient_id }, issuedAt);
  return issued.token;
}

async function bearer(username: string): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await tokenFor(username)}`, 'user-agent': 'admin-test/1.0' };
}

async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, headers: Record<string, string>, body?: unknown): Promise<JsonAnswer> {
  return answerOf(
    await request(`${base}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
}

const admin = () => bearer('admin');

async function accountId(username: string): Promise<number> {
  const account = await findAccountByUsername(h.database.db, username);
  if (!account) throw new Error(`no account ${username}`);
  return account.id;
}

async function changeEvents() {
  return auditDb(h.database).selectFrom('audit_events').selectAll().where('action', '=', 'account.change').orderBy('seq').execute();
}

async function lastRefusal() {
  return auditDb(h.database).selectFrom('audit_events').selectAll().where('action', '=', 'request.refused').orderBy('seq', 'desc').limit(1).executeTakeFirst();
}

async function careTeamOf(username: string): Promise<string[]> {
  const rows = await h.database.db.selectFrom('care_team_members').select('patient_id').where('account_id', '=', await accountId(username)).orderBy('patient_id').execute();
  return rows.map((r) => r.patient_id);
}

async function wardsOf(username: string): Promise<string[]> {
  const rows = await h.database.db.selectFrom('ward_assignments').select('ward_id').where('account_id', '=', await accountId(username)).orderBy('ward_id').execute();
  return rows.map((r) => r.ward_id);
}

/** Everything an account change could touch, to prove a refused request touched none of it. */
async function snapshot(): Promise<string> {
  const db = h.database.db;
  return JSON.stringify({
    accounts: await db.selectFrom('accounts').selectAll().orderBy('id').execute(),
    careTeams: await db.selectFrom('care_team_members').selectAll().orderBy('account_id').orderBy('patient_id').execute(),
    wards: await db.selectFrom('ward_assignments').selectAll().orderBy('account_id').orderBy('ward_id').execute(),
    refresh: await db.selectFrom('refresh_tokens').selectAll().orderBy('jti').execute(),
  });
}

const PROXY_CALL = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

async function proxyStatus(token: string): Promise<JsonAnswer> {
  return post(`${h.gateway.url}/mcp-proxy/`, PROXY_CALL, { authorization: `Bearer ${token}` });
}

function expectNoSecrets(answer: JsonAnswer, ...passwords: string[]): void {
  expect(answer.text).not.toContain('password_hash');
  expect(answer.text).not.toContain('$argon2');
  for (const p of passwords) expect(answer.text).not.toContain(p);
}

describe('authentication and authorisation', () => {
  it('no token, a malformed token: 401 with a Bearer challenge, audited', async () => {
    const none = await call('GET', '', {});
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="secure-hospital-ai"');
    expect(none.json).toEqual({ detail: 'Authentication required' });
    expect(await lastRefusal()).toMatchObject({ decision: 'deny', source: 'gateway', user_id: null, reason: 'account.manage:err_token_missing' });

    const bad = await call('POST', '/yenji100/deactivate', { authorization: 'Bearer not-a-jwt' });
    expect(bad.status).toBe(401);
    expect(bad.headers['www-authenticate']).toContain('error="invalid_token"');
    expect((await findAccountByUsername(h.database.db, 'yenji100'))?.is_active).toBe(1);
  });

  it('a refresh token is not an access token', async () => {
    const refresh = await h.tokens.issueRefresh({ userId: String(await accountId('admin')), role: 'admin' }, 'fam-admin');
    const answer = await call('GET', '', { authorization: `Bearer ${refresh.token}` });
    expect(answer.status).toBe(401);
  });

  it('an admin token does not authenticate by cookie: only the Authorization header counts', async () => {
    const token = await tokenFor('admin');
    const answer = await call('GET', '', { cookie: `access=${token}; refresh=${token}` });
    expect(answer.status).toBe(401);
  });

  it.each([
    ['yenji100', 'doctor'],
    ['auditor1', 'auditor'],
    ['p001', 'patient'],
    ['nurse_joy', 'nurse'],
  ])('%s (%s) gets 403 Forbidden on every route and nothing changes', async (username, role) => {
    const headers = await bearer(username);
    const before = await snapshot();
    const eventsBefore = (await changeEvents()).length;
    const attempts: Array<[Parameters<typeof call>[0], string, unknown?]> = [
      ['GET', ''],
      ['GET', '/dr_grey'],
      ['POST', '', { username: 'intruder', password: 'intruder-pass-1', role: 'admin' }],
      ['POST', '/dr_grey/deactivate'],
      ['POST', '/former_staff/reactivate'],
      ['POST', '/dr_grey/password', { password: 'taken-over-2026' }],
      ['POST', `/${username}/role`, { role: 'admin' }],
      ['PUT', `/${username}/care-team/P003`],
      ['DELETE', '/yenji100/care-team/P001'],
      ['PUT', `/${username}/wards/W2`],
      ['DELETE', '/nurse_joy/wards/W1'],
    ];
    for (const [method, path, body] of attempts) {
      const answer = await call(method, path, headers, body);
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.json).toEqual({ detail: 'Forbidden' });
      expect(answer.headers['www-authenticate']).toBeUndefined();
    }
    expect(await snapshot()).toBe(before);
    expect((await changeEvents()).length).toBe(eventsBefore);
    expect(await lastRefusal()).toMatchObject({
      decision: 'deny',
      source: 'gateway',
      user_id: String(await accountId(username)),
      role,
      reason: 'account.manage:not_in_policy',
      client_address: '127.0.0.1',
      user_agent: 'admin-test/1.0',
    });
  });

  it('an Origin outside ALLOWED_ORIGINS is refused even with an admin token', async () => {
    const before = await snapshot();
    const answer = await call('POST', '/dr_grey/deactivate', { ...(await admin()), origin: 'https://evil.example' });
    expect(answer.status).toBe(403);
    expect(await snapshot()).toBe(before);
  });
});

describe('what an admin can do', () => {
  it('lists accounts without password hashes', async () => {
    const answer = await call('GET', '', await admin());
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const { accounts } = answer.json as { accounts: Array<Record<string, unknown>> };
    expect(accounts.map((a) => a.username)).toEqual(expect.arrayContaining(['yenji100', 'p001', 'former_staff', 'admin']));
    expect(accounts.find((a) => a.username === 'former_staff')).toMatchObject({ role: 'doctor', is_active: false });
    expect(accounts.find((a) => a.username === 'p001')).toMatchObject({ role: 'patient', patient_id: 'P001', is_active: true });
    for (const a of accounts) expect(Object.keys(a)).not.toContain('password_hash');
    expectNoSecrets(answer, ADMIN_PASSWORD);
  });

  it('creates an account that can then sign in; audited without the password or the name', async () => {
    const password = 'house-md-secret-2026';
    // A name that signs notes is held to what a note is: no control characters, lone surrogates or direction overrides.
    for (const display_name of ['Dr\u0007 House', 'Dr \ud800House', 'Dr \u202eesuoH']) {
      const refused = await call('POST', '', await admin(), { username: 'dr_house', password, role: 'doctor', display_name });
      expect(refused.status, JSON.stringify(display_name)).toBe(400);
      expect(JSON.stringify(refused.json)).toMatch(/display name must not contain|must be valid Unicode/);
    }
    const answer = await call('POST', '', await admin(), { username: 'dr_house', password, role: 'doctor', display_name: 'Dr House' });
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({ username: 'dr_house', role: 'doctor', display_name: 'Dr House', is_active: true, patient_id: null, care_team: [], wards: [] });
    expectNoSecrets(answer, password);
    const id = await accountId('dr_house');

    const login = await post(`${h.gateway.url}/api/token/`, JSON.stringify({ username: 'dr_house', password }));
    expect(login.status).toBe(200);

    const event = (await changeEvents()).at(-1);
    expect(event).toMatchObject({
      source: 'gateway',
      decision: 'allow',
      user_id: String(await accountId('admin')),
      role: 'admin',
      reason: `account.create:account/${id}:role/doctor`,
      purpose_of_use: 'HSYSADMIN',
      client_address: '127.0.0.1',
      user_agent: 'admin-test/1.0',
    });
    const stored = JSON.stringify(await changeEvents());
    expect(stored).not.toContain(password);
    expect(stored).not.toContain('dr_house');
  });

  it('creates a patient account linked to an existing patient only', async () => {
    const headers = await admin();
    const missing = await call('POST', '', headers, { username: 'p_two', password: 'p-two-pass-2026', role: 'patient' });
    expect(missing.status).toBe(400);
    expect((missing.json as { detail: string }).detail).toMatch(/^patient_id: /);

    const unknown = await call('POST', '', headers, { username: 'p_two', password: 'p-two-pass-2026', role: 'patient', patient_id: 'P999' });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ detail: 'no patient P999' });

    const created = await call('POST', '', headers, { username: 'p_two', password: 'p-two-pass-2026', role: 'patient', patient_id: 'P002' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ role: 'patient', patient_id: 'P002' });
    expect((await changeEvents()).at(-1)).toMatchObject({ patient_id: 'P002', reason: `account.create:account/${await accountId('p_two')}:role/patient` });
  });

  it('validation errors are 400 and name the field; a taken username is 409', async () => {
    const headers = await admin();
    const before = await snapshot();
    const cases: Array<[unknown, RegExp]> = [
      [{ password: 'long-enough-1', role: 'doctor' }, /^username: /],
      [{ username: 'newbie', password: 'short', role: 'doctor' }, /^password: must be at least 8 characters/],
      [{ username: 'newbie', password: 'long-enough-1', role: 'surgeon' }, /^role: /],
      [{ username: 'newbie', password: 'long-enough-1', role: 'doctor', patientId: 'P001' }, /patientId/],
      [{ username: 'newbie', password: 'long-enough-1', role: 'doctor', patient_id: 'P001' }, /^patient_id: /],
      [{ username: 'bad name!', password: 'long-enough-1', role: 'doctor' }, /^username /],
    ];
    for (const [body, detail] of cases) {
      const answer = await call('POST', '', headers, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect((answer.json as { detail: string }).detail).toMatch(detail);
      expect(answer.text).not.toContain('long-enough-1');
    }
    const taken = await call('POST', '', headers, { username: 'yenji100', password: 'long-enough-1', role: 'doctor' });
    expect(taken.status).toBe(409);
    expect(taken.json).toEqual({ detail: 'username yenji100 is taken' });
    const notJson = await request(base, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: 'x' });
    expect(notJson.statusCode).toBe(415);
    await notJson.body.dump();

    const password = await call('POST', '/dr_grey/password', headers, {});
    expect(password.status).toBe(400);
    expect((password.json as { detail: string }).detail).toMatch(/^password: /);
    const role = await call('POST', '/dr_grey/role', headers, { role: 'chief' });
    expect(role.status).toBe(400);
    expect((role.json as { detail: string }).detail).toMatch(/^role: /);
    expect(await snapshot()).toBe(before);
  });

  it('unknown accounts, patients and wards are 404', async () => {
    const headers = await admin();
    for (const [method, path, body] of [
      ['GET', '/nobody'],
      ['POST', '/nobody/deactivate'],
      ['POST', '/nobody/reactivate'],
      ['POST', '/nobody/password', { password: 'long-enough-1' }],
      ['POST', '/nobody/role', { role: 'nurse' }],
      ['PUT', '/nobody/care-team/P001'],
      ['PUT', '/dr_grey/care-team/P999'],
      ['DELETE', '/dr_grey/care-team/P999'],
      ['PUT', '/nobody/wards/W1'],
      ['PUT', '/nurse_joy/wards/W9'],
      ['DELETE', '/nurse_joy/wards/W9'],
    ] as Array<[Parameters<typeof call>[0], string, unknown?]>) {
      const answer = await call(method, path, headers, body);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(typeof (answer.json as { detail: unknown }).detail).toBe('string');
    }
  });

  it('deactivation refuses the doctor\'s live token at the very next request; after reactivation only new tokens work; a repeat changes nothing', async () => {
    // Issued a few seconds ago, as a token minted elsewhere with the shared secret could be: in no ledger.
    const token = await tokenFor('yenji100', nowSeconds() - 5);
    const headers = { authorization: `Bearer ${token}` };
    expect((await proxyStatus(token)).status).toBe(200);
    const eventsBefore = (await changeEvents()).length;

    const off = await call('POST', '/yenji100/deactivate', await admin());
    expect(off.status).toBe(200);
    expect(off.json).toMatchObject({ username: 'yenji100', is_active: false });
    const refused = await proxyStatus(token);
    expect(refused.status).toBe(403);
    await expect(h.authenticator.authenticate(headers)).rejects.toMatchObject({ code: 'ERR_ACCOUNT_INACTIVE' });
    const login = await post(`${h.gateway.url}/api/token/`, JSON.stringify({ username: 'yenji100', password: 'kingjulien100' }));
    expect(login.status).toBe(401);

    // Deactivating again is no change: answered, not recorded.
    const again = await call('POST', '/yenji100/deactivate', await admin());
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ is_active: false });

    const on = await call('POST', '/yenji100/reactivate', await admin());
    expect(on.status).toBe(200);
    expect(on.json).toMatchObject({ is_active: true });
    // What deactivation ended stays ended; a token issued now works.
    expect((await proxyStatus(token)).status).toBe(401);
    await expect(h.authenticator.authenticate(headers)).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
    expect((await proxyStatus(await tokenFor('yenji100'))).status).toBe(200);

    const id = await accountId('yenji100');
    expect((await changeEvents()).slice(eventsBefore).map((e) => e.reason)).toEqual([`account.deactivate:account/${id}`, `account.reactivate:account/${id}`]);
  });

  it('a role change refuses tokens minted under the old role (401); a new token carries the new role', async () => {
    const old = await tokenFor('dr_grey');
    expect((await proxyStatus(old)).status).toBe(200);
    const answer = await call('POST', '/dr_grey/role', await admin(), { role: 'nurse' });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ username: 'dr_grey', role: 'nurse' });
    const refused = await proxyStatus(old);
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toContain('invalid_token');
    await expect(h.authenticator.authenticate({ authorization: `Bearer ${old}` })).rejects.toMatchObject({ code: 'ERR_TOKEN_REVOKED' });
    await expect(h.authenticator.authenticate(await bearer('dr_grey'))).resolves.toMatchObject({ role: 'nurse' });
    // What the account could do before and after, for the reviewer (the accounts table keeps only the now).
    expect((await changeEvents()).at(-1)).toMatchObject({ reason: `account.set_role:account/${await accountId('dr_grey')}:from/doctor:to/nurse`, role: 'admin' });

    const toPatient = await call('POST', '/dr_grey/role', await admin(), { role: 'patient', patient_id: 'P003' });
    expect(toPatient.status).toBe(200);
    expect(toPatient.json).toMatchObject({ role: 'patient', patient_id: 'P003' });
    const back = await call('POST', '/dr_grey/role', await admin(), { role: 'doctor' });
    expect(back.json).toMatchObject({ role: 'doctor', patient_id: null });
  });

  it('resets a password: the new one signs in, the old one does not, neither is echoed or logged', async () => {
    const password = 'fresh-password-2026';
    const answer = await call('POST', '/nurse_joy/password', await admin(), { password });
    expect(answer.status).toBe(200);
    expectNoSecrets(answer, password, 'joy-demo-2026');
    expect((await post(`${h.gateway.url}/api/token/`, JSON.stringify({ username: 'nurse_joy', password }))).status).toBe(200);
    expect((await post(`${h.gateway.url}/api/token/`, JSON.stringify({ username: 'nurse_joy', password: 'joy-demo-2026' }))).status).toBe(401);
    expect((await changeEvents()).at(-1)).toMatchObject({ reason: `account.reset_password:account/${await accountId('nurse_joy')}` });
    expect(JSON.stringify(await changeEvents())).not.toContain(password);
    expect(h.logLines.join('\n')).not.toContain(password);
    // A published demo password is given to no one, its own account or another.
    for (const published of ['joy-demo-2026', 'kingjulien100']) {
      const refused = await call('POST', '/nurse_joy/password', await admin(), { password: published });
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.json)).toMatch(/published demo password/);
    }
    expect((await post(`${h.gateway.url}/api/token/`, JSON.stringify({ username: 'nurse_joy', password }))).status).toBe(200);
  });

  it('a password reset lifts the lock-out that failed logins put on the account', async () => {
    const login = (password: string) => post(`${h.gateway.url}/api/token/`, JSON.stringify({ username: 'p001', password }));
    for (let i = 0; i < 5; i += 1) expect((await login(`wrong-${i}`)).status).toBe(401);
    expect((await login('p001-demo-2026')).status).toBe(429);
    expect((await call('POST', '/p001/password', await admin(), { password: 'new patient passphrase' })).status).toBe(200);
    expect((await login('new patient passphrase')).status).toBe(200);
  });

  it('records what concurrent changes did: one event per real change, each role change from the role before it, one twin of a name', async () => {
    const headers = await admin();
    expect((await call('POST', '', headers, { username: 'busy_target', password: 'a long enough passphrase', role: 'doctor' })).status).toBe(201);
    const id = await accountId('busy_target');
    const recorded = (await changeEvents()).length;
    const roles = ['receptionist', 'auditor', 'doctor', 'receptionist', 'auditor', 'doctor'];
    await Promise.all([
      ...roles.map((role) => call('POST', '/busy_target/role', headers, { role })),
      ...Array.from({ length: 4 }, () => call('POST', '/busy_target/deactivate', headers)),
    ]);
    const events = (await changeEvents()).slice(recorded).map((e) => e.reason);
    // Deactivated once, however many asked at once.
    expect(events.filter((reason) => reason === `account.deactivate:account/${id}`)).toHaveLength(1);
    let role = 'doctor';
    for (const reason of events.filter((r) => r.startsWith('account.set_role:'))) {
      const [, from, to] = /:from\/(\w+):to\/(\w+)$/.exec(reason) ?? [];
      expect(from, reason).toBe(role);
      expect(to).not.toBe(from);
      role = to as string;
    }
    expect((await findAccountByUsername(h.database.db, 'busy_target'))?.role).toBe(role);
    const twins = await Promise.all(['Twin_a', 'TWIN_A', 'twin_a', 'tWin_A'].map((username) => call('POST', '', headers, { username, password: 'a long enough passphrase', role: 'nurse' })));
    expect(twins.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409]);
  });

  it('makes no change the audit log cannot take: 503, and the account and its links as they were', async () => {
    const headers = await admin();
    const before = await h.database.db.selectFrom('accounts').selectAll().orderBy('id').execute();
    const wardsBefore = await h.database.db.selectFrom('ward_assignments').selectAll().orderBy('account_id').orderBy('ward_id').execute();
    const recorded = (await changeEvents()).length;
    await refuseAuditWrites(h.database, true);
    try {
      for (const [method, path, body] of [
        ['PUT', '/nurse_joy/wards/W2', undefined],
        ['POST', '/dr_grey/deactivate', undefined],
        ['POST', '/dr_grey/role', { role: 'nurse' }],
        ['POST', '/dr_grey/password', { password: 'a passphrase of its own' }],
        ['POST', '', { username: 'outage_doc', password: 'a long enough passphrase', role: 'doctor' }],
      ] as const) {
        const answer = await call(method, path, headers, body);
        expect(answer.status, `${method} ${path}`).toBe(503);
      }
    } finally {
      await refuseAuditWrites(h.database, false);
    }
    expect(await h.database.db.selectFrom('accounts').selectAll().orderBy('id').execute()).toEqual(before);
    expect(await h.database.db.selectFrom('ward_assignments').selectAll().orderBy('account_id').orderBy('ward_id').execute()).toEqual(wardsBefore);
    expect(await changeEvents()).toHaveLength(recorded);
  });

  it('assigns and removes care teams and wards', async () => {
    const headers = await admin();
    const id = await accountId('dr_house');
    const put = await call('PUT', '/dr_house/care-team/P001', headers);
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ care_team: ['P001'] });
    expect(await careTeamOf('dr_house')).toEqual(['P001']);
    expect((await changeEvents()).at(-1)).toMatchObject({ reason: `account.assign_care_team:account/${id}`, patient_id: 'P001' });
    // Idempotent: a second PUT changes nothing, and no change is recorded for it.
    const recorded = (await changeEvents()).length;
    expect((await call('PUT', '/dr_house/care-team/P001', headers)).status).toBe(200);
    expect(await careTeamOf('dr_house')).toEqual(['P001']);
    expect(await changeEvents()).toHaveLength(recorded);

    const del = await call('DELETE', '/dr_house/care-team/P001', headers);
    expect(del.status).toBe(200);
    expect(del.json).toMatchObject({ care_team: [] });
    expect(await careTeamOf('dr_house')).toEqual([]);
    expect((await changeEvents()).at(-1)).toMatchObject({ reason: `account.unassign_care_team:account/${id}`, patient_id: 'P001' });

    const ward = await call('PUT', '/nurse_joy/wards/W2', headers);
    expect(ward.status).toBe(200);
    expect(ward.json).toMatchObject({ wards: ['W2'] });
    expect(await wardsOf('nurse_joy')).toEqual(['W2']);
    const joy = await accountId('nurse_joy');
    expect((await changeEvents()).at(-1)).toMatchObject({ reason: `account.assign_ward:ward/w2:account/${joy}` });
    const unward = await call('DELETE', '/nurse_joy/wards/W2', headers);
    expect(unward.status).toBe(200);
    expect(await wardsOf('nurse_joy')).toEqual([]);
    expect((await changeEvents()).at(-1)).toMatchObject({ reason: `account.unassign_ward:ward/w2:account/${joy}` });
    // Removing links that are not there is no change either.
    const before = (await changeEvents()).length;
    expect((await call('DELETE', '/nurse_joy/wards/W2', headers)).status).toBe(200);
    expect((await call('DELETE', '/dr_house/care-team/P001', headers)).status).toBe(200);
    expect(await changeEvents()).toHaveLength(before);

    const detail = await call('GET', '/dr_house', headers);
    expect(detail.status).toBe(200);
    expect(detail.json).toMatchObject({ username: 'dr_house', care_team: [], wards: [] });
    expectNoSecrets(detail);
  });

  it('an admin may not deactivate or demote their own account (409), but may another admin\'s', async () => {
    const headers = await admin();
    const before = await snapshot();
    const self = await call('POST', '/admin/deactivate', headers);
    expect(self.status).toBe(409);
    expect((self.json as { detail: string }).detail).toMatch(/own account/);
    const demote = await call('POST', '/admin/role', headers, { role: 'doctor' });
    expect(demote.status).toBe(409);
    expect(await snapshot()).toBe(before);
    expect(await lastRefusal()).toMatchObject({ role: 'admin', reason: 'account.manage:self_lockout' });

    const other = await tokenFor('admin2');
    const off = await call('POST', '/admin2/deactivate', headers);
    expect(off.status).toBe(200);
    // A deactivated admin is refused like anyone else.
    const refused = await call('GET', '', { authorization: `Bearer ${other}` });
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ detail: 'Account is deactivated' });
  });

  it('every read of accounts is in the audit log before its answer leaves; none leaves while the log is down', async () => {
    const headers = await admin();
    const reads = () => auditDb(h.database).selectFrom('audit_events').selectAll().where('action', '=', 'account.read').orderBy('seq').execute();
    const before = (await reads()).length;
    expect((await call('GET', '', headers)).status).toBe(200);
    expect((await call('GET', '/p001', headers)).status).toBe(200);
    const adminId = String(await accountId('admin'));
    expect((await reads()).slice(before)).toMatchObject([
      { source: 'gateway', decision: 'allow', user_id: adminId, role: 'admin', reason: 'account.list', patient_id: null },
      { source: 'gateway', decision: 'allow', user_id: adminId, role: 'admin', reason: `account.read:account/${await accountId('p001')}`, patient_id: 'P001' },
    ]);

    h.audit.down = true;
    try {
      for (const path of ['', '/p001']) {
        const refused = await call('GET', path, headers);
        expect(refused.status).toBe(503);
        expect(refused.json).toEqual({ detail: 'Audit log unavailable; nothing was returned' });
        expect(refused.text).not.toMatch(/p001|yenji100|P001/);
      }
    } finally {
      h.audit.down = false;
    }
  });

  it('every change above is in the audit log, with the admin as the actor', async () => {
    const events = await changeEvents();
    expect(events.length).toBeGreaterThanOrEqual(14);
    const adminId = String(await accountId('admin'));
    for (const event of events) {
      expect(event).toMatchObject({ source: 'gateway', decision: 'allow', user_id: adminId, role: 'admin' });
      expect(event.reason).toMatch(/^account\.[a-z_]+(:ward\/[a-z0-9]+)?:account\/\d+(:role\/[a-z]+|:from\/[a-z]+:to\/[a-z]+)?$/);
    }
  });
});
