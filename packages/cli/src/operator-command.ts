/**
 * What the operator's administration commands (`accounts`, `wards`) share: reading their
 * arguments, the audit record of a change made at the console, and the frame that opens the
 * migrated database, runs the command and turns a refusal into a line and an exit code.
 */
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import type { AuditEventInput } from '@secure-hospital-ai/core/audit/event';
import type { Database } from '@secure-hospital-ai/core/db/database';
import { AppError, isAppError } from '@secure-hospital-ai/core/errors';
import { loadRuntimeConfig, openExistingDatabase } from './runtime.js';

/** Where a command writes and how it reads a password: the console, or a test's buffers. */
export interface OperatorIo {
  out(text: string): void;
  err(text: string): void;
  readPassword(prompt: string): Promise<string>;
}

export interface OperatorDeps {
  database: Database;
  io: OperatorIo;
}

export interface ParsedArgs {
  positional: string[];
  options: Map<string, string>;
}

/** Positional arguments, and `--name value` / `--name=value` for the options that take one; any other option is refused. */
export function parseArgs(argv: readonly string[], valueOptions: ReadonlySet<string>): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (!valueOptions.has(name)) {
      if (arg.startsWith('--')) throw usageError(`unknown option ${name}`);
      positional.push(arg);
      continue;
    }
    const inline = eq > 0 && arg.startsWith('--');
    const value = inline ? arg.slice(eq + 1) : argv[++i];
    // `--name --name` had named a ward "--name"; `--role doctor --role nurse` had made a nurse.
    if (value === undefined || (!inline && value.startsWith('--'))) throw usageError(`${name} needs a value`);
    if (options.has(name)) throw usageError(`${name} is given twice`);
    options.set(name, value);
  }
  return { positional, options };
}

export function usageError(detail: string): AppError {
  return new AppError('ERR_VALIDATION', { detail });
}

/** Exactly `count` positional arguments, or a usage error naming what was expected. */
export function need(values: readonly string[], count: number, what: string): string[] {
  if (values.length !== count) throw usageError(`expected ${what}`);
  return [...values];
}

/** What a sub-command is given: its arguments, read, and the open database and console. */
export interface SubCommandContext {
  args: string[];
  options: Map<string, string>;
  db: Database['db'];
  io: OperatorIo;
}

/**
 * Reads argv's options (`valueOptions`: those each sub-command takes) and runs the sub-command
 * it names through `run`, which resolves undefined for a name it does not know: then the usage
 * is the answer, on stdout when it was asked for (exit 0), else as the error (stderr, exit 2).
 */
export async function dispatch(
  argv: readonly string[],
  deps: OperatorDeps,
  usage: string,
  valueOptions: Readonly<Record<string, readonly string[]>>,
  run: (command: string | undefined, context: SubCommandContext) => Promise<number | undefined>,
): Promise<number> {
  const [command, ...rest] = argv;
  // Each sub-command takes its own options; another's is refused, not ignored (`wards admit --name x`).
  const taken = command !== undefined && Object.hasOwn(valueOptions, command) ? valueOptions[command] : undefined;
  const { positional, options } = parseArgs(rest, new Set(taken ?? []));
  const code = await run(command, { args: positional, options, db: deps.database.db, io: deps.io });
  if (code !== undefined) return code;
  if (command === undefined || command === '--help' || command === 'help') {
    deps.io.out(`${usage}\n`);
    return 0;
  }
  deps.io.err(`${usage}\n`);
  return 2;
}

/**
 * The audit event of a change made at a console. No user signed in there: the event names the
 * operating-system user instead, and the reason names the change, never a password or a name.
 */
export function operatorEvent(
  action: 'account.change' | 'ward.change',
  reason: string,
  patientId: string | null,
): AuditEventInput {
  return {
    request_id: randomUUID(),
    source: 'cli',
    action,
    user_id: null,
    role: null,
    tool: null,
    patient_id: patientId,
    decision: 'allow',
    reason,
    break_glass: false,
    purpose_of_use: 'HSYSADMIN',
    redactions: {},
    client_address: 'local-cli',
    user_agent: `shai-cli (os user ${operatorName()})`,
  };
}

function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
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

export const consoleIo: OperatorIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  readPassword: readPasswordFromConsole,
};

/**
 * The console frame of an administration command: `--help` and no sub-command answered with
 * the usage (exit 0 and 2), the database opened only when migrated, a refusal said in one
 * line (exit 2 for a misuse, 1 otherwise), and the database closed.
 */
export async function runOperatorCommand(
  argv: readonly string[],
  usage: string,
  io: OperatorIo,
  body: (argv: readonly string[], deps: OperatorDeps) => Promise<number>,
): Promise<number> {
  if (argv[0] === '--help' || argv[0] === 'help') {
    io.out(`${usage}\n`);
    return 0;
  }
  // No sub-command is a misuse (exit 2), as an unknown one is: a script that forgot it must not pass.
  if (argv.length === 0) {
    io.err(`${usage}\n`);
    return 2;
  }
  const config = loadRuntimeConfig();
  const database = await openExistingDatabase(config);
  try {
    return await body(argv, { database, io });
  } catch (error) {
    if (!isAppError(error)) throw error;
    // The operator's mistake (unknown user, short password): say what, exit non-zero.
    io.err(`error: ${error.detail}\n`);
    return error.code === 'ERR_VALIDATION' ? 2 : 1;
  } finally {
    await database.close();
  }
}
