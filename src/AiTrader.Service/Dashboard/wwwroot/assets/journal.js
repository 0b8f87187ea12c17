// Journal: the trading journal newest first, filtered by New York date, kind and symbol, paged with before_id; the
// entries loaded can be exported as CSV or JSONL.
import { api, el, header, notice, describe, fmtMoney, fmtQty, fmtTime, download } from './app.js';

const KINDS = ['decision', 'block', 'order', 'fill', 'cancel', 'reject', 'position', 'summary', 'webhook'];
const COLUMNS = ['id', 'timestamp', 'kind', 'symbol', 'side', 'quantity', 'price', 'order_id', 'client_order_id', 'reason', 'event_key', 'data'];

header('journal');
const root = document.getElementById('root');
const params = new URLSearchParams(location.search);
const date = el('input', { type: 'date', name: 'date', value: params.get('date') || '' });
const kind = el('select', { name: 'kind' }, el('option', { value: '' }, 'any'), KINDS.map((k) => el('option', { value: k }, k)));
kind.value = KINDS.includes(params.get('kind')) ? params.get('kind') : '';
const symbol = el('input', { name: 'symbol', value: params.get('symbol') || '', size: '8', spellcheck: 'false', placeholder: 'any' });
const form = el('form', { class: 'controls', 'aria-label': 'Journal filter' },
  el('label', {}, 'Date (New York)', date), el('label', {}, 'Kind', kind), el('label', {}, 'Symbol', symbol),
  el('button', { type: 'submit', class: 'primary' }, 'Filter'),
  el('button', { type: 'button', onclick: () => exportAs('csv') }, 'Export CSV'),
  el('button', { type: 'button', onclick: () => exportAs('jsonl') }, 'Export JSONL'));
const status = el('div', { 'aria-live': 'polite' });
const tbody = el('tbody');
const table = el('div', { class: 'table-wrap' }, el('table', {},
  el('thead', {}, el('tr', {}, ['#', 'Time (New York)', 'Kind', 'Symbol', 'Side', 'Qty', 'Price', 'Reason', 'Order'].map((h) => el('th', { scope: 'col' }, h)))), tbody));
const more = el('button', { type: 'button', hidden: true }, 'Older entries');
root.replaceChildren(el('section', { class: 'panel' }, form, status), el('section', { class: 'panel' }, table, more));

let entries = [];
let next = null;
form.addEventListener('submit', (e) => { e.preventDefault(); load(true); });
more.addEventListener('click', () => load(false));
load(true);

function query() {
  const q = new URLSearchParams();
  if (date.value) q.set('date', date.value);
  if (kind.value) q.set('kind', kind.value);
  if (symbol.value.trim()) q.set('symbol', symbol.value.trim().toUpperCase());
  return q;
}

async function load(first) {
  const q = query();
  if (first) { history.replaceState(null, '', `?${q}`); entries = []; next = null; tbody.replaceChildren(); }
  q.set('limit', '200');
  if (!first && next) q.set('before_id', String(next));
  status.replaceChildren(notice('Loading…'));
  try {
    const page = await api(`/api/journal?${q}`);
    entries.push(...page.entries);
    next = page.next_before_id;
    more.hidden = next === null || next === undefined;
    for (const e of page.entries) {
      tbody.append(el('tr', {}, el('td', { class: 'num' }, String(e.id)), el('td', {}, fmtTime(e.timestamp)), el('td', {}, e.kind), el('td', {}, e.symbol || ''),
        el('td', {}, e.side || ''), el('td', { class: 'num' }, e.quantity == null ? '' : fmtQty(e.quantity)), el('td', { class: 'num' }, e.price == null ? '' : fmtMoney(e.price)),
        el('td', {}, e.reason || ''), el('td', { class: 'muted' }, e.client_order_id || e.order_id || '')));
    }
    status.replaceChildren(entries.length === 0
      ? notice('No journal entries match. Clear the filters, or run a paper session (Trading) or a webhook to write some.', 'warn')
      : notice(`${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} shown${next ? '; more with "Older entries"' : ', all that match'}. Export saves what is shown.`));
  } catch (e) {
    status.replaceChildren(notice(`${describe(e)}${e.field ? ` (fix the ${e.field} filter)` : ''}`, 'error'));
  }
}

function exportAs(format) {
  if (entries.length === 0) { status.replaceChildren(notice('Nothing to export: load some entries first.', 'warn')); return; }
  const name = `journal${date.value ? '-' + date.value : ''}${kind.value ? '-' + kind.value : ''}.${format}`;
  if (format === 'jsonl') {
    download(name, entries.map((e) => JSON.stringify(e)).join('\n') + '\n', 'application/x-ndjson');
    return;
  }
  const cell = (v) => {
    const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  download(name, [COLUMNS.join(','), ...entries.map((e) => COLUMNS.map((c) => cell(e[c])).join(','))].join('\n') + '\n', 'text/csv');
}
