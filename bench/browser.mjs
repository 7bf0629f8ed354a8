// browser.mjs — browser benchmark: FlowLens (dist/) against DuckDB-WASM and the File read limit, on
// the same generated file, in headless Chromium.
//
//   node bench/browser.mjs [--records N] [--runs R] [--file LOG] [--keep] [--only flowlens,duckdb,stream]
//   node bench/browser.mjs … --gzip-files K [--only flowlens-gz,gunzip]   (gzip input, several files)
//
// Serves dist/ (web/serve.mjs) and a bench page under /__bench/ (bench/browser-page.mjs bundled with
// @duckdb/duckdb-wasm by esbuild into a temp folder; the "eh" bundle's worker and wasm from
// node_modules) on one 127.0.0.1 origin; every other request is refused. Each run of each case uses
// a fresh Chromium (flags from TOOLCHAIN.md, fresh user-data dir), so each peak-memory figure
// belongs to that case alone:
//   flowlens  the file set on data-testid=file-input; time from the input's `change` event to the
//             first <html data-state="ready"> plus two animation frames (charts painted); then each
//             filter of FILTERS typed + Enter → ready (+2 frames), and filter-clear → ready;
//   duckdb    DuckDB-WASM started beforehand (like the page's engine); then registerFileHandle,
//             CSV → table (read_csv, explicit types), the aggregates, and the same aggregates
//             under each filter's SQL equivalent;
//   stream    file.stream() read to the end on the main thread (MB/s: what reading the File costs).
// With --gzip-files K the log is also cut at line boundaries into K equal shares, each written as a
// valid flow log (the file's S3 header line first) gzipped with node:zlib level 6 into the temp
// folder, and two more cases run (they are the default then; --only picks among all five):
//   flowlens-gz  all K .gz files set at once on data-testid=file-input; timed as `flowlens` (change
//                → ready + two frames), no filters; the page's record count is checked against the CLI's;
//   gunzip       the baseline: the K Files read through file.stream().pipeThrough(new
//                DecompressionStream('gzip')) to the end in the bench page, (a) one after another on
//                the main thread, (b) spread over W = navigator.hardwareConcurrency Web Workers
//                (bench/gunzip-worker.js; file i to worker i mod W, each reading its files in turn);
//                seconds and MB/s of decompressed output. Ratio printed: flowlens-gz / gunzip (b).
// Peak memory: VmHWM (peak resident set, kernel-tracked) from /proc/<pid>/status of the Chromium
// renderer process(es) of that browser, read after the case: the page, its Web Worker(s), wasm
// memory, JS heaps, canvases. The browser process (which serves the File's bytes) separately.
// Figures only: nothing here runs in `make test`.
import { chromium } from 'playwright-core';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { closeSync, createReadStream, createWriteStream, existsSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { createStaticServer } from '../web/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS, refuseOtherOrigins } from '../scripts/chromium.mjs';
import { FILTERS, median } from './queries.mjs';
import { provenance } from './provenance.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = resolve(ROOT, process.env.FLOWLENS_DIST ?? 'dist');
const CLI = resolve(ROOT, process.env.FLOWLENS_CLI ?? 'build/flowlens');
const DUCKDB_DIST = join(ROOT, 'bench', 'node_modules', '@duckdb', 'duckdb-wasm', 'dist');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const records = Number(arg('--records', 1_000_000));
const runs = Number(arg('--runs', 3));
const gzipFiles = Number(arg('--gzip-files', 0));
if (!Number.isInteger(gzipFiles) || gzipFiles < 0) throw new Error('--gzip-files wants a whole number of files (1 or more)');
const CASES = ['flowlens', 'duckdb', 'stream', ...(gzipFiles ? ['flowlens-gz', 'gunzip'] : [])];
const only = (arg('--only', CASES.join(','))).split(',');
for (const c of only) {
  if (!CASES.includes(c)) {
    throw new Error(`--only: unknown case "${c}" (cases: flowlens, duckdb, stream; flowlens-gz and gunzip with --gzip-files K)`);
  }
}
const TIMEOUT = Number(arg('--timeout', 600)) * 1000;
for (const p of [join(DIST, 'index.html'), CLI, join(DUCKDB_DIST, 'duckdb-eh.wasm')]) {
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`make build\` and \`npm ci\` first`);
}

