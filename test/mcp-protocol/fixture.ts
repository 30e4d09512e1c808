/**
 * A real fastify server on an ephemeral port with the MCP transport in front of a two-tool
 * backend, recording what reached the server so tests can assert on the wire, not on mocks.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { AppError } from '@secure-hospital-ai/core/errors';
import type { Principal } from '@secure-hospital-ai/core/domain';
import { registerMcpTransport } from '../../packages/mcp-server/src/http/transport.js';
import type { AnswerBudgetLimits } from '../../packages/mcp-server/src/http/answer-budget.js';
import type { McpBackend, RequestContext, ToolDescriptor, TransportHooks } from '../../packages/mcp-server/src/protocol/types.js';

export const SERVER_INFO = { name: 'test-hospital', version: '9.9.9' };
export const ALLOWED_ORIGIN = 'http://127.0.0.1:8000';
export const GOOD_TOKEN = 'good';

export const TOOLS: readonly ToolDescriptor[] = [
  {
    name: 'echo_patient',
    title: 'Echo a patient id',
    description: 'Returns the patient id it was given.',
    inputSchema: { type: 'object', properties: { patient_id: { type: 'string' } }, required: ['patient_id'] },
    outputSchema: {
      type: 'object',
      properties: { patient_id: { type: 'string' }, seen_by: { type: 'string' } },
      required: ['patient_id', 'seen_by'],
    },
    annotations: { readOnlyHint: true },
  },
  {
    name: 'forbidden_tool',
    description: 'Always refused by policy.',
    inputSchema: { type: 'object', properties: {} },
  },
];

export const PRINCIPAL: Principal = { userId: '42', role: 'doctor', jti: 'jti-1', exp: 4_102_444_800 };

export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface TestServer {
  app: FastifyInstance;
  url: string;
  /** POSTs that got past authentication and body parsing (recorded in preHandler). */
  seen: SeenRequest[];
  refused: Array<Parameters<NonNullable<TransportHooks['onRefused']>>[0]>;
  toolRuns: Array<{ name: string; args: unknown; ctx: RequestContext }>;
  close(): Promise<void>;
}

export async function startTestServer(options: { answerBudget?: AnswerBudgetLimits } = {}): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  const refused: TestServer['refused'] = [];
  const toolRuns: TestServer['toolRuns'] = [];

  const backend: McpBackend = {
    listTools: () => TOOLS,
    async callTool(ctx, name, args) {
      toolRuns.push({ name, args, ctx });
      if (name === 'echo_patient') {
        const patientId = (args as { patient_id?: unknown }).patient_id;
        const data = { patient_id: String(patientId), seen_by: ctx.principal.userId };
        return { content: [{ type: 'text', text: JSON.stringify(data) }], structuredContent: data };
      }
      if (name === 'big_answer') {
        // About 6 MB of JSON once serialised: the text twice, as structuredContent and content.
        const data = { blob: 'x'.repeat(3_000_000) };
        return { content: [{ type: 'text', text: JSON.stringify(data) }], structuredContent: data };
      }
      if (name === 'forbidden_tool') throw new AppError('ERR_FORBIDDEN', { internalReason: 'test policy' });
      if (name === 'crash') throw new Error('secret stack detail /var/db/password');
      throw new AppError('ERR_VALIDATION', { detail: 'Unknown tool' });
    },
  };

  const app = Fastify({ logger: false });
  app.addHook('preHandler', async (request) => {
    const body = request.body;
    seen.push({
      method: request.method,
      url: request.url,
      headers: { ...request.headers },
      body: Buffer.isBuffer(body) ? safeParse(body.toString('utf8')) : body,
    });
  });
  registerMcpTransport(app, {
    backend,
    allowedOrigins: [ALLOWED_ORIGIN],
    serverInfo: SERVER_INFO,
    ...(options.answerBudget !== undefined && { answerBudget: options.answerBudget }),
    hooks: {
      async authenticate(request) {
        if (request.headers.authorization === `Bearer ${GOOD_TOKEN}`) return PRINCIPAL;
        throw new AppError('ERR_TOKEN_INVALID');
      },
      onRefused(info) {
        refused.push(info);
      },
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    app,
    url: `http://127.0.0.1:${address.port}/mcp/`,
    seen,
    refused,
    toolRuns,
    close: () => app.close(),
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The JSON-RPC methods the server dispatched, in order (batches flattened). */
export function seenMethods(server: TestServer): string[] {
  return server.seen.flatMap((request) =>
    (Array.isArray(request.body) ? request.body : [request.body]).map((message) => String((message as { method?: unknown })?.method)),
  );
}
