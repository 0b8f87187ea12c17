// Shared by every dashboard page: the API client (cookie auth, anti-CSRF header, problem documents), number and time
// formatting (New York time with UTC on hover), the page header (navigation, who is signed in, theme toggle, sign-out).

export const NY = 'America/New_York';
const CSRF = { 'X-Requested-With': 'aitrader-dashboard' };

/** An API error carrying the problem document's title and detail. */
export class ApiError extends Error {
  constructor(status, title, detail, field) {
    super(detail ? `${title}: ${detail}` : title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.field = field;
  }
}

/** Calls the service with the session cookie. Requests that change state carry the anti-CSRF header. A 401 sends the
 * browser to the login page (and back here after). Returns parsed JSON, or text when asked. */
export async function api(path, { method = 'GET', body, text = false, signal } = {}) {
  const headers = { Accept: text ? '*/*' : 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') Object.assign(headers, CSRF);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin', signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'service unreachable', 'the service did not answer; check that `aitrader serve` is running, then retry.');
  }
  if (response.status === 401) {
    location.assign('/login?return=' + encodeURIComponent(location.pathname + location.search));
    throw new ApiError(401, 'signed out', 'sign in again.');
  }
  if (!response.ok) {
    let problem = {};
    try { problem = await response.json(); } catch { /* not a problem document */ }
    throw new ApiError(response.status, problem.title || `HTTP ${response.status}`, problem.detail || '', problem.field);
  }
  if (response.status === 204) return null;
  return text ? response.text() : response.json();
}

/** document.createElement with attributes, properties (on*, dataset) and children (strings become text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const moneySigned = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: 'exceptZero' });
const pct = new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: 'exceptZero' });
const pctPlain = new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const plain = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });
const qty = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });

const compactMoney = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

const isNum = (x) => x !== null && x !== undefined && x !== '' && Number.isFinite(Number(x));

/** USD; with sign when the value is a gain or loss. */
export const fmtMoney = (x, { sign = false } = {}) => (isNum(x) ? (sign ? moneySigned : money).format(Number(x)) : '—');
/** A fraction as a percent (0.031 → +3.10%); unsigned for levels such as drawdown or win rate. */
export const fmtPct = (x, { sign = true } = {}) => (isNum(x) ? (sign ? pct : pctPlain).format(Number(x)) : '—');
export const fmtNum = (x) => (isNum(x) ? plain.format(Number(x)) : '—');
export const fmtQty = (x) => (isNum(x) ? qty.format(Number(x)) : '—');
/** Large dollar amounts, shortened ($348.4M). */
export const fmtMoneyCompact = (x) => (isNum(x) ? compactMoney.format(Number(x)) : '—');
/** A whole count with thousands separators (volumes). */
export const fmtWhole = (x) => (isNum(x) ? whole.format(Number(x)) : '—');
/** The class that colours a signed value. */
export const signClass = (x) => (!isNum(x) || Number(x) === 0 ? '' : Number(x) > 0 ? 'pos' : 'neg');

