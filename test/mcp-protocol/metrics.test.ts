/**
 * The MCP server's GET /metrics: tool calls counted by tool and decision once audited, the
 * request metrics both servers keep, and a made-up tool name that cannot grow the metric.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, login, rpc, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let token: string;

beforeAll(async () => {
  stack = await startStack();
  token = (await login(stack.gatewayUrl, 'nurse_joy', DEMO.nurse_joy)).access;
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

async function call(name: string, args: Record<string, unknown>): Promise<number> {
  const response = await fetch(stack.mcpUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: rpc('tools/call', { name, arguments: args }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('MCP server GET /metrics', () => {
  it('counts tool calls by tool and decision, and requests by route and status', async () => {
    expect(await call('get_patient_overview', { patient_id: 'P001' })).toBe(200);
    expect(await call('get_patient_overview', { patient_id: 'P001' })).toBe(200);
    // Not on nurse_joy's ward.
    expect(await call('get_patient_overview', { patient_id: 'P002' })).toBe(403);
    // Answered in-band (an unknown tool is an error result, HTTP 200), and audited as an error.
    expect(await call('no_such_tool_3f9a', {})).toBe(200);
    const response = await fetch(new URL('/metrics', stack.mcpUrl));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(/mcp_tool_calls_total\{tool="get_patient_overview",decision="allow"\} 2/);
    expect(text).toMatch(/mcp_tool_calls_total\{tool="get_patient_overview",decision="deny"\} 1/);
    expect(text).toMatch(/mcp_tool_calls_total\{tool="other",decision="error"\} 1/);
    expect(text).toMatch(/mcp_http_requests_total\{route="\/mcp\/",method="POST",status="200"\} 3/);
    expect(text).toMatch(/mcp_http_requests_total\{route="\/mcp\/",method="POST",status="403"\} 1/);
    expect(text).toMatch(/mcp_http_request_duration_seconds_count\{route="\/mcp\/"\} \d+/);
    // A client's made-up tool name is never a label, and no patient id or user id is either.
    expect(text).not.toContain('no_such_tool_3f9a');
    expect(text).not.toMatch(/P00[12]|nurse_joy/);
  });
});
