// Secure Hospital AI: the browser UI. Plain browser JavaScript, no framework, no bundler.
//
// Two rules hold everywhere in this file:
//
// 1. Tokens are kept in the module variables below and nowhere else: never localStorage,
//    sessionStorage or a cookie. Nothing the browser attaches to requests on its own carries
//    them, so another site cannot make a request in the user's name (no CSRF surface: the
//    gateway's /mcp-proxy/ authenticates by the Authorization header only, SPEC "Gateway"),
//    and nothing is left on disk for the next person at a shared ward workstation. The price
//    is that reloading the page signs the user out, which suits a clinical workstation.
//
// 2. Text from the server (PHI, error messages) reaches the page only through textContent
//    or text nodes, never innerHTML: a clinical note may contain markup, and it must be shown,
//    not run. The Content-Security-Policy (no inline script) is the second line of defence.

/** @type {{ access: string, refresh: string, claims: Record<string, unknown>, username: string } | null} */
let session = null;
/** @type {Promise<boolean> | null} */
let refreshInFlight = null;
let nextRpcId = 1;
/** Bumped whenever the detail pane changes, so answers for a view left behind are dropped. */
let viewGeneration = 0;
let currentPatientId = '';
/** @type {{ query: string, cursor: string }} */
let searchState = { query: '', cursor: '' };
/** @type {{ filters: Record<string, unknown>, cursor: string, rows: unknown[] }} */
let auditState = { filters: {}, cursor: '', rows: [] };

const FORBIDDEN_PATIENT = 'You are not allowed to see this patient.';
const SESSION_ENDED = 'Your session has ended. Please sign in again.';
/** JSON-RPC error code the MCP server uses for "forbidden or no such patient" (SPEC "Policy"). */
const RPC_FORBIDDEN = -32003;
const ACCOUNT_DEACTIVATED = 'Account is deactivated';
const ACCOUNT_DEACTIVATED_TEXT = 'This account has been deactivated. Ask an administrator if that is a mistake.';
const ORIGIN_REFUSED = 'Origin not allowed';
const ORIGIN_REFUSED_TEXT = 'The records service does not accept requests from this address. Open the page at the address your administrator gave you.';

// What each role is offered. For layout only: the servers decide what anyone may see.
const ROLE_FEATURES = {
  doctor: { search: true, breakGlass: true },
  nurse: { search: true, breakGlass: true },
  receptionist: { search: true },
  // De-identified: looks up a pseudonym, or lists everyone with an empty search.
  researcher: { search: true, listAll: true },
  patient: { ownRecord: true },
  auditor: { audit: true },
  admin: {},
};

// ---------------------------------------------------------------- DOM helpers

/** @param {string} id */
function byId(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`missing element #${id}`);
  return element;
}

/** @param {string} id */
function inputById(id) {
  return /** @type {HTMLInputElement} */ (byId(id));
}

/**
 * Creates an element whose children are nodes or plain strings (strings become text nodes).
 * @param {string} tag
 * @param {string} [className]
 * @param {Array<Node | string>} [children]
 */
function el(tag, className, children = []) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  for (const child of children) element.append(child);
  return element;
}

/** @param {HTMLElement} element @param {string} text */
function showText(element, text) {
  element.textContent = text;
  element.hidden = text === '';
}

function showAlert(text) {
  showText(byId('alert'), text);
}

function showStatus(text) {
  showText(byId('status'), text);
}

function clearNotices() {
  showAlert('');
  showStatus('');
}

/**
 * Disables a form's submit buttons while a request runs.
 * @template T
 * @param {HTMLElement} scope @param {() => Promise<T>} work
 * @returns {Promise<T>}
 */
async function whileBusy(scope, work) {
  const buttons = [...scope.querySelectorAll('button')];
  for (const button of buttons) button.disabled = true;
  scope.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    for (const button of buttons) button.disabled = false;
    scope.removeAttribute('aria-busy');
  }
}

// ---------------------------------------------------------------- talking to the gateway

