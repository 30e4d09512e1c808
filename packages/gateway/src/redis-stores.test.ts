/**
 * The Redis stores against the real Redis (REDIS_URL for tests: TEST_REDIS_URL, else
 * 127.0.0.1:6379), each test under a key prefix of its own so parallel runs never meet:
 * counts, windows, Retry-After, atomicity across clients, two gateway instances sharing one
 * budget, and what a gateway does when Redis is not there.
 */
import { randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '@secure-hospital-ai/core/errors';
import type { Logger } from '@secure-hospital-ai/core/logger';
import { closedPortUrl, post, startHarness, type Harness } from '../../../test/gateway/harness.js';
import { LoginThrottle, MemoryFailureCounterStore, type LoginThrottleLimits } from './login-throttle.js';
import { MemoryRateLimiter } from './rate-limit.js';
import { COMMAND_TIMEOUT_MS, openRedisStores, RedisFailureCounterStore, RedisRateLimiter, type RedisCommandSender } from './redis-stores.js';
import { buildGateway } from './server.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

type Client = ReturnType<typeof createClient>;
let admin: Client;
let other: Client;
let prefix: string;

async function connected(): Promise<Client> {
  const client = createClient({ url: REDIS_URL, socket: { reconnectStrategy: false, connectTimeout: 2_000 } });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`these tests need Redis at ${REDIS_URL} (start one with redis-server): ${(error as Error).message}`);
  }
  return client;
}

function sender(client: Client): RedisCommandSender {
  return { sendCommand: (args) => client.sendCommand(args) };
}

