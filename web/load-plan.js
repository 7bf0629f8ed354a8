// load-plan.js — shares one load out among several parse workers.
//
// Contract: planLoad(files, workers) returns `workers` or fewer shares (arrays of jobs); share 0
// goes to the engine worker, the others to helper workers whose data sets the engine then
// appends in share order. Jobs keep the files' order across shares, so appending the shares in
// order gives exactly the data set one worker would have built. A job is a whole file, or a
// byte range of a large plain-text file (a "part": the lines that start in [offset, end), see
// wasm/API.md beginFilePart), cut where the running byte count crosses a share boundary.
// Gzipped and JSON files are never cut (a gzip stream cannot be entered in the middle, a JSON
// document not at a line); they go whole to the share their middle falls in, weighted by
// GZIP_WEIGHT since a compressed byte costs several plain bytes to decompress and parse.
// describeFiles() reads the first bytes of each file that could be cut (to tell plain text from
// gzip/JSON and to give parts the file's first line): O(files that are large enough), small reads.

// Below this much work (plain bytes, a gzipped byte counting GZIP_WEIGHT), helpers cost more
// than they save.
export const MIN_PARALLEL_BYTES = 24 << 20;
export const MIN_PART_BYTES = 8 << 20; // no part smaller than this (the cut moves or goes)
// Work of a gzipped byte relative to a plain one: it inflates to ~8 bytes of text (generated
// logs; AWS's compress ~8-15x), each inflated and then parsed, at about the same speed. Measured
// in the wasm core (Node): one 17.9 MB .gz file loaded in 414-500 ms, its 141 MB of text in 211.
export const GZIP_WEIGHT = 16;
const HEAD_BYTES = 64 << 10; // the first line of a flow log file (a header) is far shorter

// At most this many parse workers: each holds its share's data until the engine has merged it.
export const MAX_PARSE_WORKERS = 4;

/**
 * How many workers parse a load on a machine with `cores` logical cores
 * (navigator.hardwareConcurrency), 1 to MAX_PARSE_WORKERS; `described` is the load
 * (describeFiles' list).
 * - Plain text: one per two cores. Each parse worker has a reader thread (reader-worker.js) that
 *   is busy about half as long as the parse (reading a File runs at ~750 MB/s of a core, the
 *   parse at ~450), and the browser reads the file on threads of its own: a parse worker per core
 *   would leave those no core to run on (bench/README.md, "Parse workers per core").
 * - Mostly gzipped (more than half the work in gzipped files): one per core. The core gunzips in
 *   its worker, which then inflates and parses (about equal work), while a gzipped file's few
 *   bytes keep its reader thread nearly idle.
 */
export function parseWorkers(cores, described = []) {
  const n = Number(cores) || 1;
  const work = described.reduce((s, f) => s + f.weight, 0);
  const gzipped = described.reduce((s, f) => s + (f.gzip ? f.weight : 0), 0);
  const coresPerWorker = work > 0 && 2 * gzipped > work ? 1 : 2;
  return Math.max(1, Math.min(MAX_PARSE_WORKERS, Math.floor(n / coresPerWorker)));
}

/** The most parse workers any load gets on `cores` cores: a gzipped one's (parseWorkers). */
export function mostParseWorkers(cores) {
  return parseWorkers(cores, [{ weight: 1, gzip: true }]);
}

/**
 * files: [{file, name}] → [{file, name, index, size, weight, gzip, splittable, firstLine,
 * plainSize?}]. A file can be cut when it is large enough, does not start with the gzip magic
 * or a JSON '{' / '[', and its first line ends within the first HEAD_BYTES. `gzip` (which weighs the file
 * GZIP_WEIGHT times its size) comes from the magic for the files that are read, and from a
 * ".gz" name for the small ones, which are not (for planning only: the core tells gzip by its
 * magic whatever the name says).
 */
export async function describeFiles(files) {
  return Promise.all(files.map(async ({ file, name }, index) => {
    const size = file.size;
    const base = { file, name, index, size, weight: size, gzip: false, splittable: false, firstLine: '' };
    const gzip = { ...base, weight: size * GZIP_WEIGHT, gzip: true };
    if (size < 2 * MIN_PART_BYTES) return /\.gz$/i.test(name ?? '') ? gzip : base;
    const head = new Uint8Array(await file.slice(0, Math.min(size, HEAD_BYTES)).arrayBuffer());
    if (head[0] === 0x1f && head[1] === 0x8b) return { ...gzip, plainSize: await gzipPlainSize(file) };
    const first = firstNonBlank(head);
    const newline = head.indexOf(0x0a);
    if (first === 0x7b || first === 0x5b || newline < 0) return base;
    // ignoreBOM: the core sees the line as the first part's decoder does (it drops the BOM).
    const firstLine = new TextDecoder('utf-8', { ignoreBOM: true }).decode(head.subarray(0, newline));
    return { ...base, splittable: true, firstLine };
  }));
}

