/**
 * One stored audit event as a FHIR R4 AuditEvent, in the shape of IHE Basic Audit Log
 * Patterns (BALP): RESTful type + interaction subtype for tool calls, DICOM "User
 * Authentication" for logins, DICOM "Security Alert" for refusals and security events, the
 * user as the requesting agent, the client and the server as Source/Destination Role ID
 * agents, the patient and the query (tool) as entities, purposeOfEvent from v3-ActReason.
 * Break-glass adds DICOM 110127 "Emergency Override Started".
 *
 * The query entity names the tool but never carries its arguments: a search string may be a
 * patient's name, and the audit log holds no PHI beyond the patient id.
 */
import { isIP } from 'node:net';
import { listedIds } from './chain.js';
import type { StoredAuditEvent } from './event.js';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const AUDIT_EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
const BALP_ENTITY_TYPE = 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType';
/** Local code systems: this product's actions, roles and account ids. */
const LOCAL = 'urn:secure-hospital-ai';
const LOCAL_ACTION = `${LOCAL}:audit-action`;
const LOCAL_ROLE = `${LOCAL}:role`;
const LOCAL_ACCOUNT = `${LOCAL}:account`;
const EXT_CHAIN = `${LOCAL}:fhir:StructureDefinition/audit-chain`;

interface Coding {
  system: string;
  code: string;
  display?: string;
}

export interface FhirAuditEvent {
  resourceType: 'AuditEvent';
  id: string;
  extension: { url: string; extension: { url: string; valueString?: string; valueInteger?: number }[] }[];
  type: Coding;
  subtype: Coding[];
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  recorded: string;
  outcome: '0' | '4' | '8' | '12';
  outcomeDesc: string;
  purposeOfEvent?: { coding: Coding[] }[];
  agent: Record<string, unknown>[];
  source: { site: string; observer: { display: string }; type: Coding[] };
  entity: Record<string, unknown>[];
}

const EMERGENCY_OVERRIDE_STARTED: Coding = { system: DCM, code: '110127', display: 'Emergency Override Started' };
const SECURITY_ALERT: Coding = { system: DCM, code: '110113', display: 'Security Alert' };
const USER_AUTHENTICATION: Coding = { system: DCM, code: '110114', display: 'User Authentication' };
const REST: Coding = { system: AUDIT_EVENT_TYPE, code: 'rest', display: 'Restful Operation' };

/** How each tool maps onto a RESTful interaction: a read of one record, a search, a create. */
const TOOL_INTERACTIONS: Record<string, { interaction: string; action: 'C' | 'R' | 'E' }> = {
  get_patient_overview: { interaction: 'read', action: 'R' },
  search_patients: { interaction: 'search', action: 'E' },
  list_encounters: { interaction: 'search', action: 'E' },
  get_observations: { interaction: 'search', action: 'E' },
  get_medications: { interaction: 'search', action: 'E' },
  get_clinical_notes: { interaction: 'search', action: 'E' },
  add_clinical_note: { interaction: 'create', action: 'C' },
  get_audit_log: { interaction: 'search', action: 'E' },
  break_glass: { interaction: 'operation', action: 'E' },
};

const OUTCOMES = {
  allow: { code: '0', display: 'Success' },
  deny: { code: '4', display: 'Minor failure' },
  error: { code: '8', display: 'Serious failure' },
} as const;

const PURPOSE_DISPLAY: Record<string, string> = {
  TREAT: 'treatment',
  ETREAT: 'Emergency Treatment',
  HOPERAT: 'healthcare operations',
  HRESCH: 'healthcare research',
  PATRQT: 'patient requested',
  HSYSADMIN: 'health system administration',
};

function isBreakGlassStart(e: StoredAuditEvent): boolean {
  return e.action === 'break_glass.start' || (e.action === 'tools/call' && e.tool === 'break_glass' && e.decision === 'allow');
}

function typeAndSubtype(e: StoredAuditEvent): { type: Coding; subtype: Coding[]; action: FhirAuditEvent['action'] } {
  const local: Coding = { system: LOCAL_ACTION, code: e.action };
  if (isBreakGlassStart(e)) return { type: SECURITY_ALERT, subtype: [EMERGENCY_OVERRIDE_STARTED, local], action: 'E' };
  switch (e.action) {
    case 'tools/call': {
      const mapped = (e.tool && TOOL_INTERACTIONS[e.tool]) || { interaction: 'operation', action: 'E' as const };
      const subtype: Coding[] = [{ system: RESTFUL_INTERACTION, code: mapped.interaction, display: mapped.interaction }];
      // An access made under an emergency override carries the override's code too.
      if (e.break_glass === 1) subtype.push(EMERGENCY_OVERRIDE_STARTED);
      subtype.push(local);
      return { type: REST, subtype, action: mapped.action };
    }
    case 'login.success':
    case 'login.failure':
    case 'token.refresh':
      return { type: USER_AUTHENTICATION, subtype: [{ system: DCM, code: '110122', display: 'Login' }, local], action: 'E' };
    case 'logout':
      return { type: USER_AUTHENTICATION, subtype: [{ system: DCM, code: '110123', display: 'Logout' }, local], action: 'E' };
    case 'account.change':
      return {
        type: SECURITY_ALERT,
        subtype: [{ system: DCM, code: '110137', display: 'User Security Attributes Changed' }, local],
        action: 'U',
      };
    // An admission or transfer changes which nurses may see the patient: an update of the record's access.
    case 'ward.change':
      return { type: REST, subtype: [{ system: RESTFUL_INTERACTION, code: 'update', display: 'update' }, local], action: 'U' };
    case 'account.read':
      return { type: REST, subtype: [{ system: RESTFUL_INTERACTION, code: 'read', display: 'read' }, local], action: 'R' };
    case 'token.reuse_detected':
    case 'request.refused':
    default:
      return { type: SECURITY_ALERT, subtype: [local], action: 'E' };
  }
}

