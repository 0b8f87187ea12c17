// Backtests: a form that submits a backtest, a parameter sweep or a walk-forward as a job (strategy and parameter
// defaults from /api/strategies); a backtest's progress from its server-sent events, then its result page (a sweep
// opens its own page at once). The runs, newest first and paged, with boxes to pick two or more to compare; the sweeps.
import { api, el, header, notice, describe, fmtTime, followJob, me } from './app.js';

header('backtests');
const root = document.getElementById('root');
const formPanel = el('section', { class: 'panel', 'aria-labelledby': 'new-title' }, el('h2', { id: 'new-title' }, 'New backtest'), el('p', { class: 'empty' }, 'Loading strategies…'));
const listPanel = el('section', { class: 'panel', 'aria-labelledby': 'runs-title' }, el('h2', { id: 'runs-title' }, 'Runs'));
const sweepPanel = el('section', { class: 'panel', 'aria-labelledby': 'sweeps-title' }, el('h2', { id: 'sweeps-title' }, 'Sweeps and walk-forwards'));
root.replaceChildren(formPanel, listPanel, sweepPanel);

const INTERVALS = ['1Day', '1Hour', '30Min', '15Min', '5Min', '1Min'];
const RANK_BY = ['sharpe', 'cagr', 'total_return', 'calmar', 'profit_factor'];

buildForm();
const list = el('div');
const more = el('button', { type: 'button', hidden: true }, 'Older runs');
const refresh = el('button', { type: 'button', onclick: () => { loadRuns(true); loadSweeps(); } }, 'Refresh');
const compare = el('button', { type: 'button', id: 'compare', disabled: true, onclick: () => location.assign(`/app/compare?ids=${[...picked].map(encodeURIComponent).join(',')}`) }, 'Compare selected');
const picked = new Set();
listPanel.append(el('div', { class: 'row' }, refresh, compare, el('span', { class: 'muted' }, 'Tick two or more finished runs to compare them side by side.')), list, more);
const sweeps = el('div');
sweepPanel.append(sweeps);
let before = null;
more.addEventListener('click', () => loadRuns(false));
loadRuns(true);
loadSweeps();