// ---- input -----------------------------------------------------------------------------------------
const tmp = mkdtempSync(join(tmpdir(), 'flowlens-bench-browser-'));
let file = arg('--file', null);
if (!file) {
  file = join(tmp, `flowlogs-${records}.log`);
  execFileSync(CLI, ['generate', '--records', String(records), '--seed', '1', '-o', file]);
}
const size = statSync(file).size;
const MB = size / 1e6;
const expected = JSON.parse(execFileSync(CLI, ['analyze', '--bucket', '300', file], { maxBuffer: 1 << 28 }).toString());
const expectedFiltered = Object.fromEntries(FILTERS.map(([expr]) => [expr,
  JSON.parse(execFileSync(CLI, ['analyze', '--filter', expr, file], { maxBuffer: 1 << 28 }).toString()).totals.records]));
console.log(provenance(ROOT, [CLI, join(DIST, 'flowlens-core.wasm')]));
console.log(`input: ${file}, ${expected.totals.records.toLocaleString('en-US')} records, ${MB.toFixed(1)} MB; ${runs} runs per case, a fresh Chromium each; medians`);

const basenameOf = (p) => p.slice(p.lastIndexOf('/') + 1).replace(/\.log$/, '');
/**
 * Cuts `src` into k flow logs at line boundaries (equal byte shares of the lines after the header;
 * each cut moved to the next line start), each with the header line first, gzipped (level 6) into
 * `dir`. Returns [{path, size (gzipped), plain (bytes before gzip), records (lines after the header)}].
 */
async function splitGzip(src, k, dir) {
  const total = statSync(src).size;
  const fd = openSync(src, 'r');
  const buf = Buffer.alloc(64 << 10);
  let header;
  const cuts = [];
  try {
    const n = readSync(fd, buf, 0, buf.length, 0);
    const nl = buf.subarray(0, n).indexOf(10);
    if (nl < 0 || !buf.subarray(0, nl).toString('latin1').startsWith('version ')) {
      throw new Error(`--gzip-files: ${src} does not start with an S3 header line ("version account-id …")`);
    }
    header = Buffer.from(buf.subarray(0, nl + 1));
    // The first line start at or after `at`.
    const lineStart = (at) => {
      for (let pos = at - 1; pos < total;) {
        const got = readSync(fd, buf, 0, buf.length, pos);
        if (got <= 0) break;
        const i = buf.subarray(0, got).indexOf(10);
        if (i >= 0) return pos + i + 1;
        pos += got;
      }
      return total;
    };
    cuts.push(nl + 1);
    for (let i = 1; i < k; i += 1) {
      cuts.push(Math.max(cuts[i - 1], lineStart(nl + 1 + Math.round((total - nl - 1) * i / k))));
    }
    cuts.push(total);
  } finally {
    closeSync(fd);
  }
  const width = String(k).length;
  return Promise.all(Array.from({ length: k }, async (_, i) => {
    const path = join(dir, `${basenameOf(src)}.part-${String(i + 1).padStart(width, '0')}-of-${k}.log.gz`);
    let plain = 0;
    let lines = 0;
    let last = 10;
    const body = cuts[i + 1] > cuts[i] ? createReadStream(src, { start: cuts[i], end: cuts[i + 1] - 1 }) : [];
    await pipeline(
      async function* () {
        yield header;
        for await (const chunk of body) yield chunk;
      },
      async function* (source) {
        for await (const chunk of source) {
          plain += chunk.length;
          for (let j = chunk.indexOf(10); j >= 0; j = chunk.indexOf(10, j + 1)) lines += 1;
          last = chunk[chunk.length - 1];
          yield chunk;
        }
      },
      createGzip({ level: 6 }),
      createWriteStream(path),
    );
    // lines counts newlines: minus the header's, plus a last line without one.
    return { path, size: statSync(path).size, plain, records: lines - 1 + (last === 10 ? 0 : 1) };
  }));
}
let gz = null;
if (only.includes('flowlens-gz') || only.includes('gunzip')) {
  const t0 = performance.now();
  const parts = await splitGzip(file, gzipFiles, tmp);
  gz = {
    parts,
    paths: parts.map((p) => p.path),
    size: parts.reduce((a, p) => a + p.size, 0),
    plain: parts.reduce((a, p) => a + p.plain, 0),
  };
  const recs = parts.map((p) => p.records);
  console.log(`gzip input: ${gzipFiles} files cut at line boundaries, each with the header line, node:zlib level 6 (in ${((performance.now() - t0) / 1e3).toFixed(1)} s): ` +
    `${(gz.size / 1e6).toFixed(1)} MB gzipped, ${(gz.plain / 1e6).toFixed(1)} MB decompressed (${(gz.plain / gz.size).toFixed(1)}:1); ` +
    `${Math.min(...recs).toLocaleString('en-US')}–${Math.max(...recs).toLocaleString('en-US')} records per file`);
}