function agents(e: StoredAuditEvent): Record<string, unknown>[] {
  const list: Record<string, unknown>[] = [];
  if (e.user_id !== null) {
    list.push({
      type: { coding: [{ system: PARTICIPATION, code: 'IRCP', display: 'information recipient' }] },
      role: e.role ? [{ coding: [{ system: LOCAL_ROLE, code: e.role }] }] : undefined,
      who: { identifier: { system: LOCAL_ACCOUNT, value: e.user_id } },
      requestor: true,
    });
  }
  // The client machine: requestor itself when no user could be identified (a bad token).
  list.push({
    type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }] },
    who: e.user_agent ? { display: e.user_agent } : undefined,
    requestor: e.user_id === null,
    // Type 2 is an IP address: an operator's console (`local-cli`) has none, and says who it was in the user agent.
    network: e.client_address !== null && isIP(e.client_address) !== 0 ? { address: e.client_address, type: '2' } : undefined,
  });
  list.push({
    type: { coding: [{ system: DCM, code: '110152', display: 'Destination Role ID' }] },
    who: { display: `secure-hospital-ai ${e.source}` },
    requestor: false,
  });
  return list.map(dropUndefined);
}

function patientEntity(patientId: string): Record<string, unknown> {
  return {
    what: { reference: `Patient/${patientId}` },
    type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
    role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
  };
}

function entities(e: StoredAuditEvent): Record<string, unknown>[] {
  const list: Record<string, unknown>[] = [];
  if (e.patient_id !== null) list.push(patientEntity(e.patient_id));
  // A search: every patient it showed (BALP's Query pattern names each patient an entity).
  for (const id of listedIds(e.listed_patients)) list.push(patientEntity(id));
  if (e.tool !== null) {
    const detail: { type: string; valueString: string }[] = [];
    const redactions = JSON.parse(e.redactions) as Record<string, number>;
    for (const [kind, count] of Object.entries(redactions)) detail.push({ type: `redacted.${kind}`, valueString: String(count) });
    // Emergency access: why, in the caller's words, for the reviewer.
    if (e.justification !== null && e.justification !== undefined) detail.push({ type: 'justification', valueString: e.justification });
    list.push(
      dropUndefined({
        what: { display: e.tool },
        type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
        role: { system: OBJECT_ROLE, code: '24', display: 'Query' },
        name: e.tool,
        detail: detail.length > 0 ? detail : undefined,
      }),
    );
  }
  if (e.request_id !== '') {
    list.push({
      what: { identifier: { type: { coding: [{ system: BALP_ENTITY_TYPE, code: 'XrequestId' }] }, value: e.request_id } },
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
    });
  }
  return list;
}

function purposeOfEvent(e: StoredAuditEvent): FhirAuditEvent['purposeOfEvent'] {
  const code = e.purpose_of_use ?? (e.break_glass === 1 ? 'ETREAT' : null);
  if (!code) return undefined;
  return [{ coding: [{ system: ACT_REASON, code, display: PURPOSE_DISPLAY[code] ?? code }] }];
}

function dropUndefined<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}

export function toFhirAuditEvent(e: StoredAuditEvent): FhirAuditEvent {
  const { type, subtype, action } = typeAndSubtype(e);
  const outcome = OUTCOMES[e.decision];
  const resource: FhirAuditEvent = {
    resourceType: 'AuditEvent',
    id: `audit-${e.seq}`,
    // The chain position and hashes, so an exported copy can be checked against the log.
    extension: [
      {
        url: EXT_CHAIN,
        extension: [
          { url: 'seq', valueInteger: e.seq },
          { url: 'prevHash', valueString: e.prev_hash },
          { url: 'hash', valueString: e.hash },
        ],
      },
    ],
    type,
    subtype,
    action,
    recorded: e.time,
    outcome: outcome.code,
    outcomeDesc: `${outcome.display}: ${e.reason}`,
    purposeOfEvent: purposeOfEvent(e),
    agent: agents(e),
    source: {
      site: 'secure-hospital-ai',
      observer: { display: `secure-hospital-ai ${e.source}` },
      type: [{ system: SOURCE_TYPE, code: '4', display: 'Application Server' }],
    },
    entity: entities(e),
  };
  return dropUndefined(resource as unknown as Record<string, unknown>) as unknown as FhirAuditEvent;
}
