/**
 * One audit event appended inside the caller's own write transaction, so that a change and its
 * event commit together or not at all. For changes an operator makes at the console (an
 * admission, a transfer): planned outside and written first, the event had named a ward the
 * patient was no longer in when another console had acted meanwhile, and said "admitted" for
 * what turned out no change. The chain head is read and moved in the same transaction: on
 * PostgreSQL its row is locked (FOR UPDATE); on SQLite the transaction already holds the write
 * lock (db/write-transaction.ts). The servers' writers wait meanwhile and chain after it. A
 * server's own calls go through the writer's group commit instead (writer.ts).
 */
import { lockedForWrite, type WriteTransaction } from '../db/write-transaction.js';
import { AppError } from '../errors.js';
import { chainEvent, HASH_INDEX, listedIds, STORED_COLUMNS } from './chain.js';
import type { AuditEventInput } from './event.js';
import { normalizeAuditEvent } from './normalize.js';
import type { AuditEventsTable, AuditTables } from './tables.js';

/**
 * How a change is recorded: called inside its transaction once the change is made, so that the
 * audit event says what was done and commits with it, or neither does (wards.ts, accounts.ts).
 */
export type RecordChange<T> = (trx: WriteTransaction, done: T) => Promise<void>;

/** `trx`: a transaction from writeTransaction (db/write-transaction.ts); outside one the three statements would not be one change. */
export async function appendInTransaction(trx: WriteTransaction, input: AuditEventInput): Promise<void> {
  const fields = normalizeAuditEvent(input);
  const db = trx.withTables<AuditTables>();
  try {
    const head = await lockedForWrite(trx, db.selectFrom('audit_chain_head').select(['seq', 'hash']).where('id', '=', 1)).executeTakeFirst();
    if (!head) throw new Error('audit chain head missing');
    const seq = Number(head.seq) + 1;
    const row = chainEvent(fields, seq, head.hash);
    await db
      .insertInto('audit_events')
      .values(Object.fromEntries(STORED_COLUMNS.map((column, i) => [column, row[i]])) as unknown as AuditEventsTable)
      .execute();
    for (const patientId of listedIds(fields.listed_patients)) await db.insertInto('audit_event_patients').values({ patient_id: patientId, seq }).execute();
    await db.updateTable('audit_chain_head').set({ seq, hash: row[HASH_INDEX] as string }).where('id', '=', 1).execute();
  } catch (error) {
    // As the writer says it: the change this event belongs to is rolled back with it.
    throw new AppError('ERR_AUDIT_UNAVAILABLE', { internalReason: `audit append failed: ${error instanceof Error ? error.message : String(error)}` });
  }
}
