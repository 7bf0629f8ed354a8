// reader-worker.js — the file reader thread of one engine worker (a nested worker it starts,
// reader-thread.js is the other side). It reads a job's bytes as they are on disk
// (worker-reader.js) and posts them, transferred, to the engine worker, whose core gunzips and
// parses them.
//
// Why a thread of its own: a Blob's bytes reach a worker through the thread that asked for them.
// Read on the engine worker, every 4 MiB slice waited ~5.6 ms for its bytes after the slice
// before it was parsed (prefetching did not help: the bytes flow only while that thread is
// free), so reading and parsing took turns instead of overlapping (5 M records: 750 ms of
// 2.2 s).
//
// Protocol, one read at a time (reads queue up in arrival order):
//   in:  {type: 'read', id, job: {file, part}, chunkSize, ahead}
//        {type: 'ack', id, done, buf}   one per chunk taken; done = the core has the part's last
//                                  line; buf = the chunk's buffer, given back to be read into again
//        {type: 'stop', id}        stop reading this job (a cancel, or the engine failed)
//   out: {type: 'ready'} once, at start
//        {type: 'chunk', id, buf, length, bytes}   buf (transferred) holds `length` bytes of the
//                                  file; bytes = the file's bytes read so far
//        {type: 'end', id, outcome}   readJob's result: {bytesRead, stopped, error}
// Flow control: at most `ahead` chunks are posted and not yet acknowledged, so a fast disk and
// a slow parse hold only that many chunks in memory; their buffers come back with the acks and
// are read into again (a load allocates ahead + 1 buffers, not one per chunk).

import { readJob, yieldToMessages } from './worker-reader.js';

const reads = new Map(); // id → {credits, stopped, done, wake}
let queue = Promise.resolve();
const spare = []; // buffers given back, to be read into again
let spareSize = 0; // their size (the chunk size of the reads that use them)

self.onmessage = (event) => {
  const msg = event.data ?? {};
  if (msg.type === 'read') {
    const read = { credits: msg.ahead, stopped: false, done: false, wake: null };
    reads.set(msg.id, read);
    queue = queue.then(() => run(msg, read)).finally(() => reads.delete(msg.id));
    return;
  }
  const read = reads.get(msg.id);
  if (!read) return; // a finished read's late ack
  if (msg.type === 'ack') {
    read.credits += 1;
    read.done = Boolean(msg.done);
    if (msg.buf?.byteLength === spareSize) spare.push(msg.buf);
  } else if (msg.type === 'stop') {
    read.stopped = true;
  }
  if (read.wake) {
    read.wake();
    read.wake = null;
  }
};

async function run({ id, job, chunkSize }, read) {
  if (chunkSize !== spareSize) {
    spare.length = 0;
    spareSize = chunkSize;
  }
  const takeBuffer = () => spare.pop() ?? new ArrayBuffer(chunkSize);
  let bytes = 0;
  let batch = null; // bytes waiting to be posted (small chunks are gathered)
  let batchLength = 0;
  const post = (buf, length) => {
    read.credits -= 1;
    self.postMessage({ type: 'chunk', id, buf, length, bytes }, [buf]);
  };
  const flush = () => {
    if (batchLength > 0) post(batch, batchLength);
    batch = null;
    batchLength = 0;
  };
  const whole = (chunk) => chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
  // A part's tail is read in small slices until the core has its last line (done): each goes
  // out at once. A whole file's small chunks (a stream's own, where a Blob has no byte stream)
  // are gathered into batches of chunkSize: one message per 4 MiB instead of one per 64 KiB.
  const gather = !job.part;
  const feed = (chunk) => {
    if (!gather || (batchLength === 0 && whole(chunk) && chunk.byteLength >= chunkSize / 4)) {
      post(whole(chunk) ? chunk.buffer : chunk.slice().buffer, chunk.byteLength);
      return;
    }
    for (let off = 0; off < chunk.byteLength;) {
      if (!batch) batch = takeBuffer();
      const n = Math.min(chunk.byteLength - off, chunkSize - batchLength);
      new Uint8Array(batch, batchLength, n).set(chunk.subarray(off, off + n));
      batchLength += n;
      off += n;
      if (batchLength === chunkSize) flush();
    }
  };
  const pause = async () => {
    while (read.credits <= 0 && !read.stopped) await new Promise((resolve) => { read.wake = resolve; });
    await yieldToMessages();
  };
  let outcome;
  try {
    outcome = await readJob(job, {
      feed,
      done: () => read.done,
      onBytes: (n) => { bytes = n; },
      shouldStop: () => read.stopped,
      pause,
      chunkSize,
      takeBuffer,
    });
    if (!outcome.stopped) flush();
  } catch (err) {
    outcome = { bytesRead: bytes, stopped: false, error: `reading stopped: ${err?.message ?? err}` };
  }
  self.postMessage({ type: 'end', id, outcome });
}

self.postMessage({ type: 'ready' });
