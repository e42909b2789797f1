// What the dashboard knows, shared by its modules (app.js owns the changes).

export const TOKEN_KEY = 'orion.admin_token';
export const LIST_LIMIT = 50;
export const GATE_ORDER = ['autonomy', 'classification', 'incident_cooldown', 'action_cooldown',
  'rate_limit', 'circuit_breaker', 'budget', 'approval'];
export const STREAM_TYPES = ['event', 'incident', 'decision', 'approval_request', 'approval_decision',
  'action', 'outcome', 'autonomy_change'];

export const state = {
  status: null,
  incidents: new Map(),   // incident_id → document (latest version)
  decisions: new Map(),   // decision_id → document
  actions: new Map(),     // action_id → document (latest state)
  outcomes: new Map(),    // action_id → outcome document
  approvals: [],          // pending requests, as /api/v1/approvals lists them
  filter: 'open',
  detailId: null,
  detailRetries: 0,       // loads left for a timeline that lacks what the page holds (app.js)
  pendingAnswer: null,    // the answer waiting for a token: {id, verdict, body}
  liveAt: new Map(),      // document id → when a live version of it arrived (ms)
  stream: null,
  retryDelay: 1000,
};
