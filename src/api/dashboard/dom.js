// Building the page's DOM: text is always inserted as text (never as HTML), and formatting.

// ---- small DOM helpers -------------------------------------------------------------------

export const $ = (id) => document.getElementById(id);

// el('li', {class: 'x', data: {id: '1'}}, 'text', child…): text is always a text node.
export function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'data') {
      for (const [key, data] of Object.entries(value)) node.dataset[key] = String(data);
    } else if (name === 'on') {
      for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function replaceChildren(node, children) {
  node.replaceChildren(...children);
}

export function formatTime(iso) {
  if (!iso) return '';
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return String(iso);
  const now = new Date();
  const time = when.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit', second: '2-digit'});
  return when.toDateString() === now.toDateString() ? time : when.toLocaleDateString() + ' ' + time;
}

export function timeEl(iso) {
  return el('time', {datetime: iso || undefined, title: iso || undefined}, formatTime(iso));
}

export function formatDuration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
}

export function shortId(id) {
  return typeof id === 'string' ? id.slice(0, 8) : '';
}

// {"name":"web"} → "name=web"; nested values as compact JSON.
export function formatParameters(parameters) {
  if (!parameters || typeof parameters !== 'object') return '';
  return Object.entries(parameters)
    .map(([key, value]) => key + '=' + (typeof value === 'object' ? JSON.stringify(value) : value))
    .join(' ');
}

export function badge(text, kind) {
  return el('span', {class: 'badge', data: {kind: String(kind || text).toLowerCase()}}, text);
}

export function showBanner(text) {
  const banner = $('banner');
  banner.textContent = text || '';
  banner.hidden = !text;
}
