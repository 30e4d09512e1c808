/**
 * The hooks every test file that needs a database would otherwise write itself: open a fresh
 * database of the suite's engine (`openTestDatabase`) before the file's tests, or before each
 * test, and drop it after. The opened database is handed to `use`, which keeps the file's own
 * variable, so its tests read as before.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Database } from '../../packages/core/src/db/database.js';
import { openTestDatabase, type TestDatabase } from '../../packages/core/src/db/test-database.js';

export function useTestDatabase(use: (database: Database) => void, options: { each?: boolean; migrate?: boolean } = {}): void {
  let opened: TestDatabase | undefined;
  const [before, after] = options.each === true ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    opened = await openTestDatabase({ migrate: options.migrate });
    use(opened.database);
  });
  after(async () => {
    // A test may have closed the database itself; cleanup tolerates a second close.
    await opened?.cleanup();
    opened = undefined;
  });
}
