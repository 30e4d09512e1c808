/**
 * `accounts …`: account administration from the operator's console. Every change goes through
 * core/accounts.ts and is audited as `account.change`; it takes effect at both servers on
 * the next request, because both read account state per request (account-state.ts).
 */
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import {
  accountChangeReason,
  assignCareTeam,
  assignWard,
  createAccount,
  listAccounts,
  removeCareTeam,
  removeWard,
  requireAccount,
  resetPassword,
  setAccountActive,
  setAccountRole,
} from '@secure-hospital-ai/core/accounts';
import { createAuditWriter } from '@secure-hospital-ai/core/audit/writer';
import type { AuditSink } from '@secure-hospital-ai/core/audit/event';
import type { Database } from '@secure-hospital-ai/core/db/database';
import { isRole, ROLES } from '@secure-hospital-ai/core/domain';
import { AppError, isAppError } from '@secure-hospital-ai/core/errors';
import { loadRuntimeConfig, openExistingDatabase } from '../runtime.js';

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
roles: ${ROLES.join(', ')}
Without --password the password is asked for (not echoed), or read from standard input
when it is not a terminal; a password on the command line is visible to other local users.`;

/** Where the command writes and how it reads a password: the console, or a test's buffers. */
export interface AccountsIo {
  out(text: string): void;
  err(text: string): void;
  readPassword(prompt: string): Promise<string>;
}

export interface AccountsDeps {
  database: Database;
  audit: AuditSink;
  io: AccountsIo;
}

interface Parsed {
  positional: string[];
  options: Map<string, string>;
}

const VALUE_OPTIONS = new Set(['--role', '--password', '--patient', '--name']);

function parseArgs(argv: readonly string[]): Parsed {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (!VALUE_OPTIONS.has(name)) {
      if (arg.startsWith('--')) throw usageError(`unknown option ${name}`);
      positional.push(arg);
      continue;
    }
    const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw usageError(`${name} needs a value`);
    options.set(name, value);
  }
  return { positional, options };
}

function usageError(detail: string): AppError {
  return new AppError('ERR_VALIDATION', { detail });
}

function need(values: readonly string[], count: number, what: string): string[] {
  if (values.length !== count) throw usageError(`expected ${what}`);
  return [...values];
}

/**
 * One `account.change` event per change, after it is made; the reason names the change and
 * the account id, never a password. If the log cannot take it, the command fails loudly.
 */
async function audited(deps: AccountsDeps, change: string, accountId: number, patientId: string | null = null, role?: { from?: string; to: string }): Promise<void> {
  await deps.audit.record({
    request_id: randomUUID(),
    source: 'cli',
    action: 'account.change',
    user_id: null,
    role: null,
    tool: null,
    patient_id: patientId,
    decision: 'allow',
    reason: accountChangeReason(change, accountId, role),
    break_glass: false,
    purpose_of_use: 'HSYSADMIN',
    redactions: {},
    client_address: 'local-cli',
    user_agent: `shai-cli (os user ${operatorName()})`,
  });
}

function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

async function passwordFrom(parsed: Parsed, io: AccountsIo): Promise<string> {
  return parsed.options.get('--password') ?? io.readPassword('password: ');
}

/** The command logic against an open database: what tests drive, with real accounts and audit. */
export async function runAccounts(argv: readonly string[], deps: AccountsDeps): Promise<number> {
  const [command, ...rest] = argv;
  const parsed = parseArgs(rest);
  const args = parsed.positional;
  const db = deps.database.db;
  const { io } = deps;
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
      const role = parsed.options.get('--role');
      if (!isRole(role)) throw usageError(`--role must be one of ${ROLES.join(', ')}`);
      const password = await passwordFrom(parsed, io);
      const account = await createAccount(db, {
        username,
        password,
        role,
        displayName: parsed.options.get('--name') ?? username,
        patientId: parsed.options.get('--patient') ?? null,
      });
      await audited(deps, 'account.create', account.id, account.patient_id, { to: account.role });
      io.out(`created ${account.username} (${account.role}, id ${account.id})\n`);
      return 0;
    }
    case 'deactivate':
    case 'reactivate': {
      const [username] = need(args, 1, '<username>') as [string];
      const { account, changed } = await setAccountActive(db, username, command === 'reactivate');
      if (!changed) {
        io.out(`no change: ${username} is already ${command === 'reactivate' ? 'active' : 'deactivated'}\n`);
        return 0;
      }
      await audited(deps, `account.${command}`, account.id);
      io.out(`${command}d ${username}; takes effect at the next request\n`);
      return 0;
    }
    case 'reset-password': {
      const [username] = need(args, 1, '<username>') as [string];
      const account = await requireAccount(db, username);
      await resetPassword(db, username, await passwordFrom(parsed, io));
      await audited(deps, 'account.reset_password', account.id);
      io.out(`password of ${username} reset; its sessions were ended\n`);
      return 0;
    }
    case 'set-role': {
      const [username, role] = need(args, 2, '<username> <role>') as [string, string];
      if (!isRole(role)) throw usageError(`role must be one of ${ROLES.join(', ')}`);
      const before = await requireAccount(db, username);
      const account = await setAccountRole(db, username, role, parsed.options.get('--patient') ?? null);
      await audited(deps, 'account.set_role', account.id, account.patient_id, { from: before.role, to: account.role });
      io.out(`${username} is now ${role}; tokens issued under the old role are refused\n`);
      return 0;
    }
    case 'assign-care-team':
    case 'unassign-care-team': {
      const [username, patientId] = need(args, 2, '<username> <patientId>') as [string, string];
      const account = await requireAccount(db, username);
      const adding = command === 'assign-care-team';
      const changed = adding ? await assignCareTeam(db, username, patientId) : await removeCareTeam(db, username, patientId);
      if (!changed) {
        io.out(`no change: ${username} ${adding ? 'is already' : 'is not'} on the care team of ${patientId}\n`);
        return 0;
      }
      await audited(deps, `account.${command.replace(/-/g, '_')}`, account.id, patientId);
      io.out(`${adding ? 'added' : 'removed'} ${username} ${adding ? 'to' : 'from'} the care team of ${patientId}\n`);
      return 0;
    }
    case 'assign-ward':
    case 'unassign-ward': {
      const [username, wardId] = need(args, 2, '<username> <wardId>') as [string, string];
      const account = await requireAccount(db, username);
      const adding = command === 'assign-ward';
      const changed = adding ? await assignWard(db, username, wardId) : await removeWard(db, username, wardId);
      if (!changed) {
        io.out(`no change: ${username} ${adding ? 'is already' : 'is not'} assigned to ward ${wardId}\n`);
        return 0;
      }
      await audited(deps, `account.${command.replace(/-/g, '_')}:ward/${wardId}`, account.id);
      io.out(`${adding ? 'assigned' : 'unassigned'} ${username} ${adding ? 'to' : 'from'} ward ${wardId}\n`);
      return 0;
    }
    default:
      // Asked for, the usage is the answer (stdout); after a wrong command it is the error (stderr).
      if (command === undefined || command === '--help' || command === 'help') {
        io.out(`${USAGE}\n`);
        return 0;
      }
      io.err(`${USAGE}\n`);
      return 2;
  }
}

/** Reads a password without echoing it on a terminal, or one line of piped input. */
function readPasswordFromConsole(prompt: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input, output: process.stderr, terminal: input.isTTY === true });
    if (input.isTTY) {
      process.stderr.write(prompt);
      // Swallow the echo of what is typed; the prompt was written above.
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
    }
    let answered = false;
    rl.once('line', (line) => {
      // Settled before closing: closing fires 'close', which would otherwise refuse first.
      answered = true;
      if (input.isTTY) process.stderr.write('\n');
      resolve(line);
      rl.close();
    });
    rl.once('close', () => {
      if (!answered) reject(new AppError('ERR_VALIDATION', { detail: 'no password given' }));
    });
  });
}

const consoleIo: AccountsIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  readPassword: readPasswordFromConsole,
};

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === '--help' || argv[0] === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // No sub-command is a misuse (exit 2), as an unknown one is: a script that forgot it must not pass.
  if (argv.length === 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadRuntimeConfig();
  const database = await openExistingDatabase(config);
  const audit = createAuditWriter(database);
  try {
    return await runAccounts(argv, { database, audit, io: consoleIo });
  } catch (error) {
    if (!isAppError(error)) throw error;
    // The operator's mistake (unknown user, short password): say what, exit non-zero.
    process.stderr.write(`error: ${error.detail}\n`);
    return error.code === 'ERR_VALIDATION' ? 2 : 1;
  } finally {
    await audit.close();
    await database.close();
  }
}
