// ORION's dashboard, its entry point (index.html loads it as a module; the other modules are
// state.js, dom.js, api.js and views.js): loading, the incident timeline, approvals, the live
// stream. Plain JavaScript, no framework, no build step, nothing from the network but this
// ORION's own API (docs/api.md). Everything shown is inserted as text (textContent), never as
// HTML. The admin token lives in sessionStorage only (this tab) and is sent only to the admin
// endpoints; a 401 forgets it and asks again.

import {LIST_LIMIT, STREAM_TYPES, TOKEN_KEY, state} from './state.js';
import {$, el, formatParameters, replaceChildren, shortId, showBanner, timeEl} from './dom.js';
import {api, errorText} from './api.js';
import {describe, incidentSummary, renderActions, renderDecisions, renderIncidents, renderOverview} from './views.js';

// A list endpoint's items into `map`, keyed by `key` of each document, the latest version of
// each winning; a version that arrived live after the request started is newer than the list's.
function mergeItems(map, items, key, started) {
  const sorted = [...items].sort((a, b) => (a.seq || 0) - (b.seq || 0));
  for (const item of sorted) {
    const doc = item.document;
    if (!doc || !doc[key] || (state.liveAt.get(doc[key]) || 0) >= started) continue;
    map.set(doc[key], doc);
  }
}

async function loadStatus() {
  const result = await api('/api/v1/status');
  if (!result.ok) {
    showBanner('Status unavailable: ' + errorText(result));
    return;
  }
  showBanner('');
  state.status = result.body;
  renderOverview();
}

async function loadIncidents() {
  const started = Date.now();
  const result = await api('/api/v1/incidents?state=' + state.filter + '&limit=' + LIST_LIMIT);
  if (!result.ok) return;
  if (state.filter === 'open') {
    // The open list is authoritative for which incidents are open now.
    for (const [id, doc] of state.incidents) {
      if (doc.state === 'open' && (state.liveAt.get(id) || 0) < started) state.incidents.delete(id);
    }
  }
  mergeItems(state.incidents, result.body.items || [], 'incident_id', started);
  renderIncidents(openDetail);
}

async function loadList(path, map, key) {
  const started = Date.now();
  const result = await api(path + '?limit=' + LIST_LIMIT);
  if (result.ok) mergeItems(map, result.body.items || [], key, started);
  return result.ok;
}

async function loadDecisions() {
  if (await loadList('/api/v1/decisions', state.decisions, 'decision_id')) renderDecisions();
}

async function loadActions() {
  const [actions, outcomes] = await Promise.all([
    loadList('/api/v1/actions', state.actions, 'action_id'),
    loadList('/api/v1/outcomes', state.outcomes, 'action_id'),
  ]);
  if (actions || outcomes) renderActions();
}

async function loadApprovals() {
  const result = await api('/api/v1/approvals');
  if (!result.ok) return;
  state.approvals = result.body.pending || [];
  renderApprovals();
}

function loadAll() {
  return Promise.all([loadStatus(), loadIncidents(), loadDecisions(), loadActions(),
    loadApprovals(), state.detailId ? loadDetail(state.detailId) : null]);
}

// Coalesces bursts of live documents into one reload per kind.
const scheduled = new Map();
function soon(name, load, delay = 250) {
  if (scheduled.has(name)) return;
  scheduled.set(name, setTimeout(() => {
    scheduled.delete(name);
    load();
  }, delay));
}

const DETAIL_PARTS = [['versions', 'incident'], ['events', 'event'], ['decisions', 'decision'],
  ['approval_requests', 'approval_request'], ['approvals', 'approval_decision'],
  ['actions', 'action'], ['outcomes', 'outcome']];

// How many times a timeline that lacks documents the page holds is loaded again (every 0.5 s).
const DETAIL_RETRIES = 20;

