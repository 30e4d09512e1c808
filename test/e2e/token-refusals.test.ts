/**
 * Every token refusal SPEC lists, at both hops of the real system: the gateway's proxy and
 * the MCP server directly (which trusts nothing the gateway did). Each refusal must leak no
 * patient data and leave an audit event.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAccountActive } from '@secure-hospital-ai/core/accounts';
import { auditDb } from '@secure-hospital-ai/core/audit/tables';
import { nowSeconds } from '@secure-hospital-ai/core/tokens';
import { DEMO, login, rpc, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let patientValues: string[];
const overview = rpc('tools/call', { name: 'get_patient_overview', arguments: { patient_id: 'P001' } });

beforeAll(async () => {
  stack = await startStack();
  const p = await stack.database.db.selectFrom('patients').selectAll().where('id', '=', 'P001').executeTakeFirstOrThrow();
  patientValues = [p.family_name, p.given_name, p.mrn, p.ssn ?? '', p.birth_date, p.phone ?? ''].filter((v) => v.length > 3);
});
afterAll(async () => {
  await stack?.close();
});

function sign(claims: Record<string, unknown>, key: string, alg = 'HS256'): string {
  const input = `${Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

async function yenjiId(): Promise<number> {
  const row = await stack.database.db.selectFrom('accounts').select('id').where('username', '=', 'yenji100').executeTakeFirstOrThrow();
  return row.id;
}

async function post(url: string, headers: Record<string, string>, body = overview) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function lastSeq(): Promise<number> {
  const row = await auditDb(stack.database).selectFrom('audit_events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
  return Number(row?.seq ?? 0);
}

async function eventsAfter(seq: number) {
  return auditDb(stack.database)
    .selectFrom('audit_events')
    .select(['action', 'source', 'decision', 'reason', 'user_id', 'role', 'tool', 'patient_id'])
    .where('seq', '>', seq)
    .orderBy('seq')
    .execute();
}

function expectNoPatientData(text: string): void {
  for (const value of patientValues) expect(text).not.toContain(value);
  expect(text).not.toContain('structuredContent');
}

describe('token refusals at both hops', () => {
  // The last column: whether the refusal's audit event names the caller. Only a token that
  // verified proves who sent it; a forged or broken one names nobody, whatever it claims.
  const cases: Array<[string, () => Promise<Record<string, string>>, number, 'named' | 'nobody']> = [
    ['no Authorization header', async () => ({}), 401, 'nobody'],
    ['a malformed token', async () => ({ authorization: 'Bearer not.a.jwt' }), 401, 'nobody'],
    ['a token signed with another key', async () => ({ authorization: `Bearer ${sign({ token_type: 'access', exp: nowSeconds() + 60, jti: 'x1', user_id: await yenjiId(), role: 'doctor' }, randomBytes(32).toString('hex'))}` }), 401, 'nobody'],
    ['an expired token', async () => ({ authorization: `Bearer ${sign({ token_type: 'access', exp: nowSeconds() - 120, jti: 'x2', user_id: await yenjiId(), role: 'doctor' }, stack.config.jwt.secret as string)}` }), 401, 'nobody'],
    ['an alg:none token', async () => {
      const input = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ token_type: 'access', exp: nowSeconds() + 60, jti: 'x3', user_id: await yenjiId(), role: 'doctor' })).toString('base64url')}`;
      return { authorization: `Bearer ${input}.` };
    }, 401, 'nobody'],
    ['a refresh token presented as access', async () => ({ authorization: `Bearer ${(await login(stack.gatewayUrl, 'yenji100', DEMO.yenji100)).refresh}` }), 401, 'nobody'],
    ['X-User-Role that disagrees with the token', async () => ({ authorization: `Bearer ${(await login(stack.gatewayUrl, 'yenji100', DEMO.yenji100)).access}`, 'x-user-role': 'admin' }), 401, 'named'],
    ['X-User-Id that disagrees with the token', async () => ({ authorization: `Bearer ${(await login(stack.gatewayUrl, 'yenji100', DEMO.yenji100)).access}`, 'x-user-id': '1' === String(await yenjiId()) ? '2' : '1' }), 401, 'named'],
  ];

  for (const [name, headersFor, status, caller] of cases) {
    it(`refuses ${name}, and audits it naming ${caller === 'named' ? 'the caller the token proved' : 'nobody'}`, async () => {
      for (const [hop, url] of stack.hops) {
        const before = await lastSeq();
        const answer = await post(url, await headersFor());
        expect(answer.status, `${hop}: ${answer.text}`).toBe(status);
        expect(answer.headers.get('www-authenticate'), hop).toMatch(/^Bearer/);
        expectNoPatientData(answer.text);
        const body = JSON.parse(answer.text);
        expect(body.error.code, hop).toBe(-32001);
        const refusals = (await eventsAfter(before)).filter((event) => event.action === 'request.refused');
        expect(refusals, `${hop} audits the refusal`).toHaveLength(1);
        expect(refusals[0]!.source).toBe(hop);
        // A caller the token proved also has the call they tried named: their body was read.
        const named =
          caller === 'named'
            ? { user_id: String(await yenjiId()), role: 'doctor', tool: 'get_patient_overview', patient_id: 'P001' }
            : { user_id: null, role: null, tool: null, patient_id: null };
        expect(refusals[0], hop).toMatchObject({ decision: 'deny', ...named });
      }
    });
  }

  it('a deactivated account is refused at login, and its live token at both hops (403)', async () => {
    const login401 = await fetch(`${stack.gatewayUrl}/api/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'former_staff', password: DEMO.former_staff }),
    });
    expect(login401.status).toBe(401);
    expect(await login401.text()).not.toContain('access');

    const { access } = await login(stack.gatewayUrl, 'yenji100', DEMO.yenji100);
    await setAccountActive(stack.database.db, 'yenji100', false);
    try {
      for (const [hop, url] of stack.hops) {
        const before = await lastSeq();
        const answer = await post(url, { authorization: `Bearer ${access}` });
        expect(answer.status, hop).toBe(403);
        expectNoPatientData(answer.text);
        const refusals = (await eventsAfter(before)).filter((event) => event.action === 'request.refused');
        expect(refusals, hop).toHaveLength(1);
        // Found by a reviewer: the record a deactivated account tried was missing from the event.
        expect(refusals[0], hop).toMatchObject({ source: hop, reason: 'account_inactive', user_id: String(await yenjiId()), role: 'doctor', tool: 'get_patient_overview', patient_id: 'P001' });
      }
    } finally {
      await setAccountActive(stack.database.db, 'yenji100', true);
    }
    // Deactivation ended the account's sessions, so the reactivated account starts clean: the
    // old token stays refused, and a new login works.
    const again = await post(`${stack.gatewayUrl}/mcp-proxy/`, { authorization: `Bearer ${access}` });
    expect(again.status).toBe(401);
    expectNoPatientData(again.text);
    const fresh = await login(stack.gatewayUrl, 'yenji100', DEMO.yenji100);
    expect((await post(`${stack.gatewayUrl}/mcp-proxy/`, { authorization: `Bearer ${fresh.access}` })).status).toBe(200);
  });

  it('a logged-out refresh token cannot mint new access tokens', async () => {
    const { refresh } = await login(stack.gatewayUrl, 'nurse_joy', DEMO.nurse_joy);
    const out = await fetch(`${stack.gatewayUrl}/api/token/blacklist/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh }) });
    expect(out.status).toBe(200);
    const refreshed = await fetch(`${stack.gatewayUrl}/api/token/refresh/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh }) });
    expect(refreshed.status).toBe(401);
  });
});

describe('the MCP server alone', () => {
  it('records a tools/call sent without an id with its caller, tool and patient, through either hop, and runs nothing', async () => {
    const { access } = await login(stack.gatewayUrl, 'yenji100', DEMO.yenji100);
    const notification = JSON.stringify({ jsonrpc: '2.0', method: 'tools/call', params: { name: 'get_patient_overview', arguments: { patient_id: 'P001' } } });
    for (const [hop, url] of stack.hops) {
      const before = await lastSeq();
      const answer = await post(url, { authorization: `Bearer ${access}` }, notification);
      expect(answer.status, hop).toBe(400);
      expectNoPatientData(answer.text);
      const events = await auditDb(stack.database).selectFrom('audit_events').select(['action', 'decision', 'reason', 'user_id', 'tool', 'patient_id']).where('seq', '>', before).execute();
      expect(events, hop).toEqual([
        { action: 'request.refused', decision: 'deny', reason: 'tools_call_without_id', user_id: String(await yenjiId()), tool: 'get_patient_overview', patient_id: 'P001' },
      ]);
    }
  });

  it('answers GET and DELETE with 405 and never issues a session id', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(stack.mcpUrl, { method });
      expect(response.status).toBe(405);
      expect(response.headers.get('mcp-session-id')).toBeNull();
    }
  });

  it('answers a request with only Content-Type: application/json in JSON', async () => {
    const { access } = await login(stack.gatewayUrl, 'yenji100', DEMO.yenji100);
    const response = await fetch(stack.mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${access}` }, body: rpc('ping') });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
  });

  it('keeps serving after bad input', async () => {
    const { access } = await login(stack.gatewayUrl, 'yenji100', DEMO.yenji100);
    for (const body of ['{', '[]', '{"jsonrpc":"2.0"}', '\u0000\u0001', 'x'.repeat(2 * 1024 * 1024)]) {
      const response = await fetch(stack.mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${access}` }, body });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(await response.text()).not.toMatch(/\n\s+at /);
    }
    const ok = await post(stack.mcpUrl, { authorization: `Bearer ${access}` });
    expect(ok.status).toBe(200);
  });
});
