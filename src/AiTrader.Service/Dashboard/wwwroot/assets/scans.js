// Scans and watchlists: a New York date's premarket scan refreshes (one refresh as a ranked table with each row's
// inputs, the latest by default; then every refresh through the morning), the live scan's state, and each watchlist
// bucket's latest list with its source. Trader keys can also replay a day's scan and build a watchlist.
import { api, el, header, notice, describe, fmtMoney, fmtMoneyCompact, fmtNum, fmtPct, fmtWhole, fmtTime, fmtClock, jobProgress, me, sortableTable } from './app.js';

header('scans');
const root = document.getElementById('root');
const params = new URLSearchParams(location.search);
const SOURCES = ['sample', 'manual', 'scan', 'auto', 'alpha', 'finnhub', 'twelvedata', 'textlist'];
const STATUS = { ranked: 'ranked', filtered: 'filtered', insufficient_history: 'too little history', no_data: 'no data', error: 'error' };

const dateSelect = el('select', { id: 'scan-date', name: 'date', 'aria-describedby': 'scan-dates-note' });
const datesNote = el('span', { id: 'scan-dates-note', class: 'muted' });
const liveBox = el('div', { 'aria-live': 'polite' });
const replayBox = el('div');
const refreshTitle = el('h2', { id: 'r-title' }, 'Refresh');
const refreshBox = el('div', { 'aria-live': 'polite' }, el('p', { class: 'empty' }, 'Loading the scans…'));
const historyBox = el('div', {}, el('p', { class: 'empty' }, 'Loading…'));
const listsBox = el('div', { 'aria-live': 'polite' }, el('p', { class: 'empty' }, 'Loading the watchlists…'));
const buildBox = el('div');
const dateForm = el('form', { class: 'controls', 'aria-label': 'Scan date' },
  el('label', {}, 'Session date (New York)', dateSelect), datesNote);
root.replaceChildren(
  el('section', { class: 'panel', 'aria-labelledby': 's-title' }, el('h2', { id: 's-title' }, 'Premarket scan'), liveBox, dateForm, replayBox),
  el('section', { class: 'panel', 'aria-labelledby': 'r-title' }, refreshTitle, refreshBox),
  el('section', { class: 'panel', 'aria-labelledby': 'h-title' }, el('h2', { id: 'h-title' }, 'Through the morning'), historyBox),
  el('section', { class: 'panel', 'aria-labelledby': 'w-title' }, el('h2', { id: 'w-title' }, 'Watchlists'), listsBox, buildBox));

let who = { role: 'read' };
let day = null; // { date, refreshes (ranked rows only) }
dateSelect.addEventListener('change', () => showDate(dateSelect.value, null));
dateForm.addEventListener('submit', (e) => e.preventDefault());

start();

async function start() {
  try { who = await me(); } catch { /* the header says who; forms stay disabled */ }
  replayForm();
  buildForm();
  liveStatus();
  loadLists();
  await loadDates(params.get('date'), params.get('window'));
}

/** The live scan inside the service: on or off and why, today's refreshes, the last error. */
async function liveStatus() {
  try {
    const s = await api('/api/scans/schedule');
    if (!s.enabled || s.off) {
      liveBox.replaceChildren(notice(`Live scan off: ${s.off || 'not scheduled'}. Replayed days are shown below.`));
      return;
    }
    liveBox.replaceChildren(notice([`Live scan on (${s.schedule})`,
      s.day ? ` · ${s.refreshes_today} refresh${s.refreshes_today === 1 ? '' : 'es'} on ${s.day}` : ' · no refresh yet today',
      s.last_window ? ` · last at ${new Date(s.last_window).toISOString().slice(11, 16)} UTC with ${s.last_ranked} ranked` : '',
      s.last_error ? ` · last error: ${s.last_error} (it retries a minute later; check the Alpaca keys and the service log)` : ''].join(''),
    s.last_error ? 'warn' : ''));
  } catch (e) {
    liveBox.replaceChildren(notice(`Could not read the live scan's state: ${describe(e)}`, 'error'));
  }
}

