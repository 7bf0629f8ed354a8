// The dashboard on the bundled sample: totals equal the CLI's, filters by typing, by clicking
// chart elements and by dragging a time range give the CLI's numbers for the same filter, the
// filter lives in the URL, records page and export, and nothing leaves the origin.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  openApp, loadFiles, shownTotals, typeFilter, waitState, cliAnalyze, grouped, showRecords, SAMPLE, ROOT,
  expectCliTotals as expectCliTotalsOf,
} from './helpers.mjs';
import { filterFromHash } from '../../web/filter-model.js';
import { drawnSeries } from '../../web/charts/timeseries.js';

let app;
let page;

before(async () => {
  app = await openApp();
  page = app.page;
  const state = await loadFiles(page, [SAMPLE]);
  assert.equal(state, 'ready');
});

after(async () => {
  assert.deepEqual(app.foreign, [], 'no request may leave the origin');
  assert.deepEqual(app.dialogs, []);
  assert.deepEqual(app.consoleErrors, [], 'no console errors (CSP violations show up here)');
  assert.deepEqual(app.consoleWarnings, []);
  await app.close();
});

// Each test starts from the whole data set, whatever the previous one left behind.
beforeEach(async () => {
  if (!page) return;
  await page.mouse.move(1, 1);
  if ((await page.evaluate(() => location.hash)) !== '') await clearFilter();
});

// web/ui/chart-warm-up.js: the charts are drawn once out of sight as the page opens (here while
// the sample loads, in the shared page above); nothing of it stays in the page.
test('the charts are warmed up out of sight as the page opens, and nothing of it stays', async () => {
  const other = await openApp();
  try {
    await other.page.waitForFunction(() => performance.getEntriesByName('fl:charts-warmed').length > 0);
    const r = await other.page.evaluate(() => ({
      drawn: performance.getEntriesByName('fl:charts-warmed')[0].detail.drawn,
      left: document.querySelectorAll('.chart-warm-up, [id^="chart-warm-up"], body > div > canvas').length,
    }));
    assert.equal(r.drawn, 12, 'three charts, each drawn and then updated three times');
    assert.equal(r.left, 0);
    assert.deepEqual(other.consoleErrors, []);
    assert.deepEqual(other.consoleWarnings, []);
  } finally {
    await other.close();
  }
});

async function currentFilter() {
  return filterFromHash(await page.evaluate(() => location.hash));
}

function expectCliTotals(filter, label) {
  return expectCliTotalsOf(page, [SAMPLE], filter, label);
}

async function clearFilter() {
  await page.click('[data-testid="filter-clear"]');
  await waitState(page, ['ready']);
  assert.equal(await currentFilter(), '');
}

// Scrolls chart `testid` to the middle of the viewport and returns its box, once the chart is
// drawn (a chart out of view is drawn when it comes into view: ChartsHost.set).
async function chartBox(testid) {
  await page.locator(`[data-testid="${testid}"]`).evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await page.waitForFunction((id) => !document.querySelector(`[data-testid="${id}"]`).classList.contains('chart-pending'),
    testid, { timeout: 5000 });
  return page.locator(`[data-testid="${testid}"]`).boundingBox();
}

// A point inside chart `testid` whose tooltip mentions `label` (found by hovering a column of
// points): charts are canvases, so elements are found the way a user finds them.
async function findInChart(testid, label, { x: xs = [0.3, 0.5], step = 10 } = {}) {
  const box = await chartBox(testid);
  for (const fx of xs) {
    for (let y = 4; y < box.height - 4; y += step) {
      const x = box.x + box.width * fx;
      await page.mouse.move(x, box.y + y);
      // ECharts shows the tooltip on the next frame; an element left visible from an earlier
      // hover may still say something else, so the label itself is waited for. A hidden tooltip
      // (display: none, or visibility: hidden with its fade) keeps its last text.
      const tip = await page.waitForFunction((want) => {
        const t = [...document.querySelectorAll('.fl-tooltip')].find((el) => el.style.display !== 'none' &&
          el.style.visibility !== 'hidden' && el.textContent.includes(want));
        return t ? t.textContent : false;
      }, label, { timeout: 300, polling: 20 }).then((h) => h.jsonValue(), () => '');
      if (tip) return { x, y: box.y + y, tip };
    }
  }
  throw new Error(`no element labelled ${label} in ${testid}`);
}

