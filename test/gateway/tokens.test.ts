/**
 * The token endpoints against a real database: login, rotation with reuse detection,
 * verification, logout, throttling, and what reaches the audit log and the server log.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ACCESS_TOKEN_SECONDS } from '@secure-hospital-ai/core/tokens';
import { resetPassword, retireDemoAccount, setAccountActive } from '@secure-hospital-ai/core/accounts';
import { hashPassword } from '@secure-hospital-ai/core/passwords';
import { claimsOf, post, startHarness, UPSTREAM_MARKER, type Harness } from './harness.js';

const BAD_CREDENTIALS = { detail: 'No active account found with the given credentials' };
const TOKEN_NOT_VALID = { detail: 'Token is invalid or expired', code: 'token_not_valid' };

let h: Harness;
let base: string;

beforeAll(async () => {
  h = await startHarness();
  base = h.gateway.url;
});

afterAll(async () => {
  await h?.close();
});

interface Pair {
  access: string;
  refresh: string;
}

async function login(username: string, password: string, headers: Record<string, string> = {}) {
  return post(`${base}/api/token/`, JSON.stringify({ username, password }), headers);
}

/**
 * The access token no longer opens anything: the proxy refuses it before the MCP server hears
 * of it, and nothing of the upstream's answer comes back.
 */
async function expectAccessEnded(access: string): Promise<void> {
  const before = h.upstream.received.length;
  const call = await post(`${base}/mcp-proxy/`, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), { authorization: `Bearer ${access}` });
  expect(call.status).toBe(401);
  expect(call.text).not.toContain(UPSTREAM_MARKER);
  expect(h.upstream.received.length).toBe(before);
  expect((await post(`${base}/api/token/verify/`, JSON.stringify({ token: access }))).status).toBe(401);
}

async function expectAccessWorks(access: string): Promise<void> {
  const call = await post(`${base}/mcp-proxy/`, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), { authorization: `Bearer ${access}` });
  expect(call.status).toBe(200);
}

async function loginPair(username: string, password: string): Promise<Pair> {
  const answer = await login(username, password);
  expect(answer.status).toBe(200);
  return answer.json as Pair;
}

