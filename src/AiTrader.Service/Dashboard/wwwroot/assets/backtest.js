// One backtest: progress while it runs (server-sent events), then the summary metrics, the equity curve and its drawdown
// (equity.csv), the monthly returns, the trades (trades.csv) and orders (orders.csv) as sortable, filterable tables with
// a CSV download of the rows shown, and the output files to download.
import { api, el, header, noJob, notice, describe, filterableTable, fmtMoney, fmtQty, fmtTime, jobProgress, parseCsv } from './app.js';
import { drawDrawdown, drawEquity, metricsTable, monthlyTable } from './performance.js';

header('backtests');
const root = document.getElementById('root');
const id = new URLSearchParams(location.search).get('id');

if (id) load(); else noJob('backtest');

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
    root.replaceChildren(el('section', { class: 'panel' }, el('h2', {}, `Backtest ${id}`), jobProgress('backtests', job, 'Backtest', load)));
    return;
  }
  if (job.state !== 'succeeded') {
    root.replaceChildren(el('section', { class: 'panel' }, el('h2', {}, `Backtest ${id}`),
      notice(`This backtest ${job.state}${job.error ? `: ${job.error}` : ''}. Start another from the Backtests page.`, 'error'), specTable(job.spec)));
    return;
  }
  const summary = job.summary || (await api(`/api/backtests/${encodeURIComponent(id)}/result`));
  const spec = job.spec || {};
  const files = ['summary.json', 'trades.csv', 'equity.csv', 'orders.csv', 'fills.csv', 'report.html'];
  const chartLink = `/app/chart?${new URLSearchParams({ symbol: spec.symbol || summary.symbol || '', interval: spec.interval || '1Day', start: spec.start || '', end: spec.end || '', backtest: id })}`;
  const equityBox = el('div', { class: 'equity-chart', role: 'figure', 'aria-label': 'Equity curve' });
  const drawdownBox = el('div', { class: 'equity-chart', id: 'drawdown', role: 'figure', 'aria-label': 'Drawdown from the running high' });
  const tradesBox = el('div', { id: 'trades' }, el('p', { class: 'empty' }, 'Loading trades…'));
  const ordersBox = el('div', { id: 'orders' }, el('p', { class: 'empty' }, 'Loading orders…'));
  const monthlyBox = el('div', { id: 'monthly' }, el('p', { class: 'empty' }, 'Loading monthly returns…'));
  root.replaceChildren(
    el('section', { class: 'panel' },
      el('h2', {}, `${summary.symbol || spec.symbol} · ${summary.strategy || spec.strategy} · ${summary.interval || spec.interval}`),
      el('p', { class: 'muted' }, 'Ran ', fmtTime(job.started_at), ` in ${seconds(job)} · job ${id} · `, el('a', { href: chartLink }, 'show the trades on the chart')),
      (summary.warnings || []).length ? notice(`Warnings: ${summary.warnings.join('; ')}`, 'warn') : null),
    el('div', { class: 'grid' },
      el('section', { class: 'panel', 'aria-labelledby': 'm-title' }, el('h2', { id: 'm-title' }, 'Summary'), metricsTable(summary)),
      el('section', { class: 'panel', 'aria-labelledby': 'e-title' }, el('h2', { id: 'e-title' }, 'Equity'), equityBox,
        el('h3', { id: 'dd-title' }, 'Drawdown from the running high'), drawdownBox)),
    el('section', { class: 'panel', 'aria-labelledby': 'mr-title' }, el('h2', { id: 'mr-title' }, 'Monthly returns'), monthlyBox),
    el('section', { class: 'panel', 'aria-labelledby': 't-title' }, el('h2', { id: 't-title' }, 'Trades'), tradesBox),
    el('section', { class: 'panel', 'aria-labelledby': 'o-title' }, el('h2', { id: 'o-title' }, 'Orders'), ordersBox),
    el('section', { class: 'panel', 'aria-labelledby': 'f-title' }, el('h2', { id: 'f-title' }, 'Files'),
      el('ul', {}, files.map((f) => el('li', {}, el('a', { href: `/api/backtests/${encodeURIComponent(id)}/files/${f}`, download: f.endsWith('.html') || f.endsWith('.png') ? null : f }, f))))),
    el('details', { class: 'panel' }, el('summary', {}, 'Every value in summary.json'), allValues(summary)));

  try {
    const equity = parseCsv(await api(`/api/backtests/${encodeURIComponent(id)}/files/equity.csv`, { text: true }));
    drawEquity(equityBox, equity, Number(summary.initial_capital));
    drawDrawdown(drawdownBox, equity);
  } catch (e) {
    equityBox.replaceChildren(notice(`No equity curve: ${describe(e)}`, 'warn'));
    drawdownBox.replaceChildren();
  }
  try {
    monthlyBox.replaceChildren(monthlyTable(await api(`/api/backtests/${encodeURIComponent(id)}/monthly-returns`)));
  } catch (e) {
    monthlyBox.replaceChildren(notice(`No monthly returns: ${describe(e)}`, 'warn'));
  }
  try {
    const trades = parseCsv(await api(`/api/backtests/${encodeURIComponent(id)}/files/trades.csv`, { text: true }));
    if (trades.length === 0) {
      tradesBox.replaceChildren(el('p', { class: 'empty' }, 'This run made no trades. Try a longer range or other parameters.'));
    } else {
      tradesBox.replaceChildren(filterableTable([
        { key: 'symbol', title: 'Symbol' }, { key: 'side', title: 'Side' }, { key: 'quantity', title: 'Qty', num: true, render: (r) => fmtQty(r.quantity) },
        { key: 'entry_time', title: 'Entry (New York)', render: (r) => fmtTime(r.entry_time) }, { key: 'entry_price', title: 'Entry price', num: true, render: (r) => fmtMoney(r.entry_price) },
        { key: 'exit_time', title: 'Exit (New York)', render: (r) => fmtTime(r.exit_time) }, { key: 'exit_price', title: 'Exit price', num: true, render: (r) => fmtMoney(r.exit_price) },
        { key: 'pnl', title: 'P&L (net)', num: true, signed: true, render: (r) => fmtMoney(r.pnl, { sign: true }) }, { key: 'fees', title: 'Fees', num: true, render: (r) => fmtMoney(r.fees) },
        { key: 'exit_reason', title: 'Exit reason' },
      ], trades, { caption: `${trades.length} trades; select a column heading to sort`, name: 'trades', label: 'trades' }));
    }
  } catch (e) {
    tradesBox.replaceChildren(notice(`No trades file: ${describe(e)}`, 'warn'));
  }
  try {
    const orders = parseCsv(await api(`/api/backtests/${encodeURIComponent(id)}/files/orders.csv`, { text: true }));
    const price = (k) => (r) => (r[k] === '' ? '—' : fmtMoney(r[k]));
    ordersBox.replaceChildren(orders.length === 0 ? el('p', { class: 'empty' }, 'This run sent no orders.') : filterableTable([
      { key: 'order_id', title: 'Order' }, { key: 'created_at', title: 'Sent (New York)', render: (r) => fmtTime(r.created_at) }, { key: 'symbol', title: 'Symbol' },
      { key: 'side', title: 'Side' }, { key: 'type', title: 'Type' }, { key: 'quantity', title: 'Qty', num: true, render: (r) => fmtQty(r.quantity) },
      { key: 'stop_price', title: 'Stop', num: true, render: price('stop_price') }, { key: 'last_stop_price', title: 'Last stop', num: true, render: price('last_stop_price') },
      { key: 'stop_moves', title: 'Stop moves', num: true }, { key: 'filled_quantity', title: 'Filled', num: true, render: (r) => fmtQty(r.filled_quantity) },
      { key: 'average_fill_price', title: 'Fill price', num: true, render: price('average_fill_price') }, { key: 'status', title: 'Status' },
      { key: 'cancel_reason', title: 'Cancelled because', render: (r) => r.cancel_reason || '—' }, { key: 'reason', title: 'Reason' },
    ], orders, { caption: `${orders.length} orders; select a column heading to sort`, name: 'orders', label: 'orders' }));
  } catch (e) {
    ordersBox.replaceChildren(notice(`No orders file: ${describe(e)}`, 'warn'));
  }
}

function seconds(job) {
  const ms = new Date(job.finished_at) - new Date(job.started_at);
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '—';
}

function allValues(summary) {
  return el('dl', { class: 'kv' }, Object.entries(summary).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))]));
}

function specTable(spec) {
  return el('dl', { class: 'kv' }, Object.entries(spec || {}).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))]));
}