class ApiError extends Error {
  /**
   * @param {'unauthenticated' | 'forbidden' | 'rate-limited' | 'failed'} kind
   * @param {string} message
   */
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

/**
 * Reads an answer body as JSON, or as the JSON-RPC messages of a text/event-stream (the MCP
 * Streamable HTTP transport may answer either way).
 * @param {Response} response
 * @returns {Promise<any>}
 */
async function readBody(response) {
  const type = response.headers.get('content-type') ?? '';
  const text = await response.text();
  if (type.includes('text/event-stream')) return { events: parseEventStream(text) };
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 300) };
  }
}

/**
 * The `data` of each event, parsed as JSON (HTML Living Standard §9.2.6, event stream parsing).
 * @param {string} text
 */
function parseEventStream(text) {
  const messages = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
      .join('\n');
    if (data === '') continue;
    try {
      messages.push(JSON.parse(data));
    } catch {
      // A comment or keep-alive that is not JSON: not a JSON-RPC message, skip it.
    }
  }
  return messages;
}

/**
 * @param {string} path
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
async function postJson(path, body, headers = {}) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
    body: JSON.stringify(body),
    // No cookies either way: every call is authorised by what this script puts in the header.
    credentials: 'omit',
    cache: 'no-store',
  });
  return { response, payload: await readBody(response) };
}

/** @param {Response} response */
function retryAfterText(response) {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? ` Try again in ${Math.ceil(seconds)} s.` : ' Try again shortly.';
}

/** @param {any} payload */
function detailOf(payload) {
  if (payload && typeof payload.detail === 'string') return payload.detail;
  if (payload && payload.error && typeof payload.error.message === 'string') return payload.error.message;
  return '';
}

/**
 * Decodes a JWT's payload for display (role, expiry). Never trusted for anything: the gateway
 * and the MCP server verify the signature and decide.
 * @param {string} token
 * @returns {Record<string, unknown>}
 */
function decodeClaims(token) {
  try {
    const part = token.split('.')[1] ?? '';
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? claims : {};
  } catch {
    return {};
  }
}

/** @param {string} access @param {string} refresh @param {string} username */
function startSession(access, refresh, username) {
  session = { access, refresh, claims: decodeClaims(access), username };
}

/** @param {string} username @param {string} password */
async function login(username, password) {
  const { response, payload } = await postJson('/api/token/', { username, password });
  if (response.status === 429) throw new ApiError('rate-limited', `Too many sign-in attempts.${retryAfterText(response)}`);
  if (response.status === 401 || response.status === 403) {
    throw new ApiError('unauthenticated', 'Sign-in failed: wrong username or password, or the account is deactivated.');
  }
  if (!response.ok || typeof payload.access !== 'string' || typeof payload.refresh !== 'string') {
    throw new ApiError('failed', `Sign-in failed (HTTP ${response.status}). ${detailOf(payload)}`.trim());
  }
  startSession(payload.access, payload.refresh, username);
}

/** Exchanges the refresh token for a new pair; concurrent callers share one exchange. */
function refreshSession() {
  refreshInFlight ??= exchangeRefreshToken().finally(() => {
    refreshInFlight = null;
  });
  return refreshInFlight;
}

async function exchangeRefreshToken() {
  if (session === null) return false;
  const current = session;
  try {
    const { response, payload } = await postJson('/api/token/refresh/', { refresh: current.refresh });
    if (!response.ok || typeof payload.access !== 'string') return false;
    // The gateway rotates refresh tokens; the old one is now revoked.
    if (session === current) startSession(payload.access, typeof payload.refresh === 'string' ? payload.refresh : current.refresh, current.username);
    return session !== null;
  } catch {
    return false;
  }
}

/** @param {object} body */
async function sendRpc(body) {
  if (session === null) throw new ApiError('unauthenticated', SESSION_ENDED);
  const token = session.access;
  const outcome = await postJson('/mcp-proxy/', body, {
    Authorization: `Bearer ${token}`,
    Accept: 'application/json, text/event-stream',
  });
  return { ...outcome, token };
}