describe('POST /api/token/', () => {
  it('upgrades a password hash of older argon2 parameters at a successful login, and only then', async () => {
    const argon2 = (await import('argon2')).default;
    const legacy = await argon2.hash('kingjulien100', { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 });
    const stored = () => h.database.db.selectFrom('accounts').select('password_hash').where('username', '=', 'yenji100').executeTakeFirstOrThrow();
    const before = (await stored()).password_hash;
    try {
      await h.database.db.updateTable('accounts').set({ password_hash: legacy }).where('username', '=', 'yenji100').execute();
      expect((await login('yenji100', 'wrong-password')).status).toBe(401);
      expect((await stored()).password_hash).toBe(legacy);
      expect((await login('yenji100', 'kingjulien100')).status).toBe(200);
      const upgraded = (await stored()).password_hash;
      expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=7168,p=1,t=5\$/);
      expect(await argon2.verify(upgraded, 'kingjulien100')).toBe(true);
    } finally {
      await h.database.db.updateTable('accounts').set({ password_hash: before }).where('username', '=', 'yenji100').execute();
    }
  });

  it('issues an access token with the SPEC claims and a refresh token', async () => {
    const answer = await login('yenji100', 'kingjulien100', { 'user-agent': 'vitest-agent/1.0' });
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const { access, refresh } = answer.json as Pair;
    const claims = claimsOf(access);
    expect(claims).toMatchObject({
      sub: h.accountIds.yenji100,
      user_id: h.accountIds.yenji100,
      role: 'doctor',
      token_type: 'access',
      iss: h.config.jwt.issuer,
      aud: h.config.jwt.audience,
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(ACCESS_TOKEN_SECONDS);
    expect(ACCESS_TOKEN_SECONDS).toBe(300);
    expect(claimsOf(refresh)).toMatchObject({ token_type: 'refresh', sub: h.accountIds.yenji100 });
    // Both tokens are genuine for the servers that will check them.
    await expect(h.tokens.verify(access, 'access')).resolves.toMatchObject({ role: 'doctor' });
    const row = await h.database.db.selectFrom('refresh_tokens').selectAll().where('jti', '=', claimsOf(refresh).jti as string).executeTakeFirst();
    expect(row).toMatchObject({ account_id: Number(h.accountIds.yenji100), revoked_at: null });

    const success = h.audit.ofAction('login.success').at(-1);
    expect(success).toMatchObject({
      source: 'gateway',
      user_id: h.accountIds.yenji100,
      role: 'doctor',
      decision: 'allow',
      client_address: '127.0.0.1',
      user_agent: 'vitest-agent/1.0',
    });
    expect(success?.request_id).toBe(answer.headers['x-request-id']);
  });

  it('puts patient_id in a patient access token', async () => {
    const { access } = await loginPair('p001', 'p001-demo-2026');
    expect(claimsOf(access)).toMatchObject({ role: 'patient', patient_id: 'P001' });
  });

  it('answers a wrong password, an unknown user and a deactivated account alike', async () => {
    const wrong = await login('dr_grey', 'not-the-password');
    const unknown = await login('nobody_here', 'whatever-password');
    const deactivated = await login('former_staff', 'former-demo-2026');
    for (const answer of [wrong, unknown, deactivated]) {
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual(BAD_CREDENTIALS);
      expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    }
    const reasons = h.audit.ofAction('login.failure').map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['bad_password', 'unknown_user', 'account_inactive']));
    const unknownEvent = h.audit.ofAction('login.failure').find((e) => e.reason === 'unknown_user');
    expect(unknownEvent).toMatchObject({ user_id: null, decision: 'deny' });
  });

  it.each([
    ['missing password', JSON.stringify({ username: 'yenji100' })],
    ['wrong types', JSON.stringify({ username: 12, password: ['x'] })],
    ['an array', JSON.stringify([1, 2])],
  ])('refuses a body with %s: 400 {"detail"}', async (_name, body) => {
    const answer = await post(`${base}/api/token/`, body);
    expect(answer.status).toBe(400);
    expect(typeof (answer.json as { detail: unknown }).detail).toBe('string');
  });

  it('refuses malformed JSON with 400 and a non-JSON body with 415, in the detail shape', async () => {
    const broken = await post(`${base}/api/token/`, '{"username": "yenji100",');
    expect(broken.status).toBe(400);
    expect(broken.json).toEqual({ detail: 'Parse error' });
    const form = await post(`${base}/api/token/`, 'username=a&password=b', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    const text = await post(`${base}/api/token/`, JSON.stringify({ username: 'yenji100', password: 'x' }), { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(text.json).toEqual({ detail: 'Content-Type must be application/json' });
    expect(form.json).toEqual({ detail: 'Content-Type must be application/json' });
  });

  it('refuses a browser page from an origin not allowed (403), before any password is checked', async () => {
    const failuresBefore = h.audit.ofAction('login.failure').length;
    for (const path of ['/api/token/', '/api/token/refresh/', '/api/token/verify/', '/api/token/blacklist/']) {
      const answer = await post(`${base}${path}`, JSON.stringify({ username: 'yenji100', password: 'kingjulien100' }), { origin: 'http://evil.example' });
      expect(answer.status, path).toBe(403);
      expect(answer.json).toEqual({ detail: 'Origin not allowed' });
      expect(JSON.stringify(answer.json)).not.toMatch(/access|refresh/);
    }
    expect(h.audit.ofAction('login.failure').length).toBe(failuresBefore);
    // Clients that send no Origin (apps, agents) sign in as before; the web UI's own origin is
    // checked in test/web.
    expect((await post(`${base}/api/token/`, JSON.stringify({ username: 'yenji100', password: 'kingjulien100' }))).status).toBe(200);
  });

  it('answers other methods on the token routes with 405 and Allow: POST', async () => {
    for (const path of ['/api/token/', '/api/token', '/api/token/refresh/', '/api/token/verify/', '/api/token/blacklist/']) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const response = await fetch(`${base}${path}`, { method });
        expect(response.status, `${method} ${path}`).toBe(405);
        expect(response.headers.get('allow')).toBe('POST');
        expect(response.headers.get('cache-control')).toBe('no-store');
        expect(await response.json()).toEqual({ detail: 'Method not allowed' });
      }
    }
  });

  it('accepts the path without its trailing slash', async () => {
    const answer = await post(`${base}/api/token`, JSON.stringify({ username: 'nurse_joy', password: 'joy-demo-2026' }));
    expect(answer.status).toBe(200);
  });
});

