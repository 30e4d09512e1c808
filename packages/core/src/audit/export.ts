/**
 * Exports audit events as FHIR R4 AuditEvent resources, oldest first, in keyset pages so a
 * large log streams in bounded memory on either engine and the connection is never held
 * while the consumer writes.
 */
import type { Database } from '../db/database.js';
import { parseInstant } from '../instants.js';
import type { StoredAuditEvent } from './event.js';
import { toFhirAuditEvent, type FhirAuditEvent } from './fhir.js';
import { auditDb } from './tables.js';

export interface ExportOptions {
  /** Inclusive lower bound on the event time (ISO-8601). */
  since?: string;
  /** Exclusive upper bound on the event time (ISO-8601). */
  until?: string;
  pageSize?: number;
}

export async function* readAuditEvents(database: Database, options: ExportOptions = {}): AsyncGenerator<StoredAuditEvent> {
  const since = options.since === undefined ? undefined : parseInstant(options.since, 'since');
  const until = options.until === undefined ? undefined : parseInstant(options.until, 'until');
  const pageSize = options.pageSize ?? 1000;
  const db = auditDb(database);
  let after = 0;
  for (;;) {
    let query = db.selectFrom('audit_events').selectAll().where('seq', '>', after);
    if (since !== undefined) query = query.where('time', '>=', since);
    if (until !== undefined) query = query.where('time', '<', until);
    const rows = await query.orderBy('seq').limit(pageSize).execute();
    for (const row of rows) yield { ...row, seq: Number(row.seq) } as StoredAuditEvent;
    if (rows.length < pageSize) return;
    after = Number((rows[rows.length - 1] as { seq: number }).seq);
  }
}

export async function* exportAuditEvents(database: Database, options: ExportOptions = {}): AsyncGenerator<FhirAuditEvent> {
  for await (const event of readAuditEvents(database, options)) yield toFhirAuditEvent(event);
}
