// worker-reader.js — streams one File, or a byte range of one, into the core as it is on disk.
// Gzipped files too: the core tells gzip by its magic bytes and inflates it with zlib, the same
// code as the CLI's (concatenated members, NUL padding, corrupt and truncated data:
// core/src/input_decoder.cpp). The page once piped .gz files through the browser's
// DecompressionStream, which decodes at about half zlib's speed in wasm, stops at the end of the
// first member and loses its last output on an error.

/**
 * Reads `file` to the end (or until shouldStop() says so) and hands its bytes to
 * feed(Uint8Array). onBytes(n) reports the bytes read so far. Never throws for a read error:
 * returns { bytesRead, stopped, error } where error is a message or null. `pause()` is awaited
 * before each chunk: the worker uses it to let messages (a cancel) in, since stream reads can
 * resolve as microtasks and never yield to the event loop on their own. `chunkSize` > 0 reads
 * into buffers of that size (readIntoBuffers, with takeBuffer; the page's path); 0 feeds the
 * stream's own chunks.
 */
export async function readFileInto(file, { feed, onBytes = () => {}, shouldStop = () => false, pause = async () => {}, chunkSize = 0, takeBuffer }) {
  const res = chunkSize > 0
    ? await readIntoBuffers(file, { chunkSize, feed, onBytes, shouldStop, pause, takeBuffer })
    : await readStream(file, { feed, onBytes, shouldStop, pause });
  if (res.stopped) return { bytesRead: res.bytesRead, stopped: true, error: null };
  if (res.error) return { bytesRead: res.bytesRead, stopped: false, error: describeReadError(res.error) };
  return { bytesRead: file.size, stopped: false, error: null };
}

/**
 * A file's bytes through a BYOB reader of file.stream(): the bytes are read into a
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
    return readStream(file, { feed, onBytes, shouldStop, pause });
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
  if (body.stopped) return body;
  if (body.error) return { ...body, error: describeReadError(body.error) };
  let at = Math.min(file.size, part.end);
  try {
    while (at < file.size && !done()) {
      await pause();
      if (shouldStop()) return { bytesRead: part.end - part.offset, stopped: true, error: null };
      const buf = await file.slice(at, Math.min(file.size, at + PART_TAIL_CHUNK)).arrayBuffer();
      if (buf.byteLength === 0) break;
      at += buf.byteLength;
      feed(new Uint8Array(buf));
    }
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) throw err;
    return { bytesRead: part.end - part.offset, stopped: false, error: describeReadError(err) };
  }
  return { bytesRead: part.end - part.offset, stopped: false, error: null };
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

async function readStream(blob, { feed, onBytes, shouldStop, pause }) {
  let bytesRead = 0;
  const stream = blob.stream().pipeThrough(new TransformStream({
    transform(chunk, controller) {
      bytesRead += chunk.byteLength;
      onBytes(bytesRead);
      controller.enqueue(chunk);
    },
  }));
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

export function describeReadError(err) {
  const msg = String(err?.message ?? err).replace(/\s+/g, ' ').trim();
  if (err?.name === 'NotReadableError' || err?.name === 'NotFoundError') {
    return `the file could not be read (${msg}); it may have been moved or changed since it was chosen`;
  }
  return `reading stopped: ${msg}`;
}
