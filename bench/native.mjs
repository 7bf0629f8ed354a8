// native.mjs — native benchmark: `flowlens analyze` against DuckDB's native engine on the same file.
//
//   node bench/native.mjs [--records N] [--runs R] [--file LOG] [--keep]
//
// Generates a default-format log with an S3 header (`build/flowlens generate`, seed 1) unless
// --file is given, then, in the same run:
//   - `build/flowlens analyze --bucket 300 FILE` R times (wall time of the whole process: read,
//     parse, every default aggregate, JSON out) → median, MB/s; peak RSS from /usr/bin/time;
//   - DuckDB (@duckdb/node-api, its prebuilt native library) R times, each in a fresh child
//     process: CSV → table (read_csv, explicit column types, delim ' ', header), then the
//     aggregates below → median load, query and total, MB/s; peak RSS (VmHWM) of the child;
//     with DuckDB's default thread count and with `SET threads = 1` (FlowLens reads with one
//     thread per core by default, as DuckDB; `flowlens analyze --threads 1` for one thread);
//   - `build/flowlens_bench --records N` (in-memory load MB/s, bytes/record, query ms).
// Aggregates (the part of FlowLens's analyze document the brief names): totals (records, bytes,
// packets, rejected records, distinct sources and destinations), top 10 sources by bytes, top 10
// conversations (unordered address pairs, as FlowLens's `conversation`) by bytes, rejected records
// by dstport and by srcaddr (top 10 by records), bytes per 5 minutes (accept/reject). FlowLens's
// analyze computes more than that (8 top lists, 4 reject lists, scanners), so the ratio is
// conservative for FlowLens. The first rows of each list are compared between the two engines.
// Figures only: nothing here runs in `make test`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGGREGATES, CREATE_TABLE_SQL, median } from './queries.mjs';
import { provenance } from './provenance.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = resolve(ROOT, process.env.FLOWLENS_CLI ?? 'build/flowlens');
const BENCH = resolve(ROOT, process.env.FLOWLENS_BENCH ?? 'build/flowlens_bench');
const SELF = fileURLToPath(import.meta.url);

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

// ---- child mode: one DuckDB run, prints JSON ---------------------------------------------------
async function duckdbChild(file, threads) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const t0 = performance.now();
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  if (threads) await con.run(`SET threads = ${threads}`);
  const t1 = performance.now();
  await con.run(CREATE_TABLE_SQL(`read_csv('${file.replaceAll("'", "''")}'`));
  const t2 = performance.now();
  const results = {};
  for (const [name, sql] of Object.entries(AGGREGATES)) {
    const r = await con.runAndReadAll(sql);
    results[name] = r.getRowObjectsJson();
  }
  const t3 = performance.now();
  const status = readFileSync('/proc/self/status', 'utf8');
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  const th = (await con.runAndReadAll("SELECT current_setting('threads') AS t")).getRowObjectsJson()[0].t;
  process.stdout.write(JSON.stringify({ open: (t1 - t0) / 1e3, load: (t2 - t1) / 1e3, query: (t3 - t2) / 1e3, hwm, threads: Number(th), results }));
}

if (process.argv[2] === '--duckdb-child') {
  await duckdbChild(process.argv[3], Number(process.argv[4] || 0));
  process.exit(0);
}

// ---- main ----------------------------------------------------------------------------------------
const records = Number(arg('--records', 1_000_000));
const runs = Number(arg('--runs', 5));
for (const p of [CLI, BENCH]) if (!existsSync(p)) throw new Error(`${p} is missing: run \`make build\` first`);

let dir = null;
let file = arg('--file', null);
if (!file) {
  dir = mkdtempSync(join(tmpdir(), 'flowlens-bench-'));
  file = join(dir, `flowlogs-${records}.log`);
  const t = performance.now();
  execFileSync(CLI, ['generate', '--records', String(records), '--seed', '1', '-o', file]);
  console.log(`generated ${file}: ${records.toLocaleString('en-US')} records in ${((performance.now() - t) / 1e3).toFixed(2)} s`);
}
const size = statSync(file).size;
const MB = size / 1e6;
console.log(provenance(ROOT, [CLI, BENCH]));
console.log(`input: ${MB.toFixed(1)} MB, ${runs} runs each, medians`);

// Drop page-cache effects from the first run: read the file once.
readFileSync(file);

