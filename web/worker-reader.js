// worker-reader.js — streams one File into the core: gzip detected by its magic bytes
// (1f 8b), not by the name, and gunzipped by the platform's DecompressionStream.
//
// Concatenated gzip members (`cat a.gz b.gz > c.gz`, which gzip and zlib read as one stream):
// Chromium's DecompressionStream decodes one member and then errors with "Junk found after end
// of compressed data", and the error discards output still queued, so the end of the first
// member is lost too. The reader then looks for the next member's header (1f 8b 08, reserved
// flag bits clear, XFL 0/2/4, a known OS byte) and re-reads the member from its start up to
// that candidate only (file.slice): a member that decodes cleanly to exactly there ends there
// (DecompressionStream checks its CRC and length). Output the core already has is skipped, so
// the core sees every byte once. A candidate that is not a boundary fails to decode cleanly and
// the next one is tried; none at all means the data really is damaged, and what was read stays.
// Multi-member files are thus decompressed about twice; single-member files (AWS's own) once.

const GZIP_MAGIC = [0x1f, 0x8b];
const SCAN_WINDOW = 1 << 20;
// pipeThrough reads ahead of the decompressor; the boundary is at most this far behind the
// bytes counted, and at most this far beyond (a safety margin, not a correctness bound).
const SCAN_SLACK = 8 << 20;

export function isGzip(head) {
  return head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

const gunzip = () => new DecompressionStream('gzip');

/**
 * Reads `file` to the end (or until shouldStop() says so) and hands every decoded chunk to
 * feed(Uint8Array). onBytes(n) reports the bytes of the file read so far (compressed bytes for
 * gzip, so the progress matches the file's size). Never throws for bad data: returns
 * { gzip, members, bytesRead, stopped, error } where error is a message or null.
 * `decompressor` makes the gunzip TransformStream (injected by tests). `pause()` is awaited
 * before each chunk: the worker uses it to let messages (a cancel) in, since stream reads can
 * resolve as microtasks and never yield to the event loop on their own. `chunkSize` > 0 reads a
 * plain file into buffers of that size (readIntoBuffers, with takeBuffer; the page's path); 0
 * keeps the stream's own chunks for plain files too. Gzipped files always stream through the
 * decompressor.
 */
export async function readFileInto(file, { feed, onBytes = () => {}, shouldStop = () => false, decompressor = gunzip, pause = async () => {}, chunkSize = 0, takeBuffer }) {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  const gzip = isGzip(head);
  if (!gzip && chunkSize > 0) {
    const res = await readIntoBuffers(file, { chunkSize, feed, onBytes, shouldStop, pause, takeBuffer });
    if (res.stopped) return { gzip, members: 1, bytesRead: res.bytesRead, stopped: true, error: null };
    if (res.error) return { gzip, members: 1, bytesRead: res.bytesRead, stopped: false, error: describeReadError(res.error, false) };
    return { gzip, members: 1, bytesRead: file.size, stopped: false, error: null };
  }
  let start = 0;
  let members = 0;
  for (;;) {
    let produced = 0; // bytes of this member handed to feed()
    const res = await readStream(file.slice(start), {
      gzip,
      decompressor,
      feed: (chunk) => { produced += chunk.byteLength; feed(chunk); },
      onBytes: (n) => onBytes(start + n),
      shouldStop,
      pause,
    });
    members += 1;
    const bytesRead = start + res.bytesRead;
    if (res.stopped) return { gzip, members, bytesRead, stopped: true, error: null };
    if (!res.error) return { gzip, members, bytesRead: file.size, stopped: false, error: null };
    const failed = { gzip, members, bytesRead, stopped: false, error: describeReadError(res.error, gzip) };
    if (!gzip) return failed;

    // Find where this member really ends, and give the core the rest of its output.
    let next = null;
    for (const p of await memberCandidates(file, start, bytesRead + SCAN_SLACK)) {
      if (shouldStop()) return { gzip, members, bytesRead, stopped: true, error: null };
      const skip = produced;
      let seen = 0;
      const replay = await readStream(file.slice(start, p), {
        gzip,
        decompressor,
        feed: (chunk) => {
          const from = Math.max(0, skip - seen);
          seen += chunk.byteLength;
          if (from < chunk.byteLength) {
            const rest = from === 0 ? chunk : chunk.subarray(from);
            produced += rest.byteLength;
            feed(rest);
          }
        },
        onBytes: () => {},
        shouldStop: () => false,
        pause,
      });
      if (!replay.error) {
        next = p;
        break;
      }
    }
    if (next === null) return failed;
    start = next;
  }
}

/**
 * A plain (not gzipped) file through a BYOB reader of file.stream(): the bytes are read into a
 * buffer of `chunkSize` bytes, fed once it is full (and the rest at the end). The buffer is used
 * again for the next fill unless feed() handed it on (transferred it: it is then detached); then
 * takeBuffer() gives the next one (the reader thread's pool of buffers the engine gave back).
 * Reading into a buffer the page already has runs at about twice the speed of asking for each
 * slice's ArrayBuffer (file.slice().arrayBuffer(), ~400-500 MB/s in Chromium), and allocates
 * nothing per chunk. Where a Blob's stream is not a byte stream (no BYOB reader), the stream's own
 * chunks are fed as they come (readStream). Same result shape as readStream; bytesRead counts
 * the bytes fed.
 */
export async function readIntoBuffers(file, { chunkSize, feed, onBytes = () => {}, shouldStop = () => false, pause = async () => {}, takeBuffer = () => new ArrayBuffer(chunkSize) }) {
  const size = file.size;
  let reader;
  try {
    reader = file.stream().getReader({ mode: 'byob' });
  } catch {
    return readStream(file, { gzip: false, feed, onBytes, shouldStop, pause });
  }
  let buf = null; // taken when the next read needs it
  let filled = 0; // bytes in buf not yet fed
  let bytesRead = 0; // bytes fed
  const handOn = () => {
    bytesRead += filled;
    onBytes(bytesRead);
    feed(new Uint8Array(buf, 0, filled));
    filled = 0;
    if (buf.byteLength === 0) buf = null; // transferred by feed()
  };
  try {
    for (;;) {
      await pause();
      if (shouldStop()) {
        await reader.cancel('cancelled').catch(() => {});
        return { bytesRead, stopped: true, error: null };
      }
      buf ??= takeBuffer();
      const { value, done } = await reader.read(new Uint8Array(buf, filled, buf.byteLength - filled));
      if (value) buf = value.buffer; // the read moved the buffer: this is the same memory, handed back
      if (done) break;
      filled += value.byteLength;
      if (filled === buf.byteLength) handOn();
    }
    if (filled > 0) handOn();
    if (bytesRead !== size) throw new Error(`the file ended at ${bytesRead} of ${size} bytes`);
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) throw err; // the engine died: not a file error
    return { bytesRead, stopped: false, error: err };
  }
  return { bytesRead, stopped: false, error: null };
}

