/**
 * JSON-RPC request ids, as both servers read them: the MCP server from each message it answers,
 * the gateway from a body it refuses after reading (it forwards bodies unread otherwise).
 */

export type JsonRpcId = string | number;

/**
 * MCP forbids a null id, which JSON-RPC merely discourages. A number must be finite and one
 * that can be answered as sent: an integer past 2^53 has already lost digits in JSON.parse
 * (9007199254740993 would come back as …992, JSON-RPC 2.0 §5), so it is refused, not echoed
 * changed.
 */
export function isJsonRpcId(value: unknown): value is JsonRpcId {
  if (typeof value === 'string') return true;
  return typeof value === 'number' && Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value));
}

/** The id to echo in an error about a message that may be malformed: its own when usable, else null. */
export function echoableId(value: unknown): JsonRpcId | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as { id?: unknown }).id;
  return isJsonRpcId(id) ? id : null;
}
