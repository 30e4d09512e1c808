#!/usr/bin/env node
/**
 * The command line: one sub-command per file under commands/, each exporting
 * `run(argv): Promise<number>` (the exit code). Loaded lazily so `audit verify` does not
 * pay for the servers' start-up.
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  start: { summary: 'migrate, seed demo data (development), start gateway + MCP server', load: () => import('./commands/start.js') },
  gateway: { summary: 'run the gateway only', load: () => import('./commands/gateway.js') },
  'mcp-server': { summary: 'run the MCP server only', load: () => import('./commands/mcp-server.js') },
  migrate: { summary: 'apply database migrations', load: () => import('./commands/migrate.js') },
  seed: { summary: 'load the demo accounts and patients (development only)', load: () => import('./commands/seed.js') },
  import: { summary: 'import FHIR R4 bundles: import <file-or-folder>…', load: () => import('./commands/import.js') },
  generate: { summary: 'generate synthetic patients: generate --patients N', load: () => import('./commands/generate.js') },
  accounts: { summary: 'manage accounts (create, deactivate, reactivate, …)', load: () => import('./commands/accounts.js') },
  wards: { summary: 'wards and admissions (list, create, patients, admit, discharge)', load: () => import('./commands/wards.js') },
  audit: { summary: 'audit verify | audit export --since … --until …', load: () => import('./commands/audit.js') },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(12)} ${c.summary}`);
    const usage = `usage: shai <command> [options]\n\n${lines.join('\n')}\n`;
    if (name === undefined || name === '--help' || name === 'help') {
      process.stdout.write(usage);
      return 0;
    }
    process.stderr.write(usage);
    return 2;
  }
  const module = await command.load();
  // --help anywhere asks for help, never for the command: `seed --help` seeded, `migrate --help` migrated.
  if (rest.includes('--help') || rest.includes('-h')) {
    if (name === 'accounts' || name === 'wards' || name === 'audit') return module.run(['--help']);
    process.stdout.write(`usage: shai ${name}: ${command.summary}\n`);
    return 0;
  }
  return module.run(rest);
}

// Output piped into a reader that stopped early (`accounts list | head`): nothing more to say.
// Output that cannot be written at all (a full disk, /dev/full): said in a line, exit 1, no stack.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`error: cannot write the output: ${error.code ?? error.message}\n`);
  process.exit(1);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A CLI error is for the operator: its message, never a stack trace, unless asked.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\n`);
    if (process.env.SHAI_DEBUG) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    process.exitCode = 1;
    // Whatever a failed command left open must not keep the process alive: a supervisor
    // restarts a process that exits, not one that hangs. Unref'd, so a clean exit is not delayed.
    setTimeout(() => process.exit(1), 1000).unref();
  },
);
