/**
 * The design note's own "Test After Fix" sequence, run with curl against both real servers
 * (the gateway forwarding to the MCP server over loopback). Only the host and port differ
 * from the note: the test servers listen on ephemeral ports.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

const SEQUENCE = String.raw`
set -e
# 1. Get JWT token
TOKEN=$(curl -s -X POST http://localhost:8000/api/token/ \
  -H "Content-Type: application/json" \
  -d '{"username":"USERNAME","password":"PASSWORD"}' | jq -r .access)

# 2. Call mcp-proxy
curl -s -w '\nHTTP %{http_code}\n' -X POST http://localhost:8000/mcp-proxy/ \
  -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/json" \
  -d '{
    "jsonrpc":"2.0","id":1,"method":"tools.call",
    "params":{"name":"get_patient_overview","arguments":{"patient_id":"P001"}}
  }'
`;

const run = promisify(execFile);

// Asynchronous on purpose: the servers live in this process, so a synchronous child would
// block the very event loop that must answer curl.
async function runSequence(stack: Stack, username: string, password: string, patientId = 'P001'): Promise<{ status: number; body: string }> {
  const script = SEQUENCE.replaceAll('http://localhost:8000', stack.gatewayUrl)
    .replace('USERNAME', username)
    .replace('PASSWORD', password)
    .replace('"patient_id":"P001"', `"patient_id":"${patientId}"`);
  const { stdout: output } = await run('bash', ['-c', script], { encoding: 'utf8', timeout: 20_000 });
  const match = /\nHTTP (\d{3})\n$/.exec(output);
  if (!match) throw new Error(`unexpected curl output: ${output}`);
  return { status: Number(match[1]), body: output.slice(0, match.index) };
}

describe("the design note's curl sequence", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("yenji100 gets the MCP server's answer for P001, not a 403", async () => {
    const { status, body } = await runSequence(stack, 'yenji100', 'kingjulien100');
    expect(status).toBe(200);
    const answer = JSON.parse(body);
    expect(answer.jsonrpc).toBe('2.0');
    expect(answer.id).toBe(1);
    expect(answer.error).toBeUndefined();
    const overview = answer.result.structuredContent;
    const patient = await stack.database.db.selectFrom('patients').selectAll().where('id', '=', 'P001').executeTakeFirstOrThrow();
    expect(JSON.stringify(overview)).toContain(patient.family_name);
    // The SSN is masked to its last four digits, never sent whole.
    expect(body).not.toContain(patient.ssn as string);
    expect(body).toContain((patient.ssn as string).slice(-4));
    // The same data as JSON text in content, as MCP tool results carry it.
    expect(JSON.parse(answer.result.content[0].text)).toEqual(overview);
  });

  it('dr_grey, not on the care team, gets 403 Forbidden and no patient data', async () => {
    const { status, body } = await runSequence(stack, 'dr_grey', 'grey-demo-2026');
    expect(status).toBe(403);
    expect(JSON.parse(body)).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32003, message: 'Forbidden' } });
    const patient = await stack.database.db.selectFrom('patients').selectAll().where('id', '=', 'P001').executeTakeFirstOrThrow();
    for (const value of [patient.family_name, patient.given_name, patient.mrn, patient.birth_date]) expect(body).not.toContain(value);
  });

  it.each(['P999', 'no such patient', 'P001 OR 1=1'])('a patient that does not exist (%s) gets the same 403 as a forbidden one', async (patientId) => {
    const { status, body } = await runSequence(stack, 'yenji100', 'kingjulien100', patientId);
    expect(status).toBe(403);
    expect(JSON.parse(body)).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32003, message: 'Forbidden' } });
  });
});
