// worker.js — the engine's thread: loads the wasm core, streams files into it, runs queries.
//
// Protocol (engine-client.js is the other side): the page posts {id, type, data}; the worker
// answers {id, type: 'result', data}, {id, type: 'error', data: {name, message, …}} or, while
// loading or exporting, {id, type: 'progress', data}. Requests run one at a time in arrival
// order, except 'cancel', which is handled at once: a file's bytes arrive as messages from the
// reader thread (reader-thread.js), so a cancel arrives between two chunks and the load stops
// there, keeping what it read.
/* global importScripts, createFlowLensCore */

import { readJob, yieldToMessages } from './worker-reader.js';
import { startReaderThread } from './reader-thread.js';
import { jobBytes, expectedBytes, skippedJobReport } from './load-plan.js';

const CORE_SCRIPT = 'flowlens-core.js';
const READER_SCRIPT = 'reader-worker.js';
// Files are read on the reader thread into READ_CHUNK buffers (a stream's own small chunks,
// where a Blob has no byte stream, are gathered into chunks of that size): big chunks, few
// messages and awaits per file. Each chunk is copied into one reused heap buffer and fed
// FEED_BUFFER bytes at a time: a piece that small is parsed while its copy is still in the
// core's cache, where a whole 4 MiB chunk was not (the wasm load of 5 M records in Node,
// reloads: 1,120 -> 963 ms, medians of ten alternating).
const READ_CHUNK = 4 << 20;
// The files read ahead while the current one is parsed (load; readsAhead says which): the next
// file up to PREFETCH_AHEAD chunks (128 MiB; a gzipped file's bytes are far fewer, so it is
// usually read whole); after it, small files (a folder from S3) up to PREFETCH_FILES files and
// PREFETCH_BYTES of what they should bring into the store (gunzipped), PREFETCH_LATER chunks
// each, so that the parse does not wait at every file's start.
const PREFETCH_AHEAD = 32;
const PREFETCH_LATER = 4;
const PREFETCH_FILES = 8;
const PREFETCH_BYTES = 64 << 20;
const FEED_BUFFER = 256 << 10;
// Progress reports at 4 a second: each costs the page's main thread a style and layout pass.
const PROGRESS_MS = 250;
const TRANSFER = Symbol('transfer');

// Plain files are read ahead only up to this size: each file's start costs a few ms (the
// reader's round trip), which adds up over a folder of small files (64 files: 0.74-0.84 ->
// 0.49-0.51 s), while reading a large one ahead only competes with the parse (four 141 MB
// files: 1.21-1.26 -> 1.23-1.46 s; bench/README.md, "Gzip: the next file gunzipped ahead").
// A gzipped file is read ahead whatever its size: its bytes are few for the work they bring.
const SMALL_FILE = 16 << 20;

// Whether a job is worth reading ahead: a gzipped file, or a small plain one (not a part of a
// file: a part's read ends when the core says its last line is in).
function readsAhead(job) {
  return job !== undefined && !job.part && (job.gzip || job.size <= SMALL_FILE);
}

let core = null; // the module instance (one data set)
let corePromise = null;
let feedPtr = 0;
let dead = null; // set when the instance aborted (out of memory): it must not be used again
let cancelRequested = false;
let queue = Promise.resolve();

class EngineError extends Error {
  constructor(name, message, extra = {}) {
    super(message);
    this.name = name;
    Object.assign(this, extra);
  }
}

// The file reader threads (reader-thread.js), each started once and kept; null when one cannot
// start. Thread 0 starts with the core; thread 1 at the first load with two files in a row worth
// reading ahead (load, readsAhead). The single-file build hands over a blob: URL for them
// (worker-prelude.js).
const readerPromises = [];
function readerThread(k = 0) {
  readerPromises[k] ??= startReaderThread(self.flowlensReaderUrl ?? new URL(READER_SCRIPT, self.location.href).href);
  return readerPromises[k];
}