// ---- the bench page ----------------------------------------------------------------------------------
const pageDir = join(tmp, 'page');
await build({
  entryPoints: [join(ROOT, 'bench', 'browser-page.mjs')],
  bundle: true, format: 'esm', outfile: join(pageDir, 'bench.js'), logLevel: 'error',
  platform: 'browser', target: 'chrome120',
});
writeFileSync(join(pageDir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>FlowLens bench</title>' +
  '<input type="file" id="file" multiple><script type="module" src="/__bench/bench.js"></script>\n');
const BENCH_FILES = {
  '/__bench/': join(pageDir, 'index.html'),
  '/__bench/bench.js': join(pageDir, 'bench.js'),
  '/__bench/duckdb-browser-eh.worker.js': join(DUCKDB_DIST, 'duckdb-browser-eh.worker.js'),
  '/__bench/duckdb-eh.wasm': join(DUCKDB_DIST, 'duckdb-eh.wasm'),
  '/__bench/gunzip-worker.js': join(ROOT, 'bench', 'gunzip-worker.js'),
};
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };

const distHandler = createStaticServer(DIST).listeners('request')[0];
const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://localhost').pathname;
  if (!path.startsWith('/__bench/')) return distHandler(req, res);
  const f = BENCH_FILES[path];
  if (!f) return res.writeHead(404).end();
  res.writeHead(200, { 'Content-Type': TYPES[f.slice(f.lastIndexOf('.'))] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
  createReadStream(f).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

// ---- browser and memory --------------------------------------------------------------------------------
function status(pid) {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}
const kB = (s, key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(s)?.[1] ?? 0) * 1024;

/** Chromium processes under the browser whose command line holds `userDataDir`, with their type. */
function chromiumProcesses(userDataDir) {
  const procs = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // Chromium rewrites its children's command lines (setproctitle): split on spaces too.
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split(/[\0 ]/);
      const ppid = Number(/PPid:\s+(\d+)/.exec(status(d))?.[1]);
      procs.push({ pid: Number(d), ppid, cmd });
    } catch { /* gone */ }
  }
  const root = procs.find((p) => p.cmd.some((a) => a === `--user-data-dir=${userDataDir}`) && !p.cmd.some((a) => a.startsWith('--type=')));
  if (!root) return [];
  const out = [];
  const walk = (pid) => {
    for (const p of procs.filter((q) => q.ppid === pid)) {
      out.push({ pid: p.pid, type: (p.cmd.find((a) => a.startsWith('--type=')) ?? '--type=?').slice(7) });
      walk(p.pid);
    }
  };
  out.push({ pid: root.pid, type: 'browser' });
  walk(root.pid);
  return out;
}

function memory(userDataDir) {
  const ps = chromiumProcesses(userDataDir);
  const r = ps.filter((p) => p.type === 'renderer').map((p) => ({ pid: p.pid, hwm: kB(status(p.pid), 'VmHWM'), rss: kB(status(p.pid), 'VmRSS') }));
  const b = ps.find((p) => p.type === 'browser');
  return {
    renderers: r.length,
    rendererHwm: Math.max(0, ...r.map((x) => x.hwm)),
    rendererRss: Math.max(0, ...r.map((x) => x.rss)),
    browserHwm: b ? kB(status(b.pid), 'VmHWM') : 0,
  };
}