test('sample: the totals shown equal `flowlens analyze`', async () => {
  const cli = await expectCliTotals('', 'sample');
  assert.equal(cli.records, 50000);
  assert.equal(await page.textContent('[data-testid="total-records"]'), '50,000');
  for (const id of ['chart-timeseries', 'chart-top', 'chart-rejects']) {
    await chartBox(id);
    assert.ok(await page.locator(`[data-testid="${id}"] canvas`).count() > 0, `${id} is drawn`);
  }
  await page.evaluate(() => scrollTo(0, 0));
  const findings = await page.textContent('[data-testid="findings"]');
  assert.match(findings, /look like scanners/);
  assert.match(findings, /7\.4% of records rejected/);
  // The network-ACL and NODATA findings, with the CLI's counts.
  const doc = cliAnalyze([SAMPLE]);
  assert.ok(doc.rejects.replies.records > 0 && doc.nodata.records > 0);
  assert.ok(findings.includes(`${grouped(doc.rejects.replies.records)} rejected records go from a well-known port`), findings);
  assert.ok(findings.includes(`${grouped(doc.nodata.records)} NODATA records: ${grouped(doc.nodata.by_interface.distinct)} interfaces`), findings);
  assert.match(await page.textContent('[data-testid="scanners"]'), /203\.0\.113\.77 was rejected on 1,250 different destination ports/);
  assert.match(await page.textContent('[data-testid="pager-info"]'), /Rows 1–50 of 50,000/);
  await showRecords(page);
  assert.equal(await page.locator('[data-testid="records-table"] tbody tr').count(), 50);
  await page.evaluate(() => scrollTo(0, 0));
});

test('sample: screenshot of the dashboard (build/dashboard.png)', async () => {
  mkdirSync(join(ROOT, 'build'), { recursive: true });
  await page.mouse.move(2, 2);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(ROOT, 'build', 'dashboard.png'), fullPage: true });
});

test('filter by typing: totals follow the CLI; chips and URL', async () => {
  await typeFilter(page, 'action = REJECT and dstport in (22, 3389)');
  assert.equal(await currentFilter(), 'action = REJECT and dstport in (22, 3389)');
  const cli = await expectCliTotals('action = REJECT and dstport in (22, 3389)', 'typed');
  assert.equal(cli.records, 798 + 318);
  const chips = await page.locator('[data-testid="filter-chip"]').allTextContents();
  assert.deepEqual(chips.map((c) => c.replace(/×$/, '')), ['action = REJECT', 'dstport in (22, 3389)']);
  assert.equal(await page.inputValue('[data-testid="filter-input"]'), '', 'the input is cleared for the next condition');

  // Removing a chip widens the selection again.
  await page.locator('[data-testid="filter-chip"] .chip-x').first().click();
  await waitState(page, ['ready']);
  assert.equal(await currentFilter(), 'dstport in (22, 3389)');
  await expectCliTotals('dstport in (22, 3389)', 'chip removed');
  await clearFilter();
  await expectCliTotals('', 'cleared');
});

