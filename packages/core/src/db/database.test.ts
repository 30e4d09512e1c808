import { connect, createServer, type Server, type Socket } from 'node:net';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database.js';
import { toAppError } from '../errors.js';
import { openDatabase, type Database } from './database.js';
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

/**
 * A TCP relay in front of PostgreSQL whose connections can be cut, as a network blip or a
 * failover cuts them, or stalled: open, and carrying nothing, as a frozen server or a broken
 * network path leaves them.
 */
async function relayTo(target: URL): Promise<{ port: number; cut(): void; stall(on: boolean): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let stalled = false;
  const server: Server = createServer((incoming) => {
    const outgoing = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [incoming, outgoing]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    incoming.on('data', (chunk) => stalled || outgoing.write(chunk));
    outgoing.on('data', (chunk) => stalled || incoming.write(chunk));
    incoming.on('end', () => outgoing.end());
    outgoing.on('end', () => incoming.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    stall: (on) => {
      stalled = on;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe.runIf(testDatabaseKind() === 'postgres')('PostgreSQL connections that drop', () => {
  it('survive a connection cut while a client is checked out, on both pools: the query fails, the process stays, the next query works', async () => {
    const test = await openTestDatabase();
    const target = new URL(process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    const relay = await relayTo(target);
    const url = new URL((test.database.location as string).replace('***', ''));
    url.host = `127.0.0.1:${relay.port}`;
    const database = openDatabase({ dataDir: '.', databaseUrl: url.toString(), poolSize: 2 });
    try {
      // Checked out from the query builder's pool and from the raw pool, each cut mid-use.
      const held = database.db.connection().execute(async (connection) => {
        await sql`SELECT 1`.execute(connection);
        relay.cut();
        await new Promise((resolve) => setTimeout(resolve, 200));
        return sql`SELECT 1`.execute(connection);
      });
      const failure = await held.then(() => undefined, (error: unknown) => error);
      // Answered as the moment's unavailability it is: 503 with Retry-After, not 500.
      expect(toAppError(failure)).toMatchObject({ code: 'ERR_UNAVAILABLE', http: 503, headers: { 'retry-after': '1' } });
      const raw = await database.pool!.connect();
      relay.cut();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await expect(raw.query('SELECT 1')).rejects.toThrow();
      raw.release(true);
      // Once the network is back, both pools answer again.
      await expect(sql<{ one: number }>`SELECT 1 AS one`.execute(database.db)).resolves.toMatchObject({ rows: [{ one: 1 }] });
      await expect(database.pool!.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
    } finally {
      await database.close();
      await relay.close();
      await test.cleanup();
    }
  });
});

describe.runIf(testDatabaseKind() === 'postgres')('PostgreSQL that stops answering', () => {
  it("gives up a connection whose query goes unanswered past a server's deadline, on both pools, and answers again once PostgreSQL does", async () => {
    const test = await openTestDatabase();
    const relay = await relayTo(new URL(process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'));
    const url = new URL(test.database.location);
    url.host = `127.0.0.1:${relay.port}`;
    const database = openDatabase({ dataDir: '.', databaseUrl: url.toString(), poolSize: 1, postgresDeadlineMs: 500 });
    try {
      await sql`SELECT 1`.execute(database.db);
      await database.pool!.query('SELECT 1');
      relay.stall(true);
      const started = Date.now();
      const builder = await sql`SELECT 1`.execute(database.db).then(() => undefined, (error: unknown) => error);
      const raw = await database.pool!.query('SELECT 1').then(() => undefined, (error: unknown) => error);
      expect(Date.now() - started).toBeLessThan(3_000);
      for (const failure of [builder, raw]) expect(toAppError(failure)).toMatchObject({ code: 'ERR_UNAVAILABLE', http: 503 });
      // Unstalled, the pools (of one connection each) answer again: the wedged connections were given up.
      relay.stall(false);
      await expect(sql<{ one: number }>`SELECT 1 AS one`.execute(database.db)).resolves.toMatchObject({ rows: [{ one: 1 }] });
      await expect(database.pool!.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
    } finally {
      relay.stall(false);
      await database.close();
      await relay.close();
      await test.cleanup();
    }
  });
});