/**
 * Calls an MCP tool through the gateway and returns its structured result.
 * @param {string} name
 * @param {Record<string, unknown>} args
 * @returns {Promise<any>}
 */
async function callTool(name, args) {
  const id = nextRpcId++;
  const body = { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } };
  let outcome = await sendRpc(body);
  if (outcome.response.status === 401) {
    // Another call may already have refreshed while this one was in flight.
    const renewed = session !== null && session.access !== outcome.token ? true : await refreshSession();
    if (!renewed) throw endSession();
    outcome = await sendRpc(body);
    if (outcome.response.status === 401) throw endSession();
  }
  return interpretRpc(outcome.response, outcome.payload, id);
}

/** Clears the session after the gateway refused it, and says so on the login screen. */
function endSession() {
  resetToLogin(SESSION_ENDED);
  return new ApiError('unauthenticated', SESSION_ENDED);
}

/**
 * @param {Response} response
 * @param {any} payload
 * @param {number} id
 */
function interpretRpc(response, payload, id) {
  const message = Array.isArray(payload.events)
    ? (payload.events.find((m) => m && m.id === id && ('result' in m || 'error' in m)) ?? {})
    : payload;
  const error = message && typeof message.error === 'object' ? message.error : null;

  // -32003 is also the answer to a deactivated account and to a page served from an origin the
  // servers do not accept: told apart by the message, which the servers fix (core/errors.ts).
  if (error && error.code === RPC_FORBIDDEN && error.message === ACCOUNT_DEACTIVATED) {
    resetToLogin(ACCOUNT_DEACTIVATED_TEXT);
    throw new ApiError('unauthenticated', ACCOUNT_DEACTIVATED_TEXT);
  }
  if (error && error.code === RPC_FORBIDDEN && error.message === ORIGIN_REFUSED) throw new ApiError('forbidden', ORIGIN_REFUSED_TEXT);
  if (error && error.code === RPC_FORBIDDEN) throw new ApiError('forbidden', FORBIDDEN_PATIENT);
  if (response.status === 403) throw new ApiError('forbidden', `Forbidden. ${detailOf(message)}`.trim());
  if (response.status === 429) throw new ApiError('rate-limited', `Too many requests.${retryAfterText(response)}`);
  if (response.status === 502) throw new ApiError('failed', 'The records service cannot be reached. Try again shortly.');
  if (response.status === 504) throw new ApiError('failed', 'The records service took too long to answer. Try again.');
  if (error) {
    // The server's own explanation, when it gives one ("limit: must be at most 100").
    const why = error.data && typeof error.data.detail === 'string' ? ` (${error.data.detail})` : '';
    throw new ApiError('failed', `The request failed: ${typeof error.message === 'string' ? error.message : 'unknown error'}${why}`);
  }
  if (!response.ok) throw new ApiError('failed', `The request failed (HTTP ${response.status}). ${detailOf(message)}`.trim());

  const result = message.result;
  if (!result || typeof result !== 'object') throw new ApiError('failed', 'The server sent an answer this page cannot read.');
  const text = Array.isArray(result.content)
    ? result.content.filter((c) => c && c.type === 'text' && typeof c.text === 'string').map((c) => c.text).join('\n')
    : '';
  if (result.isError === true) throw new ApiError('failed', text || 'The tool reported an error.');
  if (result.structuredContent !== undefined) return result.structuredContent;
  try {
    return JSON.parse(text);
  } catch {
    return { text };
  }
}

// ---------------------------------------------------------------- rendering records as text

const PAGINATION_KEYS = new Set(['next_cursor', 'nextCursor', 'cursor']);
const LONG_TEXT_KEYS = new Set(['text', 'note', 'body', 'content', 'reason', 'summary']);
const ACRONYMS = new Map([
  ['id', 'ID'], ['mrn', 'MRN'], ['ssn', 'SSN'], ['zip', 'ZIP'], ['url', 'URL'], ['ip', 'IP'],
  ['bmi', 'BMI'], ['fhir', 'FHIR'], ['loinc', 'LOINC'], ['rxnorm', 'RxNorm'], ['snomed', 'SNOMED'], ['icd10', 'ICD-10'],
]);

