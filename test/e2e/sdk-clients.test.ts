/**
 * Both official MCP SDK client lines against the real system: directly at the MCP server
 * and through the gateway's /mcp-proxy/, with a bearer token from /api/token/.
 */
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDb } from '@secure-hospital-ai/core/audit/tables';
import { DEMO, login, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

type Line = 'sdk 1.x (2025-11-25)' | 'sdk 2.x (2026-07-28)';
const LINES: Line[] = ['sdk 1.x (2025-11-25)', 'sdk 2.x (2026-07-28)'];
const ROUTES = ['direct to the MCP server', 'through the gateway'] as const;

interface AnyClient {
  listTools(): Promise<{ tools: Array<{ name: string }> }>;
  callTool(request: { name: string; arguments: Record<string, unknown> }): Promise<{ structuredContent?: unknown; content?: unknown; isError?: boolean }>;
  close(): Promise<void>;
}

async function connect(line: Line, url: string, token: string): Promise<AnyClient> {
  if (line === 'sdk 1.x (2025-11-25)') {
    const client = new ClientV1({ name: 'e2e-v1', version: '1.0.0' });
    await client.connect(new TransportV1(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    return client as unknown as AnyClient;
  }
  const client = new ClientV2({ name: 'e2e-v2', version: '2.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(new TransportV2(new URL(url), { authProvider: { token: async () => token } }));
  expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
  return client as unknown as AnyClient;
}

describe.each(LINES)('%s', (line) => {
  describe.each(ROUTES)('%s', (route) => {
    const url = () => (route === 'through the gateway' ? `${stack.gatewayUrl}/mcp-proxy/` : stack.mcpUrl);

    it('connects, lists the tools a doctor may call, and reads P001', async () => {
      const { access } = await login(stack.gatewayUrl, 'yenji100', DEMO.yenji100);
      const client = await connect(line, url(), access);
      try {
        const { tools } = await client.listTools();
        const names = tools.map((t) => t.name);
        expect(names).toContain('get_patient_overview');
        expect(names).toContain('add_clinical_note');
        expect(names).not.toContain('get_audit_log');
        const result = await client.callTool({ name: 'get_patient_overview', arguments: { patient_id: 'P001' } });
        expect(JSON.stringify(result.structuredContent)).toContain('P001');
        const content = result.content as Array<{ type: string; text: string }>;
        expect(JSON.parse(content[0]!.text)).toEqual(result.structuredContent);
      } finally {
        await client.close();
      }
    });

    it('gets a wrong argument back as a tool error the model can read (MCP 2025-11-25, SEP-1303), naming the field, never the value', async () => {
      const { access } = await login(stack.gatewayUrl, 'yenji100', DEMO.yenji100);
      const client = await connect(line, url(), access);
      try {
        const result = await client.callTool({ name: 'get_observations', arguments: { patient_id: 'P001', since: 'last tuesday' } });
        expect(result.isError).toBe(true);
        expect(result.structuredContent).toBeUndefined();
        const text = (result.content as Array<{ type: string; text: string }>)[0]!.text;
        expect(text).toMatch(/^Invalid input: since: /);
        expect(text).not.toContain('tuesday');
        // The call is on the record as an error, not as data given out.
        const [event] = await auditDb(stack.database).selectFrom('audit_events').select(['tool', 'patient_id', 'decision', 'reason']).orderBy('seq', 'desc').limit(1).execute();
        expect(event).toEqual({ tool: 'get_observations', patient_id: 'P001', decision: 'error', reason: 'invalid_input' });
      } finally {
        await client.close();
      }
    });

    it('gets a break-glass reason already in use back as a tool error, and no second grant', async () => {
      const { access } = await login(stack.gatewayUrl, 'nurse_joy', DEMO.nurse_joy);
      const client = await connect(line, url(), access);
      const reason = `patient collapsed in corridor (${line}, ${route})`;
      const grants = async () => (await stack.database.db.selectFrom('break_glass_grants').select('id').where('reason', '=', reason).execute()).length;
      try {
        const first = await client.callTool({ name: 'break_glass', arguments: { patient_id: 'P009', reason } });
        expect(first.isError).toBeFalsy();
        const again = await client.callTool({ name: 'break_glass', arguments: { patient_id: 'P009', reason } });
        expect(again.isError).toBe(true);
        expect((again.content as Array<{ text: string }>)[0]!.text).toBe('Conflict: reason: a grant with this reason is already active; a new grant needs a new reason');
        expect(await grants()).toBe(1);
      } finally {
        await client.close();
      }
    });

    it('sees a forbidden patient as an error that carries no patient data', async () => {
      const { access } = await login(stack.gatewayUrl, 'dr_grey', DEMO.dr_grey);
      const client = await connect(line, url(), access);
      const patient = await stack.database.db.selectFrom('patients').selectAll().where('id', '=', 'P001').executeTakeFirstOrThrow();
      try {
        const error = await client.callTool({ name: 'get_patient_overview', arguments: { patient_id: 'P001' } }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeDefined();
        const text = JSON.stringify(error, Object.getOwnPropertyNames(error as object));
        expect(text).toMatch(/403|-32003|Forbidden/);
        for (const value of [patient.family_name, patient.mrn, patient.ssn ?? '-']) expect(text).not.toContain(value);
      } finally {
        await client.close();
      }
    });
  });
});

it('an auditor sees get_audit_log but no clinical tools', async () => {
  const { access } = await login(stack.gatewayUrl, 'auditor1', DEMO.auditor1);
  const client = await connect('sdk 1.x (2025-11-25)', `${stack.gatewayUrl}/mcp-proxy/`, access);
  try {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('get_audit_log');
    expect(names).not.toContain('get_patient_overview');
    expect(names).not.toContain('add_clinical_note');
  } finally {
    await client.close();
  }
});