/** The dates holding refreshes, newest first; shows the asked date (or the newest) and window (or the latest). */
async function loadDates(wanted, window) {
  let list;
  try {
    list = await api('/api/scans/refreshes?limit=60');
  } catch (e) {
    refreshBox.replaceChildren(notice(`Could not list the scan dates: ${describe(e)}. Reload to retry.`, 'error'));
    historyBox.replaceChildren();
    return;
  }
  const dates = list.dates;
  if (wanted && !dates.includes(wanted)) dates.unshift(wanted);
  dateSelect.replaceChildren(...dates.map((d) => el('option', { value: d }, d)));
  dateForm.hidden = dates.length === 0;
  datesNote.textContent = dates.length ? `${list.dates.length} date${list.dates.length === 1 ? '' : 's'} with refreshes${list.more ? ' (the latest 60)' : ''}` : '';
  if (dates.length === 0) {
    refreshTitle.textContent = 'Refresh';
    refreshBox.replaceChildren(notice('No premarket scan refreshes are stored yet. Replay a day above (the bundled minute bars cover 2013-10-07 to 2013-10-11; a trader key), ' +
      'run `aitrader scan --premarket --date 2013-10-08 --replay`, or start the service with --scan-schedule premarket and the Alpaca keys.', 'warn'));
    historyBox.replaceChildren(el('p', { class: 'empty' }, 'Each refresh of a day appears here, window by window.'));
    return;
  }
  await showDate(wanted || dates[0], window);
}

/** One date: its refreshes with the ranked rows (the history), then one refresh in full. */
async function showDate(date, window) {
  dateSelect.value = date;
  refreshBox.replaceChildren(el('p', { class: 'empty' }, `Loading the refreshes of ${date}…`));
  historyBox.replaceChildren();
  try {
    day = await api(`/api/scans/refreshes/${encodeURIComponent(date)}?rows=ranked`);
  } catch (e) {
    refreshBox.replaceChildren(notice(`Could not load the refreshes of ${date}: ${describe(e)}`, 'error'));
    return;
  }
  if (day.refreshes.length === 0) {
    refreshTitle.textContent = `Refresh · ${date}`;
    refreshBox.replaceChildren(notice(`No refresh is stored for ${date}. Pick another date, or replay this one above.`, 'warn'));
    renderHistory(null);
    return;
  }
  const pick = day.refreshes.find((r) => sameInstant(r.window, window)) || day.refreshes[day.refreshes.length - 1];
  await showRefresh(pick.window);
}

/** One refresh with every row: the ranked table, then the symbols that did not rank and why. */
async function showRefresh(window) {
  renderHistory(window);
  const date = day.date;
  remember(date, window);
  refreshBox.replaceChildren(el('p', { class: 'empty' }, 'Loading the refresh…'));
  let refresh;
  try {
    const one = await api(`/api/scans/refreshes/${encodeURIComponent(date)}?window=${encodeURIComponent(window)}`);
    refresh = one.refreshes[0];
  } catch (e) {
    refreshBox.replaceChildren(notice(`Could not load the refresh at ${window}: ${describe(e)}`, 'error'));
    return;
  }
  const latest = sameInstant(window, day.refreshes[day.refreshes.length - 1].window);
  refreshTitle.replaceChildren(`${latest ? 'Latest refresh' : 'Refresh'} · ${date} · `, fmtClock(refresh.window));
  const ranked = refresh.rows.filter((r) => r.status === 'ranked');
  const others = refresh.rows.filter((r) => r.status !== 'ranked');
  const counts = Object.entries(STATUS).filter(([k]) => k !== 'ranked').map(([k, t]) => [t, others.filter((r) => r.status === k).length]).filter(([, n]) => n > 0);
  const meta = el('p', { class: 'muted' }, `${refresh.mode} · ${fmtWhole(refresh.universe_size)} symbols scanned · ${ranked.length} ranked · ` +
    `${refresh.errors.length} error${refresh.errors.length === 1 ? '' : 's'} · took ${elapsed(refresh.elapsed)} · started `, fmtTime(refresh.started_utc));
  const parts = [meta];
  if (refresh.errors.length) parts.push(notice(`Data errors: ${refresh.errors.join('; ')}`, 'warn'));
  parts.push(ranked.length
    ? el('div', { class: 'table-wrap', id: 'ranked', tabindex: '0' }, sortableTable(rowColumns(true), ranked,
      { caption: `${ranked.length} ranked by score (gap × relative volume); select a heading to sort` }))
    : el('p', { class: 'empty' }, 'Nothing ranked at this window: every symbol was filtered or had no data yet (see below). Early windows often have no premarket trades; pick a later one.'));
  if (others.length) {
    parts.push(el('details', { class: 'unranked' }, el('summary', {}, `Not ranked: ${others.length} symbol${others.length === 1 ? '' : 's'} (${counts.map(([t, n]) => `${n} ${t}`).join(', ')})`),
      el('div', { class: 'table-wrap', tabindex: '0' }, sortableTable(rowColumns(false), others))));
  }
  refreshBox.replaceChildren(...parts);
}

