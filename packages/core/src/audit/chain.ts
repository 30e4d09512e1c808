/**
 * The hash chain: which fields are hashed, in which order, and how. Changing anything here
 * invalidates every stored hash, so the format carries a version tag (`HASH_DOMAIN`) and a
 * new format would get a new tag rather than an edit.
 */
import { createHash } from 'node:crypto';
import * as crypto from 'node:crypto';
import type { AuditEventFields, StoredAuditEvent } from './event.js';

/** prev_hash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** Prefixed to every hash input, so an audit hash can never collide with another use of SHA-256 here. */
const HASH_DOMAIN = 'secure-hospital-ai/audit/v1\n';

/**
 * Column order of the chain: the hash covers every column in this order except `hash`
 * itself. `seq` is included so that renumbering rows (to hide a deletion or make room for
 * an insertion) changes their hashes; `prev_hash` is included so each event commits to its
 * predecessor.
 */
export const CHAIN_COLUMNS = [
  'seq',
  'time',
  'request_id',
  'source',
  'action',
  'user_id',
  'role',
  'tool',
  'patient_id',
  'decision',
  'reason',
  'break_glass',
  'purpose_of_use',
  'redactions',
  'client_address',
  'user_agent',
  'prev_hash',
] as const satisfies readonly (keyof StoredAuditEvent)[];

/**
 * Every stored column: the chain's, `hash`, then `listed_patients` (migration 0010), the
 * patients a search showed, and `justification` (migration 0011), a break-glass event's
 * reason in the caller's words. The hash covers them after `prev_hash` only when they are set
 * (`optionalValues`): the events from before them, and every event without them, hash as
 * they always did. Setting or clearing either changes what is hashed, so either is caught.
 */
export const STORED_COLUMNS = [...CHAIN_COLUMNS, 'hash', 'listed_patients', 'justification'] as const;

/** Index of `prev_hash`, `hash`, `listed_patients` and `justification` in a row laid out as STORED_COLUMNS. */
export const PREV_HASH_INDEX = CHAIN_COLUMNS.length - 1;
export const HASH_INDEX = CHAIN_COLUMNS.length;
export const LISTED_INDEX = HASH_INDEX + 1;
export const JUSTIFICATION_INDEX = HASH_INDEX + 2;

/**
 * The values hashed after the chain's columns (migrations 0010 and 0011): none for most
 * events, so that they hash as they always did; the list when it is set; and with a
 * justification, the list's place (null when empty) and then the justification, so that each
 * value has one position and setting, clearing or moving either changes the hash.
 */
function optionalValues(listed: unknown, justification: unknown): unknown[] {
  const hasListed = listed !== null && listed !== undefined;
  if (justification !== null && justification !== undefined) return [hasListed ? listed : null, justification];
  return hasListed ? [listed] : [];
}

// One-shot crypto.hash (Node >= 20.12) is about twice as fast as createHash for short
// inputs; verify's throughput is dominated by it.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

function sha256Hex(text: string): string {
  if (oneShot) return oneShot('sha256', text, 'hex');
  return createHash('sha256').update(text).digest('hex');
}

/**
 * SHA-256 (hex) of the chain values: an array laid out as CHAIN_COLUMNS (a stored row
 * without its `hash`). JSON of a flat array of strings, integers and nulls is canonical:
 * one encoding per value, fixed order, no whitespace, no key ordering to agree on.
 */
export function hashChainValues(values: readonly unknown[]): string {
  return hashCanonical(JSON.stringify(values));
}

/** SHA-256 (hex) of chain values already serialised as canonical JSON. */
export function hashCanonical(canonicalJson: string): string {
  return sha256Hex(HASH_DOMAIN + canonicalJson);
}

/** The canonical JSON of a chain position with a different `seq` (its first element). */
export function withSeq(canonicalJson: string, seq: number): string {
  return canonicalJson.replace(/^\[-?\d+,/, `[${seq},`);
}

/** The hashed values of an event placed at `seq` after `prevHash`: CHAIN_COLUMNS, then its list and justification when set. */
export function chainValues(fields: AuditEventFields, seq: number, prevHash: string): unknown[] {
  const values: unknown[] = [
    seq,
    fields.time,
    fields.request_id,
    fields.source,
    fields.action,
    fields.user_id,
    fields.role,
    fields.tool,
    fields.patient_id,
    fields.decision,
    fields.reason,
    fields.break_glass,
    fields.purpose_of_use,
    fields.redactions,
    fields.client_address,
    fields.user_agent,
    prevHash,
  ];
  values.push(...optionalValues(fields.listed_patients, fields.justification));
  return values;
}

/** Places `fields` in the chain: returns the full stored row values, laid out as STORED_COLUMNS. */
export function chainEvent(fields: AuditEventFields, seq: number, prevHash: string): unknown[] {
  const values = chainValues(fields, seq, prevHash);
  const hash = hashChainValues(values);
  values.length = HASH_INDEX;
  values.push(hash, fields.listed_patients, fields.justification);
  return values;
}

/** The ids a stored `listed_patients` names (its canonical JSON text); none for null. */
export function listedIds(listed: string | null): string[] {
  return listed === null ? [] : (JSON.parse(listed) as string[]);
}

/** The hashed values of a stored row laid out as STORED_COLUMNS. */
export function hashedValuesOfRow(row: readonly unknown[]): unknown[] {
  const values = row.slice(0, HASH_INDEX);
  values.push(...optionalValues(row[LISTED_INDEX], row[JUSTIFICATION_INDEX]));
  return values;
}

/** Hash of a stored event (object form), recomputed from its fields. */
export function hashStoredEvent(event: Omit<StoredAuditEvent, 'hash'>): string {
  const values: unknown[] = CHAIN_COLUMNS.map((c) => event[c]);
  values.push(...optionalValues(event.listed_patients, event.justification));
  return hashChainValues(values);
}

/**
 * Redaction counts as canonical JSON: keys sorted, so the same counts always give the same
 * text (and the same hash) whichever order the redactor produced them in.
 */
export function canonicalRedactions(counts: Readonly<Record<string, number>>): string {
  const sorted: Record<string, number> = {};
  for (const key of Object.keys(counts).sort()) sorted[key] = counts[key] as number;
  return JSON.stringify(sorted);
}
