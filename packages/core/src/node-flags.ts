/**
 * Flags the gateway and the MCP server are started with (`npm start` does it; so does the
 * bench, which starts them as production would). They are V8 options, which neither
 * NODE_OPTIONS nor a running process can set, so they go on the command line:
 *
 *   node --no-memory-reducer packages/cli/dist/main.js gateway
 *
 * --no-memory-reducer: V8 shrinks the heap of a process that has gone quiet, and a server
 * that then gets busy again pays for it for a long time. Measured on the gateway after 13 s
 * idle: four times the garbage-collection time and half as much CPU again per request for
 * the next 20 s; the full chain fell from 5,600 to 4,700 req/s and its p99 rose from 12 to
 * 22 ms. A server sized for its load keeps its heap instead.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--no-memory-reducer'];

/** The recommended flags a process was started without (its `process.execArgv`). */
export function missingServerNodeFlags(execArgv: readonly string[]): string[] {
  return SERVER_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
}
