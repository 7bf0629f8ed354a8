// worker-prelude.js — runs in the single-file app's engine worker between the Emscripten glue
// and the worker bundle (web/worker.js). The page put `self.flowlensWasm = {base64, gzip}` and
// `self.flowlensReaderSource` (base64 of reader-worker.js) in front of the worker's source
// (page-prelude.js). This turns the first into `self.flowlensEmbeddedWasm()`, a promise of the
// wasm bytes, which worker.js passes to the glue as `wasmBinary` instead of fetching
// flowlens-core.wasm, and the second into `self.flowlensReaderUrl`, a blob: URL worker.js starts
// its reader thread from (a blob: worker cannot start one from a relative path).
(() => {
  const decode = (text) => (Uint8Array.fromBase64
    ? Uint8Array.fromBase64(text)
    : Uint8Array.from(atob(text), (c) => c.charCodeAt(0)));
  const reader = self.flowlensReaderSource;
  if (reader) {
    delete self.flowlensReaderSource;
    self.flowlensReaderUrl = URL.createObjectURL(new Blob([decode(reader)], { type: 'text/javascript' }));
  }
  const embedded = self.flowlensWasm;
  if (!embedded) return;
  delete self.flowlensWasm;
  self.flowlensEmbeddedWasm = async () => {
    const bytes = decode(embedded.base64);
    if (!embedded.gzip) return bytes;
    // A Response over a local stream: no request is made (the CSP allows none).
    const plain = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(plain).arrayBuffer());
  };
})();
