/**
 * The browser UI in a real headless Chromium against a real fastify server that registers the
 * gateway's `webRoutes` plugin. The token and MCP routes here are small fixed stand-ins that
 * answer in the gateway's and MCP's wire shapes: this file tests the page (rendering, token
 * handling, error paths, XSS safety, headers), not the servers behind it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { webRoutes } from '@secure-hospital-ai/gateway/routes/web';

const CHROMIUM = '/usr/bin/chromium';
const NOTE_MARKUP = '<img src=x onerror=alert(1)>';
const NAME_MARKUP = '<script>alert(2)</script>';

// ---------------------------------------------------------------- stand-in gateway

interface Account {
  password: string;
  role: string;
  userId: string;
  patientId?: string;
}

const ACCOUNTS: Record<string, Account> = {
  yenji100: { password: 'kingjulien100', role: 'doctor', userId: '1' },
  auditor1: { password: 'audit-demo-2026', role: 'auditor', userId: '6' },
  researcher1: { password: 'research-demo-2026', role: 'researcher', userId: '7' },
};

interface ToolCall {
  name: string;
  args: Record<string, unknown>;
  authorization: string | undefined;
  cookie: string | undefined;
  accept: string | undefined;
}

class FakeBackend {
  readonly access = new Map<string, Account>();
  readonly refresh = new Map<string, Account>();
  readonly expired = new Set<string>();
  readonly toolCalls: ToolCall[] = [];
  readonly refreshCalls: string[] = [];
  readonly blacklisted: string[] = [];
  readonly breakGlass = new Set<string>();
  /** Accounts an administrator has deactivated since they signed in. */
  readonly deactivated = new Set<string>();

  issue(account: Account): { access: string; refresh: string } {
    const access = fakeJwt({ sub: account.userId, user_id: account.userId, role: account.role, token_type: 'access', patient_id: account.patientId });
    const refresh = fakeJwt({ sub: account.userId, user_id: account.userId, role: account.role, token_type: 'refresh' });
    this.access.set(access, account);
    this.refresh.set(refresh, account);
    return { access, refresh };
  }

  /** Makes every access token issued so far answer 401, as an expired one would. */
  expireAccessTokens(): void {
    for (const token of this.access.keys()) this.expired.add(token);
  }

  revokeRefreshTokens(): void {
    this.refresh.clear();
  }

  callsOf(name: string): ToolCall[] {
    return this.toolCalls.filter((call) => call.name === name);
  }
}

function fakeJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const payload = { ...claims, jti: randomBytes(8).toString('hex'), iat: now, exp: now + 300 };
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}.${randomBytes(32).toString('base64url')}`;
}

const OVERVIEW_P001 = {
  patient: {
    patient_id: 'P001',
    given_name: 'Ada',
    family_name: 'Lovelace',
    birth_date: '1980-01-02',
    sex: 'female',
    mrn: 'MRN-0001',
    ssn: '***-**-6789',
    phone: '555-0100',
    address_line: '12 Analytical Way',
    city: 'Springfield',
    state: 'IL',
    postal_code: '62701',
  },
  conditions: [{ display: 'Type 2 diabetes mellitus', code: '44054006', clinical_status: 'active', onset_at: '2015-03-01' }],
  medications: [{ display: 'Metformin 500 MG Oral Tablet', dosage: '500 mg twice daily', status: 'active', authored_at: '2024-02-10' }],
  allergies: [{ display: 'Penicillin', criticality: 'high', reaction: 'Hives', status: 'active' }],
  latest_vitals: [
    { display: 'Heart rate', value_num: 72, unit: '/min', effective_at: '2025-10-01T09:00:00Z' },
    { display: 'Body temperature', value_num: 36.8, unit: 'Cel', effective_at: '2025-10-01T09:00:00Z' },
  ],
};

type ToolAnswer = { status: number; body: unknown };

function toolResult(id: unknown, structured: unknown): ToolAnswer {
  return {
    status: 200,
    body: { jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured } },
  };
}

function forbidden(id: unknown): ToolAnswer {
  return { status: 403, body: { jsonrpc: '2.0', id, error: { code: -32003, message: 'Forbidden' } } };
}

function answerTool(backend: FakeBackend, account: Account, id: unknown, name: string, args: Record<string, unknown>): ToolAnswer {
  const patientId = args.patient_id;
  const mayRead = patientId === 'P001' || (patientId === 'P003' && backend.breakGlass.has(`${account.userId}:P003`));
  switch (name) {
    case 'search_patients':
      if (account.role === 'researcher') {
        return toolResult(id, { patients: [{ patient_id: 'R-TESTPSEUDONYM01', birth_date: '1980', sex: 'female' }], next_cursor: null });
      }
      return toolResult(id, {
        patients: [
          { patient_id: 'P001', given_name: 'Ada', family_name: 'Lovelace', birth_date: '1980-01-02', mrn: 'MRN-0001' },
          { patient_id: 'P003', given_name: 'Grace', family_name: `Hopper ${NAME_MARKUP}`, birth_date: '1975-12-09', mrn: 'MRN-0003' },
        ],
        next_cursor: null,
      });
    case 'get_patient_overview':
      if (!mayRead) return forbidden(id);
      return toolResult(id, patientId === 'P001' ? OVERVIEW_P001 : { patient: { patient_id: 'P003', given_name: 'Grace', family_name: 'Hopper' } });
    case 'list_encounters':
      if (!mayRead) return forbidden(id);
      return toolResult(id, {
        patient_id: patientId,
        encounters: [{ class: 'AMB', type_display: 'General examination', start_at: '2025-10-01T09:00:00Z', location: 'Clinic A', provider_name: 'Dr Yen' }],
      });
    case 'get_clinical_notes':
      if (!mayRead) return forbidden(id);
      return toolResult(id, {
        patient_id: patientId,
        notes: [
          {
            id: 'N1',
            note_type: 'progress',
            author_name: 'Dr Yen',
            created_at: '2025-10-01T09:30:00Z',
            text: `Reviewed glucose log; stable on metformin. Pasted from e-mail: ${NOTE_MARKUP}`,
          },
        ],
      });
    case 'break_glass':
      backend.breakGlass.add(`${account.userId}:${String(patientId)}`);
      return toolResult(id, { patient_id: patientId, granted: true, expires_at: '2025-10-01T10:30:00Z' });
    case 'get_audit_log':
      return toolResult(id, {
        events: [
          { time: '2025-10-01T09:00:00Z', user_id: '1', role: 'doctor', tool: 'get_patient_overview', patient_id: 'P001', decision: 'allow', break_glass: false },
          { time: '2025-10-01T09:05:00Z', user_id: '2', role: 'doctor', tool: 'get_patient_overview', patient_id: 'P001', decision: 'deny', break_glass: false },
        ],
        next_cursor: null,
      });
    default:
      return { status: 200, body: { jsonrpc: '2.0', id, error: { code: -32602, message: `Unknown tool: ${name}` } } };
  }
}

async function startServer(backend: FakeBackend): Promise<{ app: FastifyInstance; baseUrl: string }> {
  const app = Fastify({ logger: false });
  await app.register(webRoutes, {});

  app.post<{ Body: { username?: string; password?: string } }>('/api/token/', async (request, reply) => {
    const account = ACCOUNTS[request.body.username ?? ''];
    if (account === undefined || account.password !== request.body.password) {
      return reply.code(401).send({ detail: 'No active account found with the given credentials' });
    }
    return backend.issue(account);
  });

  app.post<{ Body: { refresh?: string } }>('/api/token/refresh/', async (request, reply) => {
    const token = request.body.refresh ?? '';
    backend.refreshCalls.push(token);
    const account = backend.refresh.get(token);
    if (account === undefined) return reply.code(401).send({ detail: 'Token is invalid or expired' });
    backend.refresh.delete(token);
    return backend.issue(account);
  });

  app.post<{ Body: { refresh?: string } }>('/api/token/blacklist/', async (request) => {
    const token = request.body.refresh ?? '';
    backend.blacklisted.push(token);
    backend.refresh.delete(token);
    return {};
  });

  app.post<{ Body: { id?: unknown; method?: string; params?: { name?: string; arguments?: Record<string, unknown> } } }>(
    '/mcp-proxy/',
    async (request, reply) => {
      const authorization = request.headers.authorization;
      const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : '';
      const account = backend.access.get(token);
      const name = request.body.params?.name ?? '';
      const args = request.body.params?.arguments ?? {};
      backend.toolCalls.push({ name, args, authorization, cookie: request.headers.cookie, accept: request.headers.accept });
      if (account === undefined || backend.expired.has(token)) {
        return reply.code(401).header('www-authenticate', 'Bearer').send({ detail: 'Invalid or expired token' });
      }
      if (backend.deactivated.has(account.userId)) {
        return reply.code(403).send({ jsonrpc: '2.0', id: null, error: { code: -32003, message: 'Account is deactivated' } });
      }
      if (request.body.method !== 'tools/call') {
        return reply.code(400).send({ jsonrpc: '2.0', id: request.body.id ?? null, error: { code: -32600, message: 'Invalid request' } });
      }
      const answer = answerTool(backend, account, request.body.id, name, args);
      return reply.code(answer.status).send(answer.body);
    },
  );

  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}` };
}

