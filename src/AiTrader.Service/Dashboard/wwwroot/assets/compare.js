// Backtests side by side: what each run was (symbol, strategy, range, parameters, costs), its metrics with the best of
// each row marked, every run's return since its start on one chart, and the returns year by year.
import { api, el, header, notice, describe, fmtPct, parseCsv, nyDate } from './app.js';
import { METRICS, RUN_COLOURS, drawReturns, metricClass } from './performance.js';

header('backtests');
const root = document.getElementById('root');
const ids = [...new Set((new URLSearchParams(location.search).get('ids') || '').split(',').map((x) => x.trim()).filter(Boolean))];

if (ids.length < 2) {
  root.replaceChildren(notice('Pick two or more finished runs to compare: tick their Compare boxes in the Runs list on the Backtests page, then "Compare selected".', 'warn'),
    el('a', { href: '/app/backtests' }, 'Backtests'));
} else {
  load();
}

async function load() {
  root.replaceChildren(el('p', { class: 'empty' }, `Loading ${ids.length} runs…`));
  const jobs = await Promise.all(ids.map(async (id) => {
    try { return await api(`/api/backtests/${encodeURIComponent(id)}`); } catch (e) { return { id, problem: e }; }
  }));
  const runs = jobs.filter((j) => !j.problem && j.state === 'succeeded' && j.summary);
  const skipped = jobs.filter((j) => !runs.includes(j)).map((j) => `${j.id}: ${j.problem ? describe(j.problem) : `${j.state}${j.error ? ` (${j.error})` : ''}, no results`}`);
  const warnings = skipped.length ? notice(`Left out: ${skipped.join('; ')}.`, runs.length < 2 ? 'error' : 'warn') : null;
  if (runs.length < 2) {
    root.replaceChildren(warnings, notice('Fewer than two finished runs to compare. Pick others on the Backtests page.', 'error'), el('a', { href: '/app/backtests' }, 'Backtests'));
    return;
  }
  document.title = `Compare ${runs.length} backtests · AI Trader`;
  const chartBox = el('div', { class: 'equity-chart', role: 'figure', 'aria-label': 'Each run\u2019s return since its start' });
  const yearsBox = el('div', {}, el('p', { class: 'empty' }, 'Loading…'));
  const legend = el('ul', { class: 'legend' }, runs.map((r, i) => el('li', {}, el('span', { class: 'swatch', style: `background:${RUN_COLOURS[i % RUN_COLOURS.length]}` }), label(r, i))));
  root.replaceChildren(...[warnings,
    el('section', { class: 'panel', 'aria-labelledby': 'c-title' }, el('h2', { id: 'c-title' }, `${runs.length} runs`), el('div', { class: 'table-wrap free', tabindex: '0' }, specTable(runs))),
    el('section', { class: 'panel', 'aria-labelledby': 'cm-title' }, el('h2', { id: 'cm-title' }, 'Metrics'), el('div', { class: 'table-wrap free', tabindex: '0' }, metricsTable(runs))),
    el('section', { class: 'panel', 'aria-labelledby': 'ce-title' }, el('h2', { id: 'ce-title' }, 'Return since the start'), legend, chartBox),
    el('section', { class: 'panel', 'aria-labelledby': 'cy-title' }, el('h2', { id: 'cy-title' }, 'Returns by year'), yearsBox)].filter(Boolean));

  try {
    const curves = await Promise.all(runs.map((r) => api(`/api/backtests/${encodeURIComponent(r.id)}/files/equity.csv`, { text: true })));
    drawReturns(chartBox, runs.map((r, i) => ({ label: label(r, i), rows: parseCsv(curves[i]), initial: Number(r.summary.initial_capital) })));
  } catch (e) {
    chartBox.replaceChildren(notice(`Could not draw the curves: ${describe(e)}`, 'warn'));
  }
  try {
    const monthly = await Promise.all(runs.map((r) => api(`/api/backtests/${encodeURIComponent(r.id)}/monthly-returns`)));
    yearsBox.replaceChildren(yearsTable(runs, monthly));
  } catch (e) {
    yearsBox.replaceChildren(notice(`Could not load the yearly returns: ${describe(e)}`, 'warn'));
  }
}

function label(run, i) {
  const s = run.summary;
  return `${i + 1}. ${s.symbol || run.spec.symbol} ${s.strategy || run.spec.strategy}`;
}

