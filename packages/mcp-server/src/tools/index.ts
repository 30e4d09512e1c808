/**
 * The MCP server's tools: one file per tool of SPEC's table, and the pipeline every call
 * goes through. `createToolBackend` is what the server assembly wires to the transport.
 */
import type { McpBackend } from '../protocol/types.js';
import { addClinicalNoteTool } from './add-clinical-note.js';
import { breakGlassTool } from './break-glass.js';
import { getAuditLogTool } from './get-audit-log.js';
import { getClinicalNotesTool } from './get-clinical-notes.js';
import { getMedicationsTool } from './get-medications.js';
import { getObservationsTool } from './get-observations.js';
import { getPatientOverviewTool } from './get-patient-overview.js';
import { listEncountersTool } from './list-encounters.js';
import { createToolBackend as createPipeline, type ToolBackendDeps } from './pipeline.js';
import { searchPatientsTool } from './search-patients.js';
import type { ToolDefinition } from './tool.js';

/** In the order tools/list shows them. */
export const TOOLS: readonly ToolDefinition[] = [
  getPatientOverviewTool,
  searchPatientsTool,
  listEncountersTool,
  getObservationsTool,
  getMedicationsTool,
  getClinicalNotesTool,
  addClinicalNoteTool,
  breakGlassTool,
  getAuditLogTool,
];

export type { ToolBackendDeps };

export function createToolBackend(deps: ToolBackendDeps): McpBackend {
  return createPipeline(TOOLS, deps);
}