// What a gzip file gunzips to, from its last member's trailer (ISIZE: the size modulo 2^32),
// when that is plausible (at least the file's size, at most deflate's largest ratio); else the
// file's size. Only an estimate for the store's room (expectedBytes): too low (several members,
// 4 GiB or more) only leaves the store growing by doubling, as it would without it.
async function gzipPlainSize(file) {
  const size = file.size;
  const tail = new DataView(await file.slice(size - 4, size).arrayBuffer());
  const isize = tail.byteLength === 4 ? tail.getUint32(0, true) : 0;
  return isize >= size && isize <= size * 1032 ? isize : size;
}

function firstNonBlank(bytes) {
  // Skips a UTF-8 BOM and white space, as the core's content detection does.
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i += 1;
  return bytes[i];
}

/**
 * described: describeFiles()'s list; workers: how many parse workers there may be.
 * Returns shares: [[{index, file, name, size, gzip, part: null | {offset, end, firstLine}}]], none
 * empty, at most `workers`. One share when the load is small or workers <= 1.
 */
export function planLoad(described, workers, { minParallelBytes = MIN_PARALLEL_BYTES, minPartBytes = MIN_PART_BYTES } = {}) {
  const whole = (f) => ({ index: f.index, file: f.file, name: f.name, size: f.size, gzip: f.gzip, plainSize: f.plainSize, part: null });
  const totalWeight = described.reduce((s, f) => s + f.weight, 0);
  if (workers <= 1 || totalWeight < minParallelBytes || described.length === 0) {
    return described.length ? [described.map(whole)] : [];
  }
  const target = totalWeight / workers;
  const shareAt = (position) => Math.min(workers - 1, Math.floor(position / target));
  const shares = Array.from({ length: workers }, () => []);
  let before = 0; // weight of the files before this one
  for (const f of described) {
    if (!f.splittable) {
      shares[shareAt(before + f.weight / 2)].push(whole(f));
      before += f.weight;
      continue;
    }
    // Cut at every share boundary inside the file that leaves both sides minPartBytes or more.
    const cuts = [0];
    for (let k = Math.floor(before / target) + 1; k < workers; k += 1) {
      const at = Math.round(k * target - before);
      if (at >= f.size) break;
      if (at - cuts[cuts.length - 1] >= minPartBytes && f.size - at >= minPartBytes) cuts.push(at);
    }
    cuts.push(f.size);
    for (let j = 0; j + 1 < cuts.length; j += 1) {
      const job = whole(f);
      if (cuts.length > 2) job.part = { offset: cuts[j], end: cuts[j + 1], firstLine: f.firstLine };
      shares[shareAt(before + (cuts[j] + cuts[j + 1]) / 2)].push(job);
    }
    before += f.weight;
  }
  return shares.filter((s) => s.length > 0);
}

/**
 * The bytes a job should bring into the store (the core's expectBytes): what a gzipped file
 * gunzips to when describeFiles could tell, else its bytes (jobBytes).
 */
export function expectedBytes(job) {
  return job.part ? jobBytes(job) : (job.plainSize ?? job.size);
}

/** The bytes a job covers: its part's range, or the whole file. */
export function jobBytes(job) {
  return job.part ? job.part.end - job.part.offset : job.size;
}

/** The file report of a job that was not read (a cancelled load), shaped as the core's. */
export function skippedJobReport(job) {
  return {
    name: job.name, bytes: jobBytes(job), records: 0, bad_lines: 0, headers: 0, gzip: false,
    input_format: null, format: null, error: 'not read: loading was cancelled', skipped: true,
  };
}

/**
 * The per-file reports of a parallel load, in file order: the reports of a file's parts (in
 * part order) folded into one, as the core folds the parts' data. reports[i] belongs to
 * jobs[i] (both flattened over the shares).
 */
export function mergePartReports(jobs, reports) {
  const out = [];
  let last = null;
  jobs.forEach((job, i) => {
    const r = reports[i];
    if (last && job.part && job.part.offset > 0 && last.index === job.index) {
      const m = last.report;
      m.records += r.records ?? 0;
      m.bad_lines += r.bad_lines ?? 0;
      m.headers += r.headers ?? 0;
      m.bytes += r.bytes ?? 0;
      if (!m.error && r.error) m.error = r.error;
      if (r.partial) m.partial = true;
      if (r.skipped && !m.skipped) m.partial = true;
      return;
    }
    last = { index: job.index, report: { ...r } };
    out.push(last.report);
  });
  return out;
}
