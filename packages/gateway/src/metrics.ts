/**
 * Prometheus metrics for one gateway instance. Each instance owns its registry, so several
 * gateways in one process (tests, benchmarks) never double-register a metric.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type LoginOutcome = 'success' | 'failure' | 'throttled';

type RequestCounterChild = ReturnType<Counter<'route' | 'method' | 'status'>['labels']>;

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'route' | 'method' | 'status'>;
  readonly #proxyDuration: Histogram<'status'>;
  readonly #logins: Counter<'outcome'>;
  // Resolving a labelled child hashes its labels; the combinations are few, so keep them.
  readonly #requestChildren = new Map<string, RequestCounterChild>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.#requests = new Counter({
      name: 'gateway_http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      registers: [this.registry],
    });
    this.#proxyDuration = new Histogram({
      name: 'gateway_proxy_duration_seconds',
      help: 'Time to answer POST /mcp-proxy/, from request to the end of the reply',
      labelNames: ['status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
      registers: [this.registry],
    });
    this.#logins = new Counter({
      name: 'gateway_login_total',
      help: 'Login attempts at POST /api/token/, by outcome',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
  }

  countRequest(route: string, method: string, status: number): void {
    const key = `${route} ${method} ${status}`;
    let child = this.#requestChildren.get(key);
    if (child === undefined) {
      child = this.#requests.labels(route, method, String(status));
      this.#requestChildren.set(key, child);
    }
    child.inc();
  }

  observeProxy(seconds: number, status: number): void {
    this.#proxyDuration.labels(String(status)).observe(seconds);
  }

  countLogin(outcome: LoginOutcome): void {
    this.#logins.labels(outcome).inc();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
