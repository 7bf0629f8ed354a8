// helpers.mjs — shared set-up for the end-to-end tests: serve dist/ on 127.0.0.1 (a free port),
// launch /usr/bin/chromium through playwright-core with the flags TOOLCHAIN.md lists and a fresh
// user-data dir, record every request (and fail on any that leaves the origin), collect console
// errors and dialogs, and compare with the native CLI.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../web/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS, isOwnUrl, refuseOtherOrigins } from '../../scripts/chromium.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = resolve(ROOT, process.env.FLOWLENS_DIST ?? 'dist');
export const CLI = resolve(ROOT, process.env.FLOWLENS_CLI ?? 'build/flowlens');
export const SAMPLE = join(DIST, 'sample', 'flowlogs-sample.log.gz');
export { CHROMIUM, CHROMIUM_ARGS };

export function requireBuilt() {
  for (const p of [join(DIST, 'index.html'), join(DIST, 'flowlens-core.wasm'), SAMPLE, CLI]) {
    if (!existsSync(p)) throw new Error(`${p} is missing: run \`make build\` (or npm run build:web) first`);
  }
}

/** The CLI's analyze document for `files` with an optional filter. */
export function cliAnalyze(files, filter = '', extra = []) {
  const args = ['analyze', ...extra];
  if (filter) args.push('--filter', filter);
  const out = execFileSync(CLI, [...args, ...files], { maxBuffer: 256 << 20 });
  return JSON.parse(out.toString('utf8'));
}

export function cliGenerate(out, args = []) {
  execFileSync(CLI, ['generate', ...args, '-o', out]);
  return out;
}

export function tempDir(prefix = 'flowlens-e2e-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Starts the server and a browser context. Returns {page, url, requests, foreign, consoleErrors,
 * consoleWarnings, dialogs, close()}. `foreign` lists requests to any origin but the server's (must stay empty).
 */
// cores: what navigator.hardwareConcurrency says in the page (how many parse workers it starts);
// dist: the site to serve (a changed copy of dist/).
export async function openApp({ hash = '', viewport = { width: 1440, height: 1000 }, cores = 0, dist = DIST } = {}) {
  requireBuilt();
  const { server, url } = await serve(dist, 0);
  const origin = new URL(url).origin;
  const userDataDir = tempDir('flowlens-chromium-');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    acceptDownloads: true,
  });
  const requests = [];
  const foreign = [];
  const consoleErrors = [];
  const consoleWarnings = [];
  const dialogs = [];
  const record = (req) => {
    const u = req.url();
    requests.push(u);
    if (!isOwnUrl(u, origin)) foreign.push(u);
  };
  context.on('request', record);
  await refuseOtherOrigins(context, origin, foreign);
  if (cores) await context.addInitScript((n) => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n }), cores);
  const page = context.pages()[0] ?? await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
    if (msg.type() === 'warning') consoleWarnings.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  page.on('worker', (w) => w.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(`worker: ${msg.text()}`); }));
  await page.goto(url + hash);
  await waitState(page, ['idle']);
  return {
    page, url, origin, context, requests, foreign, consoleErrors, consoleWarnings, dialogs,
    async close() {
      await context.close();
      await new Promise((r) => server.close(r));
      server.closeAllConnections?.();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until <html data-state> is one of `states`. */
export async function waitState(page, states = ['ready'], timeout = 60_000) {
  await page.waitForFunction((s) => s.includes(document.documentElement.dataset.state), states, { timeout });
  return page.evaluate(() => document.documentElement.dataset.state);
}

/** Sets files on the multi-file input and waits for the analysis (ready or error). */
export async function loadFiles(page, files, { testid = 'file-input' } = {}) {
  await page.setInputFiles(`[data-testid="${testid}"]`, files);
  await waitState(page, ['loading', 'querying', 'ready', 'error']);
  return waitState(page, ['ready', 'error']);
}

/** The totals shown on the cards, as exact integers (from data-value). */
export async function shownTotals(page) {
  return page.evaluate(() => {
    const v = (id) => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      return el && el.dataset.value !== undefined ? Number(el.dataset.value) : null;
    };
    const text = (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? null;
    return {
      records: v('total-records'),
      recordsText: text('total-records'),
      bytes: v('total-bytes'),
      rejected: v('total-rejected'),
      packets: v('total-packets'),
    };
  });
}

/**
 * Asserts that the cards show exactly what `flowlens analyze` computes for the same files,
 * filter and extra CLI arguments; returns the CLI's totals.
 */
export async function expectCliTotals(page, files, filter, label, extra = []) {
  const cli = cliAnalyze(files, filter, extra).totals;
  const shown = await shownTotals(page);
  assert.equal(shown.records, cli.records, `${label}: records`);
  assert.equal(shown.recordsText, grouped(cli.records), `${label}: records text`);
  assert.equal(shown.bytes, cli.bytes, `${label}: bytes`);
  assert.equal(shown.packets, cli.packets, `${label}: packets`);
  assert.equal(shown.rejected, cli.rejected_records, `${label}: rejected`);
  return cli;
}

/** Applies a filter by typing it into the filter bar and pressing Enter. */
export async function typeFilter(page, text) {
  await page.fill('[data-testid="filter-input"]', text);
  const before = await page.evaluate(() => document.documentElement.dataset.state);
  await page.press('[data-testid="filter-input"]', 'Enter');
  if (before === 'ready') await waitState(page, ['querying', 'ready']);
  return waitState(page, ['ready']);
}

/**
 * Scrolls the records panel into view and waits for its page to be drawn there: the page leaves
 * the table of a panel out of view for later (class records-pending, deferred-draws.js).
 */
export async function showRecords(page) {
  await page.locator('[data-testid="records-table"]').evaluate((el) => el.closest('section').scrollIntoView({ block: 'start' }));
  await page.waitForFunction(() => !document.querySelector('.records-pending'), null, { timeout: 10_000 });
}

/** Integer with comma grouping, as the page shows total-records. */
export function grouped(n) {
  return new Intl.NumberFormat('en-US').format(n);
}

export function ensureDir(p) {
  mkdirSync(p, { recursive: true });
  return p;
}
