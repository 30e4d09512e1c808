import { mkdtempSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../../../../test/support/scratch.js';
import { openDatabase, sqliteFile } from './database.js';
import { migrateToLatest } from './migrate.js';

describe('the embedded database on disk', () => {
  it('is its owner’s alone when created: directory 0700, database and WAL 0600', async () => {
    const dataDir = join(mkdtempSync(join(scratchDir('shai-db-files-'), 'x')), 'data');
    const database = openDatabase({ dataDir });
    try {
      await migrateToLatest(database);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      for (const file of [sqliteFile(dataDir), `${sqliteFile(dataDir)}-wal`]) expect(statSync(file).mode & 0o077, file).toBe(0);
    } finally {
      await database.close();
    }
  });
});
