// wasm-node.mjs — the wasm core alone, in Node (V8, like Chromium), on a generated file: load speed
// (beginFile, feed in 256 KiB pieces through one reused heap buffer as web/worker.js does,
// endFile), the same load into a module that has loaded the file before, and analyze() latency.
// Tells the browser figure's parts apart: the wasm engine itself versus the page around it (file
// reading in the worker, messages, rendering).
//
//   node bench/wasm-node.mjs [--records N] [--runs R] [--file LOG]
//
// Uses build-wasm/ ($FLOWLENS_WASM_DIR). Loads tell the core their size first (expectBytes), as
// the page does; NO_EXPECT=1 leaves that out; BUF=bytes feeds pieces of another size. Figures
// only: nothing here runs in `make test`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FILTERS, median } from './queries.mjs';
import { provenance } from './provenance.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WASM_DIR = resolve(ROOT, process.env.FLOWLENS_WASM_DIR ?? 'build-wasm');
const CLI = resolve(ROOT, process.env.FLOWLENS_CLI ?? 'build/flowlens');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
};
const records = Number(arg('--records', 1_000_000));
const runs = Number(arg('--runs', 5));
const tmp = mkdtempSync(join(tmpdir(), 'flowlens-bench-wasm-'));
let file = arg('--file', null);
if (!file) {
  file = join(tmp, 'flows.log');
  execFileSync(CLI, ['generate', '--records', String(records), '--seed', '1', '-o', file]);
}
const bytes = readFileSync(file);
const MB = bytes.length / 1e6;
const createFlowLensCore = createRequire(import.meta.url)(join(WASM_DIR, 'flowlens-core.js'));
const wasmBinary = readFileSync(join(WASM_DIR, 'flowlens-core.wasm'));
console.log(provenance(ROOT, [join(WASM_DIR, 'flowlens-core.wasm')]));
console.log(`input: ${MB.toFixed(1)} MB; ${runs} runs, a fresh module each; medians`);

// Loads `part` as one file, told its size first (expectBytes) as the page's worker does, unless
// NO_EXPECT; fed in 256 KiB pieces through one reused heap buffer, as the page's worker feeds
// (1 MiB before 2026-11-24 20:15).
function loadInto(core, name, part, expected = process.env.NO_EXPECT ? 0 : part.length) {
  const BUF = Number(process.env.BUF ?? (256 << 10));
  const ptr = core._malloc(BUF) >>> 0;
  core.expectBytes(expected);
  const err = core.beginFile(name, '');
  if (err) throw new Error(err);
  for (let off = 0; off < part.length; off += BUF) {
    core.HEAPU8.set(part.subarray(off, Math.min(off + BUF, part.length)), ptr);
    core.feed(ptr, Math.min(BUF, part.length - off));
  }
  core.endFile();
  core._free(ptr);
}

const opts = { top: 10, metric: 'bytes', bucket: 0, keys: '', scanPorts: 20, scanHosts: 20, sections: '' };
const DRILL = [(r) => `addr in 10.0.${2 + r}.0/24`, (r) => `bytes > ${100 + r}k`, (r) => `dstport = ${443 + r}`];
const drill = DRILL.map(() => []);
const load = [];
const full = [];
const filtered = FILTERS.map(() => []);
let heap = 0;
for (let r = 0; r < runs; r += 1) {
  const core = await createFlowLensCore({ wasmBinary });
  const t0 = performance.now();
  loadInto(core, 'flows.log', bytes);
  load.push((performance.now() - t0) / 1e3);
  let t = performance.now();
  JSON.parse(core.analyze('', opts));
  full.push((performance.now() - t) / 1e3);
  FILTERS.forEach(([expr], k) => {
    t = performance.now();
    JSON.parse(core.analyze(expr, opts));
    filtered[k].push((performance.now() - t) / 1e3);
  });
  // A drill-down as the page's chips make it: each step adds one condition to the last filter
  // (new values each run, so only the new condition can be missing from the core's cache of
  // conditions); records(filter, 0, 1) times the filter's evaluation.
  DRILL.forEach((of, k) => {
    const t = performance.now();
    core.records(DRILL.slice(0, k + 1).map((c) => c(r)).join(' and '), 0, 1);
    drill[k].push(performance.now() - t);
  });
  heap = Math.max(heap, core.HEAPU8.length);
  if (r === 0) console.log(`records: ${core.loadedRecords().toLocaleString('en-US')}`);
}
// The same load again into one module, reset between: its memory is touched already, so these
// leave out the page faults a fresh module pays for the store's memory (bench/README.md, "Where
// a load's CPU goes"). The steadier figure for comparing two parser builds.
const reload = [];
{
  const core = await createFlowLensCore({ wasmBinary });
  loadInto(core, 'flows.log', bytes);
  for (let r = 0; r < runs; r += 1) {
    core.reset();
    const t0 = performance.now();
    loadInto(core, 'flows.log', bytes);
    reload.push((performance.now() - t0) / 1e3);
  }
}
// The page's parallel load (web/worker.js): a helper instance parses the second half and exports
// it (exportData, copied out, reset), the engine instance parses the first half and imports it
// (malloc, copy in, importData). Times the export and the import.
const mergeExport = [];
const mergeImport = [];
const cut = bytes.indexOf(0x0a, bytes.length >> 1) + 1;
for (let r = 0; r < runs; r += 1) {
  const engine = await createFlowLensCore({ wasmBinary });
  const helper = await createFlowLensCore({ wasmBinary });
  // As the page's worker tells them (expectBytes): the engine expects the helper's rows too.
  loadInto(engine, 'a.log', bytes.subarray(0, cut), process.env.NO_EXPECT ? 0 : bytes.length);
  loadInto(helper, 'b.log', bytes.subarray(cut));
  let t = performance.now();
  const buffer = helper.exportData().slice();
  helper.reset();
  mergeExport.push(performance.now() - t);
  t = performance.now();
  const ptr = engine._malloc(buffer.length) >>> 0;
  engine.HEAPU8.set(buffer, ptr);
  const err = engine.importData(ptr, buffer.length);
  if (err) throw new Error(err);
  mergeImport.push(performance.now() - t);
}
const l = median(load);
console.log(`wasm load: ${l.toFixed(3)} s = ${(MB / l).toFixed(0)} MB/s; wasm memory ${(heap / 1e6).toFixed(0)} MB`);
const rl = median(reload);
console.log(`wasm reload (the module's memory already touched): ${rl.toFixed(3)} s = ${(MB / rl).toFixed(0)} MB/s`);
console.log(`wasm analyze (no filter): ${(median(full) * 1e3).toFixed(0)} ms`);
FILTERS.forEach(([expr], k) => console.log(`wasm analyze "${expr}": ${(median(filtered[k]) * 1e3).toFixed(0)} ms`));
console.log(`wasm drill-down, one condition added a step (filter evaluation): ${DRILL.map((c, k) => `+${c(0)} ${median(drill[k]).toFixed(1)} ms`).join(', ')}`);
console.log(`wasm merge of the second half (as the page's helper worker): export ${median(mergeExport).toFixed(0)} ms, import ${median(mergeImport).toFixed(0)} ms`);
rmSync(tmp, { recursive: true, force: true });
