// One backtest: progress while it runs (server-sent events), then the summary metrics, the equity curve (equity.csv),
// the trades (trades.csv, sortable) and the output files to download.
import { api, el, header, notice, describe, fmtMoney, fmtPct, fmtNum, fmtQty, fmtTime, followJob, palette, parseCsv, sortableTable, nyFields } from './app.js';

header('backtests');
const root = document.getElementById('root');
const id = new URLSearchParams(location.search).get('id');
const LC = globalThis.LightweightCharts;

if (!id) {
  root.replaceChildren(notice('No backtest named: open one from the list on the Backtests page.', 'warn'), el('a', { href: '/app/backtests' }, 'Backtests'));
} else {
  load();
}

async function load() {
  let job;
  try {
    job = await api(`/api/backtests/${encodeURIComponent(id)}`);
  } catch (e) {
    root.replaceChildren(notice(e.status === 404 ? `There is no backtest ${id}. Pick one from the Backtests page.` : describe(e), 'error'),
      el('a', { href: '/app/backtests' }, 'Backtests'));
    return;
  }
  document.title = `Backtest ${id} · AI Trader`;
  if (job.state === 'queued' || job.state === 'running') {
    const bar = el('progress', { max: '1', value: String(job.progress ?? 0), 'aria-label': 'Backtest progress' });
    const phase = el('span', { class: 'muted' }, job.state);
    root.replaceChildren(el('section', { class: 'panel' }, el('h2', {}, `Backtest ${id}`), bar, phase));
    followJob('backtests', id, {
      onJob: (j) => {
        bar.value = j.progress ?? 0;
        phase.textContent = `${j.state}${j.phase ? ` · ${j.phase}` : ''} · ${Math.round((j.progress ?? 0) * 100)}%`;
        if (j.state !== 'queued' && j.state !== 'running') load();
      },
    });
    return;
  }
  if (job.state !== 'succeeded') {
    root.replaceChildren(el('section', { class: 'panel' }, el('h2', {}, `Backtest ${id}`),
      notice(`This backtest ${job.state}${job.error ? `: ${job.error}` : ''}. Start another from the Backtests page.`, 'error'), specTable(job.spec)));
    return;
  }
  const summary = job.summary || (await api(`/api/backtests/${encodeURIComponent(id)}/result`));
  const spec = job.spec || {};
  const files = ['summary.json', 'trades.csv', 'equity.csv', 'orders.csv', 'fills.csv', 'report.html', 'equity.png', 'price.png'];
  const chartLink = `/app/chart?${new URLSearchParams({ symbol: spec.symbol || summary.symbol || '', interval: spec.interval || '1Day', start: spec.start || '', end: spec.end || '', backtest: id })}`;
  const equityBox = el('div', { class: 'equity-chart', role: 'img', 'aria-label': 'Equity curve' });
  const tradesBox = el('div', {}, el('p', { class: 'empty' }, 'Loading trades…'));
  root.replaceChildren(
    el('section', { class: 'panel' },
      el('h2', {}, `${summary.symbol || spec.symbol} · ${summary.strategy || spec.strategy} · ${summary.interval || spec.interval}`),
      el('p', { class: 'muted' }, 'Ran ', fmtTime(job.started_at), ` in ${seconds(job)} · job ${id} · `, el('a', { href: chartLink }, 'show the trades on the chart')),
      (summary.warnings || []).length ? notice(`Warnings: ${summary.warnings.join('; ')}`, 'warn') : null),
    el('div', { class: 'grid' },
      el('section', { class: 'panel', 'aria-labelledby': 'm-title' }, el('h2', { id: 'm-title' }, 'Summary'), metricsTable(summary)),
      el('section', { class: 'panel', 'aria-labelledby': 'e-title' }, el('h2', { id: 'e-title' }, 'Equity'), equityBox)),
    el('section', { class: 'panel', 'aria-labelledby': 't-title' }, el('h2', { id: 't-title' }, 'Trades'), tradesBox),
    el('section', { class: 'panel', 'aria-labelledby': 'f-title' }, el('h2', { id: 'f-title' }, 'Files'),
      el('ul', {}, files.map((f) => el('li', {}, el('a', { href: `/api/backtests/${encodeURIComponent(id)}/files/${f}`, download: f.endsWith('.html') || f.endsWith('.png') ? null : f }, f))))),
    el('details', { class: 'panel' }, el('summary', {}, 'Every value in summary.json'), allValues(summary)));

  try {
    const equity = parseCsv(await api(`/api/backtests/${encodeURIComponent(id)}/files/equity.csv`, { text: true }));
    drawEquity(equityBox, equity, Number(summary.initial_capital));
  } catch (e) {
    equityBox.replaceChildren(notice(`No equity curve: ${describe(e)}`, 'warn'));
  }
  try {
    const trades = parseCsv(await api(`/api/backtests/${encodeURIComponent(id)}/files/trades.csv`, { text: true }));
    if (trades.length === 0) {
      tradesBox.replaceChildren(el('p', { class: 'empty' }, 'This run made no trades. Try a longer range or other parameters.'));
    } else {
      tradesBox.replaceChildren(el('div', { class: 'table-wrap' }, sortableTable([
        { key: 'symbol', title: 'Symbol' }, { key: 'side', title: 'Side' }, { key: 'quantity', title: 'Qty', num: true, render: (r) => fmtQty(r.quantity) },
        { key: 'entry_time', title: 'Entry (New York)', render: (r) => fmtTime(r.entry_time) }, { key: 'entry_price', title: 'Entry price', num: true, render: (r) => fmtMoney(r.entry_price) },
        { key: 'exit_time', title: 'Exit (New York)', render: (r) => fmtTime(r.exit_time) }, { key: 'exit_price', title: 'Exit price', num: true, render: (r) => fmtMoney(r.exit_price) },
        { key: 'pnl', title: 'P&L (net)', num: true, signed: true, render: (r) => fmtMoney(r.pnl, { sign: true }) }, { key: 'fees', title: 'Fees', num: true, render: (r) => fmtMoney(r.fees) },
        { key: 'exit_reason', title: 'Exit reason' },
      ], trades, { caption: `${trades.length} trades; select a column heading to sort` })));
    }
  } catch (e) {
    tradesBox.replaceChildren(notice(`No trades file: ${describe(e)}`, 'warn'));
  }
}