function head(runs) {
  return el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, ''), runs.map((r, i) => el('th', { scope: 'col', class: 'num' },
    el('span', { class: 'swatch', style: `background:${RUN_COLOURS[i % RUN_COLOURS.length]}` }), el('a', { href: `/app/backtest?id=${encodeURIComponent(r.id)}` }, label(r, i))))));
}

/** What each run was: symbol, strategy, range, and every setting of summary.json's parameters that differs between
 * the runs (strategy parameters, costs, sizing), so the difference that matters is not lost among the equal ones. */
function specTable(runs) {
  const settings = (r) => r.summary.parameters || {};
  // "1" and "1.00" are the same commission: numbers compare as numbers.
  const same = (v) => (v !== null && v !== undefined && v !== '' && Number.isFinite(Number(v)) ? String(Number(v)) : String(v ?? '—'));
  const keys = [...new Set(runs.flatMap((r) => Object.keys(settings(r))))].sort();
  const differing = keys.filter((k) => new Set(runs.map((r) => same(settings(r)[k]))).size > 1);
  const rows = [
    ['Symbol', (r) => r.summary.symbol || r.spec.symbol], ['Strategy', (r) => r.summary.strategy || r.spec.strategy],
    ['Interval', (r) => r.summary.interval || r.spec.interval],
    ['Range (New York)', (r) => (r.summary.start ? `${nyDate(r.summary.start)} … ${nyDate(r.summary.end)}` : `${r.spec.start || 'first bar'} … ${r.spec.end || 'last bar'}`)],
    ...differing.map((k) => [k, (r) => String(settings(r)[k] ?? '—'), true]),
    ['Job', (r) => r.id],
  ];
  return el('table', { class: 'compare' },
    el('caption', { class: 'muted' }, differing.length ? `Settings that differ: ${differing.join(', ')}; the others are equal.` : 'Every setting is the same; only the data differ.'),
    head(runs), el('tbody', {}, rows.map(([title, f, diff]) => el('tr', { class: diff ? 'differs' : null }, el('th', { scope: 'row' }, title), runs.map((r) => el('td', { class: 'num' }, f(r)))))));
}

/** Every metric in a row per run; the best value of a row (where better has a direction) is marked. */
function metricsTable(runs) {
  const rows = METRICS.filter(([k]) => runs.some((r) => r.summary[k] !== undefined && r.summary[k] !== null)).map(([k, title, f, better, kind]) => {
    const values = runs.map((r) => (r.summary[k] === null || r.summary[k] === undefined ? null : Number(r.summary[k])));
    const known = values.filter((v) => v !== null && Number.isFinite(v));
    const best = better === 0 || known.length < 2 || new Set(known).size === 1 ? null : better > 0 ? Math.max(...known) : Math.min(...known);
    return el('tr', {}, el('th', { scope: 'row' }, title), values.map((v) => el('td', { class: `num ${v === null ? 'muted' : metricClass(kind, v)} ${v !== null && v === best ? 'best' : ''}`.trim(),
      title: v !== null && v === best ? 'best of these runs' : null }, v === null ? '—' : v === best ? el('strong', {}, f(v), ' ★') : f(v))));
  });
  return el('table', { class: 'compare' }, el('caption', { class: 'muted' }, '★ marks the best run of a row where higher or lower is better.'), head(runs), el('tbody', {}, rows));
}

/** Each year's return of each run (from its monthly returns), years down, runs across. */
function yearsTable(runs, monthly) {
  const years = [...new Set(monthly.flatMap((m) => m.years.map((y) => y.year)))].sort((a, b) => a - b);
  if (years.length === 0) return el('p', { class: 'empty' }, 'These runs have no complete session.');
  const value = (m, year) => m.years.find((y) => y.year === year)?.year_return ?? null;
  return el('table', { class: 'compare' }, el('caption', { class: 'muted' }, 'New York calendar years, compounded from each run\u2019s sessions; — where a run did not cover the year.'), head(runs),
    el('tbody', {}, years.map((year) => el('tr', {}, el('th', { scope: 'row' }, String(year)), monthly.map((m) => {
      const v = value(m, year);
      return el('td', { class: `num ${v === null ? 'muted' : metricClass('signed', v)}`.trim() }, v === null ? '—' : fmtPct(v));
    })))));
}
