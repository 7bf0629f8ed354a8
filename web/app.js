// app.js — DOM wiring only: inputs and drops → engine (worker) → stored analysis → views.
// Every number on the page comes from the core (analyze/records); the chart options come from
// the pure builders in charts/; log content only ever reaches the DOM as text.

import { EngineClient } from './engine-client.js';
import { parseWorkers, mostParseWorkers } from './load-plan.js';
import { byId, h, show } from './dom.js';
import { filesFromInput, entriesFromDrop, filesFromDrop } from './files.js';
import {
  addCondition, removeCondition, joinConditions, splitTopLevel, conditionForRow, equals,
  timeRangeCondition, locateInConditions, hashForFilter, filterFromHash,
} from './filter-model.js';
import { isoSeconds, keyLabel, formatInt, formatBytes } from './format.js';
import { timeseriesOption, timeRangeFromBrush, drawnSeries } from './charts/timeseries.js';
import { topOption, rejectsByPortOption, rejectsBySourceOption } from './charts/bars.js';
import { conversationsOption, conversationGraph } from './charts/conversations.js';
import { findings } from './insights.js';
import { ChartsHost } from './ui/charts-host.js';
import { warmUpCharts, warmUpAnalyses } from './ui/chart-warm-up.js';
import { DeferredDraws } from './ui/deferred-draws.js';
import { FilterBar } from './ui/filter-bar.js';
import { renderProgress, resetProgress } from './ui/progress.js';
import { renderCards, renderFindings } from './ui/summary.js';
import { renderScanners } from './ui/scanners.js';
import { renderRecords, pagerText } from './ui/records-table.js';
import { renderFilesTable, renderNotices, renderBadLines } from './ui/files-panel.js';
import { mountReportExport, makeReport, saveBlob } from './ui/report-export.js';

const SAMPLE_URL = 'sample/flowlogs-sample.log.gz';
const PAGE_SIZE = 50;
const TOP_N = 10;
const DEFAULT_FIELDS = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

// Large loads are parsed by one worker per two cores, or per core when mostly gzipped
// (load-plan.js parseWorkers: each has a reader thread as well), see engine-client.js.
const engine = new EngineClient(() => new Worker('worker.js', { name: 'flowlens-engine' }), {
  workers: (described) => parseWorkers(navigator.hardwareConcurrency, described),
  mostWorkers: mostParseWorkers(navigator.hardwareConcurrency), // whether the engine may merge
});
// Charts and the records table out of view are drawn when scrolled to (deferred-draws.js).
const deferred = new DeferredDraws();
const charts = new ChartsHost(deferred);
let reportExport = null; // the "Export report" controls (mounted in init)

const state = {
  files: [], // [{file, name}] of the current data set (kept for a reload with another field list)
  load: null, // the worker's load result
  conditions: splitTopLevel(filterFromHash(location.hash)),
  analysis: null,
  tsMetric: 'records',
  topKeys: [], // the loaded data's top-list keys (the key menu), from the engine after a load
  topKey: 'srcaddr',
  topMetric: 'bytes',
  offset: 0,
  total: 0,
  querySeq: 0,
  querying: null, // the latest runQuery's promise
};

function setState(s) {
  document.documentElement.dataset.state = s;
}

function currentFilter() {
  return joinConditions(state.conditions);
}

// ---------------------------------------------------------------------------- views

function showView(view) {
  show(byId('landing'), view === 'landing');
  show(byId('progress'), view === 'progress');
  show(byId('dashboard'), view === 'dashboard');
  show(byId('failure'), view === 'failure');
  const slot = { landing: 'load-options-home', dashboard: 'load-options-dash', failure: 'load-options-fail' }[view];
  if (slot) byId(slot).append(byId('load-options'));
  show(byId('load-options'), view !== 'progress');
  show(byId('field-list-reload'), view !== 'landing' && state.files.length > 0);
  if (view === 'dashboard') requestAnimationFrame(() => charts.resizeAll());
}