test('filter errors are shown inline with the position', async () => {
  await typeFilter(page, 'bytes > 1M and dstport = ');
  const err = await page.textContent('[data-testid="filter-error"]');
  assert.match(err, /position \d+/);
  assert.equal(await page.locator('[data-testid="filter-error"] mark').count(), 1, 'the position is marked');
  assert.equal(await page.inputValue('[data-testid="filter-input"]'), 'bytes > 1M and dstport = ', 'the text stays for fixing');
  await expectCliTotals('', 'unchanged after an error');
  await typeFilter(page, 'prot = 6');
  assert.match(await page.textContent('[data-testid="filter-error"]'), /unknown field/);
  await page.fill('[data-testid="filter-input"]', '');
  assert.ok(await page.locator('[data-testid="filter-error"]').isHidden(), 'editing clears the error');
});

test('clicking a bar adds its condition (rejects by port, top talkers)', async () => {
  const hit = await findInChart('chart-rejects', '22 (SSH)');
  await page.mouse.click(hit.x, hit.y);
  await waitState(page, ['ready']);
  assert.equal(await currentFilter(), 'dstport = 22');
  await expectCliTotals('dstport = 22', 'clicked port 22');

  // The top source among port-22 traffic, clicked beside its (short) bar.
  const top = cliAnalyze([SAMPLE], 'dstport = 22').top.srcaddr.rows[0].key[0];
  const src = await findInChart('chart-top', top, { x: [0.8] });
  await page.mouse.click(src.x, src.y);
  await waitState(page, ['ready']);
  assert.equal(await currentFilter(), `dstport = 22 and srcaddr = ${top}`);
  await expectCliTotals(`dstport = 22 and srcaddr = ${top}`, 'clicked a source too');
});

test('clicking a node of the conversation graph filters on that address', async () => {
  // The graph's layout is a circle in the series box (conversations.js: left/right 90, top 36,
  // bottom 24): walk round it until a node's tooltip shows.
  const box = await chartBox('chart-conversations');
  const w = box.width - 180;
  const h = box.height - 60;
  const r = Math.min(w, h) / 2;
  const cx = box.x + 90 + w / 2;
  const cy = box.y + 36 + h / 2;
  let hit = null;
  for (let deg = 0; deg < 360 && !hit; deg += 3) {
    const x = cx + r * Math.cos((deg * Math.PI) / 180);
    const y = cy + r * Math.sin((deg * Math.PI) / 180);
    await page.mouse.move(x, y);
    const tip = await page.waitForFunction(() => {
      const t = [...document.querySelectorAll('.fl-tooltip')].find((el) => el.style.display !== 'none' &&
        el.style.visibility !== 'hidden' && el.textContent.includes('filter on this address'));
      return t ? t.textContent : false;
    }, null, { timeout: 120, polling: 20 }).then((v) => v.jsonValue(), () => null);
    if (tip) hit = { x, y, addr: /^(\S+?)In top conversations/.exec(tip)?.[1] };
  }
  assert.ok(hit?.addr, 'a node was found');
  await page.mouse.click(hit.x, hit.y);
  await waitState(page, ['ready']);
  assert.equal(await currentFilter(), `addr = ${hit.addr}`);
  await expectCliTotals(`addr = ${hit.addr}`, 'clicked a node');
});

test('switching the top-talker key and metric', async () => {
  await page.selectOption('[data-testid="top-key"]', 'protocol');
  await page.waitForTimeout(100);
  const hit = await findInChart('chart-top', 'UDP', { x: [0.6] });
  assert.match(hit.tip, /Records/);
  await page.selectOption('[data-testid="top-metric"]', 'records');
  await waitState(page, ['ready']);
  const udp = await findInChart('chart-top', 'UDP', { x: [0.6] });
  const box = await page.locator('[data-testid="chart-top"]').boundingBox();
  await page.mouse.click(box.x + 12, udp.y); // on its label
  await waitState(page, ['ready']);
  assert.equal(await currentFilter(), 'protocol = 17');
  await expectCliTotals('protocol = 17', 'clicked UDP');
  await page.selectOption('[data-testid="top-metric"]', 'bytes');
  await waitState(page, ['ready']);
  await page.selectOption('[data-testid="top-key"]', 'srcaddr');
  await clearFilter();
});

