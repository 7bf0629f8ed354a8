// The shareable report (docs/report.md): exported from the page on the bundled sample with a
// filter, then opened from disk (file://) in a fresh browser context. It must request nothing
// but itself, draw every chart, show the CLI's totals for the same filter, answer the mouse
// (tooltips, legend, zoom), mask addresses when asked, and run none of a hostile log's text.
// Writes build/report.html, build/report-masked.html, build/report.png (and, when the CLI has
// `flowlens report`, build/cli-report.html).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  openApp, loadFiles, typeFilter, waitState, cliAnalyze, tempDir, ensureDir, grouped,
  SAMPLE, ROOT, CLI, CHROMIUM, CHROMIUM_ARGS, DIST,
} from './helpers.mjs';
import { MARKER } from '../../web/report/embed.js';

const BUILD = ensureDir(join(ROOT, 'build'));
const FILTER = 'protocol = tcp';
const SCRIPT = '<script>window.__xss=1</script>';
const IMG = '"><img/src=x/onerror=window.__xss=2>'; // fields are split on blanks
const IMG_SPACED = '"><img src=x onerror=window.__xss=6>';
const END = '</script><script>window.__xss=3</script>';

let app;
let page;
let browser; // for opening reports: a fresh context each time
let dir;

before(async () => {
  dir = tempDir();
  app = await openApp();
  page = app.page;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  assert.deepEqual(app.foreign, [], 'the page requested nothing from elsewhere');
  assert.deepEqual(app.dialogs, []);
  assert.deepEqual(app.consoleErrors, [], 'no console errors on the page');
  await browser?.close();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Clicks "Export report" (masked or not) and saves the download to `path`. */
async function exportReport(path, { mask = false } = {}) {
  const box = page.locator('[data-testid="export-mask"]');
  if ((await box.isChecked()) !== mask) await box.setChecked(mask);
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    page.click('[data-testid="export-report"]'),
  ]);
  assert.match(download.suggestedFilename(), /^flowlens-report-\d{8}-\d{4}\.html$/);
  await download.saveAs(path);
  await page.waitForFunction(() => !document.querySelector('[data-testid="export-report"]').disabled);
  return path;
}

/**
 * Opens a report file in a fresh context, recording every request, console error (CSP
 * violations land there), page error and dialog. Resolves once the report has drawn.
 */
async function openReport(path, { viewport = { width: 1400, height: 1000 } } = {}) {
  const context = await browser.newContext({ viewport });
  const url = pathToFileURL(path).href;
  const requests = [];
  const consoleErrors = [];
  const dialogs = [];
  context.on('request', (r) => requests.push(r.url()));
  const p = await context.newPage();
  p.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  p.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  p.on('dialog', (d) => { dialogs.push(`${d.type()}: ${d.message()}`); d.dismiss().catch(() => {}); });
  await p.goto(url);
  await p.waitForFunction(() => ['ready', 'error'].includes(document.documentElement.dataset.state), null, { timeout: 30_000 });
  await p.waitForTimeout(100); // let the charts paint
  return {
    page: p, url, requests, consoleErrors, dialogs,
    others: () => requests.filter((u) => u !== url),
    close: () => context.close(),
  };
}

const cardValues = (p) => p.evaluate(() => Object.fromEntries(
  [...document.querySelectorAll('[data-testid^="total-"]')].map((el) => [el.dataset.testid.slice(6), el.dataset.value === undefined ? null : Number(el.dataset.value)])));

function expectTotals(shown, cli, label) {
  assert.equal(shown.records, cli.records, `${label}: records`);
  assert.equal(shown.bytes, cli.bytes, `${label}: bytes`);
  assert.equal(shown.packets, cli.packets, `${label}: packets`);
  assert.equal(shown.accepted, cli.accepted_records, `${label}: accepted`);
  assert.equal(shown.rejected, cli.rejected_records, `${label}: rejected`);
  assert.equal(shown.sources, cli.distinct_sources, `${label}: sources`);
  assert.equal(shown.destinations, cli.distinct_destinations, `${label}: destinations`);
  assert.equal(shown.interfaces, cli.distinct_interfaces, `${label}: interfaces`);
  assert.equal(shown.bad, cli.bad_lines, `${label}: bad lines`);
}

