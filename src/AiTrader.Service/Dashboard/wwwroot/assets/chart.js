// Chart: candles of a symbol over a date range from /api/chart, which merges a long range server-side into at most
// POINTS candles (first without, then with their signal frames); zooming in asks for the visible window again, so a million bars stay a few thousand candles. Drawn with
// lightweight-charts: candles, volume, the Kalman filtered price with its ±2σ band, regime shading, indicator overlays
// (SMA/EMA, Bollinger, Donchian) and sub-panes (RSI, P(up), z-score) from the signal columns, day boundaries on intraday
// charts, and the trades of a backtest (its trades.csv and orders.csv) or of a paper or live session (the same files
// made from its journal, /api/runs/{run}/…) as markers with their stop levels; a session still running is read again
// every few seconds. Axis times are New York wall clock; the legend gives UTC on hover.
import { api, el, header, notice, describe, fmtNum, fmtPct, fmtTimeText, palette, parseCsv } from './app.js';
import { candles, sessionStarts, splice } from './chartdata.js';
import { QUIET, addCandles, addTrades, createPriceChart, setCandles, setTrades } from './pricechart.js';

const LC = globalThis.LightweightCharts;
const INTERVALS = ['1Min', '5Min', '15Min', '30Min', '1Hour', '1Day'];
const POINTS = 2000; // candles asked for per request: the server merges more bars than this into wider candles
const OVERLAYS = [
  { id: 'sma', label: 'SMA 20', lines: [['sma_20', '#e8710a', 'SMA']] },
  { id: 'ema', label: 'EMA 20', lines: [['ema_20', '#c53f8f', 'EMA']] },
  { id: 'bb', label: 'Bollinger 20', lines: [['bb_upper_20', '#8b6cd9', 'BB upper'], ['bb_lower_20', '#8b6cd9', 'BB lower']] },
  { id: 'donchian', label: 'Donchian 20', lines: [['donchian_high_20', '#1a9e5f', 'Donchian high'], ['donchian_low_20', '#1a9e5f', 'Donchian low']] },
];
const PANES = [
  { id: 'rsi', label: 'RSI', title: 'RSI 14', column: 'rsi_14', color: '#8b6cd9', levels: [30, 70], format: (v) => v.toFixed(1) },
  { id: 'prob_up', label: 'P(up)', title: 'P(up)', column: 'prob_up', color: '#1f6feb', levels: [0.5], format: (v) => `${(v * 100).toFixed(1)}%` },
  { id: 'zscore', label: 'z', title: 'z-score 20', column: 'zscore_20', color: '#b08a00', levels: [-2, 0, 2], format: (v) => v.toFixed(2) },
];
const REGIME_COLORS = { TrendingUp: [38, 194, 129, 0.09], TrendingDown: [255, 92, 108, 0.09], Volatile: [240, 168, 64, 0.09], Calm: [76, 147, 255, 0.05] };

header('chart');
const root = document.getElementById('root');
const params = new URLSearchParams(location.search);

