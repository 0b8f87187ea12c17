// A backtest's report.html (written by `aitrader backtest`, opened from disk): its charts drawn by the dashboard's own
// chart code from the JSON block the report carries (the bars merged into candles and the equity curve thinned once
// when the report was written). The report inlines this module and those it imports, so nothing is fetched.
import { notice, palette } from './app.js';
import { candles } from './chartdata.js';
import { drawDrawdown, drawEquity } from './performance.js';
import { addCandles, addTrades, createPriceChart, setCandles, setTrades } from './pricechart.js';

/** Candles with volume, the trades as markers and their stops as a stepped line; redrawn when the theme changes.
 * What is drawn goes to the box's data attributes (candles, markers, stops) for a reader of the markup or a test. */
export function drawPrice(box, data) {
  if (!globalThis.LightweightCharts) { box.replaceChildren(notice('The chart library did not load.', 'error')); return; }
  const model = Object.assign(candles(data.candles, [], { daily: data.daily }), { trades: data.trades, orders: data.orders });
  let chart;
  const draw = () => {
    chart?.remove();
    const p = palette();
    chart = createPriceChart(box, p, { daily: model.daily, fontFamily: getComputedStyle(document.body).fontFamily });
    const layers = addCandles(chart, p);
    addTrades(chart, layers, p, model);
    setCandles(layers, model);
    const { stops, markers } = setTrades(layers, model, p);
    chart.timeScale().fitContent();
    Object.assign(box.dataset, { candles: String(model.times.length), markers: String(markers.length), stops: String(stops.length) });
  };
  draw();
  document.addEventListener('themechange', draw);
}

const source = document.getElementById('report-data');
if (source) {
  const data = JSON.parse(source.textContent);
  const box = (id) => document.getElementById(id);
  if (box('price-chart')) drawPrice(box('price-chart'), data);
  if (box('equity-chart')) drawEquity(box('equity-chart'), data.equity, data.initial_capital);
  if (box('drawdown-chart')) drawDrawdown(box('drawdown-chart'), data.equity);
  document.body.dataset.charts = 'drawn';
}
