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
  it('sends the first lookup at once and the ones that arrive meanwhile together, each answered with its own value', async () => {
    const { queries, load } = controlledLoad();
    const lookup = batchLoader(load, { maxBatch: 100, maxInFlight: 1 });
    const first = lookup(1);
    expect(queries.map((q) => q.keys)).toEqual([[1]]);
    const rest = [lookup(2), lookup(3), lookup(4)];
    expect(queries).toHaveLength(1);
    queries[0]?.finish();
    await expect(first).resolves.toBe('v1');
    await settle();
    expect(queries.map((q) => q.keys)).toEqual([[1], [2, 3, 4]]);
    queries[1]?.finish();
    await expect(Promise.all(rest)).resolves.toEqual(['v2', 'v3', 'v4']);
  });

  it('runs up to maxInFlight queries at once and caps each at maxBatch keys', async () => {
    const { queries, load } = controlledLoad();
    const lookup = batchLoader(load, { maxBatch: 2, maxInFlight: 2 });
    const all = [1, 2, 3, 4, 5, 6].map((k) => lookup(k));
    expect(queries.map((q) => q.keys)).toEqual([[1], [2]]);
    queries[0]?.finish();
    queries[1]?.finish();
    await settle();
    expect(queries.map((q) => q.keys)).toEqual([[1], [2], [3, 4], [5, 6]]);
    queries[2]?.finish();
    queries[3]?.finish();
    await expect(Promise.all(all)).resolves.toEqual(['v1', 'v2', 'v3', 'v4', 'v5', 'v6']);
  });

  it('rejects every lookup of a failed query, and only those; later lookups are served', async () => {
    const { queries, load } = controlledLoad();
    const lookup = batchLoader(load, { maxBatch: 100, maxInFlight: 1 });
    const first = lookup(1);
    const second = [lookup(2), lookup(3)];
    queries[0]?.finish();
    await first;
    await settle();
    queries[1]?.fail(new Error('connection lost'));
    for (const result of await Promise.allSettled(second)) expect(result).toMatchObject({ status: 'rejected', reason: { message: 'connection lost' } });
    const later = lookup(7);
    await settle();
    queries[2]?.finish();
    await expect(later).resolves.toBe('v7');
  });

  it('rejects a query that answers with the wrong number of values instead of misassigning them', async () => {
    const lookup = batchLoader<number, string>(async (keys) => keys.slice(1).map(String), { maxBatch: 10, maxInFlight: 1 });
    await expect(lookup(1)).rejects.toThrow('0 values for 1 keys');
  });
});