// Wire names from core's records.ts that read badly when merely split into words.
const LABELS = new Map([
  ['display', 'Name'], ['type_display', 'Type'], ['value_num', 'Value'], ['value_text', 'Value'],
  ['start_at', 'Start'], ['end_at', 'End'], ['effective_at', 'Time'], ['created_at', 'Written'],
  ['authored_at', 'Prescribed'], ['onset_at', 'Onset'], ['abatement_at', 'Resolved'], ['recorded_at', 'Recorded'],
  ['address_line', 'Address'], ['ref_low', 'Reference low'], ['ref_high', 'Reference high'],
]);

/** `latest_vitals` → "Latest vitals", `birthDate` → "Birth date", `patient_id` → "Patient ID". */
function humanize(key) {
  const label = LABELS.get(key);
  if (label !== undefined) return label;
  const words = String(key)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((word) => ACRONYMS.get(word.toLowerCase()) ?? word.toLowerCase());
  if (words.length === 0) return String(key);
  const first = words[0];
  words[0] = first === first.toLowerCase() ? first.charAt(0).toUpperCase() + first.slice(1) : first;
  return words.join(' ');
}

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value) {
  return value === null || value === undefined || typeof value !== 'object';
}

function scalarText(value) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
}

/** A short one-line text for a nested value in a table cell. */
function compactText(value) {
  if (isScalar(value)) return scalarText(value);
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.map(compactText).join('; ');
  return Object.entries(value).map(([k, v]) => `${humanize(k)}: ${compactText(v)}`).join(', ');
}

function isLongText(key, value) {
  return typeof value === 'string' && (LONG_TEXT_KEYS.has(key) || value.length > 120 || value.includes('\n'));
}

function columnsOf(rows) {
  const columns = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  return columns;
}

/** Rows of short, flat fields read best as a table; rows with long text (notes) as cards. */
function readsAsTable(rows) {
  return rows.every((row) => Object.entries(row).every(([k, v]) => !isLongText(k, v))) && columnsOf(rows).length <= 14;
}

/** @param {Record<string, unknown>[]} rows */
function renderTable(rows) {
  const columns = columnsOf(rows);
  const headRow = el('tr', '', columns.map((c) => {
    const th = el('th', '', [humanize(c)]);
    th.scope = 'col';
    return th;
  }));
  const body = el('tbody', '', rows.map((row) => el('tr', '', columns.map((c) => el('td', '', [compactText(row[c])])))));
  const wrap = el('div', 'table-wrap', [el('table', '', [el('thead', '', [headRow]), body])]);
  // A wide table scrolls sideways; keyboard users need to be able to focus it to scroll.
  wrap.tabIndex = 0;
  wrap.setAttribute('role', 'region');
  wrap.setAttribute('aria-label', 'Table, scrolls sideways');
  return wrap;
}

/** @param {Record<string, unknown>} object */
function renderFields(object) {
  const fields = el('dl', 'fields');
  const longTexts = [];
  for (const [key, value] of Object.entries(object)) {
    if (PAGINATION_KEYS.has(key)) continue;
    if (isLongText(key, value)) {
      longTexts.push(el('p', 'long-text', [String(value)]));
      continue;
    }
    fields.append(el('dt', '', [humanize(key)]), el('dd', '', [isScalar(value) ? scalarText(value) : renderValue(value)]));
  }
  const nodes = fields.childElementCount > 0 ? [fields, ...longTexts] : longTexts;
  return nodes.length === 1 ? nodes[0] : el('div', '', nodes);
}

