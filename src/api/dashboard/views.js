// Rendering what the dashboard knows (state.js) into the page: the overview, the incident
// list, decisions with their gates, actions with their outcomes. Pure rendering: loading and
// the live stream are app.js's.

import {GATE_ORDER, LIST_LIMIT, state} from './state.js';
import {$, badge, el, formatDuration, formatParameters, formatTime, replaceChildren, shortId, timeEl} from './dom.js';

// ---- overview ----------------------------------------------------------------------------

export function card(label, value, kind, detail) {
  return el('div', {class: 'card', data: {card: label.toLowerCase().replace(/\s+/g, '_'),
    kind: kind || 'neutral'}},
  el('dt', {}, label), el('dd', {}, value), detail ? el('dd', {class: 'muted'}, detail) : null);
}

export function renderOverview() {
  const s = state.status;
  if (!s) return;
  $('node').textContent = s.node || '';
  $('version').textContent = s.version || '';
  const bus = s.bus || {};
  const policyValid = !!(s.policy && s.policy.valid);
  const audit = s.audit || {};
  const healthy = bus.healthy !== false && policyValid && audit.chain !== 'broken';
  const problems = [];
  if (bus.healthy === false) problems.push('bus unreachable');
  if (!policyValid) problems.push('policy invalid');
  if (audit.chain === 'broken') problems.push('audit chain broken');
  const level = s.autonomy && s.autonomy.level ? s.autonomy.level : '—';
  const pending = s.approvals ? s.approvals.pending : 0;
  const open = s.incidents ? s.incidents.open : 0;
  replaceChildren($('overview-cards'), [
    card('Health', healthy ? 'ok' : 'degraded', healthy ? 'good' : 'bad',
      problems.length ? problems.join(', ') : 'up ' + formatDuration(s.uptime_seconds)),
    card('Autonomy', level, level === 'N3' || level === 'N2' ? 'warn' : 'neutral',
      {N0: 'observe only', N1: 'suggest', N2: 'SAFE actions', N3: 'RISKY with approval'}[level]),
    card('Bus lag', String(bus.lag ?? '—'), bus.lag > 0 ? 'warn' : 'good',
      (bus.kind || '') + (bus.deadletters ? ' · ' + bus.deadletters + ' dead letters' : '')),
    card('Audit chain', audit.chain || 'unknown',
      {ok: 'good', broken: 'bad'}[audit.chain] || 'neutral',
      'head ' + (audit.head_seq ?? '—') + (audit.checked_at ? ' · ' + formatTime(audit.checked_at) : '')),
    card('Open incidents', String(open ?? 0), open > 0 ? 'warn' : 'good'),
    card('Pending approvals', String(pending ?? 0), pending > 0 ? 'warn' : 'good'),
  ]);
}

// ---- incidents ---------------------------------------------------------------------------

export function incidentSummary(doc) {
  return [badge(doc.severity || '?', doc.severity), ' ', el('strong', {}, doc.incident_type || '?'),
    ' ', badge(doc.state || '?', doc.state)];
}

// `onOpen(incident_id)` runs when an incident is clicked.
export function renderIncidents(onOpen) {
  const docs = [...state.incidents.values()]
    .filter((doc) => state.filter === 'all' || doc.state === 'open')
    .sort((a, b) => String(b.timestamp).localeCompare(String(a.timestamp)))
    .slice(0, LIST_LIMIT);
  for (const button of document.querySelectorAll('#incidents .tabs button')) {
    button.setAttribute('aria-pressed', String(button.dataset.filter === state.filter));
  }
  const items = docs.map((doc) => el('li', {class: 'item clickable', tabindex: 0,
    data: {incidentId: doc.incident_id, state: doc.state || ''},
    on: {click: () => onOpen(doc.incident_id),
      keydown: (e) => { if (e.key === 'Enter') onOpen(doc.incident_id); }}},
  el('div', {class: 'line'}, incidentSummary(doc), el('span', {class: 'spacer'}), timeEl(doc.timestamp)),
  doc.description ? el('p', {class: 'text'}, doc.description) : null,
  el('p', {class: 'muted small'}, (doc.tags && doc.tags.node ? doc.tags.node + ' · ' : '') +
    (doc.event_ids || []).length + ' event(s) · ' + shortId(doc.incident_id))));
  replaceChildren($('incidents-list'), items.length ? items :
    [el('li', {class: 'empty'}, state.filter === 'open' ? 'No open incident.' : 'No incident yet.')]);
}

// One line of a timeline: what happened, in words.
export function describe(type, doc) {
  switch (type) {
    case 'event':
      return [badge(doc.severity || '?', doc.severity), ' ', doc.event_type, ' from ', doc.source,
        doc.data ? ' · ' + formatParameters(doc.data) : ''];
    case 'incident':
      return [incidentSummary(doc), doc.description ? ' · ' + doc.description : ''];
    case 'decision':
      return [badge(doc.decision_type || '?', doc.decision_type), ' ',
        doc.proposed_action ? doc.proposed_action.action_type + ' ' +
          formatParameters(doc.proposed_action.parameters) + ' · ' : '', doc.reasoning];
    case 'approval_request':
      return ['approval requested for ', el('strong', {}, doc.action_type), ', expires ',
        timeEl(doc.expires_at)];
    case 'approval_decision':
      return [badge(doc.decision || '?', doc.decision), ' by ', doc.admin_identity, ': ', doc.reason];
    case 'action':
      return [el('strong', {}, doc.action_type), ' ', formatParameters(doc.parameters),
        ' ', badge(doc.state || '?', doc.state), doc.dry_run ? ' (dry run)' : ''];
    case 'outcome':
      return [badge(doc.status || '?', doc.status), ' in ', doc.execution_time_ms,
        ' ms', doc.error && doc.error.message ? ' · ' + doc.error.message : ''];
    case 'autonomy_change':
      return [doc.previous_level, ' → ', doc.new_level, ': ', doc.reason];
    default:
      return [type];
  }
}

