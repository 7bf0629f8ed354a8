// worker-prelude.js — runs in the single-file app's engine worker between the Emscripten glue
// and the worker bundle (web/worker.js). The page put `self.flowlensWasm = {base64, gzip}` in
// front of the worker's source (page-prelude.js); this turns it into
// `self.flowlensEmbeddedWasm()`, a promise of the wasm bytes, which worker.js passes to the glue
// as `wasmBinary` instead of fetching flowlens-core.wasm.
(() => {
  const embedded = self.flowlensWasm;
  if (!embedded) return;
  delete self.flowlensWasm;
  const decode = (text) => (Uint8Array.fromBase64
    ? Uint8Array.fromBase64(text)
    : Uint8Array.from(atob(text), (c) => c.charCodeAt(0)));
  self.flowlensEmbeddedWasm = async () => {
    const bytes = decode(embedded.base64);
    if (!embedded.gzip) return bytes;
    // A Response over a local stream: no request is made (the CSP allows none).
    const plain = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(plain).arrayBuffer());
  };
})();