// The dashboard's analysis computes only the top lists it shows (the picked key, sources and
// conversations); the menu's other keys are computed when picked. Menu and lists are the CLI's.
test('the key menu lists the CLI\'s keys, and a picked list under a filter is the CLI\'s', async () => {
  const filter = 'action = REJECT';
  const doc = cliAnalyze([SAMPLE], filter);
  const options = await page.$$eval('[data-testid="top-key"] option', (els) => els.map((e) => e.value));
  assert.deepEqual(options, Object.keys(doc.top));
  await typeFilter(page, filter);
  for (const key of ['dstport', 'interface-id']) {
    await page.selectOption('[data-testid="top-key"]', key);
    await waitState(page, ['ready']);
    const entry = doc.top[key];
    await page.waitForFunction((want) => document.getElementById('top-hint').textContent.startsWith(want),
      `${grouped(entry.distinct)} distinct value`, { timeout: 10_000 });
    const first = entry.rows[0].key[0];
    const hit = await findInChart('chart-top', first, { x: [0.6] });
    assert.ok(hit.tip.includes(`Records${grouped(entry.rows[0].records)}`), `${key}: ${hit.tip}`);
    assert.ok(hit.tip.includes(`Packets${grouped(entry.rows[0].packets)}`), `${key}: ${hit.tip}`);
  }
  await page.selectOption('[data-testid="top-key"]', 'srcaddr');
  await clearFilter();
});

// A chart out of view keeps its new option until it comes into view (ChartsHost.set), its old
// drawing hidden meanwhile; scrolled to, it shows the CLI's numbers for the filter.
test('charts out of view are drawn when they come into view', async () => {
  const filter = 'dstport = 22';
  await page.evaluate(() => scrollTo(0, 0));
  await typeFilter(page, filter);
  const views = await page.$$eval('.chart', (els) => els.map((e) => ({
    id: e.id,
    seen: e.getBoundingClientRect().top < innerHeight,
    pending: e.classList.contains('chart-pending'),
    hidden: [...e.children].every((c) => getComputedStyle(c).visibility === 'hidden'),
  })));
  assert.equal(views.length, 5);
  for (const v of views) {
    assert.equal(v.pending, !v.seen, JSON.stringify(v));
    assert.equal(v.hidden, v.pending, JSON.stringify(v));
  }
  assert.ok(views.find((v) => v.id === 'chart-rejects').pending, 'the reject charts are below the fold');
  const doc = cliAnalyze([SAMPLE], filter);
  const row = doc.rejects.by_source.rows[0];
  const hit = await findInChart('chart-rejects-source', `Records${grouped(row.records)}`, { x: [0.6] }); // scrolls to it
  assert.ok(hit.tip.includes(row.key[0]), hit.tip);
  assert.equal(await page.$eval('#chart-rejects-source', (e) => e.classList.contains('chart-pending')), false);
  await page.evaluate(() => scrollTo(0, 0));
  await clearFilter();
  // Printing draws every chart still waiting.
  assert.ok(await page.$$eval('.chart-pending', (els) => els.length) > 0);
  await page.evaluate(() => dispatchEvent(new Event('beforeprint')));
  assert.deepEqual(await page.$$eval('.chart-pending', (els) => els.map((e) => e.id)), []);
});

