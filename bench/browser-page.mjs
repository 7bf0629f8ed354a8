// browser-page.mjs — the bench page's script (bundled with @duckdb/duckdb-wasm by browser.mjs, served
// at /__bench/ from the same 127.0.0.1 origin as dist/). It exposes functions that browser.mjs calls:
//   benchInit()       start DuckDB-WASM (eh bundle) in its worker
//   benchDuckdb()     the picked File: register, CSV → table, aggregates, filtered aggregates
//   benchStream()     the picked File read through file.stream() (the read limit)
//   benchGunzipMain()        every picked (gzipped) File through DecompressionStream, one after
//                            another on this thread (the `gunzip` case, (a))
//   benchGunzipWorkers(w)    the same Files spread over w Web Workers (/__bench/gunzip-worker.js),
//                            file i to worker i mod w, each reading its files in turn ((b)); the
//                            workers are started and ready before the clock starts
import * as duckdb from '@duckdb/duckdb-wasm';
import { AGGREGATES, CREATE_TABLE_SQL, FILTERS, aggregates } from './queries.mjs';

let db = null;
const file = () => document.getElementById('file').files[0];
const files = () => [...document.getElementById('file').files];
// BIGINT arrives as bigint, HUGEINT sums as a quoted decimal string: both become plain digit strings.
const plain = (v) => JSON.parse(JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? x.toString()
  : typeof x === 'string' && /^"-?\d+"$/.test(x) ? x.slice(1, -1) : x)));

window.benchInit = async () => {
  const t0 = performance.now();
  const worker = new Worker('/__bench/duckdb-browser-eh.worker.js');
  db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate('/__bench/duckdb-eh.wasm');
  const version = await db.getVersion();
  return { seconds: (performance.now() - t0) / 1e3, version };
};

async function runAll(conn, table) {
  const results = {};
  for (const [name, sql] of Object.entries(table ? aggregates(table) : AGGREGATES)) {
    const t = await conn.query(sql);
    results[name] = plain(t.toArray().map((r) => r.toJSON()));
  }
  return results;
}

window.benchDuckdb = async () => {
  const f = file();
  const t0 = performance.now();
  await db.registerFileHandle('flows.log', f, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true);
  const conn = await db.connect();
  await conn.query(CREATE_TABLE_SQL("read_csv('flows.log'"));
  const t1 = performance.now();
  const results = await runAll(conn, null);
  const t2 = performance.now();
  const filters = [];
  for (const [expr, where] of FILTERS) {
    const s = performance.now();
    const r = await runAll(conn, `(SELECT * FROM flows WHERE ${where})`);
    filters.push({ expr, seconds: (performance.now() - s) / 1e3, records: r.totals[0].records });
  }
  return { load: (t1 - t0) / 1e3, query: (t2 - t1) / 1e3, results, filters };
};

window.benchStream = async () => {
  const f = file();
  const t0 = performance.now();
  const reader = f.stream().getReader();
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
  }
  const t1 = performance.now();
  return { seconds: (t1 - t0) / 1e3, bytes: n };
};

async function drain(stream) {
  const reader = stream.getReader();
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return n;
    n += value.byteLength;
  }
}

window.benchGunzipMain = async () => {
  const fs = files();
  const t0 = performance.now();
  let bytes = 0;
  for (const f of fs) bytes += await drain(f.stream().pipeThrough(new DecompressionStream('gzip')));
  return { seconds: (performance.now() - t0) / 1e3, bytes, files: fs.length };
};

window.benchGunzipWorkers = async (wanted) => {
  const fs = files();
  const w = Math.max(1, Math.min(wanted, fs.length));
  const s0 = performance.now();
  const workers = [];
  try {
    await Promise.all(Array.from({ length: w }, () => new Promise((resolve, reject) => {
      const worker = new Worker('/__bench/gunzip-worker.js');
      workers.push(worker);
      worker.onmessage = (e) => (e.data.ready ? resolve() : reject(new Error(`worker: ${JSON.stringify(e.data)}`)));
      worker.onerror = (e) => reject(new Error(`worker failed to start: ${e.message}`));
    })));
    const start = (performance.now() - s0) / 1e3;
    const shares = workers.map((_, i) => fs.filter((_f, j) => j % w === i));
    const t0 = performance.now();
    const per = await Promise.all(workers.map((worker, i) => new Promise((resolve, reject) => {
      worker.onmessage = (e) => (e.data.error ? reject(new Error(`worker ${i}: ${e.data.error}`))
        : resolve({ ...e.data, wall: (performance.now() - t0) / 1e3 }));
      worker.postMessage({ files: shares[i] });
    })));
    const seconds = (performance.now() - t0) / 1e3;
    return { seconds, start, workers: w, bytes: per.reduce((a, r) => a + r.bytes, 0), per };
  } finally {
    for (const worker of workers) worker.terminate();
  }
};
