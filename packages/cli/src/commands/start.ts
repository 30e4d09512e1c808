/**
 * `npm start`: prepare the database, then run the MCP server and the gateway as two
 * processes (two trust boundaries, as in production) and print where to go.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDevelopmentSecrets, hostForUrl } from '@secure-hospital-ai/core/config';
import { openDatabase } from '@secure-hospital-ai/core/db/database';
import { migrateToLatest } from '@secure-hospital-ai/core/db/migrate';
import { SERVER_NODE_FLAGS, withServerEnvironment } from '@secure-hospital-ai/core/node-flags';
import { DEMO_ACCOUNTS, seedDemoData } from '@secure-hospital-ai/core/db/seed';
import { assertProductionReady, loadRuntimeConfig } from '../runtime.js';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

export async function run(_argv: string[]): Promise<number> {
  const generated = ensureDevelopmentSecrets(resolve('.env'));
  if (generated.length > 0) process.stdout.write(`generated ${generated.join(' and ')} into .env (keep it out of version control)\n`);
  const config = loadRuntimeConfig();
  // Taken ports are said so before anything is done: the servers would fail, but the readiness
  // wait below would find whatever holds the ports answering and announce it as this start.
  await assertPortFree('gateway', config.gateway.host, config.gateway.port, 'GATEWAY_PORT');
  await assertPortFree('mcp-server', config.mcp.host, config.mcp.port, 'MCP_PORT');

  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrateToLatest(database);
    if (applied.length > 0) process.stdout.write(`migrated ${database.location}: ${applied.join(', ')}\n`);
    if (config.env !== 'production') {
      const seeded = await seedDemoData(database.db);
      if (seeded.accountsCreated + seeded.patientsCreated > 0) {
        process.stdout.write(`seeded ${seeded.accountsCreated} demo accounts and ${seeded.patientsCreated} patients\n`);
      }
    }
    await assertProductionReady(config, database);
  } finally {
    await database.close();
  }

  // The gateway stops first, so that nothing is forwarded to an MCP server that is going away.
  const order = ['gateway', 'mcp-server'] as const;
  const children = new Map<(typeof order)[number], ChildProcess>();
  const exits = new Map<(typeof order)[number], Promise<number>>();
  let stopping: Promise<void> | undefined;
  let unexpected = false;
  const stopAll = (signal: NodeJS.Signals): Promise<void> =>
    (stopping ??= (async () => {
      for (const name of order) {
        const child = children.get(name);
        if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
        await exits.get(name);
      }
    })());
  for (const name of [...order].reverse()) {
    // The IPC channel ties each server to this process: it closes when this process dies,
    // however it dies (SIGKILL included), and the server then shuts down (runtime.ts).
    const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, MAIN, name], {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: withServerEnvironment(process.env),
    });
    children.set(name, child);
    exits.set(
      name,
      new Promise<number>((resolveExit) => {
        child.on('exit', (code, signal) => {
          if (stopping === undefined) {
            // One half of the chain is no use alone: say so, take the other down, and fail, so
            // that a process manager set to restart on failure brings the pair back.
            unexpected = true;
            process.stderr.write(`${name} stopped unexpectedly (${signal ?? `exit code ${String(code)}`}); stopping the other server\n`);
            void stopAll('SIGTERM');
          }
          resolveExit(code ?? (signal ? 1 : 0));
        });
      }),
    );
  }
  const exited = Promise.all(order.map((name) => exits.get(name) as Promise<number>)).then((codes) =>
    unexpected ? 1 : Math.max(...codes),
  );
  process.on('SIGINT', () => void stopAll('SIGINT'));
  process.on('SIGTERM', () => void stopAll('SIGTERM'));
  // Whoever started this process going away stops the servers too: npm, killed with SIGTERM
  // by a process manager, does not pass the signal on to its script's shell's child, and this
  // process and both servers were left running, holding their ports.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid === parent || stopping !== undefined) return;
    // Said, since it also ends a `nohup … &` from a shell that then exits: that is not how to
    // run the servers detached.
    process.stderr.write(
      `the process that ran \`start\` (pid ${parent}) has ended; stopping both servers. ` +
        'To run them detached, run `gateway` and `mcp-server` under a process manager.\n',
    );
    void stopAll('SIGTERM');
  }, 500).unref();

  const gatewayUrl = `http://${hostForUrl(config.gateway.host)}:${config.gateway.port}`;
  const urls = [`${gatewayUrl}/healthz`, `${config.mcp.url.replace(/\/mcp\/?$/, '')}/healthz`];
  // Stopped while still starting (Ctrl-C at once): no banner, and no waiting out the deadline.
  if (await waitForHealthy(urls, 30_000, () => stopping !== undefined)) {
    process.stdout.write(banner(gatewayUrl, config.env !== 'production'));
  }
  return exited;
}

async function assertPortFree(name: string, host: string, port: number, setting: string): Promise<void> {
  const probe = createServer();
  try {
    await new Promise<void>((resolvePort, reject) => {
      probe.once('error', reject);
      probe.listen({ host, port, exclusive: true }, () => resolvePort());
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`the ${name}'s port ${host}:${port} is ${code === 'EADDRINUSE' ? 'in use (another instance running?)' : `not available (${code ?? 'error'})`}; set ${setting} to another`);
  } finally {
    await new Promise<void>((closed) => (probe.listening ? probe.close(() => closed()) : closed()));
  }
}

async function waitForHealthy(urls: string[], timeoutMs: number, abandoned: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (const url of urls) {
    for (;;) {
      if (abandoned()) return false;
      try {
        const response = await fetch(url);
        if (response.ok) break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  return !abandoned();
}

function banner(gatewayUrl: string, demo: boolean): string {
  const lines = [
    '',
    `  secure-hospital-ai is running`,
    `  web UI and API:  ${gatewayUrl}/`,
    `  MCP endpoint:    ${gatewayUrl}/mcp-proxy/  (Authorization: Bearer <access token>)`,
  ];
  if (demo) {
    lines.push('', '  demo accounts (development only):');
    for (const a of DEMO_ACCOUNTS) {
      lines.push(`    ${a.username.padEnd(13)} ${a.password.padEnd(20)} ${a.role}${a.active === false ? ' (deactivated)' : ''}`);
    }
  }
  lines.push('', '  Ctrl-C stops both servers.', '');
  return `${lines.join('\n')}\n`;
}
