// Real-browser test of the dashboard: starts `aitrader serve` on a free loopback port with a fresh data folder and a
// trader key made by `aitrader apikey create`, then drives Debian's Chromium (headless, through playwright-core):
// sign in, the chart of SPY 1Day (waits for the canvas), a small backtest submitted from the form until its result page,
// the chart with that backtest's trades, trading, journal and health pages, the dark theme and a tablet width.
// Screenshots go to tests/browser/screenshots/ (or SCREENSHOTS). Any page error or console error fails the run.
//
//   dotnet build src/AiTrader.Cli && (cd tests/browser && npm ci && node dashboard.mjs)
//
// CHROMIUM: the browser (default /usr/bin/chromium); AITRADER_CLI: the built aitrader.dll (default: the Debug build).
// Exits 0 on success, 1 on a failure, and 0 with "skipped: ..." when Chromium is missing and CI is not set.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
const env = { ...process.env, AITRADER_DATA_DIR: join(root, 'data'), AITRADER_ARTIFACTS_DIR: join(root, 'artifacts') };
delete env.DATABASE_URL;
mkdirSync(shots, { recursive: true });
let server, browser;
const problems = [];
const started = Date.now();
const step = (text) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${text}`);

try {
  const key = execFileSync('dotnet', [cli, 'apikey', 'create', '--name', 'browser-test', '--role', 'trader'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  if (!/^ait_[0-9a-f]{12}_/.test(key)) throw new Error('apikey create printed no key');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  server = spawn('dotnet', [cli, 'serve', '--urls', base], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let serverLog = '';
  server.stdout.on('data', (d) => { serverLog += d; });
  server.stderr.on('data', (d) => { serverLog += d; });
  await waitFor(async () => (await fetch(`${base}/health/live`)).ok, 30000, () => `the service did not start:\n${serverLog}`);
  step(`service up at ${base}`);

  browser = await chromium.launch({ executablePath: browserPath, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, colorScheme: 'light', timezoneId: 'Europe/Berlin' });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
  // Chromium logs every non-2xx fetch as a console error; a 409 is the API saying "not yet" or "not running" (a session's
  // book before it trades, its guardrails once it ended), which the pages show as such. Any other error fails the run.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 409 \(Conflict\)/.test(m.text())) problems.push(`console error on ${page.url()}: ${m.text()}`);
  });

  // Not signed in: the chart page sends the browser to the login page, which brings it back after.
  await page.goto(`${base}/app/chart?symbol=SPY&interval=1Day`);
  expect(page.url().startsWith(`${base}/login?return=`), `expected the login page, got ${page.url()}`);
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
  await shot(page, '03-backtest-result.png', { fullPage: true });
  step(`backtest ${backtestId} finished and shown`);

  // The chart with that backtest's trades as markers.
  await page.goto(`${base}/app/chart?symbol=SPY&interval=1Day&start=2018-01-01&end=2020-12-31&backtest=${backtestId}`);
  await page.waitForSelector('#chart canvas');
  await page.waitForSelector('#chart[data-state="drawn"]', { timeout: 20000 });
  await shot(page, '04-chart-with-trades.png');

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

  await page.goto(`${base}/app/journal`);
  await page.waitForFunction(() => /entr|No journal/.test(document.querySelector('#root .notice')?.textContent || ''), null, { timeout: 20000 });
  expect(/\d+ entr/.test(await page.textContent('#root .notice')), 'the journal lists the session\'s entries');
  await shot(page, '06-journal.png');
  step('journal shown');

  await page.goto(`${base}/app/health`);
  await page.waitForSelector('dl.kv');
  expect(/ready/.test(await page.textContent('dl.kv')), 'health shows ready');
  await shot(page, '10-health-dark.png');

  // Tablet width, light theme again.
  await page.setViewportSize({ width: 820, height: 1100 });
  await page.click('header button.theme');
  await page.goto(`${base}/app/backtest?id=${backtestId}`);
  await page.waitForSelector('table caption');
  await shot(page, '11-backtest-tablet.png');

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
  step('read-only key: form disabled');

  // Sign out: the pages send the browser to the login page again.
  await page.click('header form button');
  await page.waitForURL(`${base}/login**`);
  await page.goto(`${base}/app/journal`);
  expect(page.url().startsWith(`${base}/login`), 'signed out: pages need the login again');
  step('signed out');

  if (problems.length) throw new Error(`the pages reported errors:\n${problems.join('\n')}`);
  console.log(`passed: dashboard in Chromium (${((Date.now() - started) / 1000).toFixed(1)} s); screenshots in ${shots}`);
} catch (e) {
  console.error(`failed: ${e.message}`);
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
  const text = await page.evaluate(() => document.body.innerText);
  const junk = text.match(/\b(null|undefined|NaN)\b|\[object [A-Za-z]+\]/);
  expect(!junk, `${name}: the page shows '${junk && junk[0]}' (${page.url()})`);
  await page.screenshot({ path: join(shots, name), ...options });
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function waitFor(check, ms, message) {
  const until = Date.now() + ms;
  for (;;) {
    try { if (await check()) return; } catch { /* not yet */ }
    if (Date.now() > until) throw new Error(message());
    await new Promise((r) => setTimeout(r, 200));
  }
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolvePort(port)); });
  });
}
