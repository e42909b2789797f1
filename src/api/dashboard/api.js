// Talking to this ORION's API (docs/api.md), on the page's own origin only.

// ---- the API -----------------------------------------------------------------------------

// Resolves to {ok, status, body}; a network failure is status 0.
export async function api(path, options = {}) {
  const init = {method: options.method || 'GET', headers: {Accept: 'application/json'},
    cache: 'no-store', credentials: 'same-origin'};
  if (options.body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  if (options.token) init.headers.Authorization = 'Bearer ' + options.token;
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    return {ok: false, status: 0, body: {error: {message: 'ORION is not reachable'}}};
  }
  let body = null;
  try {
    body = await response.json();
  } catch (error) {
    body = null;
  }
  return {ok: response.ok, status: response.status, body};
}

export function errorText(result) {
  const error = result.body && result.body.error;
  if (error && error.message) return error.message + (error.field ? ' (' + error.field + ')' : '');
  return result.status ? 'HTTP ' + result.status : 'ORION is not reachable';
}
