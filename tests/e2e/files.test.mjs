// Loading: several files at once (plain and gzip), a whole S3-style folder, concatenated gzip
// members, a corrupt gzip and a non-flow-log beside good files, header-less data with the
// field-list box, and cancelling a long load. Every total is checked against the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  openApp, loadFiles, shownTotals, waitState, cliAnalyze, cliGenerate, tempDir, grouped,
  expectCliTotals,
} from './helpers.mjs';

let app;
let page;
let dir;

before(async () => {
  dir = tempDir();
  app = await openApp();
  page = app.page;
});

after(async () => {
  assert.deepEqual(app.foreign, [], 'no request may leave the origin');
  assert.deepEqual(app.dialogs, []);
  assert.deepEqual(app.consoleErrors, []);
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

function expectTotals(files, label, args = []) {
  return expectCliTotals(page, files, '', label, args);
}

async function fileRows() {
  return page.locator('#files-table tbody tr').evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
}

test('several files at once: gzip and plain text', async () => {
  const a = cliGenerate(join(dir, 'a.log.gz'), ['--records', '3000', '--seed', '11']);
  const b = cliGenerate(join(dir, 'b.log'), ['--records', '2000', '--seed', '12', '--start', '1700100000']);
  const c = cliGenerate(join(dir, 'c.log.gz'), ['--records', '1000', '--seed', '13', '--fields',
    'version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status flow-direction traffic-path']);
  assert.equal(await loadFiles(page, [a, b, c]), 'ready');
  const cli = await expectTotals([a, b, c], 'three files');
  assert.equal(cli.records, 6000);
  const rows = await fileRows();
  assert.deepEqual(rows.map((r) => r[0]), ['a.log.gz', 'b.log', 'c.log.gz']);
  assert.ok(rows.every((r) => r[5] === 'read'));
  assert.match(rows[0][4], /gzip/);
  // A version-3+ dimension the third file has is offered as a top-talker key.
  const keys = await page.locator('[data-testid="top-key"] option').evaluateAll((os) => os.map((o) => o.value));
  for (const k of ['vpc-id', 'flow-direction', 'traffic-path']) assert.ok(keys.includes(k), k);
});

test('a whole folder (AWSLogs/… tree) through the folder picker', async () => {
  const root = join(dir, 'download');
  const leaf = join(root, 'AWSLogs', '123456789012', 'vpcflowlogs', 'us-east-1', '2023', '11', '14');
  mkdirSync(join(leaf, '22'), { recursive: true });
  cliGenerate(join(leaf, '123456789012_vpcflowlogs_us-east-1_fl-1_20231114T2210Z_a1.log.gz'), ['--records', '1500', '--seed', '21']);
  cliGenerate(join(leaf, '22', '123456789012_vpcflowlogs_us-east-1_fl-1_20231114T2215Z_b2.log.gz'), ['--records', '2500', '--seed', '22']);
  writeFileSync(join(leaf, '.DS_Store'), 'not a log'); // hidden: skipped, as the CLI skips it
  assert.equal(await loadFiles(page, root, { testid: 'folder-input' }), 'ready');
  const cli = await expectTotals([root], 'folder');
  assert.equal(cli.records, 4000);
  const rows = await fileRows();
  assert.equal(rows.length, 2);
  assert.ok(rows.every((r) => r[0].includes('AWSLogs/123456789012/vpcflowlogs/us-east-1/2023/11/14/')), rows.map((r) => r[0]).join());
});

test('concatenated gzip members read as one stream', async () => {
  const a = cliGenerate(join(dir, 'm1.log.gz'), ['--records', '30000', '--seed', '31']);
  const b = cliGenerate(join(dir, 'm2.log.gz'), ['--records', '100', '--seed', '32']);
  const c = cliGenerate(join(dir, 'm3.log.gz'), ['--records', '20000', '--seed', '33']);
  const joined = join(dir, 'joined.log.gz');
  writeFileSync(joined, Buffer.concat([a, b, c].map((f) => readFileSync(f))));
  assert.equal(await loadFiles(page, [joined]), 'ready');
  const cli = await expectTotals([joined], 'concatenated');
  assert.equal(cli.records, 50100);
  assert.equal((await fileRows())[0][5], 'read');
});

test('a corrupt gzip and a non-flow-log beside a good file: errors shown, the good file analysed', async () => {
  const good = cliGenerate(join(dir, 'good.log.gz'), ['--records', '4000', '--seed', '41']);
  const bad = join(dir, 'broken.log.gz');
  const gz = readFileSync(good);
  const junk = Buffer.alloc(20000);
  for (let i = 0; i < junk.length; i += 1) junk[i] = (i * 7919 + 13) % 251;
  writeFileSync(bad, Buffer.concat([gz.subarray(0, 10), junk])); // a gzip header, then garbage
  const notes = join(dir, 'notes.txt');
  writeFileSync(notes, 'Meeting notes\nnothing to see here\n');
  assert.equal(await loadFiles(page, [bad, good, notes]), 'ready');
  await expectTotals([good], 'good file only');
  const alert = await page.textContent('[data-testid="file-errors"]');
  assert.match(alert, /2 files had problems/);
  // The CLI's own words for the damage: the page's core inflates with the CLI's code.
  const cliError = cliAnalyze([bad]).errors.files[0].error;
  assert.match(cliError, /^corrupt gzip data after [\d,]+ bytes: /);
  assert.ok(alert.includes(`broken.log.gz: ${cliError}`), alert);
  assert.match(alert, /notes\.txt: /);
  const rows = await fileRows();
  assert.deepEqual(rows.map((r) => r[0]), ['broken.log.gz', 'good.log.gz', 'notes.txt']);
  assert.equal(rows[1][5], 'read');
  assert.match(rows[0][5], /corrupt/);
  // The unreadable lines are summarised with examples (file, line, reason, text).
  const bad2 = await page.textContent('[data-testid="bad-lines"]');
  assert.match(bad2, /notes\.txt/);
  assert.match(bad2, /Meeting notes/);
});

test('header-less data: an error that asks for the field list, then the field list works', async () => {
  const fields = 'srcaddr dstaddr srcport dstport protocol packets bytes start end action';
  const file = cliGenerate(join(dir, 'cloudwatch.log'), ['--records', '800', '--seed', '51', '--no-header', '--fields', fields]);
  assert.equal(await loadFiles(page, [file]), 'error');
  assert.ok(await page.locator('#failure').isVisible());
  assert.match(await page.textContent('#failure-files'), /field list/);
  assert.ok(await page.locator('#load-options').evaluate((d) => d.open), 'the field-list box is opened');
  await page.fill('[data-testid="field-list"]', fields);
  await page.click('[data-testid="field-list-reload"]');
  await waitState(page, ['ready', 'error']);
  await expectTotals([file], 'with --fields', ['--fields', fields]);
  // A field list the core refuses is reported next to the box, before anything is read.
  await page.fill('[data-testid="field-list"]', 'srcaddr dstaddr srcaddr');
  await page.click('[data-testid="field-list-reload"]');
  assert.equal(await waitState(page, ['error', 'ready']), 'error');
  assert.match(await page.textContent('#field-list-error'), /'srcaddr' is named twice/);
  assert.match(await page.textContent('#failure-title'), /field list was not accepted/);
  await page.fill('[data-testid="field-list"]', '');
});

test('files dropped on the page', async () => {
  const a = cliGenerate(join(dir, 'drop-a.log.gz'), ['--records', '700', '--seed', '71']);
  const b = cliGenerate(join(dir, 'drop-b.log'), ['--records', '300', '--seed', '72']);
  const payload = [a, b].map((f) => ({ name: f.split('/').pop(), data: readFileSync(f).toString('base64') }));
  // A real drag from the desktop cannot be scripted; this drop carries the same DataTransfer
  // the page reads (files, no directory entries).
  await page.evaluate((files) => {
    const dt = new DataTransfer();
    for (const f of files) {
      const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name));
    }
    const target = document.body;
    target.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true }));
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, payload);
  await waitState(page, ['loading', 'querying', 'ready']);
  assert.equal(await waitState(page, ['ready', 'error']), 'ready');
  await expectTotals([a, b], 'dropped');
  assert.ok(await page.locator('#drop-overlay').isHidden());
});