function loadCore() {
  if (!corePromise) {
    corePromise = (async () => {
      // The single-file build (web/single-file/) runs the glue before this script and hands
      // the wasm over as bytes (a file:// page can fetch nothing); the site loads both itself.
      const embeddedWasm = self.flowlensEmbeddedWasm;
      if (!embeddedWasm) importScripts(CORE_SCRIPT);
      const mod = await createFlowLensCore({
        ...(embeddedWasm
          ? { wasmBinary: await embeddedWasm() }
          // The .wasm sits beside the glue script, on this origin.
          : { locateFile: (path) => new URL(path, self.location.href).href }),
        print: () => {},
        printErr: (text) => console.warn('[flowlens-core]', text),
        onAbort: (what) => { dead = String(what ?? 'aborted'); },
      });
      core = mod;
      feedPtr = core._malloc(FEED_BUFFER) >>> 0; // signed past 2 GiB (wasm/API.md)
      if (!feedPtr) throw new EngineError('EngineError', 'could not allocate the read buffer');
      return core;
    })();
  }
  return corePromise;
}

async function engine() {
  if (dead) {
    throw new EngineError('EngineCrashed', `The analysis engine stopped (${dead}), most likely out of memory. Reload the page and load fewer files.`);
  }
  return loadCore();
}

// A RuntimeError from the instance (abort, out of memory) leaves it unusable.
function checkCrash(err) {
  if (err instanceof WebAssembly.RuntimeError || dead) {
    dead = dead ?? err.message;
    return new EngineError('EngineCrashed', `The analysis engine stopped (${dead}), most likely out of memory. Reload the page and load fewer files.`);
  }
  return err;
}

function parseJson(text) {
  const doc = JSON.parse(text);
  if (doc && doc.error && typeof doc.error === 'object') {
    const { message, position } = doc.error;
    if (position !== undefined && position !== null) {
      throw new EngineError('FilterError', message, { position });
    }
    throw new EngineError('EngineError', message);
  }
  return doc;
}

// The last analyses by filter and options: going back to an earlier filter (clearing it, above
// all) costs a look-up instead of a pass over every row. Emptied whenever the data change
// (load, import, reset); a filter error is not kept. The documents are only ever posted
// (cloned), never changed here, so handing out the same object again is safe.
const ANALYSIS_CACHE_SIZE = 8;
const analysisCache = new Map(); // JSON [filter, options] → document, oldest first

// onPart(doc), when given, gets the document without its reject report first, if it is made
// now (not cached): wasm/API.md analyzeInParts.
function analyzeCached(m, filter, options, onPart = null) {
  const o = analyzeOptions(options);
  const key = JSON.stringify([filter, o]);
  let doc = analysisCache.get(key);
  if (doc) {
    analysisCache.delete(key); // most recently used goes last
  } else {
    doc = parseJson(onPart ? m.analyzeInParts(filter, o, (text) => onPart(parseJson(text))) : m.analyze(filter, o));
    if (analysisCache.size >= ANALYSIS_CACHE_SIZE) analysisCache.delete(analysisCache.keys().next().value);
  }
  analysisCache.set(key, doc);
  return doc;
}

// Embind's value_object wants every field present.
function analyzeOptions(o = {}) {
  return {
    top: o.top ?? 10,
    metric: o.metric ?? 'bytes',
    bucket: o.bucket ?? 0,
    keys: o.keys ?? '',
    scanPorts: o.scanPorts ?? 20,
    scanHosts: o.scanHosts ?? 20,
    sections: o.sections ?? '',
  };
}

const WARM_UP_RECORDS = 5000;
// The idle warm-ups, run once the worker has been idle a while, a request cancelling the timer
// and the next idle moment arming it again. Not at once: the optimising compiles they set off
// would compete with a load given right after the page opens (drop → drawn 1.335 → 1.370 s with
// the analysis rounds at once, five alternations).
// - More rounds of warmUp's analyses (wasm/API.md, warmUpAnalyses), one task each, after
//   ANALYSIS_WARM_UP_IDLE_MS: a request waits for one round (about 8 ms) at most. Left out once
//   a request has come: the page's own analyses then warm the code up.
// - Then the filter evaluator's (warmUpFilters), after FILTER_WARM_UP_IDLE_MS, or as soon as a
//   load has ended (warmUpFiltersNow), whichever comes first.
const ANALYSIS_WARM_UP_IDLE_MS = 500;
const ANALYSIS_WARM_UP_ROUNDS = 7;
const FILTER_WARM_UP_IDLE_MS = 1500;
const FILTER_WARM_UP_TIMES = 10;
let warmedUp = false; // warmUp ran: warmUpAnalyses and warmUpFilters have its data set
let analysisRoundsLeft = ANALYSIS_WARM_UP_ROUNDS;
let filtersWarmed = false;
let idleWarmUpTimer = 0;
let busy = 0; // requests received and not answered yet

