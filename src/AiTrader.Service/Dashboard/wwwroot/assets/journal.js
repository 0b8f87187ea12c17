// Journal: the trading journal newest first, filtered by New York date, kind, symbol and guardrail rule (the blocks a
// rule decided, with each rule's count), paged with before_id; Export downloads every entry the filter matches (CSV or
// JSONL, written by the service), not only the pages shown.
import { api, el, header, notice, describe, fmtMoney, fmtQty, fmtTime } from './app.js';

const KINDS = ['decision', 'block', 'order', 'fill', 'cancel', 'reject', 'position', 'summary', 'webhook'];

header('journal');
const root = document.getElementById('root');
const params = new URLSearchParams(location.search);
const date = el('input', { type: 'date', name: 'date', value: params.get('date') || '' });
const kind = el('select', { name: 'kind' }, el('option', { value: '' }, 'any'), KINDS.map((k) => el('option', { value: k }, k)));
kind.value = KINDS.includes(params.get('kind')) ? params.get('kind') : '';
const symbol = el('input', { name: 'symbol', value: params.get('symbol') || '', size: '8', spellcheck: 'false', placeholder: 'any' });
const rule = el('select', { name: 'rule', 'aria-describedby': 'rule-note' }, el('option', { value: '' }, 'any'));
const wantedRule = params.get('rule') || '';
const csv = el('a', { class: 'button', id: 'export-csv', download: '' }, 'Export CSV');
const jsonl = el('a', { class: 'button', id: 'export-jsonl', download: '' }, 'Export JSONL');
const form = el('form', { class: 'controls', 'aria-label': 'Journal filter' },
  el('label', {}, 'Date (New York)', date), el('label', {}, 'Kind', kind), el('label', {}, 'Symbol', symbol),
  el('label', {}, 'Guardrail rule', rule),
  el('button', { type: 'submit', class: 'primary' }, 'Filter'), csv, jsonl);
const ruleNote = el('p', { id: 'rule-note', class: 'muted' }, 'A rule shows the orders that guardrail blocked (the rule that decided each block).');
const status = el('div', { 'aria-live': 'polite' });
const tbody = el('tbody');
const table = el('div', { class: 'table-wrap', tabindex: '0' }, el('table', { id: 'journal' },
  el('thead', {}, el('tr', {}, ['#', 'Time (New York)', 'Kind', 'Symbol', 'Side', 'Qty', 'Price', 'Rule', 'Reason', 'Order'].map((h, i) => el('th', { scope: 'col', class: [0, 5, 6].includes(i) ? 'num' : null }, h)))), tbody));
const more = el('button', { type: 'button', hidden: true }, 'Older entries');
root.replaceChildren(el('section', { class: 'panel' }, form, ruleNote, status), el('section', { class: 'panel' }, table, more));

let entries = 0;
let next = null;
form.addEventListener('submit', (e) => { e.preventDefault(); load(true); });
form.addEventListener('input', exportLinks);
rule.addEventListener('change', () => { if (rule.value && kind.value !== 'block') kind.value = kind.value ? 'block' : ''; exportLinks(); });
kind.addEventListener('change', () => { if (kind.value && kind.value !== 'block') rule.value = ''; exportLinks(); });
more.addEventListener('click', () => load(false));
rules().then(() => load(true));

/** The rules with how many blocks each decided (on the chosen date and symbol), for the rule picker. */
async function rules() {
  try {
    const q = new URLSearchParams();
    if (date.value) q.set('date', date.value);
    if (symbol.value.trim()) q.set('symbol', symbol.value.trim().toUpperCase());
    const answer = await api(`/api/journal/rules?${q}`);
    const keep = rule.value || wantedRule;
    rule.replaceChildren(el('option', { value: '' }, 'any'), ...answer.rules.map((r) => el('option', { value: r.rule }, `${r.rule} (${r.blocks})`)));
    rule.value = answer.rules.some((r) => r.rule === keep) ? keep : '';
  } catch (e) {
    ruleNote.replaceChildren(notice(`Could not list the guardrail rules: ${describe(e)}`, 'warn'));
  }
}

function query() {
  const q = new URLSearchParams();
  if (date.value) q.set('date', date.value);
  if (kind.value) q.set('kind', kind.value);
  if (symbol.value.trim()) q.set('symbol', symbol.value.trim().toUpperCase());
  if (rule.value) q.set('rule', rule.value);
  return q;
}

/** The export links download every entry the current filter matches, through the service. */
function exportLinks() {
  const q = query();
  csv.href = `/api/journal/export?${new URLSearchParams([...q, ['format', 'csv']])}`;
  jsonl.href = `/api/journal/export?${new URLSearchParams([...q, ['format', 'jsonl']])}`;
}

async function load(first) {
  const q = query();
  exportLinks();
  if (first) {
    history.replaceState(null, '', `?${q}`);
    entries = 0; next = null; tbody.replaceChildren();
    rules();
  }
  q.set('limit', '200');
  if (!first && next) q.set('before_id', String(next));
  status.replaceChildren(notice('Loading…'));
  try {
    const page = await api(`/api/journal?${q}`);
    entries += page.entries.length;
    next = page.next_before_id;
    more.hidden = next === null || next === undefined;
    for (const e of page.entries) {
      const decided = e.kind === 'block' ? (e.data && e.data.rule) || (e.reason || '').split(':')[0] : '';
      tbody.append(el('tr', {}, el('td', { class: 'num' }, String(e.id)), el('td', {}, fmtTime(e.timestamp)), el('td', {}, e.kind), el('td', {}, e.symbol || ''),
        el('td', {}, e.side || ''), el('td', { class: 'num' }, e.quantity == null ? '' : fmtQty(e.quantity)), el('td', { class: 'num' }, e.price == null ? '' : fmtMoney(e.price)),
        el('td', {}, decided ? el('span', { class: 'state error' }, decided) : ''), el('td', {}, e.reason || ''), el('td', { class: 'muted' }, e.client_order_id || e.order_id || '')));
    }
    status.replaceChildren(entries === 0
      ? notice(rule.value
        ? `No order was blocked by ${rule.value}${date.value ? ` on ${date.value}` : ''}. Pick another rule (the counts are in the list), or clear the filters.`
        : 'No journal entries match. Clear the filters, or run a paper session (Trading) or a webhook to write some.', 'warn')
      : notice(`${entries} entr${entries === 1 ? 'y' : 'ies'} shown${next ? '; more with "Older entries"' : ', all that match'}. Export downloads every match, not only those shown.`));
  } catch (e) {
    status.replaceChildren(notice(`${describe(e)}${e.field ? ` (fix the ${e.field} filter)` : ''}`, 'error'));
  }
}
