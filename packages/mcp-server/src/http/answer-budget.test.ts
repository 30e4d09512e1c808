import { describe, expect, it } from 'vitest';
import { createAnswerBudget, type AnswerTicket } from './answer-budget.js';

const MB = 1_000_000;

/** Admission as a promise, whichever way the budget answered. */
const admit = (budget: ReturnType<typeof createAnswerBudget>, tool: string) => Promise.resolve(budget.admit(tool));

describe('answer budget: slots', () => {
  it('runs no more than the slots at once, the rest in the order they came', async () => {
    const budget = createAnswerBudget({ slots: 2, chars: 100 * MB });
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const call = async (n: number) => {
      const ticket = (await admit(budget, 'tool')) as AnswerTicket;
      started.push(n);
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 3));
      running -= 1;
      ticket.ran();
      ticket.release();
      return n;
    };
    expect(await Promise.all([0, 1, 2, 3, 4, 5].map(call))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(budget.stats).toEqual({ chars: 0, running: 0, waiting: 0 });
  });

  it('passes the slot on when the call has run, while its answer is still being sent', async () => {
    const budget = createAnswerBudget({ slots: 1, chars: 100 * MB });
    const first = (await admit(budget, 'tool')) as AnswerTicket;
    const second = admit(budget, 'tool');
    expect(budget.stats.waiting).toBe(1);
    first.ran();
    expect(await second).not.toBeNull();
    // ran() and release() are idempotent: the slot is not given back twice.
    first.ran();
    first.release();
    first.release();
    expect(budget.stats.running).toBe(1);
  });
});

describe('answer budget: characters in flight', () => {
  it('books a call at its tool’s last answer, and refuses one that would not fit until answers have gone', async () => {
    const budget = createAnswerBudget({ slots: 8, chars: 10 * MB });
    const first = (await admit(budget, 'notes')) as AnswerTicket;
    first.ran();
    first.settle(6 * MB);
    expect(budget.stats.chars).toBe(6 * MB);
    // The estimate is now 6 MB: a second would take the answers in flight past 10 MB.
    expect(await admit(budget, 'notes')).toBeNull();
    // Another tool, never seen, is booked small and fits.
    const small = (await admit(budget, 'overview')) as AnswerTicket;
    expect(small).not.toBeNull();
    small.settle(30_000);
    small.release();
    first.release();
    expect(budget.stats.chars).toBe(0);
    const again = await admit(budget, 'notes');
    expect(again).not.toBeNull();
    expect(budget.stats.chars).toBe(6 * MB);
  });

  it('always runs a call when nothing is in flight, however large its tool’s answers are', async () => {
    const budget = createAnswerBudget({ slots: 8, chars: 1 * MB });
    const huge = (await admit(budget, 'notes')) as AnswerTicket;
    huge.settle(50 * MB);
    huge.release();
    const next = (await admit(budget, 'notes')) as AnswerTicket;
    expect(next).not.toBeNull();
    expect(await admit(budget, 'other')).toBeNull();
    next.release();
  });

  it('lets an estimate fall slowly after smaller answers, and rise at once to a larger one', async () => {
    const budget = createAnswerBudget({ slots: 8, chars: 100 * MB });
    const settle = async (chars: number) => {
      const ticket = (await admit(budget, 'notes')) as AnswerTicket;
      ticket.settle(chars);
      ticket.release();
    };
    const bookedFor = async () => {
      const ticket = (await admit(budget, 'notes')) as AnswerTicket;
      const booked = budget.stats.chars;
      ticket.release();
      return booked;
    };
    await settle(8 * MB);
    expect(await bookedFor()).toBe(8 * MB);
    await settle(0);
    expect(await bookedFor()).toBe(7 * MB);
    await settle(20 * MB);
    expect(await bookedFor()).toBe(20 * MB);
  });

  it('tells a caller who waited for a slot that there is no room, and lets the next one through', async () => {
    const budget = createAnswerBudget({ slots: 1, chars: 10 * MB });
    const learn = (await admit(budget, 'notes')) as AnswerTicket;
    learn.settle(6 * MB);
    learn.release();
    const running = (await admit(budget, 'notes')) as AnswerTicket;
    const waitingNotes = admit(budget, 'notes');
    const waitingSmall = admit(budget, 'overview');
    running.ran(); // its answer is still being sent: 6 MB booked
    expect(await waitingNotes).toBeNull();
    const small = await waitingSmall;
    expect(small).not.toBeNull();
    expect(budget.stats).toMatchObject({ running: 1, waiting: 0 });
    small?.release();
    running.release();
    expect(budget.stats).toEqual({ chars: 0, running: 0, waiting: 0 });
  });

  it('ignores a settle after release: an answer that has gone cannot be booked again', async () => {
    const budget = createAnswerBudget({ slots: 1, chars: 10 * MB });
    const ticket = (await admit(budget, 'notes')) as AnswerTicket;
    ticket.release();
    ticket.settle(5 * MB);
    expect(budget.stats.chars).toBe(0);
  });

  it('refuses limits that are not positive', () => {
    expect(() => createAnswerBudget({ slots: 0, chars: 1 })).toThrow(RangeError);
    expect(() => createAnswerBudget({ slots: 1, chars: Number.NaN })).toThrow(RangeError);
  });
});
