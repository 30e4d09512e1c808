#!/usr/bin/env node
// Makes a fresh clone runnable: installs dependencies when they are missing or stale,
// checks that the native modules (better-sqlite3, argon2) load, and builds the
// TypeScript workspaces. Plain Node, no dependencies, so it can run before `npm install`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const stampFile = join(root, 'node_modules', '.shai-install-stamp');

// Everything said while preparing goes to stderr: the command that follows may write its data
// to stdout (`npm run -s audit:export > events.ndjson`).
function sh(cmd, args) {
  execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 2, 'inherit'] });
}

function manifestHash() {
  const hash = createHash('sha256');
  for (const file of ['package.json', 'package-lock.json', ...['core', 'gateway', 'mcp-server', 'web', 'cli'].map((p) => `packages/${p}/package.json`)]) {
    const path = join(root, file);
    if (existsSync(path)) hash.update(readFileSync(path));
  }
  return hash.digest('hex');
}

function nativeModulesLoad() {
  const require = createRequire(join(root, 'packages/core/package.json'));
  try {
    const Sqlite = require('better-sqlite3');
    new Sqlite(':memory:').close();
    require('argon2');
    return true;
  } catch {
    return false;
  }
}

const wanted = manifestHash();
const stamp = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
if (stamp !== wanted || !existsSync(join(root, 'node_modules'))) {
  process.stderr.write('installing dependencies (first run or changed manifests)…\n');
  sh(npm, existsSync(join(root, 'package-lock.json')) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund']);
}
if (!nativeModulesLoad()) {
  process.stderr.write('building native modules (better-sqlite3, argon2) from source…\n');
  sh(npm, ['rebuild', 'better-sqlite3', 'argon2']);
  if (!nativeModulesLoad()) {
    process.stderr.write('native modules still fail to load; is a C++ toolchain (g++, make, python3) installed?\n');
    process.exit(1);
  }
}
writeFileSync(stampFile, `${wanted}\n`);
process.stderr.write('building TypeScript…\n');
sh(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli', 'packages/web']);
