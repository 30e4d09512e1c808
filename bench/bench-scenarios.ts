/**
 * What the bench sends: tokens for the bench accounts, JSON-RPC tool calls, the mixed
 * workload, logins; and a preflight that sends each request once and checks its answer, so
 * a load run never measures a stream of errors by mistake.
 */
import { request } from 'undici';
import type { LoadRequest } from './bench-load.js';
import type { BenchAccount } from './bench-system.js';

/** Access tokens live 5 minutes; rotate well before that so a soak never sends an expired one. */
const REFRESH_EVERY_MS = 4 * 60 * 1000;

interface TokenPair {
  access: string;
  refresh: string;
}

async function postJson(url: string, body: unknown): Promise<{ status: number; json: unknown; text: string }> {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, json, text };
}

function isTokenPair(value: unknown): value is TokenPair {
  const v = value as Partial<TokenPair> | undefined;
  return typeof v?.access === 'string' && typeof v.refresh === 'string';
}

/** The bench accounts' current access tokens, logged in once and refreshed on a timer. */
export class TokenBook {
  private readonly pairs = new Map<string, TokenPair>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly gatewayOrigin: string,
    private readonly accounts: ReadonlyMap<string, BenchAccount>,
  ) {}

  async loginAll(): Promise<void> {
    for (const account of this.accounts.values()) {
      if (!account.active) continue;
      const { status, json } = await postJson(`${this.gatewayOrigin}/api/token/`, { username: account.username, password: account.password });
      if (status !== 200 || !isTokenPair(json)) throw new Error(`login of ${account.username} answered ${status}`);
      this.pairs.set(account.demoName, json);
    }
    this.timer ??= setInterval(() => void this.refreshAll(), REFRESH_EVERY_MS);
    this.timer.unref();
  }

  private async refreshAll(): Promise<void> {
    for (const [demoName, pair] of this.pairs) {
      const { status, json } = await postJson(`${this.gatewayOrigin}/api/token/refresh/`, { refresh: pair.refresh }).catch(() => ({ status: 0, json: undefined }));
      if (status === 200 && isTokenPair(json)) this.pairs.set(demoName, json);
      else process.stderr.write(`bench: token refresh for ${demoName} answered ${status}; keeping the old token\n`);
    }
  }

  /** A function the load generator calls per request, so it always sends the newest token. */
  bearer(demoName: string): () => string {
    if (!this.pairs.has(demoName)) throw new Error(`no token for ${demoName}`);
    return () => (this.pairs.get(demoName) as TokenPair).access;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** Headers an MCP client of the 2025-11-25 revision sends after its handshake. */
export const MCP_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-11-25',
};

export function toolCallBody(tool: string, args: Record<string, unknown>, id = 1): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: tool, arguments: args } });
}

/** A tool call and the HTTP status it must get: 200 when allowed, 403 when the policy denies. */
export interface PlannedCall {
  request: LoadRequest;
  expectStatus: 200 | 403;
  description: string;
}

export function toolCall(path: string, bearer: () => string, tool: string, args: Record<string, unknown>): LoadRequest {
  return { method: 'POST', path, body: toolCallBody(tool, args), headers: { ...MCP_HEADERS }, bearer };
}

/** The single call of scenarios 1–3: the bench's yenji100 reads P001, on whose care team they are. */
export function overviewCall(path: string, book: TokenBook): LoadRequest {
  return toolCall(path, book.bearer('yenji100'), 'get_patient_overview', { patient_id: 'P001' });
}

/**
 * Scenario 4 in twenty calls, cycled by every connection: 14 get_patient_overview (70 %),
 * 4 search_patients (20 %), 2 add_clinical_note (10 %), across seven roles, six of the twenty
 * denied by the policy (no relationship to the patient, or a role with no clinical access).
 * The researcher addresses patients by pseudonym only (de-identified access), so its calls
 * use `researcherPatient`, a pseudonym it listed itself.
 */
