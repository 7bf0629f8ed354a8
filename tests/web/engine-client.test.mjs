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
  assert.deepEqual(sent[1], { id: 2, type: 'init', data: { merges: false } }, 'one parse worker: no merges to warm up');
  assert.equal(client.pending.size, 0);
});

test('engine_client.progress_then_result', async () => {
  const client = new EngineClient(() => new FakeWorker((msg, reply) => {
    reply({ id: msg.id, type: 'progress', data: { bytesDone: 1 } });
    reply({ id: msg.id, type: 'progress', data: { bytesDone: 2 } });
    reply({ id: msg.id, type: 'result', data: { loadedRecords: 7 } });
  }));
  const seen = [];
  const res = await client.load([{ name: 'a.log', file: new Blob(['x']) }], { onProgress: (p) => seen.push(p.bytesDone) });
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

test('engine_client.a_cancel_while_the_files_are_described_reaches_the_load', async () => {
  // load() reads the files' heads before it sends the load: a cancel meanwhile is sent right
  // after it (the worker resets its cancel flag when a load starts).
  const sent = [];
  const client = new EngineClient(() => new FakeWorker((msg, reply) => {
    sent.push(msg.type);
    if (msg.type === 'cancel') reply({ id: msg.id, type: 'result', data: { cancelled: true } });
    if (msg.type === 'load') setTimeout(() => reply({ id: msg.id, type: 'result', data: { cancelled: sent.includes('cancel'), files: [] } }), 5);
  }));
  const load = client.load([{ name: 'a.log', file: new Blob(['x']) }]);
  assert.deepEqual(await client.cancel(), { cancelled: true }, 'no worker yet, but a load about to start');
  assert.deepEqual(sent, [], 'nothing sent while describing');
  assert.equal((await load).cancelled, true);
  assert.deepEqual(sent, ['load', 'cancel']);
  // The next load is not cancelled.
  sent.length = 0;
  assert.equal((await client.load([{ name: 'b.log', file: new Blob(['y']) }])).cancelled, false);
  assert.deepEqual(sent, ['load']);
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

// A parallel load with fake workers: spawn order = engine first, then the helpers.
function parallelClient(helperScript) {
  const workers = [];
  const client = new EngineClient(() => {
    const isEngine = workers.length === 0;
    const w = new FakeWorker((msg, reply) => {
      if (!isEngine) return helperScript(msg, reply);
      const { jobs = [] } = msg.data;
      const records = jobs.reduce((s, j) => s + (j.part ? j.part.end - j.part.offset : j.size), 0);
      if (msg.type === 'load') {
        reply({ id: msg.id, type: 'result', data: { files: jobs.map((j) => ({ name: j.name, bytes: 1, records: 1, bad_lines: 0, headers: 0, error: '' })), loadedRecords: records, cancelled: false, timing: { feedMs: 1 } } });
      } else if (msg.type === 'import') {
        reply({ id: msg.id, type: 'result', data: { loadedRecords: 999, importMs: 2 } });
      }
    });
    workers.push(w);
    return w;
  }, { workers: 2 });
  return { client, workers };
}

const bigFile = () => new Blob(['version srcaddr\n', new Uint8Array(60 << 20)]);

test('engine_client.parallel_load_shares_parts_and_imports_in_order', async () => {
  const exported = new ArrayBuffer(8);
  const { client, workers } = parallelClient((msg, reply) => {
    assert.equal(msg.type, 'load');
    assert.equal(msg.data.exportData, true, 'a helper exports its data set');
    reply({ id: msg.id, type: 'progress', data: { bytesDone: 5, records: 3 } });
    reply({ id: msg.id, type: 'result', data: { files: [{ name: 'big.log', bytes: 2, records: 4, bad_lines: 1, headers: 0, error: '' }], loadedRecords: 4, cancelled: false, data: exported, timing: { exportMs: 3 } } });
  });
  const file = bigFile();
  const progress = [];
  const res = await client.load([{ name: 'big.log', file }], { onProgress: (p) => progress.push(p) });
  assert.equal(workers.length, 2);
  const engineSent = workers[0].sent.map((s) => s.msg);
  assert.deepEqual(engineSent.map((m) => m.type), ['load', 'import']);
  const [own] = engineSent[0].data.jobs;
  const [theirs] = workers[1].sent[0].msg.data.jobs;
  assert.equal(own.part.offset, 0);
  assert.equal(own.part.end, theirs.part.offset, 'the helper goes on where the engine stops');
  assert.equal(theirs.part.end, file.size);
  assert.equal(theirs.part.firstLine, 'version srcaddr');
  assert.equal(engineSent[1].data.buffers[0], exported);
  assert.deepEqual(workers[0].sent[1].transfer, [exported], 'the buffer is moved, not copied');
  assert.ok(workers[1].terminated, 'the helper is gone once its data is handed over');
  assert.equal(res.files.length, 1, 'one report per file');
  assert.deepEqual([res.files[0].records, res.files[0].bytes, res.files[0].bad_lines], [5, 3, 1]);
  assert.equal(res.loadedRecords, 999, "the engine's count after the import");
  assert.equal(progress.at(-1).totalBytes, file.size);
  assert.ok(progress.some((p) => p.bytesDone === 5 && p.records === 3));
});

test('engine_client.parallel_load_reads_a_failed_helpers_share_itself', async () => {
  const { client, workers } = parallelClient((msg, reply) => {
    reply({ id: msg.id, type: 'error', data: { name: 'EngineCrashed', message: 'out of memory' } });
  });
  const file = bigFile();
  const res = await client.load([{ name: 'big.log', file }]);
  const engineSent = workers[0].sent.map((s) => s.msg);
  assert.deepEqual(engineSent.map((m) => m.type), ['load', 'load']);
  assert.equal(engineSent[1].data.append, true, 'appended to what the engine read');
  assert.deepEqual(engineSent[1].data.jobs[0].part, workers[1].sent[0].msg.data.jobs[0].part);
  assert.equal(res.loadedRecords, file.size - engineSent[0].data.jobs[0].part.end);
  assert.equal(res.files.length, 1);
  assert.equal(res.files[0].records, 2);
});

test('engine_client.parallel_load_starts_over_in_one_worker_when_parts_cannot_merge', async () => {
  const workers = [];
  const client = new EngineClient(() => {
    const isEngine = workers.length === 0;
    const w = new FakeWorker((msg, reply) => {
      if (!isEngine) {
        reply({ id: msg.id, type: 'result', data: { files: [{ name: 'big.log', records: 1 }], loadedRecords: 1, cancelled: false, data: new ArrayBuffer(4) } });
      } else if (msg.type === 'import') {
        reply({ id: msg.id, type: 'error', data: { name: 'MergeError', message: 'merging the parsed files failed: load this file in one piece' } });
      } else if (msg.data.jobs) {
        reply({ id: msg.id, type: 'result', data: { files: [{ name: 'big.log', records: 1 }], loadedRecords: 1, cancelled: false } });
      } else {
        reply({ id: msg.id, type: 'result', data: { files: [{ name: 'big.log', records: 7 }], loadedRecords: 7, cancelled: false, whole: true } });
      }
    });
    workers.push(w);
    return w;
  }, { workers: 2 });
  const res = await client.load([{ name: 'big.log', file: bigFile() }]);
  const sent = workers[0].sent.map((s) => s.msg);
  assert.deepEqual(sent.map((m) => m.type), ['load', 'import', 'load']);
  assert.equal(sent[2].data.files.length, 1, 'the whole file list, in one worker');
  assert.equal(sent[2].data.append, false, 'from scratch');
  assert.equal(res.whole, true);
  assert.equal(res.loadedRecords, 7);
});

test('engine_client.init_says_whether_the_engine_may_merge', async () => {
  // The warm-up runs a parallel load's merge only when one can come: the most workers the
  // client's function gives (the page: mostParseWorkers), or its number of workers.
  const sentInit = async (options) => {
    const workers = [];
    const client = new EngineClient(() => {
      const w = new FakeWorker((msg, reply) => reply({ id: msg.id, type: 'result', data: {} }));
      workers.push(w);
      return w;
    }, options);
    await client.init();
    return workers[0].sent[0].msg.data;
  };
  assert.deepEqual(await sentInit({ workers: () => 1, mostWorkers: 1 }), { merges: false });
  assert.deepEqual(await sentInit({ workers: () => 1, mostWorkers: 2 }), { merges: true });
  assert.deepEqual(await sentInit({ workers: 3 }), { merges: true });
  assert.deepEqual(await sentInit({ workers: () => 1 }), { merges: true }, 'a function without its most: may merge');
});
