/**
 * POST /mcp-proxy/ in front of a real upstream: what is refused (and that the upstream never
 * hears of it), what is forwarded (bytes and headers), and how answers come back.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { TokenService } from '@secure-hospital-ai/core/tokens';
import { loadConfig } from '@secure-hospital-ai/core/config';
import { closedPortUrl, get, LARGE_ANSWER, post, startHarness, UPSTREAM_MARKER, type Harness } from './harness.js';

let h: Harness;
let proxy: string;

beforeAll(async () => {
  h = await startHarness({ env: { ALLOWED_ORIGINS: 'https://ward.example.org,http://localhost:8000' } });
  proxy = `${h.gateway.url}/mcp-proxy/`;
});

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  h.upstream.mode = 'json';
});

const CALL = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
const TOOL_CALL = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'get_patient_overview', arguments: { patient_id: 'P006' } } });

async function bearer(username: Parameters<Harness['accessToken']>[0] = 'yenji100') {
  return { authorization: `Bearer ${await h.accessToken(username)}` };
}

describe('refused before the MCP server hears of it', () => {
  /**
   * `identified`: the token verified and was refused after (revoked, identity headers that
   * disagree), so the body was read: the id is echoed and the call named on the record.
   */
  async function expectUnauthorized(headers: Record<string, string>, reason?: string, identified = false) {
    const before = h.upstream.received.length;
    const body = identified ? TOOL_CALL : CALL;
    const answer = await post(proxy, body, headers);
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm="secure-hospital-ai"/);
    expect(answer.json).toMatchObject({ jsonrpc: '2.0', id: identified ? 7 : null, error: { code: -32001 } });
    if (identified) expect(h.audit.ofAction('request.refused').at(-1)).toMatchObject({ tool: 'get_patient_overview', patient_id: 'P006', user_id: h.accountIds.yenji100 });
    expect(answer.text).not.toContain(UPSTREAM_MARKER);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(h.upstream.received.length).toBe(before);
    const refusal = h.audit.ofAction('request.refused').at(-1);
    expect(refusal).toMatchObject({ decision: 'deny', source: 'gateway', client_address: '127.0.0.1' });
    if (reason) expect(refusal?.reason).toBe(reason);
    return answer;
  }

  it('a missing token', async () => {
    const answer = await expectUnauthorized({});
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="secure-hospital-ai"');
  });

  it('a malformed header or token', async () => {
    await expectUnauthorized({ authorization: 'Basic eWVuamkxMDA6a2luZ2p1bGllbjEwMA==' });
    const answer = await expectUnauthorized({ authorization: 'Bearer not-a-jwt' });
    expect(answer.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('an expired token', async () => {
    const expired = await h.accessToken('yenji100', Math.floor(Date.now() / 1000) - 3600);
    const answer = await expectUnauthorized({ authorization: `Bearer ${expired}` });
    expect((answer.json as { error: { message: string } }).error.message).toBe('Token expired');
  });

  it('a token signed with another key', async () => {
    const other = new TokenService(loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'f'.repeat(64) }, { envFile: false }).jwt);
    const forged = await other.issueAccess({ userId: h.accountIds.yenji100, role: 'doctor' });
    await expectUnauthorized({ authorization: `Bearer ${forged.token}` });
  });

  it('a refresh token presented as an access token', async () => {
    const refresh = await h.tokens.issueRefresh({ userId: h.accountIds.yenji100, role: 'doctor' }, 'fam');
    const answer = await expectUnauthorized({ authorization: `Bearer ${refresh.token}` });
    expect((answer.json as { error: { message: string } }).error.message).toBe('Wrong token type');
  });

  it('a revoked token', async () => {
    const token = await h.accessToken('yenji100');
    const jti = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).jti as string;
    await h.database.db
      .insertInto('revoked_tokens')
      .values({ jti, account_id: Number(h.accountIds.yenji100), expires_at: new Date(Date.now() + 300_000).toISOString(), revoked_at: new Date().toISOString(), reason: 'test' })
      .execute();
    await expectUnauthorized({ authorization: `Bearer ${token}` }, 'token_revoked', true);
  });

  it('X-User-Id or X-User-Role that disagree with the token', async () => {
    await expectUnauthorized({ ...(await bearer()), 'x-user-id': h.accountIds.dr_grey }, 'x_user_id_mismatch', true);
    await expectUnauthorized({ ...(await bearer()), 'x-user-role': 'admin' }, 'x_user_role_mismatch', true);
  });

  it('a deactivated account: 403, with the record it tried named in the refusal', async () => {
    // Found by a reviewer: a former employee's attempt on P006 was missing from P006's history.
    const before = h.upstream.received.length;
    const answer = await post(proxy, TOOL_CALL, await bearer('former_staff'));
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual({ jsonrpc: '2.0', id: 7, error: { code: -32003, message: 'Account is deactivated' } });
    expect(h.upstream.received.length).toBe(before);
    expect(h.audit.ofAction('request.refused').at(-1)).toMatchObject({ reason: 'account_inactive', tool: 'get_patient_overview', patient_id: 'P006' });
  });

  it('a cookie is not a credential', async () => {
    const token = await h.accessToken('yenji100');
    await expectUnauthorized({ cookie: `access=${token}; refresh=${token}` });
  });

  it('an Origin outside ALLOWED_ORIGINS: 403, even with a good token', async () => {
    const before = h.upstream.received.length;
    const answer = await post(proxy, CALL, { ...(await bearer()), origin: 'https://evil.example' });
    expect(answer.status).toBe(403);
    expect(answer.json).toMatchObject({ error: { code: -32003, message: 'Origin not allowed' } });
    expect(h.upstream.received.length).toBe(before);
    expect(h.audit.ofAction('request.refused').at(-1)?.reason).toBe('origin_not_allowed');
    const allowed = await post(proxy, CALL, { ...(await bearer()), origin: 'https://ward.example.org' });
    expect(allowed.status).toBe(200);
    // The MCP server's rule (core/origins.ts): serialised origins compare case-insensitively.
    expect((await post(proxy, CALL, { ...(await bearer()), origin: 'HTTPS://Ward.Example.org/' })).status).toBe(200);
    for (const origin of ['https://ward.example.org.evil.example', 'http://ward.example.org', 'null']) {
      const refused = await post(proxy, CALL, { ...(await bearer()), origin });
      expect(refused.status, origin).toBe(403);
      expect(refused.text).not.toContain(UPSTREAM_MARKER);
    }
  });

  it('a body over 1 MiB by its Content-Length: 413 before authentication', async () => {
    const before = h.upstream.received.length;
    const big = Buffer.alloc(1024 * 1024 + 1, 0x20);
    const answer = await post(proxy, big, {});
    expect(answer.status).toBe(413);
    expect(answer.json).toMatchObject({ error: { code: -32600, message: 'Request body too large' } });
    expect(h.upstream.received.length).toBe(before);
  });

  it('a streamed body that grows past 1 MiB: 413', async () => {
    const before = h.upstream.received.length;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const body = Readable.from((function* () {
      for (let i = 0; i < 40; i += 1) yield chunk;
    })());
    const response = await request(proxy, { method: 'POST', headers: { 'content-type': 'application/json', ...(await bearer()) }, body });
    expect(response.statusCode).toBe(413);
    expect(await response.body.json()).toMatchObject({ error: { message: 'Request body too large' } });
    expect(h.upstream.received.length).toBe(before);
  });

  it('a body that is not JSON: 415', async () => {
    for (const headers of [{ 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }]) {
      const answer = await post(proxy, CALL, { ...(await bearer()), ...headers });
      expect(answer.status).toBe(415);
      expect(answer.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { message: 'Content-Type must be application/json' } });
    }
    const response = await request(proxy, { method: 'POST', headers: await bearer(), body: CALL });
    expect(response.statusCode).toBe(415);
    await response.body.dump();
  });

  it('past the per-account rate: 429 with Retry-After', async () => {
    const limited = await h.startGateway({ env: { RATE_LIMIT_PER_USER: '3' } });
    const headers = await bearer('nurse_joy');
    for (let i = 0; i < 3; i += 1) expect((await post(`${limited.url}/mcp-proxy/`, CALL, headers)).status).toBe(200);
    const before = h.upstream.received.length;
    const toolCall = JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'get_patient_overview', arguments: { patient_id: 'P004' } } });
    const refused = await post(`${limited.url}/mcp-proxy/`, toolCall, headers);
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ id: 9, error: { code: -32029, message: 'Too many requests' } });
    expect(Number(refused.headers['retry-after'])).toBe(20);
    expect(h.upstream.received.length).toBe(before);
    // The call it refused is named: a flood on one record shows in that record's history.
    expect(h.audit.ofAction('request.refused').at(-1)).toMatchObject({ reason: 'rate_limited', user_id: h.accountIds.nurse_joy, role: 'nurse', tool: 'get_patient_overview', patient_id: 'P004' });
    // Another account has its own allowance.
    expect((await post(`${limited.url}/mcp-proxy/`, CALL, await bearer('dr_grey'))).status).toBe(200);
    await limited.close();
  });

  it('a batch is as many tool calls as it carries: it cannot spend one call of the allowance on many', async () => {
    const limited = await h.startGateway({ env: { RATE_LIMIT_PER_USER: '5' } });
    const headers = await bearer('nurse_joy');
    const batch = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ ...JSON.parse(CALL), id: i })));
    const before = h.upstream.received.length;
    expect((await post(`${limited.url}/mcp-proxy/`, batch(4), headers)).status).toBe(200);
    const refused = await post(`${limited.url}/mcp-proxy/`, batch(2), headers);
    expect(refused.status).toBe(429);
    expect(h.upstream.received.length).toBe(before + 1);
    // One call is left of the five.
    expect((await post(`${limited.url}/mcp-proxy/`, CALL, headers)).status).toBe(200);
    await limited.close();
  });

  it('a batch longer than the MCP server takes costs one: it is refused whole and runs nothing', async () => {
    // Found by a reviewer: charged per element, a 1,300-element batch got a 429 whose
    // Retry-After could never come, and a refused 1,000-element one spent most of the minute.
    const limited = await h.startGateway({ env: { RATE_LIMIT_PER_USER: '3' } });
    const headers = await bearer('nurse_joy');
    const batch = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ ...JSON.parse(CALL), id: i })));
    for (const n of [1300, 101]) expect((await post(`${limited.url}/mcp-proxy/`, batch(n), headers)).status, String(n)).not.toBe(429);
    expect((await post(`${limited.url}/mcp-proxy/`, CALL, headers)).status).toBe(200);
    expect((await post(`${limited.url}/mcp-proxy/`, CALL, headers)).status).toBe(429);
    await limited.close();
  });

  it('GET, PUT, PATCH and DELETE: 405, as a stateless MCP server answers', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const response = await fetch(proxy, { method, headers: await bearer() });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      await response.arrayBuffer();
    }
    const answer = await get(proxy, await bearer());
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('POST');
  });
});

