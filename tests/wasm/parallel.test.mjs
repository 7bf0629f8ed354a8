// Parallel loading through the wasm API (wasm/API.md, "Parallel loading"): several instances
// parse file groups or parts of one file, export, and one instance imports them all. The
// independent path is a single instance loading the same files whole: every analyze document
// (with and without filters), every record and every file report must be identical.
//
//   node --test tests/wasm/
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { cliPath, dataDir, DATA_FILES, DEFAULTS, loadBytes, newCore } from './support.mjs';

const FILTERS = ['', 'action = REJECT', 'dstport in (22, 443, 3389) or protocol = 17', 'bytes > 1000'];

// Copies `bytes` into a fresh heap buffer, calls f(ptr, length), frees it.
function withHeap(core, bytes, f) {
  const ptr = core._malloc(Math.max(1, bytes.length)) >>> 0;
  assert.notEqual(ptr, 0);
  try {
    core.HEAPU8.set(bytes, ptr);
    return f(ptr, bytes.length);
  } finally {
    core._free(ptr);
  }
}

// Copies `bytes` into a fresh heap buffer and imports it; importData takes (frees) the buffer.
function importBytes(core, bytes) {
  const ptr = core._malloc(Math.max(1, bytes.length)) >>> 0;
  assert.notEqual(ptr, 0);
  core.HEAPU8.set(bytes, ptr);
  return core.importData(ptr, bytes.length);
}

const loadWhole = (core, name, bytes) => loadBytes(core, name, bytes);

// One part as the page feeds it: from offset - 1, in chunks, until partDone() or the file ends.
// Returns how many bytes were fed.
function loadPart(core, name, bytes, offset, end, chunk = 4096) {
  const nl = bytes.indexOf(0x0a);
  const firstLine = new TextDecoder().decode(bytes.subarray(0, nl < 0 ? bytes.length : nl));
  assert.equal(core.beginFilePart(name, '', firstLine, offset, end), '');
  let pos = offset > 0 ? offset - 1 : 0;
  const from = pos;
  while (pos < bytes.length && !core.partDone()) {
    const piece = bytes.subarray(pos, Math.min(bytes.length, pos + chunk));
    withHeap(core, piece, (p, n) => core.feed(p, n));
    pos += piece.length;
  }
  JSON.parse(core.endFile());
  return pos - from;
}

// exportData() -> a copy (as a worker would post it) -> importData() into `into`.
function transfer(into, from) {
  const view = from.exportData();
  assert.ok(view instanceof Uint8Array, `exportData failed: ${view}`);
  const copy = view.slice();
  from.freeExport();
  return importBytes(into, copy);
}

// What the page can ask of a data set.
function answers(core) {
  const out = FILTERS.map((f) => core.analyze(f, DEFAULTS));
  const total = JSON.parse(core.records('', 0, 0)).total;
  out.push(core.records('', 0, total));
  out.push(core.recordsCsv('action = REJECT', 0, total));
  return out;
}