/** @param {unknown} value */
function renderValue(value) {
  if (isScalar(value)) return document.createTextNode(scalarText(value));
  if (Array.isArray(value)) {
    if (value.length === 0) return el('p', 'empty', ['None recorded.']);
    if (value.every(isScalar)) return el('ul', 'plain-list', value.map((v) => el('li', '', [scalarText(v)])));
    if (value.every(isPlainObject)) {
      if (readsAsTable(value)) return renderTable(value);
      return el('ul', 'cards', value.map((v) => el('li', 'card', [renderFields(v)])));
    }
    return el('ul', 'plain-list', value.map((v) => el('li', '', [compactText(v)])));
  }
  if (Object.keys(value).length === 0) return el('p', 'empty', ['None recorded.']);
  return renderFields(value);
}

/**
 * Renders a tool's structuredContent, whatever its field names: scalar fields as one list,
 * each list or nested object as its own titled part. A result that is one list under one
 * key (`{ "encounters": [...] }`) is shown without a repeated title.
 * @param {unknown} data
 * @param {string} headingTag
 */
function renderStructured(data, headingTag) {
  if (!isPlainObject(data)) return renderValue(data);
  const entries = Object.entries(data).filter(([key]) => !PAGINATION_KEYS.has(key));
  const scalars = entries.filter(([, v]) => isScalar(v));
  const parts = entries.filter(([, v]) => !isScalar(v));
  const container = el('div');
  if (parts.length === 1 && scalars.every(([k]) => /(^|_)id$|Id$/.test(k) || k === 'count' || k === 'total')) {
    container.append(renderValue(parts[0][1]));
    return container;
  }
  if (scalars.length > 0) container.append(renderFields(Object.fromEntries(scalars)));
  for (const [key, value] of parts) {
    container.append(el(headingTag, '', [humanize(key)]), renderValue(value));
  }
  if (entries.length === 0) container.append(el('p', 'empty', ['Nothing recorded.']));
  return container;
}

/** The first list in a result: search hits, audit events, whatever the tool calls it. */
function firstList(data) {
  if (Array.isArray(data)) return data;
  if (!isPlainObject(data)) return [];
  for (const value of Object.values(data)) if (Array.isArray(value)) return value;
  return [];
}

function nextCursorOf(data) {
  if (!isPlainObject(data)) return '';
  const cursor = data.next_cursor ?? data.nextCursor;
  return typeof cursor === 'string' ? cursor : '';
}

/** The demographics part of an overview, wherever the tool put it. */
function demographicsOf(data) {
  if (!isPlainObject(data)) return {};
  for (const key of ['patient', 'demographics']) if (isPlainObject(data[key])) return data[key];
  return data;
}

/** A display name for a patient row: name fields, or a pseudonym for de-identified data. */
function patientName(row) {
  if (!isPlainObject(row)) return '';
  if (typeof row.name === 'string' && row.name) return row.name;
  const parts = [row.given_name ?? row.givenName ?? row.given, row.family_name ?? row.familyName ?? row.family].filter(
    (p) => typeof p === 'string' && p,
  );
  if (parts.length > 0) return parts.join(' ');
  return typeof row.pseudonym === 'string' ? row.pseudonym : '';
}

function patientIdOf(row) {
  if (!isPlainObject(row)) return '';
  const id = row.patient_id ?? row.patientId ?? row.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : '';
}

// ---------------------------------------------------------------- views

function resetToLogin(message) {
  session = null;
  currentPatientId = '';
  viewGeneration++;
  clearWorkspace();
  byId('workspace').hidden = true;
  byId('session').hidden = true;
  byId('login-view').hidden = false;
  inputById('login-password').value = '';
  clearNotices();
  showText(byId('login-error'), '');
  if (message) showStatus(message);
  inputById('login-username').focus();
}

/** Removes every patient detail from the page (shared workstations). */
function clearWorkspace() {
  for (const id of ['search-results', 'audit-content']) byId(id).replaceChildren();
  for (const id of ['search-query', 'open-patient-id', 'audit-patient-id', 'audit-user-id', 'audit-since']) inputById(id).value = '';
  /** @type {HTMLSelectElement} */ (byId('audit-decision')).value = '';
  showText(byId('search-summary'), '');
  byId('search-more').hidden = true;
  byId('audit-more').hidden = true;
  searchState = { query: '', cursor: '' };
  auditState = { filters: {}, cursor: '', rows: [] };
  closePatientView();
  byId('audit-view').hidden = true;
  byId('placeholder').hidden = false;
}

