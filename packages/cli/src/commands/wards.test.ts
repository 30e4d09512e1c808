/**
 * The wards CLI against a running system: an admission recorded at the console gives the
 * ward's nurse the patient at her next call through the proxy, a transfer or a discharge
 * takes the patient away again, and each change is in the audit log with the patient's id.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredAuditEvent } from '@secure-hospital-ai/core/audit/event';
import { toFhirAuditEvent } from '@secure-hospital-ai/core/audit/fhir';
import { auditDb } from '@secure-hospital-ai/core/audit/tables';
import { testDatabaseKind } from '@secure-hospital-ai/core/db/test-database';
import { appendInTransaction } from '@secure-hospital-ai/core/audit/append-in-transaction';
import { verifyAuditChain } from '@secure-hospital-ai/core/audit/verify';
import { admitPatient } from '@secure-hospital-ai/core/wards';
import { refuseAuditWrites } from '../../../../test/support/audit-outage.js';
import { consoleBuffers } from '../../../../test/support/console-buffers.js';
import { DEMO, login, rpc, startStack, type Stack } from '../../../../test/support/stack.js';
import { operatorEvent } from '../operator-command.js';
import { runWards } from './wards.js';

const require = createRequire(import.meta.url);
let stack: Stack;
let joy: string;

beforeAll(async () => {
  stack = await startStack();
  joy = (await login(stack.gatewayUrl, 'nurse_joy', DEMO.nurse_joy)).access;
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

async function wards(argv: string[]) {
  const buffers = consoleBuffers();
  const code = await runWards(argv, { database: stack.database, io: buffers });
  return { code, stdout: buffers.stdout, stderr: buffers.stderr };
}

/** nurse_joy (ward W1) asks for a patient's overview through the proxy. */
async function joyReads(patientId: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${stack.gatewayUrl}/mcp-proxy/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${joy}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: rpc('tools/call', { name: 'get_patient_overview', arguments: { patient_id: patientId } }),
  });
  return { status: response.status, body: await response.text() };
}

async function wardEvents() {
  return auditDb(stack.database).selectFrom('audit_events').selectAll().where('action', '=', 'ward.change').orderBy('seq').execute();
}

async function familyNameOf(patientId: string): Promise<string> {
  const row = await stack.database.db.selectFrom('patients').select('family_name').where('id', '=', patientId).executeTakeFirstOrThrow();
  return row.family_name;
}

