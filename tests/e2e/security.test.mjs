// Log content is untrusted: a file whose fields, bad lines and even name carry HTML/script
// payloads must render as text everywhere (cards, charts' tooltips, tables, chips, errors) and
// execute nothing. Also: the page's CSP, and no request to any other origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  openApp, loadFiles, shownTotals, waitState, cliAnalyze, tempDir, showRecords,
} from './helpers.mjs';
import { filterFromHash } from '../../web/filter-model.js';

const SCRIPT = '<script>window.__xss=1</script>';
const IMG = '<img/src=x/onerror=window.__xss=2>';
const SVG = '"><svg/onload=window.__xss=3>';
const HREF = 'javascript:window.__xss=4';

let dir;
let file;
let app;
let page;

before(async () => {
  dir = tempDir();
  // The file name is hostile too (spaces are fine in a name).
  file = join(dir, '<img src=x onerror=window.__xss=5>.log');
  const header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id x-tag';
  const lines = [header];
  for (let i = 0; i < 40; i += 1) {
    const acct = [SCRIPT, IMG, SVG, HREF][i % 4];
    const eni = i % 2 ? `eni-${IMG}` : `eni-${SCRIPT}`;
    const action = i % 3 ? 'ACCEPT' : 'REJECT';
    lines.push(`2 ${acct} ${eni} 10.0.0.${i % 7} 203.0.113.${i % 5} ${1024 + i} ${[22, 80, 443][i % 3]} 6 ${i + 1} ${(i + 1) * 100} ${1700000000 + i * 60} ${1700000060 + i * 60} ${action} OK vpc-${SVG} ${HREF}${IMG}`);
  }
  // Bad lines whose text is shown as an example.
  lines.push(`2 123 eni-1 <img src=x onerror=window.__xss=6> 10.0.0.1 1 2 6 1 1 1700000000 1700000060 ACCEPT OK vpc-1 t`);
  lines.push(`${SCRIPT} not a record at all`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  app = await openApp();
  page = app.page;
  assert.equal(await loadFiles(page, [file]), 'ready');
});

after(async () => {
  assert.deepEqual(app.foreign, [], 'no request may leave the origin');
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

async function assertNothingRan(where) {
  const ran = await page.evaluate(() => ({
    flag: window.__xss ?? null,
    scripts: [...document.scripts].map((s) => s.src.replace(location.origin, '')),
    imgs: [...document.querySelectorAll('img')].map((i) => i.getAttribute('src')),
    svgs: document.querySelectorAll('svg[onload], [onerror], [onload]').length,
    links: [...document.querySelectorAll('a[href^="javascript"]')].length,
  }));
  assert.equal(ran.flag, null, `${where}: a payload ran`);
  assert.deepEqual(ran.scripts, ['/app.js'], `${where}: only the app's script`);
  assert.deepEqual(ran.imgs, ['favicon.svg'], `${where}: no injected images`);
  assert.equal(ran.svgs, 0, `${where}: no injected event handlers`);
  assert.equal(ran.links, 0, `${where}: no javascript: links`);
  assert.deepEqual(app.dialogs, [], `${where}: no dialog`);
}

test('hostile content loads and the totals still equal the CLI', async () => {
  const cli = cliAnalyze([file]).totals;
  const shown = await shownTotals(page);
  assert.equal(shown.records, cli.records);
  assert.equal(shown.records, 40);
  assert.equal(shown.bytes, cli.bytes);
  assert.equal(cli.bad_lines, 2);
  await assertNothingRan('after loading');
});

test('payloads are shown as text in the table, files and bad-line examples', async () => {
  await showRecords(page);
  const table = await page.textContent('[data-testid="records-table"]');
  assert.ok(table.includes(SCRIPT), 'the script tag is visible as text');
  assert.ok(table.includes(IMG));
  const files = await page.textContent('#files-table');
  assert.ok(files.includes('<img src=x onerror=window.__xss=5>.log'), 'the file name is text');
  const bad = await page.textContent('[data-testid="bad-lines"]');
  assert.ok(bad.includes('<img src=x onerror=window.__xss=6>'), 'bad line text is shown as text');
  await assertNothingRan('tables');
});

test('chart tooltips escape the payloads', async () => {
  for (const key of ['account-id', 'interface-id', 'vpc-id']) {
    await page.selectOption('[data-testid="top-key"]', key);
    await page.locator('[data-testid="chart-top"]').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    const box = await page.locator('[data-testid="chart-top"]').boundingBox();
    let seen = '';
    for (let y = 10; y < box.height - 10; y += 12) {
      await page.mouse.move(box.x + box.width * 0.5, box.y + y);
      await page.waitForTimeout(40);
      seen += await page.evaluate(() => [...document.querySelectorAll('.fl-tooltip')].map((t) => t.textContent).join('|'));
    }
    assert.ok(/<script>|<img|<svg|javascript:/.test(seen), `${key}: the tooltip shows the payload as text (${seen.slice(0, 200)})`);
    await assertNothingRan(`tooltips of ${key}`);
  }
  await page.selectOption('[data-testid="top-key"]', 'srcaddr');
});

test('a payload becomes a quoted filter condition, and a chip with text', async () => {
  await showRecords(page);
  await page.locator('[data-testid="records-table"] td.col-account-id button', { hasText: IMG }).first().click();
  await waitState(page, ['ready']);
  const filter = filterFromHash(await page.evaluate(() => location.hash));
  assert.equal(filter, `account-id = "${IMG}"`);
  const cli = cliAnalyze([file], filter).totals;
  assert.equal((await shownTotals(page)).records, cli.records);
  assert.equal(cli.records, 10);
  const chip = await page.textContent('[data-testid="filter-chip"]');
  assert.ok(chip.includes(IMG));
  await assertNothingRan('chips');
  await page.click('[data-testid="filter-clear"]');
  await waitState(page, ['ready']);
});

test('a hostile #filter= in the URL is shown as text in the error', async () => {
  const other = await openApp({ hash: `#filter=${encodeURIComponent('srcaddr = <img src=x onerror=window.__xss=7>')}` });
  try {
    await loadFiles(other.page, [file]);
    const err = await other.page.textContent('[data-testid="filter-error"]');
    assert.ok(err.includes('<img src=x onerror=window.__xss=7>'), err);
    assert.equal(await other.page.inputValue('[data-testid="filter-input"]'), 'srcaddr = <img src=x onerror=window.__xss=7>');
    assert.equal((await shownTotals(other.page)).records, 40, 'everything is shown instead');
    const flag = await other.page.evaluate(() => window.__xss ?? null);
    assert.equal(flag, null);
    assert.equal(await other.page.locator('img[src="x"]').count(), 0);
    assert.deepEqual(other.dialogs, []);
    assert.deepEqual(other.foreign, []);
  } finally {
    await other.close();
  }
});

test('the page forbids inline script and foreign origins (CSP)', async () => {
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval';/);
  assert.match(csp, /connect-src 'self'/);
  assert.ok(!csp.includes('unsafe-inline'));
  // An inline script injected anyway is refused by the browser.
  const ran = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.body.append(s);
    s.remove();
    return window.__inline ?? null;
  });
  assert.equal(ran, null);
  // A fetch to another origin is refused by the page itself (connect-src), before any network.
  const outcome = await page.evaluate(() => fetch('https://example.com/x').then(() => 'sent', (e) => `refused: ${e.message}`));
  assert.match(outcome, /^refused/);
  app.foreign.length = 0; // that attempt was ours, and it never left the page
  await assertNothingRan('csp');
});