function seconds(job) {
  const ms = new Date(job.finished_at) - new Date(job.started_at);
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '—';
}

const METRICS = [
  ['initial_capital', 'Initial capital', (v) => fmtMoney(v)], ['final_equity', 'Final equity', (v) => fmtMoney(v)],
  ['net_profit', 'Net profit', (v) => fmtMoney(v, { sign: true }), true], ['total_return', 'Total return', (v) => fmtPct(v), true],
  ['cagr', 'CAGR', (v) => fmtPct(v), true], ['annualized_volatility', 'Volatility (annual)', (v) => fmtPct(v, { sign: false })],
  ['sharpe', 'Sharpe', fmtNum], ['sortino', 'Sortino', fmtNum], ['max_drawdown', 'Max drawdown', (v) => fmtPct(-Math.abs(v)), 'loss'],
  ['max_drawdown_duration_days', 'Max drawdown duration (days)', fmtNum], ['calmar', 'Calmar', fmtNum], ['trades', 'Trades', fmtNum],
  ['wins', 'Wins', fmtNum], ['losses', 'Losses', fmtNum], ['win_rate', 'Win rate', (v) => fmtPct(v, { sign: false })],
  ['profit_factor', 'Profit factor', fmtNum], ['average_trade', 'Average trade', (v) => fmtMoney(v, { sign: true }), true],
  ['exposure', 'Exposure', (v) => fmtPct(v, { sign: false })], ['total_fees', 'Fees', (v) => fmtMoney(v)], ['risk_free_rate', 'Risk-free rate', (v) => fmtPct(v, { sign: false })],
];

function metricsTable(summary) {
  const rows = METRICS.filter(([k]) => summary[k] !== undefined && summary[k] !== null).map(([k, title, f, signed]) =>
    el('tr', {}, el('th', { scope: 'row' }, title), el('td', { class: `num ${signed === 'loss' ? (Number(summary[k]) ? 'neg' : '') : signed ? (Number(summary[k]) > 0 ? 'pos' : Number(summary[k]) < 0 ? 'neg' : '') : ''}` }, f(summary[k]))));
  return el('table', {}, el('tbody', {}, rows));
}

function allValues(summary) {
  return el('dl', { class: 'kv' }, Object.entries(summary).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))]));
}

function specTable(spec) {
  return el('dl', { class: 'kv' }, Object.entries(spec || {}).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))]));
}

function drawEquity(box, rows, initial) {
  if (!LC) { box.replaceChildren(notice('The chart library did not load; reload the page.', 'error')); return; }
  if (rows.length === 0) { box.replaceChildren(el('p', { class: 'empty' }, 'equity.csv is empty.')); return; }
  // At most 3,000 points: every k-th row (the last always kept).
  const step = Math.max(1, Math.ceil(rows.length / 3000));
  const points = [];
  let last = -Infinity;
  rows.forEach((r, i) => {
    if (i % step !== 0 && i !== rows.length - 1) return;
    const f = nyFields(new Date(r.timestamp));
    const time = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute) / 1000;
    if (time > last) { points.push({ time, value: Number(r.equity) }); last = time; }
  });
  let chart;
  const draw = () => {
    chart?.remove();
    const p = palette();
    chart = LC.createChart(box, { autoSize: true, localization: { priceFormatter: (v) => fmtMoney(v) }, layout: { background: { type: 'solid', color: p.bg }, textColor: p.text },
      grid: { vertLines: { color: p.border }, horzLines: { color: p.border } }, rightPriceScale: { borderColor: p.border }, timeScale: { borderColor: p.border } });
    const base = Number.isFinite(initial) ? initial : points[0].value;
    const series = chart.addSeries(LC.BaselineSeries, { baseValue: { type: 'price', price: base }, topLineColor: p.up, bottomLineColor: p.down,
      topFillColor1: 'rgba(38,194,129,0.25)', topFillColor2: 'rgba(38,194,129,0.02)', bottomFillColor1: 'rgba(255,92,108,0.02)', bottomFillColor2: 'rgba(255,92,108,0.25)',
      priceFormat: { type: 'price', precision: 2, minMove: 0.01 } });
    series.setData(points);
    series.createPriceLine({ price: base, color: p.muted, lineStyle: LC.LineStyle.Dotted, title: 'initial capital' });
    chart.timeScale().fitContent();
  };
  draw();
  document.addEventListener('themechange', draw);
}
