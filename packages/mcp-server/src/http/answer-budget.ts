/**
 * What the MCP server's tool calls may hold in memory at once, process-wide: the answers they
 * are building and the answers built but not yet written out.
 *
 * Two limits. At most `slots` calls run at once; the others wait their turn, first come,
 * first served (each running call holds its rows, its shaped answer and that answer's JSON at
 * the same time: sixty large calls at once took the server to 4 GB). And the answers in
 * flight, counted in characters of JSON, stay within `chars`: an answer is counted from the
 * moment its call gets a slot until its HTTP response has gone (a batch's answers until the
 * whole batch has). A hundred concurrent batches of large answers took the server to 2.9 GB
 * with only the slots and a per-batch limit; each batch held its own sixteen megabytes.
 *
 * A call's size is not known until it has run, so a call is booked at what answers to the
 * same kind of call (the transport's key: the tool, and the patient it names) have lately been
 * (the largest at once, then less as smaller ones come), and its booking becomes the real size
 * once its answer is written. A call whose booking would take
 * the answers in flight past the limit is refused there and then, not queued: it runs nothing
 * and is answered at once, so memory never waits on a client that reads slowly. Answers of
 * a few kilobytes never come near the limit.
 */
import { LruMap } from '@secure-hospital-ai/core/lru';

export interface AnswerBudgetLimits {
  /** Tool calls running at once. */
  slots: number;
  /** Characters of JSON answers in flight at once. */
  chars: number;
}

/** One admitted call's slot and booking. */
export interface AnswerTicket {
  /** The call has run: its slot passes to the next in line. Idempotent. */
  ran(): void;
  /** The answer's real size in characters; it replaces the booking, and teaches the estimate for its kind of call. */
  settle(chars: number): void;
  /** The answer has gone, or never will: its characters are given back (and its slot, if still held). Idempotent. */
  release(): void;
}

export interface AnswerBudget {
  /**
   * A slot and a booking for one call of this `kind`: at once when a slot is free, else when one
   * frees up; null when the answers in flight leave no room for it.
   */
  admit(kind: string): AnswerTicket | null | Promise<AnswerTicket | null>;
  /** Characters booked now, and calls running. */
  readonly stats: { readonly chars: number; readonly running: number; readonly waiting: number };
}

export const DEFAULT_ANSWER_BUDGET: AnswerBudgetLimits = { slots: 64, chars: 64 * 1024 * 1024 };

/** A kind of call never seen to answer is booked at this: an overview is about 30 KB. */
const FIRST_ESTIMATE = 64 * 1024;
/** Estimates fall by an eighth of the gap to each smaller answer, and rise to a larger one at once. */
const ESTIMATE_FALL = 8;
/** Estimates are kept for so many kinds of call: one a client made up costs one entry at most, and is forgotten. */
const ESTIMATED_KINDS = 4096;

export function createAnswerBudget(limits: AnswerBudgetLimits = DEFAULT_ANSWER_BUDGET): AnswerBudget {
  if (!(limits.slots >= 1) || !(limits.chars >= 1)) throw new RangeError('answer budget limits must be positive');
  let running = 0;
  let booked = 0;
  const waiting: Array<{ kind: string; resolve: (ticket: AnswerTicket | null) => void }> = [];
  const estimates = new LruMap<string, number>(ESTIMATED_KINDS);

  function learn(kind: string, chars: number): void {
    const old = estimates.get(kind) ?? FIRST_ESTIMATE;
    estimates.set(kind, chars >= old ? chars : old + (chars - old) / ESTIMATE_FALL);
  }

  /** Takes a slot and books the call, or null when the booking would not fit (the slot is not taken). */
  function grant(kind: string): AnswerTicket | null {
    const estimate = estimates.get(kind) ?? FIRST_ESTIMATE;
    // Nothing in flight: the call runs whatever its estimate, or one large answer would be refused forever.
    if (booked > 0 && booked + estimate > limits.chars) return null;
    running += 1;
    booked += estimate;
    let reserved = estimate;
    let slotHeld = true;
    let released = false;
    const ran = () => {
      if (!slotHeld) return;
      slotHeld = false;
      running -= 1;
      pump();
    };
    return {
      ran,
      settle(chars) {
        if (released) return;
        booked += chars - reserved;
        reserved = chars;
        learn(kind, chars);
      },
      release() {
        ran();
        if (released) return;
        released = true;
        booked -= reserved;
        reserved = 0;
      },
    };
  }

  /** Free slots go to the callers waiting, in order; one that no longer fits is told so. */
  function pump(): void {
    while (running < limits.slots && waiting.length > 0) {
      const next = waiting.shift()!;
      next.resolve(grant(next.kind));
    }
  }

  return {
    admit(kind) {
      if (running < limits.slots && waiting.length === 0) return grant(kind);
      return new Promise((resolve) => waiting.push({ kind, resolve }));
    },
    get stats() {
      return { chars: booked, running, waiting: waiting.length };
    },
  };
}