const nyDateTime = new Intl.DateTimeFormat('en-US', { timeZone: NY, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });
const nyParts = new Intl.DateTimeFormat('en-US', { timeZone: NY, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** The New York wall-clock parts of a UTC instant. */
export function nyFields(date) {
  const p = Object.fromEntries(nyParts.formatToParts(date).map((x) => [x.type, x.value]));
  return { year: +p.year, month: +p.month, day: +p.day, hour: +p.hour % 24, minute: +p.minute, second: +p.second };
}

/** "2019-02-01" in New York for a UTC instant. */
export function nyDate(iso) {
  const f = nyFields(new Date(iso));
  return `${f.year}-${String(f.month).padStart(2, '0')}-${String(f.day).padStart(2, '0')}`;
}

/** New York time text for a UTC instant. */
export function fmtTimeText(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : nyDateTime.format(d);
}

/** A <time> in New York time with the UTC instant on hover. */
export function fmtTime(iso) {
  if (!iso) return document.createTextNode('—');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return document.createTextNode(String(iso));
  return el('time', { datetime: d.toISOString(), title: d.toISOString().replace('.000Z', 'Z') + ' (UTC)' }, nyDateTime.format(d));
}

const nyClock = new Intl.DateTimeFormat('en-US', { timeZone: NY, hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });

/** A <time> showing only the New York clock time (09:25 EDT), for rows of one day; the UTC instant on hover. */
export function fmtClock(iso) {
  if (!iso) return document.createTextNode('—');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return document.createTextNode(String(iso));
  return el('time', { datetime: d.toISOString(), title: `${nyDateTime.format(d)} · ${d.toISOString().replace('.000Z', 'Z')} (UTC)` }, nyClock.format(d));
}

/** A notice box; kind is '', 'error' or 'warn'. */
export function notice(text, kind = '') {
  return el('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** What to say for an error: the problem's title and detail, or the exception. */
export function describe(error) {
  return error instanceof ApiError ? error.message : `unexpected error: ${error && error.message ? error.message : error}`;
}

/** The signed-in key (id, name, role), fetched once. */
let mePromise;
export function me() {
  mePromise ??= api('/app/me');
  return mePromise;
}

export const PAGES = [
  ['chart', 'Chart'], ['backtests', 'Backtests'], ['scans', 'Scans'], ['trading', 'Trading'], ['journal', 'Journal'], ['health', 'Health'],
];

/** The page header: skip link, navigation, who is signed in, theme toggle, sign-out. */
export function header(active) {
  const nav = el('nav', { 'aria-label': 'Dashboard pages' },
    PAGES.map(([page, title]) => el('a', { href: `/app/${page}`, 'aria-current': page === active ? 'page' : null }, title)));
  const who = el('span', { class: 'who', 'aria-live': 'polite' }, '');
  const theme = el('button', { type: 'button', class: 'theme', onclick: toggleTheme, title: 'Switch light and dark theme' });
  const logout = el('form', { method: 'post', action: '/logout' }, el('button', { type: 'submit' }, 'Sign out'));
  const bar = el('header', { class: 'top' }, el('a', { class: 'skip', href: '#main' }, 'Skip to content'),
    el('span', { class: 'brand' }, 'AI Trader'), nav, who, theme, logout);
  document.body.prepend(bar);
  themeLabel(theme);
  me().then((m) => { who.textContent = `${m.name} (${m.id}) · ${m.role === 'trader' ? 'trader: can act' : 'read-only'}`; })
    .catch(() => { who.textContent = ''; });
}

function currentTheme() {
  const set = document.documentElement.dataset.theme;
  if (set) return set;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function themeLabel(button) {
  const next = currentTheme() === 'dark' ? 'light' : 'dark';
  button.textContent = next === 'dark' ? '☾ Dark' : '☀ Light';
  button.setAttribute('aria-label', `Switch to the ${next} theme`);
}

function toggleTheme(event) {
  const next = currentTheme() === 'dark' ? 'light' : 'dark';
  document.documentElement.dataset.theme = next;
  try { localStorage.setItem('aitrader-theme', next); } catch { /* storage off */ }
  themeLabel(event.currentTarget);
  document.dispatchEvent(new CustomEvent('themechange', { detail: next }));
}

/** The theme's colours for canvas drawing (charts). */
export function palette() {
  const s = getComputedStyle(document.documentElement);
  const v = (name) => s.getPropertyValue(name).trim();
  return { bg: v('--panel'), text: v('--text'), muted: v('--muted'), border: v('--border'), up: v('--up'), down: v('--down'),
    accent: v('--accent'), warn: v('--warn'), dark: currentTheme() === 'dark' };
}

/** A modal confirm dialog (keyboard: focus moves in, Esc cancels). Resolves to the reason text (when asked for) or true,
 * or null when cancelled. */
export function confirmDialog({ title, text, confirm = 'Confirm', danger = false, reason = false }) {
  return new Promise((resolve) => {
    const input = reason ? el('input', { type: 'text', maxlength: '500', required: true, 'aria-label': 'Reason', placeholder: 'reason (required)' }) : null;
    const ok = el('button', { type: 'submit', class: danger ? 'danger' : 'primary', value: 'ok' }, confirm);
    const cancel = el('button', { type: 'button' }, 'Cancel');
    const form = el('form', { method: 'dialog' }, el('h2', {}, title), el('p', {}, text), input ? el('label', {}, 'Reason', input) : null,
      el('div', { class: 'buttons' }, cancel, ok));
    const dialog = el('dialog', { 'aria-label': title }, form);
    document.body.append(dialog);
    let result = null;
    cancel.addEventListener('click', () => dialog.close());
    form.addEventListener('submit', (e) => {
      if (input && !input.value.trim()) { e.preventDefault(); input.focus(); return; }
      result = input ? input.value.trim() : true;
    });
    dialog.addEventListener('close', () => { dialog.remove(); resolve(result); });
    dialog.showModal();
    (input || cancel).focus();
  });
}

/** Parses CSV text (quoted fields allowed) into objects keyed by the header row. */
export function parseCsv(text) {
  const rows = [];
  let field = '', row = [], quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  const [head, ...body] = rows;
  return head ? body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? '']))) : [];
}

/** A table whose headers sort it (click or Enter/Space on the header button). columns: [{key, title, num, render}]. */
export function sortableTable(columns, rows, { caption } = {}) {
  const tbody = el('tbody');
  const ths = columns.map((c) => el('th', { scope: 'col', class: c.num ? 'num' : null, 'aria-sort': 'none' },
    el('button', { type: 'button', class: 'sort', onclick: () => sortBy(c) }, c.title)));
  const table = el('table', {}, caption ? el('caption', { class: 'muted' }, caption) : null, el('thead', {}, el('tr', {}, ths)), tbody);
  let state = { key: null, dir: 1 };
  const render = () => {
    tbody.replaceChildren(...rows.map((r) => el('tr', {}, columns.map((c) =>
      el('td', { class: [c.num ? 'num' : '', c.signed ? signClass(r[c.key]) : ''].join(' ').trim() || null }, c.render ? c.render(r) : r[c.key])))));
  };
  const order = () => {
    const c = columns.find((x) => x.key === state.key);
    if (!c) return;
    const value = (r) => (c.num ? Number(r[c.key]) : String(r[c.key]));
    rows = [...rows].sort((a, b) => (value(a) < value(b) ? -1 : value(a) > value(b) ? 1 : 0) * state.dir);
  };
  function sortBy(c) {
    state = { key: c.key, dir: state.key === c.key ? -state.dir : 1 };
    order();
    ths.forEach((th, i) => th.setAttribute('aria-sort', columns[i].key === c.key ? (state.dir > 0 ? 'ascending' : 'descending') : 'none'));
    render();
  }
  /** Shows other rows (a filter's), in the order chosen. */
  table.show = (shown) => { rows = shown; order(); render(); };
  table.shownRows = () => rows;
  render();
  return table;
}

/** A sortable table with a filter box above it (rows whose shown text holds every word typed), the count shown, and a
 * download of the rows shown as CSV with the file's own columns. name: the CSV's file name without ".csv". */
export function filterableTable(columns, rows, { caption, name, label }) {
  const table = sortableTable(columns, rows, { caption });
  const text = (r) => columns.map((c) => { const v = c.render ? c.render(r) : r[c.key]; return v instanceof Node ? v.textContent : String(v ?? ''); }).join(' ').toLowerCase();
  const texts = new Map(rows.map((r) => [r, text(r)]));
  const box = el('input', { type: 'search', name: `${name}-filter`, placeholder: 'e.g. stop, short, 2019', autocomplete: 'off' });
  const count = el('span', { class: 'muted', 'aria-live': 'polite' }, `${rows.length} of ${rows.length}`);
  const download = el('button', { type: 'button', class: 'download' }, 'Download these rows (CSV)');
  const apply = () => {
    const words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    const shown = rows.filter((r) => words.every((w) => texts.get(r).includes(w)));
    table.show(shown);
    count.textContent = `${shown.length} of ${rows.length}`;
  };
  box.addEventListener('input', apply);
  download.addEventListener('click', () => {
    const keys = Object.keys(rows[0] || {});
    const field = (v) => (/[",\n\r]/.test(v) ? `"${String(v).replaceAll('"', '""')}"` : String(v ?? ''));
    const csv = [keys.join(','), ...table.shownRows().map((r) => keys.map((k) => field(r[k])).join(','))].join('\n') + '\n';
    const a = el('a', { href: URL.createObjectURL(new Blob([csv], { type: 'text/csv' })), download: `${name}${box.value.trim() ? '-filtered' : ''}.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
  return el('div', {}, el('div', { class: 'row' }, el('label', {}, `Filter ${label}`, box), count, el('span', { class: 'spacer' }), download),
    el('div', { class: 'table-wrap', tabindex: '0' }, table));
}

/** Follows a job's server-sent events until it ends; reconnects by itself (EventSource retries a dropped stream; a
 * refused one is reopened after a pause). onJob(job), onBook(book), onStatus(text). Returns a stop function. */
export function followJob(kind, id, { onJob, onBook, onStatus } = {}) {
  let source = null, stopped = false, timer = null;
  const open = () => {
    if (stopped) return;
    source = new EventSource(`/api/${kind}/${encodeURIComponent(id)}/events`);
    source.addEventListener('open', () => onStatus?.('live'));
    source.addEventListener('job', (e) => onJob?.(JSON.parse(e.data)));
    source.addEventListener('book', (e) => onBook?.(JSON.parse(e.data)));
    source.addEventListener('end', () => { onStatus?.('ended'); stop(); });
    source.addEventListener('error', () => {
      if (stopped) return;
      if (source.readyState === EventSource.CLOSED) {
        onStatus?.('disconnected; reconnecting in 5 s');
        source.close();
        timer = setTimeout(open, 5000);
      } else onStatus?.('reconnecting…');
    });
  };
  const stop = () => { stopped = true; clearTimeout(timer); source?.close(); };
  open();
  return stop;
}

/** A progress bar and a phase line that follow a job's events until it ends; then onEnd(job). Returns both elements. */
export function jobProgress(kind, job, label, onEnd) {
  const bar = el('progress', { max: '1', value: String(job.progress ?? 0), 'aria-label': `${label} progress` });
  const phase = el('span', { class: 'muted' }, job.state);
  followJob(kind, job.id, {
    onJob: (j) => {
      bar.value = j.progress ?? 0;
      phase.textContent = `${j.state}${j.phase ? ` · ${j.phase}` : ''} · ${Math.round((j.progress ?? 0) * 100)}%`;
      if (j.state !== 'queued' && j.state !== 'running') onEnd(j);
    },
  });
  return [bar, phase];
}

/** What a job's page says when its address names no job: where to pick one. */
export function noJob(what) {
  document.getElementById('root').replaceChildren(notice(`No ${what} named: open one from the Backtests page.`, 'warn'), el('a', { href: '/app/backtests' }, 'Backtests'));
}
