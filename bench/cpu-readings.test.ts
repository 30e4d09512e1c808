import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { testDatabaseKind } from '@secure-hospital-ai/core/db/test-database';
import { POSTGRES_ADMIN_URL } from '../test/global-setup.js';
import { POSTGRES_BACKENDS, backendCpuSeconds, cpuSnapshot, cpuSpentSince, machineTicks } from './bench-process.js';
import { scenarioTable } from './bench-report.js';
import type { ScenarioResult } from './bench-run.js';
import { postgresDatabaseOf } from './bench-system.js';

function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy on purpose: the machine's ticks must move.
  }
}

describe('machineTicks', () => {
  it('counts the busy time of this process into the total, and idle no more than the total', () => {
    const before = machineTicks();
    spin(300);
    const after = machineTicks();
    const total = after.total - before.total;
    // 300 ms on one core at USER_HZ 100: about 30 ticks of a total that counts every core.
    expect(total).toBeGreaterThanOrEqual(20);
    expect(after.idle - before.idle).toBeLessThan(total);
  });
});

describe('cpuSpentSince', () => {
  it("adds up the backends by pid: a new one from zero, one that ended left out, so a pool's churn never makes the sum negative", () => {
    const before = { processes: new Map([['gateway', 10], ['mcp-server', 20]]), backends: new Map([[101, 5], [102, 40]]) };
    // 102 closed while idle; 103 opened during the run.
    const after = { processes: new Map([['gateway', 10.5], ['mcp-server', 20.25], ['late', 3]]), backends: new Map([[101, 5.5], [103, 0.25]]) };
    expect(cpuSpentSince(before, after)).toEqual({ gateway: 0.5, 'mcp-server': 0.25, [POSTGRES_BACKENDS]: 0.75 });
  });

  it('has no backends entry on SQLite', () => {
    const none = { processes: new Map([['mcp-server', 1]]), backends: new Map<number, number>() };
    expect(cpuSpentSince(none, { ...none, processes: new Map([['mcp-server', 2]]) })).toEqual({ 'mcp-server': 1 });
  });
});

describe('the scenario table', () => {
  const base: ScenarioResult = {
    id: 'chain',
    label: 'full chain',
    completed: 100,
    rps: 5000,
    p50Ms: 5,
    p99Ms: 14,
    maxMs: 20,
    errors: 0,
    statuses: { '200': 100 },
    vsTwoHop: 0.5,
    vsOneHop: 0.2,
    rssMaxMiB: {},
    cpuUsPerAnswer: { gateway: 116, [POSTGRES_BACKENDS]: 61 },
  };

  it("shows the machine's idle share, and a dash for runs recorded before it was measured", () => {
    const table = scenarioTable([{ ...base, machineIdlePct: 21.4 }, { ...base, label: 'older run' }]);
    const [, , measured, older] = table.split('\n');
    expect(measured).toMatch(/\| +21 % \|$/);
    expect(measured).toContain('PostgreSQL backends 61');
    expect(older).toMatch(/\| +— \|$/);
  });
});

describe('postgresDatabaseOf', () => {
  it('names the database of a PostgreSQL URL and nothing on SQLite', () => {
    expect(postgresDatabaseOf({ env: { DATABASE_URL: 'postgres://bench@127.0.0.1:5432/shai_bench_ab12' } })).toBe('shai_bench_ab12');
    expect(postgresDatabaseOf({ env: { DATA_DIR: '/tmp/x' } })).toBeUndefined();
  });
});

describe.runIf(testDatabaseKind() === 'postgres')("PostgreSQL backends' CPU", () => {
  it('counts the CPU of the backends serving one database, and none of another', async () => {
    // Generated here, never input: safe to interpolate.
    const name = `shai_test_cpu_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${name}`;
    const client = new pg.Client({ connectionString: url.toString() });
    try {
      await client.connect();
      await client.query('SELECT 1');
      const before = cpuSnapshot([], name);
      expect(before.backends.size).toBe(1);
      await client.query('SELECT sum(g) FROM generate_series(1, 3000000) AS g');
      const spent = cpuSpentSince(before, cpuSnapshot([], name));
      // Summing three million integers takes the backend well over 50 ms of CPU.
      expect(spent[POSTGRES_BACKENDS]).toBeGreaterThan(0.05);
      expect(backendCpuSeconds(`${name}_other`).size).toBe(0);
    } finally {
      await client.end().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