function landingError(message) {
  const el = byId('landing-error');
  el.textContent = message ?? '';
  show(el, Boolean(message));
}

// ---------------------------------------------------------------------------- loading

async function loadFiles(list) {
  if (list.length === 0) {
    landingError('No files found there (hidden files are skipped).');
    return;
  }
  landingError('');
  show(byId('field-list-error'), false);
  state.querySeq += 1; // a query still on its way belongs to the old data: drop its answer
  reportExport.setEnabled(false);
  state.files = list;
  state.offset = 0;
  const totalBytes = list.reduce((s, f) => s + f.file.size, 0);
  resetProgress(list.length, totalBytes);
  byId('cancel-load').disabled = false;
  showView('progress');
  setState('loading');
  let result;
  performance.mark('fl:load-start');
  try {
    result = await engine.load(list, {
      fields: byId('field-list').value,
      onProgress: renderProgress,
    });
  } catch (err) {
    return loadFailed(err);
  }
  performance.mark('fl:load-done', { detail: { timing: result.timing, seconds: result.seconds } });
  state.load = result;
  renderFilesTable(byId('files-table'), result.files);
  renderNotices(byId('notices'), result);
  if (result.loadedRecords === 0) {
    byId('failure-title').textContent = 'No flow log records found';
    byId('failure-text').textContent = result.files.length === 1
      ? 'The file could not be read as VPC Flow Logs. The reason is below; if the log has no header line, give its field list.'
      : 'None of the files could be read as VPC Flow Logs. The reasons are below; if the logs have no header line, give their field list.';
    renderFilesTable(byId('failure-files'), result.files);
    // Header-less data is the usual cause: offer the field list right there.
    if (result.files.some((f) => /field list/i.test(f.error ?? ''))) byId('load-options').open = true;
    showView('failure');
    setState('error');
    return;
  }
  try {
    state.topKeys = await engine.topKeys();
  } catch (err) {
    return loadFailed(err);
  }
  showView('dashboard');
  await runQuery({ fromLoad: true });
}

function loadFailed(err) {
  // The engine dropped its data set (a load starts afresh): nothing old may stay on screen.
  state.load = null;
  state.analysis = null;
  reportExport.setEnabled(false);
  byId('failure-files').replaceChildren();
  if (err.name === 'FieldListError') {
    byId('failure-title').textContent = 'The field list was not accepted';
    byId('failure-text').textContent = 'Correct it below and read the files again, or empty it to use each file\'s header line.';
    const el = byId('field-list-error');
    el.textContent = err.message;
    show(el, true);
    byId('load-options').open = true;
  } else {
    byId('failure-title').textContent = 'The files could not be analysed';
    byId('failure-text').textContent = err.message;
  }
  showView('failure');
  setState('error');
}

async function loadSample() {
  landingError('');
  setState('loading');
  try {
    const res = await fetch(SAMPLE_URL);
    if (!res.ok) throw new Error(`the sample could not be fetched (HTTP ${res.status})`);
    const blob = await res.blob();
    await loadFiles([{ file: new File([blob], 'flowlogs-sample.log.gz'), name: 'flowlogs-sample.log.gz' }]);
  } catch (err) {
    setState(state.analysis ? 'ready' : 'idle');
    landingError(`Could not load the sample data: ${err.message}`);
  }
}

// ---------------------------------------------------------------------------- querying

/**
 * Runs the analysis for `conditions` and re-renders everything. On a filter error the previous
 * conditions and views stay, and the error is shown where the user typed.
 */
function runQuery(options) {
  state.querying = runQueryNow(options);
  return state.querying;
}

