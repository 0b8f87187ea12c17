// One sweep job: progress while it runs, then either (a parameter sweep) the heat map of a metric over two parameters
// and every combination ranked, each one runnable as a backtest; or (a walk-forward) each window's chosen parameters
// with its out-of-sample results, the stitched out-of-sample equity and its monthly returns.
import { api, el, header, noJob, notice, describe, fmtMoney, fmtNum, fmtPct, fmtTime, jobProgress, me, parseCsv, sortableTable, nyDate, signClass } from './app.js';
import { drawEquity, metricsTable, monthlyTable } from './performance.js';

header('backtests');
const root = document.getElementById('root');
const id = new URLSearchParams(location.search).get('id');
const path = `/api/sweeps/${encodeURIComponent(id || '')}`;

/** Sweep metrics: title, format, and which way is better (1 higher, -1 lower). */
const SWEEP_METRICS = {
  sharpe: ['Sharpe', (v) => fmtNum(Number(v).toFixed(2)), 1], sortino: ['Sortino', (v) => fmtNum(Number(v).toFixed(2)), 1],
  total_return: ['Total return', (v) => fmtPct(v), 1], cagr: ['CAGR', (v) => fmtPct(v), 1],
  max_drawdown: ['Max drawdown', (v) => fmtPct(-Math.abs(v)), -1], calmar: ['Calmar', (v) => fmtNum(Number(v).toFixed(2)), 1],
  win_rate: ['Win rate', (v) => fmtPct(v, { sign: false }), 1], profit_factor: ['Profit factor', (v) => fmtNum(Number(v).toFixed(2)), 1],
};

if (id) load(); else noJob('sweep');

async function load() {
  let job;
  try {
    job = await api(path);
  } catch (e) {
    root.replaceChildren(notice(e.status === 404 ? `There is no sweep ${id}. Pick one from the Backtests page.` : describe(e), 'error'), el('a', { href: '/app/backtests' }, 'Backtests'));
    return;
  }
  document.title = `Sweep ${id} · AI Trader`;
  const spec = job.spec || {};
  if (job.state === 'queued' || job.state === 'running') {
    root.replaceChildren(el('section', { class: 'panel' }, el('h2', {}, `Sweep ${id}`),
      el('p', { class: 'muted' }, `${spec.symbol} · ${spec.strategy} · grid ${spec.grid} · the share of its backtests done:`), jobProgress('sweeps', job, 'Sweep', load)));
    return;
  }
  if (job.state !== 'succeeded') {
    root.replaceChildren(el('section', { class: 'panel' }, el('h2', {}, `Sweep ${id}`),
      notice(`This sweep ${job.state}${job.error ? `: ${job.error}` : ''}. Start another from the Backtests page (Run as: sweep).`, 'error'), specList(spec)));
    return;
  }
  const result = job.result || (await api(`${path}/result`));
  const walk = result.kind === 'walk_forward';
  const files = walk ? ['walk_forward.csv', 'oos_equity.csv', 'oos_metrics.csv'] : ['sweep.csv', 'heatmap.svg', 'heatmap.html', 'heatmap.png'];
  root.replaceChildren(
    el('section', { class: 'panel' },
      el('h2', {}, `${result.symbol} · ${result.strategy} · ${walk ? `walk-forward, ${result.windows} windows` : `sweep of ${result.combinations} combinations`} · ranked by ${result.rank_by}`),
      el('p', { class: 'muted' }, 'Ran ', fmtTime(job.started_at), ` · grid ${spec.grid} · ${spec.interval || '1Day'} · ${spec.start || 'first bar'} … ${spec.end || 'last bar'} · job ${id}`),
      el('p', {}, 'Files: ', files.map((f, i) => [i ? ' · ' : '', el('a', { href: `${path}/files/${f}`, download: f.endsWith('.csv') ? f : null }, f)]))),
    ...(walk ? [] : [el('section', { class: 'panel', 'aria-labelledby': 'hm-title' }, el('h2', { id: 'hm-title' }, 'Heat map'), el('div', { id: 'heatmap' }, el('p', { class: 'empty' }, 'Loading sweep.csv…')))]),
    el('section', { class: 'panel', 'aria-labelledby': 'rk-title' }, el('h2', { id: 'rk-title' }, walk ? 'Walk-forward windows' : 'Every combination'),
      el('div', { id: 'ranking' }, el('p', { class: 'empty' }, 'Loading…'))));
  if (walk) await walkForward(job, result); else await sweep(job, result);
}

