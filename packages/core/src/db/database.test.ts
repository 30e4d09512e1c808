import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database.js';
import type { Database } from './database.js';
import { openTestDatabase, testDatabaseKind } from './test-database.js';

/** A statement shaped like the batched lookups: arrays in, one row per element out. */
const BATCHED = 'SELECT q.ord, q.v FROM unnest($1::text[]) WITH ORDINALITY AS q(v, ord)';

describe.runIf(testDatabaseKind() === 'postgres')('PostgreSQL pools', () => {
  let database: Database;
  useTestDatabase((opened) => (database = opened));

  it('plans the hot paths\' named statements once per connection, on the raw pool only', async () => {
    const pool = database.pool;
    if (!pool) throw new Error('no raw pool');
    const client = await pool.connect();
    try {
      for (let n = 1; n <= 12; n += 1) {
        const { rows } = await client.query({ name: 'batched_probe', text: BATCHED, values: [Array.from({ length: n }, (_, i) => `k${i}`)] });
        expect(rows).toHaveLength(n);
      }
      const { rows } = await client.query<{ generic_plans: number; custom_plans: number }>(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'batched_probe'",
      );
      // PostgreSQL's default would plan this statement anew on each of the 12 executions.
      expect(rows[0]).toEqual({ generic_plans: 12, custom_plans: 0 });
    } finally {
      client.release();
    }
    // The query builder's sessions keep the default: their ad-hoc queries are planned with their values.
    const { rows } = await sql<{ plan_cache_mode: string }>`SHOW plan_cache_mode`.execute(database.db);
    expect(rows[0]?.plan_cache_mode).toBe('auto');
  });

  it('closes both pools', async () => {
    const other = await openTestDatabase();
    const pool = other.database.pool;
    await other.cleanup();
    await expect(pool?.query('SELECT 1')).rejects.toThrow(/after calling end/);
    await expect(other.database.close()).resolves.toBeUndefined();
  });
});
