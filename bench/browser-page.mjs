// browser-page.mjs — the bench page's script (bundled with @duckdb/duckdb-wasm by browser.mjs, served
// at /__bench/ from the same 127.0.0.1 origin as dist/). It exposes functions that browser.mjs calls:
//   benchInit()       start DuckDB-WASM (eh bundle) in its worker
//   benchDuckdb()     the picked File: register, CSV → table, aggregates, filtered aggregates
//   benchStream()     the picked File read through file.stream() (the read limit)
import * as duckdb from '@duckdb/duckdb-wasm';
import { AGGREGATES, CREATE_TABLE_SQL, FILTERS, aggregates } from './queries.mjs';

let db = null;
const file = () => document.getElementById('file').files[0];
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