async function sweep(job, result) {
  const heat = document.getElementById('heatmap');
  const ranking = document.getElementById('ranking');
  let rows;
  try {
    rows = parseCsv(await api(`${path}/files/sweep.csv`, { text: true }));
  } catch (e) {
    heat.replaceChildren(notice(`Could not read sweep.csv: ${describe(e)}`, 'error'));
    ranking.replaceChildren();
    return;
  }
  if (rows.length === 0) {
    heat.replaceChildren(el('p', { class: 'empty' }, 'The sweep ran no combination. Check the grid and the date range, then run it again.'));
    ranking.replaceChildren();
    return;
  }
  const names = Object.keys(rows[0]).slice(0, Object.keys(rows[0]).indexOf('trades'));
  rows.forEach((r, i) => { r.rank = i + 1; });
  heat.replaceChildren(heatMap(rows, names, SWEEP_METRICS[result.rank_by] ? result.rank_by : 'sharpe'));
  const who = await me().catch(() => ({ role: 'read' }));
  const status = el('div', { 'aria-live': 'polite' });
  const columns = [{ key: 'rank', title: '#', num: true }, ...names.map((n) => ({ key: n, title: n, num: true })),
    { key: 'trades', title: 'Trades', num: true },
    ...['total_return', 'cagr', 'sharpe', 'sortino', 'max_drawdown', 'win_rate', 'profit_factor'].map((k) => ({ key: k, title: SWEEP_METRICS[k][0], num: true,
      signed: k === 'total_return' || k === 'cagr',
      render: (r) => (k === 'max_drawdown' ? el('span', { class: Number(r[k]) ? 'neg' : null }, SWEEP_METRICS[k][1](r[k])) : SWEEP_METRICS[k][1](r[k])) })),
    { key: 'final_equity', title: 'Final equity', num: true, render: (r) => fmtMoney(r.final_equity) }];
  if (who.role === 'trader') {
    columns.push({ key: 'run', title: 'Backtest', render: (r) => el('button', { type: 'button', class: 'link', onclick: () => runOne(job.spec, names, r, status),
      'aria-label': `Run ${names.map((n) => `${n}=${r[n]}`).join(', ')} as a backtest` }, 'Run') });
  }
  ranking.replaceChildren(status, el('div', { class: 'table-wrap', tabindex: '0' }, sortableTable(columns, rows,
    { caption: `${rows.length} combinations, best ${result.rank_by} first; select a heading to sort${who.role === 'trader' ? '; Run opens one as a backtest' : ''}` })));
}

/** Runs one combination as a backtest over the sweep's range and opens its result page. */
async function runOne(spec, names, row, status) {
  const parameters = { ...(spec.parameters || {}) };
  names.forEach((n) => { parameters[n] = row[n]; });
  const body = { symbol: spec.symbol, strategy: spec.strategy, interval: spec.interval || '1Day', capital: spec.capital, parameters };
  if (spec.start) body.start = spec.start;
  if (spec.end) body.end = spec.end;
  status.replaceChildren(notice(`Submitting ${names.map((n) => `${n}=${row[n]}`).join(', ')}…`));
  try {
    const job = await api('/api/backtests', { method: 'POST', body });
    location.assign(`/app/backtest?id=${encodeURIComponent(job.id)}`);
  } catch (e) {
    status.replaceChildren(notice(`Not submitted: ${describe(e)}`, 'error'));
  }
}

/** A metric over two parameters: one cell per pair of values (the best over any other parameter), tinted from the
 * worst (red) to the best (green) value; one parameter gives one row. */