function rowColumns(ranked) {
  const head = ranked
    ? [{ key: 'rank', title: 'Rank', num: true }, { key: 'symbol', title: 'Symbol', render: (r) => el('strong', {}, r.symbol) },
      { key: 'score', title: 'Score', num: true, render: (r) => fmtNum(r.score) }]
    : [{ key: 'symbol', title: 'Symbol', render: (r) => el('strong', {}, r.symbol) }, { key: 'status', title: 'Status', render: (r) => STATUS[r.status] || r.status }];
  return [...head,
    { key: 'gap', title: 'Gap', num: true, signed: true, render: (r) => fmtPct(r.gap) },
    { key: 'rvol', title: 'RVOL', num: true, render: (r) => (r.rvol == null ? '—' : `${fmtNum(Number(r.rvol).toFixed(2))}×`) },
    { key: 'last_price', title: 'Last', num: true, render: (r) => fmtMoney(r.last_price) },
    { key: 'last_bar_utc', title: 'Last bar', render: (r) => fmtClock(r.last_bar_utc) },
    { key: 'prior_close', title: 'Prior close', num: true, render: (r) => el('span', {}, fmtMoney(r.prior_close), r.prior_close_date ? el('div', { class: 'muted small' }, r.prior_close_date) : null) },
    { key: 'volume', title: 'Volume', num: true, render: (r) => fmtWhole(r.volume) },
    { key: 'average_volume', title: 'Avg volume', num: true, render: (r) => el('span', { title: (r.session_dates || []).join(', ') }, fmtWhole(r.average_volume),
      el('div', { class: 'muted small' }, `${(r.session_dates || []).length} sessions`)) },
    { key: 'dollar_volume', title: '$ volume', num: true, render: (r) => fmtMoneyCompact(r.dollar_volume) },
    { key: 'prob_up', title: 'P(up)', num: true, render: (r) => fmtPct(r.prob_up, { sign: false }) },
    { key: 'regime', title: 'Regime', render: (r) => r.regime || '—' },
    { key: 'note', title: 'Note', render: (r) => r.note || '' },
  ];
}

/** The refreshes of the day, window by window: how many ranked, the top five (new names marked), errors, time taken. */
function renderHistory(selected) {
  if (!day || day.refreshes.length === 0) { historyBox.replaceChildren(el('p', { class: 'empty' }, 'No refreshes on this date.')); return; }
  let previous = new Set();
  const rows = day.refreshes.map((r) => {
    const top = r.rows.slice(0, 5);
    const names = top.map((x) => {
      const fresh = previous.size > 0 && !previous.has(x.symbol);
      return el('span', { class: fresh ? 'sym new' : 'sym', title: fresh ? 'new in the top five since the previous refresh' : null }, `${x.rank} ${x.symbol}${fresh ? ' ▲' : ''}`);
    });
    previous = new Set(top.map((x) => x.symbol));
    const current = sameInstant(r.window, selected);
    return el('tr', { class: current ? 'selected' : null },
      el('td', {}, el('button', { type: 'button', class: 'link', 'aria-pressed': current ? 'true' : 'false', onclick: () => showRefresh(r.window) },
        fmtClock(r.window))),
      el('td', { class: 'num' }, String(r.rows.length)), el('td', { class: 'num' }, fmtWhole(r.universe_size)),
      el('td', { class: `num ${r.errors.length ? 'neg' : ''}` }, String(r.errors.length)), el('td', { class: 'num' }, elapsed(r.elapsed)),
      el('td', {}, names.length ? names : el('span', { class: 'muted' }, 'none ranked')));
  }).reverse();
  historyBox.replaceChildren(el('p', { class: 'muted' }, `${day.refreshes.length} refresh${day.refreshes.length === 1 ? '' : 'es'} on ${day.date}, latest first; select a time to show that refresh above.`),
    el('div', { class: 'table-wrap', id: 'history', tabindex: '0' }, el('table', {},
      el('thead', {}, el('tr', {}, ['Window (New York)', 'Ranked', 'Scanned', 'Errors', 'Took', 'Top five'].map((h, i) => el('th', { scope: 'col', class: i > 0 && i < 5 ? 'num' : null }, h)))),
      el('tbody', {}, rows))));
}