async function runQueryNow({ conditions = state.conditions, typed = null, fromLoad = false, pushHistory = false, keepError = false } = {}) {
  const seq = ++state.querySeq;
  const filter = joinConditions(conditions);
  setState('querying');
  // One round trip: the analysis and the first records page, each drawn as it comes while the
  // worker goes on (worker.js view). An analysis the worker makes now comes in two parts: all
  // but the reject report, drawn while the worker makes the report, then the whole. (The
  // records page first was tried: the table drawn meanwhile slowed the worker more than it
  // saved.) `ready` comes once everything is shown.
  let drawn = 'nothing'; // of this query's analysis: 'nothing', 'part' or 'all'
  const drawAnalysis = (analysis, part = false) => {
    if (seq !== state.querySeq || drawn === 'all') return;
    state.analysis = analysis;
    if (drawn === 'part') { // only the reject report is new
      drawRejectCharts();
      renderRejects();
    } else {
      performance.mark('fl:analysis-in'); // the bench's probe: drawing = charts-done - this
      state.conditions = typed === null ? conditions : splitTyped(conditions.slice(0, -1), typed);
      state.offset = 0;
      syncHash(joinConditions(state.conditions), pushHistory);
      drawCharts({ rejects: !part }); // before any text changes (see drawCharts)
      if (typed !== null) {
        filterBar.setText('');
        filterBar.clearError();
      } else if (!fromLoad && !keepError) {
        filterBar.clearError();
      }
      filterBar.render(state.conditions);
      renderAnalysis({ rejects: !part });
    }
    drawn = part ? 'part' : 'all';
    if (part) return;
    renderFindings(findings(analysis));
    performance.mark('fl:charts-done');
  };
  let view;
  try {
    view = await engine.view(filter, { top: TOP_N, metric: state.topMetric, keys: shownTopKeys().join(';') }, {
      offset: 0,
      limit: PAGE_SIZE,
      onPart: (part) => drawAnalysis(part, true),
      onAnalysis: drawAnalysis,
    });
  } catch (err) {
    if (seq !== state.querySeq) return;
    if (err.name === 'FilterError') {
      if (fromLoad && conditions.length) {
        // A bookmarked filter that does not fit these data: show everything, and the filter
        // with its error in the input, to fix or drop.
        const text = joinConditions(conditions);
        filterBar.setText(text);
        filterBar.showError(err.message, text, err.position);
        return runQueryNow({ conditions: [], keepError: true });
      }
      await reportFilterError(err, conditions, typed);
      if (seq === state.querySeq) setState('ready');
      return;
    }
    return loadFailed(err);
  }
  if (seq !== state.querySeq) return;
  performance.mark('fl:view-done', { detail: view.timing });
  if (drawn !== 'all') drawAnalysis(view.analysis); // (no progress message came)
  showPage(view.page);
  // The charts were placed on the layout before this query's text (findings, chips) moved them:
  // one that has come into view is drawn now, not a frame after `ready`.
  deferred.flushInView();
  performance.mark('fl:render-done');
  setState('ready');
}

// The typed text's top-level `and` parts become separate chips (same meaning, each removable).
function splitTyped(existing, typed) {
  const out = existing.slice();
  for (const part of splitTopLevel(typed)) if (!out.includes(part)) out.push(part);
  return out;
}

async function reportFilterError(err, conditions, typed) {
  if (typed !== null) {
    // The core saw the typed text inside the whole filter (perhaps in parentheses), so its
    // message may mention text the user did not type. Compile the typed text alone for a
    // message about exactly what was typed (a failing compile evaluates nothing).
    try {
      await engine.analyze(typed, { top: 1, keys: 'protocol' });
    } catch (own) {
      if (own.name === 'FilterError') {
        filterBar.showError(own.message, typed, own.position);
        return;
      }
    }
  }
  const loc = locateInConditions(conditions, err.position);
  if (loc && typed !== null && loc.index === conditions.length - 1) {
    filterBar.showError(err.message, typed, loc.offset);
  } else if (loc) {
    filterBar.showError(err.message, conditions[loc.index], loc.offset);
  } else {
    filterBar.showError(err.message, joinConditions(conditions), err.position);
  }
}

