// engine-client.js — the page's promise API over the engine worker.
//
// Messages are {id, type, data}; a map of pending requests resolves each answer by id, and
// errors come back as {name, message, position?} and become EngineError objects. Progress
// messages go to the request's onProgress. cancel() asks the worker to stop reading (what was
// loaded stays, the load resolves with cancelled: true). If the worker dies, every pending
// request fails and the next request starts a fresh worker (the loaded data is then gone).

export class EngineError extends Error {
  constructor({ name = 'EngineError', message = 'unknown error', position } = {}) {
    super(message);
    this.name = name;
    if (position !== undefined) this.position = position;
  }
}

export class EngineClient {
  /** @param {() => Worker} spawn  makes the worker (injected so tests can pass a fake) */
  constructor(spawn) {
    this.spawn = spawn;
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

  init() { return this.request('init'); }
  reset() { return this.request('reset'); }

  /** files: [{file, name}] — File objects are handles: posting them copies no bytes. */
  load(files, { fields = '', append = false, onProgress } = {}) {
    return this.request('load', { files, fields, append }, { onProgress });
  }

  analyze(filter, options = {}) { return this.request('analyze', { filter, options }); }
  analyzeMany(queries) { return this.request('analyzeMany', { queries }); }
  /**
   * The dashboard's data for `filter` in one round trip (worker.js `view`): onAnalysis(analysis)
   * as soon as the analysis is made (the page draws it while the worker goes on), then resolves
   * to { analysis, page, extra, timing }: `page` = records(filter, offset, limit), `extra` = the
   * follow-up queries [{name, filter, options, when}] by name (skipped when totals[when] is 0).
   */
  async view(filter, options = {}, { queries = [], offset = 0, limit = 50, onAnalysis } = {}) {
    let analysis = null;
    const res = await this.request('view', { filter, options, queries, offset, limit }, {
      onProgress: (p) => {
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

  /** Asks the worker to stop the current load or export; answered at once. */
  cancel() {
    if (!this.worker) return Promise.resolve({ cancelled: false });
    return this.request('cancel');
  }

  /** Kills the worker outright (data is lost); pending requests fail with AbortError. */
  terminate() {
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
