/**
 * Prometheus metrics for one gateway instance. Each instance owns its registry, so several
 * gateways in one process (tests, benchmarks) never double-register a metric.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type LoginOutcome = 'success' | 'failure' | 'throttled';

type CounterChild = ReturnType<Counter<string>['labels']>;
type HistogramChild = ReturnType<Histogram<string>['labels']>;

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'route' | 'method' | 'status'>;
  readonly #duration: Histogram<'route'>;
  readonly #logins: Counter<'outcome'>;
  // Resolving a labelled child hashes its labels on every call; the combinations are few
  // (route patterns, not URLs), so each is resolved once.
  readonly #requestChildren = new Map<string, CounterChild>();
  readonly #durationChildren = new Map<string, HistogramChild>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.#requests = new Counter({
      name: 'gateway_http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      registers: [this.registry],
    });
    this.#duration = new Histogram({
      name: 'gateway_http_request_duration_seconds',
      help: 'Time from request to the end of the answer, by route pattern (route="/mcp-proxy/" is the proxy latency)',
      labelNames: ['route'],
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

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    const key = `${route} ${method} ${status}`;
    let counter = this.#requestChildren.get(key);
    if (counter === undefined) {
      counter = this.#requests.labels(route, method, String(status));
      this.#requestChildren.set(key, counter);
    }
    counter.inc();
    let histogram = this.#durationChildren.get(route);
    if (histogram === undefined) {
      histogram = this.#duration.labels(route);
      this.#durationChildren.set(route, histogram);
    }
    histogram.observe(seconds);
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