const symbol = el('input', { id: 'symbol', name: 'symbol', value: params.get('symbol') || 'SPY', size: '8', required: true, autocapitalize: 'characters', spellcheck: 'false' });
const interval = el('select', { id: 'interval', name: 'interval' }, INTERVALS.map((i) => el('option', { value: i }, i)));
interval.value = INTERVALS.includes(params.get('interval')) ? params.get('interval') : '1Day';
const start = el('input', { id: 'start', name: 'start', type: 'date', value: params.get('start') || '' });
const end = el('input', { id: 'end', name: 'end', type: 'date', value: params.get('end') || '' });
const backtest = el('select', { id: 'backtest', name: 'backtest' }, el('option', { value: '' }, 'none'));
const session = el('select', { id: 'session', name: 'session' }, el('option', { value: '' }, 'none'));
const SESSION_REFRESH_MS = 5000; // how often a running session's orders and trades are read again
const showBand = el('input', { type: 'checkbox', id: 'band', checked: true });
const showRegime = el('input', { type: 'checkbox', id: 'regime', checked: true });
const chosen = (name) => new Set((params.get(name) || '').split(',').filter(Boolean));
const overlayBoxes = OVERLAYS.map((o) => el('input', { type: 'checkbox', id: `ov-${o.id}`, value: o.id, checked: chosen('overlays').has(o.id) }));
const paneBoxes = PANES.map((o) => el('input', { type: 'checkbox', id: `pane-${o.id}`, value: o.id, checked: chosen('panes').has(o.id) }));
const go = el('button', { type: 'submit', class: 'primary' }, 'Show');
const form = el('form', { class: 'controls', 'aria-label': 'Chart range' },
  el('label', {}, 'Symbol', symbol), el('label', {}, 'Interval', interval),
  el('label', {}, 'Start (New York date)', start), el('label', {}, 'End', end),
  el('label', {}, 'Trades of backtest', backtest), el('label', {}, 'or of session', session),
  el('label', { class: 'check' }, showBand, ' Kalman ±2σ band'), el('label', { class: 'check' }, showRegime, ' Regime shading'), go);
const studies = el('div', { class: 'controls' },
  el('fieldset', { class: 'controls' }, el('legend', {}, 'Overlays'), OVERLAYS.map((o, i) => el('label', { class: 'check' }, overlayBoxes[i], ` ${o.label}`))),
  el('fieldset', { class: 'controls' }, el('legend', {}, 'Panes below'), PANES.map((o, i) => el('label', { class: 'check' }, paneBoxes[i], ` ${o.title}`))));
const status = el('div', { 'aria-live': 'polite' });
const legend = el('div', { id: 'legend', 'aria-live': 'off' }, el('span', { class: 'muted' }, 'Move over the chart for values.'));
const chartBox = el('div', { id: 'chart', role: 'figure', 'aria-label': 'Price chart' });
const key = el('p', { class: 'muted' }, 'Candles and volume; line: Kalman filtered price, dashed: ±2σ; shading: regime (green trending up, red trending down, orange volatile, blue calm); ',
  '▲/▼ trade entries, ● exits (label: P&L); stepped dashes: a trade\u2019s protective stop, from its first level through every move to its last; faint columns: the first bar of each New York day on intraday charts. ',
  'Scroll or pinch to zoom, drag to pan: the zoomed window is read again in finer candles. Times on the axis are New York; the legend shows UTC too.');
root.replaceChildren(el('div', { class: 'panel' }, form, studies, status), el('div', { class: 'panel' }, legend, chartBox, key));

if (!LC) {
  status.replaceChildren(notice('The chart library did not load (/app/assets/vendor/lightweight-charts.standalone.production.js); reload the page.', 'error'));
  throw new Error('lightweight-charts missing');
}

let chart = null;
let drawn = null; // the model drawn: { times, bars, frames, iso, group, total, trades, orders }
let layers = null; // the drawn series, refilled when a zoom brings finer candles
let loadId = 0;
let shownQuery = null; // symbol and interval of the model drawn
let detailId = 0;
let detailTimer = null;
let applying = false; // the page itself is moving the visible range: not a zoom
let lastDetail = '';
let sessionTimer = null; // re-reads a running session's orders and trades

const listed = Promise.all([loadBacktests(), loadSessions()]);
// One source of trades at a time: picking a backtest clears the session and the other way round.
backtest.addEventListener('change', () => { params.delete('run'); if (backtest.value) session.value = ''; });
session.addEventListener('change', () => { params.delete('run'); if (session.value) { backtest.value = ''; followSession(); } });
form.addEventListener('submit', (e) => { e.preventDefault(); load(); });
for (const box of [showBand, showRegime, ...overlayBoxes, ...paneBoxes]) {
  box.addEventListener('change', () => { remember(); if (drawn) redraw(); });
}
document.addEventListener('themechange', () => drawn && redraw());
if (params.get('backtest') || params.get('session') || params.get('run')) listed.then(load); else load(); // a linked run's trades are drawn with the first load