describe('wards CLI', () => {
  it('admits, transfers and discharges, and the ward nurse gains and loses the patient at her next call', async () => {
    const name = await familyNameOf('P002');
    // P002 lies in no ward: nurse_joy is refused and sees nothing of the record.
    const before = await joyReads('P002');
    expect(before.status).toBe(403);
    expect(before.body).not.toContain(name);

    expect(await wards(['admit', 'P002', 'W1'])).toMatchObject({ code: 0, stdout: 'admitted P002 to ward W1\n' });
    const admitted = await joyReads('P002');
    expect(admitted.status).toBe(200);
    expect(admitted.body).toContain(name);
    expect((await wards(['patients', 'W1'])).stdout).toMatch(/^P001 .*\nP004 .*\nP002 +admitted \d{4}-\d\d-\d\dT/);

    // A transfer to W2 ends the W1 admission at the same instant: joy loses the patient.
    expect(await wards(['admit', 'P002', 'W2'])).toMatchObject({ code: 0, stdout: 'transferred P002 from ward W1 to ward W2\n' });
    const transferred = await joyReads('P002');
    expect(transferred.status).toBe(403);
    expect(transferred.body).not.toContain(name);
    expect((await wards(['patients', 'W1'])).stdout).not.toContain('P002');
    expect((await wards(['patients', 'W2'])).stdout).toContain('P002');

    expect(await wards(['discharge', 'P002'])).toMatchObject({ code: 0, stdout: 'discharged P002 from ward W2\n' });
    expect((await wards(['patients', 'W2'])).stdout).not.toContain('P002');
    const open = await stack.database.db.selectFrom('admissions').selectAll().where('patient_id', '=', 'P002').where('discharged_at', 'is', null).execute();
    expect(open).toEqual([]);

    const events = await wardEvents();
    expect(events.map((e) => [e.reason, e.patient_id, e.source, e.decision])).toEqual([
      // Reasons are stored in lower case (audit/normalize.ts).
      ['ward.admit:ward/w1', 'P002', 'cli', 'allow'],
      ['ward.admit:ward/w2:from/w1', 'P002', 'cli', 'allow'],
      ['ward.discharge:ward/w2', 'P002', 'cli', 'allow'],
    ]);
    // In the FHIR export an admission is an update of the patient's record, naming the patient.
    const fhir = toFhirAuditEvent({ ...events[0]!, seq: Number(events[0]!.seq) } as StoredAuditEvent) as { action: string; entity?: Array<{ what?: { identifier?: { value?: string } } }> };
    expect(fhir.action).toBe('U');
    expect(JSON.stringify(fhir.entity)).toContain('P002');
    // The console has no IP address to give as one; its user agent names the operating-system user.
    expect(JSON.stringify(fhir)).not.toContain('local-cli');
    expect(JSON.stringify(fhir)).toMatch(/shai-cli \(os user [^)]+\)/);
  });

  it('records no change for what is already so, and says so', async () => {
    const recorded = (await wardEvents()).length;
    expect(await wards(['admit', 'P001', 'W1'])).toMatchObject({ code: 0, stdout: 'no change: P001 is already in ward W1\n' });
    expect(await wards(['discharge', 'P003'])).toMatchObject({ code: 0, stdout: 'no change: P003 is in no ward\n' });
    expect(await wards(['create', 'W1', '--name', (await stack.database.db.selectFrom('wards').select('name').where('id', '=', 'W1').executeTakeFirstOrThrow()).name])).toMatchObject({ code: 0, stdout: 'no change: ward W1 exists\n' });
    expect(await wardEvents()).toHaveLength(recorded);
  });

  it('creates a ward and lists wards with their counts', async () => {
    expect(await wards(['create', 'ICU-2', '--name', 'Intensive care, second floor'])).toMatchObject({ code: 0, stdout: 'created ward ICU-2\n' });
    expect(await wards(['admit', 'P005', 'ICU-2'])).toMatchObject({ code: 0 });
    const listing = (await wards(['list'])).stdout.split('\n');
    expect(listing.find((line) => line.startsWith('ICU-2 '))).toMatch(/Intensive care, second floor +1 patients +0 nurses/);
    // W1: P001 and P004 admitted by the demo data, nurse_joy assigned.
    expect(listing.find((line) => line.startsWith('W1 '))).toMatch(/ 2 patients +1 nurses/);
    expect((await wardEvents()).map((e) => e.reason)).toEqual(expect.arrayContaining(['ward.create:ward/icu-2', 'ward.admit:ward/icu-2']));
  });

  it('refuses bad input clearly and changes nothing', async () => {
    const admissions = await stack.database.db.selectFrom('admissions').selectAll().orderBy('id').execute();
    const wardRows = await stack.database.db.selectFrom('wards').selectAll().orderBy('id').execute();
    const recorded = (await wardEvents()).length;
    await expect(wards(['admit', 'P999', 'W1'])).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', detail: 'no patient P999' });
    await expect(wards(['admit', 'P001', 'W9'])).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', detail: 'no ward W9' });
    await expect(wards(['discharge', 'P999'])).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await expect(wards(['patients', 'W9'])).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await expect(wards(['create', 'W 3', '--name', 'Ward three'])).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await expect(wards(['create', 'W3', '--name', '   '])).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await expect(wards(['create', 'W3', '--name', 'bell\u0007'])).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await expect(wards(['create', 'W3'])).rejects.toMatchObject({ code: 'ERR_VALIDATION', detail: 'create needs --name <name>' });
    await expect(wards(['create', 'W1', '--name', 'Another name'])).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    // Audit reasons are lower case: a ward whose id differs from another's only in case could not be told apart there.
    await expect(wards(['create', 'w1', '--name', 'Ward one, lower case'])).rejects.toMatchObject({ code: 'ERR_CONFLICT', detail: expect.stringMatching(/^ward W1 exists/) });
    // A name is one line of a listing: no line break, tab, carriage return, direction override, or nothing visible.
    for (const name of ['fake\rW1   Ward 1', 'Intensive\nCare', 'Tab\there', 'Line\u2028two', '\u202Eevil', 'A\u200FB', 'A\u061CB', '\u200B', 'x'.repeat(101)]) {
      await expect(wards(['create', 'W3', '--name', name])).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    }
    await expect(wards(['admit', 'P001'])).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await expect(wards(['admit', 'P001', 'W1', '--at', 'now'])).rejects.toMatchObject({ code: 'ERR_VALIDATION', detail: 'unknown option --at' });
    // A flag where a value goes, and an option given twice, are refused rather than guessed at.
    await expect(wards(['create', 'W9', '--name', '--name'])).rejects.toMatchObject({ code: 'ERR_VALIDATION', detail: '--name needs a value' });
    await expect(wards(['create', 'W9', '--name', 'first', '--name', 'second'])).rejects.toMatchObject({ code: 'ERR_VALIDATION', detail: '--name is given twice' });
    // Another sub-command's option is refused, not ignored.
    await expect(wards(['admit', '--name', 'x', 'P002', 'W1'])).rejects.toMatchObject({ code: 'ERR_VALIDATION', detail: 'unknown option --name' });
    expect(await wards(['evict', 'P001'])).toMatchObject({ code: 2, stdout: '' });
    expect(await stack.database.db.selectFrom('admissions').selectAll().orderBy('id').execute()).toEqual(admissions);
    expect(await stack.database.db.selectFrom('wards').selectAll().orderBy('id').execute()).toEqual(wardRows);
    expect(await wardEvents()).toHaveLength(recorded);
  });

  it('commits an admission and its audit event together: with the log refusing, nothing is admitted and the nurse sees nothing', async () => {
    const admissions = await stack.database.db.selectFrom('admissions').selectAll().orderBy('id').execute();
    const recorded = (await wardEvents()).length;
    await refuseAuditWrites(stack.database, true);
    try {
      await expect(wards(['admit', 'P003', 'W1'])).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' });
      await expect(wards(['discharge', 'P001'])).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' });
      await expect(wards(['create', 'W7', '--name', 'Ward seven'])).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' });
    } finally {
      await refuseAuditWrites(stack.database, false);
    }
    expect(await stack.database.db.selectFrom('admissions').selectAll().orderBy('id').execute()).toEqual(admissions);
    expect(await stack.database.db.selectFrom('wards').select('id').where('id', '=', 'W7').execute()).toEqual([]);
    expect(await wardEvents()).toHaveLength(recorded);
    const read = await joyReads('P003');
    expect(read.status).toBe(403);
    expect(read.body).not.toContain(await familyNameOf('P003'));
    // Once the log takes writes again, the same command does it and records it.
    expect(await wards(['admit', 'P003', 'W1'])).toMatchObject({ code: 0, stdout: 'admitted P003 to ward W1\n' });
    expect((await wardEvents()).filter((e) => e.patient_id === 'P003').map((e) => e.reason)).toEqual(['ward.admit:ward/w1']);
  });

  it('records what was done when consoles act at once: one event per change, naming the ward really left', async () => {
    const before = (await wardEvents()).length;
    const reasonOf = (ward: string, from: string | undefined) => `ward.admit:ward/${ward.toLowerCase()}${from === undefined ? '' : `:from/${from.toLowerCase()}`}`;
    const admit = (ward: string) => admitPatient(stack.database.db, 'P007', ward, (trx, { from }) => appendInTransaction(trx, operatorEvent('ward.change', reasonOf(ward, from), 'P007')));
    const targets = ['W1', 'W2', 'W1', 'W2', 'W1'];
    const runs = await Promise.all(targets.map(admit));
    const expected = runs.flatMap((run, i) => (run.changed ? [reasonOf(targets[i]!, run.from)] : []));
    const events = (await wardEvents()).slice(before);
    expect(events.map((e) => e.reason).sort()).toEqual(expected.sort());
    const open = await stack.database.db.selectFrom('admissions').select('ward_id').where('patient_id', '=', 'P007').where('discharged_at', 'is', null).execute();
    expect(open).toHaveLength(1);
    expect((await verifyAuditChain(stack.database)).ok).toBe(true);
  });

  it("never ends a stay before it began, whatever the console's clock says", async () => {
    // A stay recorded by a console whose clock ran ahead: it began a minute from now.
    const ahead = new Date(Date.now() + 60_000).toISOString();
    await stack.database.db.insertInto('admissions').values({ id: 'ADM-ahead', patient_id: 'P006', ward_id: 'W2', admitted_at: ahead, discharged_at: null }).execute();
    await stack.database.db.updateTable('admissions').set({ discharged_at: ahead }).where('patient_id', '=', 'P006').where('id', '!=', 'ADM-ahead').where('discharged_at', 'is', null).execute();
    expect((await wards(['admit', 'P006', 'W1'])).code).toBe(0);
    const stays = await stack.database.db.selectFrom('admissions').selectAll().where('patient_id', '=', 'P006').execute();
    for (const stay of stays) if (stay.discharged_at !== null) expect(stay.discharged_at >= stay.admitted_at, JSON.stringify(stay)).toBe(true);
    expect(stays.filter((stay) => stay.discharged_at === null).map((stay) => stay.ward_id)).toEqual(['W1']);
  });

  it.runIf(testDatabaseKind() === 'sqlite')('waits for a write another process holds, instead of failing with "database is locked"', async () => {
    // Another process writes, holding the write lock for 700 ms (a server committing, an import).
    const holder = spawn(process.execPath, [
      '-e',
      `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))}); const db = new D(${JSON.stringify(stack.database.location)});` +
        `db.exec('BEGIN IMMEDIATE'); db.exec("INSERT INTO wards (id, name) VALUES ('HELD', 'Written while the lock was held')"); console.log('locked'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 700); db.exec('COMMIT');`,
    ]);
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    const started = Date.now();
    await expect(admitPatient(stack.database.db, 'P005', 'W2')).resolves.toMatchObject({ changed: true });
    expect(Date.now() - started).toBeGreaterThan(300);
    await new Promise((resolve) => holder.once('exit', resolve));
  });
});