// FlowLens CLI.
const flTimes = [];
let flRss = 0;
let flDoc = null;
for (let r = 0; r < runs; r += 1) {
  const t = performance.now();
  const p = spawnSync('/usr/bin/time', ['-f', '%M', CLI, 'analyze', '--bucket', '300', file], { maxBuffer: 1 << 28 });
  const dt = (performance.now() - t) / 1e3;
  if (p.status !== 0) throw new Error(`flowlens analyze failed: ${p.stderr}`);
  flTimes.push(dt);
  flRss = Math.max(flRss, Number(p.stderr.toString().trim().split('\n').pop()) * 1024);
  flDoc ??= JSON.parse(p.stdout.toString('utf8'));
}
const fl = median(flTimes);
console.log(`flowlens analyze: ${fl.toFixed(3)} s = ${(MB / fl).toFixed(0)} MB/s, peak RSS ${(flRss / 1e6).toFixed(0)} MB`);

// DuckDB, each run in a fresh process (a fresh in-memory database; peak RSS per run).
function duck(threads) {
  const out = [];
  for (let r = 0; r < runs; r += 1) {
    const p = spawnSync(process.execPath, [SELF, '--duckdb-child', file, String(threads)], { maxBuffer: 1 << 28 });
    if (p.status !== 0) throw new Error(`duckdb child failed: ${p.stderr}`);
    out.push(JSON.parse(p.stdout.toString('utf8')));
  }
  const load = median(out.map((o) => o.load));
  const query = median(out.map((o) => o.query));
  const total = median(out.map((o) => o.load + o.query));
  const hwm = Math.max(...out.map((o) => o.hwm));
  return { load, query, total, hwm, threads: out[0].threads, results: out[0].results };
}
const duckRows = [];
for (const threads of [0, 1]) {
  const d = duck(threads);
  duckRows.push(d);
  console.log(`duckdb (${d.threads} thread${d.threads > 1 ? 's' : ''}): CSV→table ${d.load.toFixed(3)} s + aggregates ${(d.query * 1e3).toFixed(0)} ms = ${d.total.toFixed(3)} s = ${(MB / d.total).toFixed(0)} MB/s, peak RSS ${(d.hwm / 1e6).toFixed(0)} MB (node + duckdb process)`);
  console.log(`  flowlens / duckdb time ratio: ${(fl / d.total).toFixed(2)} (FlowLens ${(d.total / fl).toFixed(2)}× as fast; FlowLens time includes process start and JSON output)`);
}

// Cross-check: the engines agree on the figures compared.
const d0 = duckRows[0].results;
const checks = [
  ['records', flDoc.totals.records, Number(d0.totals[0].records)],
  ['bytes', flDoc.totals.bytes, Number(d0.totals[0].bytes)],
  ['rejected', flDoc.totals.rejected_records, Number(d0.totals[0].rejected)],
  ['distinct sources', flDoc.totals.distinct_sources, Number(d0.totals[0].sources)],
  ['top source', `${flDoc.top.srcaddr.rows[0].key[0]} ${flDoc.top.srcaddr.rows[0].bytes}`, `${d0.top_sources[0].k} ${d0.top_sources[0].bytes}`],
  ['top conversation bytes', flDoc.top.conversation.rows[0].bytes, Number(d0.top_pairs[0].bytes)],
  ['top reject port', `${flDoc.rejects.by_dstport.rows[0].key[0]} ${flDoc.rejects.by_dstport.rows[0].records}`, `${d0.rejects_by_dstport[0].k} ${d0.rejects_by_dstport[0].records}`],
  ['top reject source', `${flDoc.rejects.by_source.rows[0].key[0]} ${flDoc.rejects.by_source.rows[0].records}`, `${d0.rejects_by_srcaddr[0].k} ${d0.rejects_by_srcaddr[0].records}`],
  ['5-min buckets', flDoc.timeseries.points.length, d0.bytes_per_5min.length],
];
const bad = checks.filter(([, a, b]) => String(a) !== String(b));
console.log(bad.length ? `cross-check: MISMATCH ${JSON.stringify(bad)}` : `cross-check: both engines agree on ${checks.map((c) => c[0]).join(', ')}`);

// flowlens_bench (generates in memory; same record count).
console.log(`build/flowlens_bench --records ${records} --runs ${Math.min(runs, 5)}:`);
const b = execFileSync(BENCH, ['--records', String(records), '--runs', String(Math.min(runs, 5))]).toString();
console.log(b.trimEnd().split('\n').map((l) => `  ${l}`).join('\n'));

if (dir && !process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
else if (dir) console.log(`kept ${file}`);
