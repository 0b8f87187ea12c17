// The chart's data shaping, apart from drawing so that it can be tested in Node (tests/browser/chartdata.test.mjs):
// New York axis times, the candles /api/chart sends (already merged by the server), a zoomed-in window spliced into the
// wider view, session (day) boundaries, a backtest's stop levels, and placing a trade on the candle that holds it; the
// dashboard's chart page and a backtest's report.html draw from these.
import { fmtQty, nyDate, nyFields } from './app.js';

/** New York wall clock as a UTC timestamp (seconds): what the chart's axis prints. */
export function axisTime(iso) {
  const f = nyFields(new Date(iso));
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) / 1000;
}

/** The candles of /api/chart ({t, t_last, o, h, l, c, v, n}, oldest first) with their frames (same order) as the chart
 * model: axis times, numbers, the first and last bar time of each candle, and the most bars a candle merges (group). */
export function candles(bars, frames, { daily }) {
  const out = { times: [], bars: [], frames: [], iso: [], group: 1, daily, tradesOutside: 0 };
  bars.forEach((b, i) => {
    const t = axisTime(b.t);
    if (out.times.length && t <= out.times[out.times.length - 1]) return; // a repeated wall-clock time (DST ends): never out of order
    const n = Number(b.n ?? 1);
    out.times.push(t);
    out.bars.push({ o: Number(b.o), h: Number(b.h), l: Number(b.l), c: Number(b.c), v: Number(b.v), n });
    out.frames.push(frames[i] || null);
    out.iso.push([b.t, b.t_last || b.t]);
    out.group = Math.max(out.group, n);
  });
  return out;
}

/** The wide model with a zoomed-in window's finer candles in place of the wide candles they overlap: candles wholly
 * before the window's first bar, the window's, then those wholly after its last bar. */
export function splice(wide, detail) {
  if (!detail.times.length) return wide;
  const first = Date.parse(detail.iso[0][0]);
  const last = Date.parse(detail.iso[detail.iso.length - 1][1]);
  const out = { times: [], bars: [], frames: [], iso: [], group: 1, daily: wide.daily, tradesOutside: 0 };
  const push = (m, i) => {
    if (out.times.length && m.times[i] <= out.times[out.times.length - 1]) return;
    out.times.push(m.times[i]); out.bars.push(m.bars[i]); out.frames.push(m.frames[i]); out.iso.push(m.iso[i]);
    out.group = Math.max(out.group, m.bars[i].n);
  };
  for (let i = 0; i < wide.times.length && Date.parse(wide.iso[i][1]) < first; i++) push(wide, i);
  for (let i = 0; i < detail.times.length; i++) push(detail, i);
  for (let i = 0; i < wide.times.length; i++) if (Date.parse(wide.iso[i][0]) > last) push(wide, i);
  return out;
}

/** Indices of the candles that open a New York session day (every candle after the first whose date differs from the
 * one before it): where an intraday chart draws its day boundaries. */
export function sessionStarts(model) {
  const out = [];
  let previous = null;
  model.iso.forEach(([first], i) => {
    const day = nyDate(first);
    if (previous !== null && day !== previous) out.push(i);
    previous = day;
  });
  return out;
}

/** A backtest's protective stops (orders.csv rows of type stop, of one symbol) as level segments on the model's candles:
 * from the candle of the order to the candle of the exit of the trade it protected (or the last candle while it still
 * works), at its first stop price, through every level it was moved to (orders.csv's stop_path: "time price;…", each on
 * the candle that holds its time), ending at its last. {from, to, first, last, open, moves: [[time, level], …]}. */
export function stopSegments(model, orders, trades) {
  const n = model.times.length;
  if (!n) return [];
  const exits = trades.map((t) => [Date.parse(t.entry_time), Date.parse(t.exit_time)]).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
  const out = [];
  for (const o of orders) {
    if ((o.type || '').toLowerCase() !== 'stop' || !o.stop_price) continue;
    const created = Date.parse(o.created_at);
    const trade = exits.find(([entry, exit]) => created >= entry - 86400000 && created <= exit);
    const open = !trade;
    const from = snap(model, o.created_at);
    const to = trade ? snap(model, new Date(trade[1]).toISOString()) : model.times[n - 1];
    if (from === null || to === null || to < from) continue;
    const moves = (o.stop_path || '').split(';').filter(Boolean).map((m) => m.split(' '))
      .map(([when, level]) => [snap(model, when), Number(level)]).filter(([t]) => t !== null && t >= from && t <= to);
    out.push({ from, to, first: Number(o.stop_price), last: Number(o.last_stop_price || o.stop_price), open, moves });
  }
  return out.sort((a, b) => a.from - b.from);
}

/** The axis time of the candle holding the instant `iso` (the last one starting at or before it), or null when the
 * instant is before the first candle or well after the last. */
export function snap(model, iso) {
  const t = axisTime(iso);
  const ts = model.times;
  if (!ts.length || t < ts[0]) return null;
  let lo = 0, hi = ts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ts[mid] <= t) lo = mid; else hi = mid - 1;
  }
  // After the last candle by more than it could span (a weekend or holiday for daily bars): outside.
  return lo === ts.length - 1 && t - ts[lo] > 86400 * model.group * (model.daily ? 4 : 1) ? null : ts[lo];
}

/** The stepped stop line of `stopSegments` as series points: each segment from its first level through its moves to
 * its last, then a point without a value on the next candle (a gap until the next stop). */
export function stopLine(model, stops) {
  const points = new Map();
  const index = new Map(model.times.map((t, i) => [t, i]));
  for (const s of stops) {
    points.set(s.from, s.first);
    for (const [time, level] of s.moves || []) points.set(time, level);
    points.set(s.to, s.last);
    const after = model.times[index.get(s.to) + 1];
    if (after !== undefined && !points.has(after)) points.set(after, null);
  }
  return [...points].sort((a, b) => a[0] - b[0]).map(([time, value]) => (value === null ? { time } : { time, value }));
}

/** Trades (trades.csv rows) as markers on the model's candles, in time order: entries as arrows (a long's below the
 * candle, a short's above), exits as dots labelled with the net P&L and the exit reason, in the colours `up` (a long
 * entry, a gain) and `down`. `outside` counts the entries and exits that fall on no candle. */
export function tradeMarkers(model, trades, { up, down }) {
  const markers = [];
  let outside = 0;
  for (const t of trades || []) {
    const long = (t.side || '').toLowerCase() !== 'short';
    const entry = t.entry_time && snap(model, t.entry_time);
    const exit = t.exit_time && snap(model, t.exit_time);
    if (entry) markers.push({ time: entry, position: long ? 'belowBar' : 'aboveBar', shape: long ? 'arrowUp' : 'arrowDown', color: long ? up : down, text: `${long ? 'buy' : 'short'} ${fmtQty(t.quantity)}` });
    else outside++;
    if (exit) {
      const pnl = Number(t.pnl);
      markers.push({ time: exit, position: long ? 'aboveBar' : 'belowBar', shape: 'circle', color: pnl >= 0 ? up : down, text: `${pnl >= 0 ? '+' : ''}${pnl.toFixed(0)} (${t.exit_reason || 'exit'})` });
    } else if (t.exit_time) outside++;
  }
  markers.sort((a, b) => a.time - b.time);
  return { markers, outside };
}
