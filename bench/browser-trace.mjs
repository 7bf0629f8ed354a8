// browser-trace.mjs — what a filter change costs the page's main thread, by kind of work: loads a
// log into dist/ in headless Chromium, then records a Chromium trace (devtools.timeline) from the
// filter's Enter to `ready` and prints the main thread's time per event name (RunTask, FunctionCall
// = JS, Layout, Paint, Commit, …), then every thread's busy time over the same span: the engine
// worker (DedicatedWorker), V8's compiler threads (ThreadPoolForegroundWorker: Maglev and Turbofan
// optimising the page's JS), the compositor. A diagnostic, not a benchmark (one run; browser.mjs
// gives figures). DIST=dir serves another build. CATS=a,b,… sets the trace categories (e.g. add
// v8.wasm to see the engine's wasm being recompiled by the optimising tier:
// wasm.TopTierCompilation), EVENTS=n prints the n largest event names per thread, ARGS=name
// prints each event of that name with its arguments, THINK_MS=n leaves the page idle n ms before
// the files are given (its warm-ups done, as a user picking files).
//   node bench/browser-trace.mjs LOG [FILTER]        (FILTER defaults to "action = REJECT"; LOG may be
//                                                    a comma-separated list of files given together)
//   node bench/browser-trace.mjs LOG --load          the load instead (the file set → `ready`): each
//                                                    thread's busy time (its top-level tasks), over
//                                                    every process, and the wall time: where the cores go
import { chromium } from 'playwright-core';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStaticServer } from '../web/serve.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const [log, filter = 'action = REJECT'] = process.argv.slice(2);
const files = log?.split(','); // LOG may be a comma-separated list: the files given together
const traceLoad = filter === '--load';
if (!log) throw new Error('usage: node bench/browser-trace.mjs LOG [FILTER]');
const server = createStaticServer(process.env.DIST ?? join(ROOT, 'dist'));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  const state = (s) => page.waitForFunction((want) => document.documentElement.dataset.state === want, s, { timeout: 120000 });
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await state('idle');
  // THINK_MS=n: the page idle n ms before the files are given (its warm-up done), as a user picking files.
  if (process.env.THINK_MS) await page.waitForTimeout(Number(process.env.THINK_MS));
  if (traceLoad) {
    await browser.startTracing(page, { categories: (process.env.CATS ?? 'toplevel,devtools.timeline,v8.execute').split(',') });
    const t0 = Date.now();
    await page.setInputFiles('[data-testid="file-input"]', files);
    await state('ready');
    const wall = Date.now() - t0;
    const events = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
    console.log(`load of ${log}: ${wall} ms from the file set to ready; busy time per thread (top-level tasks):`);
    printBusy(events);
    if (process.env.EVENTS) printEvents(events, Number(process.env.EVENTS));
    printArgs(events);
  } else {
  await page.setInputFiles('[data-testid="file-input"]', files);
  await state('ready');
  await page.waitForTimeout(500);
  await browser.startTracing(page, { categories: (process.env.CATS ?? 'toplevel,devtools.timeline,disabled-by-default-devtools.timeline,v8').split(',') });
  await page.fill('[data-testid="filter-input"]', filter);
  await page.press('[data-testid="filter-input"]', 'Enter');
  await state('ready');
  await page.waitForTimeout(300); // the frames after ready
  const events = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const total = new Map();
  for (const e of events) {
    if (e.ph === 'X' && e.dur && e.pid === main?.pid && e.tid === main?.tid) total.set(e.name, (total.get(e.name) ?? 0) + e.dur);
  }
  console.log(`main thread, filter "${filter}" (events nest: RunTask holds the others):`);
  for (const [name, us] of [...total].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${(us / 1000).toFixed(1)} ms ${name}`);
  console.log('busy time per thread over the same span:');
  printBusy(events);
  if (process.env.EVENTS) printEvents(events, Number(process.env.EVENTS));
  printArgs(events);
  }
} finally {
  await browser.close();
  server.close();
}

// pid:tid → the thread's name, from the trace's metadata events.
function threadNames(events) {
  const names = new Map();
  for (const e of events) if (e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
  return names;
}

// Each thread's busy time: the union of its complete events (nested ones lie inside their parent).
function printBusy(events) {
  const names = threadNames(events);
  const spans = new Map();
  for (const e of events) {
    if (e.ph !== 'X' || !e.dur) continue;
    const k = `${e.pid}:${e.tid}`;
    if (!spans.has(k)) spans.set(k, []);
    spans.get(k).push([e.ts, e.ts + e.dur]);
  }
  const busy = [];
  for (const [k, list] of spans) {
    list.sort((a, b) => a[0] - b[0]);
    let total = 0;
    let [from, to] = list[0];
    for (const [a, b] of list.slice(1)) {
      if (a > to) { total += to - from; [from, to] = [a, b]; } else to = Math.max(to, b);
    }
    total += to - from;
    busy.push([`${names.get(k) ?? '?'} (pid ${k.split(':')[0]})`, total / 1000]);
  }
  for (const [name, ms] of busy.sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(`  ${ms.toFixed(0).padStart(6)} ms ${name}`);
}

// ARGS=name: each event of that name with its arguments.
function printArgs(events) {
  if (!process.env.ARGS) return;
  for (const e of events) if (e.name === process.env.ARGS) console.log(`  ${e.name} ${(e.dur / 1000).toFixed(1)} ms ${JSON.stringify(e.args)}`);
}

// EVENTS=n: the n largest event names per thread (time summed; nested events counted too).
function printEvents(events, n) {
  const names = threadNames(events);
  const sum = new Map();
  for (const e of events) {
    if (e.ph !== 'X' || !e.dur) continue;
    const k = `${names.get(`${e.pid}:${e.tid}`) ?? '?'} | ${e.name}`;
    sum.set(k, (sum.get(k) ?? 0) + e.dur);
  }
  for (const [k, us] of [...sum].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`  ${(us / 1000).toFixed(1).padStart(7)} ms ${k}`);
}
