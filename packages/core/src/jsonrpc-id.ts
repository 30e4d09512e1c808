/**
 * JSON-RPC request ids, as both servers read them: the MCP server from each message it answers,
 * the gateway from a body it refuses after reading (it forwards bodies unread otherwise).
 */

export type JsonRpcId = string | number;

/** MCP forbids a null id, which JSON-RPC merely discourages; a number must be finite. */
export function isJsonRpcId(value: unknown): value is JsonRpcId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** The id to echo in an error about a message that may be malformed: its own when usable, else null. */
export function echoableId(value: unknown): JsonRpcId | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as { id?: unknown }).id;
  return isJsonRpcId(id) ? id : null;
}
