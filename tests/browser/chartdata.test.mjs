// The chart's data shaping in Node (node --test): New York axis times across DST, the server's candles with their bar
// counts, a zoomed window spliced into the wide view, day boundaries, stop segments, and trades placed on the candle
// that holds them, as markers; stops as a stepped line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisTime, candles, sessionStarts, snap, splice, stopLine, stopSegments, tradeMarkers } from '../../src/AiTrader.Service/Dashboard/wwwroot/assets/chartdata.js';

test('axis times are New York wall clock, in summer (EDT) and winter (EST)', () => {
  assert.equal(axisTime('2013-10-07T13:30:00Z'), Date.UTC(2013, 9, 7, 9, 30) / 1000);
  assert.equal(axisTime('2020-01-02T14:30:00Z'), Date.UTC(2020, 0, 2, 9, 30) / 1000);
  // The Sunday DST starts: 06:59Z is 01:59 EST, 07:00Z is 03:00 EDT.
  assert.equal(axisTime('2021-03-14T06:59:00Z'), Date.UTC(2021, 2, 14, 1, 59) / 1000);
  assert.equal(axisTime('2021-03-14T07:00:00Z'), Date.UTC(2021, 2, 14, 3, 0) / 1000);
});

/** n one-minute bars from 2013-10-07 13:30Z with known prices: bar i opens at 100+i, high 100+i+0.5, low 100+i-0.5. */
function minuteBars(n) {
  const start = Date.parse('2013-10-07T13:30:00Z');
  return Array.from({ length: n }, (_, i) => ({
    t: new Date(start + i * 60000).toISOString().replace('.000Z', 'Z'), o: 100 + i, h: 100 + i + 0.5, l: 100 + i - 0.5, c: 100 + i + 0.25, v: 10,
  }));
}

/** Candles as /api/chart sends them: bar i of `minuteBars`, merged `group` at a time by hand (the server's job). */
function merged(bars, group) {
  const out = [];
  for (let i = 0; i < bars.length; i += group) {
    const g = bars.slice(i, i + group);
    out.push({ t: g[0].t, t_last: g[g.length - 1].t, o: g[0].o, h: g[g.length - 1].h, l: g[0].l, c: g[g.length - 1].c, v: 10 * g.length, n: g.length });
  }
  return out;
}

test('candles keep what the server sent, with each candle\'s frame and its first and last bar time', () => {
  const bars = minuteBars(50);
  const frames = bars.map((b) => ({ timestamp: b.t, filtered_price: b.c }));
  const m = candles(bars, frames, { daily: false });
  assert.equal(m.group, 1);
  assert.equal(m.times.length, 50);
  assert.deepEqual(m.bars[7], { o: 107, h: 107.5, l: 106.5, c: 107.25, v: 10, n: 1 });
  assert.equal(m.frames[7].filtered_price, 107.25);
  const wide = candles(merged(minuteBars(20000), 4), [], { daily: false });
  assert.equal(wide.group, 4);
  assert.deepEqual(wide.iso[10], [minuteBars(44)[40].t, minuteBars(44)[43].t]);
  assert.equal(wide.frames[10], null, 'no frames given: none drawn');
});

test('a zoomed window\'s finer candles replace the wide candles they cover, the rest stays', () => {
  const bars = minuteBars(400);
  const wide = candles(merged(bars, 10), [], { daily: false }); // 40 candles of 10 bars
  const detail = candles(merged(bars.slice(100, 200), 1), [], { daily: false }); // bars 100..199 one by one
  const m = splice(wide, detail);
  assert.equal(m.times.length, 10 + 100 + 20);
  assert.deepEqual(m.iso[9], [bars[90].t, bars[99].t], 'the wide candle before the window');
  assert.deepEqual(m.iso[10], [bars[100].t, bars[100].t], 'the window, bar by bar');
  assert.deepEqual(m.iso[110], [bars[200].t, bars[209].t], 'the wide candle after it');
  for (let i = 1; i < m.times.length; i++) assert.ok(m.times[i] > m.times[i - 1], 'times increase');
  assert.equal(m.group, 10);
});

test('session starts are the first candle of each New York day, not the first of the data', () => {
  // 2013-10-07 and 2013-10-08, 09:30–15:59 EDT (13:30Z–19:59Z), 390 bars each; and one bar at 23:30Z, still the 8th in New York.
  const day = (d) => Array.from({ length: 390 }, (_, i) => ({ t: new Date(Date.parse(`${d}T13:30:00Z`) + i * 60000).toISOString().replace('.000Z', 'Z'), o: 1, h: 1, l: 1, c: 1, v: 1 }));
  const bars = [...day('2013-10-07'), ...day('2013-10-08'), { t: '2013-10-08T23:30:00Z', o: 1, h: 1, l: 1, c: 1, v: 1 }, ...day('2013-10-09')];
  assert.deepEqual(sessionStarts(candles(bars, [], { daily: false })), [390, 781]);
});

