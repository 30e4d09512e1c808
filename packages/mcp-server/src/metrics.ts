/**
 * The MCP server's Prometheus metrics: core's request metrics, and tool calls by tool and
 * decision, the figure an operator watches for probing (a rise in `deny`) or trouble (`error`).
 * Each call is counted once its audit event is written, so the two agree.
 */
import type { AuditDecision } from '@secure-hospital-ai/core/domain';
import { HttpMetrics, labelledChild, type Counter } from '@secure-hospital-ai/core/metrics';

/** What the tool pipeline tells about each call it audits. */
export interface ToolCallObserver {
  countToolCall(tool: string | null, decision: AuditDecision): void;
}

export class McpMetrics extends HttpMetrics implements ToolCallObserver {
  readonly #calls: Counter<'tool' | 'decision'>;
  readonly #tools: ReadonlySet<string>;
  readonly #children = new Map<string, ReturnType<Counter<'tool' | 'decision'>['labels']>>();

  /** `toolNames`: the only tool labels; any other name a client sends is counted as `other`, so it cannot grow the metric. */
  constructor(toolNames: readonly string[], options: { defaultMetrics?: boolean } = {}) {
    super('mcp', { ...options, durationHelp: 'Time from request to the end of the answer, by route pattern (route="/mcp/" is the tool calls)' });
    this.#tools = new Set(toolNames);
    this.#calls = this.counter('mcp_tool_calls_total', 'Tool calls audited, by tool and decision (allow, deny, error)', ['tool', 'decision']);
  }

  countToolCall(tool: string | null, decision: AuditDecision): void {
    const label = tool !== null && this.#tools.has(tool) ? tool : 'other';
    labelledChild(this.#children, `${label} ${decision}`, () => this.#calls.labels(label, decision)).inc();
  }
}
