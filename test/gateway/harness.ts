/**
 * A gateway on a real loopback port in front of a real HTTP upstream that records what it
 * receives and answers as a test asks (JSON, an event stream, a hang, a reset), over a
 * fresh migrated database with a few accounts. Used by the gateway's integration tests.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { request, type Dispatcher } from 'undici';
import { accountStateLookup } from '@secure-hospital-ai/core/account-state';
import { createAccount } from '@secure-hospital-ai/core/accounts';
import type { AuditEventInput, AuditSink } from '@secure-hospital-ai/core/audit/event';
import { createAuditWriter, type AuditWriter } from '@secure-hospital-ai/core/audit/writer';
import { Authenticator } from '@secure-hospital-ai/core/authenticate';
import { loadConfig, type Config } from '@secure-hospital-ai/core/config';
import type { Database } from '@secure-hospital-ai/core/db/database';
import { openTestDatabase } from '@secure-hospital-ai/core/db/test-database';
import type { Role } from '@secure-hospital-ai/core/domain';
import { AppError } from '@secure-hospital-ai/core/errors';
import type { Logger } from '@secure-hospital-ai/core/logger';
import { insertPatients } from '../support/patients.js';
import { TokenService } from '@secure-hospital-ai/core/tokens';
import { buildGateway, type GatewayDeps } from '@secure-hospital-ai/gateway';

/** A subset of the SPEC's demo accounts (the full seed needs the clinical data as well). */
export const TEST_ACCOUNTS = {
  yenji100: { password: 'kingjulien100', role: 'doctor' },
  dr_grey: { password: 'grey-demo-2026', role: 'doctor' },
  nurse_joy: { password: 'joy-demo-2026', role: 'nurse' },
  p001: { password: 'p001-demo-2026', role: 'patient', patientId: 'P001' },
  former_staff: { password: 'former-demo-2026', role: 'doctor', active: false },
} as const satisfies Record<string, { password: string; role: Role; patientId?: string; active?: boolean }>;

export type TestUsername = keyof typeof TEST_ACCOUNTS;

export const UPSTREAM_MARKER = 'UPSTREAM-PRIVATE-DATA-7f3a';

export interface ReceivedRequest {
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export type UpstreamMode = 'json' | 'large' | 'sse' | 'sleep' | 'forbidden' | 'reset' | 'truncated';

/** What 'large' mode answers: bigger than the gateway reads whole, so it is piped. */
export const LARGE_ANSWER = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, result: { text: 'é☃x'.repeat(100_000) } }), 'utf8');

export class TestUpstream {
  readonly received: ReceivedRequest[] = [];
  mode: UpstreamMode = 'json';
  healthy = true;
  sleepMs = 1_000;
  /** In 'sse' mode the second event waits for this; resolve it from the test. */
  releaseSecondEvent: () => void = () => undefined;
  #app: FastifyInstance;
  url = '';

  private constructor(app: FastifyInstance) {
    this.#app = app;
  }

  static async start(): Promise<TestUpstream> {
    const app = Fastify({ logger: false, forceCloseConnections: true });
    const upstream = new TestUpstream(app);
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 4 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    app.get('/healthz', async (_request, reply) => reply.code(200).send({ status: 'ok' }));
    // Alive but not ready (its database down) when `healthy` is false: the gateway asks this one.
    app.get('/readyz', async (_request, reply) => reply.code(upstream.healthy ? 200 : 503).send({ status: upstream.healthy ? 'ready' : 'unavailable' }));
    app.post('/mcp/', async (req, reply) => {
      upstream.received.push({ url: req.url, headers: { ...req.headers }, body: req.body as Buffer });
      switch (upstream.mode) {
        case 'json': {
          // Raw, so the test controls every answer header (Fastify would add a charset).
          reply.hijack();
          reply.raw.writeHead(200, {
            'content-type': 'application/json',
            'x-request-id': String(req.headers['x-request-id']),
            'mcp-protocol-version': '2025-11-25',
            'set-cookie': 'upstream=1',
            'x-upstream-private': 'yes',
            'keep-alive': 'timeout=5',
          });
          reply.raw.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: { marker: UPSTREAM_MARKER } }));
          return reply;
        }
        case 'large':
          reply.hijack();
          reply.raw.writeHead(200, { 'content-type': 'application/json', 'content-length': String(LARGE_ANSWER.length) });
          reply.raw.end(LARGE_ANSWER);
          return reply;
        case 'truncated':
          // Promises 1000 bytes, sends 10, hangs up.
          reply.hijack();
          reply.raw.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
          reply.raw.write('{"jsonrpc"');
          setTimeout(() => req.raw.socket.destroy(), 20);
          return reply;
        case 'forbidden':
          return reply
            .code(403)
            .header('content-type', 'application/json')
            .send(JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: -32003, message: 'Forbidden' } }));
        case 'sleep':
          await new Promise((resolve) => setTimeout(resolve, upstream.sleepMs));
          return reply.code(200).send({ late: true });
        case 'reset':
          req.raw.socket.destroy();
          return reply;
        case 'sse': {
          const released = new Promise<void>((resolve) => {
            upstream.releaseSecondEvent = resolve;
          });
          reply.hijack();
          reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': String(req.headers['x-request-id']) });
          reply.raw.write(`event: message\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{"n":1}}\n\n`);
          await released;
          reply.raw.end(`event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{"marker":"${UPSTREAM_MARKER}"}}\n\n`);
          return reply;
        }
      }
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    upstream.url = `http://127.0.0.1:${port}/mcp/`;
    return upstream;
  }

  async close(): Promise<void> {
    await this.#app.close();
  }
}

