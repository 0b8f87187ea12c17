// Health: /health/ready as a panel (database, cache folder, vendor keys set or not, market-data stream), refreshed on demand.
import { el, header, notice, fmtTimeText } from './app.js';

header('health');
const root = document.getElementById('root');
const box = el('div', { 'aria-live': 'polite' });
const refresh = el('button', { type: 'button', onclick: load }, 'Check again');
root.replaceChildren(el('section', { class: 'panel', 'aria-labelledby': 'h-title' }, el('div', { class: 'row' }, el('h2', { id: 'h-title' }, 'Readiness'), el('span', { class: 'spacer' }), refresh), box));
load();

async function load() {
  box.replaceChildren(el('p', { class: 'empty' }, 'Checking…'));
  let response, body;
  try {
    response = await fetch('/health/ready', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (response.status === 401) { location.assign('/login?return=/app/health'); return; }
    body = await response.json();
  } catch {
    box.replaceChildren(notice('The service did not answer. Check that `aitrader serve` is running, then "Check again".', 'error'));
    return;
  }
  if (response.status !== 200 && response.status !== 503) {
    box.replaceChildren(notice(`${body.title || response.status}: ${body.detail || ''}`, 'error'));
    return;
  }
  const state = (text) => el('span', { class: `state ${text === 'ok' || text === 'ready' ? 'ok' : text === 'off' || text === 'not started' ? '' : 'error'}` }, text);
  const vendors = Object.entries(body.vendorKeys || {});
  box.replaceChildren(
    ...(response.status === 503 ? [notice('Not ready: fix what is marked below (the database must answer and the cache folder be writable).', 'error')] : []),
    el('dl', { class: 'kv' },
      el('dt', {}, 'Status'), el('dd', {}, state(body.status)),
      el('dt', {}, 'Database'), el('dd', {}, state(body.database)),
      el('dt', {}, 'Bar cache folder'), el('dd', {}, state(body.cache)),
      el('dt', {}, 'Market-data stream'), el('dd', {}, state(body.stream)),
      el('dt', {}, 'Checked'), el('dd', {}, fmtTimeText(new Date().toISOString()))),
    el('h3', {}, 'Vendor keys'),
    el('table', {}, el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Vendor'), el('th', { scope: 'col' }, 'Keys set'))),
      el('tbody', {}, vendors.map(([v, set]) => el('tr', {}, el('td', {}, v), el('td', {}, set ? 'yes' : 'no (set them in the service\'s environment; see docs/reference/vendors.md)'))))));
}
