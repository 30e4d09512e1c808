import { openDatabase } from '@secure-hospital-ai/core/db/database';
import { migrateToLatest } from '@secure-hospital-ai/core/db/migrate';
import { loadRuntimeConfig } from '../runtime.js';

export async function run(_argv: string[]): Promise<number> {
  const config = loadRuntimeConfig();
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrateToLatest(database);
    process.stdout.write(applied.length ? `applied ${applied.join(', ')} on ${database.location}\n` : `database is up to date (${database.location})\n`);
    return 0;
  } finally {
    await database.close();
  }
}
