// reader-thread.js — the engine worker's side of its file reader thread (reader-worker.js has
// the protocol and the reason for the thread). startReaderThread(url) starts the thread and
// resolves once it runs, or with null when it cannot start (no nested workers, a policy that
// forbids it): the engine worker then reads files itself, as before, only more slowly.
// ReaderThread.read(job, …) reads one job: each chunk is fed to the core on this thread while
// the reader reads the next ones; it resolves with readJob's outcome (worker-reader.js).

const AHEAD = 3; // chunks read ahead of the parse (3 × 4 MiB in flight at most)

export function startReaderThread(url) {
  return new Promise((resolve) => {
    let worker;
    try {
      worker = new Worker(url, { name: 'flowlens-reader' });
    } catch (err) {
      console.warn('[flowlens] the file reader thread could not start, reading on the engine thread:', err);
      resolve(null);
      return;
    }
    worker.onmessage = (e) => {
      if (e.data?.type === 'ready') resolve(new ReaderThread(worker));
    };
    worker.onerror = (e) => {
      e.preventDefault?.();
      console.warn('[flowlens] the file reader thread failed to start, reading on the engine thread:', e.message);
      worker.terminate();
      resolve(null);
    };
  });
}

export class ReaderThread {
  constructor(worker) {
    this.worker = worker;
    this.nextId = 1;
    this.failed = null; // why the thread died, if it did: then it is not used again
    // The reads started and not ended, by id: the thread takes them in order, and a load may
    // start the next ones before the current one ends (start()).
    this.reads = new Map(); // id → {message(msg), fail()}
    worker.onmessage = (e) => this.reads.get(e.data?.id)?.message(e.data);
    worker.onerror = (e) => {
      e.preventDefault?.();
      this.failed = e.message || 'worker error';
      for (const read of [...this.reads.values()]) read.fail();
    };
  }

  /** False once the thread has failed: the caller reads files itself then. */
  get usable() {
    return this.failed === null;
  }

  /**
   * Reads `job` ({file, part}) on the reader thread. feed(Uint8Array) gets every decoded chunk in
   * order (on this thread); done() is asked after each (a part's last line is in); onBytes(n) the
   * file's bytes read so far; shouldStop() is asked before each chunk is fed, and once it says
   * yes, nothing more is fed and the outcome says stopped. A throw from feed() (the engine
   * died) stops the reader and rejects. chunkSize: the reader's slice and batch size.
   */
  read(job, opts) {
    return this.start(job, { chunkSize: opts.chunkSize }).consume(opts);
  }

  /**
   * Starts reading `job` and keeps its chunks until consume(opts) (read()'s options but
   * chunkSize) feeds them: a load starts the next files (gzipped, or small) on its reader
   * threads while the parse is still on the current one, so that two cores gunzip and no file's
   * start waits for its reader (worker.js readsAhead). The thread reads
   * the jobs started on it in the order they were started. At most `ahead` chunks of a job are
   * read and not yet fed. stop() ends a read that will not be consumed.
   */
  start(job, { chunkSize, ahead = AHEAD }) {
    const id = this.nextId++;
    const worker = this.worker;
    const held = []; // chunk messages not fed yet
    let ended = null; // the 'end' message's outcome, once it came
    let sink = null; // consume()'s state, once called
    let stopping = false;
    let bytesFed = 0; // the file's bytes read when the last fed chunk was read
    const stop = () => {
      if (stopping) return;
      stopping = true;
      worker.postMessage({ type: 'stop', id });
    };
    const finish = () => sink.resolve(stopping ? { ...ended, bytesRead: bytesFed, stopped: true, error: null } : ended);
    // Feeds one chunk to the consumer; false once it stopped (a cancel, or feed() threw).
    const take = (msg) => {
      const { opts, reject } = sink;
      if (stopping) return false;
      if (opts.shouldStop?.()) {
        stop();
        return false;
      }
      try {
        opts.feed(new Uint8Array(msg.buf, 0, msg.length));
      } catch (err) {
        stop();
        reject(err);
        return false;
      }
      bytesFed = msg.bytes;
      opts.onBytes?.(msg.bytes);
      // The buffer goes back to be read into again (feed() copied what it needed).
      worker.postMessage({ type: 'ack', id, done: Boolean(opts.done?.()), buf: msg.buf }, [msg.buf]);
      return true;
    };
    this.reads.set(id, {
      message: (msg) => {
        if (msg.type === 'chunk') {
          if (sink) take(msg);
          else if (!stopping) held.push(msg);
        } else if (msg.type === 'end') {
          this.reads.delete(id);
          ended = msg.outcome;
          if (sink) finish();
        }
      },
      fail: () => {
        this.reads.delete(id);
        ended = { bytesRead: bytesFed, stopped: false, error: `reading stopped: the file reader thread failed (${this.failed})` };
        if (sink) sink.resolve(ended);
      },
    });
    worker.postMessage({ type: 'read', id, job: { file: job.file, part: job.part ?? null }, chunkSize, ahead });
    return {
      consume: (opts) => new Promise((resolve, reject) => {
        sink = { opts, resolve, reject };
        while (held.length && take(held.shift()));
        held.length = 0;
        if (ended) finish();
      }),
      stop,
    };
  }
}
