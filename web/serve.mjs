// serve.mjs — a tiny static file server for dist/ (node:http, no dependencies), bound to
// 127.0.0.1 only. Used by `make run` and by the end-to-end tests.
//   node web/serve.mjs [DIR] [PORT]     (DIR default dist/; PORT also from $PORT, default 8080,
//                                        0 = any free port)
// Prints the URL once listening. Import createStaticServer() to run it inside another process.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.gz': 'application/gzip',
  '.log': 'text/plain; charset=utf-8',
};

// The page's policy again as a header: it then also covers the worker (a meta tag cannot).
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
  "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** A server for the files under `root`. Call .listen(port, '127.0.0.1'). */
export function createStaticServer(root, { log = () => {} } = {}) {
  const base = resolve(root);
  return createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end();
      return;
    }
    let st;
    try {
      st = statSync(file);
    } catch {
      st = null;
    }
    if (!st || !st.isFile()) {
      log(`404 ${req.url}`);
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': st.size,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': CSP,
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  });
}

/** Starts a server on 127.0.0.1 and resolves with {server, url} once it listens. */
export function serve(root, port = 0) {
  const server = createStaticServer(root);
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: actual } = server.address();
      resolvePromise({ server, url: `http://127.0.0.1:${actual}/` });
    });
  });
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  // Arguments in any order: a number is the port, anything else the folder to serve
  // (`--root DIR` and `--port N` also work).
  let root = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
  let port = Number(process.env.PORT ?? 8080);
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i];
    if (a === '--root') root = args[++i];
    else if (a === '--port') port = Number(args[++i]);
    else if (/^\d+$/.test(a)) port = Number(a);
    else root = a;
  }
  try {
    statSync(join(root, 'index.html'));
  } catch {
    console.error(`serve.mjs: ${resolve(root)}/index.html not found: run \`npm run build:web\` first`);
    process.exit(1);
  }
  serve(root, port).then(({ url }) => {
    console.log(`FlowLens is served at ${url}  (Ctrl+C to stop)`);
  }, (err) => {
    console.error(`serve.mjs: ${err.message}`);
    process.exit(1);
  });
}
