/**
 * The connection to the MCP server: one undici Pool for the process, created once. undici's
 * Pool is used rather than fetch(), which costs about five times as much per request here
 * (WHATWG streams and Headers objects on every call).
 */
import { Pool, type Dispatcher } from 'undici';
import { AppError } from '@secure-hospital-ai/core/errors';

export interface UpstreamOptions {
  /** Longest wait for the answer's headers, and for each chunk of its body (SPEC: 20 s). */
  readonly timeoutMs: number;
  readonly connections?: number;
}

export type UpstreamResponse = Dispatcher.ResponseData;

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);
const HEALTH_TIMEOUT_MS = 2_000;

export class McpUpstream {
  readonly #pool: Pool;
  readonly #path: string;
  readonly #timeoutMs: number;
  readonly url: string;

  constructor(url: string, options: UpstreamOptions) {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`MCP_URL must be http(s): ${url}`);
    this.url = url;
    this.#path = `${parsed.pathname}${parsed.search}`;
    this.#timeoutMs = options.timeoutMs;
    this.#pool = new Pool(parsed.origin, {
      connections: options.connections ?? 64,
      // No pipelining: a slow tool call must not hold up the ones queued behind it.
      pipelining: 1,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: Math.min(options.timeoutMs, 10_000),
    });
  }

  /** POSTs to the MCP endpoint; throws AppError 504 on a timeout and 502 on any other failure. */
  async post(headers: Record<string, string>, body: Buffer): Promise<UpstreamResponse> {
    try {
      return await this.#pool.request({ path: this.#path, method: 'POST', headers, body });
    } catch (error) {
      throw upstreamFailure(error);
    }
  }

  /**
   * Whether the MCP server says it is ready (GET /readyz: its database answers and takes the
   * audit log's writes) with 200 in time. Its liveness alone had the gateway report ready while
   * every tool call would fail on the MCP server's database.
   */
  async isReady(timeoutMs = Math.min(HEALTH_TIMEOUT_MS, this.#timeoutMs)): Promise<boolean> {
    try {
      const response = await this.#pool.request({
        path: '/readyz',
        method: 'GET',
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body.dump();
      return response.statusCode === 200;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}

export function upstreamFailure(error: unknown): AppError {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const reason = typeof code === 'string' ? code : 'upstream_error';
  if (TIMEOUT_CODES.has(reason)) return new AppError('ERR_UPSTREAM_TIMEOUT', { internalReason: reason });
  return new AppError('ERR_UPSTREAM_UNREACHABLE', { internalReason: reason });
}