describe('forwarded', () => {
  it('sends the body bytes unchanged, with identity from the token', async () => {
    // Odd spacing, key order, escapes and non-ASCII: any re-encoding would change a byte.
    const body = Buffer.from('{ "params" :{"arguments":{"note":"caf\\u00e9 \u00e9\\n\u2603","n":1.50}} ,"method":"tools/call",\n"id":7,"jsonrpc":"2.0"}  ', 'utf8');
    const token = await h.accessToken('yenji100');
    const answer = await post(proxy, body, {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json; charset=utf-8',
      'x-user-id': h.accountIds.yenji100,
      'mcp-protocol-version': '2025-11-25',
      'mcp-method': 'tools/call',
      'mcp-name': 'get_patient_overview',
      'x-forwarded-for': '203.0.113.9',
      'accept-encoding': 'gzip',
    });
    expect(answer.status).toBe(200);
    const received = h.upstream.received.at(-1);
    expect(received?.url).toBe('/mcp/');
    expect(Buffer.compare(received?.body as Buffer, body)).toBe(0);
    expect(received?.headers).toMatchObject({
      authorization: `Bearer ${token}`,
      'content-type': 'application/json; charset=utf-8',
      accept: 'application/json, text/event-stream',
      'x-user-id': h.accountIds.yenji100,
      'x-user-role': 'doctor',
      'x-forwarded-for': '127.0.0.1',
      'mcp-protocol-version': '2025-11-25',
      'mcp-method': 'tools/call',
      'mcp-name': 'get_patient_overview',
    });
    expect(received?.headers.cookie).toBeUndefined();
    expect(received?.headers['accept-encoding']).toBeUndefined();
  });

  it('passes MCP headers on whatever their length, for the MCP server to judge', async () => {
    const long = `get_patient_overview${'x'.repeat(300)}`;
    const answer = await post(proxy, CALL, { ...(await bearer()), 'mcp-name': long, 'mcp-method': 'tools/call' });
    expect(answer.status).toBe(200); // the stub upstream answers; the real MCP server refuses the mismatch (400)
    expect(h.upstream.received.at(-1)?.headers['mcp-name']).toBe(long);
  });

  it("sends an Accept the MCP transport takes, framed as the client asked", async () => {
    const cases: Array<[string | undefined, string]> = [
      [undefined, 'application/json, text/event-stream'],
      ['*/*', 'application/json, text/event-stream'],
      ['application/json', 'application/json, text/event-stream'],
      ['text/event-stream', 'text/event-stream'],
      ['application/json;q=0, text/event-stream', 'text/event-stream'],
      // One the transport would refuse (406): the design note's clients still get JSON.
      ['text/html', 'application/json, text/event-stream'],
    ];
    for (const [accept, forwarded] of cases) {
      const answer = await post(proxy, CALL, { ...(await bearer()), ...(accept !== undefined && { accept }) });
      expect(answer.status, String(accept)).toBe(200);
      expect(h.upstream.received.at(-1)?.headers.accept, String(accept)).toBe(forwarded);
    }
  });

  it('behind TRUST_PROXY, takes the client address from the one trusted hop only', async () => {
    const behindProxy = await h.startGateway({ env: { TRUST_PROXY: 'true' } });
    // The client forged the first entry; the proxy appended the address it really saw.
    const answer = await post(`${behindProxy.url}/mcp-proxy/`, CALL, { ...(await bearer()), 'x-forwarded-for': '10.9.9.9, 198.51.100.7' });
    expect(answer.status).toBe(200);
    expect(h.upstream.received.at(-1)?.headers['x-forwarded-for']).toBe('198.51.100.7');
    await behindProxy.close();
  });

  it('keeps a sane X-Request-Id and traceparent, replaces insane ones', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const kept = await post(proxy, CALL, { ...(await bearer()), 'x-request-id': 'client-req.42', traceparent });
    expect(kept.headers['x-request-id']).toBe('client-req.42');
    expect(h.upstream.received.at(-1)?.headers).toMatchObject({ 'x-request-id': 'client-req.42', traceparent });

    const replaced = await post(proxy, CALL, { ...(await bearer()), 'x-request-id': 'bad id <script>', traceparent: 'nonsense' });
    const sent = h.upstream.received.at(-1)?.headers as Record<string, string>;
    expect(sent['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(replaced.headers['x-request-id']).toBe(sent['x-request-id']);
    expect(sent.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  });

  it('relays the answer with its status, body and end-to-end headers only', async () => {
    const answer = await post(proxy, CALL, await bearer());
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ jsonrpc: '2.0', id: 1, result: { marker: UPSTREAM_MARKER } });
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers['mcp-protocol-version']).toBe('2025-11-25');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(answer.headers['x-upstream-private']).toBeUndefined();
    expect(answer.headers['keep-alive']).not.toBe('timeout=5');

    h.upstream.mode = 'forbidden';
    const refused = await post(proxy, CALL, await bearer());
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32003, message: 'Forbidden' } });
  });

  it('pipes a large answer through unchanged', async () => {
    h.upstream.mode = 'large';
    const response = await request(proxy, { method: 'POST', headers: { 'content-type': 'application/json', ...(await bearer()) }, body: CALL });
    expect(response.statusCode).toBe(200);
    expect(Number(response.headers['content-length'])).toBe(LARGE_ANSWER.length);
    const relayed = Buffer.from(await response.body.arrayBuffer());
    expect(Buffer.compare(relayed, LARGE_ANSWER)).toBe(0);
  });

  it('answers on /mcp-proxy without the slash too', async () => {
    expect((await post(`${h.gateway.url}/mcp-proxy`, CALL, await bearer())).status).toBe(200);
  });

  it('relays text/event-stream as a stream, event by event', async () => {
    h.upstream.mode = 'sse';
    const response = await request(proxy, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await bearer()) },
      body: CALL,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream');
    const chunks: string[] = [];
    const iterator = response.body[Symbol.asyncIterator]();
    // The first event must arrive while the upstream still holds back the second one.
    const first = await Promise.race([
      iterator.next(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('first event was not relayed before the stream ended')), 3_000)),
    ]);
    chunks.push(Buffer.from(first.value as Buffer).toString('utf8'));
    expect(chunks[0]).toContain('notifications/progress');
    h.upstream.releaseSecondEvent();
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) chunks.push(Buffer.from(next.value as Buffer).toString('utf8'));
    expect(chunks.join('')).toContain(UPSTREAM_MARKER);
  });
});