function features() {
  const role = session ? String(session.claims.role ?? '') : '';
  return ROLE_FEATURES[role] ?? {};
}

function showWorkspace() {
  if (session === null) return;
  const role = typeof session.claims.role === 'string' ? session.claims.role : 'unknown role';
  const offered = features();
  clearNotices();
  clearWorkspace();
  byId('login-view').hidden = true;
  byId('workspace').hidden = false;
  byId('session').hidden = false;
  byId('session-user').textContent = session.username;
  byId('session-role').textContent = role;
  byId('search-panel').hidden = !offered.search;
  byId('search-label').textContent = offered.listAll
    ? 'Pseudonym (R-…), or leave empty to list every patient, de-identified'
    : 'Name, MRN or date of birth';
  byId('own-record-panel').hidden = !offered.ownRecord || typeof session.claims.patient_id !== 'string';
  byId('audit-panel').hidden = !offered.audit;
  byId('no-tools-panel').hidden = Boolean(offered.search || offered.ownRecord || offered.audit);
  byId('placeholder').textContent = offered.audit
    ? 'Choose filters and show the audit log.'
    : offered.ownRecord
      ? 'Choose what to see from your record.'
      : 'Search for a patient and choose one to see the record.';
  const firstControl = offered.search ? 'search-query' : offered.ownRecord ? 'open-own-record' : offered.audit ? 'audit-patient-id' : 'logout-button';
  byId(firstControl).focus();
}

/** Shows an error from any call; a lost session has already sent the user to the login form. */
function reportError(error, target) {
  if (error instanceof ApiError && error.kind === 'unauthenticated') return;
  const text = error instanceof ApiError ? error.message : 'Something went wrong. Check your connection and try again.';
  if (target) showText(target, text);
  else showAlert(text);
}

function closePatientView() {
  byId('patient-view').hidden = true;
  byId('patient-heading').textContent = '';
  for (const name of ['overview', 'encounters', 'notes']) sectionBody(name).replaceChildren();
  inputById('break-glass-reason').value = '';
  byId('break-glass-form').hidden = true;
  byId('break-glass-button').hidden = true;
  showText(byId('patient-error'), '');
  for (const section of ['overview', 'encounters', 'notes']) byId(`${section}-section`).hidden = false;
}

/** @param {string} name */
function sectionBody(name) {
  const body = byId(`${name}-section`).querySelector('.section-body');
  if (!(body instanceof HTMLElement)) throw new Error(`missing body of ${name}`);
  return body;
}

function markCurrentResult() {
  for (const button of byId('search-results').querySelectorAll('button')) {
    button.setAttribute('aria-current', String(button.dataset.patientId === currentPatientId));
  }
}

/** @param {string} patientId */
async function openPatient(patientId) {
  const generation = ++viewGeneration;
  currentPatientId = patientId;
  clearNotices();
  closePatientView();
  byId('audit-view').hidden = true;
  byId('placeholder').hidden = true;
  byId('patient-view').hidden = false;
  const heading = byId('patient-heading');
  heading.textContent = `Patient ${patientId}`;
  markCurrentResult();
  for (const name of ['overview', 'encounters', 'notes']) sectionBody(name).replaceChildren(el('p', 'loading', ['Loading…']));
  heading.focus();

  let overview;
  try {
    overview = await callTool('get_patient_overview', { patient_id: patientId });
  } catch (error) {
    if (generation !== viewGeneration) return;
    for (const name of ['overview', 'encounters', 'notes']) byId(`${name}-section`).hidden = true;
    reportError(error, byId('patient-error'));
    if (error instanceof ApiError && error.kind === 'forbidden' && features().breakGlass) byId('break-glass-button').hidden = false;
    return;
  }
  if (generation !== viewGeneration) return;
  const name = patientName(demographicsOf(overview));
  if (name) heading.textContent = `${name} (${patientId})`;
  sectionBody('overview').replaceChildren(renderStructured(overview, 'h3'));

  await Promise.all([
    fillSection('encounters', generation, () => callTool('list_encounters', { patient_id: patientId })),
    fillSection('notes', generation, () => callTool('get_clinical_notes', { patient_id: patientId })),
  ]);
}

