/**
 * What both servers must know about an account on every request, fresh from the database
 * (deactivation and role changes apply at the next request, not at token expiry): is it
 * active, what is its role now, and is this token id revoked. One query, one round trip;
 * on PostgreSQL the lookups of concurrent requests share their query (batch-loader.ts).
 */
import { batchLoader, POSTGRES_BATCHING } from './batch-loader.js';
import type { Role } from './domain.js';
import { isRole } from './domain.js';
import type { Database } from './db/database.js';

export interface AccountState {
  readonly active: boolean;
  readonly role: Role;
  readonly patientId: string | null;
  readonly revoked: boolean;
}

export interface AccountStateLookup {
  /** undefined when the account does not exist. */
  lookup(userId: string, jti: string): Promise<AccountState | undefined>;
}

const SQL_SQLITE = `SELECT a.is_active AS active, a.role AS role, a.patient_id AS patient_id,
  EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = ?) AS revoked
  FROM accounts a WHERE a.id = ?`;

/** One row per (jti, account id) pair whose account exists, tagged with the pair's position. */
const SQL_POSTGRES = `SELECT q.ord AS ord, a.is_active AS active, a.role AS role, a.patient_id AS patient_id,
  EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = q.jti) AS revoked
  FROM unnest($1::text[], $2::integer[]) WITH ORDINALITY AS q(jti, id, ord)
  JOIN accounts a ON a.id = q.id`;

interface StateRow {
  active: number;
  role: string;
  patient_id: string | null;
  revoked: number | boolean;
}

function toState(row: StateRow | undefined): AccountState | undefined {
  if (!row || !isRole(row.role)) return undefined;
  return { active: row.active === 1, role: row.role, patientId: row.patient_id, revoked: Boolean(row.revoked) };
}

/** Raw prepared statements: this runs twice per tool call, so it skips the query builder. */
export function accountStateLookup(database: Database): AccountStateLookup {
  if (database.sqlite) {
    const statement = database.sqlite.prepare<[string, number], StateRow>(SQL_SQLITE);
    return {
      async lookup(userId, jti) {
        const id = Number(userId);
        if (!Number.isSafeInteger(id)) return undefined;
        return toState(statement.get(jti, id));
      },
    };
  }
  const pool = database.pool;
  if (!pool) throw new Error('database has neither a SQLite handle nor a PostgreSQL pool');
  const load = batchLoader<{ id: number; jti: string }, AccountState | undefined>(async (keys) => {
    const result = await pool.query<StateRow & { ord: number }>({
      name: 'account_state',
      text: SQL_POSTGRES,
      values: [keys.map((k) => k.jti), keys.map((k) => k.id)],
    });
    const states = new Array<AccountState | undefined>(keys.length).fill(undefined);
    for (const row of result.rows) states[row.ord - 1] = toState(row);
    return states;
  }, POSTGRES_BATCHING);
  return {
    async lookup(userId, jti) {
      const id = Number(userId);
      if (!Number.isSafeInteger(id) || id < -2_147_483_648 || id > 2_147_483_647) return undefined;
      return load({ id, jti });
    },
  };
}