describe('login throttling', () => {
  it('refuses an account after 5 failures with 429 and Retry-After, even with the right password', async () => {
    // A gateway of its own: its throttle has counted nothing yet.
    const fresh = await h.startGateway();
    const attempt = (password: string) => post(`${fresh.url}/api/token/`, JSON.stringify({ username: 'dr_grey', password }));
    for (let i = 0; i < 5; i += 1) expect((await attempt(`wrong-${i}`)).status).toBe(401);
    const refused = await attempt('grey-demo-2026');
    expect(refused.status).toBe(429);
    expect((refused.json as { detail: string }).detail).toMatch(/Too many failed login attempts/);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(h.audit.ofAction('login.failure').at(-1)).toMatchObject({ reason: 'throttled', decision: 'deny' });
    // Another account from the same address is unaffected.
    expect((await post(`${fresh.url}/api/token/`, JSON.stringify({ username: 'p001', password: 'p001-demo-2026' }))).status).toBe(200);
    await fresh.close();
  });

  it('guesses sent all at once get no more password checks than guesses sent one by one', async () => {
    const fresh = await h.startGateway();
    const failuresBefore = h.audit.ofAction('login.failure').length;
    const guesses = await Promise.all(
      Array.from({ length: 15 }, (_, i) => post(`${fresh.url}/api/token/`, JSON.stringify({ username: 'dr_grey', password: `guess-${i}` }))),
    );
    const statuses = guesses.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
    for (const answer of guesses.filter((a) => a.status === 429)) expect(Number(answer.headers['retry-after'])).toBeGreaterThan(800);
    const audited = h.audit.ofAction('login.failure').slice(failuresBefore);
    expect(audited.filter((event) => event.reason === 'bad_password')).toHaveLength(5);
    expect(audited.filter((event) => event.reason === 'throttled')).toHaveLength(10);
    // The right password is refused too now: the account's budget is spent.
    expect((await post(`${fresh.url}/api/token/`, JSON.stringify({ username: 'dr_grey', password: 'grey-demo-2026' }))).status).toBe(429);
    await fresh.close();
  });

  it('logins of one account sent at once with the right password all succeed', async () => {
    const fresh = await h.startGateway();
    const logins = await Promise.all(
      Array.from({ length: 25 }, () => post(`${fresh.url}/api/token/`, JSON.stringify({ username: 'nurse_joy', password: 'joy-demo-2026' }))),
    );
    expect(logins.map((answer) => answer.status)).toEqual(Array.from({ length: 25 }, () => 200));
    await fresh.close();
  });

  it('unknown names sprayed from one address all at once stop at the address limit', async () => {
    const sprayed = await h.startGateway({ loginLimits: { perAddress: 4 } });
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => post(`${sprayed.url}/api/token/`, JSON.stringify({ username: `nobody-${i}`, password: 'x-password' }))),
    );
    expect(answers.filter((answer) => answer.status === 401)).toHaveLength(4);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(8);
    await sprayed.close();
  });

  it('a success resets the account counter', async () => {
    for (let i = 0; i < 4; i += 1) expect((await login('nurse_joy', `wrong-${i}`)).status).toBe(401);
    expect((await login('nurse_joy', 'joy-demo-2026')).status).toBe(200);
    for (let i = 0; i < 4; i += 1) expect((await login('nurse_joy', `wrong-again-${i}`)).status).toBe(401);
    expect((await login('nurse_joy', 'joy-demo-2026')).status).toBe(200);
  });

  it('refuses an address spraying many accounts', async () => {
    const sprayed = await h.startGateway({ loginLimits: { perAddress: 3 } });
    for (const name of ['spray1', 'spray2', 'spray3']) {
      expect((await post(`${sprayed.url}/api/token/`, JSON.stringify({ username: name, password: 'x-password' }))).status).toBe(401);
    }
    const refused = await post(`${sprayed.url}/api/token/`, JSON.stringify({ username: 'p001', password: 'p001-demo-2026' }));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    await sprayed.close();
  });
});