test('cancel keeps what was read and says the data is partial', async () => {
  const big = cliGenerate(join(dir, 'big.log'), ['--records', '4000000', '--seed', '61']);
  const small = cliGenerate(join(dir, 'z-after.log'), ['--records', '10', '--seed', '62']); // read second
  await page.setInputFiles('[data-testid="file-input"]', [big, small]);
  await waitState(page, ['loading']);
  await page.waitForFunction(() => /MB of .*[1-9][\d,]* records/.test(document.getElementById('progress-stats').textContent));
  const stats = await page.textContent('#progress-stats');
  assert.match(stats, /MB of .*MB/);
  // The page stays responsive while the worker parses: a timer and a frame come back at once.
  // (Best of three, so one scheduling hiccup on a busy test machine does not count.)
  const lag = await page.evaluate(async () => {
    const once = () => new Promise((resolve) => {
      const t0 = performance.now();
      setTimeout(() => requestAnimationFrame(() => resolve(performance.now() - t0)), 0);
    });
    return Math.min(await once(), await once(), await once());
  });
  assert.ok(lag < 250, `main thread lag ${lag.toFixed(0)} ms while loading`);
  await page.click('[data-testid="cancel-load"]');
  assert.equal(await waitState(page, ['ready', 'error']), 'ready');
  const shown = await shownTotals(page);
  assert.ok(shown.records > 0 && shown.records < 4000000, `partial: ${shown.records}`);
  const notice = await page.textContent('[data-testid="partial-notice"]');
  assert.match(notice, /Loading was cancelled/);
  assert.match(notice, /1 file not read/);
  const rows = await fileRows();
  assert.match(rows[0][5], /cancelled/);
  assert.match(rows[1][5], /not read/);
  rmSync(big);
});