describe('upstream failures', () => {
  it('502 when the MCP server cannot be reached', async () => {
    const down = await h.startGateway({ upstreamUrl: await closedPortUrl() });
    const answer = await post(`${down.url}/mcp-proxy/`, CALL, await bearer());
    expect(answer.status).toBe(502);
    // The request's own id, so the client can match the error to its call.
    expect(answer.json).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32002, message: 'MCP server unreachable' } });
    // A batch has no single id to give.
    const batch = await post(`${down.url}/mcp-proxy/`, `[${CALL}]`, await bearer());
    expect(batch.json).toMatchObject({ id: null, error: { code: -32002 } });
    await down.close();
  });

  it('502 when the MCP server drops the connection', async () => {
    h.upstream.mode = 'reset';
    const answer = await post(proxy, CALL, await bearer());
    expect(answer.status).toBe(502);
    expect(answer.json).toMatchObject({ error: { code: -32002 } });
  });

  it('502 with a clean body when the MCP server hangs up in the middle of its answer', async () => {
    h.upstream.mode = 'truncated';
    const answer = await post(proxy, CALL, await bearer());
    expect(answer.status).toBe(502);
    expect(answer.json).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32002, message: 'MCP server unreachable' } });
  });

  it('504 when the MCP server takes longer than the timeout', async () => {
    const slow = await h.startGateway({ upstreamTimeoutMs: 300 });
    h.upstream.mode = 'sleep';
    // Far beyond the timeout, so the bound below tells "gave up at the timeout" from "waited for
    // the answer" with seconds to spare on a loaded CI machine.
    h.upstream.sleepMs = 6_000;
    const started = Date.now();
    const answer = await post(`${slow.url}/mcp-proxy/`, CALL, await bearer());
    expect(answer.status).toBe(504);
    expect(answer.json).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32002, message: 'MCP server timed out' } });
    expect(Date.now() - started).toBeLessThan(4_000);
    await slow.close();
  });
});
