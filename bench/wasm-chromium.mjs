// wasm-chromium.mjs — the wasm core alone in a dedicated worker of headless Chromium: the page's
// V8, whose wasm compiler is years newer than Node's (Debian's Node 18), so a parser change can
// measure differently here than in bench/wasm-node.mjs. The worker holds the file in memory,
// then loads it as web/worker.js feeds (told its size first, 256 KiB pieces through one reused
// heap buffer): into a fresh module (`load`) and again into one whose memory is already touched
// (`reload`: no page faults, the steadier figure for comparing parser builds), then analyses it
// without a filter as the page's dashboard asks (`analyze`), then with each of the bench's
// filters (queries.mjs: the worker's part of a filter change). Several wasm
// builds can be given; their runs are alternated, one round after another, in one browser.
//
//   node bench/wasm-chromium.mjs [--file LOG] [--records N] [--rounds R] [WASM_DIR …]
//
// WASM_DIR defaults to build-wasm/. Figures only: nothing here runs in `make test`.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { FILTERS, median } from './queries.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const records = Number(option('--records', 1_000_000));
const rounds = Number(option('--rounds', 3));
let file = option('--file', null);
if (!file) {
  file = join(tmpdir(), `flowlens-probe-${records}.log`);
  if (!existsSync(file)) execFileSync(join(ROOT, 'build', 'flowlens'), ['generate', '--records', String(records), '--seed', '1', '-o', file]);
}
const dirs = (args.length ? args : [join(ROOT, 'build-wasm')]).map((d) => resolve(d));
const MB = statSync(file).size / 1e6;

const WORKER = `
const FILTERS = ${JSON.stringify(FILTERS.map(([f]) => f))};
let bytes;
self.onmessage = async (e) => {
  if (e.data.type === 'data') { bytes = new Uint8Array(await (await fetch('/data.log')).arrayBuffer()); postMessage('ready'); return; }
  const { build } = e.data;
  importScripts('/w' + build + '/flowlens-core.js');
  const BUF = 256 << 10;
  const loadInto = (core) => {
    const ptr = core._malloc(BUF) >>> 0;
    core.expectBytes(bytes.length);
    const err = core.beginFile('flows.log', '');
    if (err) throw new Error(err);
    for (let off = 0; off < bytes.length; off += BUF) {
      const n = Math.min(BUF, bytes.length - off);
      core.HEAPU8.set(bytes.subarray(off, off + n), ptr);
      core.feed(ptr, n);
    }
    core.endFile();
    core._free(ptr);
  };
  const core = await createFlowLensCore({ locateFile: (f) => '/w' + build + '/' + f });
  let t = performance.now();
  loadInto(core);
  const load = performance.now() - t;
  const records = core.loadedRecords();
  core.reset();
  t = performance.now();
  loadInto(core);
  const reload = performance.now() - t;
  // The dashboard's first analysis, as the page asks for it (web/app.js: the top lists on screen).
  const options = { top: 10, metric: 'bytes', bucket: 0, keys: 'srcaddr;conversation', scanPorts: 20, scanHosts: 20, sections: '' };
  t = performance.now();
  JSON.parse(core.analyze('', options));
  const analyze = performance.now() - t;
  // Then each of the bench's filters (the worker's part of a filter change), as the page asks.
  const filters = FILTERS.map((f) => {
    t = performance.now();
    JSON.parse(core.analyze(f, options));
    return performance.now() - t;
  });
  postMessage({ load, reload, analyze, filters, records });
};`;

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const send = (body, type) => { res.writeHead(200, { 'content-type': type }); res.end(body); };
  if (url.pathname === '/') return send('<!doctype html><title>wasm</title>', 'text/html');
  if (url.pathname === '/worker.js') return send(WORKER, 'text/javascript');
  if (url.pathname === '/data.log') return send(readFileSync(file), 'application/octet-stream');
  const m = url.pathname.match(/^\/w(\d+)\/(flowlens-core\.(js|wasm))$/);
  if (m) return send(readFileSync(join(dirs[Number(m[1])], m[2])), m[3] === 'js' ? 'text/javascript' : 'application/wasm');
  res.writeHead(404).end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${server.address().port}/`);
console.log(`input: ${file}, ${MB.toFixed(1)} MB; ${rounds} rounds, builds alternated; a fresh worker and module per run`);
const results = dirs.map(() => ({ load: [], reload: [], analyze: [], filters: FILTERS.map(() => []) }));
for (let r = 0; r < rounds; r += 1) {
  for (let b = 0; b < dirs.length; b += 1) {
    const out = await page.evaluate(async (build) => {
      const w = new Worker('/worker.js');
      const next = () => new Promise((res, rej) => { w.onmessage = (e) => res(e.data); w.onerror = (e) => rej(new Error(e.message)); });
      w.postMessage({ type: 'data' });
      await next();
      w.postMessage({ build });
      const result = await next();
      w.terminate();
      return result;
    }, b);
    results[b].load.push(out.load);
    results[b].reload.push(out.reload);
    results[b].analyze.push(out.analyze);
    out.filters.forEach((ms, k) => results[b].filters[k].push(ms));
    console.log(`  round ${r + 1}, ${dirs[b]}: load ${out.load.toFixed(0)} ms, reload ${out.reload.toFixed(0)} ms, analyze ${out.analyze.toFixed(0)} ms, filters ${out.filters.map((x) => x.toFixed(0)).join(' / ')} ms (${out.records.toLocaleString('en-US')} records)`);
  }
}
for (let b = 0; b < dirs.length; b += 1) {
  const l = median(results[b].load), rl = median(results[b].reload);
  console.log(`${dirs[b]}: load median ${l.toFixed(0)} ms = ${(MB / l * 1e3).toFixed(0)} MB/s; reload median ${rl.toFixed(0)} ms = ${(MB / rl * 1e3).toFixed(0)} MB/s` +
    `; analyze median ${median(results[b].analyze).toFixed(0)} ms; filters ${results[b].filters.map((f) => median(f).toFixed(0)).join(' / ')} ms` +
    (b > 0 ? `; reload ${(rl / median(results[0].reload)).toFixed(3)}×, analyze ${(median(results[b].analyze) / median(results[0].analyze)).toFixed(3)}× the first build's` : ''));
}
await browser.close();
server.close();
