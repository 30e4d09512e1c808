import { openDatabase } from '@secure-hospital-ai/core/db/database';
import { migrateToLatest } from '@secure-hospital-ai/core/db/migrate';
import { seedDemoData } from '@secure-hospital-ai/core/db/seed';
import { loadRuntimeConfig } from '../runtime.js';

export async function run(_argv: string[]): Promise<number> {
  const config = loadRuntimeConfig();
  if (config.env === 'production') {
    process.stderr.write('refusing to seed demo accounts in production (their passwords are published)\n');
    return 1;
  }
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database);
    const summary = await seedDemoData(database.db);
    process.stdout.write(`seeded ${summary.accountsCreated} accounts and ${summary.patientsCreated} patients (${database.location})\n`);
    return 0;
  } finally {
    await database.close();
  }
}