const INSTRUMENT = () => {
  const b = { marks: [], drawn: [], trigger: null };
  window.__bench = b;
  new MutationObserver(() => {
    const s = document.documentElement?.dataset.state;
    const t = performance.now();
    b.marks.push([s, t]);
    if (s === 'ready') requestAnimationFrame(() => requestAnimationFrame(() => b.drawn.push([t, performance.now()])));
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
  const mark = () => { b.trigger = performance.now(); };
  document.addEventListener('change', (e) => { if (e.target?.dataset?.testid === 'file-input') mark(); }, true);
  document.addEventListener('keydown', (e) => { if (e.key === 'Enter' && e.target?.dataset?.testid === 'filter-input') mark(); }, true);
  document.addEventListener('click', (e) => { if (e.target?.closest?.('[data-testid="filter-clear"]')) mark(); }, true);
};

// VIEWPORT=WxH sets the window (default 1440x1000). The page draws a chart only once it is in
// view (web/ui/charts-host.js), so a tall one (1440x4000: every chart in view) times the drawing
// of the whole dashboard.
const [VIEW_W, VIEW_H] = (process.env.VIEWPORT ?? '1440x1000').split('x').map(Number);
// THINK_MS=n waits n ms before the files are given, before each filter is typed and before each
// is cleared, as a user picking files or reading the dashboard would (default 0: each action
// right after the page is ready for it).
const THINK_MS = Number(process.env.THINK_MS ?? 0);

async function withBrowser(fn) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'flowlens-bench-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: VIEW_W, height: VIEW_H },
  });
  const foreign = [];
  await refuseOtherOrigins(context, origin, foreign);
  const page = context.pages()[0] ?? await context.newPage();
  // CORES=n makes the page see n cores (navigator.hardwareConcurrency), so it starts
  // parseWorkers(n, files) parse workers (web/load-plan.js): for comparing worker counts on one machine.
  if (process.env.CORES) {
    await page.addInitScript((n) => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n }), Number(process.env.CORES));
  }
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  try {
    return await fn(page, () => memory(userDataDir), errors);
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
    if (foreign.length) throw new Error(`requests left the origin: ${foreign.join(', ')}`);
  }
}

/** Seconds from the last trigger to the first ready (+2 frames) after it. */
async function untilDrawn(page) {
  await page.waitForFunction(() => {
    const b = window.__bench;
    return b.trigger !== null && b.drawn.some(([t]) => t >= b.trigger) && document.documentElement.dataset.state === 'ready';
  }, null, { timeout: TIMEOUT, polling: 50 });
  return page.evaluate(() => {
    const b = window.__bench;
    const [ready, drawn] = b.drawn.find(([t]) => t >= b.trigger);
    return { ready: (ready - b.trigger) / 1e3, drawn: (drawn - b.trigger) / 1e3 };
  });
}

/** inputs: the path(s) set on the file input at once; withFilters: then the FILTERS, and clearing. */
async function flowlensRun(inputs = file, withFilters = true) {
  return withBrowser(async (page, mem, errors) => {
    await page.addInitScript(INSTRUMENT);
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => document.documentElement.dataset.state === 'idle', null, { timeout: 60_000 });
    const idle = mem();
    await page.waitForTimeout(THINK_MS);
    await page.setInputFiles('[data-testid="file-input"]', inputs);
    const load = await untilDrawn(page);
    const shown = await page.evaluate(() => ({
      // How many workers the page's load used (engine-client's timing.shares; absent = one).
      shares: performance.getEntriesByName('fl:load-done').at(-1)?.detail?.timing?.shares ?? 1,
      cores: navigator.hardwareConcurrency || 1,
      records: Number(document.querySelector('[data-testid="total-records"]')?.dataset.value),
      bytes: Number(document.querySelector('[data-testid="total-bytes"]')?.dataset.value),
      // Charts drawn, and charts out of view waiting to be drawn when scrolled to (ChartsHost.set).
      charts: ['chart-timeseries', 'chart-top', 'chart-conversations', 'chart-rejects', 'chart-rejects-source']
        .filter((id) => [...document.querySelectorAll(`[data-testid="${id}"] canvas`)].some((c) => c.width > 0) &&
          !document.getElementById(id).classList.contains('chart-pending')).length,
      waiting: document.querySelectorAll('.chart-pending').length,
    }));
    if (shown.records !== expected.totals.records || shown.bytes !== expected.totals.bytes) {
      throw new Error(`the page shows ${JSON.stringify(shown)}, the CLI ${expected.totals.records} records`);
    }
    const loaded = mem();
    const filters = [];
    for (const [expr] of withFilters ? FILTERS : []) {
      await page.waitForTimeout(THINK_MS);
      await page.fill('[data-testid="filter-input"]', expr);
      await page.press('[data-testid="filter-input"]', 'Enter');
      const t = await untilDrawn(page);
      const n = await page.evaluate(() => Number(document.querySelector('[data-testid="total-records"]')?.dataset.value));
      if (n !== expectedFiltered[expr]) throw new Error(`filter ${expr}: page ${n}, CLI ${expectedFiltered[expr]}`);
      await page.waitForTimeout(THINK_MS);
      await page.click('[data-testid="filter-clear"]');
      const c = await untilDrawn(page);
      filters.push({ expr, ...t, clear: c.drawn, records: n });
    }
    const end = mem();
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    return { load, shown, idle, loaded, end, filters };
  });
}

