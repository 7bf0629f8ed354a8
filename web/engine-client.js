// engine-client.js — the page's promise API over the engine worker.
//
// Messages are {id, type, data}; a map of pending requests resolves each answer by id, and
// errors come back as {name, message, position?} and become EngineError objects. Progress
// messages go to the request's onProgress. cancel() asks the worker to stop reading (what was
// loaded stays, the load resolves with cancelled: true). If the worker dies, every pending
// request fails and the next request starts a fresh worker (the loaded data is then gone).

import { describeFiles, planLoad, mergePartReports, skippedJobReport, expectedBytes, MAX_PARSE_WORKERS } from './load-plan.js';

export class EngineError extends Error {
  constructor({ name = 'EngineError', message = 'unknown error', position } = {}) {
    super(message);
    this.name = name;
    if (position !== undefined) this.position = position;
  }
}

export class EngineClient {
  /**
   * @param {() => Worker} spawn  makes a worker (injected so tests can pass a fake)
   * @param {{workers?: number | ((described) => number), mostWorkers?: number}} options  workers:
   *   how many may parse a load in parallel, or a function of the load's files (load-plan.js
   *   describeFiles); mostWorkers: the most that function gives (default: workers when a number)
   */
  constructor(spawn, { workers = 1, mostWorkers = typeof workers === 'number' ? workers : MAX_PARSE_WORKERS } = {}) {
    this.spawn = spawn;
    this.workers = workers;
    this.mostWorkers = mostWorkers;
    this.helpers = []; // EngineClients of a parallel load's helper workers, while it runs
    this.describing = false; // a load is describing its files (no request sent yet)
    this.cancelAsked = false; // cancel() came meanwhile: the load is cancelled as it starts
    this.stops = 0; // terminate() calls: one while a load describes its files aborts it
    this.worker = null;
    this.nextId = 1;
    this.pending = new Map(); // id → {resolve, reject, onProgress}
    this.generation = 0; // bumps whenever a worker is replaced (its data is gone)
    this.onCrash = null;
  }

  ensureWorker() {
    if (this.worker) return this.worker;
    const w = this.spawn();
    w.onmessage = (e) => this.receive(e.data);
    w.onerror = (e) => {
      e.preventDefault?.();
      this.fail(new EngineError({ name: 'EngineCrashed', message: `The analysis engine failed: ${e.message || 'worker error'}` }));
    };
    w.onmessageerror = () => this.fail(new EngineError({ name: 'EngineCrashed', message: 'a message from the engine could not be read' }));
    this.worker = w;
    return w;
  }

  receive(msg) {
    const { id, type, data } = msg ?? {};
    const p = this.pending.get(id);
    if (!p) return;
    if (type === 'progress') {
      p.onProgress?.(data);
      return;
    }
    this.pending.delete(id);
    if (type === 'result') {
      p.resolve(data);
      return;
    }
    const error = new EngineError(data);
    p.reject(error);
    // The wasm instance aborted (out of memory): it cannot be used again. Drop the worker so
    // the next request (a new load) gets a fresh one.
    if (error.name === 'EngineCrashed') this.fail(error);
  }

  /** Fails every pending request and drops the worker; the next request spawns a new one. */
  fail(error) {
    const pending = [...this.pending.values()];
    this.pending.clear();
    this.terminate();
    for (const p of pending) p.reject(error);
    this.onCrash?.(error);
  }

