// Trading: the paper replay sessions, and one session's book (cash, equity, positions, working orders) and guardrail
// panel (kill switch, drawdown halts) with confirmed actions, updated live from the session's server-sent events.
import { api, el, header, notice, describe, fmtMoney, fmtQty, fmtTime, followJob, me, confirmDialog, signClass } from './app.js';

header('trading');
const root = document.getElementById('root');
const id = new URLSearchParams(location.search).get('id');

if (id) session(id); else sessions();

async function sessions() {
  const box = el('div', {}, el('p', { class: 'empty' }, 'Loading sessions…'));
  const start = el('section', { class: 'panel', 'aria-labelledby': 'n-title' }, el('h2', { id: 'n-title' }, 'New paper replay session'));
  root.replaceChildren(start, el('section', { class: 'panel', 'aria-labelledby': 's-title' }, el('h2', { id: 's-title' }, 'Sessions'), box));
  startForm(start);
  try {
    const page = await api('/api/sessions?limit=50');
    if (page.jobs.length === 0) {
      box.replaceChildren(el('p', { class: 'empty' }, 'No sessions yet. Start a paper replay above (a trader key), or with POST /api/sessions; it appears here.'));
      return;
    }
    box.replaceChildren(el('div', { class: 'table-wrap', tabindex: '0' }, el('table', {},
      el('thead', {}, el('tr', {}, ['Submitted (New York)', 'Symbols', 'Strategy', 'Replay', 'State', 'Session'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, page.jobs.map((job) => {
        const s = job.spec || {};
        return el('tr', {}, el('td', {}, fmtTime(job.created_at)), el('td', {}, (s.symbols || []).join(', ')), el('td', {}, s.strategy || ''),
          el('td', {}, `${s.from || ''} … ${s.to || ''} · ${s.interval || ''} · speed ${s.speed || 'max'}`),
          el('td', {}, el('span', { class: `state ${job.state}` }, job.state === 'running' ? `running ${Math.round(job.progress * 100)}%` : job.state)),
          el('td', {}, el('a', { href: `/app/trading?id=${encodeURIComponent(job.id)}` }, job.id)));
      })))));
  } catch (e) {
    box.replaceChildren(notice(`Could not list the sessions: ${describe(e)}. Reload to retry.`, 'error'));
  }
}

/** The form that starts a paper replay of the bundled bars (trader keys only). */
async function startForm(panel) {
  let who = { role: 'read' };
  let strategies = [];
  try { [who, strategies] = await Promise.all([me(), api('/api/strategies')]); } catch (e) {
    panel.append(notice(`Could not load the form: ${describe(e)}`, 'error'));
    return;
  }
  const symbols = el('input', { name: 'symbols', value: 'SPY,IBM', size: '14', spellcheck: 'false', required: true });
  const from = el('input', { name: 'from', type: 'date', value: '2013-10-07', required: true });
  const to = el('input', { name: 'to', type: 'date', value: '2013-10-11', required: true });
  const interval = el('select', { name: 'interval' }, ['1Min', '5Min', '15Min', '30Min', '1Hour', '1Day'].map((i) => el('option', { value: i }, i)));
  const strategy = el('select', { name: 'strategy' }, strategies.map((x) => el('option', { value: x.name }, x.name)));
  const speed = el('select', { name: 'speed' }, [['60', '60× (a minute a second)'], ['600', '600×'], ['max', 'as fast as it goes']].map(([v, t]) => el('option', { value: v }, t)));
  const submit = el('button', { type: 'submit', class: 'primary', disabled: who.role !== 'trader' }, 'Start session');
  const note = el('div', { 'aria-live': 'polite' });
  const form = el('form', { class: 'controls', id: 'session-form' },
    el('label', {}, 'Symbols (comma-separated)', symbols), el('label', {}, 'From (New York date)', from), el('label', {}, 'To', to),
    el('label', {}, 'Interval', interval), el('label', {}, 'Strategy', strategy), el('label', {}, 'Speed', speed), submit);
  panel.append(el('p', { class: 'muted' }, 'Replays the bundled bars through the trading loop, the order router and the default guardrails, journaled under its own run (the bundled minute bars cover 2013-10-07 to 2013-10-11).'), form, note);
  if (who.role !== 'trader') note.replaceChildren(notice('Read-only key: starting a session needs a trader key.', 'warn'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      const job = await api('/api/sessions', { method: 'POST', body: { symbols: symbols.value.split(',').map((x) => x.trim().toUpperCase()).filter(Boolean),
        from: from.value, to: to.value, interval: interval.value, strategy: strategy.value, speed: speed.value } });
      location.assign(`/app/trading?id=${encodeURIComponent(job.id)}`);
    } catch (err) {
      note.replaceChildren(notice(`Not started: ${describe(err)}`, 'error'));
      submit.disabled = false;
    }
  });
}

async function session(sessionId) {
  document.title = `Session ${sessionId} · AI Trader`;
  const live = el('span', { id: 'live', class: 'state', 'aria-live': 'polite' }, 'connecting…');
  const jobLine = el('span', { class: 'muted' }, '');
  const bookBox = el('div', {}, el('p', { class: 'empty' }, 'Loading the book…'));
  const guardBox = el('div', {}, el('p', { class: 'empty' }, 'Loading the guardrails…'));
  const actions = el('div', { class: 'row' });
  const actionNote = el('div', { 'aria-live': 'polite' });
  root.replaceChildren(
    el('p', {}, el('a', { href: '/app/trading' }, '← all sessions'), ' · ', el('a', { href: `/app/chart?session=${encodeURIComponent(sessionId)}` }, 'its trades and stops on the chart')),
    el('section', { class: 'panel' }, el('h2', {}, `Session ${sessionId}`), el('div', { class: 'row' }, jobLine, el('span', { class: 'spacer' }), el('span', { class: 'muted' }, 'updates: '), live)),
    el('div', { class: 'grid' },
      el('section', { class: 'panel', 'aria-labelledby': 'b-title' }, el('h2', { id: 'b-title' }, 'Book'), bookBox),
      el('section', { class: 'panel', 'aria-labelledby': 'g-title' }, el('h2', { id: 'g-title' }, 'Guardrails'), guardBox, actions, actionNote)));

  let who = { role: 'read' };
  try { who = await me(); } catch { /* shown as read-only */ }
  let running = false;

  const loadBook = async () => {
    try {
      renderBook(bookBox, await api(`/api/sessions/${encodeURIComponent(sessionId)}/book`));
    } catch (e) {
      bookBox.replaceChildren(notice(e.status === 409 ? 'No book yet: the session has not started trading.' : describe(e), e.status === 409 ? 'warn' : 'error'));
    }
  };
  const loadGuardrails = async () => {
    try {
      renderGuardrails(guardBox, await api(`/api/sessions/${encodeURIComponent(sessionId)}/guardrails`));
      renderActions(true);
    } catch (e) {
      guardBox.replaceChildren(notice(e.status === 409 ? 'The guardrail panel exists only while the session runs; this session is not running.' : describe(e), e.status === 409 ? '' : 'error'));
      renderActions(false);
    }
  };
  const act = async (title, text, confirm, danger, reason, call) => {
    const answer = await confirmDialog({ title, text, confirm, danger, reason });
    if (answer === null) return;
    try {
      renderGuardrails(guardBox, await call(answer));
      actionNote.replaceChildren(notice(`${confirm}: done.`));
    } catch (e) {
      actionNote.replaceChildren(notice(describe(e), 'error'));
    }
  };
  const renderActions = (isRunning) => {
    running = isRunning;
    const trader = who.role === 'trader';
    const disabled = !trader || !running;
    const path = `/api/sessions/${encodeURIComponent(sessionId)}`;
    actions.replaceChildren(
      el('button', { type: 'button', disabled, onclick: async () => {
        if (await confirmDialog({ title: 'Stop this session?', text: 'The replay stops now; its run is recorded as stopped and its book stays readable.', confirm: 'Stop session', danger: true }) === null) return;
        try { await api(path, { method: 'DELETE' }); actionNote.replaceChildren(notice('Stop requested.')); } catch (e) { actionNote.replaceChildren(notice(describe(e), 'error')); }
      } }, 'Stop session'),
      el('button', { type: 'button', class: 'danger', disabled, onclick: () => act('Engage the kill switch?', 'Every new order of this session is blocked (protective orders still go) until it is released. Each block is journaled with your reason.', 'Engage kill switch', true, true, (reason) => api(`${path}/kill-switch`, { method: 'POST', body: { reason } })) }, 'Engage kill switch'),
      el('button', { type: 'button', disabled, onclick: () => act('Release the kill switch?', 'New orders are allowed again, subject to the other guardrails.', 'Release kill switch', false, false, () => api(`${path}/kill-switch`, { method: 'DELETE' })) }, 'Release'),
      el('button', { type: 'button', disabled, onclick: () => act('Reset the drawdown halt?', 'Trading resumes after a max-drawdown halt. Allowed only once its cool-off is over.', 'Reset halt', false, false, () => api(`${path}/reset-halt`, { method: 'POST' })) }, 'Reset halt'));
    if (!trader) actionNote.replaceChildren(notice('Read-only key: the actions need a trader key.', 'warn'));
  };

  await Promise.all([loadBook(), loadGuardrails()]);
  let lastGuard = 0;
  let bookTimer = null;
  followJob('sessions', sessionId, {
    onJob: (job) => {
      jobLine.replaceChildren(el('span', { class: `state ${job.state}` }, job.state), ` ${Math.round((job.progress ?? 0) * 100)}%${job.phase ? ` · ${job.phase}` : ''}`,
        job.error ? ` · ${job.error}` : '');
      const nowRunning = job.state === 'running';
      if (nowRunning !== running || Date.now() - lastGuard > 3000) { lastGuard = Date.now(); loadGuardrails(); }
      if (!nowRunning) loadBook();
    },
    onBook: () => { // at most one refresh a second, however fast the replay trades
      if (bookTimer) return;
      bookTimer = setTimeout(() => { bookTimer = null; loadBook(); }, 1000);
    },
    onStatus: (s) => { live.textContent = s; live.className = `state ${s === 'live' ? 'ok' : s === 'ended' ? '' : 'running'}`; },
  });
}

function renderBook(box, book) {
  const kv = (k, v, cls) => [el('dt', {}, k), el('dd', { class: cls || null }, v)];
  box.replaceChildren(
    el('dl', { class: 'kv' }, kv('Run', book.run_id), kv('State', book.state), kv('As of', fmtTime(book.as_of)), kv('Cash', fmtMoney(book.cash)),
      kv('Equity', fmtMoney(book.equity)), kv('Fills', String(book.fills))),
    el('h3', {}, 'Positions'),
    book.positions && book.positions.length
      ? el('table', {}, el('thead', {}, el('tr', {}, ['Symbol', 'Quantity', 'Mark', 'Market value'].map((h, i) => el('th', { scope: 'col', class: i ? 'num' : null }, h)))),
        el('tbody', {}, book.positions.map((p) => el('tr', {}, el('td', {}, p.symbol), el('td', { class: `num ${signClass(p.quantity)}` }, fmtQty(p.quantity)),
          el('td', { class: 'num' }, fmtMoney(p.mark)), el('td', { class: 'num' }, fmtMoney(p.market_value))))))
      : el('p', { class: 'empty' }, book.positions ? 'Flat: no open positions.' : 'No snapshot yet: the book appears once the session trades.'),
    el('h3', {}, 'Working orders'),
    book.working_orders && book.working_orders.length
      ? el('div', { class: 'table-wrap', tabindex: '0' }, el('table', {}, el('thead', {}, el('tr', {}, ['Symbol', 'Side', 'Type', 'Qty', 'Filled', 'Limit', 'Stop', 'Since', 'Reason'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, book.working_orders.map((o) => el('tr', {}, el('td', {}, o.symbol), el('td', {}, o.side), el('td', {}, o.type), el('td', { class: 'num' }, fmtQty(o.quantity)),
          el('td', { class: 'num' }, fmtQty(o.filled)), el('td', { class: 'num' }, fmtMoney(o.limit_price)), el('td', { class: 'num' }, fmtMoney(o.stop_price)),
          el('td', {}, fmtTime(o.created_at)), el('td', {}, o.reason || ''))))))
      : el('p', { class: 'empty' }, 'No working orders.'));
}

function renderGuardrails(box, panel) {
  const kill = panel.kill_switch;
  const halts = panel.drawdown_halts || [];
  box.replaceChildren(
    el('dl', { class: 'kv' },
      el('dt', {}, 'Kill switch'), el('dd', {}, kill
        ? [el('span', { class: `state ${kill.engaged ? 'engaged' : 'ok'}` }, kill.engaged ? 'ENGAGED' : 'released'),
          kill.engaged ? [' since ', fmtTime(kill.engaged_at), ` by ${kill.engaged_by}: ${kill.reason}`] : null]
        : 'not in this session\'s guardrails'),
      el('dt', {}, 'Drawdown halts'), el('dd', {}, halts.length === 0 ? 'none configured' : halts.map((h, i) => el('div', {},
        el('span', { class: `state ${h.halted ? 'halted' : 'ok'}` }, h.halted ? 'HALTED' : 'trading'),
        h.halted_at ? [' since ', fmtTime(h.halted_at)] : null, h.cool_off_ends ? [' · cool-off ends ', fmtTime(h.cool_off_ends)] : null,
        halts.length > 1 ? ` (gate ${i + 1})` : null))),
      el('dt', {}, 'Rules'), el('dd', {}, (panel.rules || []).join(', ') || 'none')),
    el('details', {}, el('summary', {}, 'Every guardrail\'s state'), el('pre', {}, JSON.stringify(panel.state, null, 2))));
}
