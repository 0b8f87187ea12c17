// Chart: bars and signals of a symbol over a date range (paged from /api/bars and /api/signals), drawn with
// lightweight-charts: candles, volume, the Kalman filtered price with its ±2σ band, regime shading, and a backtest's
// trade entries and exits as markers. Axis times are New York wall clock; the legend gives UTC on hover.
import { api, el, header, notice, describe, fmtNum, fmtPct, fmtQty, fmtTimeText, palette, parseCsv } from './app.js';
import { candles, snap } from './chartdata.js';

const LC = globalThis.LightweightCharts;
const INTERVALS = ['1Min', '5Min', '15Min', '30Min', '1Hour', '1Day'];
const PAGE = 5000; // bars per request (the API allows 10,000)
const MAX_FETCH = 30000; // bars read at most per load: a larger range is cut here and says so
const MAX_DRAW = 6000; // candles drawn at most: more are merged into wider candles (OHLC of the group)
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
const showBand = el('input', { type: 'checkbox', id: 'band', checked: true });
const showRegime = el('input', { type: 'checkbox', id: 'regime', checked: true });
const go = el('button', { type: 'submit', class: 'primary' }, 'Show');
const form = el('form', { class: 'controls', 'aria-label': 'Chart range' },
  el('label', {}, 'Symbol', symbol), el('label', {}, 'Interval', interval),
  el('label', {}, 'Start (New York date)', start), el('label', {}, 'End', end),
  el('label', {}, 'Trades of backtest', backtest),
  el('label', { class: 'check' }, showBand, ' Kalman ±2σ band'), el('label', { class: 'check' }, showRegime, ' Regime shading'), go);
const status = el('div', { 'aria-live': 'polite' });
const legend = el('div', { id: 'legend', 'aria-live': 'off' }, el('span', { class: 'muted' }, 'Move over the chart for values.'));
const chartBox = el('div', { id: 'chart', role: 'img', 'aria-label': 'Price chart' });
const key = el('p', { class: 'muted' }, 'Candles and volume; line: Kalman filtered price, dashed: ±2σ; shading: regime (green trending up, red trending down, orange volatile, blue calm); ',
  '▲/▼ trade entries, ● exits (label: P&L). Times on the axis are New York; the legend shows UTC too.');
root.replaceChildren(el('div', { class: 'panel' }, form, status), el('div', { class: 'panel' }, legend, chartBox, key));

if (!LC) {
  status.replaceChildren(notice('The chart library did not load (/app/assets/vendor/lightweight-charts.standalone.production.js); reload the page.', 'error'));
  throw new Error('lightweight-charts missing');
}

let chart = null;
let drawn = null; // { times, bars, frames, iso }
let loadId = 0;

loadBacktests();
form.addEventListener('submit', (e) => { e.preventDefault(); load(); });
showBand.addEventListener('change', () => drawn && draw(drawn));
showRegime.addEventListener('change', () => drawn && draw(drawn));
document.addEventListener('themechange', () => drawn && draw(drawn));
load();

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
    if (drawn) load();
  }
}

