// Parallel loading: a large plain file is cut into parts parsed by several workers, beside whole
// files (gzip and plain) given to whichever worker their place in the load falls to. Whatever
// the split, the page must show what `flowlens analyze` computes for the same files: totals,
// per-file reports (one row per file, never per part) and the bad-line examples with their
// line numbers in the whole file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openApp, loadFiles, cliAnalyze, cliGenerate, tempDir, expectCliTotals, typeFilter, waitState, shownTotals, DIST } from './helpers.mjs';
import { parseWorkers } from '../../web/load-plan.js';

// The page starts one parse worker per two cores (load-plan.js parseWorkers): it is told it
// has 4, so that a large load is shared by 2 whatever this machine has.
const CORES = 4;

let app;
let page;
let dir;

before(async () => {
  dir = tempDir();
  app = await openApp({ cores: CORES });
  page = app.page;
  await countWorkers(page);
});

// Counts the workers the page starts from here on (window.__workersStarted; the engine worker
// exists already): the helpers of a parallel load.
function countWorkers(p) {
  return p.evaluate(() => {
    const Real = window.Worker;
    window.__workersStarted = 0;
    window.Worker = class extends Real {
      constructor(...args) {
        super(...args);
        window.__workersStarted += 1;
      }
    };
  });
}

after(async () => {
  assert.deepEqual(app.foreign, [], 'no request may leave the origin');
  assert.deepEqual(app.dialogs, []);
  assert.deepEqual(app.consoleErrors, []);
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

// The files table's names, top to bottom (one row per file).
function shownFileNames(p) {
  return p.locator('#files-table tbody tr').evaluateAll((trs) => trs.map((r) => r.cells[0].textContent));
}

// A generated log of ~36 MB with bad lines spread through it, some near its middle (where a
// 2-worker split cuts it) and one right at its end without a newline.
function bigLogWithBadLines(path) {
  cliGenerate(path, ['--records', '320000', '--seed', '31']);
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const bad = (i) => `2 123456789012 eni-bad${i} 10.0.0.1 10.0.0.2 99999 443 6 1 40 1700000000 1700000060 ACCEPT OK`;
  for (const at of [250000, 160010, 160000, 159990, 5000, 2]) lines.splice(at, 0, bad(at));
  writeFileSync(path, `${lines.join('\n')}\n${bad('last')}`);
  return path;
}

test('a large file, split among workers, gives the CLI\'s totals, file reports and bad lines', async () => {
  const big = bigLogWithBadLines(join(dir, 'big.log'));
  const small = join(dir, 'small.log.gz');
  writeFileSync(small, gzipSync(readFileSync(cliGenerate(join(dir, 'small.log'), ['--records', '4000', '--seed', '32']))));
  const files = [big, small];
  assert.equal(await loadFiles(page, files), 'ready');
  const helpers = await page.evaluate(() => window.__workersStarted);
  assert.equal(await page.evaluate(() => navigator.hardwareConcurrency), CORES);
  assert.equal(helpers, parseWorkers(CORES) - 1, 'one helper worker per further two cores');
  assert.equal(helpers, 1);

  const cli = cliAnalyze(files);
  await expectCliTotals(page, files, '', 'split load');
  const rows = await page.locator('#files-table tbody tr').evaluateAll((trs) => trs.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.deepEqual(rows.map((r) => r[0]), ['big.log', 'small.log.gz'], 'one row per file');
  const fmt = new Intl.NumberFormat('en-US');
  assert.deepEqual(rows.map((r) => [r[2], r[3]]),
    cli.errors.files.map((f) => [fmt.format(f.records), fmt.format(f.bad_lines)]));

  assert.equal(cli.errors.examples.length, 5, 'the test needs examples on both sides of the cut');
  const examples = await page.locator('[data-testid="bad-line-examples"] tbody tr')
    .evaluateAll((trs) => trs.map((r) => [r.cells[0].textContent, r.cells[1].textContent]));
  assert.deepEqual(examples, cli.errors.examples.map((e) => [basename(e.file), fmt.format(e.line)]),
    'the same first examples, with line numbers in the whole file');

  await typeFilter(page, 'action = REJECT and dstport = 22');
  await expectCliTotals(page, files, 'action = REJECT and dstport = 22', 'filtered after a split load');
});

test('each parse worker reads its files on a reader thread of its own', async () => {
  // The engine worker's reader (the helpers' went with them): started from the same origin.
  const readers = page.workers().filter((w) => new URL(w.url()).pathname === '/reader-worker.js');
  assert.equal(readers.length, 1, page.workers().map((w) => w.url()).join(' '));
});

test('when the reader thread cannot start, the engine reads the files itself: same results', async () => {
  // A copy of the site without the reader's script: every reader thread fails to start.
  const site = join(dir, 'site-without-reader');
  cpSync(DIST, site, { recursive: true });
  rmSync(join(site, 'reader-worker.js'));
  const other = await openApp({ cores: CORES, dist: site });
  try {
    const big = join(dir, 'big.log'); // written by the first test
    const files = [big, join(dir, 'small.log.gz')];
    assert.equal(await loadFiles(other.page, files), 'ready');
    assert.equal(other.page.workers().filter((w) => w.url().endsWith('/reader-worker.js')).length, 0);
    await expectCliTotals(other.page, files, '', 'load without reader threads');
    await typeFilter(other.page, 'action = REJECT and dstport = 22');
    await expectCliTotals(other.page, files, 'action = REJECT and dstport = 22', 'filtered, without reader threads');
    // The only complaint is the missing script itself (the server's 404), nothing from the app.
    assert.deepEqual(other.consoleErrors.filter((e) => !/404|Not Found/i.test(e)), []);
  } finally {
    await other.close();
  }
});

test('gzipped files on 2 cores: a parse worker per core, merged in order, the CLI\'s totals', async () => {
  // A mostly gzipped load gets a parse worker per core (parseWorkers): each worker's core
  // inflates and parses its share, and a .gz file's few bytes leave the reader threads idle.
  const files = [1, 2, 3].map((k) => cliGenerate(join(dir, `part-${k}.log.gz`), ['--records', '100000', '--seed', String(40 + k)]));
  const two = await openApp({ cores: 2 });
  try {
    await countWorkers(two.page);
    assert.equal(await loadFiles(two.page, files), 'ready');
    assert.equal(await two.page.evaluate(() => window.__workersStarted), 1, 'one helper worker');
    await expectCliTotals(two.page, files, '', 'gzip on 2 cores');
    const names = await shownFileNames(two.page);
    assert.deepEqual(names, ['part-1.log.gz', 'part-2.log.gz', 'part-3.log.gz'], 'one row per file, in order');
    await typeFilter(two.page, 'action = REJECT');
    await expectCliTotals(two.page, files, 'action = REJECT', 'filtered, gzip on 2 cores');
    // Another load of two of them (the filter stays).
    const again = [files[2], files[1]];
    assert.equal(await loadFiles(two.page, again), 'ready');
    await expectCliTotals(two.page, again, 'action = REJECT', 'gzip on 2 cores, loaded again');
    assert.deepEqual(two.consoleErrors, []);
  } finally {
    await two.close();
  }
});

test('a cancelled gzip load stops every worker and read, and the next load reads everything', async () => {
  // On 2 cores the three .gz files go to two parse workers, and the helper reads its second file
  // ahead on a second reader thread while it parses the first: a cancel must stop every worker
  // and every read, or a reader thread would still hold a read when the next load needs it.
  const files = [[1, 600000], [2, 1300000], [3, 10]].map(([k, n]) => cliGenerate(join(dir, `big-${k}.log.gz`), ['--records', String(n), '--seed', String(50 + k)]));
  const two = await openApp({ cores: 2 });
  try {
    await two.page.setInputFiles('[data-testid="file-input"]', files);
    await waitState(two.page, ['loading']);
    await two.page.waitForFunction(() => /[1-9][\d,]* records/.test(document.getElementById('progress-stats').textContent));
    await two.page.click('[data-testid="cancel-load"]');
    assert.equal(await waitState(two.page, ['ready', 'error']), 'ready');
    const shown = await shownTotals(two.page);
    assert.ok(shown.records > 0 && shown.records < 1900010, `partial: ${shown.records}`);
    assert.match(await two.page.textContent('[data-testid="partial-notice"]'), /Loading was cancelled/);
    assert.equal(await loadFiles(two.page, files), 'ready');
    await expectCliTotals(two.page, files, '', 'gzip loaded after a cancel');
    assert.deepEqual(two.consoleErrors, []);
  } finally {
    await two.close();
  }
});

test('gzipped files on 4 cores: a worker per core, merged in order', async () => {
  // parseWorkers(4, four .gz files) = 4: a file each; the helpers' data sets are then imported.
  const files = [1, 2, 3, 4].map((k) => cliGenerate(join(dir, `four-${k}.log.gz`), ['--records', '100000', '--seed', String(60 + k)]));
  const before = await page.evaluate(() => window.__workersStarted);
  assert.equal(await loadFiles(page, files), 'ready');
  assert.equal(await page.evaluate(() => window.__workersStarted) - before, 3, 'three helper workers');
  // (The filter of an earlier test stays across loads.)
  await expectCliTotals(page, files, 'action = REJECT and dstport = 22', 'gzip on 4 cores, filtered');
  await page.click('[data-testid="filter-clear"]');
  await waitState(page, ['ready']);
  await expectCliTotals(page, files, '', 'gzip on 4 cores');
  const names = await shownFileNames(page);
  assert.deepEqual(names, files.map((f) => basename(f)), 'one row per file, in order');
});

test('small files with a large plain one among them: read ahead in order, the CLI\'s totals', async () => {
  // Small files (.gz or plain) are read ahead several at once, alternately on the two reader
  // threads; a large plain file (over 16 MiB) stops the reading ahead until it is reached, and
  // is then read on the thread whose turn it is (a thread takes its reads in order, so nothing
  // may be queued before it there).
  const plain = (k, n) => cliGenerate(join(dir, `mixed-${k}.log`), ['--records', String(n), '--seed', String(70 + k)]);
  const gz = (k) => cliGenerate(join(dir, `mixed-${k}.log.gz`), ['--records', '20000', '--seed', String(70 + k)]);
  const files = [gz(1), gz(2), plain(3, 160000), gz(4), plain(5, 20000), gz(6), gz(7)];
  assert.ok(statSync(files[2]).size > 16 * 2 ** 20, 'the large plain file is over 16 MiB');
  const two = await openApp({ cores: 2 });
  try {
    assert.equal(await loadFiles(two.page, files), 'ready');
    await expectCliTotals(two.page, files, '', 'small and large, .gz and plain files on 2 cores');
    const names = await shownFileNames(two.page);
    assert.deepEqual(names, files.map((f) => basename(f)), 'one row per file, in order');
    assert.deepEqual(two.consoleErrors, []);
  } finally {
    await two.close();
  }
});