/** A GET with the path sent exactly as written (fetch would normalise `..` away). */
function rawGet(baseUrl: string, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

// ---------------------------------------------------------------- browser harness

interface Watched {
  page: Page;
  consoleErrors: string[];
  dialogs: string[];
}

async function openPage(context: BrowserContext, baseUrl: string): Promise<Watched> {
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`${baseUrl}/`);
  return { page, consoleErrors, dialogs };
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Console errors other than Chromium's note of an HTTP error status the test provoked on purpose. */
function unexpected(errors: string[], ...allowedStatuses: number[]): string[] {
  return errors.filter((text) => !allowedStatuses.some((status) => text.includes(`status of ${status}`)));
}

// ---------------------------------------------------------------- tests

describe('web UI in Chromium', () => {
  let browser: Browser;
  let backend: FakeBackend;
  let server: { app: FastifyInstance; baseUrl: string };
  let context: BrowserContext;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    backend = new FakeBackend();
    server = await startServer(backend);
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  });

  afterEach(async () => {
    await context?.close();
    await server?.app.close();
  });

  it('serves the page with a strict CSP and security headers, and loads without console errors', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    const response = await page.goto(`${server.baseUrl}/`);
    expect(response?.status()).toBe(200);
    const headers = response?.headers() ?? {};
    const csp = headers['content-security-policy'] ?? '';
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe');
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['content-type']).toMatch(/^text\/html; charset=utf-8/);

    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('login-username');
    expect(errors).toEqual([]);
  });

  it('serves only the whitelisted static files, with their content types', async () => {
    const js = await rawGet(server.baseUrl, '/static/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    const css = await rawGet(server.baseUrl, '/static/app.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const icon = await rawGet(server.baseUrl, '/static/favicon.svg');
    expect(icon.headers['content-type']).toBe('image/svg+xml');

    for (const path of ['/static/../package.json', '/static/..%2Fpackage.json', '/static/%2e%2e%2fpackage.json', '/static/..%5Cpackage.json', '/static/index.html', '/static/', '/static/app.js.map']) {
      const answer = await rawGet(server.baseUrl, path);
      expect(answer.status, path).toBe(404);
      expect(answer.body, path).not.toContain('@secure-hospital-ai');
    }
  });

  it('signs in, searches, opens a patient and shows the record as text, with tokens in memory only', async () => {
    const { page, consoleErrors, dialogs } = await openPage(context, server.baseUrl);
    await signIn(page, 'yenji100', 'kingjulien100');

    await expect.poll(() => page.locator('#session-role').textContent()).toBe('doctor');
    expect(await page.locator('#session-user').textContent()).toBe('yenji100');

    await page.getByLabel('Name, MRN or date of birth').fill('lo');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const results = page.getByRole('list', { name: 'Search results' }).getByRole('button');
    await expect.poll(() => results.count()).toBe(2);
    // Markup in a name is shown as text: the hit reads literally, no script element appears.
    expect(await results.nth(1).textContent()).toContain(`Hopper ${NAME_MARKUP}`);

    await results.nth(0).click();
    await page.getByRole('heading', { name: 'Ada Lovelace (P001)' }).waitFor();
    const overview = page.locator('#overview-section');
    await expect.poll(() => overview.textContent()).toContain('Type 2 diabetes mellitus');
    const overviewText = (await overview.textContent()) ?? '';
    for (const expected of ['Conditions', 'Medications', 'Metformin 500 MG Oral Tablet', 'Allergies', 'Penicillin', 'Latest vitals', 'Heart rate', '***-**-6789', 'MRN-0001']) {
      expect(overviewText).toContain(expected);
    }
    await expect.poll(() => page.locator('#encounters-section').textContent()).toContain('General examination');
    const notes = page.locator('#notes-section');
    await expect.poll(() => notes.textContent()).toContain('stable on metformin');

    // The note's markup is on screen as characters and never became an element or ran.
    expect(await notes.locator('.long-text').textContent()).toContain(NOTE_MARKUP);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);

    // Tokens: in JS variables only.
    const issued = [...backend.access.keys(), ...backend.refresh.keys()];
    const storage = (await page.evaluate(
      "JSON.stringify({ local: Object.entries(localStorage), session: Object.entries(sessionStorage), cookie: document.cookie })",
    )) as string;
    expect(JSON.parse(storage)).toEqual({ local: [], session: [], cookie: '' });
    expect((await context.cookies()).length).toBe(0);
    for (const token of issued) expect(storage).not.toContain(token.split('.')[1]);

    // Every tool call carried the bearer token, the MCP Accept header, and no cookie.
    expect(backend.toolCalls.map((c) => c.name)).toEqual(['search_patients', 'get_patient_overview', 'list_encounters', 'get_clinical_notes']);
    for (const call of backend.toolCalls) {
      expect(call.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      expect(call.cookie).toBeUndefined();
      expect(call.accept).toBe('application/json, text/event-stream');
    }
    expect(consoleErrors).toEqual([]);

    await page.screenshot({ path: '/tmp/web-ui.png', fullPage: true });
  });

  it('shows the forbidden message on 403 and grants break-glass access with a reason of at least 10 characters', async () => {
    const { page, consoleErrors } = await openPage(context, server.baseUrl);
    await signIn(page, 'yenji100', 'kingjulien100');
    await page.getByLabel('Open by patient ID').fill('P003');
    await page.getByRole('button', { name: 'Open', exact: true }).click();

    const error = page.locator('#patient-error');
    await expect.poll(() => error.textContent()).toBe('You are not allowed to see this patient.');
    expect(await error.isVisible()).toBe(true);
    expect(await page.locator('#overview-section').isVisible()).toBe(false);

    await page.getByRole('button', { name: 'Break glass' }).click();
    await page.getByLabel('Reason (at least 10 characters)').fill('too short');
    await page.getByRole('button', { name: 'Grant emergency access' }).click();
    await expect.poll(() => page.locator('#break-glass-error').textContent()).toBe('Give a reason of at least 10 characters.');
    expect(backend.callsOf('break_glass')).toEqual([]);

    await page.getByLabel('Reason (at least 10 characters)').fill('Unconscious in ED, no care-team doctor on site');
    await page.getByRole('button', { name: 'Grant emergency access' }).click();
    await page.getByRole('heading', { name: 'Grace Hopper (P003)' }).waitFor();
    await expect.poll(() => page.locator('#status').textContent()).toContain('Emergency access granted until 2025-10-01T10:30:00Z');
    expect(backend.callsOf('break_glass').map((c) => c.args)).toEqual([
      { patient_id: 'P003', reason: 'Unconscious in ED, no care-team doctor on site' },
    ]);
    expect(await error.isVisible()).toBe(false);
    expect(unexpected(consoleErrors, 403)).toEqual([]);
  });

  it('refreshes an expired access token once and retries; a refused refresh returns to the login form', async () => {
    const { page, consoleErrors } = await openPage(context, server.baseUrl);
    await signIn(page, 'yenji100', 'kingjulien100');
    await page.getByLabel('Name, MRN or date of birth').waitFor();
    const firstRefresh = [...backend.refresh.keys()][0];

    backend.expireAccessTokens();
    await page.getByLabel('Name, MRN or date of birth').fill('ada');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Search results' }).getByRole('button').count()).toBe(2);
    expect(backend.refreshCalls).toEqual([firstRefresh]);
    expect(backend.callsOf('search_patients')).toHaveLength(2);

    backend.expireAccessTokens();
    backend.revokeRefreshTokens();
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.locator('#status').textContent()).toBe('Your session has ended. Please sign in again.');
    expect(await page.locator('#workspace').isVisible()).toBe(false);
    expect(await page.locator('#search-results li').count()).toBe(0);
    expect(unexpected(consoleErrors, 401)).toEqual([]);
  });

  it('signs out by blacklisting the refresh token and clears the record from the page', async () => {
    const { page, consoleErrors } = await openPage(context, server.baseUrl);
    await signIn(page, 'yenji100', 'kingjulien100');
    await page.getByLabel('Open by patient ID').fill('P001');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await expect.poll(() => page.locator('#notes-section').textContent()).toContain('stable on metformin');
    const refresh = [...backend.refresh.keys()][0];

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('You have signed out.');
    expect(backend.blacklisted).toEqual([refresh]);
    expect(await page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
    expect(await page.locator('body').textContent()).not.toContain('Lovelace');
    expect(consoleErrors).toEqual([]);
  });

  it('rejects a wrong password with a clear message and stays on the login form', async () => {
    const { page, consoleErrors } = await openPage(context, server.baseUrl);
    await signIn(page, 'yenji100', 'wrong-password');
    await expect.poll(() => page.locator('#login-error').textContent()).toContain('wrong username or password');
    expect(await page.locator('#workspace').isVisible()).toBe(false);
    expect(unexpected(consoleErrors, 401)).toEqual([]);
  });

  it('a deactivated account is signed out with that reason, not told it may not see the patient', async () => {
    const { page, consoleErrors } = await openPage(context, server.baseUrl);
    await signIn(page, 'yenji100', 'kingjulien100');
    await expect.poll(() => page.locator('#session-role').textContent()).toBe('doctor');
    backend.deactivated.add('1');
    try {
      await page.getByLabel('Open by patient ID').fill('P001');
      await page.getByRole('button', { name: 'Open', exact: true }).click();
      await expect.poll(() => page.locator('#login-view').isVisible()).toBe(true);
      await expect.poll(() => page.locator('#status').textContent()).toContain('This account has been deactivated.');
      expect(await page.locator('#workspace').isVisible()).toBe(false);
      expect(await page.getByRole('button', { name: 'Break glass' }).isVisible()).toBe(false);
      expect(await page.textContent('body')).not.toContain('Ada Lovelace');
    } finally {
      backend.deactivated.delete('1');
    }
    expect(unexpected(consoleErrors, 403)).toEqual([]);
  });

  it('lets a researcher list everyone, de-identified, with an empty search', async () => {
    const { page, consoleErrors } = await openPage(context, server.baseUrl);
    await signIn(page, 'researcher1', 'research-demo-2026');
    await expect.poll(() => page.locator('#session-role').textContent()).toBe('researcher');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const results = page.getByRole('list', { name: 'Search results' }).getByRole('button');
    await expect.poll(() => results.count()).toBe(1);
    expect(await results.nth(0).textContent()).toContain('R-TESTPSEUDONYM01');
    expect(backend.callsOf('search_patients').at(-1)?.args).toMatchObject({ query: '' });
    expect(consoleErrors).toEqual([]);
  });

  it('signs in by POST even without its script: no password in the address', async () => {
    const noScript = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await noScript.newPage();
      await page.goto(server.baseUrl);
      await page.locator('#login-username').fill('yenji100');
      await page.locator('#login-password').fill('kingjulien100');
      await page.locator('#login-password').press('Enter');
      await page.waitForLoadState();
      expect(page.url()).not.toContain('kingjulien100');
      expect(page.url()).not.toContain('password');
    } finally {
      await noScript.close();
    }
  });

  it('offers the auditor the audit log and no patient search', async () => {
    const { page, consoleErrors } = await openPage(context, server.baseUrl);
    await signIn(page, 'auditor1', 'audit-demo-2026');
    await expect.poll(() => page.locator('#session-role').textContent()).toBe('auditor');
    expect(await page.locator('#search-panel').isVisible()).toBe(false);

    await page.getByLabel('Decision').selectOption('deny');
    await page.getByRole('button', { name: 'Show audit log' }).click();
    const table = page.locator('#audit-content table');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(2);
    expect(await page.locator('#audit-content').textContent()).toContain('get_patient_overview');
    expect(backend.callsOf('get_audit_log').map((c) => c.args)).toEqual([{ decision: 'deny', limit: 50 }]);
    expect(consoleErrors).toEqual([]);
  });
});