/** Every chart container holds a drawn SVG with marks in it. */
async function expectChartsDrawn(p, label) {
  const charts = await p.evaluate(() => [...document.querySelectorAll('[data-testid^="chart-"]')].map((el) => {
    const svg = el.querySelector('svg');
    const r = (svg ?? el).getBoundingClientRect();
    return { id: el.dataset.testid, svg: Boolean(svg || el.querySelector('canvas')), w: r.width, h: r.height, marks: svg ? svg.querySelectorAll('path, text').length : 0 };
  }));
  assert.deepEqual(charts.map((c) => c.id).sort(),
    ['chart-conversations', 'chart-rejects', 'chart-rejects-source', 'chart-timeseries', 'chart-top'], label);
  for (const c of charts) {
    assert.ok(c.svg && c.w > 200 && c.h > 150, `${label}: ${c.id} is drawn (${JSON.stringify(c)})`);
    assert.ok(c.marks > 20, `${label}: ${c.id} has marks (${c.marks})`);
  }
}

/** Moves the mouse down the middle of `testid`'s chart and returns the tooltip texts seen. */
async function sweepTooltips(p, testid, x = 0.45) {
  const chart = p.locator(`[data-testid="${testid}"]`);
  await chart.scrollIntoViewIfNeeded();
  const box = await chart.boundingBox();
  let seen = '';
  for (let y = 20; y < box.height - 20; y += 14) {
    await p.mouse.move(box.x + box.width * x, box.y + y);
    await p.waitForTimeout(30);
    seen += await p.evaluate(() => [...document.querySelectorAll('.fl-tooltip')]
      .filter((t) => getComputedStyle(t).display !== 'none' && getComputedStyle(t).opacity !== '0').map((t) => t.textContent).join('|'));
  }
  return seen;
}

async function nothingRan(p, r, label) {
  const ran = await p.evaluate(() => ({
    flag: window.__xss ?? null,
    scripts: document.scripts.length,
    imgs: document.querySelectorAll('img').length,
    handlers: document.querySelectorAll('[onerror], [onload], [onclick]').length,
  }));
  assert.equal(ran.flag, null, `${label}: a payload ran`);
  assert.equal(ran.scripts, 2, `${label}: only the data block and the renderer`);
  assert.equal(ran.imgs, 0, `${label}: no injected image`);
  assert.equal(ran.handlers, 0, `${label}: no injected handler`);
  assert.deepEqual(r.dialogs, [], `${label}: no dialog`);
  assert.deepEqual(r.consoleErrors, [], `${label}: no console error`);
}

test('the export button waits for data', async () => {
  assert.equal(await page.locator('[data-testid="export-report"]').isDisabled(), true);
  await page.click('[data-testid="load-sample"]');
  assert.equal(await waitState(page, ['ready', 'error']), 'ready');
  assert.equal(await page.locator('[data-testid="export-report"]').isEnabled(), true);
  assert.equal(await page.locator('[data-testid="export-mask"]').isChecked(), false);
});

test('the exported report opens from disk, requests nothing, and shows the CLI\'s numbers', async () => {
  await typeFilter(page, FILTER);
  const file = await exportReport(join(BUILD, 'report.html'));
  const html = readFileSync(file, 'utf8');
  const size = statSync(file).size;
  console.log(`# report size: ${(size / 1024).toFixed(1)} KiB (${size} bytes)`);
  assert.ok(size < 2_000_000, `a typical report stays well under 2 MB (${size})`);
  assert.ok(!html.includes(MARKER), 'the marker was replaced');

  const r = await openReport(file);
  try {
    const p = r.page;
    assert.equal(await p.evaluate(() => document.documentElement.dataset.state), 'ready');
    assert.ok(r.requests.includes(r.url), 'requests are recorded (the report itself is one)');
    assert.deepEqual(r.others(), [], 'no request but the report itself');
    const cli = cliAnalyze([SAMPLE], FILTER);
    expectTotals(await cardValues(p), cli.totals, 'page-made report');
    assert.equal(await p.textContent('[data-testid="total-records"]'), grouped(cli.totals.records));
    assert.equal(await p.textContent('[data-testid="report-filter"]'), FILTER);
    const provenance = await p.textContent('[data-testid="provenance"]');
    assert.ok(provenance.includes('flowlogs-sample.log.gz'), provenance);
    assert.ok(provenance.includes(`${grouped(cli.totals.records)} selected of 50,000 loaded`), provenance);
    assert.ok(provenance.includes('by the FlowLens web app'), provenance);
    assert.ok(provenance.includes('as logged (not masked)'), provenance);
    // The top tables: every key of the analysis, the first rows as the CLI ranks them.
    for (const key of Object.keys(cli.top)) {
      assert.equal(await p.locator(`[data-testid="top-table-${key}"]`).count(), 1, key);
    }
    const firstSource = await p.textContent('[data-testid="top-table-srcaddr"] tbody tr:first-child td:nth-child(2)');
    assert.equal(firstSource, cli.top.srcaddr.rows[0].key[0]);
    const scanners = await p.textContent('[data-testid="scanners"]');
    for (const s of cli.rejects.scanners) assert.ok(scanners.includes(s.explanation), s.source);
    // "What stands out" says in the report what it says on the page, word for word.
    const pageFindings = await page.locator('[data-testid="findings"] li').allTextContents();
    assert.ok(pageFindings.length >= 2, pageFindings.join('\n'));
    assert.deepEqual(await p.locator('[data-testid="findings"] li').allTextContents(), pageFindings);
    await expectChartsDrawn(p, 'page-made report');
    await p.screenshot({ path: join(BUILD, 'report.png'), fullPage: true });
    assert.deepEqual(r.consoleErrors, [], 'no console errors (CSP violations land there)');
    assert.deepEqual(r.dialogs, []);
  } finally {
    await r.close();
  }
});

