import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test/support/test-database.js';
import { auditEvent } from '../../../../test/audit/support.js';
import type { Database } from '../db/database.js';
import { testDatabaseKind } from '../db/test-database.js';
import type { AuditEventInput } from './event.js';
import { exportAuditEvents } from './export.js';
import type { FhirAuditEvent } from './fhir.js';
import { createAuditWriter } from './writer.js';

let database: Database;
useTestDatabase((opened) => (database = opened));

const EVENTS: AuditEventInput[] = [
  auditEvent({ time: '2026-01-01T08:00:00.000Z', request_id: 'r-read', redactions: { ssn: 1, name: 0 } }),
  auditEvent({ time: '2026-01-01T09:00:00.000Z', request_id: 'r-deny', user_id: '2', decision: 'deny', reason: 'no_relationship', redactions: {} }),
  auditEvent({
    time: '2026-01-01T10:00:00.000Z',
    request_id: 'r-btg',
    action: 'break_glass.start',
    tool: 'break_glass',
    break_glass: true,
    purpose_of_use: 'ETREAT',
    reason: 'emergency_override',
    redactions: {},
    justification: 'Anaphylaxis in the ED, care team unreachable',
  }),
  auditEvent({ time: '2026-01-01T10:05:00.000Z', request_id: 'r-btg-read', tool: 'get_clinical_notes', break_glass: true, purpose_of_use: 'ETREAT' }),
  auditEvent({
    time: '2026-01-01T11:00:00.000Z',
    request_id: 'r-login',
    source: 'gateway',
    action: 'login.failure',
    user_id: null,
    role: null,
    tool: null,
    patient_id: null,
    decision: 'deny',
    reason: 'bad_credentials',
    purpose_of_use: null,
    redactions: {},
    client_address: '10.1.2.3',
  }),
  auditEvent({ time: '2026-01-01T12:00:00.000Z', request_id: 'r-err', tool: 'add_clinical_note', decision: 'error', reason: 'internal' }),
  auditEvent({
    time: '2026-01-01T13:00:00.000Z',
    request_id: 'r-admin-read',
    source: 'gateway',
    action: 'account.read',
    user_id: '9',
    role: 'admin',
    tool: null,
    patient_id: null,
    reason: 'account.list',
    purpose_of_use: 'HSYSADMIN',
    redactions: {},
  }),
];

beforeAll(async () => {
  const writer = createAuditWriter(database);
  for (const e of EVENTS) await writer.record(e);
  await writer.close();
});

async function exported(options: { since?: string; until?: string; pageSize?: number } = {}): Promise<FhirAuditEvent[]> {
  const out: FhirAuditEvent[] = [];
  for await (const resource of exportAuditEvents(database, options)) out.push(resource);
  return out;
}

function byRequest(resources: FhirAuditEvent[], id: string): FhirAuditEvent {
  const found = resources.find((r) => JSON.stringify(r.entity).includes(`"value":"${id}"`));
  if (!found) throw new Error(`no resource for ${id}`);
  return found;
}

