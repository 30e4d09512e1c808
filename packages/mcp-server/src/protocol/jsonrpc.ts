/**
 * JSON-RPC 2.0 envelope checks, hand-written rather than zod: they run on every request and a
 * few typeof tests are all the envelope needs (the tool arguments get their zod schema later).
 */
import { toJsonRpcError, type AppError } from '@secure-hospital-ai/core/errors';
import { isJsonRpcId, type JsonRpcId } from '@secure-hospital-ai/core/jsonrpc-id';

export type { JsonRpcId } from '@secure-hospital-ai/core/jsonrpc-id';
export { echoableId } from '@secure-hospital-ai/core/jsonrpc-id';

/** A request or notification whose envelope has been checked (`id` absent on notifications). */
export interface JsonRpcMessage {
  jsonrpc: '2.0';
  id?: JsonRpcId;
  method: string;
  params?: unknown;
}

export interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: JsonRpcId | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/**
 * `response` is a client's answer to a server-initiated request. This server never sends one,
 * so such a message is acknowledged and ignored (Streamable HTTP: 202 for accepted responses).
 */
export type MessageKind = 'request' | 'notification' | 'response' | 'invalid';

export function classifyMessage(value: unknown): MessageKind {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'invalid';
  const message = value as Record<string, unknown>;
  if (message.jsonrpc !== '2.0') return 'invalid';
  const id = message.id;
  // MCP forbids a null id, which JSON-RPC merely discourages.
  if (id !== undefined && !isJsonRpcId(id)) return 'invalid';
  if (typeof message.method === 'string') {
    const params = message.params;
    if (params !== undefined && (params === null || typeof params !== 'object')) return 'invalid';
    return id === undefined ? 'notification' : 'request';
  }
  if (message.method === undefined && id !== undefined && ('result' in message) !== ('error' in message)) return 'response';
  return 'invalid';
}

export { isToolCall } from '@secure-hospital-ai/core/tool-call-facts';

/**
 * A tool result's `content` and `structuredContent` as the JSON text they were already
 * serialised to (`content[0].text` is the structured answer's JSON, as the MCP specification
 * asks, so the answer appears twice: once raw, once escaped into a string). Kept under a
 * symbol, which JSON.stringify skips, so a result that travels without it is still whole;
 * with it, `serializeResponse` splices both texts in instead of serialising a 10 KB answer
 * twice on every call. Whoever sets it vouches that it is the JSON of the two fields.
 */
export const PRESERIALIZED: unique symbol = Symbol('content and structuredContent as JSON text');

export interface PreSerializedParts {
  /** JSON.stringify(result.content) */
  readonly content: string;
  /** JSON.stringify(result.structuredContent) */
  readonly structuredContent: string;
}

export interface PreSerialized {
  content?: unknown;
  structuredContent?: unknown;
  [PRESERIALIZED]?: PreSerializedParts;
}

/** A pre-serialised result as its two halves: the spliced texts, and the rest of the object after them. */
function splitResult(response: JsonRpcResponse): { parts: PreSerializedParts; tail: string } | undefined {
  const result = response.result as PreSerialized | undefined;
  const parts = result?.[PRESERIALIZED];
  if (parts === undefined || response.error !== undefined || typeof result !== 'object' || result === null) return undefined;
  const { content: _content, structuredContent: _structured, ...rest } = result;
  const restJson = JSON.stringify(rest);
  return { parts, tail: restJson === '{}' ? '}' : `,${restJson.slice(1)}` };
}

/** `{"content":…,"structuredContent":…` without the closing brace: what the parts stand for. */
function headOf(parts: PreSerializedParts): string {
  return `{"content":${parts.content},"structuredContent":${parts.structuredContent}`;
}

function envelopeOf(response: JsonRpcResponse): string {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(response.id)},"result":`;
}

/** The JSON text of one response, as JSON.stringify would write it (up to key order). */
export function serializeResponse(response: JsonRpcResponse): string {
  const split = splitResult(response);
  if (split === undefined) return JSON.stringify(response);
  return `${envelopeOf(response)}${headOf(split.parts)}${split.tail}}`;
}

/**
 * Each pre-serialised result's head as UTF-8, encoded at its first answer. A remembered answer
 * (tools/answer-memo.ts) is sent again and again with the same parts, and sent as a string its
 * 10 KB were flattened, measured and encoded to UTF-8 anew on every call: about a tenth of the
 * MCP server's CPU per overview. Weakly held, so the bytes go when the memo drops the answer.
 */
const encodedHeads = new WeakMap<PreSerializedParts, Buffer>();

/**
 * One response as the bytes to send: the same JSON as `serializeResponse`, as a Buffer when the
 * result is pre-serialised (its head copied from the bytes encoded once), else as the text.
 */
export function responseBody(response: JsonRpcResponse): string | Buffer {
  const split = splitResult(response);
  if (split === undefined) return JSON.stringify(response);
  let head = encodedHeads.get(split.parts);
  if (head === undefined) {
    head = Buffer.from(headOf(split.parts), 'utf8');
    encodedHeads.set(split.parts, head);
  }
  const envelope = envelopeOf(response);
  const tail = `${split.tail}}`;
  const envelopeBytes = Buffer.byteLength(envelope, 'utf8');
  const body = Buffer.allocUnsafe(envelopeBytes + head.length + Buffer.byteLength(tail, 'utf8'));
  body.write(envelope, 0, 'utf8');
  head.copy(body, envelopeBytes);
  body.write(tail, envelopeBytes + head.length, 'utf8');
  return body;
}

export function resultResponse(id: JsonRpcId, result: unknown): JsonRpcResponse {
  return { jsonrpc: '2.0', id, result };
}

export function errorResponse(id: JsonRpcId | null, error: AppError): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error: toJsonRpcError(error) };
}

/** `params` as a plain object, or undefined when absent or an array (no MCP method takes positional params). */
export function paramsObject(message: JsonRpcMessage): Record<string, unknown> | undefined {
  const params = message.params;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined;
  return params as Record<string, unknown>;
}
