// page-prelude.js — the single-file app's first script (dist/flowlens.html only; classic,
// inline, allowed by its sha256 in the page's CSP). It runs before the app and lets the
// unchanged app work from file://, where a page can neither fetch nor start a worker from a
// file:
//
// - `new Worker('worker.js')` starts the engine from a blob: URL instead, made from the
//   embedded worker source (the Emscripten glue, worker-prelude.js and the worker bundle) with
//   the embedded wasm (base64 of its gzip) and the reader thread's source put in front of it as
//   strings; the worker decodes the wasm and passes the bytes to the glue as `wasmBinary`, and
//   starts its reader thread from a blob: URL of that source.
// - `fetch()` of an embedded file (the sample) answers from the page itself. Any other
//   request goes to the real fetch, which the CSP (`connect-src 'none'`) refuses.
//
// Embedded files are inert data blocks at the end of <body>:
//   <script type="application/octet-stream" data-path="…" [data-gzip] [data-type="…"]>base64</script>
// They are read when first needed (after parsing: the app is a module script, run after it).
(() => {
  const RealWorker = window.Worker;
  const realFetch = window.fetch;

  const resolve = (url) => new URL(url, document.baseURI).href;
  const block = (path) => {
    const href = resolve(path);
    for (const el of document.querySelectorAll('script[type="application/octet-stream"][data-path]')) {
      if (resolve(el.dataset.path) === href) return el;
    }
    return null;
  };
  const base64 = (el) => el.textContent.replace(/\s+/g, '');
  const decode = (text) => (Uint8Array.fromBase64
    ? Uint8Array.fromBase64(text)
    : Uint8Array.from(atob(text), (c) => c.charCodeAt(0)));

  let workerUrl = null; // one blob: URL for the page's life (a crashed engine is restarted from it)
  function engineWorkerUrl() {
    if (!workerUrl) {
      const code = block('worker.js');
      const wasm = block('flowlens-core.wasm');
      const reader = block('reader-worker.js');
      if (!code || !wasm || !reader) throw new Error('this copy of FlowLens is damaged: the embedded engine is missing');
      const prefix = `self.flowlensWasm=${JSON.stringify({ base64: base64(wasm), gzip: wasm.hasAttribute('data-gzip') })};\n` +
        `self.flowlensReaderSource=${JSON.stringify(base64(reader))};\n`;
      workerUrl = URL.createObjectURL(new Blob([prefix, decode(base64(code))], { type: 'text/javascript' }));
    }
    return workerUrl;
  }

  window.Worker = class Worker extends RealWorker {
    constructor(url, options) {
      super(resolve(url) === resolve('worker.js') ? engineWorkerUrl() : url, options);
    }
  };

  window.fetch = function fetch(input, init) {
    const url = input instanceof Request ? input.url : String(input);
    const el = block(url);
    if (!el) return realFetch.call(window, input, init);
    let body = new Blob([decode(base64(el))]);
    if (el.hasAttribute('data-gzip')) body = body.stream().pipeThrough(new DecompressionStream('gzip'));
    const type = el.dataset.type || 'application/octet-stream';
    return Promise.resolve(new Response(body, { status: 200, headers: { 'Content-Type': type } }));
  };
})();