async function loadDetail(id) {
  const result = await api('/api/v1/incidents/' + encodeURIComponent(id));
  if (state.detailId !== id) return;
  if (!result.ok) {
    $('incident-detail-summary').textContent = 'Could not load it: ' + errorText(result);
    return;
  }
  const body = result.body || {};
  const doc = body.incident || {};
  $('incident-detail-title').textContent = 'Incident ' + shortId(doc.incident_id || id);
  replaceChildren($('incident-detail-summary'), [...incidentSummary(doc),
    doc.description ? ' · ' + doc.description : '']);
  const entries = [];
  for (const [part, type] of DETAIL_PARTS) {
    for (const item of body[part] || []) {
      const d = item.document || {};
      entries.push({type: item.type || type, doc: d, at: d.timestamp || item.recorded_at || '',
        seq: item.seq || 0});
    }
  }
  entries.sort((a, b) => String(a.at).localeCompare(String(b.at)) || a.seq - b.seq);
  replaceChildren($('incident-timeline'), entries.length ? entries.map((entry) =>
    el('li', {data: {type: entry.type}}, timeEl(entry.at), ' ',
      el('span', {class: 'kind'}, entry.type.replace('_', ' ')), ' ',
      el('span', {class: 'what'}, describe(entry.type, entry.doc)))) :
    [el('li', {class: 'empty'}, 'Nothing recorded yet.')]);
  // The timeline comes from the audit trail and its index, which follow the bus a moment behind
  // (memory records a document after the live stream has shown it, and its indexer gathers
  // records before it commits them): what this page already holds of the incident but the
  // timeline lacks is asked for again shortly, for as long as DETAIL_RETRIES allow.
  if (lacksKnownDocuments(id, entries) && state.detailRetries > 0) {
    state.detailRetries -= 1;
    soon('detail', () => state.detailId === id && loadDetail(id), 500);
  }
}

// Whether the page holds a decision, action or outcome of incident `id` that `entries` (its
// timeline) does not show.
function lacksKnownDocuments(id, entries) {
  const keyOf = (type, doc) => type + ' ' + (doc.decision_id || '') + ' ' +
    (type === 'outcome' ? doc.outcome_id : doc.action_id || '');
  const shown = new Set(entries.map((entry) => keyOf(entry.type, entry.doc)));
  const ofIncident = (decisionId) => (state.decisions.get(decisionId) || {}).incident_id === id;
  const known = [];
  for (const decision of state.decisions.values()) {
    if (decision.incident_id === id) known.push(keyOf('decision', decision));
  }
  for (const action of state.actions.values()) {
    if (!ofIncident(action.decision_id)) continue;
    known.push(keyOf('action', action));
    const outcome = state.outcomes.get(action.action_id);
    if (outcome) known.push(keyOf('outcome', outcome));
  }
  return known.some((key) => !shown.has(key));
}

function openDetail(id) {
  state.detailId = id;
  state.detailRetries = DETAIL_RETRIES;
  const detail = $('incident-detail');
  detail.hidden = false;
  detail.dataset.incidentId = id;
  $('incident-timeline').replaceChildren();
  $('incident-detail-summary').textContent = 'Loading…';
  loadDetail(id).then(() => detail.scrollIntoView({behavior: 'smooth', block: 'nearest'}));
}

function closeDetail() {
  state.detailId = null;
  $('incident-detail').hidden = true;
}

// Whether a live document belongs to the incident whose timeline is open.
function concernsDetail(type, doc) {
  const id = state.detailId;
  if (!id) return false;
  if (doc.incident_id === id) return true;
  const incident = state.incidents.get(id);
  if (type === 'event' && incident) return (incident.event_ids || []).includes(doc.event_id);
  const decision = doc.decision_id && state.decisions.get(doc.decision_id);
  if (decision && decision.incident_id === id) return true;
  const action = doc.action_id && state.actions.get(doc.action_id);
  const viaAction = action && state.decisions.get(action.decision_id);
  return !!(viaAction && viaAction.incident_id === id);
}

// ---- approvals ---------------------------------------------------------------------------

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

function renderTokenState() {
  $('token-state').hidden = !token();
}