describe('POST /api/token/refresh/', () => {
  it('rotates: a new pair, and the old refresh token is refused afterwards', async () => {
    const first = await loginPair('yenji100', 'kingjulien100');
    const rotated = await post(`${base}/api/token/refresh/`, JSON.stringify({ refresh: first.refresh }));
    expect(rotated.status).toBe(200);
    expect(rotated.headers['cache-control']).toBe('no-store');
    const second = rotated.json as Pair;
    expect(second.refresh).not.toBe(first.refresh);
    expect(claimsOf(second.access)).toMatchObject({ token_type: 'access', role: 'doctor' });
    expect(claimsOf(second.refresh).fam).toBe(claimsOf(first.refresh).fam);

    const oldRow = await h.database.db.selectFrom('refresh_tokens').selectAll().where('jti', '=', claimsOf(first.refresh).jti as string).executeTakeFirstOrThrow();
    expect(oldRow).toMatchObject({ revoked_reason: 'rotated', replaced_by: claimsOf(second.refresh).jti });
    expect(h.audit.ofAction('token.refresh').at(-1)).toMatchObject({ decision: 'allow', user_id: h.accountIds.yenji100 });

    const again = await post(`${base}/api/token/refresh/`, JSON.stringify({ refresh: first.refresh }));
    expect(again.status).toBe(401);
    expect(again.json).toEqual(TOKEN_NOT_VALID);
  });

  it('treats reuse of a rotated token as theft: the whole family is revoked', async () => {
    const first = await loginPair('yenji100', 'kingjulien100');
    const elsewhere = await loginPair('yenji100', 'kingjulien100');
    const second = (await post(`${base}/api/token/refresh/`, JSON.stringify({ refresh: first.refresh }))).json as Pair;
    await expectAccessWorks(second.access);
    const reuse = await post(`${base}/api/token/refresh/`, JSON.stringify({ refresh: first.refresh }));
    expect(reuse.status).toBe(401);
    // Both access tokens the family was given end now, not at their expiry: either may be the thief's.
    await expectAccessEnded(first.access);
    await expectAccessEnded(second.access);
    // The same account's other session is not the stolen one.
    await expectAccessWorks(elsewhere.access);
    expect(h.audit.ofAction('token.reuse_detected').at(-1)).toMatchObject({
      decision: 'deny',
      user_id: h.accountIds.yenji100,
      reason: 'reuse_after_rotated',
    });
    // The legitimate holder's newer token is gone too.
    const legitimate = await post(`${base}/api/token/refresh/`, JSON.stringify({ refresh: second.refresh }));
    expect(legitimate.status).toBe(401);
    const family = await h.database.db
      .selectFrom('refresh_tokens')
      .select(['revoked_at'])
      .where('family_id', '=', claimsOf(first.refresh).fam as string)
      .execute();
    expect(family.length).toBe(2);
    expect(family.every((r) => r.revoked_at !== null)).toBe(true);
  });

  it('two concurrent rotations of one token: one wins, the other counts as reuse and ends the family', async () => {
    const { refresh } = await loginPair('yenji100', 'kingjulien100');
    const answers = await Promise.all([0, 1].map(() => post(`${base}/api/token/refresh/`, JSON.stringify({ refresh }))));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
    const winner = answers.find((a) => a.status === 200)?.json as Pair;
    expect((await post(`${base}/api/token/refresh/`, JSON.stringify({ refresh: winner.refresh }))).status).toBe(401);
  });

  it('refuses an access token, garbage, and a body without refresh', async () => {
    const { access } = await loginPair('yenji100', 'kingjulien100');
    const wrongType = await post(`${base}/api/token/refresh/`, JSON.stringify({ refresh: access }));
    expect(wrongType.status).toBe(401);
    expect(wrongType.json).toEqual(TOKEN_NOT_VALID);
    expect((await post(`${base}/api/token/refresh/`, JSON.stringify({ refresh: 'abc.def.ghi' }))).status).toBe(401);
    expect((await post(`${base}/api/token/refresh/`, JSON.stringify({}))).status).toBe(400);
  });

  it('refuses a refresh for an account deactivated since login', async () => {
    const pair = await loginPair('p001', 'p001-demo-2026');
    await h.database.db.updateTable('accounts').set({ is_active: 0 }).where('id', '=', Number(h.accountIds.p001)).execute();
    try {
      const answer = await post(`${base}/api/token/refresh/`, JSON.stringify({ refresh: pair.refresh }));
      expect(answer.status).toBe(401);
      expect((answer.json as { detail: string }).detail).toMatch(/No active account/);
    } finally {
      await h.database.db.updateTable('accounts').set({ is_active: 1 }).where('id', '=', Number(h.accountIds.p001)).execute();
    }
  });
});