async function buildForm() {
  let strategies, who;
  try {
    [strategies, who] = await Promise.all([api('/api/strategies'), me()]);
  } catch (e) {
    formPanel.replaceChildren(el('h2', {}, 'New backtest'), notice(`Could not load the strategies: ${describe(e)}. Reload the page.`, 'error'));
    return;
  }
  const field = (label, input, hint) => el('label', {}, label, input, hint ? el('span', { class: 'muted' }, hint) : null);
  const modes = [['backtest', 'One backtest'], ['sweep', 'Parameter sweep'], ['walk', 'Walk-forward']];
  const modeInputs = modes.map(([value], i) => el('input', { type: 'radio', name: 'mode', value, checked: i === 0 }));
  const modeBox = el('fieldset', { class: 'controls modes' }, el('legend', {}, 'Run as'),
    modes.map(([, title], i) => el('label', { class: 'check' }, modeInputs[i], ` ${title}`)));
  const strategy = el('select', { name: 'strategy', id: 'strategy' }, strategies.map((s) => el('option', { value: s.name }, s.name)));
  const symbol = el('input', { name: 'symbol', id: 'bt-symbol', value: 'SPY', required: true, size: '8', spellcheck: 'false' });
  const interval = el('select', { name: 'interval' }, INTERVALS.map((i) => el('option', { value: i }, i)));
  const start = el('input', { name: 'start', type: 'date', value: '2015-01-01' });
  const end = el('input', { name: 'end', type: 'date', value: '2020-12-31' });
  const capital = el('input', { name: 'capital', type: 'number', min: '1', step: 'any', value: '100000' });
  const slippage = el('input', { name: 'slippage_bps', type: 'number', min: '0', step: 'any', value: '5' });
  const perShare = el('input', { name: 'commission_per_share', type: 'number', min: '0', step: 'any', value: '0.005' });
  const minCommission = el('input', { name: 'min_commission', type: 'number', min: '0', step: 'any', value: '1.00' });
  const allowShort = el('input', { name: 'allow_short', type: 'checkbox' });
  const rankBy = el('select', { name: 'rank_by' }, RANK_BY.map((r) => el('option', { value: r }, r)));
  const isYears = el('input', { name: 'in_sample_years', type: 'number', min: '0.25', step: 'any', value: '3', size: '4' });
  const oosYears = el('input', { name: 'out_of_sample_years', type: 'number', min: '0.25', step: 'any', value: '1', size: '4' });
  const costs = el('div', { class: 'controls' }, field('Slippage (bps)', slippage), field('Commission per share (USD)', perShare),
    field('Minimum commission (USD)', minCommission), el('label', { class: 'check' }, allowShort, ' Allow shorts'));
  const sweepFields = el('div', { class: 'controls', hidden: true }, field('Rank by', rankBy), field('In-sample years', isYears), field('Out-of-sample years', oosYears),
    el('p', { class: 'muted' }, 'A sweep runs every combination with the default costs (5 bps slippage, $0.005 a share, $1 minimum).'));
  const paramBox = el('fieldset', { class: 'controls' });
  const mode = () => modeInputs.find((m) => m.checked).value;
  const renderParams = () => {
    const s = strategies.find((x) => x.name === strategy.value);
    paramBox.replaceChildren(el('legend', {}, mode() === 'backtest'
      ? `Parameters of ${s.name} (defaults filled in)`
      : `Parameters of ${s.name}: a list (2,3) or a range (10:60:10) is swept, a single value is fixed`),
    ...s.parameters.map((p) => el('label', { title: p.description }, p.name,
      el('input', { name: `param:${p.name}`, value: p.default, dataset: { default: p.default }, size: '8', 'aria-description': p.description }))));
  };
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Run backtest');
  const syncMode = () => {
    const m = mode();
    sweepFields.hidden = m === 'backtest';
    isYears.closest('label').hidden = m !== 'walk';
    oosYears.closest('label').hidden = m !== 'walk';
    costs.querySelectorAll('input').forEach((i) => { i.disabled = m !== 'backtest'; });
    submit.textContent = m === 'backtest' ? 'Run backtest' : m === 'sweep' ? 'Run sweep' : 'Run walk-forward';
    formPanel.querySelector('h2').textContent = m === 'backtest' ? 'New backtest' : m === 'sweep' ? 'New parameter sweep' : 'New walk-forward';
    renderParams();
  };
  strategy.addEventListener('change', renderParams);
  modeInputs.forEach((m) => m.addEventListener('change', syncMode));
  const progress = el('div', { 'aria-live': 'polite' });
  const form = el('form', { id: 'backtest-form', 'aria-labelledby': 'new-title' }, modeBox,
    el('div', { class: 'controls' }, field('Strategy', strategy), field('Symbol', symbol), field('Interval', interval),
      field('Start (New York date)', start), field('End', end), field('Capital (USD)', capital)),
    costs, sweepFields, paramBox, el('div', { class: 'row' }, submit), progress);
  const readOnly = who.role !== 'trader';
  if (readOnly) {
    submit.disabled = true;
    progress.replaceChildren(notice(`Signed in with the read-only key ${who.name}: you can look at runs but not start one. Sign in with a trader key (aitrader apikey create --name NAME --role trader) to run backtests.`, 'warn'));
  }
  formPanel.replaceChildren(el('h2', { id: 'new-title' }, 'New backtest'), form);
  syncMode();

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (readOnly) return;
    const parameters = {};
    const grid = [];
    for (const input of paramBox.querySelectorAll('input')) {
      const name = input.name.slice('param:'.length);
      const value = input.value.trim().replace(/\s+/g, '');
      if (mode() !== 'backtest' && /[,:]/.test(value)) grid.push(`${name}=${value}`);
      else if (value !== '' && value !== input.dataset.default) parameters[name] = value;
    }
    if (mode() !== 'backtest') {
      if (grid.length === 0) {
        progress.replaceChildren(notice('Nothing to sweep: give at least one parameter a list (2,3) or a range (10:60:10).', 'error'));
        paramBox.querySelector('input')?.focus();
        return;
      }
      const spec = { symbol: symbol.value.trim().toUpperCase(), strategy: strategy.value, interval: interval.value, grid: grid.join(','),
        rank_by: rankBy.value, capital: Number(capital.value), parameters };
      if (start.value) spec.start = start.value;
      if (end.value) spec.end = end.value;
      if (mode() === 'walk') spec.walk_forward = { in_sample_years: Number(isYears.value), out_of_sample_years: Number(oosYears.value) };
      submit.disabled = true;
      try {
        const job = await api('/api/sweeps', { method: 'POST', body: spec });
        location.assign(`/app/sweep?id=${encodeURIComponent(job.id)}`);
      } catch (err) {
        progress.replaceChildren(notice(`Not submitted: ${describe(err)}`, 'error'));
        focusField(form, err.field);
        submit.disabled = false;
      }
      return;
    }
    const spec = { symbol: symbol.value.trim().toUpperCase(), strategy: strategy.value, interval: interval.value, parameters,
      capital: Number(capital.value), slippage_bps: Number(slippage.value), commission_per_share: Number(perShare.value),
      min_commission: Number(minCommission.value), allow_short: allowShort.checked };
    if (start.value) spec.start = start.value;
    if (end.value) spec.end = end.value;
    submit.disabled = true;
    const bar = el('progress', { max: '1', value: '0', 'aria-label': 'Backtest progress' });
    const phase = el('span', { class: 'muted' }, 'queued');
    progress.replaceChildren(bar, phase);
    try {
      const job = await api('/api/backtests', { method: 'POST', body: spec });
      phase.textContent = `submitted ${job.id}; queued`;
      loadRuns(true);
      followJob('backtests', job.id, {
        onJob: (j) => {
          bar.value = j.progress ?? 0;
          phase.textContent = `${j.state}${j.phase ? ` · ${j.phase}` : ''} · ${Math.round((j.progress ?? 0) * 100)}%`;
          if (j.state === 'succeeded') location.assign(`/app/backtest?id=${encodeURIComponent(j.id)}`);
          if (j.state === 'failed' || j.state === 'cancelled') {
            progress.replaceChildren(notice(`Backtest ${j.state}: ${j.error || 'no reason given'}. Change the form and run again.`, 'error'));
            submit.disabled = false;
            loadRuns(true);
          }
        },
        onStatus: (s) => { if (s.startsWith('disconnected')) phase.textContent += ` (${s})`; },
      });
    } catch (err) {
      progress.replaceChildren(notice(`Not submitted: ${describe(err)}`, 'error'));
      focusField(form, err.field);
      submit.disabled = false;
    }
  });
}

