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
    worker.onerror = (e) => {
      e.preventDefault?.();
      this.failed = e.message || 'worker error';
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
  read(job, { feed, done = () => false, onBytes = () => {}, shouldStop = () => false, chunkSize }) {
    const id = this.nextId++;
    const worker = this.worker;
    return new Promise((resolve, reject) => {
      let stopping = false;
      let bytesFed = 0; // the file's bytes read when the last fed chunk was read
      const stop = () => {
        stopping = true;
        worker.postMessage({ type: 'stop', id });
      };
      worker.onmessage = (e) => {
        const msg = e.data ?? {};
        if (msg.id !== id) return;
        if (msg.type === 'chunk') {
          if (stopping) return;
          if (shouldStop()) {
            stop();
            return;
          }
          try {
            feed(new Uint8Array(msg.buf, 0, msg.length));
          } catch (err) {
            stop();
            reject(err);
            return;
          }
          bytesFed = msg.bytes;
          onBytes(msg.bytes);
          // The buffer goes back to be read into again (feed() copied what it needed).
          worker.postMessage({ type: 'ack', id, done: Boolean(done()), buf: msg.buf }, [msg.buf]);
        } else if (msg.type === 'end') {
          resolve(stopping ? { ...msg.outcome, bytesRead: bytesFed, stopped: true, error: null } : msg.outcome);
        }
      };
      worker.onerror = (e) => {
        e.preventDefault?.();
        this.failed = e.message || 'worker error';
        resolve({ gzip: false, members: 1, bytesRead: bytesFed, stopped: false, error: `reading stopped: the file reader thread failed (${this.failed})` });
      };
      worker.postMessage({ type: 'read', id, job: { file: job.file, part: job.part ?? null }, chunkSize, ahead: AHEAD });
    });
  }
}