/** Reads every page of the range (up to MAX_FETCH bars) from one endpoint. */
async function readAll(path, field, query, signalNote) {
  const out = [];
  let after = null;
  do {
    const q = new URLSearchParams(query);
    q.set('limit', String(PAGE));
    if (after) q.set('after', after);
    const page = await api(`${path}?${q}`);
    out.push(...page[field]);
    after = page.next_after;
    signalNote(out.length);
  } while (after && out.length < MAX_FETCH);
  return { rows: out.slice(0, MAX_FETCH), cut: Boolean(after) || out.length > MAX_FETCH };
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
  history.replaceState(null, '', `?${url}`);
  go.disabled = true;
  chartBox.dataset.state = 'loading'; // drawn, empty or error once this load ends (tests wait for it)
  status.replaceChildren(notice(`Loading ${query.symbol} ${query.interval}…`));
  try {
    const progress = (n) => { if (id === loadId) status.replaceChildren(notice(`Loading ${query.symbol} ${query.interval}: ${n.toLocaleString('en-US')} bars…`)); };
    const [bars, signals] = await Promise.all([
      readAll('/api/bars', 'bars', query, progress),
      readAll('/api/signals', 'frames', query, () => {}).catch((e) => ({ rows: [], error: e })),
    ]);
    if (id !== loadId) return;
    if (bars.rows.length === 0) {
      status.replaceChildren(notice(`No ${query.interval} bars for ${query.symbol} in this range. Widen the dates, or pick another interval (the bundled minute bars cover only a few sessions, e.g. 2013-10-07…2013-10-11).`, 'warn'));
      clearChart();
      chartBox.dataset.state = 'empty';
      return;
    }
    let trades = [];
    let tradeNote = '';
    if (backtest.value) {
      try {
        trades = parseCsv(await api(`/api/backtests/${encodeURIComponent(backtest.value)}/files/trades.csv`, { text: true }))
          .filter((t) => (t.symbol || '').toUpperCase() === query.symbol);
        tradeNote = trades.length ? '' : `Backtest ${backtest.value} has no ${query.symbol} trades.`;
      } catch (e) {
        tradeNote = `Trades of ${backtest.value}: ${describe(e)}`;
      }
    }
    const model = candles(bars.rows, signals.rows, { maxDraw: MAX_DRAW, daily: interval.value === '1Day' });
    model.trades = trades;
    drawn = model;
    draw(model);
    const notes = [];
    notes.push(`${bars.rows.length.toLocaleString('en-US')} bars` + (model.group > 1 ? `, drawn as ${model.times.length.toLocaleString('en-US')} candles of ${model.group} bars each (zoom in with a narrower range for single bars)` : ''));
    if (bars.cut) notes.push(`the range holds more than ${MAX_FETCH.toLocaleString('en-US')} bars: showing the first ${MAX_FETCH.toLocaleString('en-US')}; narrow the dates to see the rest`);
    if (signals.error) notes.push(`signals unavailable (${describe(signals.error)}): no Kalman line or regimes`);
    if (tradeNote) notes.push(tradeNote);
    if (model.tradesOutside) notes.push(`${model.tradesOutside} trade marker(s) fall outside the range shown`);
    status.replaceChildren(notice(notes.join('; ') + '.', bars.cut || signals.error || tradeNote ? 'warn' : ''));
    chartBox.dataset.state = 'drawn';
  } catch (e) {
    if (id !== loadId) return;
    status.replaceChildren(notice(describe(e), 'error'));
    clearChart();
    chartBox.dataset.state = 'error';
  } finally {
    if (id === loadId) go.disabled = false;
  }
}

function clearChart() {
  chart?.remove();
  chart = null;
  drawn = null;
  legend.replaceChildren(el('span', { class: 'muted' }, 'Nothing to show.'));
}

function rgba([r, g, b, a]) { return `rgba(${r},${g},${b},${a})`; }