test('a stop runs from its order to the exit of the trade it protects; an unfilled one to the last candle', () => {
  const bars = minuteBars(100);
  const m = candles(bars, [], { daily: false });
  const trades = [{ entry_time: bars[10].t, exit_time: bars[30].t }];
  const orders = [
    { type: 'market', created_at: bars[9].t },
    { type: 'stop', created_at: bars[10].t, stop_price: '98.5', last_stop_price: '104', stop_path: `${bars[15].t} 101;${bars[22].t} 104` },
    { type: 'stop', created_at: bars[60].t, stop_price: '150', last_stop_price: '', stop_path: '' },
  ];
  assert.deepEqual(stopSegments(m, orders, trades), [
    { from: m.times[10], to: m.times[30], first: 98.5, last: 104, open: false, moves: [[m.times[15], 101], [m.times[22], 104]] },
    { from: m.times[60], to: m.times[99], first: 150, last: 150, open: true, moves: [] },
  ]);
});

test('trades land on the candle that holds them; outside the range they are left out', () => {
  const bars = minuteBars(20000);
  const m = candles(merged(bars, 4), [], { daily: false });
  assert.equal(snap(m, bars[42].t), m.times[10]);
  assert.equal(snap(m, bars[0].t), m.times[0]);
  assert.equal(snap(m, '2013-10-07T13:29:00Z'), null, 'before the first bar');
  assert.equal(snap(m, bars[19999].t), m.times[4999]);
  assert.equal(snap(m, '2014-01-01T15:00:00Z'), null, 'months after the last bar');
});

test('daily bars: a trade on a bar\'s date finds that bar', () => {
  const days = ['2019-02-01', '2019-02-04', '2019-02-05'].map((d, i) => ({ t: `${d}T14:30:00Z`, o: 1 + i, h: 2 + i, l: i, c: 1.5 + i, v: 1 }));
  const m = candles(days, [], { daily: true });
  assert.equal(snap(m, '2019-02-04T14:30:00Z'), m.times[1]);
  assert.equal(snap(m, '2019-02-04T20:59:00Z'), m.times[1], 'later the same day');
});

test('the stop line steps from each stop\'s first level through every move to its last, with a gap before the next stop', () => {
  const bars = minuteBars(100);
  const m = candles(bars, [], { daily: false });
  const stops = [
    { from: m.times[10], to: m.times[30], first: 98.5, last: 104, open: false, moves: [[m.times[15], 101], [m.times[22], 104]] },
    { from: m.times[60], to: m.times[99], first: 150, last: 150, open: true, moves: [] },
  ];
  // Each move is a step on its candle: 98.5 from the order, 101 from bar 15, 104 from bar 22 to the exit.
  assert.deepEqual(stopLine(m, stops), [
    { time: m.times[10], value: 98.5 }, { time: m.times[15], value: 101 }, { time: m.times[22], value: 104 }, { time: m.times[30], value: 104 }, { time: m.times[31] },
    { time: m.times[60], value: 150 }, { time: m.times[99], value: 150 },
  ]);
});

test('trade markers: a long\'s entry below the candle, a short\'s above, exits labelled with P&L; outside ones counted', () => {
  const bars = minuteBars(100);
  const m = candles(bars, [], { daily: false });
  const colours = { up: 'green', down: 'red' };
  const trades = [
    { side: 'long', quantity: '100', entry_time: bars[40].t, exit_time: bars[50].t, pnl: '-12.4', exit_reason: 'stop' },
    { side: 'short', quantity: '5', entry_time: bars[10].t, exit_time: bars[20].t, pnl: '30.6', exit_reason: 'signal' },
    { side: 'long', quantity: '1', entry_time: '2013-10-06T15:00:00Z', exit_time: bars[5].t, pnl: '1', exit_reason: '' },
  ];
  const { markers, outside } = tradeMarkers(m, trades, colours);
  assert.equal(outside, 1, 'the entry the day before the first bar');
  assert.deepEqual(markers.map((k) => [k.time, k.position, k.shape, k.color, k.text]), [
    [m.times[5], 'aboveBar', 'circle', 'green', '+1 (exit)'],
    [m.times[10], 'aboveBar', 'arrowDown', 'red', 'short 5'],
    [m.times[20], 'belowBar', 'circle', 'green', '+31 (signal)'],
    [m.times[40], 'belowBar', 'arrowUp', 'green', 'buy 100'],
    [m.times[50], 'aboveBar', 'circle', 'red', '-12 (stop)'],
  ]);
});