export function mixedWorkload(
  path: string,
  book: TokenBook,
  familyNames: ReadonlyMap<string, string>,
  researcherPatient: string,
): PlannedCall[] {
  const call = (who: string, tool: string, args: Record<string, unknown>, expectStatus: 200 | 403): PlannedCall => ({
    request: toolCall(path, book.bearer(who), tool, args),
    expectStatus,
    description: `${who} ${tool} ${JSON.stringify(args).slice(0, 60)}`,
  });
  const overview = (who: string, patient: string, expect: 200 | 403) => call(who, 'get_patient_overview', { patient_id: patient }, expect);
  const search = (who: string, query: string) => call(who, 'search_patients', { query, limit: 10 }, 200);
  const nameOf = (patient: string) => familyNames.get(patient) ?? patient;
  const note = (who: string, patient: string, expect: 200 | 403) =>
    call(who, 'add_clinical_note', { patient_id: patient, text: 'Benchmark note: resting comfortably, vital signs stable, plan unchanged.' }, expect);
  return [
    overview('yenji100', 'P001', 200),
    overview('nurse_joy', 'P004', 200),
    search('yenji100', nameOf('P001')),
    overview('dr_grey', 'P003', 200),
    overview('yenji100', 'P003', 403),
    overview('p001', 'P001', 200),
    note('yenji100', 'P001', 200),
    overview('front_desk', 'P005', 200),
    overview('nurse_joy', 'P002', 403),
    search('nurse_joy', nameOf('P004')),
    overview('researcher1', researcherPatient, 200),
    overview('yenji100', 'P002', 200),
    overview('dr_grey', 'P001', 403),
    search('front_desk', nameOf('P005')),
    overview('nurse_joy', 'P001', 200),
    overview('p001', 'P002', 403),
    note('nurse_joy', 'P003', 403),
    overview('auditor1', 'P001', 403),
    search('researcher1', researcherPatient),
    overview('yenji100', 'P001', 200),
  ];
}

/** The first patient the researcher may list, by the pseudonym the researcher sees. */
export async function researcherPseudonym(gatewayOrigin: string, book: TokenBook): Promise<string> {
  const response = await request(`${gatewayOrigin}/mcp-proxy/`, {
    method: 'POST',
    headers: { ...MCP_HEADERS, authorization: `Bearer ${book.bearer('researcher1')()}` },
    body: toolCallBody('search_patients', { query: '', limit: 1 }),
  });
  const text = await response.body.text();
  const id = (JSON.parse(text) as { result?: { structuredContent?: { patients?: Array<{ id?: unknown }> } } }).result?.structuredContent?.patients?.[0]?.id;
  if (response.statusCode !== 200 || typeof id !== 'string') throw new Error(`the researcher's listing answered ${response.statusCode}: ${text.slice(0, 200)}`);
  return id;
}

/** Logins of every active bench account in turn (argon2id verification each time). */
export function loginRequests(accounts: ReadonlyMap<string, BenchAccount>): LoadRequest[] {
  return [...accounts.values()]
    .filter((a) => a.active)
    .map((a) => ({
      method: 'POST' as const,
      path: '/api/token/',
      body: JSON.stringify({ username: a.username, password: a.password }),
      headers: { 'content-type': 'application/json' },
    }));
}

export interface PreflightAnswer {
  status: number;
  bytes: number;
  /** Why the answer is not what the plan expects; undefined when it is. */
  problem: string | undefined;
}

/** Sends one request as the load generator would and checks the answer's shape. */
export async function preflight(origin: string, call: LoadRequest, expectStatus: number): Promise<PreflightAnswer> {
  const headers: Record<string, string> = { ...call.headers };
  if (call.bearer) headers.authorization = `Bearer ${call.bearer()}`;
  const response = await request(`${origin}${call.path}`, { method: call.method, headers, body: call.body });
  const text = await response.body.text();
  const bytes = Buffer.byteLength(text);
  const status = response.statusCode;
  if (status !== expectStatus) return { status, bytes, problem: `expected ${expectStatus}, got ${status}: ${text.slice(0, 200)}` };
  if (status === 200 && call.path !== '/api/token/') {
    let body: { error?: unknown; result?: { isError?: boolean; structuredContent?: unknown } } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return { status, bytes, problem: `answer is not JSON: ${text.slice(0, 120)}` };
    }
    if (body?.error !== undefined) return { status, bytes, problem: `JSON-RPC error: ${JSON.stringify(body.error).slice(0, 200)}` };
    if (body?.result?.isError === true) return { status, bytes, problem: `tool error: ${text.slice(0, 200)}` };
    if (body?.result?.structuredContent === undefined) return { status, bytes, problem: 'result has no structuredContent' };
  }
  return { status, bytes, problem: undefined };
}