/** Each bucket's latest list: its source, when it was saved, every symbol with the source that gave it. */
async function loadLists() {
  let index;
  try {
    index = await api('/api/watchlists');
  } catch (e) {
    listsBox.replaceChildren(notice(`Could not list the watchlists: ${describe(e)}${e.field === 'WATCHLIST_STORE' ? ' Fix WATCHLIST_STORE in the service\'s environment.' : ''}`, 'error'));
    return;
  }
  if (index.buckets.length === 0) {
    listsBox.replaceChildren(notice('No watchlists are saved yet. Build one below (the sample source needs no keys), or replay a scan: it publishes its top symbols to the scan bucket.', 'warn'));
    return;
  }
  const cards = await Promise.all(index.buckets.map(async (b) => {
    try {
      return bucketCard(b, await api(`/api/watchlists/${encodeURIComponent(b.bucket)}`));
    } catch (e) {
      return el('section', { class: 'card' }, el('h3', {}, b.bucket), notice(describe(e), 'error'));
    }
  }));
  listsBox.replaceChildren(el('p', { class: 'muted' }, `Store: ${index.store} · ${index.buckets.length} bucket${index.buckets.length === 1 ? '' : 's'}`),
    el('div', { class: 'cards', id: 'watchlists' }, cards));
}

function bucketCard(b, list) {
  const id = `wl-${b.bucket}`;
  return el('section', { class: 'card', 'aria-labelledby': id },
    el('h3', { id }, b.bucket, ' ', el('span', { class: 'state' }, `source: ${list.source}`)),
    el('dl', { class: 'kv' }, el('dt', {}, 'Saved'), el('dd', {}, fmtTime(list.created_utc)),
      el('dt', {}, 'Lists kept'), el('dd', {}, fmtWhole(b.saved)), el('dt', {}, 'Symbols'), el('dd', {}, fmtWhole(list.entries.length))),
    list.entries.length
      ? el('div', { class: 'table-wrap', tabindex: '0' }, el('table', {}, el('thead', {}, el('tr', {}, ['#', 'Symbol', 'Source', 'Rank', 'Score', 'Note'].map((h, i) => el('th', { scope: 'col', class: [0, 3, 4].includes(i) ? 'num' : null }, h)))),
        el('tbody', {}, list.entries.map((e, i) => el('tr', {}, el('td', { class: 'num' }, String(i + 1)), el('td', {}, el('strong', {}, e.symbol)), el('td', {}, e.source),
          el('td', { class: 'num' }, e.rank == null ? '—' : String(e.rank)), el('td', { class: 'num' }, e.score == null ? '—' : fmtNum(e.score)), el('td', { class: 'muted' }, e.note || ''))))))
      : el('p', { class: 'empty' }, 'This list is empty.'),
    list.notes.length ? el('ul', { class: 'notes muted' }, list.notes.map((n) => el('li', {}, n))) : null);
}

/** Replays a bundled day's premarket scan as a job (trader keys), then shows that day. */
function replayForm() {
  const date = el('input', { type: 'date', name: 'date', value: '2013-10-08', required: true });
  const top = el('input', { type: 'number', name: 'top', min: '1', max: '100', value: '10', size: '4' });
  const symbols = el('input', { name: 'symbols', placeholder: 'every bundled symbol', size: '18', spellcheck: 'false' });
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Replay scan');
  const status = el('div', { 'aria-live': 'polite' });
  const form = el('form', { class: 'controls', id: 'replay-form', 'aria-label': 'Replay a day\'s premarket scan' },
    el('label', {}, 'Replay date', date), el('label', {}, 'Top', top), el('label', {}, 'Symbols (optional)', symbols), submit);
  replayBox.replaceChildren(el('h3', {}, 'Replay a day'), el('p', { class: 'muted' }, 'Runs the 04:00-09:25 ET scan every 5 minutes over the bundled minute bars of a date, stores each refresh and publishes the top symbols to the scan bucket.'),
    form, status);
  traderForm(form, submit, status, 'replaying a scan', async () => {
    const body = { date: date.value, top: Number(top.value) || 10 };
    const list = symbols.value.split(',').map((x) => x.trim().toUpperCase()).filter(Boolean);
    if (list.length) body.symbols = list;
    status.replaceChildren(notice('Submitting…'));
    try {
      const job = await api('/api/scans', { method: 'POST', body });
      status.replaceChildren(...jobProgress('scans', job, 'Scan replay', (j) => {
        submit.disabled = false;
        if (j.state === 'succeeded') {
          status.replaceChildren(notice(`Replayed ${body.date}: job ${j.id}.`));
          loadDates(body.date, null);
          loadLists();
        } else {
          status.replaceChildren(notice(`Scan replay ${j.state}: ${j.error || 'no reason given'}. Pick a date with bundled minute bars (2013-10-07 to 2013-10-11).`, 'error'));
        }
      }));
    } catch (err) {
      status.replaceChildren(notice(`Not started: ${describe(err)}`, 'error'));
      if (err.field) form.querySelector(`[name="${CSS.escape(err.field)}"]`)?.focus();
      submit.disabled = false;
    }
  });
}