/** Moves the focus to the form field a problem names (a strategy parameter, or the grid's first parameter). */
function focusField(form, field) {
  if (!field) return;
  const target = form.querySelector(`[name="${CSS.escape(field)}"]`) || form.querySelector(`[name="param:${CSS.escape(field)}"]`)
    || (field === 'grid' || field === 'parameters' ? form.querySelector('[name^="param:"]') : null);
  target?.focus();
}

function syncCompare() {
  compare.disabled = picked.size < 2;
  compare.textContent = picked.size ? `Compare selected (${picked.size})` : 'Compare selected';
}

async function loadRuns(first) {
  if (first) { before = null; list.replaceChildren(el('p', { class: 'empty' }, 'Loading runs…')); }
  try {
    const page = await api(`/api/backtests?limit=25${before ? `&before=${encodeURIComponent(before)}` : ''}`);
    before = page.next_before;
    more.hidden = !before;
    if (first && page.jobs.length === 0) {
      list.replaceChildren(el('p', { class: 'empty' }, 'No backtests yet. Fill in the form above (a trader key is needed), or run one through the API.'));
      return;
    }
    let tbody = list.querySelector('tbody');
    if (first || !tbody) {
      tbody = el('tbody');
      list.replaceChildren(el('div', { class: 'table-wrap', tabindex: '0' }, el('table', { id: 'runs' },
        el('thead', {}, el('tr', {}, ['Compare', 'Submitted (New York)', 'Symbol', 'Strategy', 'Interval', 'Range', 'State', 'Job'].map((h) => el('th', { scope: 'col' }, h)))), tbody)));
    }
    for (const job of page.jobs) {
      const s = job.spec || {};
      const box = job.state === 'succeeded'
        ? el('input', { type: 'checkbox', checked: picked.has(job.id), 'aria-label': `Compare ${job.id}`, dataset: { id: job.id },
          onchange: (e) => { if (e.target.checked) picked.add(job.id); else picked.delete(job.id); syncCompare(); } })
        : el('span', { class: 'muted', title: 'only finished runs can be compared' }, '—');
      const overrides = Object.entries(s.parameters || {}).map(([k, v]) => `${k}=${v}`).join(', ');
      tbody.append(el('tr', {},
        el('td', {}, box), el('td', {}, fmtTime(job.created_at)), el('td', {}, s.symbol || (s.symbols || []).join(', ')),
        el('td', {}, s.strategy || '', overrides ? el('div', { class: 'muted small' }, overrides) : null),
        el('td', {}, s.interval || ''), el('td', {}, `${s.start || 'start'} … ${s.end || 'end'}`),
        el('td', {}, el('span', { class: `state ${job.state}` }, job.state === 'running' ? `running ${Math.round(job.progress * 100)}%` : job.state),
          job.error ? el('div', { class: 'muted' }, job.error) : null),
        el('td', {}, el('a', { href: `/app/backtest?id=${encodeURIComponent(job.id)}` }, job.id))));
    }
    syncCompare();
  } catch (e) {
    list.replaceChildren(notice(`Could not list the runs: ${describe(e)}. Use Refresh to retry.`, 'error'));
  }
}