describe('POST /api/token/verify/', () => {
  it('accepts a live access or refresh token with 200 {}', async () => {
    const pair = await loginPair('yenji100', 'kingjulien100');
    for (const token of [pair.access, pair.refresh]) {
      const answer = await post(`${base}/api/token/verify/`, JSON.stringify({ token }));
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({});
      // Only that exact text: a token has one spelling.
      for (const respelled of [` ${token}`, `${token} `, `${token}\n`, `\t${token}`]) {
        expect((await post(`${base}/api/token/verify/`, JSON.stringify({ token: respelled }))).status, JSON.stringify(respelled.slice(-3))).toBe(401);
      }
    }
  });

  it('refuses garbage, a foreign signature, an expired token and a revoked refresh token', async () => {
    const pair = await loginPair('yenji100', 'kingjulien100');
    const expired = await h.accessToken('yenji100', Math.floor(Date.now() / 1000) - 3600);
    const tampered = `${pair.access.slice(0, -4)}AAAA`;
    await post(`${base}/api/token/refresh/`, JSON.stringify({ refresh: pair.refresh }));
    for (const token of ['garbage', tampered, expired, pair.refresh]) {
      const answer = await post(`${base}/api/token/verify/`, JSON.stringify({ token }));
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual(TOKEN_NOT_VALID);
    }
  });

  it('answers 503, not 401, when the check cannot be made: the client must not throw a good token away', async () => {
    const pair = await loginPair('yenji100', 'kingjulien100');
    // The database out of reach, as a relay cut in front of PostgreSQL shows it.
    const outage = vi.spyOn(h.authenticator, 'authenticateToken').mockRejectedValueOnce(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    try {
      const answer = await post(`${base}/api/token/verify/`, JSON.stringify({ token: pair.access }));
      expect(answer.status).toBe(503);
      expect(answer.json).not.toEqual(TOKEN_NOT_VALID);
      expect(JSON.stringify(answer.json)).not.toMatch(/token_not_valid|ECONNRESET/);
    } finally {
      outage.mockRestore();
    }
    expect((await post(`${base}/api/token/verify/`, JSON.stringify({ token: pair.access }))).status).toBe(200);
  });

  it('names the caller of a verified but revoked token on the record, as the proxy does', async () => {
    const pair = await loginPair('yenji100', 'kingjulien100');
    await post(`${base}/api/token/blacklist/`, JSON.stringify({ refresh: pair.refresh }), { authorization: `Bearer ${pair.access}` });
    const answer = await post(`${base}/api/token/verify/`, JSON.stringify({ token: pair.access }));
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual(TOKEN_NOT_VALID);
    expect(h.audit.events.at(-1)).toMatchObject({ decision: 'deny', user_id: h.accountIds.yenji100, role: 'doctor' });
    expect(h.audit.events.at(-1)?.reason).toMatch(/^token\.verify:/);
  });
});

describe('POST /api/token/blacklist/', () => {
  it('logs out: 200 {}, then the refresh token (and its family) is refused', async () => {
    const first = await loginPair('yenji100', 'kingjulien100');
    const second = (await post(`${base}/api/token/refresh/`, JSON.stringify({ refresh: first.refresh }))).json as Pair;
    const answer = await post(`${base}/api/token/blacklist/`, JSON.stringify({ refresh: second.refresh }), {
      authorization: `Bearer ${second.access}`,
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({});
    expect(h.audit.ofAction('logout').at(-1)).toMatchObject({ user_id: h.accountIds.yenji100, decision: 'allow' });
    const refused = await post(`${base}/api/token/refresh/`, JSON.stringify({ refresh: second.refresh }));
    expect(refused.status).toBe(401);
    // The access token shown at logout ends now rather than at expiry, and so does the one
    // the family was given at login, which was not shown.
    await expectAccessEnded(second.access);
    await expectAccessEnded(first.access);
  });

  it('a password reset ends every session of the account, access tokens included', async () => {
    const one = await loginPair('yenji100', 'kingjulien100');
    const two = await loginPair('yenji100', 'kingjulien100');
    const other = await loginPair('dr_grey', 'grey-demo-2026');
    await resetPassword(h.database.db, 'yenji100', 'a fresh passphrase 2026');
    for (const pair of [one, two]) {
      await expectAccessEnded(pair.access);
      expect((await post(`${base}/api/token/refresh/`, JSON.stringify({ refresh: pair.refresh }))).status).toBe(401);
    }
    await expectAccessWorks(other.access);
    const reasons = await h.database.db
      .selectFrom('revoked_tokens')
      .select(['jti', 'reason'])
      .where('jti', 'in', [claimsOf(one.access).jti as string, claimsOf(two.access).jti as string])
      .execute();
    expect(reasons.map((r) => r.reason)).toEqual(['password_reset', 'password_reset']);
    // The demo password back for the tests after this one, written directly: no reset gives out a published password.
    await h.database.db.updateTable('accounts').set({ password_hash: await hashPassword('kingjulien100') }).where('username', '=', 'yenji100').execute();
  });

  it('refuses a token it never issued', async () => {
    const foreign = await h.tokens.issueRefresh({ userId: h.accountIds.yenji100, role: 'doctor' }, 'not-a-family');
    const answer = await post(`${base}/api/token/blacklist/`, JSON.stringify({ refresh: foreign.token }));
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual(TOKEN_NOT_VALID);
  });
});

describe('what the token endpoints record', () => {
  const eventsOf = (requestId: string) => h.audit.events.filter((event) => event.request_id === requestId);
  let n = 0;
  const id = () => `token-audit-${++n}`;

  it('records every refusal exactly once, naming the endpoint, whether the route or the session service refused it', async () => {
    const access = (await loginPair('nurse_joy', 'joy-demo-2026')).access;
    const refusals: Array<[string, string | Buffer, Record<string, string>, number, RegExp]> = [
      ['/api/token/', JSON.stringify({ username: 'nurse_joy', password: 'joy-demo-2026' }), { origin: 'https://evil.example' }, 403, /^token\.obtain:/],
      ['/api/token/', 'username=nurse_joy', { 'content-type': 'text/plain' }, 415, /^token\.obtain:/],
      ['/api/token/', JSON.stringify({ username: 'nurse_joy' }), {}, 400, /^token\.obtain:/],
      ['/api/token/refresh/', JSON.stringify({ refresh: 'garbage' }), {}, 401, /^token\.refresh:/],
      ['/api/token/refresh/', JSON.stringify({ refresh: access }), {}, 401, /^token\.refresh:/],
      ['/api/token/blacklist/', JSON.stringify({ refresh: 'garbage' }), {}, 401, /^token\.blacklist:/],
      ['/api/token/verify/', JSON.stringify({ token: 'garbage' }), {}, 401, /^token\.verify:/],
    ];
    for (const [path, body, headers, status, reason] of refusals) {
      const requestId = id();
      const answer = await post(`${base}${path}`, body, { 'x-request-id': requestId, ...headers });
      expect(answer.status, `${path} ${JSON.stringify(headers)}`).toBe(status);
      const events = eventsOf(requestId);
      expect(events, `${path} ${JSON.stringify(headers)}`).toHaveLength(1);
      expect(events[0]).toMatchObject({ source: 'gateway', action: 'request.refused', decision: 'deny' });
      expect(events[0]?.reason).toMatch(reason);
    }
    // A wrong password is the session service's to record: once, as a failed login.
    const wrong = id();
    expect((await post(`${base}/api/token/`, JSON.stringify({ username: 'nurse_joy', password: 'not her password' }), { 'x-request-id': wrong })).status).toBe(401);
    expect(eventsOf(wrong)).toEqual([expect.objectContaining({ action: 'login.failure', reason: 'bad_password', user_id: h.accountIds.nurse_joy })]);
  });

  it("names the account whose logins are held back, and does not call a deactivated account's refresh a theft", async () => {
    for (let i = 0; i < 5; i += 1) await login('former_staff', `wrong password ${i}`);
    const held = id();
    expect((await post(`${base}/api/token/`, JSON.stringify({ username: 'former_staff', password: 'former-demo-2026' }), { 'x-request-id': held })).status).toBe(429);
    expect(eventsOf(held)).toEqual([expect.objectContaining({ action: 'login.failure', reason: 'throttled', user_id: h.accountIds.former_staff, role: 'doctor' })]);

    const pair = await loginPair('yenji100', 'kingjulien100');
    await setAccountActive(h.database.db, 'yenji100', false);
    try {
      const after = id();
      expect((await post(`${base}/api/token/refresh/`, JSON.stringify({ refresh: pair.refresh }), { 'x-request-id': after })).status).toBe(401);
      expect(eventsOf(after)).toEqual([
        expect.objectContaining({ action: 'token.refresh', decision: 'deny', reason: 'session_ended:account_deactivated', user_id: h.accountIds.yenji100 }),
      ]);
    } finally {
      await setAccountActive(h.database.db, 'yenji100', true);
    }
  });
});

describe('while the audit store is down', () => {
  it('issues and rotates no token (503, no token in the answer, none recorded), refuses as before, and works again after', async () => {
    const pair = await loginPair('nurse_joy', 'joy-demo-2026');
    const ledger = async () => (await h.database.db.selectFrom('refresh_tokens').select('jti').execute()).length;
    const before = await ledger();
    const alarms = h.audit.ofAction('token.reuse_detected').length;
    h.audit.down = true;
    try {
      const refused = await login('dr_grey', 'grey-demo-2026');
      expect(refused.status).toBe(503);
      expect(refused.json).toEqual({ detail: 'Audit log unavailable; nothing was returned' });
      const rotation = await post(`${base}/api/token/refresh/`, JSON.stringify({ refresh: pair.refresh }));
      expect(rotation.status).toBe(503);
      for (const answer of [refused, rotation]) {
        expect(answer.text).not.toMatch(/access|refresh|eyJ/);
      }
      expect(await ledger()).toBe(before);
      // A refusal is still a refusal.
      expect((await login('dr_grey', 'wrong password here')).status).toBe(401);
    } finally {
      h.audit.down = false;
    }
    // The refresh token shown while the store was down was left as it was: it rotates now, with no reuse alarm.
    const rotated = await post(`${base}/api/token/refresh/`, JSON.stringify({ refresh: pair.refresh }));
    expect(rotated.status).toBe(200);
    expect(h.audit.ofAction('token.reuse_detected')).toHaveLength(alarms);
    expect((await login('dr_grey', 'grey-demo-2026')).status).toBe(200);
  });
});

describe('what is kept', () => {
  it('never writes a password or a token to the audit log or the server log', async () => {
    const pair = await loginPair('yenji100', 'kingjulien100');
    await post(`${base}/api/token/refresh/`, JSON.stringify({ refresh: pair.refresh }));
    const audit = JSON.stringify(h.audit.events);
    const logs = h.logLines.join('\n');
    expect(logs).toContain('"route":"/api/token/"');
    for (const secret of ['kingjulien100', 'grey-demo-2026', 'joy-demo-2026', pair.access, pair.refresh, pair.access.split('.')[2] as string]) {
      expect(audit).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });
});

describe('a demo account retired for production', () => {
  // Last: p001 is retired for good.
  it("refuses its refresh token as a session ended, not as a theft", async () => {
    const pair = await loginPair('p001', 'p001-demo-2026');
    const alarms = h.audit.ofAction('token.reuse_detected').length;
    await retireDemoAccount(h.database.db, 'p001');
    const after = 'retired-demo-refresh';
    expect((await post(`${base}/api/token/refresh/`, JSON.stringify({ refresh: pair.refresh }), { 'x-request-id': after })).status).toBe(401);
    expect(h.audit.events.filter((event) => event.request_id === after)).toEqual([
      expect.objectContaining({ action: 'token.refresh', decision: 'deny', reason: 'session_ended:demo_account_retired', user_id: h.accountIds.p001 }),
    ]);
    expect(h.audit.ofAction('token.reuse_detected')).toHaveLength(alarms);
  });
});
