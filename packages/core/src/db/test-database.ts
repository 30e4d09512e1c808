/**
 * A fresh, migrated database for one test file: an embedded SQLite file in a temp dir by
 * default, a throw-away PostgreSQL database when TEST_DATABASE=postgres (`npm run test:pg`),
 * so the same tests prove both engines.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from './database.js';
import { migrateToLatest } from './migrate.js';

/** Where test databases are created; any database on the server will do for CREATE DATABASE. */
const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  database: Database;
  cleanup(): Promise<void>;
}

/**
 * Resolves in the next turn of the event loop, once the turn's SQLite hot reads have ended their
 * shared snapshot (`turn-reads.ts`): what another connection committed is read from then on.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function testDatabaseKind(): 'sqlite' | 'postgres' {
  return process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';
}

/** A fresh database of the suite's engine, migrated to the latest schema unless `migrate` is false. */
export async function openTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const migrate = options.migrate === false ? async () => undefined : async (database: Database) => void (await migrateToLatest(database));
  return testDatabaseKind() === 'postgres' ? openPostgresTestDatabase(migrate) : openSqliteTestDatabase(migrate);
}

async function openSqliteTestDatabase(migrate: (database: Database) => Promise<void>): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'shai-test-'));
  const database = openDatabase({ dataDir });
  try {
    await migrate(database);
  } catch (error) {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    database,
    async cleanup() {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function openPostgresTestDatabase(migrate: (database: Database) => Promise<void>): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_POSTGRES_URL ?? process.env.TEST_DATABASE_URL ?? DEFAULT_ADMIN_URL;
  // The name is generated here, never taken from input, so interpolating it is safe.
  const name = `shai_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = openDatabase({ dataDir: tmpdir(), databaseUrl: url.toString(), poolSize: 5 });
  const drop = async () => {
    await database.close();
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  try {
    await migrate(database);
  } catch (error) {
    await drop();
    throw error;
  }
  return { database, cleanup: drop };
}

async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
