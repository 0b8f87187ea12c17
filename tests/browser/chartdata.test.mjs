// The chart's data shaping in Node (node --test): New York axis times across DST, the merge of a long range into at most
// maxDraw candles with correct OHLCV, and trades placed on the candle that holds them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisTime, candles, snap } from '../../src/AiTrader.Service/Dashboard/wwwroot/assets/chartdata.js';

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

test('a range within maxDraw is drawn bar for bar, with each bar\'s frame', () => {
  const bars = minuteBars(50);
  const frames = bars.map((b) => ({ timestamp: b.t, filtered_price: b.c }));
  const m = candles(bars, frames, { maxDraw: 100, daily: false });
  assert.equal(m.group, 1);
  assert.equal(m.times.length, 50);
  assert.deepEqual(m.bars[7], { o: 107, h: 107.5, l: 106.5, c: 107.25, v: 10 });
  assert.equal(m.frames[7].filtered_price, 107.25);
});

test('a long range is merged into at most maxDraw candles with the OHLCV of each group', () => {
  const bars = minuteBars(20000);
  const m = candles(bars, [], { maxDraw: 6000, daily: false });
  assert.equal(m.group, 4);
  assert.ok(m.times.length <= 6000);
  assert.equal(m.times.length, 5000);
  // Candle 10 holds bars 40..43.
  assert.deepEqual(m.bars[10], { o: 140, h: 143.5, l: 139.5, c: 143.25, v: 40 });
  assert.deepEqual(m.iso[10], [bars[40].t, bars[43].t]);
  for (let i = 1; i < m.times.length; i++) assert.ok(m.times[i] > m.times[i - 1], 'times increase');
  assert.equal(m.frames[10], null, 'no frames given: none drawn');
});

test('trades land on the candle that holds them; outside the range they are left out', () => {
  const bars = minuteBars(20000);
  const m = candles(bars, [], { maxDraw: 6000, daily: false });
  assert.equal(snap(m, bars[42].t), m.times[10]);
  assert.equal(snap(m, bars[0].t), m.times[0]);
  assert.equal(snap(m, '2013-10-07T13:29:00Z'), null, 'before the first bar');
  assert.equal(snap(m, bars[19999].t), m.times[4999]);
  assert.equal(snap(m, '2014-01-01T15:00:00Z'), null, 'months after the last bar');
});

test('daily bars: a trade on a bar\'s date finds that bar', () => {
  const days = ['2019-02-01', '2019-02-04', '2019-02-05'].map((d, i) => ({ t: `${d}T14:30:00Z`, o: 1 + i, h: 2 + i, l: i, c: 1.5 + i, v: 1 }));
  const m = candles(days, [], { maxDraw: 6000, daily: true });
  assert.equal(snap(m, '2019-02-04T14:30:00Z'), m.times[1]);
  assert.equal(snap(m, '2019-02-04T20:59:00Z'), m.times[1], 'later the same day');
});
