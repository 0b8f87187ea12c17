// The chart's data shaping, apart from drawing so that it can be tested in Node (tests/browser/chartdata.test.mjs):
// New York axis times, merging bars into at most maxDraw candles, and placing a trade on the candle that holds it.
import { nyFields } from './app.js';

/** New York wall clock as a UTC timestamp (seconds): what the chart's axis prints. */
export function axisTime(iso) {
  const f = nyFields(new Date(iso));
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) / 1000;
}

/** Bars ({t, o, h, l, c, v}, oldest first) with their signal frames (by timestamp), as at most maxDraw candles: beyond
 * that, each candle merges `group` neighbouring bars (open of the first, high and low of all, close of the last, summed
 * volume; the frame of the last). */
export function candles(bars, frames, { maxDraw, daily }) {
  const byTime = new Map(frames.map((f) => [f.timestamp, f]));
  const group = Math.max(1, Math.ceil(bars.length / maxDraw));
  const out = { times: [], bars: [], frames: [], iso: [], group, daily, tradesOutside: 0 };
  for (let i = 0; i < bars.length; i += group) {
    const slice = bars.slice(i, i + group);
    const last = slice[slice.length - 1];
    let h = -Infinity, l = Infinity, v = 0;
    for (const b of slice) {
      h = Math.max(h, Number(b.h));
      l = Math.min(l, Number(b.l));
      v += Number(b.v);
    }
    const t = axisTime(slice[0].t);
    if (out.times.length && t <= out.times[out.times.length - 1]) continue; // a repeated wall-clock time (DST ends): never out of order
    out.times.push(t);
    out.bars.push({ o: Number(slice[0].o), h, l, c: Number(last.c), v });
    out.frames.push(byTime.get(last.t) || null);
    out.iso.push([slice[0].t, last.t]);
  }
  return out;
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
