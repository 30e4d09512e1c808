/**
 * A tool call's framing is the client's choice, directly and through the proxy alike: JSON
 * for a client that takes JSON or says nothing, one server-sent event for a client that takes
 * only event streams (MCP Streamable HTTP). Both real servers, over loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, login, rpc, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let access: string;
const overview = rpc('tools/call', { name: 'get_patient_overview', arguments: { patient_id: 'P001' } }, 'framing-1');

beforeAll(async () => {
  stack = await startStack();
  access = (await login(stack.gatewayUrl, 'yenji100', DEMO.yenji100)).access;
});
afterAll(async () => {
  await stack?.close();
});

async function call(url: string, accept: string | undefined) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json', ...(accept !== undefined && { accept }) },
    body: overview,
  });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
}

/** The JSON-RPC answer inside one `message` event. */
function eventData(text: string): unknown {
  const match = /^event: message\ndata: (.+)\n\n$/.exec(text);
  expect(match, text.slice(0, 80)).not.toBeNull();
  return JSON.parse((match as RegExpExecArray)[1] as string);
}

describe('answer framing, directly and through /mcp-proxy/', () => {
  it('one event for a client that takes only text/event-stream, with the same answer as JSON', async () => {
    for (const [name, url] of stack.hops) {
      const json = await call(url, 'application/json, text/event-stream');
      expect(json.status, name).toBe(200);
      expect(json.type, name).toMatch(/^application\/json/);
      const answer = JSON.parse(json.text) as { id: string; result: { structuredContent: { patient: { id: string } } } };
      expect(answer.result.structuredContent.patient.id).toBe('P001');

      const sse = await call(url, 'text/event-stream');
      expect(sse.status, name).toBe(200);
      expect(sse.type, name).toMatch(/^text\/event-stream/);
      expect(eventData(sse.text), name).toEqual(answer);
    }
  });

  it('JSON for a client that sends no Accept', async () => {
    for (const [name, url] of stack.hops) {
      const answer = await call(url, undefined);
      expect(answer.status, name).toBe(200);
      expect(answer.type, name).toMatch(/^application\/json/);
    }
  });

  it('an accepted notification: 202 with no body and no content type, as the MCP server answers it', async () => {
    for (const [name, url] of stack.hops) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      });
      expect(response.status, name).toBe(202);
      expect(response.headers.get('content-type'), name).toBeNull();
      expect(await response.text(), name).toBe('');
    }
  });
});