/** The studies chosen, kept in the address so that a link shows the same chart. */
function remember() {
  const url = new URLSearchParams(location.search);
  const set = (name, boxes) => { const v = boxes.filter((b) => b.checked).map((b) => b.value).join(','); if (v) url.set(name, v); else url.delete(name); };
  set('overlays', overlayBoxes);
  set('panes', paneBoxes);
  history.replaceState(null, '', `?${url}`);
}

async function loadBacktests() {
  try {
    const page = await api('/api/backtests?state=succeeded&limit=100');
    for (const job of page.jobs) {
      const s = job.spec || {};
      const what = [s.symbol || (s.symbols || []).join(','), s.strategy, s.interval, s.start && `${s.start}…${s.end || ''}`].filter(Boolean).join(' ');
      backtest.append(el('option', { value: job.id }, `${what} (${job.id.slice(-8)})`));
    }
  } catch (e) {
    backtest.append(el('option', { value: '', disabled: true }, `could not list backtests: ${describe(e)}`));
  }
  const wanted = params.get('backtest');
  if (wanted) {
    if (![...backtest.options].some((o) => o.value === wanted)) backtest.append(el('option', { value: wanted }, wanted));
    backtest.value = wanted;
  }
}

async function loadSessions() {
  try {
    const page = await api('/api/sessions?limit=50');
    for (const job of page.jobs) {
      const s = job.spec || {};
      const what = [(s.symbols || []).join(','), s.strategy, s.interval, s.from && `${s.from}…${s.to || ''}`].filter(Boolean).join(' ');
      session.append(el('option', { value: job.id, 'data-spec': JSON.stringify(s), 'data-state': job.state }, `${what} ${job.state} (${job.id.slice(-8)})`));
    }
  } catch (e) {
    session.append(el('option', { value: '', disabled: true }, `could not list sessions: ${describe(e)}`));
  }
  const wanted = params.get('session');
  if (wanted) {
    if (![...session.options].some((o) => o.value === wanted)) session.append(el('option', { value: wanted }, wanted));
    session.value = wanted;
    if (!params.get('symbol')) followSession(); // a link from the trading page names the session only
  }
}

/** A session picked from the list: the chart moves to its first symbol, its interval and its replay dates. */
function followSession() {
  const spec = JSON.parse(session.selectedOptions[0]?.dataset.spec || '{}');
  if (spec.symbols?.length) symbol.value = spec.symbols[0];
  if (INTERVALS.includes(spec.interval)) interval.value = spec.interval;
  if (spec.from) start.value = spec.from;
  if (spec.to) end.value = spec.to;
}

/** The trades and orders of the symbol from the chosen backtest's files, or from a session's journal (the run of the
 * session picked, or the run named by ?run= for one started from the command line), and a note when there are none.
 * `running`: a session still trading, whose files are read again while it runs. */
async function tradeFiles(sym) {
  const none = { trades: [], orders: [], note: '', running: false };
  let base, what, running = false;
  if (backtest.value) {
    base = `/api/backtests/${encodeURIComponent(backtest.value)}/files/`;
    what = `Backtest ${backtest.value}`;
  } else if (session.value || params.get('run')) {
    let run = params.get('run');
    what = `Run ${run}`;
    if (session.value) {
      what = `Session ${session.value}`;
      try {
        const book = await api(`/api/sessions/${encodeURIComponent(session.value)}/book`);
        run = book.run_id;
        running = book.state === 'running' || book.state === 'queued';
      } catch (e) {
        return { ...none, note: e.status === 409 ? `${what} has not started trading yet` : `Trades of ${what}: ${describe(e)}` };
      }
    }
    base = `/api/runs/${encodeURIComponent(run)}/`;
  } else {
    return none;
  }
  const only = `?symbol=${encodeURIComponent(sym)}`;
  const file = async (name) => parseCsv(await api(`${base}${name}${backtest.value ? '' : only}`, { text: true }))
    .filter((t) => (t.symbol || '').toUpperCase() === sym);
  try {
    const [trades, orders] = await Promise.all([file('trades.csv'), file('orders.csv').catch(() => [])]);
    return { trades, orders, running, note: trades.length || orders.length ? '' : `${what} has no ${sym} trades${running ? ' yet' : ''}.` };
  } catch (e) {
    return { ...none, note: `Trades of ${what}: ${describe(e)}` };
  }
}

