/**
 * The transport's HTTP contract, byte by byte with fetch: status codes, headers and JSON-RPC
 * bodies for the happy path and for every refusal the SPEC names.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_ORIGIN, GOOD_TOKEN, PRINCIPAL, startTestServer, type TestServer } from './fixture.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  server.seen.length = 0;
  server.refused.length = 0;
  server.toolRuns.length = 0;
});

const SDK_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${GOOD_TOKEN}` };
const MODERN_META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
};

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function send(init: { method?: string; body?: string | Uint8Array; headers?: Record<string, string>; url?: string }): Promise<Answer> {
  const response = await fetch(init.url ?? server.url, {
    method: init.method ?? 'POST',
    headers: init.headers ?? SDK_HEADERS,
    ...(init.body !== undefined && { body: init.body }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  // Stateless: no answer, good or bad, ever opens a session.
  expect(response.headers.get('mcp-session-id')).toBeNull();
  expect(response.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
  return { status: response.status, headers: response.headers, text, json };
}

function post(message: unknown, headers: Record<string, string> = SDK_HEADERS): Promise<Answer> {
  return send({ body: JSON.stringify(message), headers });
}

const echoCall = (id: number | string, patientId = 'P001') => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'echo_patient', arguments: { patient_id: patientId } },
});

describe('happy paths', () => {
  it('answers a request with only Content-Type (no Accept) in JSON', async () => {
    const answer = await post(echoCall(1), { 'content-type': 'application/json', authorization: `Bearer ${GOOD_TOKEN}` });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.json).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: {
        content: [{ type: 'text', text: JSON.stringify({ patient_id: 'P001', seen_by: PRINCIPAL.userId }) }],
        structuredContent: { patient_id: 'P001', seen_by: PRINCIPAL.userId },
      },
    });
  });

  it('serves both /mcp/ and /mcp, and accepts a charset parameter', async () => {
    const answer = await send({
      url: server.url.replace(/\/$/, ''),
      body: JSON.stringify({ jsonrpc: '2.0', id: 'p', method: 'ping' }),
      headers: { ...SDK_HEADERS, 'content-type': 'application/json; charset=utf-8' },
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ jsonrpc: '2.0', id: 'p', result: {} });
  });

  it("accepts the design note's dotted aliases tools.list and tools.call", async () => {
    const list = await post({ jsonrpc: '2.0', id: 1, method: 'tools.list' });
    expect(list.json.result.tools.map((tool: { name: string }) => tool.name)).toEqual(['echo_patient', 'forbidden_tool']);
    const call = await post({ ...echoCall(2, 'P004'), method: 'tools.call' });
    expect(call.status).toBe(200);
    expect(call.json.result.structuredContent).toEqual({ patient_id: 'P004', seen_by: PRINCIPAL.userId });
    expect(server.toolRuns.map((run) => run.name)).toEqual(['echo_patient']);
  });

  it('answers as a single SSE event when Accept lists only text/event-stream', async () => {
    const answer = await post(echoCall(3), { ...SDK_HEADERS, accept: 'text/event-stream' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/event-stream');
    const events = answer.text.split('\n\n').filter((chunk) => chunk !== '');
    expect(events).toHaveLength(1);
    const [eventLine, dataLine] = events[0]!.split('\n');
    expect(eventLine).toBe('event: message');
    expect(JSON.parse(dataLine!.slice('data: '.length))).toMatchObject({ jsonrpc: '2.0', id: 3, result: { structuredContent: { patient_id: 'P001' } } });
  });

  it('negotiates initialize: echoes a supported version, offers its latest otherwise', async () => {
    const params = { capabilities: {}, clientInfo: { name: 'raw', version: '1' } };
    const older = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { ...params, protocolVersion: '2025-06-18' } });
    expect(older.json.result).toMatchObject({ protocolVersion: '2025-06-18', capabilities: { tools: { listChanged: false } }, serverInfo: { name: 'test-hospital' } });
    const future = await post({ jsonrpc: '2.0', id: 2, method: 'initialize', params: { ...params, protocolVersion: '2099-01-01' } });
    expect(future.json.result.protocolVersion).toBe('2025-11-25');
    expect(typeof future.json.result.instructions).toBe('string');
  });

  it('answers a notification with 202 and no body', async () => {
    const answer = await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(answer.status).toBe(202);
    expect(answer.text).toBe('');
  });

  it('answers a batch in order, skipping notifications', async () => {
    const answer = await post([
      { jsonrpc: '2.0', id: 'a', method: 'ping' },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      echoCall('b', 'P002'),
      { jsonrpc: '2.0', id: 'c', method: 'no/such' },
      { jsonrpc: '2.0', id: 'd', method: 'tools/call', params: { name: 'forbidden_tool', arguments: {} } },
      { jsonrpc: '1.0', id: 'e', method: 'ping' },
    ]);
    expect(answer.status).toBe(200);
    expect(answer.json.map((response: { id: unknown }) => response.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(answer.json[0].result).toEqual({});
    expect(answer.json[1].result.structuredContent.patient_id).toBe('P002');
    expect(answer.json[2].error.code).toBe(-32601);
    expect(answer.json[3].error).toEqual({ code: -32003, message: 'Forbidden' });
    expect(answer.json[4].error.code).toBe(-32600);
  });

  it('answers a batch of notifications only with 202', async () => {
    const answer = await post([{ jsonrpc: '2.0', method: 'notifications/initialized' }, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } }]);
    expect(answer.status).toBe(202);
  });

  it('refuses a tools/call sent without an id (400), runs nothing, and reports the refusal, alone or in a batch', async () => {
    for (const method of ['tools/call', 'tools.call']) {
      const answer = await post({ jsonrpc: '2.0', method, params: { name: 'echo_patient', arguments: { patient_id: 'P001' } } });
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request', data: { detail: 'tools/call is a request: it needs an id' } } });
      expect(answer.text).not.toContain('P001');
    }
    const refused = { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request', data: { detail: 'tools/call is a request: it needs an id' } } };
    const batch = await post([{ jsonrpc: '2.0', method: 'tools/call', params: { name: 'echo_patient', arguments: { patient_id: 'P002' } } }, { jsonrpc: '2.0', id: 'x', method: 'ping' }]);
    expect(batch.status).toBe(200);
    expect(batch.json).toEqual([refused, { jsonrpc: '2.0', id: 'x', result: {} }]);
    // Alone in its batch, it is still answered: never a silent 202.
    const alone = await post([{ jsonrpc: '2.0', method: 'tools/call', params: { name: 'echo_patient', arguments: { patient_id: 'P002' } } }]);
    expect(alone.status).toBe(200);
    expect(alone.json).toEqual([refused]);
    expect(server.toolRuns).toEqual([]);
    // Each on the record with the caller, the tool it named and its patient.
    expect(server.refused.map((info) => [info.error.internalReason, info.principal, info.tool, info.patientId])).toEqual([
      ['tools_call_without_id', PRINCIPAL, 'echo_patient', 'P001'],
      ['tools_call_without_id', PRINCIPAL, 'echo_patient', 'P001'],
      ['tools_call_without_id', PRINCIPAL, 'echo_patient', 'P002'],
      ['tools_call_without_id', PRINCIPAL, 'echo_patient', 'P002'],
    ]);
  });

  it('speaks revision 2026-07-28 to an enveloped request: resultType, cache fields, serverInfo', async () => {
    const headers = { ...SDK_HEADERS, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' };
    const list = await post({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: MODERN_META } }, headers);
    expect(list.status).toBe(200);
    expect(list.json.result).toMatchObject({
      resultType: 'complete',
      ttlMs: 0,
      cacheScope: 'private',
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'test-hospital', version: '9.9.9' } },
    });
    const discover = await post({ jsonrpc: '2.0', id: 2, method: 'server/discover', params: { _meta: MODERN_META } }, { ...headers, 'mcp-method': 'server/discover' });
    expect(discover.json.result).toMatchObject({ resultType: 'complete', supportedVersions: ['2026-07-28'], capabilities: { tools: { listChanged: false } } });
    const call = await post(
      { ...echoCall(3), params: { ...echoCall(3).params, _meta: MODERN_META } },
      { ...headers, 'mcp-method': 'tools/call', 'mcp-name': 'echo_patient' },
    );
    expect(call.json.result).toMatchObject({ resultType: 'complete', structuredContent: { patient_id: 'P001' } });
  });

  it('keeps a sane X-Request-Id, replaces one that is not, and hands it to the tool', async () => {
    const kept = await post(echoCall(1), { ...SDK_HEADERS, 'x-request-id': 'req-123.abc:9' });
    expect(kept.headers.get('x-request-id')).toBe('req-123.abc:9');
    expect(server.toolRuns[0]!.ctx.requestId).toBe('req-123.abc:9');
    const replaced = await post(echoCall(2), { ...SDK_HEADERS, 'x-request-id': 'bad id<script>' });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.toolRuns[1]!.ctx).toMatchObject({ requestId: replaced.headers.get('x-request-id'), clientAddress: '127.0.0.1', principal: PRINCIPAL });
  });
});

describe('refusals', () => {
  it('answers GET, DELETE and PUT with 405 and Allow: POST', async () => {
    for (const method of ['GET', 'DELETE', 'PUT']) {
      const answer = await send({ method, headers: { authorization: `Bearer ${GOOD_TOKEN}`, accept: 'text/event-stream' } });
      expect(answer.status, method).toBe(405);
      expect(answer.headers.get('allow')).toBe('POST');
    }
  });

  it('refuses a foreign Origin with 403 before anything runs, and lets the allowed one through', async () => {
    const refused = await post(echoCall(1), { ...SDK_HEADERS, origin: 'http://evil.example' });
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32003, message: 'Origin not allowed' } });
    expect(server.toolRuns).toEqual([]);
    expect(server.refused.map((info) => info.error.code)).toEqual(['ERR_ORIGIN']);

    const allowed = await post(echoCall(2), { ...SDK_HEADERS, origin: ALLOWED_ORIGIN });
    expect(allowed.status).toBe(200);
    expect(server.toolRuns).toHaveLength(1);
  });

  it('answers a missing or bad token with 401, a Bearer challenge and no tool output', async () => {
    const { authorization: _omitted, ...noToken } = SDK_HEADERS;
    for (const headers of [noToken, { ...SDK_HEADERS, authorization: 'Bearer forged' }]) {
      const answer = await post(echoCall(1), headers);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="secure-hospital-ai"/);
      expect(answer.json).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Invalid token' } });
      expect(answer.text).not.toContain('P001');
    }
    // Every POST needs the token, notifications and the handshake included.
    expect((await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, noToken)).status).toBe(401);
    expect((await post({ jsonrpc: '2.0', id: 1, method: 'ping' }, noToken)).status).toBe(401);
    expect(server.toolRuns).toEqual([]);
    expect(server.seen).toEqual([]);
    expect(server.refused.every((info) => info.error.code === 'ERR_TOKEN_INVALID' && info.principal === undefined)).toBe(true);
  });

  it('answers 406 when Accept allows neither JSON nor SSE', async () => {
    const answer = await post(echoCall(1), { ...SDK_HEADERS, accept: 'text/html' });
    expect(answer.status).toBe(406);
    expect(server.toolRuns).toEqual([]);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const answer = await send({ body: 'ping', headers: { ...SDK_HEADERS, 'content-type': 'text/plain' } });
    expect(answer.status).toBe(415);
    expect(answer.json.error).toEqual({ code: -32600, message: 'Content-Type must be application/json' });
    expect(server.refused.map((info) => info.error.code)).toEqual(['ERR_UNSUPPORTED_MEDIA']);
    expect(server.refused[0]!.principal).toEqual(PRINCIPAL);
  });

  it('answers 413 for a body over 1 MiB', async () => {
    const big = JSON.stringify({ ...echoCall(1), params: { name: 'echo_patient', arguments: { patient_id: 'x'.repeat(1024 * 1024) } } });
    const answer = await send({ body: big });
    expect(answer.status).toBe(413);
    expect(answer.json.error.message).toBe('Request body too large');
    expect(server.toolRuns).toEqual([]);
  });

  it('answers 400 / -32700 for invalid JSON and 400 / -32600 for an invalid envelope', async () => {
    const parse = await send({ body: '{"jsonrpc": "2.0", "id": 1, "method": ' });
    expect(parse.status).toBe(400);
    expect(parse.json).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    const empty = await send({ body: '' });
    expect(empty.status).toBe(400);
    // Bytes that are not UTF-8, and a byte-order mark: parse errors, not text with U+FFFD in
    // their place (a reviewer's note was stored as "BP ��� 120/80"), and nothing runs.
    const call = Buffer.from(JSON.stringify({ ...echoCall(9), params: { name: 'echo_patient', arguments: { patient_id: 'P001', note: 'BP @@ 120/80' } } }));
    const at = call.indexOf('@@');
    call[at] = 0xff;
    call[at + 1] = 0xfe;
    for (const body of [call, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(echoCall(10)))])]) {
      const refused = await send({ body });
      expect(refused.status).toBe(400);
      expect(refused.json).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    }
    expect(server.toolRuns).toEqual([]);
    // An id that lost digits in parsing cannot be answered as sent (JSON-RPC 2.0 §5): refused, not echoed changed.
    for (const body of ['{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}', '{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"ping"}']) {
      const refused = await send({ body });
      expect(refused.status, body).toBe(400);
      expect(refused.json).toMatchObject({ id: null, error: { code: -32600 } });
    }
    expect((await send({ body: '{"jsonrpc":"2.0","id":9007199254740991,"method":"ping"}' })).json).toMatchObject({ id: 9007199254740991, result: {} });
    for (const message of [{ jsonrpc: '1.0', id: 7, method: 'ping' }, { jsonrpc: '2.0', id: 7, method: 42 }, { jsonrpc: '2.0', id: 7, method: 'ping', params: 'x' }, 'ping', []]) {
      const answer = await post(message);
      expect(answer.status, JSON.stringify(message)).toBe(400);
      expect(answer.json.error.code).toBe(-32600);
    }
    const withId = await post({ jsonrpc: '1.0', id: 7, method: 'ping' });
    expect(withId.json.id).toBe(7);
  });

  it('answers an unknown method with 200 / -32601', async () => {
    const answer = await post({ jsonrpc: '2.0', id: 9, method: 'resources/list' });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ jsonrpc: '2.0', id: 9, error: { code: -32601, message: 'Method not found' } });
  });

  it('answers malformed tools/call params with 200 / -32602 and runs nothing', async () => {
    for (const params of [{ arguments: {} }, { name: 'echo_patient', arguments: ['P001'] }, { name: 7 }]) {
      const answer = await post({ jsonrpc: '2.0', id: 5, method: 'tools/call', params });
      expect(answer.status).toBe(200);
      expect(answer.json.error.code).toBe(-32602);
    }
    expect(server.toolRuns).toEqual([]);
  });

  it('stops running a batch once its answer reaches its budget: the rest are refused in-band and audited', async () => {
    const calls = Array.from({ length: 10 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'big_answer', arguments: {} } }));
    const answer = await post(calls);
    expect(answer.status).toBe(200);
    const answers = answer.json as Array<{ id: number; result?: unknown; error?: { code: number; message: string } }>;
    expect(answers.map((a) => a.id).sort((a, b) => a - b)).toEqual(calls.map((c) => c.id));
    const notRun = answers.filter((a) => a.error !== undefined);
    expect(notRun.length).toBeGreaterThan(0);
    for (const refusal of notRun) expect(refusal.error).toMatchObject({ code: -32600, message: 'Answer too large' });
    expect(server.toolRuns).toHaveLength(10 - notRun.length);
    expect(server.refused.filter((r) => r.error.code === 'ERR_ANSWER_TOO_LARGE')).toHaveLength(notRun.length);
    expect(answer.text.length).toBeLessThan(16 * 1024 * 1024 + 4 * 6_100_000);
  });

  it('answers a backend refusal on a single request with its own status (403 / -32003)', async () => {
    const answer = await post({ jsonrpc: '2.0', id: 'f', method: 'tools/call', params: { name: 'forbidden_tool', arguments: {} } });
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual({ jsonrpc: '2.0', id: 'f', error: { code: -32003, message: 'Forbidden' } });
    expect(answer.headers.get('www-authenticate')).toBeNull();
  });

  it('turns an unexpected exception into -32603 without leaking its text', async () => {
    const answer = await post({ jsonrpc: '2.0', id: 'x', method: 'tools/call', params: { name: 'crash', arguments: {} } });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ jsonrpc: '2.0', id: 'x', error: { code: -32603, message: 'Internal error' } });
    expect(answer.text).not.toMatch(/secret|password|stack/);
  });

  it('refuses Mcp-Method and Mcp-Name headers that disagree with the body (400), running nothing', async () => {
    const method = await post(echoCall(1), { ...SDK_HEADERS, 'mcp-method': 'tools/list' });
    expect(method.status).toBe(400);
    expect(method.json).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: -32020, message: 'Header mismatch' } });
    const name = await post(echoCall(2), { ...SDK_HEADERS, 'mcp-method': 'tools/call', 'mcp-name': 'forbidden_tool' });
    expect(name.status).toBe(400);
    // A Base64-sentinel name that decodes to the body's name is a match.
    const encoded = `=?base64?${Buffer.from('echo_patient').toString('base64')}?=`;
    const ok = await post(echoCall(3), { ...SDK_HEADERS, 'mcp-method': 'tools/call', 'mcp-name': encoded });
    expect(ok.status).toBe(200);
    expect(server.toolRuns).toHaveLength(1);
    expect(server.refused.map((info) => info.error.code)).toEqual(['ERR_HEADER_MISMATCH', 'ERR_HEADER_MISMATCH']);
  });

  it('refuses an unsupported MCP-Protocol-Version header and a header that contradicts the envelope (400)', async () => {
    const unsupported = await post({ jsonrpc: '2.0', id: 1, method: 'ping' }, { ...SDK_HEADERS, 'mcp-protocol-version': '1900-01-01' });
    expect(unsupported.status).toBe(400);
    expect(unsupported.json.error.data).toMatchObject({ requested: '1900-01-01', supported: expect.arrayContaining(['2025-11-25', '2026-07-28']) });
    const contradicting = await post(
      { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: MODERN_META } },
      { ...SDK_HEADERS, 'mcp-protocol-version': '2025-11-25' },
    );
    expect(contradicting.status).toBe(400);
    const unknownEnvelope = await post({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: { _meta: { ...MODERN_META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } } });
    expect(unknownEnvelope.status).toBe(400);
    expect(unknownEnvelope.json.error.data.requested).toBe('2099-01-01');
  });

  it('refuses a 2026-07-28 request with an incomplete envelope (400 / -32602)', async () => {
    const headers = { ...SDK_HEADERS, 'mcp-protocol-version': '2026-07-28' };
    const noEnvelope = await post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, headers);
    expect(noEnvelope.status).toBe(400);
    expect(noEnvelope.json.error.code).toBe(-32602);
    const noCapabilities = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } } }, headers);
    expect(noCapabilities.status).toBe(400);
    const initialize = await post({ jsonrpc: '2.0', id: 3, method: 'initialize', params: { protocolVersion: '2026-07-28', _meta: MODERN_META } }, headers);
    expect(initialize.json.error.code).toBe(-32601);
  });

  it('refuses batches from a 2026-07-28 client and oversized batches', async () => {
    const modern = await post([{ jsonrpc: '2.0', id: 1, method: 'ping' }], { ...SDK_HEADERS, 'mcp-protocol-version': '2026-07-28' });
    expect(modern.status).toBe(400);
    const enveloped = await post([{ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: MODERN_META } }]);
    expect(enveloped.status).toBe(200);
    expect(enveloped.json[0].error.code).toBe(-32600);
    const huge = await post(Array.from({ length: 101 }, (_, index) => ({ jsonrpc: '2.0', id: index, method: 'ping' })));
    expect(huge.status).toBe(400);
  });

  it('keeps serving after a run of bad input', async () => {
    const garbage = [
      send({ body: new Uint8Array([0xff, 0xfe, 0x00, 0x7b]) }),
      send({ body: '{"a":'.repeat(10_000) }),
      send({ body: 'null' }),
      send({ body: '[[[]]]' }),
      post({ jsonrpc: '2.0', id: {}, method: 'ping' }),
      post({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo_patient', arguments: null } }),
    ];
    const statuses = (await Promise.all(garbage)).map((answer) => answer.status);
    expect(statuses.every((status) => status === 400 || status === 200)).toBe(true);
    const answer = await post(echoCall(99, 'P010'));
    expect(answer.status).toBe(200);
    expect(answer.json.result.structuredContent.patient_id).toBe('P010');
  });
});
