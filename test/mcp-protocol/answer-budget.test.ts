/**
 * The process-wide budget for answers in flight, over real HTTP: a client that does not read
 * its large answer keeps that answer's characters booked; other large calls are refused at
 * once (503 with Retry-After on their own, in-band in a batch), run nothing and are audited;
 * once the answer has gone, or its client has, large calls run again.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GOOD_TOKEN, startTestServer, type TestServer } from './fixture.js';

/** big_answer is about 6 MB of JSON: one fits in 10 MB, two do not. */
const BUDGET = { slots: 4, chars: 10 * 1024 * 1024 };
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${GOOD_TOKEN}` };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ answerBudget: BUDGET });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.refused.length = 0;
  server.toolRuns.length = 0;
});

const bigCall = (id: number, patient = 'P-LARGE') => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'big_answer', arguments: { patient_id: patient } } });
const echoCall = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo_patient', arguments: { patient_id: 'P001' } } });

async function post(message: unknown): Promise<{ status: number; headers: Headers; json: any }> {
  const response = await fetch(server.url, { method: 'POST', headers: HEADERS, body: JSON.stringify(message) });
  return { status: response.status, headers: response.headers, json: JSON.parse(await response.text()) };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

/** A client that asks for a large answer and does not read it: the server cannot finish sending. */
async function stalledBigCall(): Promise<Socket> {
  const url = new URL(server.url);
  const socket = connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.pause();
  const body = JSON.stringify(bigCall(99));
  const head = Object.entries({ ...HEADERS, host: url.host, 'content-length': String(Buffer.byteLength(body)) })
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
  socket.write(`POST ${url.pathname} HTTP/1.1\r\n${head}\r\n\r\n${body}`);
  const runsBefore = server.toolRuns.length;
  await until(() => server.toolRuns.length > runsBefore);
  // The answer is built once the call has run; give it the moment it takes to be booked and written.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return socket;
}

describe('answers in flight, process-wide', () => {
  it('refuses a large call while another large answer is still being sent, and runs it again once that has gone', async () => {
    // The first answer teaches the server how large big_answer is.
    expect((await post(bigCall(1))).status).toBe(200);
    const stalled = await stalledBigCall();
    try {
      const runs = server.toolRuns.length;
      const refused = await post(bigCall(2));
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.json).toEqual({
        jsonrpc: '2.0',
        id: 2,
        error: { code: -32603, message: 'Service unavailable', data: { detail: expect.stringContaining('busy') } },
      });
      // Not run, and on the record with the tool it named.
      expect(server.toolRuns).toHaveLength(runs);
      expect(server.refused.map((r) => [r.error.internalReason, r.tool])).toEqual([['answer_budget', 'big_answer']]);
      // A small answer still fits beside it.
      const small = await post(echoCall(3));
      expect(small.status).toBe(200);
      expect(small.json.result.structuredContent).toEqual({ patient_id: 'P001', seen_by: '42' });
      // The same tool on another patient is booked at that patient's answers, not this one's.
      expect((await post(bigCall(5, 'P-OTHER'))).status).toBe(200);
    } finally {
      stalled.destroy();
    }
    // The stalled client has gone, and its answer's characters with it.
    await until(() => server.refused.length === 1);
    let again = await post(bigCall(4));
    for (let i = 0; i < 50 && again.status === 503; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      again = await post(bigCall(4));
    }
    expect(again.status).toBe(200);
    expect(again.json.result.structuredContent.blob).toHaveLength(3_000_000);
  });

  it('answers a batch’s large calls in-band as not run while the budget is spent, and runs its small ones', async () => {
    expect((await post(bigCall(1))).status).toBe(200);
    const stalled = await stalledBigCall();
    try {
      const runs = server.toolRuns.length;
      const answer = await post([bigCall(10), echoCall(11), bigCall(12)]);
      expect(answer.status).toBe(200);
      const byId = new Map((answer.json as Array<{ id: number }>).map((element) => [element.id, element as any]));
      expect(byId.get(11).result.structuredContent.patient_id).toBe('P001');
      for (const id of [10, 12]) {
        expect(byId.get(id).result).toBeUndefined();
        expect(byId.get(id).error).toMatchObject({ code: -32603, message: 'Service unavailable' });
      }
      expect(server.toolRuns.slice(runs).map((run) => run.name)).toEqual(['echo_patient']);
      expect(server.refused.map((r) => [r.error.internalReason, r.tool])).toEqual([
        ['answer_budget', 'big_answer'],
        ['answer_budget', 'big_answer'],
      ]);
    } finally {
      stalled.destroy();
    }
  });
});
