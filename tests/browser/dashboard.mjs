// Real-browser test of the dashboard: starts `aitrader serve` on a free loopback port with a fresh data folder and a
// trader key made by `aitrader apikey create`, then drives Debian's Chromium (headless, through playwright-core):
// sign in, the chart of SPY 1Day (waits for the canvas), a small backtest submitted from the form until its result page
// (monthly returns), two runs compared, a sweep from the form (heat map) and a walk-forward, a premarket scan replayed
// and a watchlist built from the scans page, the chart with the backtest's trades, trading, the journal filtered by
// rule and exported, health with the service's recent errors, the dark theme and a tablet width.
// Screenshots go to tests/browser/screenshots/ (or SCREENSHOTS). Any page error or console error fails the run.
//
//   dotnet build src/AiTrader.Cli && (cd tests/browser && npm ci && node dashboard.mjs)
//
// CHROMIUM: the browser (default /usr/bin/chromium); AITRADER_CLI: the built aitrader.dll (default: the Debug build).
// Exits 0 on success, 1 on a failure, and 0 with "skipped: ..." when Chromium is missing and CI is not set.
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';
const cli = process.env.AITRADER_CLI || join(repo, 'src/AiTrader.Cli/bin/Debug/net10.0/aitrader.dll');
const shots = resolve(process.env.SCREENSHOTS || join(here, 'screenshots'));

if (!existsSync(browserPath)) {
  const why = `Chromium not found at ${browserPath} (apt-get install chromium, or set CHROMIUM)`;
  if (process.env.CI) { console.error(`failed: ${why}`); process.exit(1); }
  console.log(`skipped: ${why}`);
  process.exit(0);
}
if (!existsSync(cli)) {
  console.error(`failed: ${cli} is missing; run 'dotnet build src/AiTrader.Cli' first (or set AITRADER_CLI)`);
  process.exit(1);
}