/** While the session drawn is still running, reads its orders and trades again and redraws when they changed. */
function watchSession(id, sym, extras) {
  clearTimeout(sessionTimer);
  if (!extras.running) return;
  let seen = JSON.stringify([extras.trades, extras.orders]);
  const again = async () => {
    if (id !== loadId) return;
    const now = await tradeFiles(sym);
    if (id !== loadId || !drawn) return;
    const text = JSON.stringify([now.trades, now.orders]);
    if (text !== seen) {
      seen = text;
      drawn.trades = now.trades;
      drawn.orders = now.orders;
      redraw();
    }
    if (now.running) sessionTimer = setTimeout(again, SESSION_REFRESH_MS);
  };
  sessionTimer = setTimeout(again, SESSION_REFRESH_MS);
}

async function load() {
  const id = ++loadId;
  const query = { symbol: symbol.value.trim().toUpperCase(), interval: interval.value };
  if (!query.symbol) { status.replaceChildren(notice('Type a symbol, e.g. SPY.', 'warn')); return; }
  if (start.value) query.start = start.value;
  if (end.value) query.end = end.value;
  if (start.value && end.value && start.value > end.value) { status.replaceChildren(notice('The start is after the end; swap them.', 'warn')); return; }
  const url = new URLSearchParams(query);
  if (backtest.value) url.set('backtest', backtest.value);
  else if (session.value) url.set('session', session.value);
  else if (params.get('run')) url.set('run', params.get('run'));
  history.replaceState(null, '', `?${url}`);
  remember();
  go.disabled = true;
  chartBox.dataset.state = 'loading'; // drawn, empty or error once this load ends (tests wait for it)
  status.replaceChildren(notice(`Loading ${query.symbol} ${query.interval}…`));
  try {
    // Candles first (bars only: quick even over a million bars), then the signal frames of the same candles (the
    // pipeline runs from the file's first bar, which takes longer on a long file): the chart shows while they come.
    const window = new URLSearchParams({ ...query, points: String(POINTS) });
    const signals = api(`/api/chart?${window}`).catch((e) => ({ error: e }));
    const [view, extras] = await Promise.all([api(`/api/chart?${window}&signals=false`), tradeFiles(query.symbol)]);
    if (id !== loadId) return;
    const model = candles(view.bars, [], { daily: interval.value === '1Day' });
    Object.assign(model, { total: view.total, trades: extras.trades, orders: extras.orders });
    shownQuery = query;
    lastDetail = '';
    drawn = model;
    draw(model);
    chart.timeScale().fitContent();
    watchSession(id, query.symbol, extras);
    const notes = [`${view.total.toLocaleString('en-US')} bars` + (view.group > 1 ? `, drawn as ${model.times.length.toLocaleString('en-US')} candles of up to ${view.group} bars each (zoom in: the window you look at is read again in finer candles)` : '')];
    if (extras.note) notes.push(extras.note);
    if (model.tradesOutside) notes.push(`${model.tradesOutside} trade marker(s) fall outside the range shown`);
    const say = (more, kind) => status.replaceChildren(notice([...notes, ...more].join('; ') + '.', kind || (extras.note ? 'warn' : '')));
    say(['reading the signals…']);
    const withFrames = await signals;
    if (id !== loadId) return;
    if (withFrames.error || withFrames.bars?.length !== model.bars.length) {
      say([`signals unavailable (${withFrames.error ? describe(withFrames.error) : 'the data changed; press Show again'}): no Kalman line, regimes or studies`], 'warn');
    } else {
      candles(withFrames.bars, withFrames.frames || [], { daily: model.daily }).frames.forEach((f, i) => { model.frames[i] = f; });
      redraw();
      say([]);
      clearTimeout(detailTimer);
      detailTimer = setTimeout(refine, 250); // a zoom made while the frames came in
    }
    chartBox.dataset.state = 'drawn';
  } catch (e) {
    if (id !== loadId) return;
    clearChart();
    if (e.status === 400 && /no .* bars/.test(describe(e))) {
      status.replaceChildren(notice(`No ${query.interval} bars for ${query.symbol} in this range. Widen the dates, or pick another interval (the bundled minute bars cover only a few sessions, e.g. 2013-10-07…2013-10-11).`, 'warn'));
      chartBox.dataset.state = 'empty';
    } else {
      status.replaceChildren(notice(describe(e), 'error'));
      chartBox.dataset.state = 'error';
    }
  } finally {
    if (id === loadId) go.disabled = false;
  }
}

