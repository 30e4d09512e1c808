import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './processes.js';

const held: Server[] = [];

function hold(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
    held.push(server);
  });
}

afterEach(async () => {
  await Promise.all(held.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('freePort', () => {
  it('hands out ports below the ephemeral range, so no outgoing connection can take one before the child binds it', async () => {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    const ports = [await freePort(), await freePort(), await freePort()];
    expect(new Set(ports).size).toBe(3);
    for (const port of ports) expect(port).toBeLessThan(low ?? 32_768);
  });

  it('skips a port something already listens on', async () => {
    const first = await freePort();
    await hold(first + 1);
    const next = await freePort();
    expect(next).not.toBe(first + 1);
    expect(next).toBeGreaterThan(first);
    await hold(next); // and what it returned really is free
  });
});
