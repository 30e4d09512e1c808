/** get_audit_log: the auditor reads the whole log; a patient sees who accessed their record. */
import { z } from 'zod';
import { queryAuditLog, type AuditLogFilters } from '@secure-hospital-ai/core/audit/query';
import { cursorArg, instantArg, limitArg, nextCursorOut, patientIdArg } from './schemas.js';
import { defineTool, READ_ONLY } from './tool.js';

const input = z.strictObject({
  patient_id: patientIdArg.optional().describe('Only events about this patient (patients: always their own record)'),
  user_id: z.string().trim().min(1).max(128).optional().describe('Only events of this account id'),
  since: instantArg.optional().describe('From this date or instant, inclusive'),
  until: instantArg.optional().describe('Up to this date or instant, exclusive'),
  decision: z.enum(['allow', 'deny', 'error']).optional(),
  break_glass: z.boolean().optional().describe('Only emergency (break-glass) accesses, for review; or only the others'),
  limit: limitArg(200, 50),
  cursor: cursorArg.optional(),
});

const auditorEvent = z.strictObject({
  seq: z.number(),
  time: z.string(),
  request_id: z.string(),
  source: z.string(),
  action: z.string(),
  user_id: z.string().nullable(),
  role: z.string().nullable(),
  tool: z.string().nullable(),
  patient_id: z.string().nullable(),
  decision: z.string(),
  reason: z.string(),
  break_glass: z.boolean(),
  purpose_of_use: z.string().nullable(),
  redactions: z.record(z.string(), z.number()),
  client_address: z.string().nullable(),
  user_agent: z.string().nullable(),
  listed_patients: z.array(z.string()),
  justification: z.string().nullable(),
});
/** A patient's accounting of disclosures: who (by name), in what role, when, with which tool, on their record. */
const patientEvent = z.strictObject({
  time: z.string(),
  user_id: z.string().nullable(),
  user_name: z.string().nullable(),
  role: z.string().nullable(),
  tool: z.string().nullable(),
  patient_id: z.string(),
});

const output = z.strictObject({ events: z.array(z.union([auditorEvent, patientEvent])), next_cursor: nextCursorOut });

export const getAuditLogTool = defineTool({
  name: 'get_audit_log',
  title: 'Audit log',
  description: 'Auditors: every audit event, filtered. Patients: who accessed your record, and when.',
  input,
  output,
  model: 'audit_event',
  action: 'read',
  patient: 'own_or_any',
  annotations: READ_ONLY,
  async run(ctx, args: z.infer<typeof input>) {
    const filters: AuditLogFilters = {
      limit: args.limit,
      ...(args.patient_id ? { patient_id: args.patient_id } : {}),
      ...(args.user_id ? { user_id: args.user_id } : {}),
      ...(args.since ? { since: args.since } : {}),
      ...(args.until ? { until: args.until } : {}),
      ...(args.decision ? { decision: args.decision } : {}),
      ...(args.break_glass !== undefined ? { break_glass: args.break_glass } : {}),
      ...(args.cursor ? { cursor: args.cursor } : {}),
    };
    // Under own_record the policy allowed one record (ctx.patientId), and the view is the patient's.
    const sealed = { cursorKey: ctx.cursorKey };
    const page =
      ctx.condition === 'own_record'
        ? await queryAuditLog(ctx.database, { ...filters, patient_id: ctx.patientId as string }, { role: 'patient', patientId: ctx.patientId as string }, sealed)
        : await queryAuditLog(ctx.database, filters, { role: 'auditor' }, sealed);
    return { sections: {}, plain: { events: page.events, next_cursor: page.next_cursor } };
  },
});
