/**
 * The baselines' servers, run as their own processes (like the real gateway and MCP server,
 * so the comparison is process for process):
 *   ECHO_ROLE=back   a fastify server that parses the JSON body and answers a fixed body of
 *                    ECHO_RESPONSE_BYTES bytes (the one-hop echo, and the second hop);
 *   ECHO_ROLE=front  a fastify server that forwards the request bytes through an undici Pool
 *                    to ECHO_BACK_URL and relays status and body (the first hop).
 * Nothing else happens in them: that is the point of a baseline.
 */
import { pathToFileURL } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { Pool } from 'undici';

/** A JSON-RPC-shaped answer padded to exactly `bytes` bytes (at least the bare envelope). */
export function paddedJsonBody(bytes: number): Buffer {
  const envelope = (pad: string) => `{"jsonrpc":"2.0","id":1,"result":{"pad":"${pad}"}}`;
  const padLength = Math.max(0, bytes - envelope('').length);
  return Buffer.from(envelope('x'.repeat(padLength)), 'utf8');
}

function backServer(responseBytes: number): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  const body = paddedJsonBody(responseBytes);
  const answer = async (_request: unknown, reply: import('fastify').FastifyReply) =>
    reply.code(200).header('content-type', 'application/json; charset=utf-8').send(body);
  app.post('/mcp/', answer);
  app.post('/mcp-proxy/', answer);
  return app;
}

function frontServer(backUrl: string): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  const target = new URL(backUrl);
  const pool = new Pool(target.origin, { keepAliveTimeout: 30_000 });
  // The bytes go on as they came, as the gateway's proxy does; no JSON parse at this hop.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, raw, done) => done(null, raw));
  app.post('/mcp-proxy/', async (request, reply) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const name of ['authorization', 'accept', 'mcp-protocol-version'] as const) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const upstream = await pool.request({ method: 'POST', path: target.pathname, headers, body: request.body as Buffer });
    const bytes = Buffer.from(await upstream.body.arrayBuffer());
    const contentType = upstream.headers['content-type'];
    return reply
      .code(upstream.statusCode)
      .header('content-type', typeof contentType === 'string' ? contentType : 'application/json')
      .send(bytes);
  });
  app.addHook('onClose', async () => pool.close());
  return app;
}

async function main(): Promise<void> {
  const role = process.env.ECHO_ROLE;
  const port = Number(process.env.ECHO_PORT ?? '0');
  let app: FastifyInstance;
  if (role === 'back') {
    app = backServer(Number(process.env.ECHO_RESPONSE_BYTES ?? '1024'));
  } else if (role === 'front') {
    const backUrl = process.env.ECHO_BACK_URL;
    if (!backUrl) throw new Error('ECHO_BACK_URL is required for ECHO_ROLE=front');
    app = frontServer(backUrl);
  } else {
    throw new Error(`ECHO_ROLE must be back or front, got ${String(role)}`);
  }
  await app.listen({ host: '127.0.0.1', port });
  const close = () => void app.close().then(() => process.exit(0));
  process.on('SIGTERM', close);
  process.on('SIGINT', close);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench-echo: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
