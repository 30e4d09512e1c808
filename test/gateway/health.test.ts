/**
 * Liveness, readiness, metrics, and what every answer carries (security headers, the
 * not-found shape).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPortUrl, get, post, startHarness, type Harness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

describe('health', () => {
  it('GET /healthz: 200 {"status":"ok"}', async () => {
    const answer = await get(`${h.gateway.url}/healthz`);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ status: 'ok' });
  });

  it('GET /readyz: 200 when the database answers and takes writes and the MCP server answers', async () => {
    const answer = await get(`${h.gateway.url}/readyz`);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ status: 'ready', checks: { database: 'ok', database_writes: 'ok', mcp_server: 'ok' } });
  });

  it('GET /readyz: 503 naming the MCP server when it is down or unwell', async () => {
    const orphan = await h.startGateway({ upstreamUrl: await closedPortUrl() });
    const down = await get(`${orphan.url}/readyz`);
    expect(down.status).toBe(503);
    expect(down.json).toEqual({ status: 'unavailable', checks: { database: 'ok', database_writes: 'ok', mcp_server: 'failed' } });
    await orphan.close();

    h.upstream.healthy = false;
    try {
      const unwell = await get(`${h.gateway.url}/readyz`);
      expect(unwell.status).toBe(503);
    } finally {
      h.upstream.healthy = true;
    }
  });
});

describe('GET /metrics', () => {
  it('serves Prometheus text with request counts, proxy latency, logins and process metrics', async () => {
    await post(`${h.gateway.url}/api/token/`, JSON.stringify({ username: 'yenji100', password: 'kingjulien100' }));
    await post(`${h.gateway.url}/api/token/`, JSON.stringify({ username: 'yenji100', password: 'wrong-password' }));
    await post(`${h.gateway.url}/mcp-proxy/`, '{}', { authorization: `Bearer ${await h.accessToken('yenji100')}` });
    const answer = await get(`${h.gateway.url}/metrics`);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(answer.text).toMatch(/gateway_http_requests_total\{route="\/api\/token\/",method="POST",status="200"\} 1/);
    expect(answer.text).toMatch(/gateway_login_total\{outcome="success"\} 1/);
    expect(answer.text).toMatch(/gateway_login_total\{outcome="failure"\} 1/);
    expect(answer.text).toMatch(/gateway_http_request_duration_seconds_count\{route="\/mcp-proxy\/"\} 1/);
    expect(answer.text).toContain('process_cpu_user_seconds_total');
  });
});

describe('every answer', () => {
  it('carries the security headers and an X-Request-Id', async () => {
    for (const answer of [await get(`${h.gateway.url}/healthz`), await get(`${h.gateway.url}/nowhere`), await post(`${h.gateway.url}/api/token/`, '{')]) {
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['referrer-policy']).toBe('no-referrer');
      expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('an unknown route: 404 {"detail":"Not found"}, one metric label for all of them', async () => {
    const answer = await get(`${h.gateway.url}/no/such/route?token=abc`);
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({ detail: 'Not found' });
    const metrics = await get(`${h.gateway.url}/metrics`);
    expect(metrics.text).toContain('route="unmatched"');
    expect(metrics.text).not.toContain('/no/such/route');
  });

  it('logs method, route, status and time, never the query string', async () => {
    await get(`${h.gateway.url}/healthz?password=hunter2`);
    const line = h.logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.route === '/healthz').at(-1);
    expect(line).toMatchObject({ method: 'GET', route: '/healthz', status: 200 });
    expect(typeof line?.ms).toBe('number');
    expect(h.logLines.join('')).not.toContain('hunter2');
  });
});

describe('GET /', () => {
  it('serves the web UI page', async () => {
    const answer = await get(`${h.gateway.url}/`);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  });
});