// ---- decisions ---------------------------------------------------------------------------

// The brain's explanation tags: gate.<name> = "<verdict>: <detail>" (src/brain/explain.cc).
export function gatesOf(doc) {
  const tags = doc.tags || {};
  return GATE_ORDER.filter((name) => tags['gate.' + name] !== undefined).map((name) => {
    const value = tags['gate.' + name];
    const colon = value.indexOf(':');
    const verdict = colon < 0 ? value : value.slice(0, colon);
    const detail = colon < 0 ? '' : value.slice(colon + 1).trim();
    return {name, verdict, detail};
  });
}

// "Gates: classification approval, approval approval; 6 pass": what did not simply pass, named.
export function gateSummary(gates) {
  if (!gates.length) return 'Details';
  const stopped = gates.filter((g) => g.verdict !== 'pass' && g.verdict !== 'skip');
  const passed = gates.length - stopped.length;
  return 'Gates: ' + stopped.map((g) => g.name + ' ' + g.verdict).join(', ') +
    (stopped.length && passed ? '; ' : '') + (passed ? passed + ' pass' : '');
}

export function renderDecisions() {
  const docs = [...state.decisions.values()]
    .sort((a, b) => String(b.timestamp).localeCompare(String(a.timestamp))).slice(0, LIST_LIMIT);
  const items = docs.map((doc) => {
    const tags = doc.tags || {};
    const gates = gatesOf(doc);
    const facts = [['rule', tags.rule && tags.rule + (tags.rule_step ? ' (step ' + tags.rule_step + ')' : '')],
      ['target', tags.target], ['autonomy', doc.autonomy_level],
      ['decided by', tags.decided_by], ['retry at', tags.retry_at && formatTime(tags.retry_at)],
      ['needs', tags.requires_override && 'force with override of ' + tags.requires_override],
      ['skipped rules', tags.skipped_rules], ['incident', shortId(doc.incident_id)]]
      .filter(([, value]) => value);
    return el('li', {class: 'item', data: {decisionId: doc.decision_id, type: doc.decision_type}},
      el('div', {class: 'line'}, badge(doc.decision_type || '?', doc.decision_type), ' ',
        doc.proposed_action ? el('strong', {}, doc.proposed_action.action_type) : null, ' ',
        badge(doc.safety_classification || '?', doc.safety_classification),
        el('span', {class: 'spacer'}), timeEl(doc.timestamp)),
      el('p', {class: 'text'}, doc.reasoning || ''),
      el('details', {class: 'gates'}, el('summary', {}, gateSummary(gates)),
      facts.length ? el('dl', {class: 'facts'}, facts.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])) : null,
      gates.length ? el('ol', {class: 'gate-list'}, gates.map((g) =>
        el('li', {data: {gate: g.name, verdict: g.verdict}}, el('span', {class: 'gate-name'}, g.name),
          ' ', badge(g.verdict, g.verdict), g.detail ? ' ' + g.detail : ''))) : null));
  });
  replaceChildren($('decisions-list'), items.length ? items :
    [el('li', {class: 'empty'}, 'No decision yet.')]);
}

// ---- actions and outcomes ----------------------------------------------------------------

export function renderActions() {
  const docs = [...state.actions.values()]
    .sort((a, b) => String(b.timestamp).localeCompare(String(a.timestamp))).slice(0, LIST_LIMIT);
  const items = docs.map((doc) => {
    const outcome = state.outcomes.get(doc.action_id);
    const result = outcome && outcome.result;
    return el('li', {class: 'item', data: {actionId: doc.action_id, state: doc.state || '',
      outcomeStatus: outcome ? outcome.status : ''}},
    el('div', {class: 'line'}, el('strong', {}, doc.action_type), ' ', badge(doc.state || '?', doc.state),
      doc.dry_run ? badge('dry run', 'dry') : null, ' ', badge(doc.safety_classification || '', doc.safety_classification),
      el('span', {class: 'spacer'}), timeEl(doc.timestamp)),
    el('p', {class: 'text'}, formatParameters(doc.parameters)),
    outcome ? el('p', {class: 'outcome'}, 'Outcome: ', badge(outcome.status, outcome.status),
      ' in ' + outcome.execution_time_ms + ' ms',
      result && result.verified !== undefined ? (result.verified ? ' · verified' : ' · not verified') : '',
      outcome.error ? ' · ' + (outcome.error.code || '') + ' ' + (outcome.error.message || '') : '') :
      el('p', {class: 'muted small'}, 'No outcome yet.'));
  });
  replaceChildren($('actions-list'), items.length ? items :
    [el('li', {class: 'empty'}, 'No action yet.')]);
}
