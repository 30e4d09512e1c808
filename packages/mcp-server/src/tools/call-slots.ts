/**
 * At most so many tool calls run at once in the MCP server; the others wait their turn, first
 * come, first served. Each call holds its rows, its shaped answer and that answer's JSON at
 * the same time, so concurrency is memory: sixty large calls at once took the server to 4 GB.
 */
export interface CallSlots {
  run<T>(call: () => Promise<T>): Promise<T>;
}

export function createCallSlots(limit: number): CallSlots {
  let running = 0;
  const waiting: Array<() => void> = [];
  return {
    async run(call) {
      if (running < limit) running += 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await call();
      } finally {
        // The slot passes straight to the next in line, or is given back.
        const next = waiting.shift();
        if (next !== undefined) next();
        else running -= 1;
      }
    },
  };
}
