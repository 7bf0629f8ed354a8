// The built module in its real home: a Web Worker in headless Chromium, loaded with
// importScripts and instantiateStreaming under a strict Content-Security-Policy (no eval), fed
// files as they are on disk (.gz too: the core inflates them). Its answers must equal the native
// CLI's.
//
//   node --test tests/wasm/
//
// Needs /usr/bin/chromium (or FLOWLENS_CHROMIUM) and the npm package playwright-core; skipped
// when either is missing. Serves on 127.0.0.1 only; the browser reaches nothing else.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/chromium.mjs';
import { cliPath, dataDir, root, wasmDir } from './support.mjs';


let chromium = null;
try {
  ({ chromium } = createRequire(path.join(root, 'package.json'))('playwright-core'));
} catch {
  // reported by the skip below
}
const skip = !chromium ? 'playwright-core is not installed (npm install)'
  : !fs.existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}` : false;

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

const PAGE = `<!doctype html><meta charset="utf-8"><title>flowlens-core in a worker</title>
<script src="page.js"></script>`;

// The page only relays: the worker does everything, as the app's worker will.
const PAGE_JS = `
window.runInWorker = (job) => new Promise((resolve, reject) => {
  const w = new Worker('worker.js');
  w.onmessage = (e) => { w.terminate(); resolve(e.data); };
  w.onerror = (e) => { w.terminate(); reject(new Error(e.message)); };
  w.postMessage(job);
});`;

const WORKER_JS = `
importScripts('flowlens-core.js');
const DEFAULTS = { top: 10, metric: 'bytes', bucket: 0, keys: '', scanPorts: 20, scanHosts: 20, sections: '' };

// Streams one fetched file into the module through one heap buffer, in chunks of at most
// \`chunk\` bytes, as it is on disk (the page's path: the core gunzips .gz files itself).
async function load(core, url, { chunk }) {
  const res = await fetch(url);
  const stream = res.body;
  if (core.beginFile(url, '') !== '') throw new Error('beginFile failed');
  const ptr = core._malloc(chunk) >>> 0;
  const reader = stream.getReader();
  let error = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (let off = 0; off < value.length; off += chunk) {
        const piece = value.subarray(off, off + chunk);
        core.HEAPU8.set(piece, ptr);
        core.feed(ptr, piece.length);
      }
    }
  } catch (e) {
    error = 'reading stopped: ' + e.message;
  }
  core._free(ptr);
  return JSON.parse(core.endFileWith(false, 0, error));
}

onmessage = async (e) => {
  const job = e.data;
  try {
    const core = await createFlowLensCore();
    const reports = [];
    for (const f of job.files) reports.push(await load(core, f.url, f));
    const results = job.filters.map((filter) => JSON.parse(core.analyze(filter, DEFAULTS)));
    postMessage({ reports, results });
  } catch (err) {
    postMessage({ error: String(err && err.stack || err) });
  }
};`;

let server, browser, base, tmp;

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowlens-wasm-browser-'));
  const sample = path.join(tmp, 'sample.log');
  spawnSync(cliPath, ['generate', '--records', '5000', '--seed', '5', '-o', sample]);
  fs.writeFileSync(path.join(tmp, 'sample.log.gz'), zlib.gzipSync(fs.readFileSync(sample)));
  fs.writeFileSync(path.join(tmp, 'corrupt.log.gz'), Buffer.concat([zlib.gzipSync(fs.readFileSync(sample)).subarray(0, 4000),
    Buffer.alloc(64, 0x55)]));

  const routes = {
    '/': ['text/html', PAGE],
    '/page.js': ['text/javascript', PAGE_JS],
    '/worker.js': ['text/javascript', WORKER_JS],
  };
  server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const headers = { 'Content-Security-Policy': CSP, 'Cache-Control': 'no-store' };
    if (routes[url.pathname]) {
      const [type, body] = routes[url.pathname];
      res.writeHead(200, { ...headers, 'Content-Type': type });
      return res.end(body);
    }
    const name = path.basename(url.pathname);
    const file = name.startsWith('flowlens-core.') ? path.join(wasmDir, name)
      : url.pathname.startsWith('/data/') ? path.join(dataDir, name)
      : url.pathname.startsWith('/tmp/') ? path.join(tmp, name) : null;
    if (!file || !fs.existsSync(file)) {
      res.writeHead(404, headers);
      return res.end();
    }
    const type = file.endsWith('.wasm') ? 'application/wasm' : file.endsWith('.js') ? 'text/javascript'
      : 'application/octet-stream';
    const body = fs.readFileSync(file);
    res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': body.length });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function cliAnalyze(files, filter) {
  const r = spawnSync(cliPath, ['analyze', ...(filter ? ['--filter', filter] : []), ...files], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// The CLI names files by path and the page by URL: the one difference by nature.
function withNames(doc, names) {
  const copy = structuredClone(doc);
  copy.errors.files.forEach((f, i) => { f.name = names[i]; });
  for (const e of copy.errors.examples) e.file = names[doc.errors.files.findIndex((f) => f.name === e.file)];
  return copy;
}

async function runInWorker(job) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    // Nothing but this server: any other request fails the test.
    await context.route((url) => !url.href.startsWith(base), (route) => {
      problems.push(`request outside the test server: ${route.request().url()}`);
      return route.abort();
    });
    await page.goto(base + '/');
    const out = await page.evaluate((j) => window.runInWorker(j), job);
    assert.deepEqual(problems, []);
    assert.equal(out.error, undefined, out.error);
    return out;
  } finally {
    await context.close();
  }
}

test('in a Chromium worker, under a strict CSP, the module answers as the CLI', { skip }, async () => {
  const names = ['documented-default.log', 'messy.log', 'cloudwatch-filter-log-events.json'];
  const filters = ['', 'action = REJECT', 'addr in 10.0.0.0/8 and dstport = 443'];
  const out = await runInWorker({
    files: names.map((n, i) => ({ url: `/data/${n}`, chunk: [1, 7, 65536][i] })),
    filters,
  });
  const files = names.map((n) => path.join(dataDir, n));
  filters.forEach((filter, i) => {
    assert.deepEqual(out.results[i], withNames(cliAnalyze(files, filter), names.map((n) => `/data/${n}`)), filter);
  });
});

test('gzip fed as it is on disk reads as the CLI reading the .gz; a corrupt one is the same file error', { skip },
  async () => {
    const out = await runInWorker({
      files: [{ url: '/tmp/sample.log.gz', chunk: 65536 }, { url: '/tmp/corrupt.log.gz', chunk: 4096 }],
      filters: ['', 'action = REJECT'],
    });
    const files = ['sample.log.gz', 'corrupt.log.gz'].map((n) => path.join(tmp, n));
    const names = ['/tmp/sample.log.gz', '/tmp/corrupt.log.gz'];
    const expected = withNames(cliAnalyze(files), names);
    assert.deepEqual(out.reports, expected.errors.files);
    assert.equal(out.reports[1].gzip, true);
    assert.match(out.reports[1].error, /gzip/);
    assert.deepEqual(out.results[0], expected);
    assert.deepEqual(out.results[1], withNames(cliAnalyze(files, 'action = REJECT'), names));
  });