function armIdleWarmUp() {
  clearTimeout(idleWarmUpTimer);
  if (!warmedUp || busy) return;
  if (analysisRoundsLeft > 0) {
    const first = analysisRoundsLeft === ANALYSIS_WARM_UP_ROUNDS;
    idleWarmUpTimer = setTimeout(async () => {
      analysisRoundsLeft -= 1;
      try {
        (await engine()).warmUpAnalyses(1);
      } catch (err) {
        analysisRoundsLeft = 0;
        console.warn('[flowlens] analysis warm-up failed (only a speed-up):', err);
      }
      armIdleWarmUp();
    }, first ? ANALYSIS_WARM_UP_IDLE_MS : 0);
    return;
  }
  if (filtersWarmed) return;
  idleWarmUpTimer = setTimeout(async () => warmUpFiltersNow(await engine()), FILTER_WARM_UP_IDLE_MS);
}

// The filter evaluator's warm-up, once (about 1 ms). Also called as a load ends, before its
// answer: filters come next, and V8 compiles the evaluator (about 45 ms of a compiler thread)
// only once the warm-up has run, so it then compiles during the dashboard's first analysis,
// when the reading is over and a core is free, instead of at the first filter, where it
// competed with that filter's analysis and drawing (a filter typed at once came after the
// load's end and before the idle warm-up).
function warmUpFiltersNow(m) {
  if (!warmedUp || filtersWarmed) return;
  filtersWarmed = true;
  try {
    m.warmUpFilters(FILTER_WARM_UP_TIMES);
  } catch (err) {
    console.warn('[flowlens] filter warm-up failed (only a speed-up):', err);
  }
}