function syncHash(filter, push) {
  const hash = hashForFilter(filter);
  if (hash === location.hash || (!hash && !location.hash)) return;
  const url = hash || `${location.pathname}${location.search}`;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

function applyConditions(conditions) {
  if (!state.load) {
    state.conditions = conditions;
    return;
  }
  runQuery({ conditions, pushHistory: true });
}

function addFilter(condition) {
  applyConditions(addCondition(state.conditions, condition));
}

// ---------------------------------------------------------------------------- rendering

// The charts of state.analysis; with rejects: false, all but the reject report's (an analysis
// still without it, see runQuery). Drawn before the page's text changes: ECharts reads the
// layout while it draws (a canvas's offset), and with the text already changed every chart
// would have the page laid out again first.
function drawCharts({ rejects = true } = {}) {
  const a = state.analysis;
  drawTimeseries();
  drawTop();
  charts.set('chart-conversations', conversationsOption(a, { metric: state.topMetric }));
  if (rejects) drawRejectCharts();
}

function drawRejectCharts() {
  const a = state.analysis;
  // A filter often leaves the rejects as they were (`action = REJECT`, or nothing rejected).
  setBarChart('chart-rejects', [a.rejects?.by_dstport, a.rejects?.records], () => rejectsByPortOption(a));
  setBarChart('chart-rejects-source', [a.rejects?.by_source, a.rejects?.records], () => rejectsBySourceOption(a));
}

// Everything else state.analysis shows (drawCharts first); the reject report's text only with
// rejects (as drawCharts).
function renderAnalysis({ rejects = true } = {}) {
  const a = state.analysis;
  renderCards(a); // the findings follow with the whole analysis (runQuery)
  timeseriesHint();
  renderTopKeys();
  topHint();
  if (rejects) renderRejects();
  // The load's files and unreadable lines are the same for every filter: drawn once per load.
  renderUnlessSame(byId('bad-lines'), a.errors, (el) => renderBadLines(el, a.errors));
  const files = mergeFileReports(a.errors.files, state.load.files);
  renderUnlessSame(byId('files-table'), files, (el) => renderFilesTable(el, files));
  setText(byId('footer'), `FlowLens ${a.flowlens.version} · analysed in this browser tab; no data left this computer.`);
  reportExport.setEnabled(true);
}

// The reject report's text: the note under its charts and the scanners.
function renderRejects() {
  const a = state.analysis;
  const r = a.rejects;
  setText(byId('rejects-note'), r.records
    ? `${formatInt(r.records)} rejected records (${formatBytes(r.bytes)}). Click a bar to filter.`
    : '');
  renderUnlessSame(byId('scanners'), [r?.scanners?.slice(0, 20), r?.scanners?.length, r?.scan_thresholds],
    (el) => renderScanners(el, a, (src) => addFilter(equals('srcaddr', src))));
}

// What each container was last drawn from (JSON), so that a view whose data did not change is
// left as it is: rebuilding it would draw the same thing and cost style and layout for nothing.
const drawnFrom = new WeakMap();

function renderUnlessSame(el, data, render) {
  const key = JSON.stringify(data ?? null);
  if (drawnFrom.get(el) === key) return;
  render(el);
  drawnFrom.set(el, key);
}

// A bar chart (no state of its own: no zoom, legend or selection) whose builder gets the same
// input as last time keeps its drawing: the builders are pure, so it would be drawn the same.
// `input` is everything its builder reads from the analysis, and the options given to it.
function setBarChart(id, input, build) {
  renderUnlessSame(byId(id), input, () => charts.set(id, build()));
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

// The worker's list knows about files it skipped (cancel); the core's knows the rest. They come
// in the same load order, so the worker's list, which is complete, is shown.
function mergeFileReports(core, worker) {
  return worker ?? core;
}

function renderTimeseries() {
  drawTimeseries();
  timeseriesHint();
}

function drawTimeseries() {
  const a = state.analysis;
  charts.set('chart-timeseries', timeseriesOption(a, { metric: state.tsMetric }));
  if (a.timeseries.points.length > 0) charts.armBrush('chart-timeseries');
}

function timeseriesHint() {
  const a = state.analysis;
  setText(byId('ts-hint'), a.timeseries.points.length
    ? `${bucketText(drawnSeries(a.timeseries).bucket)} buckets by each record's start time. Drag across the chart (or click a bar) to filter on that time range.`
    : '');
}

function bucketText(s) {
  if (s % 86400 === 0) return `${s / 86400}-day`;
  if (s % 3600 === 0) return `${s / 3600}-hour`;
  if (s % 60 === 0) return `${s / 60}-minute`;
  return `${s}-second`;
}

// The top lists an analysis computes for the dashboard: the one the top-talker chart shows, and
// the sources and conversations (the conversation graph and the findings). The others cost a
// filter change about a third of its analysis at 5 M records and are asked for when the key
// menu picks one (drawTop, fetchTopList).
function shownTopKeys() {
  if (!state.topKeys.includes(state.topKey)) state.topKey = state.topKeys[0] ?? 'srcaddr';
  return [...new Set([state.topKey, 'srcaddr', 'conversation'])].filter((k) => state.topKeys.includes(k));
}

// Fetches a top list state.analysis left out (shownTopKeys) into it, then draws it if it is
// still the one picked. Once per analysis and key; after the query that made the analysis has
// finished, so that `ready` is set by whichever of them ends last.
const topFetches = new WeakMap(); // analysis → keys asked for
async function fetchTopList(key) {
  await state.querying?.catch(() => {});
  const a = state.analysis; // the latest query's, now whole
  if (!a || key in a.top || state.topKey !== key) return;
  const asked = topFetches.get(a) ?? new Set();
  topFetches.set(a, asked);
  if (asked.has(key)) return;
  asked.add(key);
  const seq = state.querySeq;
  setState('querying');
  try {
    const doc = await engine.analyze(currentFilter(), { top: TOP_N, metric: state.topMetric, keys: key, sections: 'top' });
    if (state.analysis === a) a.top[key] = doc.top?.[key] ?? null;
  } catch (err) {
    if (seq === state.querySeq) filterBar.showError(`The top list could not be made: ${err.message}`);
  } finally {
    if (seq === state.querySeq) setState('ready');
  }
  if (state.analysis === a && state.topKey === key) renderTop();
}

function showTopKey(key) {
  state.topKey = key;
  renderTop();
}

function renderTopKeys() {
  const select = byId('top-key');
  const keys = state.topKeys;
  renderUnlessSame(select, keys, () => {
    select.replaceChildren(...keys.map((k) => h('option', { value: k, selected: k === state.topKey }, keyLabel(k))));
  });
  select.value = state.topKey;
}

function renderTop() {
  drawTop();
  topHint();
}

function drawTop() {
  const a = state.analysis;
  if (!(state.topKey in a.top)) {
    fetchTopList(state.topKey);
    return;
  }
  setBarChart('chart-top', [a.top?.[state.topKey], a.totals, state.topKey, state.topMetric],
    () => topOption(a, { key: state.topKey, metric: state.topMetric }));
}

function topHint() {
  const a = state.analysis;
  const entry = a.top[state.topKey];
  setText(byId('top-hint'), entry
    ? `${formatInt(entry.distinct)} distinct value${entry.distinct === 1 ? '' : 's'}${entry.rows.length < entry.distinct ? `, the top ${entry.rows.length} shown` : ''}. Click a bar to filter on it.`
    : '');
}

function showPage(page) {
  state.total = page.total;
  state.offset = page.offset;
  // The table is often below the fold: a filter change then leaves its 50 rows for later
  // (hidden meanwhile, class records-pending) instead of updating them and laying them out.
  const table = byId('records-table');
  deferred.run(table.closest('section'), () => renderRecords(table, page, addFilter), 'records-pending');
  byId('pager-info').textContent = pagerText(page.offset, page.rows.length, page.total);
  byId('page-first').disabled = page.offset === 0;
  byId('page-prev').disabled = page.offset === 0;
  byId('page-next').disabled = page.offset + page.rows.length >= page.total;
  byId('page-last').disabled = page.offset + page.rows.length >= page.total;
  byId('export-csv').disabled = page.total === 0;
}

async function goToPage(offset) {
  const o = Math.max(0, Math.min(offset, Math.max(0, state.total - 1)));
  const seq = state.querySeq;
  setState('querying');
  try {
    const page = await engine.records(currentFilter(), o - (o % PAGE_SIZE), PAGE_SIZE);
    if (seq === state.querySeq) showPage(page);
  } finally {
    if (seq === state.querySeq) setState('ready');
  }
}

async function exportCsv() {
  const button = byId('export-csv');
  const label = button.textContent;
  button.disabled = true;
  try {
    const { blob } = await engine.exportCsv(currentFilter(), {
      total: state.total,
      onProgress: (p) => {
        button.textContent = `Exporting… ${p.total ? Math.round((100 * p.records) / p.total) : 0}%`;
      },
    });
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: 'flowlens-records.csv', hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (err) {
    filterBar.showError(`Export failed: ${err.message}`);
  } finally {
    button.textContent = label;
    button.disabled = false;
  }
}

// The shareable report of what is shown: the same filter and options, made by the core.
async function exportReport(mask) {
  try {
    const { blob, name } = await makeReport(engine, {
      filter: currentFilter(),
      options: { top: TOP_N, metric: state.topMetric },
      mask,
    });
    saveBlob(blob, name);
  } catch (err) {
    filterBar.showError(`Report export failed: ${err.message}`);
  }
}

// ---------------------------------------------------------------------------- chart clicks

function wireCharts() {
  const rowFilter = (entryOf) => (i) => {
    const entry = entryOf();
    const row = entry?.rows?.[i];
    if (row) addFilter(conditionForRow(entry, row.key));
  };
  charts.onRowClick('chart-top', rowFilter(() => state.analysis?.top?.[state.topKey]));
  charts.onRowClick('chart-rejects', rowFilter(() => state.analysis?.rejects?.by_dstport));
  charts.onRowClick('chart-rejects-source', rowFilter(() => state.analysis?.rejects?.by_source));
  charts.onClick('chart-conversations', (p) => {
    const { nodes, edges } = conversationGraph(state.analysis, { metric: state.topMetric });
    if (p.dataType === 'edge') {
      const e = edges[p.dataIndex];
      if (e) addFilter(conditionForRow(state.analysis.top.conversation, e.row.key));
    } else if (nodes[p.dataIndex]) {
      addFilter(equals('addr', nodes[p.dataIndex].name));
    }
  });
  const bucket = () => drawnSeries(state.analysis?.timeseries).bucket || 60;
  charts.onClick('chart-timeseries', (p) => {
    const t = Array.isArray(p.data) ? p.data[0] / 1000 : null;
    if (t !== null) addFilter(timeRangeCondition(t, t + bucket(), isoSeconds));
  });
  charts.onTimeBrush('chart-timeseries', (range) => {
    const [from, to] = timeRangeFromBrush(range, bucket());
    addFilter(timeRangeCondition(from, to, isoSeconds));
  });
}

// ---------------------------------------------------------------------------- inputs

const filterBar = new FilterBar({
  onSubmit: (text) => {
    if (!state.load) return;
    // Validate the typed text as one condition (so an error position points into it), then
    // keep its top-level `and` parts as separate chips.
    runQuery({ conditions: [...state.conditions, text], typed: text, pushHistory: true });
  },
  onRemove: (i) => applyConditions(removeCondition(state.conditions, i)),
  onEdit: (i) => {
    filterBar.setText(state.conditions[i]);
    byId('filter-input').focus();
    applyConditions(removeCondition(state.conditions, i));
  },
  onClear: () => {
    filterBar.setText('');
    filterBar.clearError();
    applyConditions([]);
  },
});

function wireInputs() {
  const fileInput = byId('file-input');
  const folderInput = byId('folder-input');
  const pickFiles = () => fileInput.click();
  const pickFolder = () => folderInput.click();
  byId('open-files').addEventListener('click', pickFiles);
  byId('landing-files').addEventListener('click', pickFiles);
  byId('open-folder').addEventListener('click', pickFolder);
  byId('landing-folder').addEventListener('click', pickFolder);
  byId('load-sample').addEventListener('click', loadSample);
  byId('landing-sample').addEventListener('click', loadSample);
  for (const input of [fileInput, folderInput]) {
    input.addEventListener('change', () => {
      const list = filesFromInput(input.files);
      input.value = '';
      loadFiles(list);
    });
  }
  byId('dropzone').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pickFiles(); }
  });
  byId('field-list-default').addEventListener('click', () => { byId('field-list').value = DEFAULT_FIELDS; });
  byId('field-list-reload').addEventListener('click', () => {
    if (state.files.length) loadFiles(state.files);
  });

  byId('cancel-load').addEventListener('click', () => {
    byId('cancel-load').disabled = true;
    byId('progress-title').textContent = 'Stopping…';
    engine.cancel();
  });

  byId('ts-metric').addEventListener('change', (e) => { state.tsMetric = e.target.value; renderTimeseries(); });
  byId('top-key').addEventListener('change', (e) => showTopKey(e.target.value));
  byId('top-metric').addEventListener('change', (e) => {
    state.topMetric = e.target.value;
    runQuery();
  });
  byId('page-first').addEventListener('click', () => goToPage(0));
  byId('page-prev').addEventListener('click', () => goToPage(state.offset - PAGE_SIZE));
  byId('page-next').addEventListener('click', () => goToPage(state.offset + PAGE_SIZE));
  byId('page-last').addEventListener('click', () => goToPage(Math.floor((state.total - 1) / PAGE_SIZE) * PAGE_SIZE));
  byId('export-csv').addEventListener('click', exportCsv);

  // Drag and drop anywhere on the page: files and whole folders.
  const overlay = byId('drop-overlay');
  let depth = 0;
  const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files');
  window.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    depth += 1;
    show(overlay, true);
  });
  window.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) show(overlay, false);
  });
  window.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('drop', async (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    show(overlay, false);
    if (document.documentElement.dataset.state === 'loading') return;
    const taken = entriesFromDrop(e.dataTransfer); // synchronously, inside the event
    try {
      loadFiles(await filesFromDrop(taken));
    } catch (err) {
      landingError(`Could not read what was dropped: ${err.message}`);
    }
  });

  // A bookmarked or edited #filter=… (and Back/Forward after a filter change).
  const fromUrl = () => {
    const conditions = splitTopLevel(filterFromHash(location.hash));
    if (joinConditions(conditions) === currentFilter()) return;
    if (state.load) runQuery({ conditions });
    else state.conditions = conditions;
  };
  window.addEventListener('hashchange', fromUrl);
  window.addEventListener('popstate', fromUrl);
}