  /**
   * Sends one request. `transfer` lists buffers to move rather than copy.
   * @returns {Promise<any>} the worker's result
   */
  request(type, data = {}, { onProgress, transfer = [] } = {}) {
    const w = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      w.postMessage({ id, type, data }, transfer);
    });
  }

  /**
   * Starts the engine. merges tells the worker whether its loads can be parallel (more than one
   * parse worker: it then merges helpers' data sets), so that its warm-up runs the merge too.
   */
  init() { return this.request('init', { merges: this.mostWorkers > 1 }); }
  reset() { return this.request('reset'); }

  /** files: [{file, name}] — File objects are handles: posting them copies no bytes. */
  async load(files, { fields = '', append = false, onProgress } = {}) {
    // Every load is described (load-plan.js: gzip by its magic, what it gunzips to, where a
    // large file can be cut), in one worker too: the worker reads the next .gz file ahead and
    // makes room for what the files bring. Appending to loaded data stays in one worker: a
    // parallel load that has to start over (below) could not take back what it appended.
    this.describing = true;
    this.cancelAsked = false;
    const stops = this.stops;
    let described;
    try {
      described = await describeFiles(files);
    } finally {
      this.describing = false;
    }
    if (this.stops !== stops) throw new EngineError({ name: 'AbortError', message: 'the engine was stopped' });
    const cancelled = this.cancelAsked;
    this.cancelAsked = false;
    const workers = append ? 1 : typeof this.workers === 'function' ? this.workers(described) : this.workers;
    const shares = planLoad(described, workers);
    if (shares.length <= 1) {
      const loading = this.request('load', { jobs: shares[0] ?? [], fields, append }, { onProgress });
      if (cancelled) this.cancel().catch(() => {});
      return loading;
    }
    try {
      return await this.loadShares(files, shares, { fields, append, onProgress, cancelAsked: cancelled });
    } catch (err) {
      if (!(err instanceof EngineError) || err.name !== 'MergeError') throw err;
      // A file whose layout changes after its first line (concatenated logs with different
      // headers) cannot be read in parts: read everything again in one worker.
      return this.request('load', { files, fields, append }, { onProgress });
    }
  }

  async loadShares(files, shares, { fields, append, onProgress, cancelAsked = false }) {
    const started = now();
    const totalBytes = files.reduce((s, f) => s + f.file.size, 0);
    const latest = shares.map(() => null);
    const progressOf = (i) => (p) => {
      latest[i] = p;
      const bytesDone = latest.reduce((s, q) => s + (q?.bytesDone ?? 0), 0);
      const elapsed = (now() - started) / 1000;
      const rate = elapsed > 0.05 ? bytesDone / elapsed : 0;
      const lead = latest[0] ?? p;
      onProgress?.({
        ...lead,
        bytesDone,
        totalBytes,
        records: latest.reduce((s, q) => s + (q?.records ?? 0), 0),
        rate,
        secondsLeft: rate > 0 ? (totalBytes - bytesDone) / rate : null,
        fileCount: files.length,
        elapsed,
      });
    };
    this.ensureWorker(); // the engine first: it starts parsing while the helpers start up
    this.helpers = shares.slice(1).map(() => new EngineClient(this.spawn));
    const helperResults = this.helpers.map((h, i) =>
      h.request('load', { jobs: shares[i + 1], fields, exportData: true }, { onProgress: progressOf(i + 1) })
        .then((r) => { h.terminate(); return r; }, (failed) => { h.terminate(); return { failed }; }));
    let results;
    try {
      // The helpers' rows are imported into the engine's data set: it makes room for them too.
      const appendedLater = shares.slice(1).flat().reduce((s, job) => s + expectedBytes(job), 0);
      const loading = this.request('load', { jobs: shares[0], fields, append, appendedLater }, { onProgress: progressOf(0) });
      if (cancelAsked) this.cancel().catch(() => {}); // (asked while the files were described)
      results = [await loading];
    } catch (err) {
      for (const h of this.helpers) h.terminate(); // e.g. a bad field list: every share fails alike
      this.helpers = [];
      throw err;
    }
    results.push(...await Promise.all(helperResults));
    this.helpers = [];

    // Append the helpers' data sets in share order; a failed helper's share is read here.
    const timing = { shares: shares.length, feedMs: 0, waitMs: 0, exportMs: 0, importMs: 0 };
    let cancelled = results.some((r) => r.cancelled);
    let { loadedRecords } = results[0]; // the engine's count after its latest request
    let buffers = [];
    const flush = async () => {
      if (!buffers.length) return;
      const res = await this.request('import', { buffers }, { transfer: buffers });
      timing.importMs += res.importMs;
      loadedRecords = res.loadedRecords;
      buffers = [];
    };
    for (let i = 1; i < results.length; i += 1) {
      if (!results[i].failed) {
        buffers.push(results[i].data);
        delete results[i].data;
        continue;
      }
      await flush();
      if (cancelled) {
        results[i] = { files: shares[i].map(skippedJobReport) };
        continue;
      }
      results[i] = await this.request('load', { jobs: shares[i], fields, append: true }, { onProgress: progressOf(i) });
      loadedRecords = results[i].loadedRecords;
      cancelled ||= results[i].cancelled;
    }
    await flush();
    for (const r of results) {
      timing.feedMs += r.timing?.feedMs ?? 0;
      timing.waitMs += r.timing?.waitMs ?? 0;
      timing.exportMs += r.timing?.exportMs ?? 0;
    }
    return {
      files: mergePartReports(shares.flat(), results.flatMap((r) => r.files)),
      loadedRecords,
      cancelled,
      seconds: (now() - started) / 1000,
      timing,
    };
  }

  analyze(filter, options = {}) { return this.request('analyze', { filter, options }); }
  /** The top-list keys of the loaded data (those `analyze` computes when options.keys is ""). */
  topKeys() { return this.request('topKeys'); }
  /**
   * The dashboard's data for `filter` in one round trip (worker.js `view`): onPart(doc) with the
   * analysis but its reject report (unless the worker had it cached), then onAnalysis(analysis)
   * as soon as the whole analysis is made (the page draws each while the worker goes on), then
   * resolves to { analysis, page, timing }: `page` = records(filter, offset, limit).
   */
  async view(filter, options = {}, { offset = 0, limit = 50, onPart, onAnalysis } = {}) {
    let analysis = null;
    const res = await this.request('view', { filter, options, offset, limit }, {
      onProgress: (p) => {
        if (p?.part) onPart?.(p.part);
        if (!p?.analysis) return;
        analysis = p.analysis;
        onAnalysis?.(analysis);
      },
    });
    return { analysis, ...res };
  }
  /** The report data JSON text (docs/report.md) for `filter`: resolves to { json }. */
  report(filter, options = {}, mask = false, generatedAt = new Date().toISOString()) {
    return this.request('report', { filter, options, mask, generatedAt });
  }
  records(filter, offset, limit) { return this.request('records', { filter, offset, limit }); }
  exportCsv(filter, { total, pageSize, onProgress } = {}) {
    return this.request('exportCsv', { filter, total, pageSize }, { onProgress });
  }

  /** Asks the worker (and a parallel load's helpers) to stop the current load or export. */
  cancel() {
    if (this.describing) this.cancelAsked = true; // the load stops as soon as it starts (load)
    for (const h of this.helpers) h.cancel().catch(() => {});
    if (!this.worker) return Promise.resolve({ cancelled: this.cancelAsked });
    return this.request('cancel');
  }

  /** Kills the worker outright (data is lost); pending requests fail with AbortError. */
  terminate() {
    this.stops += 1;
    for (const h of this.helpers) h.terminate();
    this.helpers = [];
    if (this.worker) {
      this.worker.terminate();
      this.worker = null;
      this.generation += 1;
    }
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(new EngineError({ name: 'AbortError', message: 'the engine was stopped' }));
  }
}

const now = () => globalThis.performance?.now?.() ?? Date.now();
