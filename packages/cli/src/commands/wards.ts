/**
 * `wards …`: wards and admissions from the operator's console (core/wards.ts). An admission
 * is what gives a ward's nurses access to a patient, so every change is audited as
 * `ward.change` with the patient's id, in the same transaction as the change, and takes
 * effect at the next tool call.
 */
import { appendInTransaction } from '@secure-hospital-ai/core/audit/append-in-transaction';
import type { WriteTransaction } from '@secure-hospital-ai/core/db/write-transaction';
import { admitPatient, createWard, dischargePatient, listWards, wardPatients } from '@secure-hospital-ai/core/wards';
import { consoleIo, dispatch, need, operatorEvent, runOperatorCommand, usageError, type OperatorDeps } from '../operator-command.js';

export const USAGE = `usage: wards <command>
  list                              wards, with how many patients and nurses each has
  create <wardId> --name <name>
  patients <wardId>                 who lies in the ward now (patient ids and admission times)
  admit <patientId> <wardId>        admits, or transfers from the ward the patient is in
  discharge <patientId>
A nurse sees the patients admitted to her wards (accounts assign-ward <username> <wardId>).`;

const VALUE_OPTIONS = { create: ['--name'] };

/**
 * The `ward.change` event, appended in the change's own transaction: it says what was done
 * (the ward the patient really left) and commits with it, or neither happens.
 */
function record(trx: WriteTransaction, reason: string, patientId: string | null): Promise<void> {
  return appendInTransaction(trx, operatorEvent('ward.change', reason, patientId));
}

/** The command logic against an open database: what tests drive, with real wards and audit. */
export function runWards(argv: readonly string[], deps: OperatorDeps): Promise<number> {
  return dispatch(argv, deps, USAGE, VALUE_OPTIONS, async (command, { args, options, db, io }) => {
    switch (command) {
      case 'list': {
        need(args, 0, 'no arguments');
        for (const ward of await listWards(db)) {
          io.out(`${ward.id.padEnd(12)} ${ward.name.padEnd(32)} ${String(ward.patients).padStart(5)} patients ${String(ward.nurses).padStart(4)} nurses\n`);
        }
        return 0;
      }
      case 'create': {
        const [wardId] = need(args, 1, '<wardId> --name <name>') as [string];
        const name = options.get('--name');
        if (name === undefined) throw usageError('create needs --name <name>');
        if (!(await createWard(db, wardId, name, (trx) => record(trx, `ward.create:ward/${wardId}`, null)))) {
          io.out(`no change: ward ${wardId} exists\n`);
          return 0;
        }
        io.out(`created ward ${wardId}\n`);
        return 0;
      }
      case 'patients': {
        const [wardId] = need(args, 1, '<wardId>') as [string];
        for (const admission of await wardPatients(db, wardId)) io.out(`${admission.patient_id.padEnd(40)} admitted ${admission.admitted_at}\n`);
        return 0;
      }
      case 'admit': {
        const [patientId, wardId] = need(args, 2, '<patientId> <wardId>') as [string, string];
        const done = await admitPatient(db, patientId, wardId, (trx, { from }) =>
          record(trx, `ward.admit:ward/${wardId}${from === undefined ? '' : `:from/${from}`}`, patientId),
        );
        if (!done.changed) io.out(`no change: ${patientId} is already in ward ${wardId}\n`);
        else if (done.from === undefined) io.out(`admitted ${patientId} to ward ${wardId}\n`);
        else io.out(`transferred ${patientId} from ward ${done.from} to ward ${wardId}\n`);
        return 0;
      }
      case 'discharge': {
        const [patientId] = need(args, 1, '<patientId>') as [string];
        const left = await dischargePatient(db, patientId, (trx, { from }) => record(trx, `ward.discharge:ward/${from}`, patientId));
        io.out(left === undefined ? `no change: ${patientId} is in no ward\n` : `discharged ${patientId} from ward ${left}\n`);
        return 0;
      }
      default:
        return undefined;
    }
  });
}

export function run(argv: string[]): Promise<number> {
  return runOperatorCommand(argv, USAGE, consoleIo, runWards);
}