// A part's last line runs past its end by one line at most: read that in small slices.
const PART_TAIL_CHUNK = 64 << 10;

/**
 * The part [part.offset, part.end) of a plain file, for the core's beginFilePart (wasm/API.md):
 * fed from offset - 1 (so the core sees whether offset starts a line), in chunkSize buffers up to
 * end, then in small slices past end until done() says the core has the part's last line, or
 * the file ends. onBytes counts from the part's offset. Same result shape as readIntoBuffers.
 */
export async function readPart(file, part, { feed, done, onBytes = () => {}, shouldStop = () => false, pause = async () => {}, chunkSize, takeBuffer }) {
  const from = Math.max(0, part.offset - 1);
  const skip = part.offset - from;
  const body = await readIntoBuffers(file.slice(from, Math.min(file.size, part.end)), {
    chunkSize, feed, shouldStop, pause, takeBuffer, onBytes: (n) => onBytes(Math.max(0, n - skip)),
  });
  if (body.stopped) return { gzip: false, ...body };
  if (body.error) return { gzip: false, ...body, error: describeReadError(body.error, false) };
  let at = Math.min(file.size, part.end);
  try {
    while (at < file.size && !done()) {
      await pause();
      if (shouldStop()) return { gzip: false, bytesRead: part.end - part.offset, stopped: true, error: null };
      const buf = await file.slice(at, Math.min(file.size, at + PART_TAIL_CHUNK)).arrayBuffer();
      if (buf.byteLength === 0) break;
      at += buf.byteLength;
      feed(new Uint8Array(buf));
    }
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) throw err;
    return { gzip: false, bytesRead: part.end - part.offset, stopped: false, error: describeReadError(err, false) };
  }
  return { gzip: false, bytesRead: part.end - part.offset, stopped: false, error: null };
}

