/**
 * Slows password guessing at POST /api/token/ (OWASP Authentication Cheat Sheet, "Login
 * Throttling"): failures are counted per account and per client address in a fixed window
 * that opens at the first failure. Past either limit, attempts are refused with 429 and
 * Retry-After without checking the password, so guessing costs the attacker time and us no
 * CPU. A success clears the account's counter (not the address's: one valid account must
 * not launder an address that is spraying others).
 *
 * Checks in flight count against the limit too. Counting failures only once checked let
 * attempts sent at once all pass a limit none of them had reached yet: 60 guesses in parallel
 * were 60 password checks. Now failures so far plus checks in flight never exceed the limit:
 * an attempt beyond it waits for a check to end (a success frees its place, a failure keeps
 * it), and is refused once the failures alone reach the limit. So concurrent logins of one
 * account that succeed wait a moment; concurrent guesses never get more checks than the limit.
 * Waiting attempts are let in first come, first served within an instance: a newcomer never
 * takes a freed place from one that has waited.
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
  /** Per key, the turn of the last attempt in line: the next one waits for it. */
  readonly #lineEnds = new Map<string, Promise<void>>();
  /** Attempts at the head of their line, waiting for a place to come free. */
  readonly #waking = new Set<() => void>();

  constructor(store: FailureCounterStore, limits: Partial<LoginThrottleLimits> = {}, now: () => number = Date.now) {
    this.#store = store;
    this.#limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
    this.#now = now;
  }

  /**
   * Lets an attempt have its password checked, or refuses it: ERR_THROTTLED (429 +
   * Retry-After) when the account's or the address's failures have reached their limit. Until
   * failures plus checks in flight leave it room, the attempt waits its turn (about 10 s at
   * most, then it is refused too). An attempt let in is then settled with exactly one of
   * `failed`, `succeeded` or `abandoned`.
   */
  async begin(username: string, address: string | null): Promise<void> {
    const keys = this.#keys(username, address);
    // In line behind the attempts on the same account or address that came before it.
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const ahead = keys.map((key) => this.#lineEnds.get(key.inFlight));
    for (const key of keys) this.#lineEnds.set(key.inFlight, mine);
    const deadline = performance.now() + MAX_WAIT_MS;
    try {
      await Promise.all(ahead);
      await this.#takeTurn(keys, deadline);
    } finally {
      done();
      for (const key of keys) if (this.#lineEnds.get(key.inFlight) === mine) this.#lineEnds.delete(key.inFlight);
    }
  }

  async #takeTurn(keys: readonly ThrottleKey[], deadline: number): Promise<void> {
    for (;;) {
      const waits: number[] = [];
      for (const { failures, limit } of keys) {
        const window = await this.#store.peek(failures);
        if (window && window.count >= limit) waits.push(window.resetAt);
      }
      if (waits.length > 0) throw this.#throttled(Math.max(...waits));
      if (await this.#takePlaces(keys)) return;
      if (performance.now() >= deadline) throw this.#throttled(this.#now() + 1000);
      await this.#placeFreed();
    }
  }

  /** Until a check on this instance ends, or a moment passes (another instance's may have). */
  #placeFreed(): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#waking.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, POLL_MS);
      this.#waking.add(wake);
    });
  }

  /** The password was wrong (or the account unusable): a failure of the account and the address. */
  async failed(username: string, address: string | null): Promise<void> {
    const keys = this.#keys(username, address);
    for (const { failures } of keys) await this.#store.increment(failures, this.#limits.windowMs);
    await this.#leave(keys);
  }

  /** The password was right: the account's failures are forgiven, the address keeps its own. */
  async succeeded(username: string, address: string | null): Promise<void> {
    await this.#store.clear(accountKey(username));
    await this.#leave(this.#keys(username, address));
  }

  /** An administrator set a new password: the account's failures are forgiven (its address keeps its own). */
  async forgive(username: string): Promise<void> {
    await this.#store.clear(accountKey(username));
  }

  /** The attempt ended before it could fail or succeed (the database did not answer, say). */
  async abandoned(username: string, address: string | null): Promise<void> {
    await this.#leave(this.#keys(username, address));
  }

  /** A place among the checks in flight of every key, or none (all taken back). */
  async #takePlaces(keys: readonly ThrottleKey[]): Promise<boolean> {
    const taken: ThrottleKey[] = [];
    for (const key of keys) {
      const inFlight = await this.#store.increment(key.inFlight, IN_FLIGHT_TTL_MS);
      taken.push(key);
      const failed = (await this.#store.peek(key.failures))?.count ?? 0;
      if (failed + inFlight.count > key.limit) {
        await this.#leave(taken);
        return false;
      }
    }
    return true;
  }

  async #leave(keys: readonly ThrottleKey[]): Promise<void> {
    for (const { inFlight } of keys) await this.#store.release(inFlight);
    for (const wake of [...this.#waking]) wake();
  }

  #throttled(until: number): AppError {
    const seconds = Math.max(1, Math.ceil((until - this.#now()) / 1000));
    return new AppError('ERR_THROTTLED', {
      detail: `Too many failed login attempts. Try again in ${seconds} seconds.`,
      internalReason: 'login_throttled',
      headers: { 'retry-after': String(seconds) },
    });
  }

  #keys(username: string, address: string | null): ThrottleKey[] {
    const keys = [{ failures: accountKey(username), inFlight: `${accountKey(username)}:in-flight`, limit: this.#limits.perAccount }];
    if (address) keys.push({ failures: addressKey(address), inFlight: `${addressKey(address)}:in-flight`, limit: this.#limits.perAddress });
    return keys;
  }
}

interface ThrottleKey {
  readonly failures: string;
  readonly inFlight: string;
  readonly limit: number;
}

/** How often an attempt at the head of its line looks again, and how long any attempt waits at most. */
const POLL_MS = 25;
const MAX_WAIT_MS = 10_000;
/**
 * Checks in flight are counted in a window of their own, so that a gateway that died holding
 * places gives them back within this time. A password check takes milliseconds.
 */
const IN_FLIGHT_TTL_MS = 60_000;

// Case-folded so that "Admin" and "admin" share one budget whether or not they are one account.
function accountKey(username: string): string {
  return `login:account:${username.toLowerCase()}`;
}

function addressKey(address: string): string {
  return `login:address:${address}`;
}