let tmp;
let generated;
const dataFile = (name) => fs.readFileSync(path.join(dataDir, name));

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowlens-parallel-'));
  const out = path.join(tmp, 'generated.log');
  const r = spawnSync(cliPath, ['generate', '--records', '20000', '--seed', '9', '-o', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  generated = fs.readFileSync(out);
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('parallel loading', () => {
  test('file groups parsed by three instances equal one instance loading them all', async () => {
    const files = DATA_FILES.map((n) => [n, dataFile(n)]);
    files.splice(2, 0, ['generated.log', generated]);
    const single = await newCore();
    for (const [n, b] of files) loadWhole(single, n, b);
    const expected = answers(single);
    assert.ok(JSON.parse(expected[0]).errors.bad_lines > 0, 'messy.log brings bad lines');

    const groups = [files.slice(0, 2), files.slice(2, 5), files.slice(5)];
    const workers = await Promise.all(groups.map(() => newCore()));
    groups.forEach((g, i) => g.forEach(([n, b]) => loadWhole(workers[i], n, b)));
    const main = await newCore();
    for (const w of workers) assert.equal(transfer(main, w), '');
    assert.deepEqual(answers(main), expected);
    assert.equal(main.loadedRecords(), single.loadedRecords());
  });

  test('parts of one file parsed by three instances equal the whole file', async () => {
    const single = await newCore();
    loadWhole(single, 'generated.log', generated);
    const expected = answers(single);
    const size = generated.length;
    const header = generated.indexOf(0x0a);
    // Cut points: mid-line, right at a '\n', right after one, inside the header, an empty part.
    const at = (f) => Math.floor(size * f);
    const nlAfter = (p) => generated.indexOf(0x0a, p);
    for (const cuts of [
      [0, at(1 / 3), at(2 / 3), size],
      [0, nlAfter(at(0.4)), nlAfter(at(0.7)) + 1, size],
      [0, Math.floor(header / 2), at(0.5), size],
      [0, at(0.5), at(0.5) + 3, size],
    ]) {
      const main = await newCore();
      for (let i = 0; i + 1 < cuts.length; ++i) {
        const worker = await newCore();
        const fed = loadPart(worker, 'generated.log', generated, cuts[i], cuts[i + 1]);
        if (i + 2 < cuts.length && cuts[i + 1] - cuts[i] > 1000) {
          assert.ok(fed < size - cuts[i], 'partDone() stops the reading before the end of the file');
        }
        assert.equal(transfer(main, worker), '', `cuts ${cuts}`);
      }
      const got = answers(main);
      assert.deepEqual(got, expected, `cuts ${cuts}`);
      assert.equal(JSON.parse(got[0]).errors.files[0].bytes, size);
    }
  });

  test('messy.log in parts keeps its bad lines, line numbers and report', async () => {
    const bytes = dataFile('messy.log');
    const single = await newCore();
    loadWhole(single, 'messy.log', bytes);
    const expected = answers(single);
    for (let k = 0; k <= bytes.length; k += 7) {
      const a = await newCore();
      const b = await newCore();
      loadPart(a, 'messy.log', bytes, 0, k, 5);
      loadPart(b, 'messy.log', bytes, k, Infinity, 5);
      const main = await newCore();
      assert.equal(transfer(main, a), '');
      assert.equal(transfer(main, b), '');
      assert.deepEqual(answers(main), expected, `split at ${k}`);
    }
  });

  test('a damaged export is an error and leaves the instance as it was', async () => {
    const worker = await newCore();
    for (const n of DATA_FILES) loadWhole(worker, n, dataFile(n));
    const good = worker.exportData().slice();
    const main = await newCore();
    loadWhole(main, 'documented-default.log', dataFile('documented-default.log'));
    const before = answers(main);
    const damaged = [good.subarray(0, good.length - 1), good.subarray(0, 20), new Uint8Array(0),
      Uint8Array.from(good, (v, i) => (i === 8 ? 7 : v))];
    for (let i = 0; i < 200; ++i) {
      const bad = good.slice();
      bad[(i * 7919) % bad.length] ^= 1 << (i % 8);
      damaged.push(bad);
    }
    let rejected = 0;
    for (const bad of damaged) {
      const m = await newCore();
      loadWhole(m, 'documented-default.log', dataFile('documented-default.log'));
      const err = importBytes(m, bad);
      if (err !== '') {
        ++rejected;
        assert.deepEqual(answers(m), before, 'a refused import changes nothing');
      } else {
        answers(m);  // an undetected flip (e.g. in a count's text) must still leave a usable set
      }
    }
    assert.ok(rejected >= 4, `${rejected} damaged exports refused`);
    assert.match(importBytes(main, good.subarray(0, 100)), /truncated|not a FlowLens/);
    assert.deepEqual(answers(main), before);
  });

  test('importData frees its buffer whatever the outcome: refused imports do not grow the heap', async () => {
    const core = await newCore();
    const junk = new Uint8Array(8 << 20).fill(7); // 8 MiB that is not an export
    assert.notEqual(importBytes(core, junk), '');
    const heap = core.HEAPU8.length;
    for (let i = 0; i < 20; ++i) assert.match(importBytes(core, junk), /not a FlowLens|truncated|damaged/);
    assert.equal(core.beginFile('open.log', ''), '');
    for (let i = 0; i < 20; ++i) assert.match(importBytes(core, junk), /file is being loaded/);
    core.endFile();
    // One buffer kept would grow the heap by 8 MiB, all of them by 320 MiB (an open file takes
    // a few MiB of its own).
    assert.ok(core.HEAPU8.length - heap < 8 << 20, `heap ${heap} -> ${core.HEAPU8.length}`);
  });

  test('export and import are refused while a file is open', async () => {
    const core = await newCore();
    const good = (() => {
      loadWhole(core, 'messy.log', dataFile('messy.log'));
      return core.exportData().slice();
    })();
    assert.equal(core.beginFile('x.log', ''), '');
    assert.equal(typeof core.exportData(), 'string');
    assert.match(importBytes(core, good), /file is being loaded/);
    core.endFile();
    assert.equal(core.beginFilePart('y.log', '', '', -1, 10), 'offset and end must be non-negative whole numbers (end may be Infinity)');
    assert.equal(core.partDone(), false);
  });
});