/**
 * One job of a load (load-plan.js: a whole file, or a part of one) read to the end, each decoded
 * chunk handed to feed(): readPart for a part (done() says when the core has its last line),
 * readFileInto for a whole file. Same options and result as those two (takeBuffer: see
 * readIntoBuffers). Used by the reader thread (reader-worker.js) and, when that cannot start, by
 * the engine worker itself.
 */
export function readJob(job, { feed, done = () => false, onBytes, shouldStop, pause, chunkSize, takeBuffer }) {
  return job.part
    ? readPart(job.file, job.part, { feed, done, onBytes, shouldStop, pause, chunkSize, takeBuffer })
    : readFileInto(job.file, { feed, onBytes, shouldStop, pause, chunkSize, takeBuffer });
}

// Lets queued messages (a cancel, a stop) run, at most every 50 ms so reading stays fast:
// stream reads can resolve as microtasks and never yield to the event loop on their own.
let lastYield = 0;
export function yieldToMessages() {
  const now = performance.now();
  if (now - lastYield < 50) return Promise.resolve();
  lastYield = now;
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function readStream(blob, { gzip, decompressor, feed, onBytes, shouldStop, pause }) {
  let bytesRead = 0;
  const counted = blob.stream().pipeThrough(new TransformStream({
    transform(chunk, controller) {
      bytesRead += chunk.byteLength;
      onBytes(bytesRead);
      controller.enqueue(chunk);
    },
  }));
  const stream = gzip ? counted.pipeThrough(decompressor()) : counted;
  const reader = stream.getReader();
  try {
    for (;;) {
      await pause();
      if (shouldStop()) {
        await reader.cancel('cancelled').catch(() => {});
        return { bytesRead, stopped: true, error: null };
      }
      const { value, done } = await reader.read();
      if (done) break;
      if (value && value.byteLength) feed(value);
    }
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) throw err; // the engine died: not a file error
    return { bytesRead, stopped: false, error: err };
  }
  return { bytesRead, stopped: false, error: null };
}

// A gzip member header at buf[i]: ID1 ID2 CM=8, FLG with reserved bits clear, MTIME, XFL, OS.
function looksLikeHeader(buf, i) {
  return buf[i] === 0x1f && buf[i + 1] === 0x8b && buf[i + 2] === 0x08 && (buf[i + 3] & 0xe0) === 0 &&
    (buf[i + 8] === 0 || buf[i + 8] === 2 || buf[i + 8] === 4) && (buf[i + 9] <= 13 || buf[i + 9] === 255);
}

/**
 * Offsets after `from` (and before `limit`) where a gzip member header could start, in order.
 * A member is at least 18 bytes, so the search starts 18 bytes in.
 */
export async function memberCandidates(file, from, limit = file.size) {
  const end = Math.min(file.size, limit);
  const out = [];
  for (let pos = from + 18; pos < end; pos += SCAN_WINDOW) {
    // Each window reads 9 bytes past its end: the rest of a header starting at its last byte.
    const buf = new Uint8Array(await file.slice(pos, Math.min(file.size, pos + SCAN_WINDOW + 9)).arrayBuffer());
    for (let i = buf.indexOf(0x1f); i !== -1 && i < SCAN_WINDOW; i = buf.indexOf(0x1f, i + 1)) {
      if (i + 9 < buf.length && looksLikeHeader(buf, i)) out.push(pos + i);
    }
  }
  return out;
}

export function describeReadError(err, gzip) {
  const msg = String(err?.message ?? err).replace(/\s+/g, ' ').trim();
  if (err?.name === 'NotReadableError' || err?.name === 'NotFoundError') {
    return `the file could not be read (${msg}); it may have been moved or changed since it was chosen`;
  }
  // No byte offset: the stream reads ahead of the decompressor, so it would mislead.
  if (gzip) return `corrupt or truncated gzip data (${msg})`;
  return `reading stopped: ${msg}`;
}