function heatMap(rows, names, initial) {
  const x = el('select', { name: 'x', 'aria-label': 'Parameter across' }, names.map((n) => el('option', { value: n }, n)));
  const y = el('select', { name: 'y', 'aria-label': 'Parameter down' }, names.length > 1 ? names.map((n) => el('option', { value: n }, n)) : el('option', { value: '' }, '—'));
  const metric = el('select', { name: 'metric', 'aria-label': 'Metric' }, Object.entries(SWEEP_METRICS).filter(([k]) => k in rows[0]).map(([k, [t]]) => el('option', { value: k }, t)));
  x.value = names[0];
  y.value = names.length > 1 ? names[1] : '';
  metric.value = initial in rows[0] ? initial : 'sharpe';
  const box = el('div', { class: 'table-wrap', tabindex: '0' });
  const controls = el('form', { class: 'controls', 'aria-label': 'Heat map axes' },
    el('label', {}, 'Across', x), el('label', {}, 'Down', y), el('label', {}, 'Metric', metric));
  controls.addEventListener('submit', (e) => e.preventDefault());
  const order = (values) => [...new Set(values)].sort((a, b) => (Number.isFinite(+a) && Number.isFinite(+b) ? a - b : String(a).localeCompare(String(b))));
  const render = () => {
    const [title, format, better] = SWEEP_METRICS[metric.value];
    const xs = order(rows.map((r) => r[x.value]));
    const ys = y.value && y.value !== x.value ? order(rows.map((r) => r[y.value])) : [null];
    const best = (cands) => cands.reduce((b, r) => (b === null || (Number(r[metric.value]) - Number(b[metric.value])) * better > 0 ? r : b), null);
    const cells = ys.map((yv) => xs.map((xv) => best(rows.filter((r) => r[x.value] === xv && (yv === null || r[y.value] === yv) && Number.isFinite(Number(r[metric.value]))))));
    const values = cells.flat().filter(Boolean).map((r) => Number(r[metric.value]));
    const lo = Math.min(...values), hi = Math.max(...values);
    const top = best(cells.flat().filter(Boolean));
    const td = (r) => {
      if (!r) return el('td', { class: 'num muted' }, '—');
      const v = Number(r[metric.value]);
      const t = hi === lo ? 1 : better > 0 ? (v - lo) / (hi - lo) : (hi - v) / (hi - lo);
      const label = names.map((n) => `${n}=${r[n]}`).join(', ');
      return el('td', { class: `num heat cell${r === top ? ' best' : ''}`, title: `${label}: ${title} ${format(v)}${r === top ? ' (best)' : ''}`,
        style: `--tint: color-mix(in srgb, color-mix(in srgb, var(--up) ${Math.round(t * 100)}%, var(--down)) 42%, transparent)` }, format(v));
    };
    const other = names.filter((n) => n !== x.value && n !== y.value);
    box.replaceChildren(el('table', { class: 'heatmap' },
      el('caption', { class: 'muted' }, `${title} by ${x.value} (across)${ys[0] !== null ? ` and ${y.value} (down)` : ''}; green is better${other.length ? `; each cell is the best over ${other.join(', ')}` : ''}; the outlined cell is the best.`),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, ys[0] !== null ? `${y.value} \\ ${x.value}` : x.value), xs.map((v) => el('th', { scope: 'col', class: 'num' }, v)))),
      el('tbody', {}, ys.map((yv, i) => el('tr', {}, el('th', { scope: 'row' }, yv === null ? title : yv), cells[i].map(td))))));
  };
  [x, y, metric].forEach((s) => s.addEventListener('change', render));
  render();
  return el('div', {}, controls, box);
}