const root = mkdtempSync(join(tmpdir(), 'aitrader-dash-'));
// The bundled sample data; BIG, a million generated 1Min bars, joins it only while the chart zooms over it (the scans
// read every minute file).
const sample = join(root, 'sample');
cpSync(join(repo, 'data', 'sample'), sample, { recursive: true });
const BIG_BARS = 1_000_000;
const env = { ...process.env, AITRADER_DATA_DIR: join(root, 'data'), AITRADER_ARTIFACTS_DIR: join(root, 'artifacts'), AITRADER_SAMPLE_DATA: sample };
const axeSource = readFileSync(join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const a11yChecked = [];
delete env.DATABASE_URL;
mkdirSync(shots, { recursive: true });
let server, browser, page;
const problems = [];
const started = Date.now();
const step = (text) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${text}`);
const pct = new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: 'exceptZero' });
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
let base, key;
/** The API with the trader key (what a script would do), for setting up and for the values the pages must show. */
async function apiJson(path, body) {
  const response = await fetch(base + path, { method: body ? 'POST' : 'GET', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}
/** A file the API serves, as text, with the trader key. */
async function apiText(path) {
  const response = await fetch(base + path, { headers: { Authorization: `Bearer ${key}` } });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.text();
}
/** Submits a job and waits until it has finished; returns the job. */
async function runJob(kind, spec) {
  const job = await apiJson(`/api/${kind}`, spec);
  for (let i = 0; i < 120; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await apiJson(`/api/${kind}/${job.id}`);
    if (!['queued', 'running'].includes(now.state)) return now;
  }
  throw new Error(`${kind} ${job.id} did not finish`);
}

try {
  key = execFileSync('dotnet', [cli, 'apikey', 'create', '--name', 'browser-test', '--role', 'trader'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  if (!/^ait_[0-9a-f]{12}_/.test(key)) throw new Error('apikey create printed no key');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn('dotnet', [cli, 'serve', '--urls', base], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let serverLog = '';
  server.stdout.on('data', (d) => { serverLog += d; });
  server.stderr.on('data', (d) => { serverLog += d; });
  await waitFor(async () => (await fetch(`${base}/health/live`)).ok, 30000, () => `the service did not start:\n${serverLog}`);
  step(`service up at ${base}`);

  browser = await chromium.launch({ executablePath: browserPath, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, colorScheme: 'light', timezoneId: 'Europe/Berlin' });
  page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
  // Chromium logs every non-2xx fetch as a console error; a 409 is the API saying "not yet" or "not running" (a session's
  // book before it trades, its guardrails once it ended), which the pages show as such. Any other error fails the run.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 409 \(Conflict\)/.test(m.text())) problems.push(`console error on ${page.url()}: ${m.text()}`);
  });

  // Not signed in: the chart page sends the browser to the login page, which brings it back after.
  await page.goto(`${base}/app/chart?symbol=SPY&interval=1Day`);
  expect(page.url().startsWith(`${base}/login?return=`), `expected the login page, got ${page.url()}`);
  await shot(page, '00-login.png');
  await page.fill('#key', 'ait_000000000000_nonsense');
  await page.click('button[type=submit]');
  await page.waitForSelector('.message');
  expect((await page.textContent('.message')).includes('not an API key'), 'a malformed key should be refused with a message');
  await shot(page, '01-login-refused.png');
  // Chromium logs the refusal's 401 as a console error: that one is expected.
  problems.splice(0, problems.length, ...problems.filter((p) => !/status of 401/.test(p) || !p.includes('/login')));
  await page.fill('#key', key);
  await Promise.all([page.waitForURL(`${base}/app/chart**`), page.click('button[type=submit]')]);
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'aitrader_session');
  expect(session && session.httpOnly && session.sameSite === 'Strict', `session cookie should be HTTP-only and SameSite=Strict: ${JSON.stringify(session)}`);
  step('signed in');

  // Chart: candles drawn on a canvas, the legend filled, the status naming the bars read.
  await page.waitForSelector('#chart canvas', { timeout: 20000 });
  await page.waitForSelector('#chart[data-state="drawn"]', { timeout: 20000 });
  const chartStatus = await page.textContent('#root .notice');
  expect(!/error|could not/i.test(chartStatus), `chart status: ${chartStatus}`);
  await page.hover('#chart', { position: { x: 700, y: 200 } });
  expect(/O \d/.test(await page.textContent('#legend')), 'legend shows the bar under the crosshair');
  await shot(page, '02-chart-spy-1day.png');
  step(`chart drawn: ${chartStatus.trim()}`);

  // Scans before any scan: the empty states say what to do.
  await page.goto(`${base}/app/scans`);
  await page.waitForFunction(() => /No premarket scan refreshes are stored yet/.test(document.querySelector('#root')?.textContent || ''), null, { timeout: 10000 });
  await page.waitForSelector('text=No watchlists are saved yet');
  await shot(page, '13-scans-empty.png');

  // Backtest from the form: progress, then its result page with metrics, equity and trades.
  await page.goto(`${base}/app/backtests`);
  await page.waitForSelector('#backtest-form');
  await page.fill('#bt-symbol', 'SPY');
  await page.fill('input[name=start]', '2018-01-01');
  await page.fill('input[name=end]', '2020-12-31');
  await Promise.all([page.waitForURL(`${base}/app/backtest?id=**`, { timeout: 60000 }), page.click('#backtest-form button[type=submit]')]);
  await page.waitForSelector('table caption', { timeout: 20000 });
  await page.waitForSelector('.equity-chart canvas', { timeout: 20000 });
  const metrics = await page.textContent('#m-title + table');
  expect(/Final equity\s*\$/.test(metrics), `summary table: ${metrics}`);
  // Sort the trades by P&L with the keyboard.
  await page.focus('th:has-text("P&L") button');
  await page.keyboard.press('Enter');
  expect((await page.getAttribute('th:has-text("P&L")', 'aria-sort')) === 'ascending', 'P&L header sorts');
  const backtestId = new URL(page.url()).searchParams.get('id');
  // Monthly returns: one row per year of the run, the year column as the API computes it.
  await page.waitForSelector('#monthly table.monthly');
  const monthly = await apiJson(`/api/backtests/${backtestId}/monthly-returns`);
  const yearCells = await page.$$eval('#monthly tbody tr', (rows) => rows.map((r) => [r.querySelector('th').textContent, r.lastElementChild.textContent.trim()]));
  expect(JSON.stringify(yearCells) === JSON.stringify(monthly.years.map((y) => [String(y.year), pct.format(y.year_return)])), `monthly years: ${JSON.stringify(yearCells)}`);
  // Drawdown: its deepest point is the summary's max drawdown.
  await page.waitForSelector('#drawdown canvas');
  const summaryNow = (await apiJson(`/api/backtests/${backtestId}`)).summary;
  const deepest = Number(await page.getAttribute('#drawdown', 'data-deepest'));
  expect(deepest < 0 && Math.abs(Math.abs(deepest) - Math.abs(summaryNow.max_drawdown)) < 1e-4, `deepest drawdown ${deepest} vs max_drawdown ${summaryNow.max_drawdown}`);
  // Orders: a row for each line of orders.csv.
  const orderLines = (await apiText(`/api/backtests/${backtestId}/files/orders.csv`)).trim().split('\n');
  await page.waitForSelector('#orders tbody tr');
  expect((await page.$$('#orders tbody tr')).length === orderLines.length - 1, `${orderLines.length - 1} orders listed`);
  // Trades filtered by their exit reason, then the rows shown downloaded as CSV with the file's columns.
  const tradeLines = (await apiText(`/api/backtests/${backtestId}/files/trades.csv`)).trim().split('\n');
  const reasonAt = tradeLines[0].split(',').indexOf('exit_reason');
  const stopped = tradeLines.slice(1).filter((l) => l.split(',')[reasonAt] === 'stop');
  expect(stopped.length > 0 && stopped.length < tradeLines.length - 1, `some but not all trades exit on their stop: ${stopped.length} of ${tradeLines.length - 1}`);
  await page.fill('input[name=trades-filter]', 'stop');
  await page.waitForFunction((n) => document.querySelectorAll('#trades tbody tr').length === n, stopped.length, { timeout: 5000 });
  const [tradesDownload] = await Promise.all([page.waitForEvent('download'), page.click('#trades button.download')]);
  const downloaded = readFileSync(await tradesDownload.path(), 'utf8').trim().split('\n');
  expect(tradesDownload.suggestedFilename() === 'trades-filtered.csv' && downloaded[0] === tradeLines[0] && downloaded.length === stopped.length + 1
    && downloaded.slice(1).every((l) => l.split(',')[reasonAt] === 'stop'), `filtered download: ${tradesDownload.suggestedFilename()}, ${downloaded.length - 1} rows`);
  await shot(page, '03-backtest-result.png', { fullPage: true });
  step(`backtest ${backtestId} finished and shown with ${yearCells.length} years of monthly returns`);

  // Two runs side by side: tick both in the runs list, compare.
  const other = await runJob('backtests', { symbol: 'SPY', start: '2018-01-01', end: '2020-12-31', parameters: { lookback: '40' } });
  await page.goto(`${base}/app/backtests`);
  await page.waitForSelector(`#runs input[data-id="${other.id}"]`);
  await page.check(`#runs input[data-id="${backtestId}"]`);
  await page.check(`#runs input[data-id="${other.id}"]`);
  await Promise.all([page.waitForURL(`${base}/app/compare?ids=**`), page.click('#compare')]);
  await page.waitForSelector('.equity-chart canvas', { timeout: 20000 });
  await page.waitForSelector('#cy-title + table, #cy-title ~ div table', { timeout: 20000 });
  const compareText = await page.textContent('#root');
  const first = await apiJson(`/api/backtests/${backtestId}`);
  expect(compareText.includes(usd.format(first.summary.final_equity)) && compareText.includes(usd.format(other.summary.final_equity)), 'compare shows both final equities');
  expect(/Settings that differ: lookback/.test(compareText), 'compare names the differing setting');
  expect((await page.$$('table.compare td.best')).length > 0, 'compare marks the best runs');
  await shot(page, '18-compare.png', { fullPage: true });
  step(`compared ${backtestId} with ${other.id}`);

  // A parameter sweep from the form: its heat map's best cell is the API's best combination.
  await page.goto(`${base}/app/backtests`);
  await page.waitForSelector('#backtest-form');
  await page.check('input[name=mode][value=sweep]');
  await page.fill('input[name="param:lookback"]', '20,40');
  await page.fill('input[name="param:atr_multiplier"]', '2,3');
  await page.fill('input[name=start]', '2015-01-01');
  await page.fill('input[name=end]', '2020-12-31');
  await Promise.all([page.waitForURL(`${base}/app/sweep?id=**`), page.click('#backtest-form button[type=submit]')]);
  await page.waitForSelector('table.heatmap td.best', { timeout: 60000 });
  const sweepId = new URL(page.url()).searchParams.get('id');
  const sweep = await apiJson(`/api/sweeps/${sweepId}/result`);
  expect(sweep.combinations === 4 && (await page.$$('#ranking tbody tr')).length === 4, 'four combinations listed');
  expect((await page.textContent('table.heatmap td.best')).trim() === Number(sweep.ranked[0].sharpe).toFixed(2), `best Sharpe cell: ${await page.textContent('table.heatmap td.best')}`);
  await page.selectOption('#heatmap select[name=metric]', 'total_return');
  const bestReturn = Math.max(...sweep.ranked.map((r) => r.total_return));
  expect((await page.textContent('table.heatmap td.best')).trim() === pct.format(bestReturn), `best return cell: ${await page.textContent('table.heatmap td.best')}`);
  await shot(page, '16-sweep-heatmap.png', { fullPage: true });
  step(`sweep ${sweepId}: heat map and ${sweep.combinations} combinations`);

  // A walk-forward (through the API): every window in the table, its out-of-sample equity and monthly returns.
  const walk = await runJob('sweeps', { symbol: 'SPY', grid: 'lookback=20,40', start: '2010-01-01', end: '2020-12-31', walk_forward: { in_sample_years: 3, out_of_sample_years: 1 } });
  expect(walk.state === 'succeeded', `walk-forward ${walk.state}: ${walk.error}`);
  await page.goto(`${base}/app/sweep?id=${walk.id}`);
  await page.waitForSelector('#monthly table.monthly', { timeout: 20000 });
  await page.waitForSelector('.equity-chart canvas');
  expect((await page.$$('#ranking tbody tr')).length === walk.result.windows, `${walk.result.windows} walk-forward windows`);
  expect((await page.textContent('#oos-title + table')).includes(usd.format(walk.result.out_of_sample.final_equity)), 'out-of-sample final equity shown');
  await shot(page, '17-walk-forward.png', { fullPage: true });
  step(`walk-forward ${walk.id}: ${walk.result.windows} windows`);
  // A job that fails (no data in its range) is a warning the health page lists later. (Run now: the paper session
  // below holds the one job slot until it ends.)
  const failed = await runJob('backtests', { symbol: 'SPY', start: '2030-01-01' });
  expect(failed.state === 'failed', 'a backtest after the data fails');

  // Scans: a day's premarket scan replayed from the page; the ranked table is the API's latest refresh; an earlier
  // window chosen with the keyboard; a watchlist built from the form.
  await page.goto(`${base}/app/scans`);
  await page.waitForSelector('#replay-form button[type=submit]:not([disabled])');
  await page.fill('#replay-form input[name=date]', '2013-10-08');
  await page.fill('#replay-form input[name=top]', '5');
  await page.click('#replay-form button[type=submit]');
  await page.waitForSelector('#ranked table', { timeout: 30000 });
  const day = await apiJson('/api/scans/refreshes/2013-10-08?rows=ranked');
  const latest = day.refreshes[day.refreshes.length - 1];
  const shown = await page.$$eval('#ranked tbody tr', (rows) => rows.map((r) => r.children[1].textContent));
  expect(JSON.stringify(shown) === JSON.stringify(latest.rows.map((r) => r.symbol)), `ranked ${shown} vs ${latest.rows.map((r) => r.symbol)}`);
  expect((await page.textContent('#ranked tbody tr')).includes(pct.format(latest.rows[0].gap)), 'the first row shows its gap');
  expect((await page.$$('#history tbody tr')).length === day.refreshes.length, `${day.refreshes.length} refreshes in the history`);
  await shot(page, '14-scans-replayed.png', { fullPage: true });
  await page.focus('#history tbody tr:last-child button');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /Refresh · 2013-10-08 · 04:00/.test(document.querySelector('#r-title')?.textContent || ''), null, { timeout: 10000 });
  expect((await page.getAttribute('#history tbody tr:last-child button', 'aria-pressed')) === 'true', 'the chosen window is marked');
  await page.fill('#build-form input[name=bucket]', 'browser');
  await page.selectOption('#build-form select[name=source]', 'sample');
  await page.click('#build-form button[type=submit]');
  await page.waitForSelector('#wl-browser', { timeout: 10000 });
  const scanList = await apiJson('/api/watchlists/scan');
  const scanCard = await page.textContent('section[aria-labelledby="wl-scan"]');
  expect(scanList.entries.every((e) => scanCard.includes(e.symbol)) && /source: scan/.test(scanCard), 'the scan bucket shows its list and source');
  expect(/source: sample/.test(await page.textContent('section[aria-labelledby="wl-browser"]')), 'the built list shows its source');
  await shot(page, '15-scans-earlier-window.png', { fullPage: true });
  step(`scan replayed: ${day.refreshes.length} refreshes, latest ranked ${shown.join(', ')}; watchlist built`);

  // The chart with that backtest's trades as markers and its stops as levels, every overlay and every sub-pane.
  await page.goto(`${base}/app/chart?symbol=SPY&interval=1Day&start=2018-01-01&end=2020-12-31&backtest=${backtestId}&overlays=sma,ema,bb,donchian&panes=rsi,prob_up,zscore`);
  await page.waitForSelector('#chart canvas');
  await page.waitForSelector('#chart[data-state="drawn"]', { timeout: 20000 });
  const drawnChart = await page.$eval('#chart', (c) => ({ ...c.dataset }));
  const tradeRows = (await (await fetch(`${base}/api/backtests/${backtestId}/files/trades.csv`, { headers: { Authorization: `Bearer ${key}` } })).text()).trim().split('\n').slice(1);
  const orderRows = (await (await fetch(`${base}/api/backtests/${backtestId}/files/orders.csv`, { headers: { Authorization: `Bearer ${key}` } })).text()).trim().split('\n').slice(1);
  const stopOrders = orderRows.filter((r) => r.split(',')[3] === 'stop').length;
  expect(drawnChart.panes === '4' && drawnChart.overlays === 'sma,ema,bb,donchian', `price pane and three sub-panes, four overlays: ${JSON.stringify(drawnChart)}`);
  expect(stopOrders > 0 && drawnChart.stops === String(stopOrders), `a stop level for each of the ${stopOrders} stop orders: ${drawnChart.stops}`);
  expect(drawnChart.markers === String(2 * tradeRows.length), `an entry and an exit marker for each of the ${tradeRows.length} trades: ${drawnChart.markers}`);
  // The legend (no crosshair: the last session) shows the studies' values as /api/signals computes them.
  const lastFrame = (await apiJson('/api/signals?symbol=SPY&interval=1Day&start=2020-12-01&end=2020-12-31&limit=100')).frames.at(-1);
  const legendText = await page.textContent('#legend');
  const num = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });
  for (const [label, value] of [['SMA', num.format(lastFrame.sma_20)], ['BB upper', num.format(lastFrame.bb_upper_20)], ['Donchian low', num.format(lastFrame.donchian_low_20)],
    ['RSI', lastFrame.rsi_14.toFixed(1)], ['z', lastFrame.zscore_20.toFixed(2)]]) {
    expect(legendText.includes(`${label} ${value}`), `legend shows ${label} ${value}: ${legendText}`);
  }
  // Unticking a pane redraws without it, keeping the others.
  await page.uncheck('#pane-zscore');
  await page.waitForFunction(() => document.querySelector('#chart').dataset.panes === '3');
  expect(new URL(page.url()).searchParams.get('panes') === 'rsi,prob_up', `the address keeps the panes chosen: ${page.url()}`);
  await page.check('#pane-zscore');
  await page.waitForFunction(() => document.querySelector('#chart').dataset.panes === '4');
  await shot(page, '04-chart-with-trades.png');
  step(`chart studies: ${drawnChart.overlays}; ${drawnChart.panes} panes; ${drawnChart.stops} stops; ${drawnChart.markers} markers`);

  // Dark theme by the toggle, kept across pages.
  await page.click('header button.theme');
  await page.waitForSelector('#chart canvas');
  await page.waitForTimeout(300);
  expect((await page.getAttribute('html', 'data-theme')) === 'dark', 'theme toggle sets dark');
  await shot(page, '05-chart-dark.png');

  // Minute bars: New York times on the axis and in the legend.
  await page.goto(`${base}/app/chart?symbol=IBM&interval=5Min&start=2013-10-07&end=2013-10-08`);
  await page.waitForSelector('#chart[data-state="drawn"]', { timeout: 20000 });
  await page.hover('#chart', { position: { x: 600, y: 250 } });
  expect(/10\/0[78]\/2013, \d\d:\d\d:00 EDT/.test(await page.textContent('#legend')), `5Min legend in New York time: ${await page.textContent('#legend')}`);
  await shot(page, '04b-chart-ibm-5min.png');
  // Two New York sessions: one day boundary, at the first bar of the second.
  expect((await page.getAttribute('#chart', 'data-sessions')) === '1', `one day boundary on two days of 5Min bars: ${await page.getAttribute('#chart', 'data-sessions')}`);

  // A million 1Min bars: the API sends at most 2,000 candles for any window, and zooming reads the window again in finer
  // candles without freezing the page (no task over a second on the main thread).
  await writeMillionBars(join(sample, 'minute', 'BIG.csv'), BIG_BARS);
  const chartResponses = [];
  const collectChart = async (r) => { if (r.url().includes('/api/chart?') && r.ok()) chartResponses.push({ url: r.url(), body: await r.json() }); };
  page.on('response', collectChart);
  await page.goto(`${base}/app/chart?symbol=BIG&interval=1Min&overlays=sma&panes=rsi`);
  await page.waitForSelector('#chart[data-state="drawn"]', { timeout: 60000 });
  // The page asks for the candles alone first, then with their signal frames: both within 2,000 candles.
  const quick = chartResponses.find((r) => !r.url.includes('from=') && r.url.includes('signals=false'));
  const wide = chartResponses.find((r) => !r.url.includes('from=') && !r.url.includes('signals=false'));
  expect(quick && !quick.body.frames && quick.body.bars.length <= 2000, `the candles alone first: ${quick && quick.body.bars.length}`);
  expect(wide && wide.body.total === BIG_BARS && wide.body.bars.length <= 2000 && wide.body.frames.length === wide.body.bars.length,
    `the whole range in at most 2,000 candles: ${wide && `${wide.body.total} bars as ${wide.body.bars.length}`}`);
  expect(wide.body.bars.reduce((sum, b) => sum + b.n, 0) === BIG_BARS && wide.body.group === 500, `every bar in one candle, 500 a candle: group ${wide.body.group}`);
  await page.evaluate(() => {
    globalThis.longestTask = 0;
    new PerformanceObserver((list) => { for (const e of list.getEntries()) globalThis.longestTask = Math.max(globalThis.longestTask, e.duration); }).observe({ type: 'longtask' });
  });
  const box = await page.$eval('#chart', (c) => { const r = c.getBoundingClientRect(); return { x: r.x + r.width * 0.6, y: r.y + r.height * 0.3 }; });
  let slowest = 0;
  for (let round = 1; round <= 3; round++) {
    await page.mouse.move(box.x, box.y);
    for (let i = 0; i < 12; i++) {
      await page.mouse.wheel(0, -400);
      const t0 = Date.now();
      await page.evaluate(() => 1); // the page answers between wheel steps
      slowest = Math.max(slowest, Date.now() - t0);
    }
    await page.waitForFunction((n) => Number(document.querySelector('#chart').dataset.detail || 0) >= n && !document.querySelector('#chart').dataset.refining, round, { timeout: 30000 });
    if ((await page.getAttribute('#chart', 'data-visible-group')) === '1') break;
  }
  // Collected for this section alone: a later page's chart answer may be navigated away from before its body is read.
  page.off('response', collectChart);
  const details = chartResponses.filter((r) => r.url.includes('from='));
  const finest = Number(await page.getAttribute('#chart', 'data-visible-group'));
  expect(details.length > 0 && details.every((r) => r.body.bars.length <= 2000), `zoomed windows within 2,000 candles: ${details.map((r) => r.body.bars.length)}`);
  expect(finest < 500 && details.at(-1).body.group === finest, `zooming in reads finer candles: ${details.map((r) => r.body.group)}`);
  const longest = await page.evaluate(() => globalThis.longestTask);
  expect(longest < 1000 && slowest < 1000, `the page stays responsive: longest task ${longest} ms, slowest answer ${slowest} ms`);
  await shot(page, '04d-chart-million-bars-zoomed.png');
  rmSync(join(sample, 'minute', 'BIG.csv'));
  step(`a million bars: ${wide.body.bars.length} candles, then ${details.length} zoomed window(s) down to ${finest} bar(s) a candle; longest task ${Math.round(longest)} ms`);

  // An unknown symbol: the API's problem, shown as an error that says what is wrong.
  await page.goto(`${base}/app/chart?symbol=NOSUCH&interval=1Day`);
  await page.waitForSelector('#chart[data-state="error"]', { timeout: 20000 });
  expect(/unknown symbol 'NOSUCH'/.test(await page.textContent('#root .notice.error')), 'the error names the symbol');
  await shot(page, '04c-chart-unknown-symbol.png');
  problems.splice(0, problems.length, ...problems.filter((p) => !/status of 400/.test(p))); // the refused request itself



  // Trading: a paper replay session started from the form, its book and guardrails live, the kill switch engaged
  // through the confirm dialog and released again.
  await page.goto(`${base}/app/trading`);
  await page.waitForSelector('#session-form button[type=submit]:not([disabled])');
  await page.fill('#session-form input[name=symbols]', 'SPY, IBM');
  await page.selectOption('#session-form select[name=speed]', '60');
  await shot(page, '07-trading-list.png');
  await Promise.all([page.waitForURL(`${base}/app/trading?id=**`), page.click('#session-form button[type=submit]')]);
  const sessionId = new URL(page.url()).searchParams.get('id');
  await page.waitForSelector('button.danger:not([disabled])', { timeout: 20000 });
  await page.click('button.danger');
  await page.waitForSelector('dialog[open] input');
  await page.fill('dialog[open] input', 'browser test');
  await shot(page, '08-kill-switch-confirm.png');
  await page.click('dialog[open] button[type=submit]');
  await page.waitForSelector('.state.engaged', { timeout: 10000 });
  expect((await page.textContent('#g-title + div')).includes('browser test'), 'kill switch shows the reason');
  await page.waitForFunction(() => /live/.test(document.querySelector('#live')?.textContent || ''), null, { timeout: 10000 });
  await page.waitForTimeout(1500); // a few bars of live updates
  await shot(page, '09-session-engaged.png', { fullPage: true });
  await page.click('button:has-text("Release")');
  await page.click('dialog[open] button[type=submit]');
  await page.waitForFunction(() => /released/.test(document.querySelector('#g-title + div')?.textContent || ''), null, { timeout: 10000 });
  const journalAfter = await (await fetch(`${base}/api/journal?kind=decision&limit=5`, { headers: { Authorization: `Bearer ${key}` } })).json();
  expect(journalAfter.entries.length > 0, 'the session journaled its decisions');
  step(`session ${sessionId}: kill switch engaged and released from the page`);

  // The next order blocked: stop that session (it holds the one job slot), replay faster with the kill switch engaged
  // from the start, until its first entry is blocked; then stop it too.
  const stopSession = async (id) => {
    await fetch(`${base}/api/sessions/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${key}` } });
    await waitFor(async () => !['queued', 'running'].includes((await apiJson(`/api/sessions/${id}`)).state), 20000, () => `session ${id} did not stop`, 500);
  };
  await stopSession(sessionId);
  const fast = await apiJson('/api/sessions', { symbols: ['SPY', 'IBM'], from: '2013-10-07', to: '2013-10-11', interval: '1Min', speed: '600', new_run: true });
  // Trading, not only taken by a worker: its guardrail panel answers (409 while the session still sets up).
  await waitFor(async () => (await fetch(`${base}/api/sessions/${fast.id}/guardrails`, { headers: { Authorization: `Bearer ${key}` } })).ok,
    20000, () => `session ${fast.id} did not start trading`, 300);
  await apiJson(`/api/sessions/${fast.id}/kill-switch`, { reason: 'browser test: block the next entry' });
  const killBlocks = async () => (await apiJson('/api/journal/rules')).rules.find((r) => r.rule === 'kill_switch').blocks;
  await waitFor(async () => (await killBlocks()) > 0, 30000, () => 'no order was blocked by the engaged kill switch', 500);
  await stopSession(fast.id);
  step(`session ${fast.id}: ${await killBlocks()} entries blocked by the kill switch`);

  // A replayed session started from the form and followed live until its first fill shows, without a reload.
  await page.goto(`${base}/app/trading`);
  await page.waitForSelector('#session-form button[type=submit]:not([disabled])');
  await page.fill('#session-form input[name=symbols]', 'SPY, IBM');
  await page.selectOption('#session-form select[name=speed]', '600');
  await Promise.all([page.waitForURL(`${base}/app/trading?id=**`), page.click('#session-form button[type=submit]')]);
  const watchedId = new URL(page.url()).searchParams.get('id');
  let reloads = 0;
  const countReload = (frame) => { if (frame === page.mainFrame()) reloads++; };
  page.on('framenavigated', countReload);
  const fillsShown = () => page.evaluate(() => { const dt = [...document.querySelectorAll('dt')].find((d) => d.textContent === 'Fills'); return dt ? Number(dt.nextElementSibling.textContent) : 0; });
  await page.waitForFunction(() => { const dt = [...document.querySelectorAll('dt')].find((d) => d.textContent === 'Fills'); return dt && Number(dt.nextElementSibling.textContent) > 0; }, null, { timeout: 30000 });
  page.off('framenavigated', countReload);
  expect(reloads === 0 && (await fillsShown()) > 0, `the first fill appeared live (${reloads} reloads)`);
  await shot(page, '09b-session-first-fill.png', { fullPage: true });
  await stopSession(watchedId);
  step(`session ${watchedId}: its first fill shown live`);

  await page.goto(`${base}/app/journal`);
  await page.waitForFunction(() => /entr|No journal/.test(document.querySelector('#root .notice')?.textContent || ''), null, { timeout: 20000 });
  expect(/\d+ entr/.test(await page.textContent('#root .notice')), 'the journal lists the session\'s entries');
  await shot(page, '06-journal.png');
  // Filter by the kill switch: the blocked entries, each under its rule.
  const rules = (await apiJson('/api/journal/rules')).rules.sort((a, b) => b.blocks - a.blocks);
  const ruleName = rules[0].rule;
  expect(ruleName === 'kill_switch' && rules[0].blocks > 0, `blocks by rule: ${JSON.stringify(rules)}`);
  await page.waitForSelector(`select[name=rule] option[value="${ruleName}"]`, { state: 'attached' });
  await page.selectOption('select[name=rule]', ruleName);
  await page.click('#root form button[type=submit]');
  await page.waitForFunction((r) => new RegExp(`entr|No order was blocked by ${r}`).test(document.querySelector('#root .notice')?.textContent || ''), ruleName, { timeout: 10000 });
  const ruleCells = await page.$$eval('#journal tbody tr', (rows) => rows.map((r) => r.children[7].textContent));
  expect(ruleCells.length === Math.min(200, rules[0].blocks) && ruleCells.every((c) => c === ruleName), `rule ${ruleName}: ${ruleCells.length} rows of ${rules[0].blocks}`);
  await shot(page, '19-journal-rule.png');
  // Export: every entry the filter matches, as the service writes it.
  await page.selectOption('select[name=rule]', '');
  await page.selectOption('select[name=kind]', 'decision');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const exported = readFileSync(await download.path(), 'utf8').trimEnd().split('\n');
  const decisions = (await apiJson('/api/journal?kind=decision&limit=500')).entries.length;
  expect(exported[0].startsWith('timestamp,kind,symbol') && exported.length - 1 === decisions && download.suggestedFilename() === 'journal-decision.csv',
    `export: ${download.suggestedFilename()}, ${exported.length - 1} rows, ${decisions} decisions`);
  step(`journal shown; rule ${ruleName}: ${ruleCells.length} blocks shown; ${decisions} decisions exported`);

  // A session's trades and stops on the chart, from its journal. While it runs, opened from the trading page's link,
  // its markers appear without a reload; then a replay run to its end: one stop level for each of its stop orders, with
  // every move the journal recorded, and an entry and an exit marker for each round trip (a fill that booked a P&L).
  const running = await apiJson('/api/sessions', { symbols: ['SPY'], from: '2013-10-07', to: '2013-10-11', interval: '1Min', speed: '600', new_run: true });
  await page.goto(`${base}/app/trading?id=${running.id}`);
  await Promise.all([page.waitForURL(`${base}/app/chart?session=**`), page.click('a:has-text("its trades and stops on the chart")')]);
  await page.waitForSelector('#chart[data-state="drawn"]', { timeout: 30000 });
  expect(await page.inputValue('#symbol') === 'SPY' && await page.inputValue('#interval') === '1Min' && await page.inputValue('#start') === '2013-10-07',
    'the chart follows the session\'s symbol, interval and dates');
  let chartReloads = 0;
  const countChartReload = (frame) => { if (frame === page.mainFrame()) chartReloads++; };
  page.on('framenavigated', countChartReload);
  await page.waitForFunction(() => Number(document.querySelector("#chart").dataset.stops) > 0, null, { timeout: 60000 });
  page.off('framenavigated', countChartReload);
  expect(chartReloads === 0, `the running session's first stop appeared on the chart without a reload (${chartReloads} reloads)`);
  await shot(page, '04e-chart-running-session.png');
  await stopSession(running.id);

  const finished = await apiJson('/api/sessions', { symbols: ['SPY'], from: '2013-10-07', to: '2013-10-11', interval: '1Min', speed: 'max', new_run: true });
  await waitFor(async () => !['queued', 'running'].includes((await apiJson(`/api/sessions/${finished.id}`)).state), 90000, () => `session ${finished.id} did not finish`, 500);
  expect((await apiJson(`/api/sessions/${finished.id}`)).state === 'succeeded', `session ${finished.id} succeeded`);
  const run = (await apiJson(`/api/sessions/${finished.id}/book`)).run_id;
  const ofRun = (await apiText('/api/journal/export?format=jsonl&symbol=SPY')).trim().split('\n').map((l) => JSON.parse(l))
    .filter((e) => (e.event_key || '').startsWith(`${run}:`));
  const stopsJournaled = ofRun.filter((e) => e.kind === 'order' && e.event_key.startsWith(`${run}:order:`) && e.data?.order_type === 'stop').length;
  const movesJournaled = ofRun.filter((e) => e.kind === 'order' && e.event_key.startsWith(`${run}:amend:`)).length;
  const roundTrips = ofRun.filter((e) => e.kind === 'fill' && e.data?.realized_pnl !== undefined).length;
  expect(stopsJournaled > 0 && movesJournaled > 0 && roundTrips > 0, `the session placed and moved stops and closed trades: ${stopsJournaled} stops, ${movesJournaled} moves, ${roundTrips} trades`);
  await page.goto(`${base}/app/chart?session=${finished.id}`);
  await page.waitForSelector('#chart[data-state="drawn"]', { timeout: 30000 });
  const sessionChart = await page.$eval('#chart', (c) => ({ ...c.dataset }));
  expect(sessionChart.stops === String(stopsJournaled) && sessionChart.stopMoves === String(movesJournaled),
    `a stop level for each of the ${stopsJournaled} stop orders through its ${movesJournaled} moves: ${sessionChart.stops} stops, ${sessionChart.stopMoves} moves`);
  expect(sessionChart.markers === String(2 * roundTrips), `an entry and an exit marker for each of the ${roundTrips} round trips: ${sessionChart.markers}`);
  await shot(page, '04f-chart-session-stops.png');
  step(`session ${finished.id} on the chart: ${sessionChart.stops} stops, ${sessionChart.stopMoves} moves, ${sessionChart.markers} markers`);

  await page.goto(`${base}/app/health`);
  await page.waitForSelector('dl.kv');
  expect(/ready/.test(await page.textContent('dl.kv')), 'health shows ready');
  await page.waitForSelector('#recent-errors');
  expect((await page.textContent('#recent-errors')).includes(`job ${failed.id} (backtest) failed`), 'the failed job is among the recent errors');
  expect(/alpaca\s*missing/.test(await page.textContent('#vendors')), 'vendors without keys are marked');
  await shot(page, '10-health-dark.png', { fullPage: true });
  await page.goto(`${base}/app/scans`);
  await page.waitForSelector('#ranked table');
  await shot(page, '20-scans-dark.png');

  // Tablet width, light theme again.
  await page.setViewportSize({ width: 820, height: 1100 });
  await page.click('header button.theme');
  await page.goto(`${base}/app/backtest?id=${backtestId}`);
  await page.waitForSelector('table caption');
  await shot(page, '11-backtest-tablet.png');
  for (const [path, ready, name] of [['/app/scans', '#ranked table', '21-scans-tablet.png'], [`/app/compare?ids=${backtestId},${other.id}`, '.equity-chart canvas', '22-compare-tablet.png'],
    [`/app/sweep?id=${sweepId}`, 'table.heatmap td.best', '23-sweep-tablet.png'], ['/app/health', '#vendors', '24-health-tablet.png'],
    [`/app/chart?symbol=SPY&interval=1Day&start=2018-01-01&end=2020-12-31&backtest=${backtestId}&overlays=bb&panes=rsi`, '#chart[data-state="drawn"]', '26-chart-tablet.png'],
    ['/app/trading', '#session-form', '27-trading-tablet.png'], ['/app/journal', '#journal', '28-journal-tablet.png']]) {
    await page.goto(base + path);
    await page.waitForSelector(ready, { timeout: 20000 });
    // Nothing wider than the page: tables scroll inside their panels.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${path} fits the tablet width`);
    await shot(page, name, { fullPage: true });
  }

  // A read-only key: sees the form, cannot submit it.
  const readKey = execFileSync('dotnet', [cli, 'apikey', 'create', '--name', 'browser-reader'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const reader = await (await browser.newContext({ viewport: { width: 1366, height: 900 }, colorScheme: 'dark' })).newPage();
  reader.on('pageerror', (e) => problems.push(`page error on ${reader.url()}: ${e.message}`));
  await reader.goto(`${base}/login?return=/app/backtests`);
  await reader.fill('#key', readKey);
  await Promise.all([reader.waitForURL(`${base}/app/backtests`), reader.click('button[type=submit]')]);
  await reader.waitForSelector('#backtest-form button[type=submit][disabled]');
  expect(/read-only key/.test(await reader.textContent('#backtest-form')), 'the read-only note is shown');
  await shot(reader, '12-backtests-read-only.png');
  await reader.goto(`${base}/app/scans`);
  await reader.waitForSelector('#replay-form button[type=submit][disabled]');
  expect(/needs a trader key/.test(await reader.textContent('#build-form + div')), 'the scans page says which key acts');
  await shot(reader, '25-scans-read-only.png');
  step('read-only key: forms disabled');

  // Sign out: the pages send the browser to the login page again.
  await page.click('header form button');
  await page.waitForURL(`${base}/login**`);
  await page.goto(`${base}/app/journal`);
  expect(page.url().startsWith(`${base}/login`), 'signed out: pages need the login again');
  step('signed out');

  if (problems.length) throw new Error(`the pages reported errors:\n${problems.join('\n')}`);
  console.log(`axe-core: no serious or critical violations on ${a11yChecked.length} page views`);
  console.log(`passed: dashboard in Chromium (${((Date.now() - started) / 1000).toFixed(1)} s); screenshots in ${shots}`);
} catch (e) {
  console.error(`failed: ${e.message}`);
  await page?.screenshot({ path: join(shots, 'failure.png'), fullPage: true }).then(() => console.error(`the page at the failure: ${join(shots, 'failure.png')}`), () => {});
  if (problems.length) console.error(problems.join('\n'));
  process.exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  rmSync(root, { recursive: true, force: true });
}

/** Fails on text a rendering bug leaves (a null, an undefined, an object printed as text), then takes the screenshot. */
async function shot(page, name, options = {}) {
  // The scanner's own notes say "RVOL undefined" (no past volume at that time of day): words, not a rendering bug.
  const text = (await page.evaluate(() => document.body.innerText)).replaceAll('RVOL undefined', 'RVOL n/a');
  const junk = text.match(/\b(null|undefined|NaN)\b|\b(null|undefined|NaN)(?=[A-Z])|\[object [A-Za-z]+\]/); // also glued to the next word
  expect(!junk, `${name}: the page shows '${junk && junk[0]}' (${page.url()})`);
  await accessible(page, name);
  await page.screenshot({ path: join(shots, name), ...options });
}

/** axe-core on the page as it is: fails on any serious or critical violation, naming the rule and the elements. */
async function accessible(page, name) {
  const violations = await page.evaluate(async (source) => {
    if (!globalThis.axe) (0, eval)(source); // the page's CSP forbids injected script tags; the test's own evaluate may run it
    const result = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}${v.nodes.length > 4 ? ` and ${v.nodes.length - 4} more` : ''}`);
  }, axeSource);
  // Listed with the other problems (the run fails at its end), so one run shows every page's violations.
  if (violations.length) problems.push(`${name}: axe-core found ${violations.length} serious or critical violation(s) on ${page.url()}:\n  ${violations.join('\n  ')}`);
  a11yChecked.push(name);
}

/** A CSV of n seeded 1Min bars, 390 a weekday session from 2000-01-03 09:30 New York, as the minute files are laid out. */
async function writeMillionBars(path, n) {
  const out = createWriteStream(path);
  const write = (text) => new Promise((ok) => (out.write(text) ? ok() : out.once('drain', ok)));
  await write('timestamp,open,high,low,close,volume\n');
  const zone = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', timeZoneName: 'short' });
  let seed = 15, price = 100, written = 0;
  const random = () => { // mulberry32: exact in 32-bit integers, unlike a multiply past 2^53 in doubles
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let day = Date.UTC(2000, 0, 3); written < n; day += 86400000) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const open = day + ((/EDT/.test(zone.format(new Date(day + 15 * 3600000))) ? 13 : 14) * 60 + 30) * 60000;
    let chunk = '';
    for (let m = 0; m < 390 && written < n; m++, written++) {
      const o = price;
      price = Math.max(1, price * (1 + (random() - 0.5) * 0.002));
      const h = Math.max(o, price) * (1 + random() * 0.0005), l = Math.min(o, price) * (1 - random() * 0.0005);
      chunk += `${new Date(open + m * 60000).toISOString().replace('.000Z', 'Z')},${o.toFixed(2)},${h.toFixed(2)},${l.toFixed(2)},${price.toFixed(2)},${100 + Math.floor(random() * 900)}\n`;
    }
    await write(chunk);
  }
  await new Promise((ok) => out.end(ok));
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function waitFor(check, ms, message, every = 200) {
  const until = Date.now() + ms;
  for (;;) {
    try { if (await check()) return; } catch { /* not yet */ }
    if (Date.now() > until) throw new Error(message());
    await new Promise((r) => setTimeout(r, every));
  }
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolvePort(port)); });
  });
}
