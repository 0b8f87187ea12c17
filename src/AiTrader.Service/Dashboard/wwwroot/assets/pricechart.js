// The price chart's shared drawing, one code for the dashboard's chart page and a backtest's report.html: the chart's
// options in the theme's colours, candles with their volume, a backtest's trades as markers and its protective stops as
// a stepped line (the data shaping is chartdata.js's).
import { stopLine, stopSegments, tradeMarkers } from './chartdata.js';

const LC = globalThis.LightweightCharts;

/** Options for a series that shows no last-value label or line. */
export const QUIET = { lastValueVisible: false, priceLineVisible: false };

/** A price chart in the palette p (app.js palette()): intraday axes show the time of day, the crosshair moves freely. */
export function createPriceChart(box, p, { daily, fontFamily }) {
  return LC.createChart(box, {
    autoSize: true,
    layout: { background: { type: 'solid', color: p.bg }, textColor: p.text, fontFamily, panes: { separatorColor: p.border } },
    grid: { vertLines: { color: p.border }, horzLines: { color: p.border } },
    rightPriceScale: { borderColor: p.border, scaleMargins: { top: 0.06, bottom: 0.22 } },
    timeScale: { borderColor: p.border, timeVisible: !daily, secondsVisible: false },
    crosshair: { mode: LC.CrosshairMode.Normal },
  });
}

/** Adds the volume histogram (on a hidden scale in the bottom fifth) and the candles; returns { volume, candles }. */
export function addCandles(chart, p) {
  const volume = chart.addSeries(LC.HistogramSeries, { priceScaleId: 'volume', priceFormat: { type: 'volume' }, ...QUIET });
  chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 }, visible: false });
  const candles = chart.addSeries(LC.CandlestickSeries, { upColor: p.up, downColor: p.down, borderUpColor: p.up, borderDownColor: p.down, wickUpColor: p.up, wickDownColor: p.down });
  return { volume, candles };
}

/** Fills the volume and the candles of `layers` from the model (chartdata.js candles()). */
export function setCandles(layers, { times, bars }) {
  layers.volume.setData(times.map((time, i) => ({ time, value: bars[i].v, color: bars[i].c >= bars[i].o ? 'rgba(38,194,129,0.35)' : 'rgba(255,92,108,0.35)' })));
  layers.candles.setData(times.map((time, i) => ({ time, open: bars[i].o, high: bars[i].h, low: bars[i].l, close: bars[i].c })));
}

/** Adds the stepped stop line (when the model has orders) and the trade markers to `layers`. */
export function addTrades(chart, layers, p, model) {
  if (model.orders?.length) {
    layers.stops = chart.addSeries(LC.LineSeries, { color: p.warn, lineStyle: LC.LineStyle.Dashed, lineWidth: 2, lineType: LC.LineType.WithSteps,
      crosshairMarkerVisible: false, ...QUIET });
  }
  layers.markers = LC.createSeriesMarkers(layers.candles, []);
}

/** Draws the model's trades and stops (model.trades, model.orders as in trades.csv and orders.csv); returns the stop
 * segments and markers drawn and how many entries or exits fall outside the candles. */
export function setTrades(layers, model, p) {
  const stops = layers.stops ? stopSegments(model, model.orders, model.trades) : [];
  layers.stops?.setData(stopLine(model, stops));
  const { markers, outside } = tradeMarkers(model, model.trades, p);
  layers.markers.setMarkers(markers);
  return { stops, markers, outside };
}