/** Wires a form only a trader key may send: a read-only key is told why its button is off; sending turns the button off
 * while send runs (send turns it on again when its work is done). */
function traderForm(form, submit, status, what, send) {
  const trader = who.role === 'trader';
  submit.disabled = !trader;
  if (!trader) status.replaceChildren(notice(`Read-only key: ${what} needs a trader key (aitrader apikey create --name NAME --role trader).`, 'warn'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!trader) return;
    submit.disabled = true;
    send();
  });
}

/** Builds a watchlist from a source into a bucket (trader keys). */
function buildForm() {
  const bucket = el('input', { name: 'bucket', value: 'default', required: true, size: '12', spellcheck: 'false', pattern: '[a-z0-9][a-z0-9_\\-]{0,39}', title: '1-40 of a-z, 0-9, - and _' });
  const source = el('select', { name: 'source' }, SOURCES.map((s) => el('option', { value: s }, s)));
  const date = el('input', { type: 'date', name: 'date', value: '2013-10-08' });
  const top = el('input', { type: 'number', name: 'top', min: '1', max: '1000', value: '10', size: '4' });
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Build watchlist');
  const status = el('div', { 'aria-live': 'polite' });
  const dateLabel = el('label', {}, 'Scan date (scan source)', date);
  const form = el('form', { class: 'controls', id: 'build-form', 'aria-label': 'Build a watchlist' },
    el('label', {}, 'Bucket', bucket), el('label', {}, 'Source', source), dateLabel, el('label', {}, 'Top', top), submit);
  const sync = () => { date.disabled = source.value !== 'scan'; };
  source.addEventListener('change', sync);
  sync();
  buildBox.replaceChildren(el('h3', {}, 'Build a watchlist'),
    el('p', { class: 'muted' }, 'sample: the bundled symbols; manual and textlist: WATCHLIST_TEXT / the text file; scan: a replayed day (or today\'s live scan without a date); alpha, finnhub, twelvedata: their listing (keys needed); auto: the first source that answers.'),
    form, status);
  traderForm(form, submit, status, 'building a watchlist', async () => {
    const body = { source: source.value, top: Number(top.value) || 10 };
    if (source.value === 'scan' && date.value) body.date = date.value;
    try {
      const list = await api(`/api/watchlists/${encodeURIComponent(bucket.value.trim().toLowerCase())}/build`, { method: 'POST', body });
      status.replaceChildren(notice(`Saved ${list.entries.length} symbol${list.entries.length === 1 ? '' : 's'} to ${list.bucket} from ${list.source}.`));
      loadLists();
    } catch (err) {
      status.replaceChildren(notice(`Not built: ${describe(err)}`, 'error'));
      if (err.field) form.querySelector(`[name="${CSS.escape(err.field)}"]`)?.focus();
    }
    submit.disabled = false;
  });
}

function remember(date, window) {
  const q = new URLSearchParams({ date, window });
  history.replaceState(null, '', `?${q}`);
}

function sameInstant(a, b) {
  return !!a && !!b && new Date(a).getTime() === new Date(b).getTime();
}

/** "00:00:00.0051957" (a .NET TimeSpan) as "5 ms" or "2.41 s". */
function elapsed(span) {
  const m = /^(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(span || '');
  if (!m) return span || '—';
  const s = (Number(m[1] || 0) * 86400) + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  return s < 1 ? `${Math.max(1, Math.round(s * 1000))} ms` : `${s.toFixed(2)} s`;
}