// Charts are placed on the layout before a query's text changes (drawCharts); when the text
// then moves one into view, it is drawn before `ready` (DeferredDraws.flushInView), not a frame
// later by the observer, hidden meanwhile. Here a tall finding pushes every chart below the fold
// until the query's own findings replace it.
test('a chart the update moves into view is drawn by the time the page is ready', async () => {
  await page.evaluate(() => scrollTo(0, 0));
  await page.evaluate(() => {
    const tall = document.createElement('li');
    tall.style.height = '3000px';
    document.getElementById('findings').append(tall);
    window.__atReady = null;
    new MutationObserver((_, observer) => {
      if (document.documentElement.dataset.state !== 'ready') return;
      // Runs before any observer callback or frame after `ready`.
      window.__atReady = [...document.querySelectorAll('.chart')]
        .filter((e) => e.getBoundingClientRect().top < innerHeight && e.classList.contains('chart-pending'))
        .map((e) => e.id);
      observer.disconnect();
    }).observe(document.documentElement, { attributes: true, attributeFilter: ['data-state'] });
  });
  await typeFilter(page, 'protocol = tcp');
  const atReady = await page.evaluate(() => window.__atReady);
  assert.deepEqual(atReady, [], 'charts in view but still waiting when the page said ready');
  const timeseries = await page.$eval('#chart-timeseries', (e) => ({
    seen: e.getBoundingClientRect().top < innerHeight, pending: e.classList.contains('chart-pending') }));
  assert.deepEqual(timeseries, { seen: true, pending: false });
  await clearFilter();
});

// The records table below the fold keeps its new page until it is scrolled to (showPage), its
// old rows hidden meanwhile; then it shows the filter's records, as `flowlens parse` would.
test('the records table out of view is drawn when it comes into view', async () => {
  const filter = 'dstport = 3389';
  await page.evaluate(() => scrollTo(0, 0));
  await typeFilter(page, filter);
  const before = await page.$eval('[data-testid="records-table"]', (t) => ({
    pending: t.closest('section').classList.contains('records-pending'),
    hidden: getComputedStyle(t.closest('.table-wrap')).visibility === 'hidden',
  }));
  assert.deepEqual(before, { pending: true, hidden: true });
  const cli = cliAnalyze([SAMPLE], filter).totals;
  assert.match(await page.textContent('[data-testid="pager-info"]'), new RegExp(`Rows 1–50 of ${grouped(cli.records)}`));
  await showRecords(page);
  const ports = await page.locator('[data-testid="records-table"] td.col-dstport').allTextContents();
  assert.equal(ports.length, 50);
  assert.ok(ports.every((p) => p === '3389'), ports.join(' '));
  assert.equal(await page.$eval('[data-testid="records-table"]', (t) => getComputedStyle(t.closest('.table-wrap')).visibility), 'visible');
  // Printing draws the table still waiting (and the charts).
  await page.evaluate(() => scrollTo(0, 0));
  await clearFilter();
  assert.ok(await page.$('.records-pending'));
  await page.evaluate(() => dispatchEvent(new Event('beforeprint')));
  assert.equal(await page.$('.records-pending'), null);
  assert.equal(await page.locator('[data-testid="records-table"] td.col-dstport').count(), 50);
  assert.ok((await page.locator('[data-testid="records-table"] td.col-dstport').allTextContents()).some((p) => p !== '3389'));
});

// The worker sends the analysis in two parts (all but the reject report, then the whole): the
// reject charts and text must follow the second, filter after filter.
test('the reject report follows each filter: note and chart are the CLI\'s', async () => {
  for (const filter of ['dstport < 1024', 'srcaddr = 203.0.113.77', '']) {
    if ((await currentFilter()) !== '') await clearFilter();
    if (filter) await typeFilter(page, filter);
    const doc = cliAnalyze([SAMPLE], filter);
    const note = await page.textContent('#rejects-note');
    assert.ok(note.startsWith(`${grouped(doc.rejects.records)} rejected records (`), `${filter}: ${note}`);
    const row = doc.rejects.by_dstport.rows[0];
    const hit = await findInChart('chart-rejects', `Records${grouped(row.records)}`, { x: [0.6] });
    assert.ok(hit.tip.includes(row.key[0]), `${filter}: ${hit.tip}`);
    const scanners = await page.textContent('[data-testid="scanners"]');
    for (const s of doc.rejects.scanners.slice(0, 3)) assert.ok(scanners.includes(s.source), `${filter}: ${s.source}`);
  }
});

