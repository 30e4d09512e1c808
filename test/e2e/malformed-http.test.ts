/**
 * Requests the HTTP layer refuses before any route runs get the product's error shape at both
 * servers (`{"detail": …}`), never the framework's, never a stack trace and never the request
 * echoed back; the servers keep serving.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

/** Writes raw bytes and reads until the server closes or answers in full. */
function raw(port: number, request: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const done = () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head.toLowerCase(), body });
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (data += chunk));
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', reject);
    socket.end(request);
  });
}

const portOf = (url: string) => Number(new URL(url).port);

describe('malformed HTTP at both servers', () => {
  const servers = () => [
    ['gateway', portOf(stack.gatewayUrl), '/api/token/'],
    ['mcp-server', portOf(stack.mcpUrl), '/mcp/'],
  ] as const;

  it.each([
    ['a Content-Length that is not a number', (path: string) => `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n`, 400, 'Invalid Request'],
    ['a malformed request line', () => 'GARBAGE\r\n\r\n', 400, 'Invalid Request'],
    ['headers over the size limit', (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(70_000)}\r\n\r\n`, 431, 'Request headers too large'],
    ['a URL that does not decode', () => 'GET /%E0%A4%A-patient-Okafor HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400, 'The URL is not valid'],
  ])('%s', async (_name, request, status, detail) => {
    for (const [server, port, path] of servers()) {
      const answer = await raw(port, request(path));
      expect(answer.status, server).toBe(status);
      expect(answer.headers, server).toContain('application/json');
      expect(JSON.parse(answer.body), server).toEqual({ detail });
      expect(answer.body, server).not.toMatch(/FST_|statusCode|Okafor|\bat \//);
    }
    for (const url of [`${stack.gatewayUrl}/healthz`, new URL('/healthz', stack.mcpUrl).href]) expect((await fetch(url)).status).toBe(200);
  });
});