async function walkForward(job, result) {
  const ranking = document.getElementById('ranking');
  const equityBox = el('div', { class: 'equity-chart', role: 'figure', 'aria-label': 'Out-of-sample equity curve' });
  const monthlyBox = el('div', { id: 'monthly' }, el('p', { class: 'empty' }, 'Loading monthly returns…'));
  root.insertBefore(el('div', { class: 'grid' },
    el('section', { class: 'panel', 'aria-labelledby': 'oos-title' }, el('h2', { id: 'oos-title' }, 'Out of sample, stitched'), metricsTable(result.out_of_sample || {})),
    el('section', { class: 'panel', 'aria-labelledby': 'oe-title' }, el('h2', { id: 'oe-title' }, 'Out-of-sample equity'), equityBox)), ranking.parentElement);
  root.append(el('section', { class: 'panel', 'aria-labelledby': 'mr-title' }, el('h2', { id: 'mr-title' }, 'Monthly returns, out of sample'), monthlyBox));
  try {
    const windows = parseCsv(await api(`${path}/files/walk_forward.csv`, { text: true }));
    if (windows.length === 0) {
      ranking.replaceChildren(el('p', { class: 'empty' }, 'No window fitted in the range: widen the dates or shorten the in-sample and out-of-sample spans.'));
    } else {
      const keys = Object.keys(windows[0]);
      const names = keys.slice(keys.indexOf('oos_end') + 1, keys.findIndex((k, i) => i > keys.indexOf('oos_end') && k.startsWith('is_')));
      const score = keys.find((k) => k.startsWith('is_') && !['is_start', 'is_end'].includes(k));
      const range = (a, b) => el('span', { title: `${a} … ${b} (UTC)` }, `${nyDate(a)} … ${nyDate(b)}`);
      ranking.replaceChildren(el('div', { class: 'table-wrap', tabindex: '0' }, sortableTable([
        { key: 'window', title: '#', num: true, render: (r) => String(Number(r.window) + 1) },
        { key: 'is_start', title: 'In sample (New York)', render: (r) => range(r.is_start, r.is_end) },
        { key: 'oos_start', title: 'Out of sample', render: (r) => range(r.oos_start, r.oos_end) },
        { key: names[0], title: 'Chosen', render: (r) => names.map((n) => `${n}=${r[n]}`).join(', ') },
        { key: score, title: `In-sample ${score.slice(3)}`, num: true, render: (r) => fmtNum(Number(r[score]).toFixed(2)) },
        { key: 'oos_trades', title: 'Trades', num: true },
        { key: 'oos_total_return', title: 'Return', num: true, signed: true, render: (r) => fmtPct(r.oos_total_return) },
        { key: 'oos_sharpe', title: 'Sharpe', num: true, render: (r) => fmtNum(Number(r.oos_sharpe).toFixed(2)) },
        { key: 'oos_max_drawdown', title: 'Max drawdown', num: true, render: (r) => el('span', { class: signClass(-Math.abs(r.oos_max_drawdown)) }, fmtPct(-Math.abs(r.oos_max_drawdown))) },
        { key: 'oos_win_rate', title: 'Win rate', num: true, render: (r) => fmtPct(r.oos_win_rate, { sign: false }) },
        { key: 'oos_final_equity', title: 'End equity', num: true, render: (r) => fmtMoney(r.oos_final_equity) },
      ], windows, { caption: `${windows.length} windows: the best ${result.rank_by} in sample picks the parameters, the next span tests them out of sample` })));
    }
  } catch (e) {
    ranking.replaceChildren(notice(`Could not read walk_forward.csv: ${describe(e)}`, 'error'));
  }
  try {
    drawEquity(equityBox, parseCsv(await api(`${path}/files/oos_equity.csv`, { text: true })), Number(job.spec.capital ?? 100000));
  } catch (e) {
    equityBox.replaceChildren(notice(`No out-of-sample equity: ${describe(e)}`, 'warn'));
  }
  try {
    monthlyBox.replaceChildren(monthlyTable(await api(`${path}/monthly-returns`)));
  } catch (e) {
    monthlyBox.replaceChildren(notice(`No monthly returns: ${describe(e)}`, 'warn'));
  }
}

function specList(spec) {
  return el('dl', { class: 'kv' }, Object.entries(spec || {}).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v === null ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v))]));
}
