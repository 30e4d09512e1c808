/**
 * Who called, in the audit events of calls through the gateway: the MCP server records the
 * client's address and user agent as the gateway forwards them, not the gateway's own
 * connection, and believes a forwarded address only from a peer on this host (or any one
 * hop with TRUST_PROXY). A client cannot choose the address it is recorded under.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDb } from '@secure-hospital-ai/core/audit/tables';
import { DEMO, login, rpc, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let access: string;

beforeAll(async () => {
  stack = await startStack();
  access = (await login(stack.gatewayUrl, 'yenji100', DEMO.yenji100)).access;
});

afterAll(async () => {
  await stack?.close();
});

const overview = rpc('tools/call', { name: 'get_patient_overview', arguments: { patient_id: 'P001' } });

/** A POST from a chosen loopback address (Linux answers on all of 127.0.0.0/8). */
function postFrom(localAddress: string, url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${access}`, ...headers },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(overview);
  });
}

async function toolCallEvent(requestId: string) {
  return auditDb(stack.database)
    .selectFrom('audit_events')
    .select(['source', 'action', 'client_address', 'user_agent', 'decision'])
    .where('request_id', '=', requestId)
    .where('action', '=', 'tools/call')
    .executeTakeFirstOrThrow();
}

describe('the client in the MCP server’s audit events', () => {
  it('a call through the gateway is recorded with the client’s address and user agent', async () => {
    const status = await postFrom('127.0.0.2', `${stack.gatewayUrl}/mcp-proxy/`, { 'x-request-id': 'client-addr-1', 'user-agent': 'ward-tablet/2.1' });
    expect(status).toBe(200);
    expect(await toolCallEvent('client-addr-1')).toEqual({
      source: 'mcp-server',
      action: 'tools/call',
      client_address: '127.0.0.2',
      user_agent: 'ward-tablet/2.1',
      decision: 'allow',
    });
  });

  it('an X-Forwarded-For the client sends the gateway is not believed', async () => {
    const status = await postFrom('127.0.0.3', `${stack.gatewayUrl}/mcp-proxy/`, { 'x-request-id': 'client-addr-2', 'x-forwarded-for': '203.0.113.9' });
    expect(status).toBe(200);
    expect((await toolCallEvent('client-addr-2')).client_address).toBe('127.0.0.3');
  });

  it('the MCP server believes X-Forwarded-For from a peer on this host, not from a remote one', async () => {
    const call = (remoteAddress: string, requestId: string) =>
      stack.mcp.inject({
        method: 'POST',
        url: '/mcp/',
        remoteAddress,
        headers: {
          authorization: `Bearer ${access}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'x-forwarded-for': '203.0.113.9',
          'x-request-id': requestId,
        },
        payload: overview,
      });
    expect((await call('127.0.0.1', 'client-addr-3')).statusCode).toBe(200);
    expect((await toolCallEvent('client-addr-3')).client_address).toBe('203.0.113.9');
    expect((await call('10.0.0.5', 'client-addr-4')).statusCode).toBe(200);
    expect((await toolCallEvent('client-addr-4')).client_address).toBe('10.0.0.5');
  });
});