test('the report is interactive: tooltips, top-key switch, legend, zoom', async () => {
  const r = await openReport(join(BUILD, 'report.html'));
  try {
    const p = r.page;
    const cli = cliAnalyze([SAMPLE], FILTER);
    // Hovering the bars shows a tooltip with the row's numbers.
    const tips = await sweepTooltips(p, 'chart-top');
    assert.ok(tips.includes(cli.top.srcaddr.rows[0].key[0]) && tips.includes('Bytes'), tips.slice(0, 300));
    assert.ok((await sweepTooltips(p, 'chart-timeseries')).includes('ACCEPT'));
    // Another key: its table shows, the chart follows.
    await p.selectOption('[data-testid="top-key"]', 'dstport');
    assert.equal(await p.locator('[data-testid="top-table-dstport"]').isVisible(), true);
    assert.equal(await p.locator('[data-testid="top-table-srcaddr"]').isVisible(), false);
    const portTips = await sweepTooltips(p, 'chart-top');
    assert.ok(portTips.includes(cli.top.dstport.rows[0].key[0]), portTips.slice(0, 300));
    // The legend hides a series.
    const ts = p.locator('[data-testid="chart-timeseries"]');
    await ts.scrollIntoViewIfNeeded();
    const legend = p.locator('[data-testid="chart-timeseries"] svg text', { hasText: 'REJECT' });
    await legend.click();
    const selected = await p.evaluate(() => window.flowlensReport.charts.get('chart-timeseries').getOption().legend[0].selected);
    assert.equal(selected.REJECT, false, 'REJECT hidden by a legend click');
    // The wheel zooms the time axis.
    const box = await ts.boundingBox();
    await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 5; i += 1) await p.mouse.wheel(0, -200);
    await p.waitForTimeout(300);
    const zoom = await p.evaluate(() => window.flowlensReport.charts.get('chart-timeseries').getOption().dataZoom[0]);
    assert.ok(zoom.end - zoom.start < 100, `zoomed in (${zoom.start}–${zoom.end})`);
    assert.deepEqual(r.consoleErrors, []);
    assert.deepEqual(r.others(), []);
  } finally {
    await r.close();
  }
});

test('the report prints: charts sized for paper, no controls', async () => {
  const r = await openReport(join(BUILD, 'report.html'));
  try {
    const p = r.page;
    await p.emulateMedia({ media: 'print' });
    // The report resizes its charts when the print media query starts to match.
    await p.waitForFunction(() => [...document.querySelectorAll('[data-testid^="chart-"] svg')]
      .every((s) => s.getBoundingClientRect().width <= 700), null, { timeout: 10_000 }).catch(() => {});
    const layout = await p.evaluate(() => ({
      charts: [...document.querySelectorAll('[data-testid^="chart-"] svg')].map((s) => s.getBoundingClientRect().width),
      controls: [...document.querySelectorAll('select, button')].filter((el) => el.offsetParent !== null).length,
      tables: [...document.querySelectorAll('table.top')].filter((el) => el.offsetParent !== null).length,
    }));
    assert.ok(layout.charts.every((w) => w > 500 && w <= 700), `chart widths ${layout.charts}`);
    assert.equal(layout.controls, 0, 'no select or button on paper');
    assert.equal(layout.tables, await p.locator('table.top').count(), 'every top table on paper');
    const pdf = await p.pdf({ format: 'A4' });
    assert.ok(pdf.length > 20_000);
    writeFileSync(join(BUILD, 'report.pdf'), pdf);
    assert.deepEqual(r.consoleErrors, []);
  } finally {
    await r.close();
  }
});