function init() {
  reportExport = mountReportExport(byId('filter-form'), exportReport);
  wireInputs();
  wireCharts();
  filterBar.render(state.conditions);
  engine.onCrash = (err) => loadFailed(err);
  // Start the engine now so the first file does not wait for the wasm to compile.
  engine.init().catch((err) => landingError(`The analysis engine could not start: ${err.message}`));
  showView('landing');
  setState('idle');
  warmUpDashboardCharts();
}

// While the engine starts and the user picks files: the charts in view after a load are drawn
// and updated out of sight, so that their first real drawing runs warm code (chart-warm-up.js; the
// engine warms its own code, worker.js). Only a speed-up: a failure is only logged.
function warmUpDashboardCharts() {
  const start = performance.now();
  warmUpCharts(warmUpAnalyses(), [
    { option: (a) => timeseriesOption(a, { metric: state.tsMetric }), brush: true },
    { option: (a) => topOption(a, { key: 'srcaddr', metric: state.topMetric }) },
    { option: (a) => conversationsOption(a, { metric: state.topMetric }) },
  ], deferred).then(
    (drawn) => performance.mark('fl:charts-warmed', { detail: { drawn, ms: performance.now() - start } }),
    (err) => console.warn('[flowlens] chart warm-up failed (only a speed-up):', err),
  );
}

init();
