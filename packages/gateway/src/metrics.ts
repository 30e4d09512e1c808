/** The gateway's Prometheus metrics: core's request metrics, and logins by outcome. */
import { HttpMetrics, type Counter } from '@secure-hospital-ai/core/metrics';

export type LoginOutcome = 'success' | 'failure' | 'throttled';

export class GatewayMetrics extends HttpMetrics {
  readonly #logins: Counter<'outcome'>;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    super('gateway', {
      ...options,
      durationHelp: 'Time from request to the end of the answer, by route pattern (route="/mcp-proxy/" is the proxy latency)',
    });
    this.#logins = this.counter('gateway_login_total', 'Login attempts at POST /api/token/, by outcome', ['outcome']);
  }

  countLogin(outcome: LoginOutcome): void {
    this.#logins.labels(outcome).inc();
  }
}