/** Every event the gateway recorded, also written through the real hash-chained writer. */
export class RecordingAudit implements AuditSink {
  readonly events: AuditEventInput[] = [];
  readonly #writer: AuditWriter;

  constructor(database: Database) {
    this.#writer = createAuditWriter(database);
  }

  /** While true, the store is down: every event is refused, as the writer refuses when its database is. */
  down = false;

  async record(event: AuditEventInput): Promise<void> {
    if (this.down) throw new AppError('ERR_AUDIT_UNAVAILABLE', { internalReason: 'audit store down (test)' });
    this.events.push(event);
    await this.#writer.record(event);
  }

  ofAction(action: AuditEventInput['action']): AuditEventInput[] {
    return this.events.filter((e) => e.action === action);
  }

  close(): Promise<void> {
    return this.#writer.close();
  }
}

export interface RunningGateway {
  readonly app: FastifyInstance;
  readonly url: string;
  close(): Promise<void>;
}

export interface Harness {
  readonly config: Config;
  readonly database: Database;
  readonly tokens: TokenService;
  readonly authenticator: Authenticator;
  readonly audit: RecordingAudit;
  readonly upstream: TestUpstream;
  readonly accountIds: Record<TestUsername, string>;
  readonly logLines: string[];
  readonly logger: Logger;
  /** The default gateway, in front of `upstream`. */
  readonly gateway: RunningGateway;
  /** Another gateway on the same database, with other settings. */
  startGateway(options?: GatewayOptions): Promise<RunningGateway>;
  accessToken(username: TestUsername, now?: number): Promise<string>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  env?: Record<string, string>;
  upstreamUrl?: string;
  upstreamTimeoutMs?: number;
  loginLimits?: GatewayDeps['loginLimits'];
}

export async function startHarness(options: GatewayOptions = {}): Promise<Harness> {
  const { database, cleanup } = await openTestDatabase();
  const accountIds = {} as Record<TestUsername, string>;
  await insertPatients(database.db, ['P001']);
  for (const [username, spec] of Object.entries(TEST_ACCOUNTS) as Array<[TestUsername, (typeof TEST_ACCOUNTS)[TestUsername]]>) {
    const account = await createAccount(database.db, {
      username,
      password: spec.password,
      role: spec.role,
      patientId: 'patientId' in spec ? spec.patientId : null,
      active: 'active' in spec ? spec.active : true,
      isDemo: true,
    });
    accountIds[username] = String(account.id);
  }
  const secret = randomBytes(32).toString('hex');
  const baseEnv = { NODE_ENV: 'test', JWT_SECRET: secret, LOG_LEVEL: 'debug', GATEWAY_PORT: '0', MCP_PORT: '0' };
  const config = loadConfig({ ...baseEnv, ...options.env }, { envFile: false });
  const tokens = new TokenService(config.jwt);
  const authenticator = new Authenticator(tokens, accountStateLookup(database));
  const audit = new RecordingAudit(database);
  const upstream = await TestUpstream.start();
  const logLines: string[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(chunk.toString('utf8'));
        callback();
      },
    }),
  );
  const running: RunningGateway[] = [];

  async function startGateway(gatewayOptions: GatewayOptions = {}): Promise<RunningGateway> {
    const gatewayConfig = gatewayOptions.env ? loadConfig({ ...baseEnv, ...options.env, ...gatewayOptions.env }, { envFile: false }) : config;
    const app = await buildGateway({
      config: gatewayConfig,
      database,
      tokens,
      authenticator,
      audit,
      logger,
      upstreamUrl: gatewayOptions.upstreamUrl ?? upstream.url,
      ...(gatewayOptions.upstreamTimeoutMs ? { upstreamTimeoutMs: gatewayOptions.upstreamTimeoutMs } : {}),
      ...(gatewayOptions.loginLimits ? { loginLimits: gatewayOptions.loginLimits } : {}),
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const gateway = { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
    running.push(gateway);
    return gateway;
  }

  const gateway = await startGateway(options);
  return {
    config,
    database,
    tokens,
    authenticator,
    audit,
    upstream,
    accountIds,
    logLines,
    logger,
    gateway,
    startGateway,
    async accessToken(username, now) {
      const spec = TEST_ACCOUNTS[username];
      const issued = await tokens.issueAccess(
        { userId: accountIds[username], role: spec.role, patientId: 'patientId' in spec ? spec.patientId : null },
        now,
      );
      return issued.token;
    },
    async close() {
      for (const g of running) await g.close();
      await upstream.close();
      await audit.close();
      await cleanup();
    },
  };
}

/** A port nothing listens on: bind one, then let it go. */
export async function closedPortUrl(): Promise<string> {
  const app = Fastify();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  await app.close();
  return `http://127.0.0.1:${port}/mcp/`;
}

export interface JsonAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

/** Status, headers and body of an answer; `json` is undefined when the body is not JSON. */
export async function answerOf(response: Dispatcher.ResponseData): Promise<JsonAnswer> {
  const text = await response.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

export async function post(url: string, body: string | Buffer | undefined, headers: Record<string, string> = {}): Promise<JsonAnswer> {
  return answerOf(
    await request(url, {
      method: 'POST',
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body }),
    }),
  );
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<JsonAnswer> {
  return answerOf(await request(url, { method: 'GET', headers }));
}

/** The JWT's claims, read without verification (the test checks what was issued). */
export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
