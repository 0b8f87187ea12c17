// A run's performance as the result pages show it: the summary metrics (and which of several runs did best), the
// monthly returns table, and equity curves drawn with lightweight-charts in the theme's colours.
import { el, notice, fmtMoney, fmtPct, fmtNum, palette, nyFields } from './app.js';

const LC = globalThis.LightweightCharts;

/** Summary keys with their titles, formats and which way is better (1 higher, -1 lower, 0 neither). */
export const METRICS = [
  ['initial_capital', 'Initial capital', (v) => fmtMoney(v), 0], ['final_equity', 'Final equity', (v) => fmtMoney(v), 1],
  ['net_profit', 'Net profit', (v) => fmtMoney(v, { sign: true }), 1, 'signed'], ['total_return', 'Total return', (v) => fmtPct(v), 1, 'signed'],
  ['cagr', 'CAGR', (v) => fmtPct(v), 1, 'signed'], ['annualized_volatility', 'Volatility (annual)', (v) => fmtPct(v, { sign: false }), -1],
  ['sharpe', 'Sharpe', fmtNum, 1], ['sortino', 'Sortino', fmtNum, 1], ['max_drawdown', 'Max drawdown', (v) => fmtPct(-Math.abs(v)), -1, 'loss'],
  ['max_drawdown_duration_days', 'Max drawdown duration (days)', fmtNum, -1], ['calmar', 'Calmar', fmtNum, 1], ['trades', 'Trades', fmtNum, 0],
  ['wins', 'Wins', fmtNum, 0], ['losses', 'Losses', fmtNum, 0], ['win_rate', 'Win rate', (v) => fmtPct(v, { sign: false }), 1],
  ['profit_factor', 'Profit factor', fmtNum, 1], ['average_trade', 'Average trade', (v) => fmtMoney(v, { sign: true }), 1, 'signed'],
  ['exposure', 'Exposure', (v) => fmtPct(v, { sign: false }), 0], ['total_fees', 'Fees', (v) => fmtMoney(v), -1], ['risk_free_rate', 'Risk-free rate', (v) => fmtPct(v, { sign: false }), 0],
];

/** The colour class of a metric's value: gains green, losses red, drawdown always a loss. */
export function metricClass(kind, value) {
  const v = Number(value);
  if (kind === 'loss') return v ? 'neg' : '';
  if (kind === 'signed') return v > 0 ? 'pos' : v < 0 ? 'neg' : '';
  return '';
}

/** One run's summary metrics as a two-column table. */
export function metricsTable(summary) {
  const rows = METRICS.filter(([k]) => summary[k] !== undefined && summary[k] !== null).map(([k, title, f, , kind]) =>
    el('tr', {}, el('th', { scope: 'row' }, title), el('td', { class: `num ${metricClass(kind, summary[k])}`.trim() }, f(summary[k]))));
  return el('table', {}, el('tbody', {}, rows));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The monthly returns table (years down, months across, then the year), each cell tinted by its size. */
export function monthlyTable(data, { caption } = {}) {
  const years = data.years || [];
  if (years.length === 0) return el('p', { class: 'empty' }, 'No complete session in this run, so no monthly returns.');
  const all = years.flatMap((y) => y.months.filter((m) => m !== null).map(Math.abs));
  const scale = Math.max(...all, 1e-9);
  const cell = (v, strong) => {
    if (v === null || v === undefined) return el('td', { class: 'num muted' }, '—');
    const share = Math.min(1, Math.abs(v) / scale);
    const colour = v >= 0 ? 'var(--up)' : 'var(--down)';
    return el('td', { class: `num heat ${v > 0 ? 'pos' : v < 0 ? 'neg' : ''}`, style: `--tint: color-mix(in srgb, ${colour} ${Math.round(6 + share * 30)}%, transparent)` },
      strong ? el('strong', {}, fmtPct(v)) : fmtPct(v));
  };
  return el('div', { class: 'table-wrap free', tabindex: '0' }, el('table', { class: 'monthly' },
    el('caption', { class: 'muted' }, caption || 'New York months: each month compounds its sessions\u2019 returns; the year compounds its months.'),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Year'), MONTHS.map((m) => el('th', { scope: 'col', class: 'num' }, m)), el('th', { scope: 'col', class: 'num' }, 'Year'))),
    el('tbody', {}, years.map((y) => el('tr', {}, el('th', { scope: 'row' }, String(y.year)), y.months.map((m) => cell(m)), cell(y.year_return, true))))));
}

/** The New York wall clock of a UTC instant as a chart time (the chart's axis shows it as is). */
export function chartTime(iso) {
  const f = nyFields(new Date(iso));
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute) / 1000;
}

/** At most max points (and the one kept) of a {timestamp, …} series: every k-th row, the last and `keep` always kept,
 * times strictly rising. */
function points(rows, value, max = 3000, keep = -1) {
  const step = Math.max(1, Math.ceil(rows.length / max));
  const out = [];
  let last = -Infinity;
  rows.forEach((r, i) => {
    if (i % step !== 0 && i !== rows.length - 1 && i !== keep) return;
    const time = chartTime(r.timestamp);
    if (time > last) { out.push({ time, value: value(r) }); last = time; }
  });
  return out;
}

