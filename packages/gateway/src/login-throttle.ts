/**
 * Slows password guessing at POST /api/token/ (OWASP Authentication Cheat Sheet, "Login
 * Throttling"): failures are counted per account and per client address in a fixed window
 * that opens at the first failure. Past either limit, attempts are refused with 429 and
 * Retry-After without checking the password, so guessing costs the attacker time and us no
 * CPU. A success clears the account's counter (not the address's: one valid account must
 * not launder an address that is spraying others).
 */
import { AppError } from '@secure-hospital-ai/core/errors';

export interface FailureWindow {
  readonly count: number;
  /** Epoch milliseconds at which the window closes and the count drops to zero. */
  readonly resetAt: number;
}

/** Where counts live: memory for one instance; a shared store (Redis INCR + PEXPIRE) for several. */
export interface FailureCounterStore {
  peek(key: string): Promise<FailureWindow | undefined>;
  increment(key: string, windowMs: number): Promise<FailureWindow>;
  clear(key: string): Promise<void>;
}

export class MemoryFailureCounterStore implements FailureCounterStore {
  readonly #windows = new Map<string, { count: number; resetAt: number }>();
  readonly #now: () => number;
  #lastSweep: number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.#lastSweep = now();
  }

  async peek(key: string): Promise<FailureWindow | undefined> {
    const window = this.#windows.get(key);
    if (window === undefined) return undefined;
    if (window.resetAt <= this.#now()) {
      this.#windows.delete(key);
      return undefined;
    }
    return { ...window };
  }

  async increment(key: string, windowMs: number): Promise<FailureWindow> {
    const now = this.#now();
    if (now - this.#lastSweep > 60_000) this.#sweep(now);
    let window = this.#windows.get(key);
    if (window === undefined || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      this.#windows.set(key, window);
    }
    window.count += 1;
    return { ...window };
  }

  async clear(key: string): Promise<void> {
    this.#windows.delete(key);
  }

  #sweep(now: number): void {
    this.#lastSweep = now;
    for (const [key, window] of this.#windows) if (window.resetAt <= now) this.#windows.delete(key);
  }

  get size(): number {
    return this.#windows.size;
  }
}

export interface LoginThrottleLimits {
  /** Failures per account (username) within the window. */
  readonly perAccount: number;
  /** Failures per client address within the window. */
  readonly perAddress: number;
  readonly windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginThrottleLimits = { perAccount: 5, perAddress: 20, windowMs: 15 * 60_000 };

export class LoginThrottle {
  readonly #store: FailureCounterStore;
  readonly #limits: LoginThrottleLimits;
  readonly #now: () => number;

  constructor(store: FailureCounterStore, limits: Partial<LoginThrottleLimits> = {}, now: () => number = Date.now) {
    this.#store = store;
    this.#limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
    this.#now = now;
  }

  /** Throws ERR_THROTTLED (429 + Retry-After) when the account or the address is over its limit. */
  async assertAllowed(username: string, address: string | null): Promise<void> {
    const waits: number[] = [];
    const account = await this.#store.peek(accountKey(username));
    if (account && account.count >= this.#limits.perAccount) waits.push(account.resetAt);
    if (address) {
      const byAddress = await this.#store.peek(addressKey(address));
      if (byAddress && byAddress.count >= this.#limits.perAddress) waits.push(byAddress.resetAt);
    }
    if (waits.length === 0) return;
    const seconds = Math.max(1, Math.ceil((Math.max(...waits) - this.#now()) / 1000));
    throw new AppError('ERR_THROTTLED', {
      detail: `Too many failed login attempts. Try again in ${seconds} seconds.`,
      internalReason: 'login_throttled',
      headers: { 'retry-after': String(seconds) },
    });
  }

  async recordFailure(username: string, address: string | null): Promise<void> {
    await this.#store.increment(accountKey(username), this.#limits.windowMs);
    if (address) await this.#store.increment(addressKey(address), this.#limits.windowMs);
  }

  async recordSuccess(username: string): Promise<void> {
    await this.#store.clear(accountKey(username));
  }
}

// Case-folded so that "Admin" and "admin" share one budget whether or not they are one account.
function accountKey(username: string): string {
  return `login:account:${username.toLowerCase()}`;
}

function addressKey(address: string): string {
  return `login:address:${address}`;
}