test('dragging across the time chart filters on that range', async () => {
  const box = await chartBox('chart-timeseries');
  const y = box.y + box.height * 0.5;
  await page.mouse.move(box.x + box.width * 0.35, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.45, y, { steps: 8 });
  await page.mouse.move(box.x + box.width * 0.55, y, { steps: 8 });
  await page.mouse.up();
  await waitState(page, ['ready']);
  await page.waitForFunction(() => location.hash.includes('start'), null, { timeout: 10_000 });
  const filter = await currentFilter();
  assert.match(filter, /^\(start >= 2023-11-14T\d\d:\d\d:00Z and start < 2023-11-14T\d\d:\d\d:00Z\)$/, 'one chip: the range');
  const cli = await expectCliTotals(filter, 'time range');
  assert.ok(cli.records > 0 && cli.records < 50000);
  await clearFilter();
});

test('clicking a bar of the time chart filters on its bucket', async () => {
  const box = await chartBox('chart-timeseries');
  // The bars stand on the x axis, 64 px above the chart's bottom (the grid's margin): just above it.
  await page.mouse.click(box.x + box.width * 0.5, box.y + box.height - 64 - 4);
  await waitState(page, ['ready']);
  await page.waitForFunction(() => location.hash.includes('start'), null, { timeout: 10_000 });
  const filter = await currentFilter();
  const m = /^\(start >= (\S+) and start < (\S+)\)$/.exec(filter);
  assert.ok(m, `one chip, a time range: ${filter}`);
  // One bucket as drawn (the core's buckets summed up to a minute at least).
  const { bucket } = drawnSeries(cliAnalyze([SAMPLE]).timeseries);
  assert.equal((Date.parse(m[2]) - Date.parse(m[1])) / 1000, bucket);
  assert.equal(Date.parse(m[1]) / 1000 % bucket, 0, 'the bucket starts on a multiple of its width');
  const cli = await expectCliTotals(filter, 'one bucket');
  assert.ok(cli.records > 0 && cli.records < 50000);
  await clearFilter();
});

test('records: paging and CSV export of the filtered set', async () => {
  await typeFilter(page, 'action = reject');
  const cli = cliAnalyze([SAMPLE], 'action = reject').totals;
  assert.match(await page.textContent('[data-testid="pager-info"]'), new RegExp(`Rows 1–50 of ${grouped(cli.records)}`));
  await page.click('#page-next');
  await waitState(page, ['ready']);
  assert.match(await page.textContent('[data-testid="pager-info"]'), /Rows 51–100 of/);
  const actions = await page.locator('[data-testid="records-table"] td.col-action').allTextContents();
  assert.ok(actions.length === 50 && actions.every((a) => a === 'REJECT'));

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('[data-testid="export-csv"]'),
  ]);
  const path = await download.path();
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, cli.records + 1, 'a header and every filtered record');
  assert.match(lines[0], /^version,account-id,interface-id,srcaddr,dstaddr/);
  assert.ok(lines.slice(1).every((l) => l.includes(',REJECT,')));
  await clearFilter();
});

test('clicking a table cell filters on its value', async () => {
  await showRecords(page);
  await page.locator('[data-testid="records-table"] td.col-dstport button').first().click();
  await waitState(page, ['ready']);
  const filter = await currentFilter();
  assert.match(filter, /^dstport = \d+$/);
  await expectCliTotals(filter, 'cell');
  await clearFilter();
});