function chartOptions(p, formatter) {
  return { autoSize: true, localization: { priceFormatter: formatter }, layout: { background: { type: 'solid', color: p.bg }, textColor: p.text },
    grid: { vertLines: { color: p.border }, horzLines: { color: p.border } }, rightPriceScale: { borderColor: p.border },
    // A long curve must fit the panel: let points get closer than the library's default half pixel.
    timeScale: { borderColor: p.border, minBarSpacing: 0.001 } };
}

/** One equity curve against its initial capital (green above, red below), redrawn when the theme changes. */
export function drawEquity(box, rows, initial) {
  if (!LC) { box.replaceChildren(notice('The chart library did not load; reload the page.', 'error')); return; }
  if (rows.length === 0) { box.replaceChildren(el('p', { class: 'empty' }, 'The equity curve is empty.')); return; }
  const data = points(rows, (r) => Number(r.equity));
  let chart;
  const draw = () => {
    chart?.remove();
    const p = palette();
    chart = LC.createChart(box, chartOptions(p, (v) => fmtMoney(v)));
    const base = Number.isFinite(initial) ? initial : data[0].value;
    const series = chart.addSeries(LC.BaselineSeries, { baseValue: { type: 'price', price: base }, topLineColor: p.up, bottomLineColor: p.down,
      topFillColor1: 'rgba(38,194,129,0.25)', topFillColor2: 'rgba(38,194,129,0.02)', bottomFillColor1: 'rgba(255,92,108,0.02)', bottomFillColor2: 'rgba(255,92,108,0.25)',
      priceFormat: { type: 'price', precision: 2, minMove: 0.01 } });
    series.setData(data);
    series.createPriceLine({ price: base, color: p.muted, lineStyle: LC.LineStyle.Dotted, title: 'initial capital' });
    chart.timeScale().fitContent();
  };
  draw();
  document.addEventListener('themechange', draw);
}

/** The drawdown below the running high of an equity curve, as percent, drawn as an area under zero; the deepest point
 * is always kept when the curve is thinned, and written to the box's data-deepest (a fraction) for a reader or a test. */
export function drawDrawdown(box, rows) {
  if (!LC) { box.replaceChildren(notice('The chart library did not load; reload the page.', 'error')); return; }
  if (rows.length === 0) { box.replaceChildren(el('p', { class: 'empty' }, 'The equity curve is empty.')); return; }
  let high = -Infinity, deepestAt = 0;
  const dd = rows.map((r) => {
    const v = Number(r.equity);
    high = Math.max(high, v);
    return { timestamp: r.timestamp, dd: high > 0 ? v / high - 1 : 0 };
  });
  dd.forEach((d, i) => { if (d.dd < dd[deepestAt].dd) deepestAt = i; });
  const data = points(dd, (d) => d.dd * 100, 3000, deepestAt);
  box.dataset.deepest = String(dd[deepestAt].dd);
  let chart;
  const draw = () => {
    chart?.remove();
    const p = palette();
    chart = LC.createChart(box, chartOptions(p, (v) => `${v.toFixed(2)}%`));
    // Filled between zero (the running high) and the curve.
    const series = chart.addSeries(LC.BaselineSeries, { baseValue: { type: 'price', price: 0 }, lineWidth: 1, topLineColor: p.down, bottomLineColor: p.down,
      topFillColor1: 'rgba(0,0,0,0)', topFillColor2: 'rgba(0,0,0,0)', bottomFillColor1: 'rgba(255,92,108,0.08)', bottomFillColor2: 'rgba(255,92,108,0.4)',
      priceFormat: { type: 'custom', formatter: (v) => `${v.toFixed(2)}%` } });
    series.setData(data);
    series.createPriceLine({ price: dd[deepestAt].dd * 100, color: p.muted, lineStyle: LC.LineStyle.Dotted, title: 'deepest' });
    chart.timeScale().fitContent();
  };
  draw();
  document.addEventListener('themechange', draw);
}

/** Colours for several runs on one chart, distinct in both themes. */
export const RUN_COLOURS = ['#2f7de1', '#e8710a', '#1a9e5f', '#c53f8f', '#8b6cd9', '#b08a00'];

/** Several runs' returns since their start (equity / initial capital − 1) on one percent scale. runs: [{label, rows, initial}]. */
export function drawReturns(box, runs) {
  if (!LC) { box.replaceChildren(notice('The chart library did not load; reload the page.', 'error')); return; }
  const series = runs.map((r) => points(r.rows, (x) => (Number(x.equity) / r.initial - 1) * 100));
  let chart;
  const draw = () => {
    chart?.remove();
    const p = palette();
    chart = LC.createChart(box, chartOptions(p, (v) => `${v > 0 ? '+' : ''}${v.toFixed(2)}%`));
    series.forEach((data, i) => {
      const line = chart.addSeries(LC.LineSeries, { color: RUN_COLOURS[i % RUN_COLOURS.length], lineWidth: 2, title: runs[i].label,
        priceFormat: { type: 'custom', formatter: (v) => `${v > 0 ? '+' : ''}${v.toFixed(2)}%` } });
      line.setData(data);
      if (i === 0) line.createPriceLine({ price: 0, color: p.muted, lineStyle: LC.LineStyle.Dotted, title: 'start' });
    });
    chart.timeScale().fitContent();
  };
  draw();
  document.addEventListener('themechange', draw);
}
