/**
 * Slows password guessing at POST /api/token/ (OWASP Authentication Cheat Sheet, "Login
 * Throttling"): failures are counted per account and per client address in a fixed window
 * that opens at the first failure. Past either limit, attempts are refused with 429 and
 * Retry-After without checking the password, so guessing costs the attacker time and us no
 * CPU. A success clears the account's counter (not the address's: one valid account must
 * not launder an address that is spraying others).
 *
 * Each attempt is counted BEFORE its password is checked, and taken back if it turns out not
 * to be a failure. Counting after the check let attempts sent at once all pass a limit that
 * none of them had reached yet: 60 guesses in parallel were 60 password checks.
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
  /** Takes one back, never below zero, leaving the window where it is. */
  release(key: string): Promise<void>;
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

  async release(key: string): Promise<void> {
    const window = this.#windows.get(key);
    if (window !== undefined && window.count > 0) window.count -= 1;
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

  /**
   * Counts an attempt as a failure of its account and address before the password is checked.
   * Throws ERR_THROTTLED (429 + Retry-After), taking the count back, when that puts either past
   * its limit. An attempt let through is then settled: a failure needs nothing more,
   * `succeeded` or `abandoned` takes the count back.
   */
  async begin(username: string, address: string | null): Promise<void> {
    const counted = this.#keys(username, address);
    const waits: number[] = [];
    for (const { key, limit } of counted) {
      const window = await this.#store.increment(key, this.#limits.windowMs);
      if (window.count > limit) waits.push(window.resetAt);
    }
    if (waits.length === 0) return;
    await this.#release(counted);
    const seconds = Math.max(1, Math.ceil((Math.max(...waits) - this.#now()) / 1000));
    throw new AppError('ERR_THROTTLED', {
      detail: `Too many failed login attempts. Try again in ${seconds} seconds.`,
      internalReason: 'login_throttled',
      headers: { 'retry-after': String(seconds) },
    });
  }

  /** The password was right: the account's failures are forgiven, the address keeps its own. */
  async succeeded(username: string, address: string | null): Promise<void> {
    await this.#store.clear(accountKey(username));
    if (address) await this.#store.release(addressKey(address));
  }

  /** The attempt ended before it could fail or succeed (the database did not answer, say). */
  async abandoned(username: string, address: string | null): Promise<void> {
    await this.#release(this.#keys(username, address));
  }

  #keys(username: string, address: string | null): { key: string; limit: number }[] {
    const keys = [{ key: accountKey(username), limit: this.#limits.perAccount }];
    if (address) keys.push({ key: addressKey(address), limit: this.#limits.perAddress });
    return keys;
  }

  async #release(counted: readonly { key: string }[]): Promise<void> {
    for (const { key } of counted) await this.#store.release(key);
  }
}

// Case-folded so that "Admin" and "admin" share one budget whether or not they are one account.
function accountKey(username: string): string {
  return `login:account:${username.toLowerCase()}`;
}

function addressKey(address: string): string {
  return `login:address:${address}`;
}