function clearChart() {
  chart?.remove();
  chart = null;
  drawn = null;
  layers = null;
  legend.replaceChildren(el('span', { class: 'muted' }, 'Nothing to show.'));
}

function rgba([r, g, b, a]) { return `rgba(${r},${g},${b},${a})`; }

/** Redraws with the chosen studies, keeping the time range in view. */
function redraw() {
  const range = chart?.timeScale().getVisibleRange();
  draw(drawn);
  if (range) { applying = true; chart.timeScale().setVisibleRange(range); requestAnimationFrame(() => { applying = false; }); }
}

/** Creates the chart and its series for the chosen studies, then fills them from the model. */
function draw(model) {
  chart?.remove();
  const p = palette();
  const panes = PANES.filter((_, i) => paneBoxes[i].checked);
  chartBox.style.height = panes.length ? `calc(62vh + ${panes.length * 110}px)` : '';
  chart = createPriceChart(chartBox, p, { daily: model.daily, fontFamily: getComputedStyle(document.body).fontFamily });
  const line = (color, style, width, pane = 0, extra = {}) =>
    chart.addSeries(LC.LineSeries, { color, lineStyle: style, lineWidth: width, crosshairMarkerVisible: false, ...QUIET, ...extra }, pane);
  const hasFrames = model.frames.some(Boolean);
  layers = { priceLines: [], overlays: [], panes: [] };
  if (showRegime.checked && hasFrames) {
    layers.regime = chart.addSeries(LC.HistogramSeries, { priceScaleId: 'regime', base: 0, ...QUIET });
    chart.priceScale('regime').applyOptions({ visible: false, scaleMargins: { top: 0, bottom: 0 } });
  }
  if (!model.daily) {
    layers.sessions = chart.addSeries(LC.HistogramSeries, { priceScaleId: 'sessions', base: 0, ...QUIET });
    chart.priceScale('sessions').applyOptions({ visible: false, scaleMargins: { top: 0, bottom: 0 } });
  }
  Object.assign(layers, addCandles(chart, p));
  if (hasFrames) {
    layers.kalman = line(p.accent, LC.LineStyle.Solid, 2);
    if (showBand.checked) layers.band = [line(p.accent, LC.LineStyle.Dashed, 1), line(p.accent, LC.LineStyle.Dashed, 1)];
    OVERLAYS.forEach((o, i) => {
      if (overlayBoxes[i].checked) layers.overlays.push({ o, series: o.lines.map(([column, color]) => [column, line(color, LC.LineStyle.Solid, 1)]) });
    });
    panes.forEach((o, k) => {
      const s = line(o.color, LC.LineStyle.Solid, 2, k + 1, { lastValueVisible: true, title: o.title, priceFormat: { type: 'custom', formatter: o.format, minMove: 0.001 } });
      for (const level of o.levels) s.createPriceLine({ price: level, color: p.muted, lineStyle: LC.LineStyle.Dotted, lineWidth: 1, axisLabelVisible: false });
      layers.panes.push({ o, series: s });
    });
    chart.panes().slice(1).forEach((pane) => pane.setHeight(100));
  }
  addTrades(chart, layers, p, model);
  fill(model);

  chart.subscribeCrosshairMove((param) => show(param.time === undefined ? drawn.times.length - 1 : layers.index.get(param.time)));
  chart.timeScale().subscribeVisibleLogicalRangeChange(() => {
    if (applying) return;
    clearTimeout(detailTimer);
    detailTimer = setTimeout(refine, 250);
  });
}