async function keysUnder(keyPrefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = (await admin.sendCommand(['SCAN', cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', '1000'])) as [string, string[]];
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  admin = await connected();
  other = await connected();
});

afterAll(async () => {
  await admin?.close();
  await other?.close();
});

beforeEach(() => {
  prefix = `shai:test:${randomBytes(8).toString('hex')}:`;
});

afterEach(async () => {
  const keys = await keysUnder(prefix);
  if (keys.length > 0) await admin.sendCommand(['DEL', ...keys]);
});

describe('RedisFailureCounterStore', () => {
  it('counts in a window that opens at the first failure and is not extended by later ones', async () => {
    const store = new RedisFailureCounterStore(sender(admin), prefix);
    expect(await store.peek('login:account:dr_grey')).toBeUndefined();
    const first = await store.increment('login:account:dr_grey', 60_000);
    expect(first.count).toBe(1);
    expect(first.resetAt - Date.now()).toBeGreaterThan(59_000);
    expect(first.resetAt - Date.now()).toBeLessThanOrEqual(60_000);
    await sleep(100);
    const second = await store.increment('login:account:dr_grey', 60_000);
    expect(second.count).toBe(2);
    expect(Math.abs(second.resetAt - first.resetAt)).toBeLessThan(50);
    expect(await store.peek('login:account:dr_grey')).toMatchObject({ count: 2 });
    await store.clear('login:account:dr_grey');
    expect(await store.peek('login:account:dr_grey')).toBeUndefined();
  });

  it('forgets the count when the window closes', async () => {
    const store = new RedisFailureCounterStore(sender(admin), prefix);
    await store.increment('login:address:10.0.0.1', 150);
    expect((await store.increment('login:address:10.0.0.1', 150)).count).toBe(2);
    await sleep(250);
    expect(await store.peek('login:address:10.0.0.1')).toBeUndefined();
    expect((await store.increment('login:address:10.0.0.1', 150)).count).toBe(1);
  });

  it('keeps neither usernames nor addresses in key names', async () => {
    const throttle = new LoginThrottle(new RedisFailureCounterStore(sender(admin), prefix));
    await throttle.begin('Dr.Who', '10.1.2.3');
    await throttle.failed('Dr.Who', '10.1.2.3');
    const keys = await keysUnder(prefix);
    expect(keys).toHaveLength(4); // failures and checks in flight, for the account and the address
    for (const key of keys) {
      expect(key).toMatch(new RegExp(`^${prefix}login-failures:[0-9a-f]{64}$`));
      expect(key.toLowerCase()).not.toContain('who');
      expect(key).not.toContain('10.1.2.3');
    }
  });

  it('gives LoginThrottle the same Retry-After as the memory store', async () => {
    const limits: Partial<LoginThrottleLimits> = { perAccount: 2, windowMs: 90_000 };
    const retryAfter = async (throttle: LoginThrottle): Promise<string | undefined> => {
      for (let i = 0; i < 2; i += 1) {
        await throttle.begin('yenji100', '10.0.0.2');
        await throttle.failed('yenji100', '10.0.0.2');
      }
      const refused = await throttle.begin('yenji100', '10.0.0.2').then(() => undefined, (error: unknown) => error);
      expect(refused).toBeInstanceOf(AppError);
      expect((refused as AppError).code).toBe('ERR_THROTTLED');
      return (refused as AppError).headers['retry-after'];
    };
    const shared = await retryAfter(new LoginThrottle(new RedisFailureCounterStore(sender(admin), prefix), limits));
    const local = await retryAfter(new LoginThrottle(new MemoryFailureCounterStore(), limits));
    expect(shared).toBe('90');
    expect(local).toBe('90');
  });

  it('counts every failure once when two clients increment at the same time', async () => {
    const stores = [new RedisFailureCounterStore(sender(admin), prefix), new RedisFailureCounterStore(sender(other), prefix)];
    const counts = await Promise.all(Array.from({ length: 40 }, (_, i) => stores[i % 2]!.increment('login:account:p001', 60_000)));
    expect(counts.map((w) => w.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('takes a count back without going below zero or moving the window', async () => {
    const store = new RedisFailureCounterStore(sender(admin), prefix);
    const opened = await store.increment('login:address:10.0.0.7', 60_000);
    await store.increment('login:address:10.0.0.7', 60_000);
    await store.release('login:address:10.0.0.7');
    const after = await store.peek('login:address:10.0.0.7');
    expect(after?.count).toBe(1);
    expect(Math.abs((after?.resetAt ?? 0) - opened.resetAt)).toBeLessThan(1_000);
    await store.release('login:address:10.0.0.7');
    await store.release('login:address:10.0.0.7');
    expect((await store.peek('login:address:10.0.0.7'))?.count).toBe(0);
    await store.release('login:address:never-counted');
    expect(await store.peek('login:address:never-counted')).toBeUndefined();
  });

  it('lets exactly the limit of guesses be checked when two gateways take them at once', async () => {
    const limits: Partial<LoginThrottleLimits> = { perAccount: 5, perAddress: 1000 };
    const throttles = [admin, other].map((client) => new LoginThrottle(new RedisFailureCounterStore(sender(client), prefix), limits));
    const guess = async (i: number) => {
      const throttle = throttles[i % 2]!;
      const address = `10.0.1.${i}`;
      const admitted = await throttle.begin('nurse_joy', address).then(() => true, () => false);
      if (admitted) await throttle.failed('nurse_joy', address);
      return admitted ? 'checked' : 'refused';
    };
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => guess(i)));
    expect(outcomes.filter((o) => o === 'checked')).toHaveLength(5);
  });
});

describe('RedisRateLimiter', () => {
  it('answers as the memory token bucket does, Retry-After included', async () => {
    const shared = new RedisRateLimiter(sender(admin), 3, { prefix });
    const local = new MemoryRateLimiter(3);
    const sharedWaits: number[] = [];
    const localWaits: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      sharedWaits.push(await shared.take('42'));
      localWaits.push(await local.take('42'));
    }
    expect(sharedWaits).toEqual([0, 0, 0, 20, 20]);
    expect(sharedWaits).toEqual(localWaits);
    // A batch counts as its calls, alike on both.
    const sharedBatch = new RedisRateLimiter(sender(admin), 5, { prefix });
    const localBatch = new MemoryRateLimiter(5);
    for (const calls of [4, 2, 1, 1]) expect(await sharedBatch.take('44', calls)).toBe(await localBatch.take('44', calls));
    // Another account has a bucket of its own; keys are hashed.
    expect(await shared.take('43')).toBe(0);
    const keys = await keysUnder(prefix);
    expect(keys).toHaveLength(3);
    for (const key of keys) expect(key).toMatch(new RegExp(`^${prefix}tool-rate:[0-9a-f]{64}$`));
  });

  it('refills as time passes and forgets a full bucket', async () => {
    const limiter = new RedisRateLimiter(sender(admin), 2, { prefix, periodMs: 400 });
    expect(await limiter.take('7')).toBe(0);
    expect(await limiter.take('7')).toBe(0);
    expect(await limiter.take('7')).toBe(1);
    await sleep(250); // one token back after 200 ms
    expect(await limiter.take('7')).toBe(0);
    const [key] = await keysUnder(prefix);
    const ttl = Number(await admin.sendCommand(['PTTL', key!]));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(400 + 1_000);
  });

  it('lets exactly the capacity through when two clients race', async () => {
    const limiters = [new RedisRateLimiter(sender(admin), 10, { prefix }), new RedisRateLimiter(sender(other), 10, { prefix })];
    const waits = await Promise.all(Array.from({ length: 40 }, (_, i) => limiters[i % 2]!.take('99')));
    expect(waits.filter((w) => w === 0)).toHaveLength(10);
    expect(waits.filter((w) => w > 0)).toHaveLength(30);
  });

  it('rejects a nonsensical limit', () => {
    expect(() => new RedisRateLimiter(sender(admin), 0, { prefix })).toThrow(RangeError);
  });
});

function capturingLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const raw: string[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        raw.push(chunk.toString('utf8'));
        callback();
      },
    }),
  );
  return { logger, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('openRedisStores', () => {
  it('refuses a URL that is not redis:// without repeating it', async () => {
    const { logger } = capturingLogger();
    const failure = await openRedisStores({ url: 'http://user:s3cret@cache:6379', logger, perMinute: 10 }).catch((e: unknown) => e);
    expect((failure as Error).message).toMatch(/REDIS_URL must start with redis:\/\/ or rediss:\/\//);
    expect((failure as Error).message).not.toContain('s3cret');
  });

  it('counts on this instance while Redis is too slow to answer, and goes back to Redis after', async () => {
    const relay = await FreezableRelay.start(new URL(REDIS_URL));
    const { logger, lines } = capturingLogger();
    const timeoutMs = COMMAND_TIMEOUT_MS * 2; // told apart from the default below
    const stores = await openRedisStores({ url: relay.url, logger, perMinute: 1, keyPrefix: prefix, commandTimeoutMs: timeoutMs });
    try {
      const limiter = stores.rateLimiter!;
      expect(await limiter.take('5')).toBe(0); // Redis's bucket for account 5 is now empty
      relay.frozen = true;
      const started = Date.now();
      expect(await limiter.take('5')).toBe(0); // the instance's own bucket, still full
      // The frozen relay never answers, so returning at all is the fallback. It waited out the
      // configured timeout, not the default; the upper bound only has to tell "gave up" from
      // "hung", so it sits far above the timeout, where a loaded CI machine cannot reach it.
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(timeoutMs - 5);
      expect(waited).toBeLessThan(5_000);
      expect(stores.guard.down).toBe(true);
      expect(await limiter.take('5')).toBeGreaterThan(0); // and now empty too: still limited
      relay.frozen = false;
      await sleep(50);
      expect(await limiter.take('5')).toBeGreaterThan(0); // Redis's bucket, empty since the first call
      expect(stores.guard.down).toBe(false);
      const messages = lines().map((l) => [l.level, l.msg]);
      expect(messages).toEqual([
        [40, 'redis unavailable; login throttling and rate limits fall back to per-instance counters'],
        [30, 'redis answering again; login throttling and rate limits are shared across instances'],
      ]);
    } finally {
      await stores.close();
      await relay.close();
    }
  });
});

/**
 * A TCP relay in front of the real Redis that can stop passing requests on (a stalled
 * network, or a Redis too busy to answer) and pass what it held back once thawed.
 */
class FreezableRelay {
  readonly #server: Server;
  readonly #held: Array<() => void> = [];
  #frozen = false;
  url = '';

  private constructor(target: URL) {
    this.#server = createServer((client) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      client.on('data', (chunk: Buffer) => {
        if (this.#frozen) this.#held.push(() => upstream.write(chunk));
        else upstream.write(chunk);
      });
      upstream.pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  static async start(target: URL): Promise<FreezableRelay> {
    const relay = new FreezableRelay(target);
    await new Promise<void>((resolve) => relay.#server.listen(0, '127.0.0.1', resolve));
    relay.url = `redis://127.0.0.1:${(relay.#server.address() as AddressInfo).port}`;
    return relay;
  }

  set frozen(value: boolean) {
    this.#frozen = value;
    if (!value) for (const send of this.#held.splice(0)) send();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

describe('gateways with REDIS_URL', () => {
  let h: Harness;
  const apps: FastifyInstance[] = [];

  beforeAll(async () => {
    h = await startHarness();
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  afterAll(async () => {
    await h?.close();
  });

  async function startGateway(
    options: { redisUrl?: string; perMinute?: number; loginLimits?: Partial<LoginThrottleLimits>; logger?: Logger } = {},
  ): Promise<{ app: FastifyInstance; url: string }> {
    const app = await buildGateway({
      config: { ...h.config, redisUrl: options.redisUrl ?? REDIS_URL, rateLimitPerUser: options.perMinute ?? 1200 },
      database: h.database,
      tokens: h.tokens,
      authenticator: h.authenticator,
      audit: h.audit,
      logger: options.logger ?? h.logger,
      upstreamUrl: h.upstream.url,
      redisKeyPrefix: prefix,
      ...(options.loginLimits ? { loginLimits: options.loginLimits } : {}),
    });
    apps.push(app);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    return { app, url: `http://127.0.0.1:${port}` };
  }

  const login = (base: string, username: string, password: string) =>
    post(`${base}/api/token/`, JSON.stringify({ username, password }));
  const CALL = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
  const call = async (base: string, username: 'yenji100' | 'dr_grey') =>
    post(`${base}/mcp-proxy/`, CALL, { authorization: `Bearer ${await h.accessToken(username)}` });

  it('share one count of failed logins', async () => {
    const limits = { perAccount: 3, windowMs: 60_000 };
    const a = await startGateway({ loginLimits: limits });
    const b = await startGateway({ loginLimits: limits });
    expect((await login(a.url, 'dr_grey', 'wrong-1')).status).toBe(401);
    expect((await login(a.url, 'dr_grey', 'wrong-2')).status).toBe(401);
    expect((await login(b.url, 'dr_grey', 'wrong-3')).status).toBe(401);
    for (const base of [a.url, b.url]) {
      const refused = await login(base, 'dr_grey', 'grey-demo-2026');
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(55);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }
    expect((await login(b.url, 'nurse_joy', 'joy-demo-2026')).status).toBe(200);
  });

  it('clear an account count on every instance when one of them logs it in', async () => {
    const limits = { perAccount: 3, windowMs: 60_000 };
    const a = await startGateway({ loginLimits: limits });
    const b = await startGateway({ loginLimits: limits });
    expect((await login(a.url, 'nurse_joy', 'wrong-1')).status).toBe(401);
    expect((await login(a.url, 'nurse_joy', 'wrong-2')).status).toBe(401);
    expect((await login(b.url, 'nurse_joy', 'joy-demo-2026')).status).toBe(200);
    expect((await login(a.url, 'nurse_joy', 'wrong-3')).status).toBe(401);
    expect((await login(a.url, 'nurse_joy', 'wrong-4')).status).toBe(401);
    expect((await login(a.url, 'nurse_joy', 'joy-demo-2026')).status).toBe(200);
  });

  it('share one per-user rate: 2 calls on one and 2 on the other, the 4th is refused', async () => {
    const a = await startGateway({ perMinute: 3 });
    const b = await startGateway({ perMinute: 3 });
    expect([a.app.limitsScope(), b.app.limitsScope()]).toEqual(['redis', 'redis']);
    expect((await call(a.url, 'yenji100')).status).toBe(200);
    expect((await call(a.url, 'yenji100')).status).toBe(200);
    expect((await call(b.url, 'yenji100')).status).toBe(200);
    const refused = await call(b.url, 'yenji100');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('20');
    expect((await call(a.url, 'yenji100')).status).toBe(429);
    expect((await call(b.url, 'dr_grey')).status).toBe(200);
  });

  it('close their Redis connection when they close', async () => {
    const named = async () =>
      String(await admin.sendCommand(['CLIENT', 'LIST']))
        .split('\n')
        .filter((line) => line.includes(` name=${prefix}gateway `)).length;
    const gateway = await startGateway();
    expect(await named()).toBe(1);
    await gateway.app.close();
    await sleep(50);
    expect(await named()).toBe(0);
  });

  it('without Redis: still serve, still throttle and limit (per instance), warn once without PHI', async () => {
    const closedPort = new URL(await closedPortUrl()).port;
    const { logger, lines } = capturingLogger();
    const started = Date.now();
    const gateway = await startGateway({
      redisUrl: `redis://:hunter2-secret@127.0.0.1:${closedPort}`,
      perMinute: 2,
      loginLimits: { perAccount: 2 },
      logger,
    });
    expect(Date.now() - started).toBeLessThan(1_500);
    // What its start-up line reports: not 'redis', which it cannot reach.
    expect(gateway.app.limitsScope()).toBe('memory (redis unavailable)');
    expect((await login(gateway.url, 'yenji100', 'kingjulien100')).status).toBe(200);
    expect((await login(gateway.url, 'p001', 'wrong-1')).status).toBe(401);
    expect((await login(gateway.url, 'p001', 'wrong-2')).status).toBe(401);
    const throttled = await login(gateway.url, 'p001', 'p001-demo-2026');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(800);
    expect((await call(gateway.url, 'dr_grey')).status).toBe(200);
    expect((await call(gateway.url, 'dr_grey')).status).toBe(200);
    const limited = await call(gateway.url, 'dr_grey');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('30');

    const warnings = lines().filter((l) => l.msg === 'redis unavailable; login throttling and rate limits fall back to per-instance counters');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, err: { name: 'Error' } });
    const text = JSON.stringify(warnings[0]);
    for (const secret of ['hunter2', 'p001', 'yenji100', '127.0.0.1']) expect(text).not.toContain(secret);

    const closing = Date.now();
    await gateway.app.close();
    expect(Date.now() - closing).toBeLessThan(1_000);
  });
});
