/**
 * REDIS_URL (SPEC config table): the login-failure counts and the per-user tool-call rate
 * live in Redis, so every gateway instance behind a load balancer counts against one
 * budget. Revocations need nothing here: they are rows in the shared database already.
 *
 * Each operation is one Lua script, so concurrent instances never race between a read and
 * a write. Keys are `<prefix><purpose>:<sha256(key)>`: usernames and client addresses never
 * appear in Redis in the clear.
 *
 * Outage policy: when Redis cannot answer (down, unreachable, or slower than
 * COMMAND_TIMEOUT_MS), each instance falls back to its own in-memory counters, which is
 * exactly the behaviour without REDIS_URL. Failing closed would lock clinicians out of
 * logging in (and tool calls out of care) for as long as a cache is down; failing open
 * would let password guessing run unthrottled. Falling back keeps both limits in force,
 * only per instance (N instances allow N times the budget) until Redis answers again.
 * The switch is logged once each way, with the error's code only.
 */
import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import type { Logger } from '@secure-hospital-ai/core/logger';
import { MemoryFailureCounterStore, type FailureCounterStore, type FailureWindow } from './login-throttle.js';
import { MemoryRateLimiter, type RateLimiter } from './rate-limit.js';

export const DEFAULT_KEY_PREFIX = 'shai:';
/** A request waits at most this long for Redis before the instance counts on its own. */
export const COMMAND_TIMEOUT_MS = 250;
/** How long start-up waits for a first connection before serving with the fallback. */
const STARTUP_WAIT_MS = 2_000;

/** The one method the stores need; node-redis clients have it (and tests can wrap one). */
export interface RedisCommandSender {
  sendCommand(args: string[]): Promise<unknown>;
}

/** A Lua script run by EVALSHA, loaded with EVAL the first time a server has not seen it. */
class LuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: RedisCommandSender, key: string, args: readonly (string | number)[]): Promise<unknown> {
    const tail = ['1', key, ...args.map(String)];
    try {
      return await redis.sendCommand(['EVALSHA', this.#sha, ...tail]);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.sendCommand(['EVAL', this.#source, ...tail]);
    }
  }
}

function hashedKey(prefix: string, purpose: string, key: string): string {
  return `${prefix}${purpose}:${createHash('sha256').update(key).digest('hex')}`;
}

// The window opens at the first failure and is never extended (as in the memory store); a
// key found without a TTL (written by something else) gets one rather than living forever.
const INCREMENT = new LuaScript(`
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`);

// Never below zero, and DECR keeps the key's TTL: the window stays where it opened.
const RELEASE = new LuaScript(`
local count = tonumber(redis.call('GET', KEYS[1]))
if count and count > 0 then redis.call('DECR', KEYS[1]) end
return 1
`);

const PEEK = new LuaScript(`
local count = redis.call('GET', KEYS[1])
if not count then return false end
return {tonumber(count), redis.call('PTTL', KEYS[1])}
`);

function toWindow(reply: unknown, now: number): FailureWindow | undefined {
  if (!Array.isArray(reply)) return undefined;
  const [count, ttl] = reply.map(Number) as [number, number];
  if (!(ttl > 0)) return undefined;
  return { count, resetAt: now + ttl };
}

export class RedisFailureCounterStore implements FailureCounterStore {
  readonly #redis: RedisCommandSender;
  readonly #prefix: string;