/**
 * @param {string} name
 * @param {number} generation
 * @param {() => Promise<unknown>} load
 */
async function fillSection(name, generation, load) {
  try {
    const data = await load();
    if (generation === viewGeneration) sectionBody(name).replaceChildren(renderStructured(data, 'h3'));
  } catch (error) {
    if (generation !== viewGeneration) return;
    const text =
      error instanceof ApiError && error.kind === 'forbidden'
        ? `Not available to your role for this patient.`
        : error instanceof ApiError
          ? error.message
          : 'Could not load this part of the record.';
    sectionBody(name).replaceChildren(el('p', 'error', [text]));
  }
}

/** @param {boolean} more */
async function runSearch(more) {
  const list = byId('search-results');
  const summary = byId('search-summary');
  const args = { query: searchState.query, limit: 20 };
  if (more && searchState.cursor) args.cursor = searchState.cursor;
  if (!more) {
    list.replaceChildren();
    showText(summary, 'Searching…');
  }
  const data = await callTool('search_patients', args);
  const hits = firstList(data);
  for (const hit of hits) list.append(renderSearchHit(hit));
  searchState.cursor = nextCursorOf(data);
  byId('search-more').hidden = searchState.cursor === '';
  const shown = list.childElementCount;
  showText(summary, shown === 0 ? 'No patients found that you may see.' : `${shown} patient${shown === 1 ? '' : 's'} found.`);
  markCurrentResult();
}

function renderSearchHit(hit) {
  const id = patientIdOf(hit);
  const meta = [];
  if (isPlainObject(hit)) {
    const born = hit.birth_date ?? hit.birthDate ?? hit.date_of_birth ?? hit.birth_year;
    if (born !== undefined && born !== null) meta.push(`born ${born}`);
    if (typeof hit.mrn === 'string') meta.push(`MRN ${hit.mrn}`);
    if (typeof hit.sex === 'string') meta.push(hit.sex);
  }
  if (id) meta.push(id);
  const button = el('button', 'result-button', [
    el('span', 'result-name', [patientName(hit) || (id ? `Patient ${id}` : 'Patient')]),
    el('span', 'result-meta', [meta.join(' · ')]),
  ]);
  button.type = 'button';
  button.dataset.patientId = id;
  button.disabled = id === '';
  button.addEventListener('click', () => void openPatient(id));
  return el('li', '', [button]);
}

/** @param {boolean} more */
async function showAuditLog(more) {
  const generation = more ? viewGeneration : ++viewGeneration;
  const content = byId('audit-content');
  const args = { ...auditState.filters, limit: 50 };
  if (more && auditState.cursor) args.cursor = auditState.cursor;
  if (!more) {
    auditState.rows = [];
    clearNotices();
    closePatientView();
    byId('placeholder').hidden = true;
    byId('audit-view').hidden = false;
    byId('audit-more').hidden = true;
    content.replaceChildren(el('p', 'loading', ['Loading…']));
    byId('audit-heading').focus();
  }
  try {
    const data = await callTool('get_audit_log', args);
    if (generation !== viewGeneration) return;
    auditState.rows.push(...firstList(data));
    auditState.cursor = nextCursorOf(data);
    const rows = auditState.rows;
    content.replaceChildren(
      el('p', 'hint', [`${rows.length} event${rows.length === 1 ? '' : 's'} shown.`]),
      rows.length === 0 ? el('p', 'empty', ['No events match.']) : renderValue(rows),
    );
    byId('audit-more').hidden = auditState.cursor === '';
  } catch (error) {
    if (generation !== viewGeneration) return;
    content.replaceChildren();
    reportError(error, null);
  }
}

// ---------------------------------------------------------------- wiring

