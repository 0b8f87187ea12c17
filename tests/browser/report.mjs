// A backtest's report.html in a real browser, as a person opens it from disk: runs `aitrader backtest` (the built CLI)
// into a fresh folder, opens file://…/report.html in Debian's Chromium (headless, through playwright-core) with the
// browser offline and every request that is not file:// refused, and checks that the dashboard's chart code drew the
// three charts from the report's own data: a canvas in each, the price chart's candles, trade markers (two a trade) and
// stops as the data says, the deepest drawdown equal to summary.json's, a zoom that redraws the chart, the theme's
// colours in light and dark, no page or console error and no serious or critical axe-core violation.
//
//   dotnet build src/AiTrader.Cli && (cd tests/browser && npm ci && node report.mjs)
//
// CHROMIUM, AITRADER_CLI and SCREENSHOTS as for dashboard.mjs. Exits 0 with "passed: ..." on success, 1 on a failure.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';
const cli = process.env.AITRADER_CLI || join(repo, 'src/AiTrader.Cli/bin/Debug/net10.0/aitrader.dll');
const shots = resolve(process.env.SCREENSHOTS || join(here, 'screenshots'));
const axeSource = readFileSync(join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const root = mkdtempSync(join(tmpdir(), 'aitrader-report-'));
const problems = [];
const refused = [];
let browser;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

try {
  const out = join(root, 'run');
  execFileSync('dotnet', [cli, 'backtest', '--symbol', 'SPY', '--start', '2005-01-01', '--strategy', 'breakout', '--out', out, '--quiet'],
    { env: { ...process.env, AITRADER_DATA_DIR: join(root, 'data'), AITRADER_ARTIFACTS_DIR: join(root, 'artifacts') }, stdio: ['ignore', 'ignore', 'inherit'] });
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  mkdirSync(shots, { recursive: true });

  browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.setOffline(true);
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    refused.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });

  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(pathToFileURL(join(out, 'report.html')).href);
    await page.waitForSelector('body[data-charts="drawn"]', { timeout: 15000 });
    for (const id of ['price-chart', 'equity-chart', 'drawdown-chart']) await page.waitForSelector(`#${id} canvas`, { timeout: 15000 });
    const drawn = await page.evaluate(() => {
      const data = JSON.parse(document.getElementById('report-data').textContent);
      const price = document.getElementById('price-chart').dataset;
      return { candles: data.candles.length, trades: data.trades.length, stops: data.orders.length, shown: { ...price },
        deepest: Number(document.getElementById('drawdown-chart').dataset.deepest), background: getComputedStyle(document.body).backgroundColor };
    });
    check(drawn.candles > 1000 && Number(drawn.shown.candles) === drawn.candles, `${scheme}: ${drawn.shown.candles} candles drawn of ${drawn.candles}`);
    check(drawn.trades === summary.trades && Number(drawn.shown.markers) === 2 * drawn.trades, `${scheme}: ${drawn.shown.markers} markers for ${drawn.trades} trades`);
    check(drawn.stops > 0 && Number(drawn.shown.stops) === drawn.stops, `${scheme}: ${drawn.shown.stops} stops drawn of ${drawn.stops}`);
    check(Math.abs(drawn.deepest + summary.max_drawdown) < 1e-5, `${scheme}: deepest drawdown ${drawn.deepest}, summary.json ${summary.max_drawdown}`);
    check(drawn.background === (scheme === 'dark' ? 'rgb(15, 20, 26)' : 'rgb(247, 248, 250)'), `${scheme}: page background ${drawn.background}`);
    await page.screenshot({ path: join(shots, `report-${scheme}.png`), fullPage: true });
  }

  // Interactive: a wheel over the price chart zooms it, so its pixels change.
  const box = page.locator('#price-chart');
  await box.scrollIntoViewIfNeeded();
  const before = await box.screenshot();
  const area = await box.boundingBox();
  await page.mouse.move(area.x + area.width * 0.6, area.y + area.height / 2);
  for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -300);
  await page.waitForTimeout(300);
  const after = await box.screenshot({ path: join(shots, 'report-price-zoomed.png') });
  check(!before.equals(after), 'the price chart did not change after zooming with the wheel');

  const violations = await page.evaluate(async (source) => {
    (0, eval)(source);
    const result = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`);
  }, axeSource);
  problems.push(...violations.map((v) => `axe-core: ${v}`));
  if (refused.length) problems.push(`requests refused (the report must load nothing): ${refused.join(', ')}`);
  if (problems.length) throw new Error(problems.join('\n'));
  console.log(`passed: report.html drew its three charts offline from file:// in light and dark (${summary.trades} trades); screenshots in ${shots}`);
} catch (e) {
  console.error(`failed: ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  rmSync(root, { recursive: true, force: true });
}
