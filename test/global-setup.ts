/**
 * Runs once before the suite. With TEST_DATABASE=postgres, checks the server is reachable
 * so a missing PostgreSQL fails loudly instead of as a hundred connection errors.
 */
import pg from 'pg';

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export default async function setup(): Promise<void> {
  if (process.env.TEST_DATABASE !== 'postgres') return;
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(`TEST_DATABASE=postgres but PostgreSQL at ${POSTGRES_ADMIN_URL} is unreachable: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
