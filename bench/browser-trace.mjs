// browser-trace.mjs — what a filter change costs the page's main thread, by kind of work: loads a
// log into dist/ in headless Chromium, then records a Chromium trace (devtools.timeline) from the
// filter's Enter to `ready` and prints the main thread's time per event name (RunTask, FunctionCall
// = JS, Layout, Paint, Commit, …). A diagnostic, not a benchmark (one run; browser.mjs gives
// figures). DIST=dir serves another build.
//   node bench/browser-trace.mjs LOG [FILTER]        (FILTER defaults to "action = REJECT")
import { chromium } from 'playwright-core';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStaticServer } from '../web/serve.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const [log, filter = 'action = REJECT'] = process.argv.slice(2);
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
  await page.setInputFiles('[data-testid="file-input"]', log);
  await state('ready');
  await page.waitForTimeout(500);
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
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
} finally {
  await browser.close();
  server.close();
}
