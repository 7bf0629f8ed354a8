// read-cost.mjs — what reading a dropped File costs the machine: a worker of a fresh headless
// Chromium reads one file to the end by each of the ways a page can, and the script prints the
// wall time and the CPU time of every Chromium process over the read (/proc, user + system;
// Linux only). Why: on a 2-core machine the page's load is bound by the cores' total, and the
// browser's own work to hand a File's bytes to a worker (its file thread, the IPC pipe, the
// renderer's copy) is the largest part after the parse. A diagnostic, not a benchmark: nothing
// of FlowLens runs here, and the page needs nothing but its own origin.
//   node bench/read-cost.mjs LOG [METHODS]
// METHODS: comma-separated method:bytes, default byob:4194304,stream:0,slice:4194304,
// slice:33554432,sync:4194304,sync:33554432. byob = file.stream() with a BYOB reader into
// buffers of that size (the page's reader thread, web/worker-reader.js); stream = the stream's
// own chunks; slice = file.slice(…).arrayBuffer() in pieces of that size; sync = FileReaderSync
// on such slices. ROUNDS=n (default 3) rounds, each method once a round, in order.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [file, list] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/read-cost.mjs LOG [method:bytes,…]');
const methods = (list ?? 'byob:4194304,stream:0,slice:4194304,slice:33554432,sync:4194304,sync:33554432').split(',');
const rounds = Number(process.env.ROUNDS ?? 3);

// The worker: reads the whole file one way, then posts the bytes seen and the time taken.
const WORKER = `
self.onmessage = async (e) => {
  const { file, method, size } = e.data;
  const t0 = performance.now();
  let n = 0;
  if (method === 'byob') {
    const reader = file.stream().getReader({ mode: 'byob' });
    let buf = new ArrayBuffer(size);
    for (let done = false; !done;) {
      let off = 0;
      while (off < size) {
        const r = await reader.read(new Uint8Array(buf, off, size - off));
        if (r.done) { done = true; break; }
        buf = r.value.buffer;
        off += r.value.byteLength;
      }
      n += off;
    }
  } else if (method === 'stream') {
    const reader = file.stream().getReader();
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      n += r.value.byteLength;
    }
  } else if (method === 'slice') {
    for (let o = 0; o < file.size; o += size) n += (await file.slice(o, Math.min(file.size, o + size)).arrayBuffer()).byteLength;
  } else if (method === 'sync') {
    const fr = new FileReaderSync();
    for (let o = 0; o < file.size; o += size) n += fr.readAsArrayBuffer(file.slice(o, Math.min(file.size, o + size))).byteLength;
  } else {
    throw new Error('unknown method ' + method);
  }
  self.postMessage({ n, ms: performance.now() - t0 });
};`;

const server = createServer((req, res) => {
  if (req.url === '/read-worker.js') {
    res.setHeader('content-type', 'text/javascript');
    res.end(WORKER);
    return;
  }
  res.setHeader('content-type', 'text/html');
  res.end('<!doctype html><input type="file" id="f">');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

// CPU milliseconds (user + system) of every process whose command line names chromium.
function chromiumCpuMs() {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chromium')) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks * 10; // USER_HZ = 100
}

const results = new Map(methods.map((m) => [m, []]));
for (let round = 0; round < rounds; round += 1) {
  for (const m of methods) {
    const [method, size] = m.split(':');
    const dir = mkdtempSync(join(tmpdir(), 'flowlens-read-cost-'));
    const context = await chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = context.pages()[0] ?? await context.newPage();
      await page.goto(`${origin}/`);
      await page.setInputFiles('#f', file);
      // The worker started and idle before the clock: only the read is measured.
      await page.evaluate(() => new Promise((resolve) => { window.reader = new Worker('/read-worker.js'); setTimeout(resolve, 500); }));
      const cpu0 = chromiumCpuMs();
      const r = await page.evaluate(({ method, size }) => new Promise((resolve, reject) => {
        window.reader.onmessage = (e) => resolve(e.data);
        window.reader.onerror = (e) => reject(new Error(e.message));
        window.reader.postMessage({ file: document.getElementById('f').files[0], method, size: Number(size) });
      }), { method, size });
      const cpu = chromiumCpuMs() - cpu0;
      results.get(m).push({ wall: r.ms, cpu, bytes: r.n });
      console.log(`round ${round + 1}, ${m}: wall ${r.ms.toFixed(0)} ms, CPU ${cpu} ms (${r.n} bytes)`);
    } finally {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
server.close();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [m, rs] of results) {
  const mb = rs[0].bytes / 1e6;
  console.log(`${m.padEnd(16)} wall median ${median(rs.map((r) => r.wall)).toFixed(0)} ms (${(mb / median(rs.map((r) => r.wall)) * 1e3).toFixed(0)} MB/s), Chromium CPU median ${median(rs.map((r) => r.cpu))} ms (${(median(rs.map((r) => r.cpu)) / mb * 100).toFixed(0)} ms per 100 MB)`);
}