// A filter change updates the charts in place when the new option has the shape of the old one
// (ChartsHost.set) and skips a bar chart whose input did not change: the canvases must hold
// exactly what charts built afresh for the same filter hold, and the time brush must still work.
test('charts updated in place draw what freshly built charts draw', async () => {
  const ids = ['chart-timeseries', 'chart-top', 'chart-conversations', 'chart-rejects', 'chart-rejects-source'];
  const pixels = async () => {
    const out = [];
    for (const id of ids) {
      await chartBox(id); // drawn once in view
      out.push(await page.evaluate((i) => document.querySelector(`#${i} canvas`).toDataURL(), id));
    }
    await page.evaluate(() => scrollTo(0, 0));
    return out;
  };
  await page.mouse.move(1, 1);
  await typeFilter(page, 'dstport = 443'); // in place: same shapes as the unfiltered charts
  const updated = await pixels();
  await typeFilter(page, 'bytes > 100T'); // nothing selected: every chart becomes an empty one
  await page.locator('[data-testid="filter-chip"]').nth(1).locator('.chip-x').click();
  await waitState(page, ['ready']);
  assert.equal(await currentFilter(), 'dstport = 443');
  const fresh = await pixels(); // rebuilt: the empty charts had another shape
  ids.forEach((id, i) => assert.ok(updated[i] === fresh[i], `${id} drawn the same`));
  await clearFilter();
});

// A new page of records updates the cells already there: what it leaves must be exactly what a
// fresh table shows, and each cell must filter on its own (new) value.
test('records: an updated table equals a freshly built one and filters on its new values', async () => {
  const table = '[data-testid="records-table"]';
  await showRecords(page);
  await typeFilter(page, 'action = reject'); // updates the unfiltered page in place (when shown)
  await showRecords(page);
  const updated = await page.innerHTML(table);
  await typeFilter(page, 'bytes > 100T'); // no records: the next page is built afresh
  await showRecords(page);
  assert.match(await page.textContent(table), /No records match the filter/);
  await page.locator('[data-testid="filter-chip"]').nth(1).locator('.chip-x').click();
  await waitState(page, ['ready']);
  await showRecords(page);
  assert.equal(await currentFilter(), 'action = reject');
  assert.equal(await page.innerHTML(table), updated);
  await page.click('#page-next'); // in place again
  await waitState(page, ['ready']);
  const cells = await page.locator(`${table} td.col-srcaddr button`).evaluateAll((bs) => bs.map((b) => [b.textContent, b.title]));
  assert.equal(cells.length, 50);
  assert.ok(cells.every(([text, title]) => title === `Filter: srcaddr = ${text}`), 'each button names its own value');
  const [text] = cells[7];
  await page.locator(`${table} td.col-srcaddr button`).nth(7).click();
  await waitState(page, ['ready']);
  assert.equal(await currentFilter(), `action = reject and srcaddr = ${text}`);
  await clearFilter();
});

test('a bookmarked #filter= is applied after loading', async () => {
  const other = await openApp({ hash: '#filter=' + encodeURIComponent('srcaddr in 203.0.113.0/24 and action = reject') });
  try {
    await loadFiles(other.page, [SAMPLE]);
    const cli = cliAnalyze([SAMPLE], 'srcaddr in 203.0.113.0/24 and action = reject').totals;
    const shown = await shownTotals(other.page);
    assert.equal(shown.records, cli.records);
    assert.equal(shown.bytes, cli.bytes);
    assert.equal(await other.page.locator('[data-testid="filter-chip"]').count(), 2);
    // Back in history after a further filter returns to the bookmarked view.
    await typeFilter(other.page, 'dstport = 22');
    assert.equal((await shownTotals(other.page)).records, cliAnalyze([SAMPLE], 'srcaddr in 203.0.113.0/24 and action = reject and dstport = 22').totals.records);
    await other.page.goBack();
    await other.page.waitForFunction(() => !location.hash.includes('dstport'));
    await waitState(other.page, ['ready']);
    await other.page.waitForFunction((n) => document.querySelector('[data-testid="total-records"]').dataset.value === String(n), cli.records);
    assert.deepEqual(other.foreign, []);
    assert.deepEqual(other.consoleErrors, []);
  } finally {
    await other.close();
  }
});
