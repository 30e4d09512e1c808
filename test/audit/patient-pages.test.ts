/**
 * A patient's access log, and an auditor's filter on one patient, read each of the two indexes
 * (events about the record, searches that listed it) newest first and only a page deep
 * (audit/query.ts). This checks the pages against the plain definition, computed here from
 * the events as written: every filter, alone and combined, every page size, paged to the end,
 * no event missing, repeated or out of order. On the embedded database, and on PostgreSQL with
 * TEST_DATABASE=postgres.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventInput } from '../../packages/core/src/audit/event.js';
import { queryAuditLog, type AuditLogFilters, type AuditLogViewer } from '../../packages/core/src/audit/query.js';
import { createAuditWriter } from '../../packages/core/src/audit/writer.js';
import type { Database } from '../../packages/core/src/db/database.js';
import { testDatabaseKind } from '../../packages/core/src/db/test-database.js';
import { useTestDatabase } from '../support/test-database.js';
import { auditEvent } from './support.js';

let database: Database;
useTestDatabase((opened) => (database = opened));

const PATIENTS = ['P001', 'P002', 'P003', 'P004'];
const EVENTS = 240;
const START = Date.UTC(2026, 2, 1);

/** The log as written, seq by seq (seq = index + 1). */
const written: AuditEventInput[] = [];

/** A small deterministic generator, so that a failure can be replayed. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

beforeAll(async () => {
  const random = generator(7);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  for (let i = 0; i < EVENTS; i += 1) {
    const kind = random();
    const common = {
      request_id: `r${i}`,
      time: new Date(START + i * 60_000).toISOString(),
      user_id: pick(['1', '2', '3']),
      decision: random() < 0.2 ? ('deny' as const) : ('allow' as const),
      break_glass: random() < 0.1,
    };
    if (kind < 0.55) {
      // A read of one record; P001 far more often than the others.
      written.push(auditEvent({ ...common, patient_id: random() < 0.6 ? 'P001' : pick(PATIENTS) }));
    } else if (kind < 0.85) {
      // A search: refused ones list nobody, allowed ones one to three patients.
      const listed = common.decision === 'allow' ? PATIENTS.filter(() => random() < 0.5) : [];
      written.push(auditEvent({ ...common, tool: 'search_patients', patient_id: null, listed_patients: listed }));
    } else {
      // Around the tool calls: logins and refused requests, which a patient never sees.
      written.push(auditEvent({ ...common, source: 'gateway', action: kind < 0.95 ? 'login.success' : 'request.refused', tool: null, patient_id: random() < 0.5 ? null : pick(PATIENTS) }));
    }
  }
  const writer = createAuditWriter(database);
  // In order, one after another: seq i + 1 is written[i].
  for (const event of written) await writer.record(event);
  await writer.close();
});

/** The events of the definition: about the patient or listing them, then every other filter. */
function expected(filters: AuditLogFilters, viewer: AuditLogViewer): number[] {
  const patient = viewer.role === 'patient' ? viewer.patientId : filters.patient_id;
  const seqs: number[] = [];
  written.forEach((event, index) => {
    const breakGlass = event.break_glass === true;
    if (patient !== undefined && event.patient_id !== patient && !(event.listed_patients ?? []).includes(patient)) return;
    if (viewer.role === 'patient' && (event.action !== 'tools/call' || event.decision !== 'allow')) return;
    if (filters.user_id !== undefined && event.user_id !== filters.user_id) return;
    if (filters.since !== undefined && (event.time as string) < filters.since) return;
    if (filters.until !== undefined && (event.time as string) >= filters.until) return;
    if (filters.decision !== undefined && event.decision !== filters.decision) return;
    if (filters.break_glass !== undefined && breakGlass !== filters.break_glass) return;
    seqs.push(index + 1);
  });
  return seqs.reverse();
}

/** Every page to the end; the times identify each event, as the patient's view has no seq. */
async function paged(filters: AuditLogFilters, viewer: AuditLogViewer, limit: number): Promise<string[]> {
  const times: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages <= EVENTS; pages += 1) {
    const page = await queryAuditLog(database, { ...filters, limit, ...(cursor !== undefined && { cursor }) }, viewer);
    expect(page.events.length).toBeLessThanOrEqual(limit);
    times.push(...page.events.map((event) => event.time));
    if (page.next_cursor === null) return times;
    // A cursor is only handed out with a full page.
    expect(page.events).toHaveLength(limit);
    cursor = page.next_cursor;
  }
  throw new Error('paging did not end');
}

const timeOf = (seq: number) => written[seq - 1]?.time as string;

describe(`a patient's pages of the audit log (${testDatabaseKind()})`, () => {
  const middle = new Date(START + 100 * 60_000).toISOString();
  const late = new Date(START + 200 * 60_000).toISOString();
  const narrowing: AuditLogFilters[] = [
    {},
    { user_id: '2' },
    { since: middle },
    { until: late, since: middle },
    { decision: 'deny' },
    { decision: 'allow', break_glass: false },
    { break_glass: true },
    { user_id: '1', since: middle, decision: 'allow' },
  ];

  it('gives each patient exactly the events about them or listing them, newest first, at every page size', async () => {
    let compared = 0;
    for (const patientId of [...PATIENTS, 'P999']) {
      for (const limit of [1, 3, 7, 50]) {
        const viewer = { role: 'patient', patientId } as const;
        for (const filters of [{}, { user_id: '3' }, { since: middle }]) {
          const want = expected(filters, viewer);
          expect(await paged(filters, viewer, limit)).toEqual(want.map(timeOf));
          compared += want.length;
        }
      }
    }
    // The log has something to compare: not a run of empty pages.
    expect(compared).toBeGreaterThan(500);
  });

  it("gives the auditor the same for a patient, with every other filter alone and combined", async () => {
    const auditor = { role: 'auditor' } as const;
    for (const patient_id of ['P001', 'P003']) {
      for (const filters of narrowing) {
        for (const limit of [2, 9]) {
          const want = expected({ ...filters, patient_id }, auditor);
          const times = await paged({ ...filters, patient_id }, auditor, limit);
          expect(times).toEqual(want.map(timeOf));
        }
      }
    }
  });

  it('lists a search that both concerns and lists a patient once', async () => {
    // An event can name a patient as its own and list them too: it is still one event.
    const writer = createAuditWriter(database);
    await writer.record(auditEvent({ request_id: 'both', time: '2027-01-01T00:00:00.000Z', patient_id: 'P004', tool: 'search_patients', listed_patients: ['P004'] }));
    await writer.close();
    written.push(auditEvent({ time: '2027-01-01T00:00:00.000Z', patient_id: 'P004', listed_patients: ['P004'] }));
    const page = await queryAuditLog(database, { patient_id: 'P004', limit: 3 }, { role: 'auditor' });
    expect(page.events.filter((event) => event.request_id === 'both')).toHaveLength(1);
    expect(await paged({}, { role: 'patient', patientId: 'P004' }, 4)).toEqual(expected({}, { role: 'patient', patientId: 'P004' }).map(timeOf));
  });
});
