import { describe, expect, it } from 'vitest';
import { batchLoader } from './batch-loader.js';

/** A load function whose queries finish only when the test says so. */
function controlledLoad() {
  const queries: { keys: number[]; finish: () => void; fail: (error: Error) => void }[] = [];
  const load = (keys: readonly number[]) =>
    new Promise<readonly string[]>((resolve, reject) => {
      queries.push({ keys: [...keys], finish: () => resolve(keys.map((k) => `v${k}`)), fail: reject });
    });
  return { queries, load };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('batchLoader', () => {
  it('sends the lookups of one turn together at its end, and those that arrive meanwhile together as soon as it finishes', async () => {
    const { queries, load } = controlledLoad();
    const lookup = batchLoader(load, { maxBatch: 100, maxInFlight: 1 });
    const first = [lookup(1), lookup(2)];
    // Nothing goes out before the turn ends, so the turn's other lookups can join.
    expect(queries).toHaveLength(0);
    await settle();
    expect(queries.map((q) => q.keys)).toEqual([[1, 2]]);
    const rest = [lookup(3), lookup(4)];
    await settle();
    const late = lookup(5);
    expect(queries).toHaveLength(1);
    queries[0]?.finish();
    await expect(Promise.all(first)).resolves.toEqual(['v1', 'v2']);
    // Sent when the running query finished, not a turn later.
    expect(queries.map((q) => q.keys)).toEqual([[1, 2], [3, 4, 5]]);
    queries[1]?.finish();
    await expect(Promise.all([...rest, late])).resolves.toEqual(['v3', 'v4', 'v5']);
  });

  it('runs up to maxInFlight queries at once and caps each at maxBatch keys', async () => {
    const { queries, load } = controlledLoad();
    const lookup = batchLoader(load, { maxBatch: 2, maxInFlight: 2 });
    const all = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => lookup(k));
    await settle();
    expect(queries.map((q) => q.keys)).toEqual([[1, 2], [3, 4]]);
    queries[0]?.finish();
    queries[1]?.finish();
    await settle();
    expect(queries.map((q) => q.keys)).toEqual([[1, 2], [3, 4], [5, 6], [7, 8]]);
    queries[2]?.finish();
    queries[3]?.finish();
    await settle();
    expect(queries.map((q) => q.keys)).toEqual([[1, 2], [3, 4], [5, 6], [7, 8], [9]]);
    queries[4]?.finish();
    await expect(Promise.all(all)).resolves.toEqual(['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9']);
  });

  it('tries each key of a failed shared query alone, so only the key that fails alone is rejected', async () => {
    // The database refuses any query that holds key 3 (say, a value it cannot store).
    const asked: number[][] = [];
    const lookup = batchLoader<number, string>(
      async (keys) => {
        asked.push([...keys]);
        await new Promise((resolve) => setImmediate(resolve));
        if (keys.includes(3)) throw new Error('invalid input for key 3');
        return keys.map((k) => `v${k}`);
      },
      { maxBatch: 100, maxInFlight: 1 },
    );
    const results = await Promise.allSettled([1, 2, 3, 4].map((k) => lookup(k)));
    expect(results).toEqual([
      { status: 'fulfilled', value: 'v1' },
      { status: 'fulfilled', value: 'v2' },
      { status: 'rejected', reason: new Error('invalid input for key 3') },
      { status: 'fulfilled', value: 'v4' },
    ]);
    expect(asked).toEqual([[1, 2, 3, 4], [1], [2], [3], [4]]);
    await expect(lookup(7)).resolves.toBe('v7');
  });

  it('rejects a lookup whose query fails alone, and serves the next one', async () => {
    const { queries, load } = controlledLoad();
    const lookup = batchLoader(load, { maxBatch: 100, maxInFlight: 1 });
    const first = lookup(1);
    await settle();
    queries[0]?.fail(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    const later = lookup(7);
    await settle();
    queries[1]?.finish();
    await expect(later).resolves.toBe('v7');
  });

  it('rejects a query that answers with the wrong number of values instead of misassigning them', async () => {
    const lookup = batchLoader<number, string>(async (keys) => keys.slice(1).map(String), { maxBatch: 10, maxInFlight: 1 });
    await expect(lookup(1)).rejects.toThrow('0 values for 1 keys');
  });
});