/** Sets every series' data from the model (a new load, or finer candles spliced in after a zoom). */
function fill(model) {
  const p = palette();
  const { times, bars, frames } = model;
  const at = (value) => (time, i) => { const v = value(i); return v == null || !Number.isFinite(Number(v)) ? { time } : { time, value: Number(v) }; };
  layers.regime?.setData(times.map((time, i) => { const c = REGIME_COLORS[frames[i]?.regime]; return c ? { time, value: 1, color: rgba(c) } : { time }; }));
  const starts = model.daily ? [] : sessionStarts(model);
  layers.sessions?.setData(starts.map((i) => ({ time: times[i], value: 1, color: p.dark ? 'rgba(151,163,177,0.35)' : 'rgba(91,103,118,0.28)' })));
  setCandles(layers, model);
  layers.kalman?.setData(times.map(at((i) => frames[i]?.filtered_price)));
  if (layers.band) {
    const sigma = (f) => 2 * Math.sqrt(Math.max(0, Number(f.price_variance) || 0));
    layers.band[0].setData(times.map(at((i) => frames[i] && frames[i].filtered_price + sigma(frames[i]))));
    layers.band[1].setData(times.map(at((i) => frames[i] && frames[i].filtered_price - sigma(frames[i]))));
  }
  for (const { series } of layers.overlays) for (const [column, s] of series) s.setData(times.map(at((i) => frames[i]?.[column])));
  for (const { o, series } of layers.panes) series.setData(times.map(at((i) => frames[i]?.[o.column])));

  // Price lines: the range's high and low, and the level of a stop still working at the end of the run.
  for (const line of layers.priceLines) layers.candles.removePriceLine(line);
  const priceLine = (price, title, color, style) => layers.priceLines.push(layers.candles.createPriceLine({ price, color, lineStyle: style, lineWidth: 1, axisLabelVisible: true, title }));
  priceLine(Math.max(...bars.map((b) => b.h)), 'range high', p.muted, LC.LineStyle.Dotted);
  priceLine(Math.min(...bars.map((b) => b.l)), 'range low', p.muted, LC.LineStyle.Dotted);
  const { stops, markers, outside } = setTrades(layers, model, p);
  model.tradesOutside = outside;
  for (const s of stops) if (s.open) priceLine(s.last, 'stop', p.warn, LC.LineStyle.Dashed);
  layers.index = new Map(times.map((t, i) => [t, i]));

  // What is drawn, for tests and for a reader of the page's markup.
  Object.assign(chartBox.dataset, {
    candles: String(times.length), group: String(model.group), panes: String(chart.panes().length), sessions: String(starts.length),
    overlays: layers.overlays.map(({ o }) => o.id).join(','), stops: String(stops.length), markers: String(markers.length),
    stopMoves: String(stops.reduce((sum, st) => sum + st.moves.length, 0)),
  });
  show(times.length - 1);
}