describe(`FHIR AuditEvent export (${testDatabaseKind()})`, () => {
  it('exports every event as an R4 AuditEvent, oldest first, across pages', async () => {
    const resources = await exported({ pageSize: 2 });
    expect(resources).toHaveLength(EVENTS.length);
    expect(resources.map((r) => r.id)).toEqual(EVENTS.map((_, i) => `audit-${i + 1}`));
    for (const r of resources) {
      expect(r.resourceType).toBe('AuditEvent');
      expect(r.recorded).toMatch(/Z$/);
      expect(['0', '4', '8', '12']).toContain(r.outcome);
      expect(r.agent.filter((a) => a.requestor === true)).toHaveLength(1);
      expect(r.source.type[0]).toMatchObject({ code: '4' });
      // NDJSON-safe: one line per resource.
      expect(JSON.stringify(r)).not.toContain('\n');
    }
  });

  it('shapes a read as BALP does: rest/read, requestor user, patient and query entities, TREAT', async () => {
    const r = byRequest(await exported(), 'r-read');
    expect(r.type).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' });
    expect(r.subtype[0]).toMatchObject({ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' });
    expect(r.action).toBe('R');
    expect(r.outcome).toBe('0');
    expect(r.agent[0]).toMatchObject({
      requestor: true,
      who: { identifier: { value: '1' } },
      role: [{ coding: [{ code: 'doctor' }] }],
      type: { coding: [{ code: 'IRCP' }] },
    });
    expect(r.agent[1]).toMatchObject({ network: { address: '127.0.0.1', type: '2' }, who: { display: 'vitest' } });
    expect(r.entity[0]).toMatchObject({
      what: { reference: 'Patient/P001' },
      type: { code: '1' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
    });
    expect(r.entity[1]).toMatchObject({ role: { code: '24', display: 'Query' }, name: 'get_patient_overview' });
    expect(r.entity[1]?.detail).toEqual([
      { type: 'redacted.name', valueString: '0' },
      { type: 'redacted.ssn', valueString: '1' },
    ]);
    expect(r.purposeOfEvent).toEqual([
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT', display: 'treatment' }] },
    ]);
    const chain = r.extension[0]?.extension ?? [];
    expect(chain.find((e) => e.url === 'hash')?.valueString).toMatch(/^[0-9a-f]{64}$/);
  });

  it('codes a denial as a minor failure and an error as a serious one', async () => {
    const resources = await exported();
    expect(byRequest(resources, 'r-deny')).toMatchObject({ outcome: '4', outcomeDesc: 'Minor failure: no_relationship' });
    expect(byRequest(resources, 'r-err')).toMatchObject({ outcome: '8', action: 'C', subtype: [{ code: 'create' }, expect.anything()] });
  });

  it('marks break-glass with DICOM 110127 Emergency Override Started and ETREAT', async () => {
    const resources = await exported();
    const start = byRequest(resources, 'r-btg');
    expect(start.type).toMatchObject({ code: '110113', display: 'Security Alert' });
    expect(start.subtype).toContainEqual({ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110127', display: 'Emergency Override Started' });
    expect(start.purposeOfEvent?.[0]?.coding[0]?.code).toBe('ETREAT');
    // Why, for the reviewer, on the query entity; no other event carries one.
    const details = (resource: FhirAuditEvent) => resource.entity.flatMap((e) => (e.detail as Array<{ type: string; valueString: string }> | undefined) ?? []);
    expect(details(start)).toContainEqual({ type: 'justification', valueString: 'Anaphylaxis in the ED, care team unreachable' });
    expect(resources.filter((r) => details(r).some((d) => d.type === 'justification'))).toHaveLength(1);
    const access = byRequest(resources, 'r-btg-read');
    expect(access.type.code).toBe('rest');
    expect(access.subtype.map((c) => c.code)).toEqual(['search', '110127', 'tools/call']);
    expect(access.purposeOfEvent?.[0]?.coding[0]?.code).toBe('ETREAT');
  });

  it('codes a failed login as User Authentication / Login with the client as requestor', async () => {
    const r = byRequest(await exported(), 'r-login');
    expect(r.type).toMatchObject({ code: '110114', display: 'User Authentication' });
    expect(r.subtype[0]).toMatchObject({ code: '110122', display: 'Login' });
    expect(r.outcome).toBe('4');
    expect(r.purposeOfEvent).toBeUndefined();
    expect(r.entity.some((e) => JSON.stringify(e).includes('Patient/'))).toBe(false);
    expect(r.agent[0]).toMatchObject({ requestor: true, network: { address: '10.1.2.3' } });
    expect(r.source.observer.display).toContain('gateway');
  });

  it("codes an admin's read of accounts as a successful REST read by that admin", async () => {
    const r = byRequest(await exported(), 'r-admin-read');
    expect(r).toMatchObject({ type: { code: 'rest' }, action: 'R', outcome: '0' });
    expect(r.subtype[0]).toMatchObject({ code: 'read' });
    expect(r.agent[0]).toMatchObject({ requestor: true, who: { identifier: { value: '9' } } });
  });

  it('filters by time: since inclusive, until exclusive', async () => {
    const resources = await exported({ since: '2026-01-01T09:00:00Z', until: '2026-01-01T11:00:00Z' });
    expect(resources.map((r) => r.recorded)).toEqual(['2026-01-01T09:00:00.000Z', '2026-01-01T10:00:00.000Z', '2026-01-01T10:05:00.000Z']);
    expect(await exported({ since: '2026-01-01' })).toHaveLength(EVENTS.length);
  });

  it('refuses a time that is not a date', async () => {
    await expect(exported({ since: 'last tuesday' })).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
  });
});
