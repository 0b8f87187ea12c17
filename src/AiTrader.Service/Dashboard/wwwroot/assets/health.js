// Health: readiness (/health/ready: database, cache folder, vendor keys, stream; each with its reason) and what the service has seen since it started
// (/health/details): each vendor's keys, requests and last typed error, the market-data stream's lag, and the latest
// warnings and errors it logged; refreshed on demand.
import { api, el, header, notice, describe, fmtTime, fmtTimeText, fmtWhole } from './app.js';

header('health');
const root = document.getElementById('root');
const readyBox = el('div', { 'aria-live': 'polite' });
const vendorBox = el('div');
const streamBox = el('div');
const errorsBox = el('div');
const refresh = el('button', { type: 'button', onclick: load }, 'Check again');
const checked = el('span', { class: 'muted' });
root.replaceChildren(
  el('div', { class: 'row' }, refresh, checked),
  el('div', { class: 'grid' },
    el('section', { class: 'panel', 'aria-labelledby': 'h-title' }, el('h2', { id: 'h-title' }, 'Readiness'), readyBox),
    el('section', { class: 'panel', 'aria-labelledby': 's-title' }, el('h2', { id: 's-title' }, 'Market-data stream'), streamBox)),
  el('section', { class: 'panel', 'aria-labelledby': 'v-title' }, el('h2', { id: 'v-title' }, 'Vendors'), vendorBox),
  el('section', { class: 'panel', 'aria-labelledby': 'e-title' }, el('h2', { id: 'e-title' }, 'Recent warnings and errors'), errorsBox));
load();

const state = (text) => el('span', { class: `state ${text === 'ok' || text === 'ready' || text === 'receiving' ? 'ok' : text === 'off' || text === 'warn' || text === 'not started' || text.startsWith('idle since') ? '' : 'error'}` }, text);
const seconds = (s) => (s === null || s === undefined ? '—' : `${Number(s).toFixed(s < 10 ? 2 : 1)} s`);

async function load() {
  refresh.disabled = true;
  checked.textContent = 'checking…';
  await Promise.all([ready(), details()]);
  checked.textContent = `checked ${fmtTimeText(new Date().toISOString())}`;
  refresh.disabled = false;
}

async function ready() {
  let response, body;
  try {
    response = await fetch('/health/ready', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (response.status === 401) { location.assign('/login?return=/app/health'); return; }
    body = await response.json();
  } catch {
    readyBox.replaceChildren(notice('The service did not answer. Check that `aitrader serve` is running, then "Check again".', 'error'));
    return;
  }
  if (response.status !== 200 && response.status !== 503) {
    readyBox.replaceChildren(notice(`${body.title || response.status}: ${body.detail || ''}`, 'error'));
    return;
  }
  const names = { database: 'Database', cache: 'Bar cache folder', vendor_keys: 'Vendor keys', stream: 'Market-data stream' };
  readyBox.replaceChildren(
    ...(response.status === 503 ? [notice('Not ready: fix what is marked below (each required check must be ok).', 'error')] : []),
    el('dl', { class: 'kv', id: 'readiness' },
      el('dt', {}, 'Status'), el('dd', {}, state(body.status)),
      ...Object.entries(body.checks).flatMap(([name, c]) => [
        el('dt', {}, names[name] || name),
        el('dd', {}, state(c.status), c.required ? null : el('span', { class: 'muted small' }, ' (not required)'),
          el('div', { class: 'muted small' }, c.reason))])));
}

async function details() {
  let d;
  try {
    d = await api('/health/details');
  } catch (e) {
    const text = `Could not read the service's activity: ${describe(e)}. "Check again" retries.`;
    [vendorBox, streamBox, errorsBox].forEach((b) => b.replaceChildren(notice(text, 'error')));
    return;
  }
  const since = el('p', { class: 'muted' }, 'Since the service started ', fmtTime(d.started_at), ` (${uptime(d.uptime_seconds)} ago).`);
  vendorBox.replaceChildren(since, el('div', { class: 'table-wrap', tabindex: '0' }, el('table', { id: 'vendors' },
    el('thead', {}, el('tr', {}, ['Vendor', 'Keys', 'Requests', 'Last request', 'Errors', 'Last error'].map((h, i) => el('th', { scope: 'col', class: i === 2 || i === 4 ? 'num' : null }, h)))),
    el('tbody', {}, d.vendors.map((v) => el('tr', {},
      el('td', {}, el('strong', {}, v.vendor)),
      el('td', {}, v.keys_set === null ? el('span', { class: 'muted' }, 'none needed')
        : v.keys_set ? state('ok') : el('span', {}, state('missing'), el('div', { class: 'muted small' }, 'set them in the service\u2019s environment (docs/reference/vendors.md)'))),
      el('td', { class: 'num' }, fmtWhole(v.requests)),
      el('td', {}, v.last_request_at ? [fmtTime(v.last_request_at), v.last_status ? el('span', { class: 'muted' }, ` · HTTP ${v.last_status}`) : null] : el('span', { class: 'muted' }, 'none yet')),
      el('td', { class: `num ${v.errors ? 'neg' : ''}`.trim() }, fmtWhole(v.errors)),
      el('td', {}, v.last_error ? [el('span', { class: 'state error' }, v.last_error.kind), ' ', fmtTime(v.last_error.at)] : el('span', { class: 'muted' }, 'none'))))))),
  el('p', { class: 'muted' }, 'Requests and errors count the vendor calls this service made (bars, snapshots, listings); the error kinds are those of the aitrader.vendor.errors metric.'));

  const s = d.stream;
  streamBox.replaceChildren(s.bars === 0
    ? notice('No live bar has arrived since the service started. The stream runs inside a live paper session (Trading, with the Alpaca keys); replays do not use it.')
    : el('dl', { class: 'kv', id: 'stream' },
      el('dt', {}, 'Live bars'), el('dd', {}, fmtWhole(s.bars)),
      el('dt', {}, 'Last bar arrived'), el('dd', {}, fmtTime(s.last_bar_at)),
      el('dt', {}, 'Lag of the last bar'), el('dd', { class: s.last_lag_seconds > 60 ? 'neg' : null }, seconds(s.last_lag_seconds)),
      el('dt', {}, 'Mean lag'), el('dd', {}, seconds(s.mean_lag_seconds)),
      el('dt', {}, 'Worst lag'), el('dd', { class: s.max_lag_seconds > 60 ? 'neg' : null }, seconds(s.max_lag_seconds))),
  el('p', { class: 'muted' }, 'Lag: from a minute bar\u2019s close to its arrival from the stream.'));

  errorsBox.replaceChildren(d.recent_errors.length === 0
    ? el('p', { class: 'empty' }, 'No warnings or errors since the service started.')
    : el('div', { class: 'table-wrap', tabindex: '0' }, el('table', { id: 'recent-errors' },
      el('caption', { class: 'muted' }, `The latest ${d.recent_errors.length} the service logged, newest first (the service log has them all).`),
      el('thead', {}, el('tr', {}, ['Time (New York)', 'Level', 'Where', 'Message'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, d.recent_errors.map((e) => el('tr', {}, el('td', {}, fmtTime(e.at)),
        el('td', {}, el('span', { class: `state ${e.level === 'warning' ? 'running' : 'error'}` }, e.level)),
        el('td', { class: 'muted', title: e.category }, e.category.split('.').pop()), el('td', { class: 'log-message' }, e.message)))))));
}

function uptime(s) {
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}