/** The legend: the candle under the crosshair with its signals and the chosen studies. */
function show(i) {
  const model = drawn;
  if (i === undefined || !model) return;
  const b = model.bars[i];
  const f = model.frames[i];
  const prev = i > 0 ? model.bars[i - 1].c : null;
  const [first, last] = model.iso[i];
  const when = el('span', { title: `${first}${first !== last ? ' … ' + last : ''} (UTC)` }, model.daily && b.n === 1 ? fmtTimeText(first).slice(0, 10) : fmtTimeText(first));
  const change = prev ? (b.c - prev) / prev : null;
  const value = (label, v, format = fmtNum) => (v == null || !Number.isFinite(Number(v)) ? null : el('span', {}, `${label} ${format(Number(v))}`));
  legend.replaceChildren(...[when,
    el('span', {}, `O ${fmtNum(b.o)}`), el('span', {}, `H ${fmtNum(b.h)}`), el('span', {}, `L ${fmtNum(b.l)}`), el('span', {}, `C ${fmtNum(b.c)}`),
    el('span', { class: change > 0 ? 'pos' : change < 0 ? 'neg' : '' }, fmtPct(change)), el('span', {}, `Vol ${Math.round(b.v).toLocaleString('en-US')}`),
    b.n > 1 ? el('span', { class: 'muted' }, `${b.n} bars`) : null,
    f && f.filtered_price != null ? el('span', {}, `Kalman ${fmtNum(f.filtered_price)} ± ${fmtNum(2 * Math.sqrt(Math.max(0, f.price_variance || 0)))}`) : null,
    f && f.prob_up != null ? el('span', {}, `P(up) ${fmtPct(f.prob_up, { sign: false })}`) : null,
    f && f.regime ? el('span', {}, `regime ${f.regime}`) : null,
    ...(f ? layers.overlays.flatMap(({ o }) => o.lines.map(([column, , label]) => value(label, f[column]))) : []),
    ...(f ? layers.panes.filter(({ o }) => o.id !== 'prob_up').map(({ o }) => value(o.label, f[o.column], o.format)) : [])].filter(Boolean));
}

/** After a zoom or pan settles: when the candles in view merge several bars each, reads the visible window again in
 * finer candles and splices them in (the rest of the range stays as it was, so panning out shows it at once). */
async function refine() {
  const model = drawn;
  const range = chart?.timeScale().getVisibleLogicalRange();
  if (!model || !range || chartBox.dataset.state !== 'drawn') return; // the load's signal frames are still coming
  const a = Math.max(0, Math.floor(range.from));
  const b = Math.min(model.times.length - 1, Math.ceil(range.to));
  if (b <= a || b - a + 1 >= POINTS * 0.9) return; // zoomed out as far as the candles go: nothing finer to read
  let coarse = false;
  for (let i = a; i <= b && !coarse; i++) coarse = model.bars[i].n > 1;
  const window = `${model.iso[a][0]}|${model.iso[b][1]}`;
  if (!coarse || window === lastDetail) return;
  lastDetail = window;
  const id = ++detailId;
  chartBox.dataset.refining = 'true';
  try {
    const q = new URLSearchParams({ symbol: shownQuery.symbol, interval: shownQuery.interval, from: model.iso[a][0], to: model.iso[b][1], points: String(POINTS) });
    const view = await api(`/api/chart?${q}`);
    if (id !== detailId || model !== drawn) return;
    const detail = candles(view.bars, view.frames || [], { daily: model.daily });
    const merged = Object.assign(splice(model, detail), { total: model.total, trades: model.trades, orders: model.orders });
    drawn = merged;
    applying = true;
    fill(merged);
    chart.timeScale().setVisibleRange({ from: detail.times[0], to: detail.times[detail.times.length - 1] });
    requestAnimationFrame(() => { applying = false; });
    chartBox.dataset.detail = String(Number(chartBox.dataset.detail || 0) + 1);
    chartBox.dataset.visibleGroup = String(view.group);
  } catch (e) {
    status.replaceChildren(notice(`Could not read the zoomed window in finer candles: ${describe(e)}`, 'warn'));
  } finally {
    if (id === detailId) delete chartBox.dataset.refining;
  }
}