async function duckdbRun() {
  return withBrowser(async (page, mem, errors) => {
    await page.goto(`${origin}/__bench/`);
    await page.waitForFunction(() => typeof window.benchInit === 'function');
    const init = await page.evaluate(() => window.benchInit());
    const idle = mem();
    await page.setInputFiles('#file', file);
    const r = await page.evaluate(() => window.benchDuckdb());
    const end = mem();
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    return { init, ...r, idle, end };
  });
}

async function streamRun() {
  return withBrowser(async (page, mem) => {
    await page.goto(`${origin}/__bench/`);
    await page.waitForFunction(() => typeof window.benchStream === 'function');
    const idle = mem();
    await page.setInputFiles('#file', file);
    const r = await page.evaluate(() => window.benchStream());
    if (r.bytes !== size) throw new Error(`stream read ${r.bytes} of ${size} bytes`);
    return { ...r, idle, end: mem() };
  });
}

async function gunzipRun() {
  return withBrowser(async (page, mem, errors) => {
    await page.goto(`${origin}/__bench/`);
    await page.waitForFunction(() => typeof window.benchGunzipWorkers === 'function');
    const idle = mem();
    await page.setInputFiles('#file', gz.paths);
    const main = await page.evaluate(() => window.benchGunzipMain());
    const cores = await page.evaluate(() => navigator.hardwareConcurrency || 1);
    const workers = await page.evaluate((w) => window.benchGunzipWorkers(w), cores);
    for (const [name, r] of [['one thread', main], ['workers', workers]]) {
      if (r.bytes !== gz.plain) throw new Error(`gunzip (${name}) gave ${r.bytes} bytes, the files hold ${gz.plain}`);
    }
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    return { main, workers, cores, idle, end: mem() };
  });
}

