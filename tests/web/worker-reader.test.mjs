// The worker's file reader, run under Node (which has File and Blob streams like the browser):
// bytes as they are on disk (gzip included: the core inflates it), parts, buffers, cancel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { readFileInto, readPart, readIntoBuffers } from '../../web/worker-reader.js';

const text = (n, from = 0) => Array.from({ length: n }, (_, i) => `line ${from + i}\n`).join('');

async function read(file, opts = {}) {
  const chunks = [];
  const res = await readFileInto(file, { feed: (b) => chunks.push(Buffer.from(b)), ...opts });
  return { ...res, text: Buffer.concat(chunks).toString() };
}

test('reader.plain_text', async () => {
  const body = text(1000);
  const seen = [];
  const res = await read(new File([body], 'a.log'), { onBytes: (n) => seen.push(n) });
  assert.equal(res.error, null);
  assert.equal(res.text, body);
  assert.equal(seen.at(-1), Buffer.byteLength(body));
});

test('reader.gzip_is_fed_as_it_is_on_disk', async () => {
  // The core tells gzip by its magic and inflates it (concatenated members, damage: the core's
  // tests): the reader hands on the compressed bytes unchanged, in buffers or the stream's chunks.
  const gz = Buffer.concat([gzipSync(text(5000)), gzipSync(text(10, 5000))]);
  for (const chunkSize of [0, 1024, 1 << 20]) {
    const chunks = [];
    const res = await readFileInto(new File([gz], 'joined.log.gz'), { feed: (b) => chunks.push(Buffer.from(b)), chunkSize });
    assert.deepEqual(res, { bytesRead: gz.length, stopped: false, error: null }, `chunkSize ${chunkSize}`);
    assert.ok(Buffer.concat(chunks).equals(gz), `chunkSize ${chunkSize}: the file's bytes, in order`);
  }
});

test('reader.stops_when_asked', async () => {
  // Many parts: Node streams an in-memory Blob a part at a time.
  const big = new File(Array.from({ length: 50 }, (_, i) => text(1000, i * 1000)), 'big.log');
  let calls = 0;
  const res = await read(big, { shouldStop: () => ++calls > 2 });
  assert.equal(res.stopped, true);
  assert.ok(res.text.length < big.size);
});

// readPart feeds from offset - 1 through the part's end, then only as far past it as the core
// needs (done() turns true once a newline after `end` has been fed, as the core's partDone).
test('reader.part_reads_its_range_and_stops_after_the_next_line', async () => {
  const body = text(200000); // ~2.3 MB
  const file = new File([body], 'a.log');
  for (const [offset, end] of [[0, 1000], [1, 777], [5000, 1500000], [1500000, file.size], [123456, 123457]]) {
    const chunks = [];
    let fed = 0;
    let sawNewlineAfterEnd = false;
    const seen = [];
    const res = await readPart(file, { offset, end }, {
      chunkSize: 64 << 10,
      feed: (b) => {
        const start = Math.max(0, offset - 1) + fed;
        chunks.push(Buffer.from(b));
        fed += b.length;
        for (let i = Math.max(0, end - start); i < b.length; i += 1) if (b[i] === 0x0a) sawNewlineAfterEnd = true;
      },
      done: () => sawNewlineAfterEnd,
      onBytes: (n) => seen.push(n),
    });
    assert.equal(res.error, null);
    assert.equal(res.stopped, false);
    const got = Buffer.concat(chunks).toString();
    const from = Math.max(0, offset - 1);
    assert.equal(got, body.slice(from, from + got.length), 'the file from offset - 1, in order');
    assert.ok(from + got.length >= end, 'through the end of the range');
    const next = body.indexOf('\n', end);
    if (next !== -1) {
      assert.ok(from + got.length > next, 'and past the newline after it');
      assert.ok(from + got.length <= next + (64 << 10) + 1, 'but not much further');
    }
    assert.ok(seen.every((n) => n <= end - offset), 'progress counts the range only');
  }
});

// A File of many Blob parts: its stream hands out many small pieces, so the buffers fill over
// several reads.
const manyParts = (lines) => new File(Array.from({ length: lines / 100 }, (_, i) => text(100, i * 100)), 'm.log');

test('reader.slices_fill_whole_buffers_and_reuse_one', async () => {
  const file = manyParts(20000);
  const chunkSize = 4096;
  const fed = [];
  let taken = 0;
  const res = await readIntoBuffers(file, {
    chunkSize,
    feed: (b) => fed.push(Buffer.from(b)),
    takeBuffer: () => { taken += 1; return new ArrayBuffer(chunkSize); },
  });
  assert.equal(res.error, null);
  assert.equal(res.bytesRead, file.size);
  assert.equal(Buffer.concat(fed).toString(), await file.text());
  assert.ok(fed.slice(0, -1).every((b) => b.length === chunkSize), 'every chunk but the last is full');
  assert.ok(fed.at(-1).length > 0 && fed.at(-1).length <= chunkSize);
  assert.equal(fed.length, Math.ceil(file.size / chunkSize));
  assert.equal(taken, 1, 'a buffer fed and kept is read into again');
});

test('reader.slices_take_a_new_buffer_when_feed_hands_one_on', async () => {
  const file = manyParts(5000);
  const chunkSize = 10000;
  const fed = [];
  let taken = 0;
  const res = await readIntoBuffers(file, {
    chunkSize,
    // As the reader thread does: the buffer is transferred away (and so detached here).
    feed: (b) => { fed.push(Buffer.from(b)); structuredClone(b.buffer, { transfer: [b.buffer] }); },
    takeBuffer: () => { taken += 1; return new ArrayBuffer(chunkSize); },
  });
  assert.equal(res.error, null);
  assert.equal(Buffer.concat(fed).toString(), await file.text());
  assert.equal(taken, fed.length + (file.size % chunkSize === 0 ? 1 : 0), 'one new buffer per chunk handed on');
});

test('reader.slices_without_a_byte_stream_feed_the_streams_chunks', async () => {
  const real = manyParts(3000);
  // A Blob whose stream has no BYOB reader (as in browsers where Blob streams are not byte streams).
  const file = { size: real.size, stream: () => new ReadableStream({ async start(c) { c.enqueue(new Uint8Array(await real.arrayBuffer())); c.close(); } }) };
  const fed = [];
  const res = await readIntoBuffers(file, { chunkSize: 4096, feed: (b) => fed.push(Buffer.from(b)) });
  assert.equal(res.error, null);
  assert.equal(Buffer.concat(fed).toString(), await real.text());
});

test('reader.slices_stop_between_reads_and_count_only_what_was_fed', async () => {
  const file = manyParts(20000);
  let fedBytes = 0;
  let chunks = 0;
  const res = await readIntoBuffers(file, {
    chunkSize: 8192,
    feed: (b) => { fedBytes += b.length; chunks += 1; },
    shouldStop: () => chunks >= 3,
  });
  assert.equal(res.stopped, true);
  assert.equal(fedBytes, 3 * 8192);
  assert.equal(res.bytesRead, fedBytes);
});