test('a masked export shows pseudonyms and none of the addresses', async () => {
  const file = await exportReport(join(BUILD, 'report-masked.html'), { mask: true });
  const html = readFileSync(file, 'utf8');
  const cli = cliAnalyze([SAMPLE], FILTER);
  const secrets = new Set();
  for (const key of ['srcaddr', 'dstaddr', 'account-id']) for (const row of cli.top[key].rows) if (row.key[0] !== '-') secrets.add(row.key[0]);
  for (const s of cli.rejects.scanners) secrets.add(s.source);
  for (const row of cli.rejects.by_source.rows) secrets.add(row.key[0]);
  assert.ok(secrets.size > 20);
  const data = html.slice(html.indexOf('id="flowlens-report-data">'), html.indexOf('</script>', html.indexOf('id="flowlens-report-data">')));
  for (const s of secrets) assert.ok(!data.includes(`"${s}`) && !data.includes(`${s} `), `${s} is masked`);
  assert.match(data, /"internal-\d+"/);
  assert.match(data, /"external-\d+"/);
  assert.match(data, /"account-\d+"/);

  const r = await openReport(file);
  try {
    const p = r.page;
    assert.deepEqual(r.others(), []);
    expectTotals(await cardValues(p), cli.totals, 'masked report');
    assert.equal(await p.locator('[data-testid="report-masked"]').isVisible(), true);
    const text = await p.evaluate(() => document.body.innerText);
    for (const s of secrets) assert.ok(!new RegExp(`(^|[^\\d.:a-f])${s.replace(/[.]/g, '\\.')}($|[^\\d.:a-f])`).test(text), `${s} not shown`);
    const first = await p.textContent('[data-testid="top-table-srcaddr"] tbody tr:first-child td:nth-child(2)');
    assert.match(first, /^(internal|external)-\d+$/);
    await expectChartsDrawn(p, 'masked report');
    assert.deepEqual(r.consoleErrors, []);
  } finally {
    await r.close();
  }
  await page.locator('[data-testid="export-mask"]').setChecked(false);
});

