/** The audit log's public surface (docs/audit.md); import from '@secure-hospital-ai/core/audit/index'. */
export type { AuditAction, AuditEventInput, AuditSink, PurposeOfUse, StoredAuditEvent } from './event.js';
export { createAuditWriter, type AuditWriter, type AuditWriterOptions } from './writer.js';
export { verifyAuditChain, type ChainFailureReason, type ChainVerification, type VerifyOptions } from './verify.js';
export { exportAuditEvents, readAuditEvents, type ExportOptions } from './export.js';
export { toFhirAuditEvent, type FhirAuditEvent } from './fhir.js';
export {
  queryAuditLog,
  type AuditLogFilters,
  type AuditLogPage,
  type AuditLogViewer,
  type AuditorAuditEvent,
  type PatientAuditEvent,
} from './query.js';
export { GENESIS_HASH, hashStoredEvent } from './chain.js';
