// The engine worker's side of the reader thread (web/reader-thread.js) against a scripted reader:
// chunks fed in order with their buffers given back, stopping, a dead thread, a dying engine.
// The real thread runs in the e2e tests (every page load goes through it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReaderThread } from '../../web/reader-thread.js';

// A stand-in for the nested Worker: `script(msg, reply)` plays the reader's side of each message
// the engine posts; replies arrive asynchronously, as messages do.
class ScriptedWorker {
  constructor(script) {
    this.script = script;
    this.sent = [];
    this.onmessage = null;
    this.onerror = null;
  }

  postMessage(msg, transfer = []) {
    this.sent.push({ msg, transfer });
    this.script(msg, (data) => setTimeout(() => this.onmessage?.({ data }), 0));
  }

  fail(message) {
    setTimeout(() => this.onerror?.({ message, preventDefault() {} }), 0);
  }
}

const bytesOf = (text) => new TextEncoder().encode(text);
const chunk = (id, text, bytes) => {
  const b = bytesOf(text);
  return { type: 'chunk', id, buf: b.buffer, length: b.length, bytes };
};
const ok = { gzip: false, members: 1, bytesRead: 12, stopped: false, error: null };

test('reader_thread.feeds_chunks_in_order_and_gives_their_buffers_back', async () => {
  const w = new ScriptedWorker((msg, reply) => {
    if (msg.type !== 'read') return;
    reply(chunk(msg.id, 'abcd', 4));
    reply(chunk(msg.id, 'efgh', 8));
    reply(chunk(msg.id, 'ijkl', 12));
    reply({ type: 'end', id: msg.id, outcome: ok });
  });
  const reader = new ReaderThread(w);
  const fed = [];
  const seen = [];
  let doneCalls = 0;
  const outcome = await reader.read({ file: { size: 12 }, part: null }, {
    feed: (b) => fed.push(new TextDecoder().decode(b)),
    onBytes: (n) => seen.push(n),
    done: () => ++doneCalls >= 3,
    chunkSize: 4,
  });
  assert.deepEqual(outcome, ok);
  assert.deepEqual(fed, ['abcd', 'efgh', 'ijkl']);
  assert.deepEqual(seen, [4, 8, 12]);
  const read = w.sent[0].msg;
  assert.equal(read.type, 'read');
  assert.equal(read.chunkSize, 4);
  assert.ok(read.ahead >= 1);
  const acks = w.sent.filter((s) => s.msg.type === 'ack');
  assert.equal(acks.length, 3, 'one ack per chunk');
  assert.deepEqual(acks.map((a) => a.msg.done), [false, false, true], 'each ack says whether the part is done');
  for (const a of acks) assert.deepEqual(a.transfer, [a.msg.buf], 'the buffer goes back, moved');
  assert.ok(reader.usable);
});

test('reader_thread.a_stop_feeds_nothing_more_and_counts_what_was_fed', async () => {
  let chunks = 0;
  const w = new ScriptedWorker((msg, reply) => {
    if (msg.type === 'read') {
      for (let i = 1; i <= 4; i += 1) reply(chunk(msg.id, 'xxxx', 4 * i));
    } else if (msg.type === 'stop') {
      reply({ type: 'end', id: msg.id, outcome: { gzip: false, members: 1, bytesRead: 16, stopped: true, error: null } });
    }
  });
  const reader = new ReaderThread(w);
  const outcome = await reader.read({ file: { size: 16 }, part: null }, {
    feed: () => { chunks += 1; },
    shouldStop: () => chunks >= 2,
    chunkSize: 4,
  });
  assert.equal(chunks, 2);
  assert.equal(outcome.stopped, true);
  assert.equal(outcome.bytesRead, 8, 'the bytes fed, not the bytes the reader had read');
  assert.equal(w.sent.filter((s) => s.msg.type === 'stop').length, 1, 'one stop');
});

test('reader_thread.answers_of_an_earlier_read_are_ignored', async () => {
  const w = new ScriptedWorker((msg, reply) => {
    if (msg.type !== 'read') return;
    reply(chunk(msg.id - 1, 'old!', 4)); // a late answer to the read before
    reply(chunk(msg.id, 'new!', 4));
    reply({ type: 'end', id: msg.id, outcome: ok });
  });
  const reader = new ReaderThread(w);
  reader.nextId = 7;
  const fed = [];
  await reader.read({ file: { size: 4 }, part: null }, { feed: (b) => fed.push(new TextDecoder().decode(b)), chunkSize: 4 });
  assert.deepEqual(fed, ['new!']);
});

test('reader_thread.a_dead_thread_ends_the_read_with_an_error_and_is_not_used_again', async () => {
  const w = new ScriptedWorker((msg, reply) => {
    if (msg.type !== 'read') return;
    reply(chunk(msg.id, 'abcd', 4));
    w.fail('out of memory');
  });
  const reader = new ReaderThread(w);
  const outcome = await reader.read({ file: { size: 8 }, part: null }, { feed: () => {}, chunkSize: 4 });
  assert.match(outcome.error, /reader thread failed \(out of memory\)/);
  assert.equal(outcome.stopped, false);
  assert.equal(reader.usable, false);

  // Dying between reads also marks it.
  const idle = new ScriptedWorker(() => {});
  const other = new ReaderThread(idle);
  idle.fail('gone');
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(other.usable, false);
});

test('reader_thread.a_throwing_feed_rejects_and_stops_the_reader', async () => {
  const w = new ScriptedWorker((msg, reply) => {
    if (msg.type === 'read') reply(chunk(msg.id, 'abcd', 4));
  });
  const reader = new ReaderThread(w);
  const crash = new Error('engine died');
  await assert.rejects(reader.read({ file: { size: 4 }, part: null }, { feed: () => { throw crash; }, chunkSize: 4 }), crash);
  assert.deepEqual(w.sent.map((s) => s.msg.type), ['read', 'stop']);
});