function draw(model) {
  chart?.remove();
  const p = palette();
  chart = LC.createChart(chartBox, {
    autoSize: true,
    layout: { background: { type: 'solid', color: p.bg }, textColor: p.text, fontFamily: getComputedStyle(document.body).fontFamily },
    grid: { vertLines: { color: p.border }, horzLines: { color: p.border } },
    rightPriceScale: { borderColor: p.border, scaleMargins: { top: 0.06, bottom: 0.22 } },
    timeScale: { borderColor: p.border, timeVisible: !model.daily, secondsVisible: false },
    crosshair: { mode: LC.CrosshairMode.Normal },
  });
  const n = model.times.length;
  if (showRegime.checked && model.frames.some((f) => f && REGIME_COLORS[f.regime])) {
    const regime = chart.addSeries(LC.HistogramSeries, { priceScaleId: 'regime', lastValueVisible: false, priceLineVisible: false, base: 0 });
    chart.priceScale('regime').applyOptions({ visible: false, scaleMargins: { top: 0, bottom: 0 } });
    regime.setData(model.times.map((time, i) => {
      const c = REGIME_COLORS[model.frames[i]?.regime];
      return c ? { time, value: 1, color: rgba(c) } : { time };
    }));
  }
  const volume = chart.addSeries(LC.HistogramSeries, { priceScaleId: 'volume', priceFormat: { type: 'volume' }, lastValueVisible: false, priceLineVisible: false });
  chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 }, visible: false });
  volume.setData(model.times.map((time, i) => ({ time, value: model.bars[i].v, color: model.bars[i].c >= model.bars[i].o ? 'rgba(38,194,129,0.35)' : 'rgba(255,92,108,0.35)' })));
  const candleSeries = chart.addSeries(LC.CandlestickSeries, { upColor: p.up, downColor: p.down, borderUpColor: p.up, borderDownColor: p.down, wickUpColor: p.up, wickDownColor: p.down });
  candleSeries.setData(model.times.map((time, i) => ({ time, open: model.bars[i].o, high: model.bars[i].h, low: model.bars[i].l, close: model.bars[i].c })));
  // Price lines: the range's high and low.
  const hi = Math.max(...model.bars.map((b) => b.h));
  const lo = Math.min(...model.bars.map((b) => b.l));
  candleSeries.createPriceLine({ price: hi, color: p.muted, lineStyle: LC.LineStyle.Dotted, lineWidth: 1, axisLabelVisible: true, title: 'range high' });
  candleSeries.createPriceLine({ price: lo, color: p.muted, lineStyle: LC.LineStyle.Dotted, lineWidth: 1, axisLabelVisible: true, title: 'range low' });

  const hasKalman = model.frames.some((f) => f && f.filtered_price != null);
  if (hasKalman) {
    const line = (color, style, width) => chart.addSeries(LC.LineSeries, { color, lineStyle: style, lineWidth: width, lastValueVisible: false, priceLineVisible: false, crosshairMarkerVisible: false });
    const kalman = line(p.accent, LC.LineStyle.Solid, 2);
    kalman.setData(model.times.map((time, i) => (model.frames[i]?.filtered_price != null ? { time, value: model.frames[i].filtered_price } : { time })));
    if (showBand.checked) {
      const sigma = (f) => Math.sqrt(Math.max(0, Number(f.price_variance) || 0));
      const upper = line(p.accent, LC.LineStyle.Dashed, 1);
      const lower = line(p.accent, LC.LineStyle.Dashed, 1);
      upper.setData(model.times.map((time, i) => { const f = model.frames[i]; return f?.filtered_price != null ? { time, value: f.filtered_price + 2 * sigma(f) } : { time }; }));
      lower.setData(model.times.map((time, i) => { const f = model.frames[i]; return f?.filtered_price != null ? { time, value: f.filtered_price - 2 * sigma(f) } : { time }; }));
    }
  }

  // Trade markers: entries as arrows, exits as dots labelled with the trade's P&L.
  const markers = [];
  model.tradesOutside = 0;
  for (const t of model.trades || []) {
    const long = (t.side || '').toLowerCase() !== 'short';
    const entry = t.entry_time && snap(model, t.entry_time);
    const exit = t.exit_time && snap(model, t.exit_time);
    if (entry) markers.push({ time: entry, position: long ? 'belowBar' : 'aboveBar', shape: long ? 'arrowUp' : 'arrowDown', color: long ? p.up : p.down, text: `${long ? 'buy' : 'short'} ${fmtQty(t.quantity)}` });
    else model.tradesOutside++;
    if (exit) {
      const pnl = Number(t.pnl);
      markers.push({ time: exit, position: long ? 'aboveBar' : 'belowBar', shape: 'circle', color: pnl >= 0 ? p.up : p.down, text: `${pnl >= 0 ? '+' : ''}${pnl.toFixed(0)} (${t.exit_reason || 'exit'})` });
    } else if (t.exit_time) model.tradesOutside++;
  }
  markers.sort((a, b) => a.time - b.time);
  if (markers.length) LC.createSeriesMarkers(candleSeries, markers);

  const index = new Map(model.times.map((t, i) => [t, i]));
  const show = (i) => {
    if (i === undefined) return;
    const b = model.bars[i];
    const f = model.frames[i];
    const prev = i > 0 ? model.bars[i - 1].c : null;
    const [first, last] = model.iso[i];
    const when = el('span', { title: `${first}${first !== last ? ' … ' + last : ''} (UTC)` }, model.daily && model.group === 1 ? fmtTimeText(first).slice(0, 10) : fmtTimeText(first));
    const change = prev ? (b.c - prev) / prev : null;
    legend.replaceChildren(when,
      el('span', {}, `O ${fmtNum(b.o)}`), el('span', {}, `H ${fmtNum(b.h)}`), el('span', {}, `L ${fmtNum(b.l)}`), el('span', {}, `C ${fmtNum(b.c)}`),
      el('span', { class: change > 0 ? 'pos' : change < 0 ? 'neg' : '' }, fmtPct(change)), el('span', {}, `Vol ${Math.round(b.v).toLocaleString('en-US')}`),
      f && f.filtered_price != null ? el('span', {}, `Kalman ${fmtNum(f.filtered_price)} ± ${fmtNum(2 * Math.sqrt(Math.max(0, f.price_variance || 0)))}`) : null,
      f && f.prob_up != null ? el('span', {}, `P(up) ${fmtPct(f.prob_up, { sign: false })}`) : null,
      f && f.regime ? el('span', {}, `regime ${f.regime}`) : null);
  };
  chart.subscribeCrosshairMove((param) => show(param.time === undefined ? n - 1 : index.get(param.time)));
  show(n - 1);
  chart.timeScale().fitContent();
}