  constructor(redis: RedisCommandSender, prefix = DEFAULT_KEY_PREFIX) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async peek(key: string): Promise<FailureWindow | undefined> {
    return toWindow(await PEEK.run(this.#redis, this.#key(key), []), Date.now());
  }

  async increment(key: string, windowMs: number): Promise<FailureWindow> {
    const window = toWindow(await INCREMENT.run(this.#redis, this.#key(key), [Math.ceil(windowMs)]), Date.now());
    if (!window) throw new Error('unexpected reply from Redis to the failure-count script');
    return window;
  }

  async release(key: string): Promise<void> {
    await RELEASE.run(this.#redis, this.#key(key), []);
  }

  async clear(key: string): Promise<void> {
    await this.#redis.sendCommand(['DEL', this.#key(key)]);
  }

  #key(key: string): string {
    return hashedKey(this.#prefix, 'login-failures', key);
  }
}

// The memory limiter's token bucket, on Redis's clock (TIME) so instances whose clocks
// differ still agree. A bucket expires once it would have refilled completely: a missing
// bucket and a full one mean the same, so Redis holds only the accounts that are busy.
const TAKE = new LuaScript(`
local capacity = tonumber(ARGV[1])
local rate = capacity / tonumber(ARGV[2])
local calls = tonumber(ARGV[3] or '1')
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1])
if tokens == nil then
  tokens = capacity
else
  tokens = math.min(capacity, tokens + math.max(0, now - tonumber(bucket[2])) * rate)
end
local wait = 0
if tokens >= calls then
  tokens = tokens - calls
else
  wait = math.max(1, math.ceil((calls - tokens) / rate / 1000))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate) + 1000)
return wait
`);

export class RedisRateLimiter implements RateLimiter {
  readonly #redis: RedisCommandSender;
  readonly #capacity: number;
  readonly #periodMs: number;
  readonly #prefix: string;

  /** `perPeriod` requests per `periodMs` (a minute unless a test needs a shorter one). */
  constructor(redis: RedisCommandSender, perPeriod: number, options: { prefix?: string; periodMs?: number } = {}) {
    if (!Number.isInteger(perPeriod) || perPeriod <= 0) throw new RangeError('perPeriod must be a positive integer');
    this.#redis = redis;
    this.#capacity = perPeriod;
    this.#periodMs = options.periodMs ?? 60_000;
    this.#prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
  }

  async take(key: string, calls = 1): Promise<number> {
    const wait = await TAKE.run(this.#redis, hashedKey(this.#prefix, 'tool-rate', key), [this.#capacity, this.#periodMs, calls]);
    if (typeof wait !== 'number') throw new Error('unexpected reply from Redis to the rate-limit script');
    return wait;
  }
}

/** Tracks whether Redis is answering, logs each change once, and applies the outage policy. */
export class RedisOutageGuard {
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  #down = false;

  constructor(logger: Logger, timeoutMs = COMMAND_TIMEOUT_MS) {
    this.#logger = logger;
    this.#timeoutMs = timeoutMs;
  }

  get down(): boolean {
    return this.#down;
  }

  /** The shared answer when Redis gives one in time, else this instance's own. */
  async run<T>(shared: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await withTimeout(shared(), this.#timeoutMs);
    } catch (error) {
      this.noteFailure(error);
      return local();
    }
    if (this.#down) {
      this.#down = false;
      this.#logger.info('redis answering again; login throttling and rate limits are shared across instances');
    }
    return result;
  }

  noteFailure(error: unknown): void {
    if (this.#down) return;
    this.#down = true;
    // The code and class only: a message could carry the URL, and with it a password.
    const code = (error as { code?: unknown } | null)?.code;
    this.#logger.warn(
      { err: { name: error instanceof Error ? error.name : typeof error, code: typeof code === 'string' ? code : undefined } },
      'redis unavailable; login throttling and rate limits fall back to per-instance counters',
    );
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('redis command timed out'), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class FallbackFailureCounterStore implements FailureCounterStore {
  constructor(
    readonly shared: FailureCounterStore,
    readonly local: FailureCounterStore,
    readonly guard: RedisOutageGuard,
  ) {}

  peek(key: string): Promise<FailureWindow | undefined> {
    return this.guard.run(() => this.shared.peek(key), () => this.local.peek(key));
  }

  increment(key: string, windowMs: number): Promise<FailureWindow> {
    return this.guard.run(() => this.shared.increment(key, windowMs), () => this.local.increment(key, windowMs));
  }

  release(key: string): Promise<void> {
    return this.guard.run(() => this.shared.release(key), () => this.local.release(key));
  }

  clear(key: string): Promise<void> {
    // Both, so a success clears a count the fallback may have gathered during an outage.
    return this.guard.run(
      async () => {
        await this.local.clear(key);
        await this.shared.clear(key);
      },
      () => this.local.clear(key),
    );
  }
}

export class FallbackRateLimiter implements RateLimiter {
  constructor(
    readonly shared: RateLimiter,
    readonly local: RateLimiter,
    readonly guard: RedisOutageGuard,
  ) {}

  take(key: string, calls = 1): Promise<number> {
    return this.guard.run(() => this.shared.take(key, calls), () => this.local.take(key, calls));
  }
}

export interface RedisStoreOptions {
  readonly url: string;
  readonly logger: Logger;
  /** Tool calls per minute per account; 0 means no rate limiter. */
  readonly perMinute: number;
  /** Defaults to `shai:`; lets several deployments (or test runs) share one Redis. */
  readonly keyPrefix?: string;
  readonly commandTimeoutMs?: number;
}

export interface RedisStores {
  readonly loginFailureStore: FailureCounterStore;
  readonly rateLimiter: RateLimiter | null;
  readonly guard: RedisOutageGuard;
  close(): Promise<void>;
}

/**
 * Connects to REDIS_URL and returns the shared stores, each falling back to memory during
 * an outage. Start-up waits briefly for the first connection but does not require it: a
 * gateway that cannot reach Redis serves with per-instance limits and keeps reconnecting.
 */
export async function openRedisStores(options: RedisStoreOptions): Promise<RedisStores> {
  if (!/^rediss?:\/\//.test(options.url)) throw new Error('REDIS_URL must start with redis:// or rediss://');
  const prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const guard = new RedisOutageGuard(options.logger, options.commandTimeoutMs);
  const client = createClient({
    url: options.url,
    // Named (`shai:gateway`) so operators can tell the gateway's connections apart in CLIENT LIST.
    name: `${prefix}gateway`,
    // Commands fail at once while disconnected instead of queueing behind a reconnect.
    disableOfflineQueue: true,
    socket: { connectTimeout: 2_000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2_000) },
  });
  // Without a listener an 'error' event would crash the process.
  client.on('error', (error: unknown) => guard.noteFailure(error));

  const connected = client.connect().then(
    () => true,
    () => false,
  );
  const firstError = new Promise<boolean>((resolve) => client.once('error', () => resolve(false)));
  let timer: NodeJS.Timeout | undefined;
  const startupWait = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), STARTUP_WAIT_MS);
  });
  const ready = await Promise.race([connected, firstError, startupWait]);
  clearTimeout(timer);
  if (!ready) guard.noteFailure(Object.assign(new Error('redis not connected at start-up'), { code: 'ENOTCONNECTED' }));

  const sender: RedisCommandSender = { sendCommand: (args) => client.sendCommand(args) };
  const loginFailureStore = new FallbackFailureCounterStore(
    new RedisFailureCounterStore(sender, prefix),
    new MemoryFailureCounterStore(),
    guard,
  );
  const rateLimiter =
    options.perMinute > 0
      ? new FallbackRateLimiter(new RedisRateLimiter(sender, options.perMinute, { prefix }), new MemoryRateLimiter(options.perMinute), guard)
      : null;
  return {
    loginFailureStore,
    rateLimiter,
    guard,
    async close() {
      // Not close(), which waits for replies still due: by now every request has had its
      // answer, so a reply still due belongs to a command that timed out, and Redis may be
      // stalled for good.
      if (client.isOpen) client.destroy();
    },
  };
}