function askToken(message) {
  const form = $('token-form');
  $('token-message').textContent = message || 'Needed to answer. Kept in this browser tab only.';
  form.hidden = false;
  $('token-input').value = '';
  $('token-input').focus();
}

function renderApprovals() {
  const pending = state.approvals;
  $('approvals-count').textContent = pending.length ? String(pending.length) : '';
  const items = pending.map((request) => {
    const id = request.approval_request_id;
    const reason = el('input', {type: 'text', class: 'reason', placeholder: 'Reason (audited)',
      'aria-label': 'Reason', maxlength: 500, autocomplete: 'off'});
    const needs = String(request.requires_override || '').split(',').filter(Boolean);
    const breaker = needs.includes('circuit_breaker');
    const cooldown = needs.includes('cooldown') &&
      !(request.cooldown_until && Date.parse(request.cooldown_until) <= Date.now());
    const forceOnly = breaker || cooldown || needs.some((n) => n !== 'circuit_breaker' && n !== 'cooldown');
    const answer = (verdict, overrides) => () => submitAnswer(id, verdict, reason, overrides);
    return el('li', {class: 'item approval', data: {approvalId: id}},
      el('div', {class: 'line'}, el('strong', {}, request.action_type || '?'), ' ',
        el('span', {class: 'text'}, formatParameters(request.parameters)), el('span', {class: 'spacer'}),
        el('span', {class: 'muted small'}, 'expires ', timeEl(request.expires_at))),
      request.reasoning ? el('p', {class: 'text'}, request.reasoning) : null,
      breaker ? el('p', {class: 'warning'}, 'Its circuit breaker is open: only a force that overrides it runs it.') : null,
      cooldown ? el('p', {class: 'warning'}, 'Its cooldown runs until ' + request.cooldown_until +
        ': only a force that overrides it runs it now.') : null,
      el('p', {class: 'muted small'}, 'request ' + shortId(id) + ' · decision ' + shortId(request.decision_id) +
        (request.incident_id ? ' · incident ' + shortId(request.incident_id) : '')),
      el('div', {class: 'row answer'}, reason,
        forceOnly ? null : el('button', {type: 'button', data: {verdict: 'approve'}, on: {click: answer('approve')}}, 'Approve'),
        forceOnly ? el('button', {type: 'button', data: {verdict: 'force'}, on: {click: answer('force', {breaker, cooldown})}}, 'Force') : null,
        el('button', {type: 'button', class: 'danger', data: {verdict: 'deny'}, on: {click: answer('deny')}}, 'Deny')));
  });
  replaceChildren($('approvals-list'), items.length ? items :
    [el('li', {class: 'empty'}, 'Nothing is waiting for you.')]);
  renderTokenState();
}

function submitAnswer(id, verdict, reasonInput, overrides = {}) {
  const reason = reasonInput.value.trim();
  if (!reason) {
    $('approvals-message').textContent = 'Give a reason: it goes into the audit trail.';
    reasonInput.focus();
    return;
  }
  const body = {reason};
  if (verdict === 'force') {
    body.override_breaker = Boolean(overrides.breaker);
    body.override_cooldown = Boolean(overrides.cooldown);
  }
  state.pendingAnswer = {id, verdict, body};
  if (!token()) {
    askToken();
    return;
  }
  sendAnswer();
}

async function sendAnswer() {
  const answer = state.pendingAnswer;
  if (!answer) return;
  const message = $('approvals-message');
  message.textContent = 'Sending ' + answer.verdict + '…';
  const result = await api('/api/v1/approvals/' + encodeURIComponent(answer.id) + '/' + answer.verdict,
    {method: 'POST', body: answer.body, token: token()});
  if (result.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    renderTokenState();
    message.textContent = '';
    askToken('That token was refused. Enter the admin token again.');
    return;
  }
  state.pendingAnswer = null;
  if (!result.ok) {
    message.textContent = (result.status === 429 ? 'Too many attempts; wait and retry. ' : 'Refused: ') +
      errorText(result);
    return;
  }
  message.textContent = answer.verdict + ' sent for request ' + shortId(answer.id) + '.';
  loadApprovals();
  soon('status', loadStatus);
}

