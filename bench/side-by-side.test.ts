import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSideBySide } from './bench-load.js';

/** A server that answers every request after `delayMs` without using the CPU meanwhile. */
async function listen(delayMs: number): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => setTimeout(() => response.end('{"ok":true}'), delayMs));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('runSideBySide', () => {
  let quick: { server: Server; origin: string };
  let slow: { server: Server; origin: string };
  beforeAll(async () => {
    quick = await listen(0);
    slow = await listen(25);
  });
  afterAll(async () => {
    await Promise.all([quick, slow].map(({ server }) => new Promise((resolve) => server.close(resolve))));
  });

  const spec = (origin: string) => ({ origin, requests: [{ method: 'POST' as const, path: '/', body: '{}', headers: { 'content-type': 'application/json' } }], connections: 2 });

  it('runs both loads for the same time and gives a ÷ b overall and per window', async () => {
    const run = await runSideBySide(spec(quick.origin), spec(slow.origin), 2, 0.5);
    expect(run.a.statuses['200']).toBe(run.a.completed);
    expect(run.b.statuses['200']).toBe(run.b.completed);
    expect(run.b.completed).toBeGreaterThan(0);
    // Two connections to a server that waits 25 ms per answer give at most 80 answers a second.
    expect(run.b.completed).toBeLessThanOrEqual(2 * run.b.elapsedSeconds * (1000 / 25) + 2);
    // Both loads stop when asked. With autocannon's default 1 s sample ticks, one side now and
    // then ran a whole second longer (a CI run failed on it), which skews a ÷ b by counts.
    expect(run.a.elapsedSeconds).toBeGreaterThanOrEqual(1.9);
    expect(run.b.elapsedSeconds).toBeGreaterThanOrEqual(1.9);
    expect(Math.abs(run.a.elapsedSeconds - run.b.elapsedSeconds)).toBeLessThan(0.5);
    expect(run.ratio).toBeCloseTo(run.a.rps / run.b.rps, 9);
    expect(run.ratio).toBeGreaterThan(2);
    // Windows of 0.5 s: at least three in 2 s, and no more than the seconds the run lasted hold;
    // each is the quick side's answers over the slow side's.
    const longest = Math.max(run.a.elapsedSeconds, run.b.elapsedSeconds);
    expect(run.perWindow.length).toBeGreaterThanOrEqual(3);
    expect(run.perWindow.length).toBeLessThanOrEqual(Math.floor(longest / 0.5) + 1);
    for (const r of run.perWindow) expect(r).toBeGreaterThan(1);
    expect(run.windowSeconds).toBe(0.5);
  });
});
