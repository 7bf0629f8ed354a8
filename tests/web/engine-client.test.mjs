// The engine client over a fake worker: ids, progress, errors as {name, message}, crashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineClient, EngineError } from '../../web/engine-client.js';

class FakeWorker {
  constructor(script) {
    this.sent = [];
    this.terminated = false;
    this.script = script;
  }
  postMessage(msg, transfer) {
    this.sent.push({ msg, transfer });
    queueMicrotask(() => this.script?.(msg, (reply) => this.onmessage?.({ data: reply }), this));
  }
  terminate() { this.terminated = true; }
}

test('engine_client.requests_resolve_by_id', async () => {
  const workers = [];
  const client = new EngineClient(() => {
    const w = new FakeWorker((msg, reply) => {
      // Answer out of order: the later request first.
      if (msg.type === 'analyze') setTimeout(() => reply({ id: msg.id, type: 'result', data: { filter: msg.data.filter } }), 5);
      else reply({ id: msg.id, type: 'result', data: { version: '0.1.0' } });
    });
    workers.push(w);
    return w;
  });
  const a = client.analyze('srcaddr = 10.0.0.1', { top: 5 });
  const v = client.init();
  assert.deepEqual(await v, { version: '0.1.0' });
  assert.deepEqual(await a, { filter: 'srcaddr = 10.0.0.1' });
  assert.equal(workers.length, 1, 'one worker for every request');
  const sent = workers[0].sent.map((s) => s.msg);
  assert.deepEqual(sent[0], { id: 1, type: 'analyze', data: { filter: 'srcaddr = 10.0.0.1', options: { top: 5 } } });
  assert.equal(sent[1].id, 2);
  assert.equal(client.pending.size, 0);
});

test('engine_client.progress_then_result', async () => {
  const client = new EngineClient(() => new FakeWorker((msg, reply) => {
    reply({ id: msg.id, type: 'progress', data: { bytesDone: 1 } });
    reply({ id: msg.id, type: 'progress', data: { bytesDone: 2 } });
    reply({ id: msg.id, type: 'result', data: { loadedRecords: 7 } });
  }));
  const seen = [];
  const res = await client.load([{ name: 'a.log', file: {} }], { onProgress: (p) => seen.push(p.bytesDone) });
  assert.deepEqual(seen, [1, 2]);
  assert.equal(res.loadedRecords, 7);
});

test('engine_client.errors_carry_name_message_position', async () => {
  const client = new EngineClient(() => new FakeWorker((msg, reply) => {
    reply({ id: msg.id, type: 'error', data: { name: 'FilterError', message: "expected a value after '=' at position 8", position: 8 } });
  }));
  await assert.rejects(client.analyze('dstport ='), (err) => {
    assert.ok(err instanceof EngineError);
    assert.equal(err.name, 'FilterError');
    assert.equal(err.position, 8);
    assert.match(err.message, /position 8/);
    return true;
  });
});

test('engine_client.crash_fails_pending_and_respawns', async () => {
  const workers = [];
  const client = new EngineClient(() => {
    const w = new FakeWorker(() => {});
    workers.push(w);
    return w;
  });
  let crashed = null;
  client.onCrash = (e) => { crashed = e; };
  const p = client.analyze('');
  workers[0].onerror({ message: 'out of memory', preventDefault() {} });
  await assert.rejects(p, { name: 'EngineCrashed' });
  assert.equal(crashed.name, 'EngineCrashed');
  assert.ok(workers[0].terminated);
  client.records('', 0, 10);
  assert.equal(workers.length, 2, 'the next request starts a new worker');
  assert.equal(client.generation, 1);
});

test('engine_client.cancel_and_terminate', async () => {
  const client = new EngineClient(() => new FakeWorker((msg, reply) => {
    if (msg.type === 'cancel') reply({ id: msg.id, type: 'result', data: { cancelled: true } });
  }));
  assert.deepEqual(await client.cancel(), { cancelled: false }, 'no worker yet: nothing to cancel');
  const load = client.load([]);
  assert.deepEqual(await client.cancel(), { cancelled: true });
  client.terminate();
  await assert.rejects(load, { name: 'AbortError' });
});

test('engine_client.engine_crash_reported_by_the_worker_replaces_it', async () => {
  const workers = [];
  const client = new EngineClient(() => {
    const w = new FakeWorker((msg, reply) => reply({ id: msg.id, type: 'error', data: { name: 'EngineCrashed', message: 'Aborted(OOM)' } }));
    workers.push(w);
    return w;
  });
  let crashed = null;
  client.onCrash = (e) => { crashed = e; };
  await assert.rejects(client.load([]), { name: 'EngineCrashed' });
  assert.equal(crashed.message, 'Aborted(OOM)');
  assert.ok(workers[0].terminated);
  await assert.rejects(client.analyze(''), { name: 'EngineCrashed' });
  assert.equal(workers.length, 2, 'a fresh worker for the next request');
});