function setupToken() {
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('token-input').value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    $('token-input').value = '';
    $('token-form').hidden = true;
    renderTokenState();
    sendAnswer();
  });
  $('token-cancel').addEventListener('click', () => {
    $('token-form').hidden = true;
    state.pendingAnswer = null;
  });
  $('token-forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    renderTokenState();
  });
}

// ---- the live stream ---------------------------------------------------------------------

function setLive(value, text) {
  document.body.dataset.live = value;
  const pill = $('live');
  pill.dataset.state = value;
  pill.textContent = text;
}

// The id a live document is kept under (outcomes are kept by their action).
const LIVE_KEYS = {incident: 'incident_id', decision: 'decision_id', action: 'action_id',
  outcome: 'action_id'};

function onDocument(type, doc) {
  if (LIVE_KEYS[type] && doc[LIVE_KEYS[type]]) state.liveAt.set(doc[LIVE_KEYS[type]], Date.now());
  switch (type) {
    case 'incident':
      state.incidents.set(doc.incident_id, doc);
      renderIncidents(openDetail);
      soon('status', loadStatus);
      break;
    case 'decision':
      state.decisions.set(doc.decision_id, doc);
      renderDecisions();
      break;
    case 'approval_request':
    case 'approval_decision':
      soon('approvals', loadApprovals);
      soon('status', loadStatus);
      break;
    case 'action':
      state.actions.set(doc.action_id, doc);
      renderActions();
      break;
    case 'outcome':
      state.outcomes.set(doc.action_id, doc);
      renderActions();
      break;
    case 'autonomy_change':
      soon('status', loadStatus);
      break;
    default:
      break;
  }
  if (concernsDetail(type, doc)) {
    state.detailRetries = DETAIL_RETRIES;
    soon('detail', () => state.detailId && loadDetail(state.detailId));
  }
}

function connect() {
  if (state.stream) state.stream.close();
  setLive('connecting', 'connecting…');
  const stream = new EventSource('/api/v1/stream');
  state.stream = stream;
  stream.addEventListener('open', () => {
    state.retryDelay = 1000;
    setLive('open', 'live');
    // Whatever happened before we listened (or while we were not): load it all again.
    loadAll();
  });
  for (const type of STREAM_TYPES) {
    stream.addEventListener(type, (event) => {
      let doc;
      try {
        doc = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (doc && typeof doc === 'object') onDocument(type, doc);
    });
  }
  // The server dropped documents for us: start over.
  stream.addEventListener('overflow', () => {
    stream.close();
    loadAll().then(connect);
  });
  stream.addEventListener('error', () => {
    if (stream.readyState === EventSource.CLOSED) {
      // The browser gave up (the server refused or is gone): retry ourselves, backing off.
      setLive('down', 'reconnecting…');
      setTimeout(() => { if (state.stream === stream) connect(); }, state.retryDelay);
      state.retryDelay = Math.min(state.retryDelay * 2, 15000);
    } else {
      setLive('connecting', 'reconnecting…');
    }
  });
}

// ---- start -------------------------------------------------------------------------------

function start() {
  setupToken();
  for (const button of document.querySelectorAll('#incidents .tabs button')) {
    button.addEventListener('click', () => {
      state.filter = button.dataset.filter;
      renderIncidents(openDetail);
      loadIncidents();
    });
  }
  $('incident-detail-close').addEventListener('click', closeDetail);
  renderIncidents(openDetail);
  renderDecisions();
  renderActions();
  renderApprovals();
  connect();
  loadAll().then(() => { document.body.dataset.loaded = 'true'; });
  // Expiry times and counts drift: refresh the slow-changing parts now and then.
  setInterval(() => { loadStatus(); loadApprovals(); }, 30000);
}

document.addEventListener('DOMContentLoaded', start);
