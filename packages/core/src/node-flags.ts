/**
 * Flags the gateway and the MCP server are started with (`npm start` does it; so does the
 * bench, which starts them as production would). They are V8 options, which neither
 * NODE_OPTIONS nor a running process can set, so they go on the command line:
 *
 *   node --no-memory-reducer --heap-growing-percent=50 packages/cli/dist/main.js gateway
 *
 * --no-memory-reducer: V8 shrinks the heap of a process that has gone quiet, and a server
 * that then gets busy again pays for it for a long time. Measured on the gateway after 13 s
 * idle: four times the garbage-collection time and half as much CPU again per request for
 * the next 20 s; the full chain fell from 5,600 to 4,700 req/s and its p99 rose from 12 to
 * 22 ms. A server sized for its load keeps its heap instead.
 *
 * --heap-growing-percent=50: without the memory reducer nothing collects the old generation
 * of a busy server until it reaches the limit V8 derives from the last full collection, up to
 * four times the live heap. Measured on the gateway over PostgreSQL: 28 MB live, RSS growing
 * 170 → 208 MiB over a 300 s soak with no full collection at all. A growth factor of 1.5
 * collects when the old generation is half as large again as what survived the last time:
 * RSS flat at 171–175 MiB over 120 s, at no throughput cost that rose above the noise.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--no-memory-reducer', '--heap-growing-percent=50'];

/** The recommended flags a process was started without (its `process.execArgv`). */
export function missingServerNodeFlags(execArgv: readonly string[]): string[] {
  return SERVER_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
}

/**
 * Environment the servers are started with, for the C library's allocator (glibc reads it at
 * start-up; other C libraries ignore it). A value the operator set already is left alone.
 *
 * MALLOC_MMAP_THRESHOLD_: glibc serves allocations above a threshold with mmap and gives them
 * back when freed, but raises the threshold to the size of each such block freed (up to
 * 32 MiB), so after the first argon2 hash (7 MiB, passwords.ts) every block up to that size
 * came from malloc's arenas, each of libuv's pool threads kept its own, and freed memory
 * stayed resident. Holding the threshold (at 256 KiB) keeps large blocks returnable. Measured
 * on the gateway (8 s of the chain, of a login storm, of the chain again; four runs each,
 * 2-core Xeon): peak RSS 177–179 → 142 MiB, at rest after the first logins 137–141 → 104–112
 * MiB; the chain's req/s unchanged; each login's 7 MiB is now page-faulted afresh, 19.4–20.1 →
 * 20.8–21.5 ms of CPU per login. MALLOC_ARENA_MAX=2 instead (one arena for the pool threads)
 * kept the login cost but left 152–170 MiB (docs/decisions.md).
 */
export const SERVER_ENVIRONMENT: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '262144' };

/** The recommended environment variables a process was started without. */
export function missingServerEnvironment(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(SERVER_ENVIRONMENT).filter((name) => env[name] === undefined);
}

/** A server's environment: the recommended settings, then whatever `env` sets itself. */
export function withServerEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...SERVER_ENVIRONMENT, ...env };
}
