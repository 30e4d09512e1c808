/**
 * Per-account request rate at the proxy (SPEC: RATE_LIMIT_PER_USER tool calls per minute).
 * A token bucket: a full minute's allowance may be spent in a burst, then it refills
 * steadily, so there is no window edge at which twice the rate gets through.
 */

export interface RateLimiter {
  /**
   * Takes `calls` tool calls' worth (a batch carries several); resolves 0 when allowed, else the
   * seconds to wait (Retry-After). A refused take takes nothing.
   */
  take(key: string, calls?: number): Promise<number>;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const SWEEP_INTERVAL_MS = 60_000;

export class MemoryRateLimiter implements RateLimiter {
  readonly #capacity: number;
  readonly #refillPerMs: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();
  #lastSweep: number;

  constructor(perMinute: number, now: () => number = Date.now) {
    if (!Number.isInteger(perMinute) || perMinute <= 0) throw new RangeError('perMinute must be a positive integer');
    this.#capacity = perMinute;
    this.#refillPerMs = perMinute / 60_000;
    this.#now = now;
    this.#lastSweep = now();
  }

  async take(key: string, calls = 1): Promise<number> {
    return this.takeNow(key, calls);
  }

  /** Synchronous form of take() for callers that can skip a promise. */
  takeNow(key: string, calls = 1): number {
    const now = this.#now();
    if (now - this.#lastSweep > SWEEP_INTERVAL_MS) this.#sweep(now);
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.#capacity, updatedAt: now };
      this.#buckets.set(key, bucket);
    } else {
      const refilled = bucket.tokens + (now - bucket.updatedAt) * this.#refillPerMs;
      bucket.tokens = refilled > this.#capacity ? this.#capacity : refilled;
      bucket.updatedAt = now;
    }
    if (bucket.tokens >= calls) {
      bucket.tokens -= calls;
      return 0;
    }
    return Math.max(1, Math.ceil((calls - bucket.tokens) / this.#refillPerMs / 1000));
  }

  /** Buckets that have refilled completely carry no information: drop them to bound memory. */
  #sweep(now: number): void {
    this.#lastSweep = now;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.#refillPerMs >= this.#capacity) this.#buckets.delete(key);
    }
  }

  get size(): number {
    return this.#buckets.size;
  }
}