const handlers = {
  // data: { merges } (engine-client.js init) → { version }
  async init(data) {
    readerThread();
    const m = await engine();
    // Once the answer is out, while the page waits for files: V8 optimises wasm code only after
    // it has run a while and never mid-call, so the first analysis of a big load would run in
    // baseline code (wasm/API.md, warmUp). 5,000 rows take ~50 ms and are enough.
    setTimeout(() => {
      try {
        m.warmUp(WARM_UP_RECORDS, data?.merges ?? true);
        warmedUp = true;
        armIdleWarmUp();
      } catch (err) {
        console.warn('[flowlens] warm-up failed (only a speed-up):', err);
      }
    }, 0);
    return { version: m.version() };
  },

  async reset() {
    const m = await engine();
    analysisCache.clear();
    m.reset();
    return { loadedRecords: 0 };
  },

  // data: { files: [{file: File|Blob, name}] | jobs: [load-plan.js job], fields: "",
  //         append: false, exportData: false, appendedLater: 0 }
  // Jobs are whole files or parts of one (byte ranges, beginFilePart). With exportData (a
  // helper worker of a parallel load) the result carries the loaded data set as an
  // ArrayBuffer (transferred, not copied) for the engine worker's `import`. appendedLater: the
  // bytes of the helpers' shares that will be imported after this load (the engine's share of a
  // parallel load), so that the store makes room for their rows as well (expectBytes).
  async load(data, progress) {
    const m = await engine();
    cancelRequested = false;
    analysisCache.clear();
    if (!data.append) m.reset();
    const fields = (data.fields ?? '').trim();
    // (Files not described by load-plan.js are taken for gzip by name: only a hint, see below.)
    const jobs = data.jobs ?? (data.files ?? []).map((f, index) => ({ ...f, index, size: f.file.size, gzip: /\.gz$/i.test(f.name ?? ''), part: null }));
    const totalBytes = jobs.reduce((s, job) => s + jobBytes(job), 0);
    const started = performance.now();
    const state = { bytesDone: 0, file: '', fileIndex: 0 };
    let lastReport = 0;
    const report = (force = false) => {
      const now = performance.now();
      if (!force && now - lastReport < PROGRESS_MS) return;
      lastReport = now;
      const seconds = (now - started) / 1000;
      const rate = seconds > 0.05 ? state.bytesDone / seconds : 0;
      progress({
        bytesDone: state.bytesDone,
        totalBytes,
        records: m.loadedRecords(),
        rate,
        secondsLeft: rate > 0 ? (totalBytes - state.bytesDone) / rate : null,
        file: state.file,
        fileIndex: state.fileIndex,
        fileCount: jobs.length,
        elapsed: seconds,
      });
    };

    const reports = [];
    // Where a load's time goes (the bench prints it): feeding the core, and waiting for bytes
    // between two chunks of a file.
    const timing = { feedMs: 0, waitMs: 0, chunks: 0 };
    const reader = await readerThread();
    // While a file is parsed, the next ones, when gzipped or small (readsAhead), are already
    // being read, job k on reader thread k mod 2, so that no file's start waits for its bytes.
    const readers = [reader];
    if (reader?.usable && jobs.some((job, i) => readsAhead(job) && readsAhead(jobs[i + 1]))) readers.push(await readerThread(1));
    const prefetching = readers.length === 2 && readers.every((r) => r?.usable);
    // The reads started early, {index, reader, read}, for the jobs right after the current one
    // and in order: a reader thread takes its reads in the order they were started.
    const ahead = [];
    const readAhead = (i) => {
      let held = ahead.reduce((sum, a) => sum + expectedBytes(jobs[a.index]), 0);
      for (let k = (ahead.at(-1)?.index ?? i) + 1; ahead.length < PREFETCH_FILES && readsAhead(jobs[k]); k += 1) {
        const bytes = expectedBytes(jobs[k]);
        if (ahead.length > 0 && held + bytes > PREFETCH_BYTES) break;
        const r = readers[k % 2];
        if (!r?.usable) break;
        const credits = ahead.length === 0 ? PREFETCH_AHEAD : PREFETCH_LATER;
        ahead.push({ index: k, reader: r, read: r.start(jobs[k], { chunkSize: READ_CHUNK, ahead: credits }) });
        held += bytes;
      }
    };
    const stopReadsAhead = () => {
      for (const a of ahead.splice(0)) a.read.stop();
    };
    let cancelled = false;
    // Bytes still to come into this data set, for expectBytes (wasm/API.md). A gzipped file
    // counts what it gunzips to when load-plan.js could tell (expectedBytes), else its
    // compressed bytes: too low a figure, which only leaves the growth as it was.
    let toCome = jobs.reduce((s, job) => s + expectedBytes(job), 0) + (data.appendedLater ?? 0);
    try {
      for (let i = 0; i < jobs.length; i += 1) {
        const job = jobs[i];
        const { file, name, part } = job;
        const size = jobBytes(job);
        state.file = name;
        state.fileIndex = job.index;
        if (cancelled) {
          reports.push(skippedJobReport(job));
          continue;
        }
        m.expectBytes(toCome);
        toCome -= expectedBytes(job);
        const begin = part
          ? m.beginFilePart(name, fields, part.firstLine, part.offset, part.end)
          : m.beginFile(name, fields);
        if (begin) throw new EngineError('FieldListError', begin);
        const base = state.bytesDone;
        let fedAt = 0;
        const read = {
          feed: (bytes) => {
            const t0 = performance.now();
            if (fedAt) timing.waitMs += t0 - fedAt;
            feedBytes(m, bytes);
            fedAt = performance.now();
            timing.feedMs += fedAt - t0;
            timing.chunks += 1;
          },
          done: () => m.partDone(),
          onBytes: (n) => { state.bytesDone = base + Math.min(n, size); report(); },
          shouldStop: () => cancelRequested,
          chunkSize: READ_CHUNK,
        };
        const early = ahead[0]?.index === i ? ahead.shift() : null;
        // (Not read early: nothing after it was either, so its reader has no read queued.)
        const readerNow = early?.reader ?? (prefetching ? readers[i % 2] : readers[0]);
        let outcome;
        try {
          // Without a reader thread (it could not start, or it died), this thread reads.
          // The next reads start before an early read's held chunks are fed (that takes a while,
          // and their threads would wait), but after a read started now, which its thread must
          // take before them.
          let reading;
          if (early) {
            if (prefetching) readAhead(i);
            reading = early.read.consume(read);
          } else {
            if (readerNow?.usable) reading = readerNow.read(job, read);
            else reading = readJob(job, { ...read, pause: yieldToMessages });
            if (prefetching) readAhead(i);
          }
          outcome = await reading;
        } catch (err) {
          const crash = checkCrash(err);
          if (crash !== err) throw crash;
          outcome = { error: `reading stopped: ${err?.message ?? err}`, stopped: false };
        }
        if (outcome.stopped) {
          cancelled = true;
          stopReadsAhead();
        }
        state.bytesDone = base + size;
        let error = outcome.error ?? '';
        if (outcome.stopped) error = `loading was cancelled after ${formatMB(outcome.bytesRead)} of ${formatMB(size)}: only the records read so far are included`;
        // A part's byte count is the core's (its range); a whole file's is its size as read.
        // (gzip false: the core tells a gzipped file by its magic bytes and says so itself.)
        const fileReport = JSON.parse(m.endFileWith(false, part ? 0 : file.size, error));
        if (outcome.stopped) fileReport.partial = true;
        reports.push(fileReport);
        report(true);
      }
    } finally {
      stopReadsAhead(); // (a throw: a read started early must not hold its reader thread)
    }
    report(true);
    if (!data.exportData) warmUpFiltersNow(m); // (a helper's data set is never filtered)
    const result = {
      files: reports,
      loadedRecords: m.loadedRecords(),
      cancelled,
      seconds: (performance.now() - started) / 1000,
      timing,
    };
    if (data.exportData) {
      const t0 = performance.now();
      // The view is into the heap and dies with the next call: copy it out, then free the
      // data set here (this worker's work is done; the engine keeps the data).
      const buffer = m.exportData().slice().buffer;
      m.reset();
      timing.exportMs = performance.now() - t0;
      result.data = buffer;
      result[TRANSFER] = [buffer];
    }
    return result;
  },

  // Appends data sets exported by helper workers (load with exportData), in the order given.
  // data: { buffers: [ArrayBuffer] } → { loadedRecords, importMs }
  async import(data) {
    const m = await engine();
    analysisCache.clear();
    const t0 = performance.now();
    const buffers = data.buffers ?? [];
    for (let i = 0; i < buffers.length; i += 1) {
      const bytes = new Uint8Array(buffers[i]);
      buffers[i] = null; // the heap copy is all that is needed: let the collector have this one
      const ptr = m._malloc(Math.max(1, bytes.length)) >>> 0;
      if (!ptr) throw new EngineError('EngineCrashed', 'out of memory while merging the parsed files');
      m.HEAPU8.set(bytes, ptr);
      // importData takes the heap buffer and frees it once decoded (wasm/API.md).
      const err = m.importData(ptr, bytes.length);
      if (err) throw new EngineError('MergeError', `merging the parsed files failed: ${err}`);
    }
    return { loadedRecords: m.loadedRecords(), importMs: performance.now() - t0 };
  },

  // The top-list keys the loaded data have (wasm/API.md topKeys): the page's key menu.
  async topKeys() {
    const m = await engine();
    return parseJson(m.topKeys());
  },

  async analyze(data) {
    const m = await engine();
    return analyzeCached(m, data.filter ?? '', data.options);
  },

  // Everything the dashboard shows for one filter, in one round trip: the analysis, then the
  // first records page (right after it, so the core reuses the row set it cached for this
  // filter). The analysis goes out in progress messages as it is made, so the page draws it
  // while the worker goes on: first everything but the reject report ({ part }, when the
  // analysis is not cached), then the whole analysis ({ analysis }).
  // data: { filter, options, offset, limit } → progress { part }, progress { analysis }, then
  // { page, timing }
  async view(data, progress) {
    const m = await engine();
    const filter = data.filter ?? '';
    const t0 = performance.now();
    let partMs = null;
    const analysis = analyzeCached(m, filter, data.options, (part) => {
      progress({ part });
      partMs = performance.now() - t0;
    });
    progress({ analysis });
    const t1 = performance.now();
    const page = parseJson(m.records(filter, data.offset ?? 0, data.limit ?? 50));
    const t2 = performance.now();
    // The page has the analysis already (progress): not cloned a second time.
    return { page, timing: { partMs, analyzeMs: t1 - t0, recordsMs: t2 - t1 } };
  },

  // The shareable report's data (docs/report.md): the core's JSON text as it is, so the page
  // embeds exactly what the core wrote (its writer escapes < > & for the HTML).
  // data: { filter, options, mask, generatedAt } → { json }
  async report(data) {
    const m = await engine();
    if (typeof m.reportData !== 'function') {
      throw new EngineError('EngineError', 'this build of the engine cannot make reports (reportData is missing): rebuild the wasm module');
    }
    const json = m.reportData(data.filter ?? '', analyzeOptions(data.options), Boolean(data.mask),
      data.generatedAt ?? new Date().toISOString());
    if (json.startsWith('{"error"')) parseJson(json); // throws the filter or option error
    return { json };
  },

  async records(data) {
    const m = await engine();
    return parseJson(m.records(data.filter ?? '', data.offset ?? 0, data.limit ?? 50));
  },

  // The filtered records as one CSV Blob, built from pages so no single string gets huge.
  async exportCsv(data, progress) {
    const m = await engine();
    cancelRequested = false;
    const filter = data.filter ?? '';
    const page = data.pageSize ?? 20000;
    const total = data.total ?? null;
    const parts = [];
    let offset = 0;
    let last = 0;
    for (;;) {
      const text = m.recordsCsv(filter, offset, page);
      if (text.startsWith('{"error"')) parseJson(text);
      const lines = countLines(text) - (offset === 0 ? 1 : 0);
      parts.push(text);
      offset += lines;
      if (lines < page) break;
      const now = performance.now();
      if (now - last > PROGRESS_MS) {
        last = now;
        progress({ records: offset, total });
        await yieldToMessages(); // let a cancel in between pages
      }
      if (cancelRequested) throw new EngineError('AbortError', 'export cancelled');
    }
    const blob = new Blob(parts, { type: 'text/csv' });
    return { blob, records: offset };
  },
};

