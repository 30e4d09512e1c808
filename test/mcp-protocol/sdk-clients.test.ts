/**
 * Both official MCP SDK client lines against the transport over real HTTP:
 * 1.x speaks revision 2025-11-25 (initialize handshake), 2.x negotiates 2026-07-28 through
 * server/discover when asked to, and falls back to the 2025 handshake by default.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { GOOD_TOKEN, PRINCIPAL, SERVER_INFO, seenMethods, startTestServer, type TestServer } from './fixture.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

function resetRecords(): void {
  server.seen.length = 0;
  server.refused.length = 0;
  server.toolRuns.length = 0;
}

describe('SDK 1.x client (revision 2025-11-25)', () => {
  it('connects, lists tools, calls a tool and sees a forbidden call as 403 / -32003', async () => {
    resetRecords();
    const client = new ClientV1({ name: 'sdk1-test', version: '1.0.0' });
    const transport = new TransportV1(new URL(server.url), { requestInit: { headers: { Authorization: `Bearer ${GOOD_TOKEN}` } } });
    await client.connect(transport);
    try {
      expect(client.getServerVersion()).toEqual(SERVER_INFO);
      expect(client.getServerCapabilities()).toEqual({ tools: { listChanged: false } });
      expect(transport.sessionId).toBeUndefined();

      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(['echo_patient', 'forbidden_tool']);

      const result = await client.callTool({ name: 'echo_patient', arguments: { patient_id: 'P001' } });
      expect(result.structuredContent).toEqual({ patient_id: 'P001', seen_by: PRINCIPAL.userId });
      const content = result.content as Array<{ type: string; text: string }>;
      expect(JSON.parse(content[0]!.text)).toEqual({ patient_id: 'P001', seen_by: PRINCIPAL.userId });

      await client.ping();

      const refusal = await client.callTool({ name: 'forbidden_tool', arguments: {} }).then(
        () => undefined,
        (error: unknown) => error as { code?: unknown; message?: string },
      );
      expect(refusal?.code).toBe(403);
      expect(refusal?.message).toContain('-32003');
      expect(refusal?.message).toContain('Forbidden');
    } finally {
      await client.close();
    }

    expect(seenMethods(server)).toEqual(['initialize', 'notifications/initialized', 'tools/list', 'tools/call', 'ping', 'tools/call']);
    const initialize = server.seen[0]!;
    expect((initialize.body as { params: { protocolVersion: string } }).params.protocolVersion).toBe('2025-11-25');
    // After the handshake every request names the negotiated revision.
    for (const request of server.seen.slice(1)) expect(request.headers['mcp-protocol-version']).toBe('2025-11-25');
    expect(server.toolRuns.map((run) => run.ctx.protocolVersion)).toEqual(['2025-11-25', '2025-11-25']);
    // The backend's refusal is the backend's to audit, not the transport's.
    expect(server.refused).toEqual([]);
  });
});

describe('SDK 2.x client (@modelcontextprotocol/client)', () => {
  it('negotiates revision 2026-07-28 through server/discover and calls tools', async () => {
    resetRecords();
    const client = new ClientV2({ name: 'sdk2-test', version: '2.0.0' }, { versionNegotiation: { mode: 'auto' } });
    const transport = new TransportV2(new URL(server.url), { authProvider: { token: async () => GOOD_TOKEN } });
    await client.connect(transport);
    try {
      expect(client.getProtocolEra()).toBe('modern');
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      expect(client.getServerVersion()).toEqual(SERVER_INFO);
      expect(client.getServerCapabilities()?.tools).toEqual({ listChanged: false });
      expect(client.getInstructions()).toEqual(expect.any(String));

      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(['echo_patient', 'forbidden_tool']);

      const result = await client.callTool({ name: 'echo_patient', arguments: { patient_id: 'P002' } });
      expect(result.structuredContent).toEqual({ patient_id: 'P002', seen_by: PRINCIPAL.userId });
      const content = result.content as Array<{ type: string; text: string }>;
      expect(JSON.parse(content[0]!.text)).toEqual({ patient_id: 'P002', seen_by: PRINCIPAL.userId });

      const refusal = await client.callTool({ name: 'forbidden_tool', arguments: {} }).then(
        () => undefined,
        (error: unknown) => error as { data?: { status?: number; text?: string } },
      );
      expect(refusal?.data?.status).toBe(403);
      expect(JSON.parse(refusal?.data?.text ?? '{}').error).toEqual({ code: -32003, message: 'Forbidden' });
    } finally {
      await client.close();
    }

    // No handshake on this revision: the first request is the discover probe.
    expect(seenMethods(server)).toEqual(['server/discover', 'tools/list', 'tools/call', 'tools/call']);
    for (const request of server.seen) {
      const body = request.body as { method: string; params: { _meta: Record<string, unknown> } };
      expect(request.headers['mcp-method']).toBe(body.method);
      expect(request.headers['mcp-protocol-version']).toBe('2026-07-28');
      expect(body.params._meta['io.modelcontextprotocol/protocolVersion']).toBe('2026-07-28');
      expect(body.params._meta['io.modelcontextprotocol/clientCapabilities']).toEqual(expect.any(Object));
    }
    const calls = server.seen.filter((request) => (request.body as { method: string }).method === 'tools/call');
    expect(calls.map((request) => request.headers['mcp-name'])).toEqual(['echo_patient', 'forbidden_tool']);
    expect(server.toolRuns.map((run) => run.ctx.protocolVersion)).toEqual(['2026-07-28', '2026-07-28']);
  });

  it('with its default (legacy) negotiation, performs the 2025-11-25 handshake against the same server', async () => {
    resetRecords();
    const client = new ClientV2({ name: 'sdk2-legacy', version: '2.0.0' });
    const transport = new TransportV2(new URL(server.url), { authProvider: { token: async () => GOOD_TOKEN } });
    await client.connect(transport);
    try {
      expect(client.getProtocolEra()).toBe('legacy');
      expect(client.getNegotiatedProtocolVersion()).toBe('2025-11-25');
      const result = await client.callTool({ name: 'echo_patient', arguments: { patient_id: 'P003' } });
      expect(result.structuredContent).toEqual({ patient_id: 'P003', seen_by: PRINCIPAL.userId });
    } finally {
      await client.close();
    }
    expect(seenMethods(server).slice(0, 2)).toEqual(['initialize', 'notifications/initialized']);
  });

  it('pinned to 2026-07-28, refuses to connect without a token (401 surfaces, no tool runs)', async () => {
    resetRecords();
    const client = new ClientV2({ name: 'sdk2-pin', version: '2.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    const transport = new TransportV2(new URL(server.url), { authProvider: { token: async () => 'bad' } });
    await expect(client.connect(transport)).rejects.toThrow(/401|authori[sz]/i);
    expect(server.toolRuns).toEqual([]);
    expect(server.refused.map((info) => info.error.code)).toEqual(['ERR_TOKEN_INVALID']);
  });
});
