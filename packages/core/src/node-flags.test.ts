import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SERVER_ENVIRONMENT, SERVER_NODE_FLAGS, missingServerEnvironment, missingServerNodeFlags, withServerEnvironment } from './node-flags.js';

describe('server node flags', () => {
  it('are accepted by this Node (a flag V8 dropped would stop the servers from starting)', () => {
    const run = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, '-e', 'process.stdout.write(JSON.stringify(process.execArgv))'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as string[]).slice(0, SERVER_NODE_FLAGS.length)).toEqual([...SERVER_NODE_FLAGS]);
  });

  it('names the ones a process was started without', () => {
    expect(missingServerNodeFlags([])).toEqual([...SERVER_NODE_FLAGS]);
    expect(missingServerNodeFlags(['--enable-source-maps', ...SERVER_NODE_FLAGS])).toEqual([]);
  });
});

describe('server environment', () => {
  it('names the variables a process was started without', () => {
    expect(missingServerEnvironment({ PATH: '/usr/bin' })).toEqual(Object.keys(SERVER_ENVIRONMENT));
    expect(missingServerEnvironment({ ...SERVER_ENVIRONMENT })).toEqual([]);
  });

  it("adds the recommended settings and keeps the operator's own, theirs winning", () => {
    const env = withServerEnvironment({ PATH: '/usr/bin', MALLOC_MMAP_THRESHOLD_: '1048576' });
    expect(env).toEqual({ ...SERVER_ENVIRONMENT, PATH: '/usr/bin', MALLOC_MMAP_THRESHOLD_: '1048576' });
    expect(withServerEnvironment({ PATH: '/usr/bin' })).toEqual({ ...SERVER_ENVIRONMENT, PATH: '/usr/bin' });
  });

  it('is a setting glibc takes: freed large blocks leave the process', () => {
    // Blocks of 16 MiB, one after the other. Left to itself glibc serves the later ones from
    // its heap (the first one's free raised the threshold) and keeps them resident once freed.
    // V8 may free a buffer's memory on a helper thread a little after the collection, so the
    // script waits between blocks and gives the last one up to 2 s to go.
    const script = `
      const rssMiB = () => Number(/VmRSS:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
      const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
      (async () => {
        const before = rssMiB();
        for (let i = 0; i < 3; i += 1) {
          let block = Buffer.alloc(16 << 20, 1);
          block = undefined;
          globalThis.gc();
          await pause(20);
        }
        for (let waited = 0; waited < 2000 && rssMiB() - before >= 4; waited += 50) await pause(50);
        process.stdout.write(String(rssMiB() - before));
      })();`;
    const grownBy = (env: NodeJS.ProcessEnv) => {
      const run = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', env });
      expect(run.status, run.stderr).toBe(0);
      return Number(run.stdout);
    };
    const bare = { PATH: process.env.PATH ?? '' };
    expect(grownBy(bare)).toBeGreaterThan(12);
    expect(grownBy(withServerEnvironment(bare))).toBeLessThan(4);
  });
});
