/**
 * What one tool is: its schemas, the model and action the policy decides on, how it names
 * its patient, and a `run` that only FETCHES (or prepares a write). Authentication, the policy
 * decision, redaction, output validation and audit are the pipeline's (pipeline.ts), done
 * the same way for every tool; no tool repeats them.
 */
import type { z } from 'zod';
import type { OverviewReader } from '@secure-hospital-ai/core/clinical/chart-cache';
import type { Database } from '@secure-hospital-ai/core/db/database';
import type { Action, Model, Principal } from '@secure-hospital-ai/core/domain';
import type { RowCondition } from '@secure-hospital-ai/core/policy/policy';
import type { PatientRowFilter } from '@secure-hospital-ai/core/policy/row-filter';
import type { RedactModel } from '@secure-hospital-ai/core/redaction/types';

/**
 * How a tool names the patient it is about:
 * - required: `patient_id` argument, decided with that patient's relationships.
 * - own_or_any: `patient_id` optional; a patient caller is always scoped to their own
 *   record (the audit log), others may omit it.
 * - none: the tool lists patients, and the row filter inside the query decides.
 */
export type PatientAddressing = 'required' | 'own_or_any' | 'none';

/** Rows of one model, shaped by that model's view for the caller's role before they leave. */
export interface RowSection {
  readonly model: RedactModel;
  readonly rows: readonly object[];
  /** `one`: the output holds the single row (or null), not a list. */
  readonly shape: 'one' | 'many';
}

export interface Fetched {
  /** Clinical rows by output key. */
  readonly sections: Readonly<Record<string, RowSection>>;
  /** Non-clinical output fields (cursors, grant times, audit events), output as they are. */
  readonly plain: Readonly<Record<string, unknown>>;
  /**
   * For writes: makes the change. `run` only checks and prepares it; the pipeline calls this
   * once the call's audit event is committed, so no change exists that is not on the record,
   * even when the process dies between the two (the record then shows a change that was
   * never made, the safe way round).
   */
  readonly write?: () => Promise<void>;
}

export interface ToolRunContext {
  readonly database: Database;
  readonly db: Database['db'];
  readonly principal: Principal;
  /** The real patient id the call is about, after pseudonym resolution (undefined for `none`). */
  readonly patientId: string | undefined;
  /** That patient's chart revision, read with its relationships before anything of its chart (the chart cache's key). */
  readonly chartRevision: string | undefined;
  /** Models the caller may read for this patient; sections outside it are not fetched. */
  readonly readable: ReadonlySet<Model>;
  /** The policy condition that allowed the call (shapes, not decides: e.g. a patient's view of the audit log). */
  readonly condition: RowCondition;
  /** The policy's row filter for this tool's model and action, to put inside the query. */
  readonly rowFilter: PatientRowFilter;
  /**
   * How the caller names patients: by id, or (de-identified access) by pseudonym only, so
   * a search must not match names, MRNs or birth dates for them.
   */
  readonly addressing: 'id' | 'pseudonym';
  /** For callers that address patients by pseudonym: the pseudonym of a real patient id. */
  readonly pseudonymOf: (patientId: string) => string;
  /** Resolves a pseudonym to a real patient id; undefined when it names no patient. */
  readonly resolvePseudonym: (pseudonym: string) => Promise<string | undefined>;
  /** Every patient id in the order of their pseudonyms (a de-identified listing's order). */
  readonly idsInPseudonymOrder: () => Promise<readonly string[]>;
  /**
   * Seals paging cursors (they carry names), so that a cursor reveals nothing to its holder and
   * opens for that account in that role only (core/sealed.ts holderKey).
   */
  readonly cursorKey: Uint8Array;
  /** Patient overviews, read through the revision-checked chart cache. */
  readonly overviews: OverviewReader;
  readonly now: Date;
}

export interface ToolDefinition<Input = unknown> {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly input: z.ZodType<Input>;
  readonly output: z.ZodType<Record<string, unknown>>;
  readonly model: Model;
  readonly action: Action;
  readonly patient: PatientAddressing;
  /**
   * Further models a tool's answer may contain (the overview's conditions, medications, …):
   * each is decided separately for the same patient and left out when not allowed.
   */
  readonly sectionModels?: readonly Model[];
  readonly annotations: Readonly<Record<string, unknown>>;
  /**
   * The caller's reason in their own words (break_glass), kept in the call's audit event for
   * the reviewer once the arguments are read: in a refused attempt's event too.
   */
  justification?(input: Input): string;
  run(ctx: ToolRunContext, input: Input): Promise<Fetched>;
}

/** Keeps each tool file's input type while collecting them in one list. */
export function defineTool<Input>(tool: ToolDefinition<Input>): ToolDefinition<unknown> {
  return tool as unknown as ToolDefinition<unknown>;
}

export const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
