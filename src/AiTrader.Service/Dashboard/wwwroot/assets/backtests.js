// Backtests: a form that submits a backtest job (strategy and parameter defaults from /api/strategies), its progress
// from the job's server-sent events, then its result page; and the list of runs, newest first, paged.
import { api, el, header, notice, describe, fmtTime, followJob, me } from './app.js';

header('backtests');
const root = document.getElementById('root');
const formPanel = el('section', { class: 'panel', 'aria-labelledby': 'new-title' }, el('h2', { id: 'new-title' }, 'New backtest'), el('p', { class: 'empty' }, 'Loading strategies…'));
const listPanel = el('section', { class: 'panel', 'aria-labelledby': 'runs-title' }, el('h2', { id: 'runs-title' }, 'Runs'));
root.replaceChildren(formPanel, listPanel);

const INTERVALS = ['1Day', '1Hour', '30Min', '15Min', '5Min', '1Min'];

buildForm();
const list = el('div');
const more = el('button', { type: 'button', hidden: true }, 'Older runs');
const refresh = el('button', { type: 'button', onclick: () => loadRuns(true) }, 'Refresh');
listPanel.append(el('div', { class: 'row' }, refresh), list, more);
let before = null;
more.addEventListener('click', () => loadRuns(false));
loadRuns(true);

async function buildForm() {
  let strategies, who;
  try {
    [strategies, who] = await Promise.all([api('/api/strategies'), me()]);
  } catch (e) {
    formPanel.replaceChildren(el('h2', {}, 'New backtest'), notice(`Could not load the strategies: ${describe(e)}. Reload the page.`, 'error'));
    return;
  }
  const field = (label, input, hint) => el('label', {}, label, input, hint ? el('span', { class: 'muted' }, hint) : null);
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
  const paramBox = el('fieldset', { class: 'controls' }, el('legend', {}, 'Strategy parameters (defaults filled in)'));
  const renderParams = () => {
    const s = strategies.find((x) => x.name === strategy.value);
    paramBox.replaceChildren(el('legend', {}, `Parameters of ${s.name} (defaults filled in)`),
      ...s.parameters.map((p) => el('label', { title: p.description }, p.name,
        el('input', { name: `param:${p.name}`, value: p.default, dataset: { default: p.default }, size: '8', 'aria-description': p.description }))));
  };
  strategy.addEventListener('change', renderParams);
  renderParams();
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Run backtest');
  const progress = el('div', { 'aria-live': 'polite' });
  const form = el('form', { id: 'backtest-form', 'aria-labelledby': 'new-title' },
    el('div', { class: 'controls' }, field('Strategy', strategy), field('Symbol', symbol), field('Interval', interval),
      field('Start (New York date)', start), field('End', end), field('Capital (USD)', capital), field('Slippage (bps)', slippage),
      field('Commission per share (USD)', perShare), field('Minimum commission (USD)', minCommission),
      el('label', { class: 'check' }, allowShort, ' Allow shorts')),
    paramBox, el('div', { class: 'row' }, submit), progress);
  const readOnly = who.role !== 'trader';
  if (readOnly) {
    submit.disabled = true;
    progress.replaceChildren(notice(`Signed in with the read-only key ${who.name}: you can look at runs but not start one. Sign in with a trader key (aitrader apikey create --name NAME --role trader) to run backtests.`, 'warn'));
  }
  formPanel.replaceChildren(el('h2', { id: 'new-title' }, 'New backtest'), form);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (readOnly) return;
    const parameters = {};
    for (const input of paramBox.querySelectorAll('input')) {
      const value = input.value.trim();
      if (value !== '' && value !== input.dataset.default) parameters[input.name.slice('param:'.length)] = value;
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
      if (err.field) form.querySelector(`[name="${CSS.escape(err.field)}"]`)?.focus();
      submit.disabled = false;
    }
  });
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
      list.replaceChildren(el('div', { class: 'table-wrap' }, el('table', {},
        el('thead', {}, el('tr', {}, ['Submitted (New York)', 'Symbol', 'Strategy', 'Interval', 'Range', 'State', 'Job'].map((h) => el('th', { scope: 'col' }, h)))), tbody)));
    }
    for (const job of page.jobs) {
      const s = job.spec || {};
      tbody.append(el('tr', {},
        el('td', {}, fmtTime(job.created_at)), el('td', {}, s.symbol || (s.symbols || []).join(', ')), el('td', {}, s.strategy || ''),
        el('td', {}, s.interval || ''), el('td', {}, `${s.start || 'start'} … ${s.end || 'end'}`),
        el('td', {}, el('span', { class: `state ${job.state}` }, job.state === 'running' ? `running ${Math.round(job.progress * 100)}%` : job.state),
          job.error ? el('div', { class: 'muted' }, job.error) : null),
        el('td', {}, el('a', { href: `/app/backtest?id=${encodeURIComponent(job.id)}` }, job.id))));
    }
  } catch (e) {
    list.replaceChildren(notice(`Could not list the runs: ${describe(e)}. Use Refresh to retry.`, 'error'));
  }
}
