// browser-probe.mjs — where the page's time goes, one run: loads a generated file into dist/ in
// headless Chromium and prints, relative to the input's change event (or the filter's Enter),
// the page's performance marks (fl:load-start, fl:load-done {worker: feedMs, chunks},
// fl:analysis-in (the analysis reached the page), fl:charts-done, fl:view-done {worker: analyzeMs,
// recordsMs}, fl:render-done), each chart's update (fl:set:<id> measures) and the data-state
// changes, ready and drawn (ready + two frames). After the load it types two filters, or
// FILTERS='a;b;…'; CLEAR=1 clears each one afterwards (a click on filter-clear), as browser.mjs
// does. PROFILE=1 adds the main thread's CPU profile (CDP Profiler, self time by function;
// INCL=n adds the n largest inclusive times; build with FLOWLENS_MINIFY=0 FLOWLENS_DIST=… and
// serve that with DIST=… to see names). THINK_MS=n leaves the page idle n ms before the file is
// given. FILES=a,b,… gives those files instead of the generated one (e.g. gzipped parts). CPU=1
// prints each Chromium thread's user and system CPU time over the load (Linux /proc). A
// diagnostic, not a benchmark (one run; use browser.mjs for figures).
//   node bench/browser-probe.mjs [RECORDS]      (DIST=dir serves another build; CHROMIUM_ARGS='--js-flags=…' adds
//   browser flags, e.g. to compare V8's wasm tiers)
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStaticServer } from '../web/serve.mjs';
import { fileURLToPath } from 'node:url';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const N = process.argv[2] ?? '1000000';
const file = join(tmpdir(), `flowlens-probe-${N}.log`); // kept between runs: delete it yourself
if (!existsSync(file)) execFileSync(join(ROOT, 'build', 'flowlens'), ['generate', '--records', N, '--seed', '1', '-o', file]);
const server = createStaticServer(process.env.DIST ?? join(ROOT, 'dist'));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;
const udd = mkdtempSync(join(tmpdir(), 'flprobe-'));
const ctx = await chromium.launchPersistentContext(udd, { executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', ...(process.env.CHROMIUM_ARGS ?? '').split(' ').filter(Boolean)], viewport: { width: 1440, height: 1000 } });
const page = ctx.pages()[0] ?? await ctx.newPage();
page.on('console', (m) => { if (m.type() === 'error' || m.text().startsWith('[probe]')) console.log('console:', m.text()); });
// WORKERS=n makes the page see n cores (navigator.hardwareConcurrency): it starts parseWorkers(n) parse
// workers (web/load-plan.js), e.g. WORKERS=4 two.
if (process.env.WORKERS) await page.addInitScript((n) => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n }), Number(process.env.WORKERS));
await page.addInitScript(() => {
  window.__t = { trigger: 0, marks: [] };
  new MutationObserver(() => { const s = document.documentElement.dataset.state; const t = performance.now(); window.__t.marks.push([s, t]);
    if (s === 'ready') requestAnimationFrame(() => requestAnimationFrame(() => window.__t.marks.push(['drawn', performance.now()]))); })
    .observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
  document.addEventListener('change', () => { window.__t.trigger = performance.now(); window.__t.marks = []; }, true);
  const trigger = () => { window.__t.trigger = performance.now(); window.__t.marks = []; performance.clearMarks(); performance.clearMeasures(); };
  document.addEventListener('keydown', (e) => { if (e.key === 'Enter') trigger(); }, true);
  document.addEventListener('click', (e) => { if (e.target?.closest?.('[data-testid="filter-clear"]')) trigger(); }, true);
});
await page.goto(origin + '/');
await page.waitForFunction(() => document.documentElement.dataset.state === 'idle');
async function dump(label) {
  // Polled every 50 ms as bench/browser.mjs does: the default (each animation frame) would make
  // the page render a frame every 16 ms during the load.
  await page.waitForFunction(() => window.__t.marks.some(([s]) => s === 'drawn'), null, { timeout: 120000, polling: 50 });
  const r = await page.evaluate(() => ({ trig: window.__t.trigger, marks: window.__t.marks,
    perf: performance.getEntriesByType('mark').filter((m) => m.name.startsWith('fl:')).map((m) => [m.name, m.startTime, m.detail]),
    sets: performance.getEntriesByType('measure').filter((m) => m.name.startsWith('fl:set:')).map((m) => [m.name.slice(7), m.startTime, m.duration]) }));
  const all = [...r.perf.filter(([, t]) => t >= r.trig).map(([n, t, d]) => [n, t, d]), ...r.marks.map(([n, t]) => [n, t])].sort((a, b) => a[1] - b[1]);
  console.log(label, all.map(([n, t, d]) => `${n}=${(t - r.trig).toFixed(0)}${d ? JSON.stringify(d) : ''}`).join(' '));
  const sets = r.sets.filter(([, t]) => t >= r.trig);
  if (sets.length) console.log('  charts set (ms):', sets.map(([n, , d]) => `${n.replace('chart-', '')} ${d.toFixed(1)}`).join(', '));
}
const cdp = await ctx.newCDPSession(page);
await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
function summarize(profile, label) {
  const self = new Map(); const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const dt = profile.timeDeltas; const counts = new Map();
  profile.samples.forEach((id, i) => counts.set(id, (counts.get(id) ?? 0) + (dt[i] ?? 0)));
  for (const [id, us] of counts) { const n = byId.get(id); const cf = n.callFrame;
    const k = `${cf.functionName || '(anon)'} ${cf.url.split('/').pop()}:${cf.lineNumber + 1}`; self.set(k, (self.get(k) ?? 0) + us); }
  if (process.env.INCL) {
    const parent = new Map(); for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const incl = new Map();
    for (const [id, us] of counts) { const seen = new Set(); for (let x = id; x !== undefined; x = parent.get(x)) { const cf = byId.get(x).callFrame;
      const k = `${cf.functionName || '(anon)'} ${cf.url.split('/').pop()}:${cf.lineNumber + 1}`; if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + us); } } }
    console.log('inclusive', [...incl].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.INCL)).map(([k, v]) => `${(v / 1000).toFixed(1)}ms ${k}`).join('\n  '));
  }
  console.log(label, [...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${(v / 1000).toFixed(1)}ms ${k}`).join('\n  '));
}
// TRACE=1: a Chromium trace over each filter (and its clear); prints, per renderer thread, its
// busy time (top-level tasks) and the largest event kinds by summed duration (nested events
// count in their parents too). Tells the main thread's native work ("(program)" in a profile:
// style, layout, paint, message decoding) from script, and the worker's share of the cores.
let traceEvents = [];
cdp.on('Tracing.dataCollected', (e) => traceEvents.push(...e.value));
const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink', 'toplevel'];
async function traceStart() { traceEvents = []; await cdp.send('Tracing.start', { traceConfig: { includedCategories: TRACE_CATEGORIES } }); }
async function traceStop(label) {
  const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  await cdp.send('Tracing.end');
  await done;
  const names = new Map();
  const processes = new Map();
  for (const e of traceEvents) if (e.ph === 'M' && e.name === 'process_name') processes.set(e.pid, e.args.name);
  for (const e of traceEvents) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}/${e.tid}`, e.args.name);
  // One entry per thread (two workers share a name: the tid tells them apart). Busy time is the
  // sum of the outermost events, so nested ones are not counted twice.
  const threads = new Map();
  const xs = traceEvents.filter((e) => e.ph === 'X' && e.dur).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  for (const e of xs) {
    const t = `${processes.get(e.pid) ?? e.pid}: ${names.get(`${e.pid}/${e.tid}`) ?? 'thread'} ${e.tid}`;
    if (!threads.has(t)) threads.set(t, { busy: 0, end: 0, by: new Map() });
    const th = threads.get(t);
    if (e.ts >= th.end) { th.busy += e.dur; th.end = e.ts + e.dur; }
    th.by.set(e.name, (th.by.get(e.name) ?? 0) + e.dur);
  }
  console.log(label);
  if (process.env.TRACE === 'tasks') {
    // Each main-thread and worker task in order: start (ms from the first), length, its largest inner events.
    for (const want of ['CrRendererMain', 'DedicatedWorker thread']) {
      const evs = traceEvents.filter((e) => e.ph === 'X' && e.dur && names.get(`${e.pid}/${e.tid}`) === want).sort((a, b) => a.ts - b.ts);
      const tasks = evs.filter((e) => e.name === 'ThreadControllerImpl::RunTask' && e.dur > 1000);
      const t0 = Math.min(...traceEvents.filter((e) => e.ts > 0).map((e) => e.ts));
      for (const task of tasks) {
        const inner = evs.filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur && e.name !== 'RunTask' && e.dur > 500);
        console.log(`  ${want.slice(0, 6)} @${((task.ts - t0) / 1000).toFixed(1)} ${(task.dur / 1000).toFixed(1)} ms: ${inner.slice(0, 14).map((e) => `${e.name}${e.args?.data?.functionName ? '(' + e.args.data.functionName + ')' : e.args?.data?.type ? '(' + e.args.data.type + ')' : ''} ${(e.dur / 1000).toFixed(1)}`).join(', ')}`);
      }
    }
  }
  for (const [t, th] of [...threads].sort((a, b) => b[1].busy - a[1].busy).slice(0, 8)) {
    if (th.busy < 2000) continue;
    const top = [...th.by].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([n, us]) => `${n} ${(us / 1000).toFixed(1)}`).join(', ');
    console.log(`  ${t}: busy ${(th.busy / 1000).toFixed(1)} ms: ${top}`);
  }
}
// CPU=1: each Chromium thread's user and system CPU time over the load, from /proc (Linux).
// System time on the engine's worker is mostly page faults: the first write to each page of
// memory the store grows into.
function cpuTimes() {
  const out = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd;
    try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
    if (!cmd.includes('chromium')) continue;
    const type = cmd.match(/--type=([a-z-]+)/)?.[1] ?? 'browser';
    let tids = [];
    try { tids = readdirSync(`/proc/${pid}/task`); } catch { continue; }
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(tid, { name: `${type}: ${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))} ${tid}`, user: Number(f[11]) * 10, sys: Number(f[12]) * 10 });
      } catch { /* the thread ended */ }
    }
  }
  return out;
}
function printCpu(before, after) {
  const rows = [...after].map(([tid, a]) => ({ ...a, user: a.user - (before.get(tid)?.user ?? 0), sys: a.sys - (before.get(tid)?.sys ?? 0) }))
    .filter((r) => r.user + r.sys >= 20).sort((x, y) => y.user + y.sys - x.user - x.sys);
  console.log('cpu (load), ms:');
  for (const r of rows) console.log(`  ${String(r.user).padStart(5)} user ${String(r.sys).padStart(4)} sys  ${r.name}`);
}
// THINK_MS=n waits n ms before the file is given (as browser.mjs): the page's idle work done.
if (process.env.THINK_MS) await page.waitForTimeout(Number(process.env.THINK_MS));
if (process.env.PROFILE) await cdp.send('Profiler.start');
if (process.env.TRACE_LOAD) await traceStart();
const cpuBefore = process.env.CPU ? cpuTimes() : null;
await page.setInputFiles('[data-testid="file-input"]', process.env.FILES ? process.env.FILES.split(',') : file);
await dump('load');
if (cpuBefore) printCpu(cpuBefore, cpuTimes());
if (process.env.TRACE_LOAD) await traceStop('trace (load):');
if (process.env.PROFILE) summarize((await cdp.send('Profiler.stop')).profile, 'main-thread self time (load):\n  ');
// FILTERS='a;b;…' replaces the filters typed after the load (in that order).
for (const f of process.env.FILTERS?.split(';') ?? ['action = REJECT', 'addr in 10.0.2.0/24 and bytes > 100k']) {
  await page.evaluate(() => performance.clearMarks());
  await page.fill('[data-testid="filter-input"]', f);
  if (process.env.PROFILE) await cdp.send('Profiler.start');
  if (process.env.TRACE) await traceStart();
  await page.press('[data-testid="filter-input"]', 'Enter');
  await dump('filter ' + f);
  if (process.env.TRACE) await traceStop('trace (filter):');
  if (process.env.PROFILE) summarize((await cdp.send('Profiler.stop')).profile, 'main-thread self (filter):\n  ');
  if (process.env.CLEAR) { // as bench/browser.mjs: the filter is cleared (a click) before the next one
    if (process.env.TRACE) await traceStart();
    await page.click('[data-testid="filter-clear"]');
    await dump('clear');
    if (process.env.TRACE) await traceStop('trace (clear):');
  }
}
await ctx.close(); rmSync(udd, { recursive: true, force: true }); server.close();