async function loadSweeps() {
  sweeps.replaceChildren(el('p', { class: 'empty' }, 'Loading sweeps…'));
  try {
    const page = await api('/api/sweeps?limit=25');
    if (page.jobs.length === 0) {
      sweeps.replaceChildren(el('p', { class: 'empty' }, 'No sweeps yet. Choose "Parameter sweep" or "Walk-forward" above and give a parameter a list (2,3) or a range (10:60:10).'));
      return;
    }
    sweeps.replaceChildren(el('div', { class: 'table-wrap', tabindex: '0' }, el('table', { id: 'sweeps' },
      el('thead', {}, el('tr', {}, ['Submitted (New York)', 'Symbol', 'Strategy', 'Kind', 'Grid', 'Range', 'State', 'Job'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, page.jobs.map((job) => {
        const s = job.spec || {};
        return el('tr', {}, el('td', {}, fmtTime(job.created_at)), el('td', {}, s.symbol || ''), el('td', {}, s.strategy || ''),
          el('td', {}, s.walk_forward ? 'walk-forward' : 'sweep'), el('td', {}, el('code', {}, s.grid || '')), el('td', {}, `${s.start || 'start'} … ${s.end || 'end'}`),
          el('td', {}, el('span', { class: `state ${job.state}` }, job.state === 'running' ? `running ${Math.round(job.progress * 100)}%` : job.state),
            job.error ? el('div', { class: 'muted' }, job.error) : null),
          el('td', {}, el('a', { href: `/app/sweep?id=${encodeURIComponent(job.id)}` }, job.id)));
      })))));
  } catch (e) {
    sweeps.replaceChildren(notice(`Could not list the sweeps: ${describe(e)}. Use Refresh to retry.`, 'error'));
  }
}
