/**
 * PHI redaction: field-level views per role (views.ts), the engine that applies them
 * (engine.ts), the free-text scrubber (scrubber.ts) and Safe Harbor pseudonyms.
 */
export { createRedactor, knownIdentifiersOf, redactRow, redactRows, viewFor } from './engine.js';
export type { RedactedRows, RedactionContext, Redactor, RedactorOptions, ShapedRow } from './engine.js';
export { isPseudonym, pseudonymFor, resolvePseudonym, MIN_PSEUDONYM_KEY_LENGTH } from './pseudonym.js';
export { ageBucket, birthYear, maskLast4, RESTRICTED_ZIP3, yearOnly, zip3 } from './safe-harbor.js';
export { findPhi, scrubText } from './scrubber.js';
export { addCounts, placeholderFor } from './spans.js';
export { IDENTIFIER_FIELDS, VIEWS } from './views.js';
export { PHI_TYPES, REDACT_MODELS } from './types.js';
export type {
  CountKey,
  FieldRule,
  FieldSpec,
  Finding,
  KnownIdentifiers,
  ModelView,
  PhiType,
  RedactionCounts,
  RedactModel,
  RoleViews,
  RowOf,
  ScrubResult,
  ViewTable,
} from './types.js';
