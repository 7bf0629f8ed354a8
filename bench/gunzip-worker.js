// gunzip-worker.js — the bench page's decompression worker (a classic dedicated Web Worker, served
// by browser.mjs at /__bench/gunzip-worker.js on the bench's one 127.0.0.1 origin). The `gunzip`
// case's baseline: what decompression alone costs in this browser, nothing done with the output.
//   ← { ready: true }                                   once started
//   → { files: [File, …] }                              its files, read one after another
//   ← { bytes, compressed, seconds, files } | { error }  decompressed bytes, time in this worker
// Each File is read through file.stream().pipeThrough(new DecompressionStream('gzip')) to the end.

async function drain(file) {
  const reader = file.stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return n;
    n += value.byteLength;
  }
}

self.onmessage = async (e) => {
  try {
    const files = e.data.files;
    const t0 = performance.now();
    let bytes = 0;
    let compressed = 0;
    for (const f of files) {
      bytes += await drain(f);
      compressed += f.size;
    }
    self.postMessage({ bytes, compressed, seconds: (performance.now() - t0) / 1e3, files: files.length });
  } catch (err) {
    self.postMessage({ error: String(err?.message ?? err) });
  }
};
self.postMessage({ ready: true });
