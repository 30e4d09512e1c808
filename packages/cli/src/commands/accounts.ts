/**
 * `accounts …`: account administration from the operator's console. Every change goes through
 * core/accounts.ts and is audited as `account.change`; it takes effect at both servers on
 * the next request, because both read account state per request (account-state.ts).
 */
import {
  accountChangeReason,
  assignCareTeam,
  assignWard,
  createAccount,
  listAccounts,
  removeCareTeam,
  removeWard,
  resetPassword,
  retireDemoAccount,
  setAccountActive,
  setAccountRole,
} from '@secure-hospital-ai/core/accounts';
import { appendInTransaction, type RecordChange } from '@secure-hospital-ai/core/audit/append-in-transaction';
import { demoAccountsPresent } from '@secure-hospital-ai/core/db/seed';
import type { Account } from '@secure-hospital-ai/core/db/schema';
import type { WriteTransaction } from '@secure-hospital-ai/core/db/write-transaction';
import { isRole, ROLES } from '@secure-hospital-ai/core/domain';
import {
  consoleIo,
  dispatch,
  need,
  operatorEvent,
  runOperatorCommand,
  usageError,
  type OperatorDeps,
  type OperatorIo,
} from '../operator-command.js';

export const USAGE = `usage: accounts <command>
  list
  create <username> --role <role> [--password <p>] [--patient <patientId>] [--name <display name>]
  deactivate <username>
  reactivate <username>
  reset-password <username> [--password <p>]
  set-role <username> <role> [--patient <patientId>]
  assign-care-team <username> <patientId>
  unassign-care-team <username> <patientId>
  assign-ward <username> <wardId>
  unassign-ward <username> <wardId>
  retire-demo                       deactivates every demo account for good (production refuses to start with one)
roles: ${ROLES.join(', ')}
Without --password the password is asked for (not echoed), or read from standard input
when it is not a terminal; a password on the command line is visible to other local users.`;

const VALUE_OPTIONS = {
  create: ['--role', '--password', '--patient', '--name'],
  'reset-password': ['--password'],
  'set-role': ['--patient'],
};

/**
 * The `account.change` event, appended in the change's own transaction (core/accounts.ts: the
 * change and its event commit together or not at all), with the reason the gateway gives the
 * same change.
 */
function recordChange(trx: WriteTransaction, change: string, accountId: number, patientId: string | null = null, role?: { from?: string; to: string }): Promise<void> {
  return appendInTransaction(trx, operatorEvent('account.change', accountChangeReason(change, accountId, role), patientId));
}

async function passwordFrom(options: ReadonlyMap<string, string>, io: OperatorIo): Promise<string> {
  return options.get('--password') ?? io.readPassword('password: ');
}

/** The command logic against an open database: what tests drive, with real accounts and audit. */
export function runAccounts(argv: readonly string[], deps: OperatorDeps): Promise<number> {
  return dispatch(argv, deps, USAGE, VALUE_OPTIONS, async (command, { args, options, db, io }) => {
    switch (command) {
      case 'list': {
        need(args, 0, 'no arguments');
        for (const a of await listAccounts(db)) {
          const link = a.patient_id ? ` patient=${a.patient_id}` : '';
          io.out(`${String(a.id).padStart(4)} ${a.username.padEnd(20)} ${a.role.padEnd(12)} ${a.is_active ? 'active' : 'DEACTIVATED'}${link}${a.is_demo ? ' (demo)' : ''}\n`);
        }
        return 0;
      }
      case 'create': {
        const [username] = need(args, 1, '<username>') as [string];
        const role = options.get('--role');
        if (!isRole(role)) throw usageError(`--role must be one of ${ROLES.join(', ')}`);
        const password = await passwordFrom(options, io);
        const account = await createAccount(
          db,
          { username, password, role, displayName: options.get('--name') ?? username, patientId: options.get('--patient') ?? null },
          (trx, created) => recordChange(trx, 'account.create', created.id, created.patient_id, { to: created.role }),
        );
        io.out(`created ${account.username} (${account.role}, id ${account.id})\n`);
        return 0;
      }
      case 'deactivate':
      case 'reactivate': {
        const [username] = need(args, 1, '<username>') as [string];
        const { changed } = await setAccountActive(db, username, command === 'reactivate', (trx, account) => recordChange(trx, `account.${command}`, account.id));
        if (!changed) {
          io.out(`no change: ${username} is already ${command === 'reactivate' ? 'active' : 'deactivated'}\n`);
          return 0;
        }
        io.out(`${command}d ${username}; takes effect at the next request\n`);
        return 0;
      }
      case 'reset-password': {
        const [username] = need(args, 1, '<username>') as [string];
        await resetPassword(db, username, await passwordFrom(options, io), (trx, account) => recordChange(trx, 'account.reset_password', account.id));
        io.out(`password of ${username} reset; its sessions were ended\n`);
        return 0;
      }
      case 'set-role': {
        const [username, role] = need(args, 2, '<username> <role>') as [string, string];
        if (!isRole(role)) throw usageError(`role must be one of ${ROLES.join(', ')}`);
        await setAccountRole(db, username, role, options.get('--patient') ?? null, (trx, { before, patientId }) =>
          recordChange(trx, 'account.set_role', before.id, patientId, { from: before.role, to: role }),
        );
        io.out(`${username} is now ${role}; tokens issued under the old role are refused\n`);
        return 0;
      }
      case 'assign-care-team':
      case 'unassign-care-team': {
        const [username, patientId] = need(args, 2, '<username> <patientId>') as [string, string];
        const adding = command === 'assign-care-team';
        const record: RecordChange<Account> = (trx, account) => recordChange(trx, `account.${command.replace(/-/g, '_')}`, account.id, patientId);
        const changed = adding ? await assignCareTeam(db, username, patientId, undefined, record) : await removeCareTeam(db, username, patientId, record);
        if (!changed) {
          io.out(`no change: ${username} ${adding ? 'is already' : 'is not'} on the care team of ${patientId}\n`);
          return 0;
        }
        io.out(`${adding ? 'added' : 'removed'} ${username} ${adding ? 'to' : 'from'} the care team of ${patientId}\n`);
        return 0;
      }
      case 'assign-ward':
      case 'unassign-ward': {
        const [username, wardId] = need(args, 2, '<username> <wardId>') as [string, string];
        const adding = command === 'assign-ward';
        const record: RecordChange<Account> = (trx, account) => recordChange(trx, `account.${command.replace(/-/g, '_')}:ward/${wardId}`, account.id);
        const changed = adding ? await assignWard(db, username, wardId, record) : await removeWard(db, username, wardId, record);
        if (!changed) {
          io.out(`no change: ${username} ${adding ? 'is already' : 'is not'} assigned to ward ${wardId}\n`);
          return 0;
        }
        io.out(`${adding ? 'assigned' : 'unassigned'} ${username} ${adding ? 'to' : 'from'} ward ${wardId}\n`);
        return 0;
      }
      case 'retire-demo': {
        need(args, 0, 'no arguments');
        const demo = await demoAccountsPresent(db);
        if (demo.length === 0) {
          io.out('no change: there are no demo accounts\n');
          return 0;
        }
        for (const username of demo) {
          await retireDemoAccount(db, username, (trx, account) => recordChange(trx, 'account.retire_demo', account.id));
          io.out(`retired ${username}: deactivated, password replaced, care teams and wards removed\n`);
        }
        return 0;
      }
      default:
        return undefined;
    }
  });
}

export function run(argv: string[]): Promise<number> {
  return runOperatorCommand(argv, USAGE, consoleIo, runAccounts);
}
