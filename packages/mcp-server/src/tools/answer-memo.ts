/**
 * Shaped answers (redacted, checked against the output schema, serialised) remembered against
 * the very rows they were shaped from.
 *
 * Those three steps cost a third of a cached overview call, and what they produce depends on:
 * - each section's rows. Compared by identity, and only deep-frozen rows are remembered: the
 *   chart cache hands out frozen rows and replaces them, never changes them, when the
 *   patient's revision moves, so the same objects mean the same stored data;
 * - the layout: output keys, models, shapes (which sections the policy let through);
 * - the caller's role, whose views decide every field;
 * - the UTC day, which ages and birth years are taken at (safe-harbor.ts);
 * - the pseudonym key, fixed for the process.
 * All of them are in the key, with the tool's name (its output schema is another step).
 * Free-text scrubbing further depends on the staff directory and the record's own
 * identifiers, so an answer that scrubbed text is never remembered, nor one with plain
 * (non-row) fields. Policy, the decision and audit run on every call; only the
 * output of pure functions of the key is reused.
 */
import type { Role } from '@secure-hospital-ai/core/domain';
import { deepFreeze, isDeepFrozen } from '@secure-hospital-ai/core/frozen';
import { LruMap } from '@secure-hospital-ai/core/lru';
import type { RedactionCounts } from '@secure-hospital-ai/core/redaction/types';
import type { PreSerializedParts } from '../protocol/jsonrpc.js';
import type { Fetched } from './tool.js';

export interface ShapedAnswer {
  readonly structured: Readonly<Record<string, unknown>>;
  /** JSON of `structured`: the answer's `content[0].text`. */
  readonly text: string;
  readonly parts: PreSerializedParts;
  readonly counts: Readonly<RedactionCounts>;
}

interface Entry {
  /** Each section's rows, in layout order, as they were when the answer was shaped. */
  readonly rows: ReadonlyArray<readonly object[]>;
  readonly answer: ShapedAnswer;
}

const DAY_MS = 86_400_000;

export interface AnswerMemo {
  /** The remembered answer to exactly these rows, layout, role and day, if any. */
  get(tool: string, fetched: Fetched, role: Role, now: Date): ShapedAnswer | undefined;
  /**
   * Keeps `answer` when every row it was shaped from is deep-frozen. The caller vouches that
   * the answer depends on nothing but the key: not for an answer that scrubbed free text.
   */
  set(tool: string, fetched: Fetched, role: Role, now: Date, answer: ShapedAnswer): void;
  readonly stats: { readonly hits: number; readonly misses: number; readonly size: number };
}

/**
 * `maxEntries` bounds the memory: an overview's answer is about 30 KB (object, JSON, escaped
 * JSON); 0 turns the memo off.
 */
export function createAnswerMemo(maxEntries: number): AnswerMemo {
  // Rows have no id of their own that is safe to trust; the first row object gets a serial.
  const anchors = new WeakMap<object, number>();
  let nextAnchor = 1;
  const entries = new LruMap<string, Entry>(maxEntries);
  let hits = 0;
  let misses = 0;

  /** The key, or undefined when the answer cannot be remembered. */
  function keyOf(tool: string, fetched: Fetched, role: Role, now: Date, create: boolean): string | undefined {
    if (maxEntries === 0) return undefined;
    for (const _ in fetched.plain) return undefined;
    let anchor: object | undefined;
    let layout = '';
    for (const key in fetched.sections) {
      const section = fetched.sections[key]!;
      anchor ??= section.rows[0];
      layout += `${key}:${section.model}:${section.shape}:${section.rows.length};`;
    }
    if (anchor === undefined || !Object.isFrozen(anchor)) return undefined;
    let serial = anchors.get(anchor);
    if (serial === undefined) {
      if (!create) return undefined;
      serial = nextAnchor++;
      anchors.set(anchor, serial);
    }
    return `${serial}|${tool}|${role}|${Math.floor(now.getTime() / DAY_MS)}|${layout}`;
  }

  function sameRows(entry: Entry, fetched: Fetched): boolean {
    let i = 0;
    for (const key in fetched.sections) {
      const rows = fetched.sections[key]!.rows;
      const kept = entry.rows[i++];
      if (kept === undefined || kept.length !== rows.length) return false;
      for (let j = 0; j < rows.length; j++) if (kept[j] !== rows[j]) return false;
    }
    return i === entry.rows.length;
  }

  return {
    get(tool, fetched, role, now) {
      const key = keyOf(tool, fetched, role, now, false);
      const entry = key === undefined ? undefined : entries.get(key);
      if (key === undefined || entry === undefined || !sameRows(entry, fetched)) {
        misses += 1;
        return undefined;
      }
      hits += 1;
      return entry.answer;
    },
    set(tool, fetched, role, now, answer) {
      const rows = Object.values(fetched.sections).map((section) => section.rows);
      // Only rows that cannot change may stand for their contents.
      if (!rows.every((list) => list.every(isDeepFrozen))) return;
      const key = keyOf(tool, fetched, role, now, true);
      if (key === undefined) return;
      entries.set(key, { rows: rows.map((list) => [...list]), answer: deepFreeze(answer) });
    },
    get stats() {
      return { hits, misses, size: entries.size };
    },
  };
}