test('a hostile log\'s text is shown as text in the report and runs nothing', async () => {
  const file = join(dir, '<img src=x onerror=window.__xss=5>.log');
  const header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id x-note';
  const lines = [header];
  for (let i = 0; i < 30; i += 1) {
    const payload = [SCRIPT, IMG, END][i % 3];
    lines.push(`2 acct-${payload}$& eni-${[END, SCRIPT, IMG][i % 3]} 10.0.0.${i % 5} 203.0.113.${i % 4} ${1024 + i} ${[22, 80][i % 2]} 6 ${i + 1} ${(i + 1) * 100} ${1700000000 + i * 60} ${1700000060 + i * 60} ${i % 4 ? 'ACCEPT' : 'REJECT'} OK vpc-${IMG} ${payload}$&$1`);
  }
  lines.push(`2 123 eni-1 ${IMG_SPACED} 10.0.0.1 1 2 6 1 1 1700000000 1700000060 ACCEPT OK vpc-1 t`);
  lines.push(`${END} not a record`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  await page.click('[data-testid="filter-clear"]');
  await waitState(page, ['ready']);
  assert.equal(await loadFiles(page, [file]), 'ready');
  const out = await exportReport(join(dir, 'hostile-report.html'));
  const html = readFileSync(out, 'utf8');
  assert.equal(html.split('</script>').length, 3, 'no log text closes a script element');

  const r = await openReport(out);
  try {
    const p = r.page;
    assert.equal(await p.evaluate(() => document.documentElement.dataset.state), 'ready');
    const cli = cliAnalyze([file]);
    expectTotals(await cardValues(p), cli.totals, 'hostile report');
    const text = await p.evaluate(() => document.body.innerText);
    assert.ok(text.includes('<img src=x onerror=window.__xss=5>.log'), 'the file name is text');
    assert.ok(text.includes(END), 'the payloads are text');
    assert.ok(text.includes(IMG_SPACED), 'the bad line\'s text is text');
    assert.ok((await p.evaluate(() => document.body.textContent)).includes(`acct-${SCRIPT}$&`), '`$` sequences arrive unchanged');
    for (const key of ['account-id', 'interface-id', 'vpc-id']) {
      await p.selectOption('[data-testid="top-key"]', key);
      const tips = await sweepTooltips(p, 'chart-top', 0.7);
      assert.ok(/<script>|<img|<\/script>/.test(tips), `${key}: tooltips show the payload as text (${tips.slice(0, 200)})`);
      await nothingRan(p, r, `tooltips of ${key}`);
    }
    await sweepTooltips(p, 'chart-conversations', 0.5);
    await nothingRan(p, r, 'hostile report');
    assert.deepEqual(r.others(), []);
  } finally {
    await r.close();
  }
});

test('the CLI-made report shows the same totals', async (t) => {
  const out = join(BUILD, 'cli-report.html');
  rmSync(out, { force: true });
  const run = spawnSync(CLI, ['report', '--filter', FILTER, '-o', out, SAMPLE], { encoding: 'utf8' });
  if (run.status !== 0 && /unknown|usage|command/i.test(`${run.stderr}`) && !/template/i.test(`${run.stderr}`)) {
    t.skip(`this CLI has no \`flowlens report\` yet: ${run.stderr.trim().split('\n')[0]}`);
    return;
  }
  assert.equal(run.status, 0, run.stderr);
  const r = await openReport(out);
  try {
    const p = r.page;
    assert.equal(await p.evaluate(() => document.documentElement.dataset.state), 'ready');
    assert.deepEqual(r.others(), []);
    const cli = cliAnalyze([SAMPLE], FILTER);
    expectTotals(await cardValues(p), cli.totals, 'CLI report');
    assert.ok((await p.textContent('[data-testid="provenance"]')).includes('command-line tool'));
    await expectChartsDrawn(p, 'CLI report');
    assert.deepEqual(r.consoleErrors, []);
  } finally {
    await r.close();
  }
  // Both ways give the same analysis for the same files and filter (apart from file names and
  // when and by whom it was made).
  const dataOf = (file) => {
    const html = readFileSync(file, 'utf8');
    const start = html.indexOf('id="flowlens-report-data">') + 26;
    return JSON.parse(html.slice(start, html.indexOf('</script>', start)));
  };
  const fromCli = dataOf(out);
  const fromPage = dataOf(join(BUILD, 'report.html'));
  assert.equal(fromCli.report.generated_by, 'cli');
  assert.equal(fromPage.report.generated_by, 'page');
  for (const k of ['totals', 'top', 'timeseries', 'rejects']) assert.deepEqual(fromCli.analysis[k], fromPage.analysis[k], k);
});

test('the bare template says it holds no data', async () => {
  const r = await openReport(join(DIST, 'report-template.html'));
  try {
    assert.equal(await r.page.evaluate(() => document.documentElement.dataset.state), 'error');
    assert.match(await r.page.textContent('body'), /report template: it holds no data/);
    assert.deepEqual(r.others(), []);
    assert.deepEqual(r.consoleErrors, []);
  } finally {
    await r.close();
  }
});

test('the single-file app exports the report too (it cannot fetch the template)', async (t) => {
  const single = join(DIST, 'flowlens.html');
  if (!existsSync(single)) {
    t.skip('no dist/flowlens.html in this build');
    return;
  }
  const context = await browser.newContext({ acceptDownloads: true });
  try {
    const p = await context.newPage();
    const errors = [];
    p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(pathToFileURL(single).href);
    await p.click('[data-testid="load-sample"]');
    await p.waitForFunction(() => document.documentElement.dataset.state === 'ready', null, { timeout: 60_000 });
    const [download] = await Promise.all([p.waitForEvent('download'), p.click('[data-testid="export-report"]')]);
    const out = join(dir, 'single-file-report.html');
    await download.saveAs(out);
    assert.deepEqual(errors, []);
    const r = await openReport(out);
    try {
      expectTotals(await cardValues(r.page), cliAnalyze([SAMPLE]).totals, 'single-file report');
      assert.deepEqual(r.others(), []);
      assert.deepEqual(r.consoleErrors, []);
    } finally {
      await r.close();
    }
  } finally {
    await context.close();
  }
});