function countLines(text) {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n += 1;
  return n;
}

// Copies `bytes` (a Uint8Array) into the reused heap buffer and feeds it, a buffer at a time.
// HEAPU8 is read again each time: feed() can grow memory, which replaces the view.
function feedBytes(m, bytes) {
  for (let off = 0; off < bytes.length; off += FEED_BUFFER) {
    const piece = bytes.subarray(off, Math.min(bytes.length, off + FEED_BUFFER));
    m.HEAPU8.set(piece, feedPtr);
    m.feed(feedPtr, piece.length);
  }
}

function formatMB(n) {
  return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;
}

function serialiseError(err) {
  const out = { name: err?.name ?? 'Error', message: String(err?.message ?? err) };
  if (err && err.position !== undefined) out.position = err.position;
  return out;
}

self.onmessage = (event) => {
  const { id, type, data } = event.data ?? {};
  if (type === 'cancel') {
    cancelRequested = true;
    self.postMessage({ id, type: 'result', data: { cancelled: true } });
    return;
  }
  busy += 1;
  clearTimeout(idleWarmUpTimer);
  if (type !== 'init') analysisRoundsLeft = 0;
  queue = queue.then(async () => {
    const handler = handlers[type];
    try {
      if (!handler) throw new EngineError('EngineError', `unknown request ${type}`);
      const result = await handler(data ?? {}, (p) => self.postMessage({ id, type: 'progress', data: p }));
      // Transfer, don't clone: a Blob is a handle; buffers a handler lists under TRANSFER move.
      const transfer = result?.[TRANSFER] ?? [];
      if (result) delete result[TRANSFER];
      self.postMessage({ id, type: 'result', data: result }, transfer);
    } catch (err) {
      self.postMessage({ id, type: 'error', data: serialiseError(checkCrash(err)) });
    }
    busy -= 1;
    armIdleWarmUp();
  });
};