// ---- runs ------------------------------------------------------------------------------------------------
const fmtMB = (b) => `${(b / 1e6).toFixed(0)} MB`;
const s3 = (s) => `${s.toFixed(3)} s`;
const ms = (s) => `${(s * 1e3).toFixed(0)} ms`;
const results = {};
// DuckDB-WASM's figures, and whether its answers agree with the CLI's.
function printDuckdb(rs) {
  const load = median(rs.map((r) => r.load));
  const query = median(rs.map((r) => r.query));
  const total = median(rs.map((r) => r.load + r.query));
  results.duckdb = total;
  console.log(`DuckDB-WASM ${rs[0].init.version} (eh, started in ${s3(median(rs.map((r) => r.init.seconds)))} beforehand): register + CSV→table ${s3(load)} + aggregates ${ms(query)} = ${s3(total)} = ${(MB / total).toFixed(0)} MB/s`);
  console.log(`  renderer peak (VmHWM) ${fmtMB(Math.max(...rs.map((r) => r.end.rendererHwm)))} (after start, before the file ${fmtMB(median(rs.map((r) => r.idle.rendererHwm)))}); browser process peak ${fmtMB(Math.max(...rs.map((r) => r.end.browserHwm)))}`);
  for (const [k, [expr]] of FILTERS.entries()) {
    const f = rs.map((r) => r.filters[k]);
    console.log(`  filter "${expr}" (${f[0].records} records): aggregates ${ms(median(f.map((x) => x.seconds)))}`);
  }
  const d = rs[0].results;
  const agree = Number(d.totals[0].records) === expected.totals.records && String(d.totals[0].bytes) === String(expected.totals.bytes) &&
    d.top_sources[0].k === expected.top.srcaddr.rows[0].key[0] && d.bytes_per_5min.length === expected.timeseries.points.length;
  console.log(`  cross-check with flowlens analyze: ${agree ? 'totals, top source and 5-minute buckets agree' : 'MISMATCH ' + JSON.stringify(d.totals)}`);
}
try {
  if (only.includes('stream')) {
    const rs = [];
    for (let i = 0; i < runs; i += 1) rs.push(await streamRun());
    const t = median(rs.map((r) => r.seconds));
    results.stream = t;
    console.log(`read limit (file.stream(), main thread): ${s3(t)} = ${(MB / t).toFixed(0)} MB/s; renderer peak ${fmtMB(Math.max(...rs.map((r) => r.end.rendererHwm)))} (idle page ${fmtMB(median(rs.map((r) => r.idle.rendererHwm)))})`);
  }
  if (only.includes('flowlens')) {
    const rs = [];
    for (let i = 0; i < runs; i += 1) rs.push(await flowlensRun());
    const drawn = median(rs.map((r) => r.load.drawn));
    results.flowlens = drawn;
    console.log(`FlowLens drop → dashboard drawn: ${s3(drawn)} = ${(MB / drawn).toFixed(0)} MB/s (ready ${s3(median(rs.map((r) => r.load.ready)))}; ${rs[0].shown.charts} charts drawn, ${rs[0].shown.waiting} out of view waiting)`);
    console.log(`  renderer peak (VmHWM) after load ${fmtMB(Math.max(...rs.map((r) => r.loaded.rendererHwm)))}, after the filters ${fmtMB(Math.max(...rs.map((r) => r.end.rendererHwm)))} (idle page ${fmtMB(median(rs.map((r) => r.idle.rendererHwm)))}); renderer RSS after ${fmtMB(median(rs.map((r) => r.end.rendererRss)))}; browser process peak ${fmtMB(Math.max(...rs.map((r) => r.end.browserHwm)))}; renderers ${rs[0].end.renderers}`);
    for (const [k, [expr]] of FILTERS.entries()) {
      const f = rs.map((r) => r.filters[k]);
      console.log(`  filter "${expr}" (${f[0].records.toLocaleString('en-US')} records): typed+Enter → drawn ${ms(median(f.map((x) => x.drawn)))} (ready ${ms(median(f.map((x) => x.ready)))}); clear → drawn ${ms(median(f.map((x) => x.clear)))}`);
    }
    results.flowlensFilters = rs;
  }
  if (only.includes('duckdb')) {
    const rs = [];
    const failures = [];
    // At 20 M records (2.3 GB) DuckDB-WASM runs out of memory: say so and go on.
    for (let i = 0; i < runs && failures.length === 0; i += 1) {
      try {
        rs.push(await duckdbRun());
      } catch (err) {
        failures.push(String(err?.message ?? err).split('\n')[0].slice(0, 300));
      }
    }
    if (failures.length) console.log(`DuckDB-WASM FAILED on this file (run ${rs.length + 1}): ${failures[0]}`);
    else printDuckdb(rs);
  }
  if (only.includes('flowlens-gz')) {
    const rs = [];
    for (let i = 0; i < runs; i += 1) rs.push(await flowlensRun(gz.paths, false));
    const drawn = median(rs.map((r) => r.load.drawn));
    results.flowlensGz = drawn;
    const sh = rs[0].shown;
    console.log(`FlowLens gzip, ${gzipFiles} file${gzipFiles === 1 ? '' : 's'} (${(gz.size / 1e6).toFixed(1)} MB → ${(gz.plain / 1e6).toFixed(1)} MB) drop → dashboard drawn: ${s3(drawn)} = ` +
      `${(gz.plain / 1e6 / drawn).toFixed(0)} MB/s decompressed (${(gz.size / 1e6 / drawn).toFixed(0)} MB/s gzipped) (ready ${s3(median(rs.map((r) => r.load.ready)))}; ${sh.charts} charts drawn, ${sh.waiting} out of view waiting)`);
    console.log(`  records shown ${sh.records.toLocaleString('en-US')} (flowlens analyze on the plain file: ${expected.totals.records.toLocaleString('en-US')}); ` +
      `parse workers used (each with a reader thread): ${rs.map((r) => r.shown.shares).join('/')} (load-plan.js parseWorkers; the page sees ${sh.cores} cores)`);
    console.log(`  renderer peak (VmHWM) after load ${fmtMB(Math.max(...rs.map((r) => r.loaded.rendererHwm)))} (idle page ${fmtMB(median(rs.map((r) => r.idle.rendererHwm)))}); renderer RSS after ${fmtMB(median(rs.map((r) => r.loaded.rendererRss)))}; browser process peak ${fmtMB(Math.max(...rs.map((r) => r.loaded.browserHwm)))}; renderers ${rs[0].loaded.renderers}`);
  }
  if (only.includes('gunzip')) {
    const rs = [];
    for (let i = 0; i < runs; i += 1) rs.push(await gunzipRun());
    const a = median(rs.map((r) => r.main.seconds));
    const b = median(rs.map((r) => r.workers.seconds));
    results.gunzip = b;
    const mbs = (t) => `${(gz.plain / 1e6 / t).toFixed(0)} MB/s`;
    const w = rs[0].workers;
    console.log(`gunzip ${gzipFiles} file${gzipFiles === 1 ? '' : 's'} (file.stream() → DecompressionStream('gzip'), bench page; ${(gz.plain / 1e6).toFixed(1)} MB out): ` +
      `(a) one after another, main thread ${s3(a)} = ${mbs(a)}; (b) ${w.workers} Web Worker${w.workers === 1 ? '' : 's'} (hardwareConcurrency ${rs[0].cores}) ${s3(b)} = ${mbs(b)} ` +
      `(${(a / b).toFixed(2)}× (a); workers started in ${ms(median(rs.map((r) => r.workers.start)))} beforehand, not counted)`);
    console.log(`  (b) per worker: ${w.per.map((p, i) => `#${i} ${p.files} file${p.files === 1 ? '' : 's'} ${s3(p.seconds)}`).join(', ')} (run 1); renderer peak (VmHWM) ${fmtMB(Math.max(...rs.map((r) => r.end.rendererHwm)))} (idle page ${fmtMB(median(rs.map((r) => r.idle.rendererHwm)))}); browser process peak ${fmtMB(Math.max(...rs.map((r) => r.end.browserHwm)))}`);
  }
  if (results.flowlensGz && results.gunzip) {
    console.log(`ratio FlowLens gzip / gunzip in workers (time): ${(results.flowlensGz / results.gunzip).toFixed(2)} (FlowLens reaches ${(results.gunzip / results.flowlensGz * 100).toFixed(0)} % of the decompression limit: ${(gz.plain / 1e6 / results.flowlensGz).toFixed(0)} of ${(gz.plain / 1e6 / results.gunzip).toFixed(0)} MB/s)`);
  }
  if (results.flowlensGz && results.flowlens) {
    console.log(`ratio FlowLens gzip / FlowLens plain file (time): ${(results.flowlensGz / results.flowlens).toFixed(2)}`);
  }
  if (results.flowlens && results.duckdb) {
    console.log(`ratio FlowLens / DuckDB-WASM (time, file → results): ${(results.flowlens / results.duckdb).toFixed(2)} (FlowLens ${(results.duckdb / results.flowlens).toFixed(1)}× as fast, and it also draws the dashboard)`);
  }
  if (results.flowlens && results.stream) {
    console.log(`FlowLens throughput / read limit: ${(results.stream / results.flowlens * 100).toFixed(0)} % (${(MB / results.flowlens).toFixed(0)} of ${(MB / results.stream).toFixed(0)} MB/s)`);
  }
  if (results.duckdb && results.stream) {
    console.log(`DuckDB-WASM throughput / read limit: ${(results.stream / results.duckdb * 100).toFixed(0)} %`);
  }
} finally {
  await new Promise((r) => server.close(r));
  server.closeAllConnections?.();
  if (process.argv.includes('--keep')) console.log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
