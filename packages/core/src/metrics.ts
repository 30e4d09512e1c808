/**
 * Prometheus metrics both servers keep: answered requests by route pattern, method and status,
 * and their latency. Each server adds its own (gateway logins, MCP tool calls) on the same
 * registry. Each instance owns its registry, so several servers in one process (tests,
 * benchmarks) never double-register a metric.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type { Counter };

type CounterChild = ReturnType<Counter<string>['labels']>;
type HistogramChild = ReturnType<Histogram<string>['labels']>;

/**
 * A metric's child for one combination of labels, resolved once: resolving hashes the labels
 * on every call, and the combinations are few (route patterns, not URLs; known tool names).
 */
export function labelledChild<C>(children: Map<string, C>, key: string, resolve: () => C): C {
  let child = children.get(key);
  if (child === undefined) {
    child = resolve();
    children.set(key, child);
  }
  return child;
}

export class HttpMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'route' | 'method' | 'status'>;
  readonly #duration: Histogram<'route'>;
  readonly #requestChildren = new Map<string, CounterChild>();
  readonly #durationChildren = new Map<string, HistogramChild>();

  /** `prefix` names the server in every metric: `gateway_http_requests_total`, `mcp_http_requests_total`. */
  constructor(prefix: string, options: { defaultMetrics?: boolean; durationHelp: string }) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.#requests = new Counter({
      name: `${prefix}_http_requests_total`,
      help: 'HTTP requests answered, by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      registers: [this.registry],
    });
    this.#duration = new Histogram({
      name: `${prefix}_http_request_duration_seconds`,
      help: options.durationHelp,
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
      registers: [this.registry],
    });
  }

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    labelledChild(this.#requestChildren, `${route} ${method} ${status}`, () => this.#requests.labels(route, method, String(status))).inc();
    labelledChild(this.#durationChildren, route, () => this.#duration.labels(route)).observe(seconds);
  }

  /** A counter of the server's own on this registry (the servers need no prom-client of their own). */
  protected counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
