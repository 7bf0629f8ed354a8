// The page's file reading (worker-reader.js), run under Node: reading a plain file in slices
// gives exactly the bytes, progress, stop and error behaviour of the stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileInto, readIntoBuffers } from '../../web/worker-reader.js';

const text = (n, from = 0) => Array.from({ length: n }, (_, i) => `line ${from + i}\n`).join('');

async function collect(run) {
  const chunks = [];
  const seen = [];
  const res = await run({ feed: (b) => chunks.push(Buffer.from(b)), onBytes: (n) => seen.push(n) });
  return { ...res, text: Buffer.concat(chunks).toString(), seen, chunks: chunks.length };
}

test('view_path.slices_read_every_byte_in_chunks', async () => {
  const body = text(20000); // ~229 kB
  const file = new File([body], 'a.log');
  const res = await collect((o) => readFileInto(file, { ...o, chunkSize: 64 << 10 }));
  assert.equal(res.error, null);
  assert.equal(res.text, body);
  assert.equal(res.chunks, Math.ceil(file.size / (64 << 10)));
  assert.equal(res.seen.at(-1), file.size);
  assert.ok(res.seen.every((n, i) => i === 0 || n > res.seen[i - 1]));
});

test('view_path.slices_stop_and_empty_file', async () => {
  const file = new File([text(20000)], 'a.log');
  let calls = 0;
  const res = await collect((o) => readIntoBuffers(file, { ...o, chunkSize: 16 << 10, shouldStop: () => ++calls > 3 }));
  assert.equal(res.stopped, true);
  assert.equal(res.bytesRead, 3 * (16 << 10));
  assert.equal(res.text.length, res.bytesRead);
  const empty = await collect((o) => readFileInto(new File([], 'e.log'), { ...o, chunkSize: 1024 }));
  assert.equal(empty.error, null);
  assert.equal(empty.text, '');
});

test('view_path.slices_report_read_errors_as_values', async () => {
  const file = new File([text(1000)], 'a.log');
  // A byte stream (BYOB reads, as the browser's) that fails as a file moved away does.
  const broken = { size: file.size, stream: () => new ReadableStream({ type: 'bytes', pull: (c) => c.error(Object.assign(new Error('gone'), { name: 'NotReadableError' })) }) };
  const res = await readIntoBuffers(broken, { chunkSize: 1024, feed: () => {} });
  assert.equal(res.error.name, 'NotReadableError');
  assert.equal(res.bytesRead, 0);
});