/** @param {string} id @param {(form: HTMLFormElement) => Promise<void>} handler */
function onSubmit(id, handler) {
  const form = /** @type {HTMLFormElement} */ (byId(id));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(form, () => handler(form));
  });
}

/** @param {string} id @param {() => Promise<void>} handler */
function onClick(id, handler) {
  const button = /** @type {HTMLButtonElement} */ (byId(id));
  button.addEventListener('click', () => {
    button.disabled = true;
    void handler().finally(() => {
      button.disabled = false;
    });
  });
}

function wire() {
  onSubmit('login-form', async () => {
    const username = inputById('login-username').value.trim();
    const password = inputById('login-password').value;
    const error = byId('login-error');
    showText(error, '');
    showStatus('');
    if (!username || !password) {
      showText(error, 'Enter your username and password.');
      return;
    }
    try {
      await login(username, password);
      inputById('login-password').value = '';
      showWorkspace();
    } catch (caught) {
      showText(error, caught instanceof ApiError ? caught.message : 'Cannot reach the server. Check your connection and try again.');
      inputById('login-password').focus();
    }
  });

  onClick('logout-button', async () => {
    const ending = session;
    resetToLogin('');
    if (ending !== null) {
      // Revokes the refresh token at the gateway; the page has forgotten both tokens already.
      await postJson('/api/token/blacklist/', { refresh: ending.refresh }).catch(() => undefined);
    }
    showStatus('You have signed out.');
  });

  onSubmit('search-form', async () => {
    const query = inputById('search-query').value.trim();
    if (!query && !features().listAll) {
      showText(byId('search-summary'), 'Enter a name, MRN or date of birth.');
      return;
    }
    searchState = { query, cursor: '' };
    clearNotices();
    await runSearch(false).catch((error) => {
      showText(byId('search-summary'), '');
      reportError(error, null);
    });
  });

  onClick('search-more', () => runSearch(true).catch((error) => reportError(error, null)));

  onSubmit('open-form', async () => {
    const id = inputById('open-patient-id').value.trim();
    if (id) await openPatient(id);
  });

  onClick('open-own-record', async () => {
    const own = session?.claims.patient_id;
    if (typeof own === 'string') await openPatient(own);
  });

  onClick('open-own-access-log', async () => {
    const own = session?.claims.patient_id;
    if (typeof own !== 'string') return;
    auditState = { filters: { patient_id: own }, cursor: '', rows: [] };
    await showAuditLog(false);
  });

  onSubmit('audit-form', async (form) => {
    const filters = {};
    for (const [key, value] of new FormData(form)) {
      if (typeof value === 'string' && value.trim() !== '') filters[key] = value.trim();
    }
    auditState = { filters, cursor: '', rows: [] };
    await showAuditLog(false);
  });

  onClick('audit-more', () => showAuditLog(true));

  byId('break-glass-button').addEventListener('click', () => {
    byId('break-glass-form').hidden = false;
    showText(byId('break-glass-error'), '');
    inputById('break-glass-reason').focus();
  });

  byId('break-glass-cancel').addEventListener('click', () => {
    byId('break-glass-form').hidden = true;
    inputById('break-glass-reason').value = '';
    byId('break-glass-button').focus();
  });

  onSubmit('break-glass-form', async () => {
    const reasonInput = inputById('break-glass-reason');
    const reason = reasonInput.value.trim();
    const error = byId('break-glass-error');
    if (reason.length < 10) {
      showText(error, 'Give a reason of at least 10 characters.');
      reasonInput.focus();
      return;
    }
    const patientId = currentPatientId;
    try {
      const grant = await callTool('break_glass', { patient_id: patientId, reason });
      reasonInput.value = '';
      await openPatient(patientId);
      const until = isPlainObject(grant) ? (grant.expires_at ?? grant.expiresAt ?? grant.until) : undefined;
      showStatus(
        `Emergency access granted${until ? ` until ${until}` : ' for 60 minutes'}. This access is recorded and will be reviewed.`,
      );
    } catch (caught) {
      reportError(caught, error);
    }
  });
}

wire();
inputById('login-username').focus();
