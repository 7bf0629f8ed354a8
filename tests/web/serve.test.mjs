// The static server: MIME types (application/wasm for streaming compilation), 127.0.0.1 only,
// no path escapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { serve } from '../../web/serve.mjs';

function get(url, path) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serve.mime_types_and_headers', async () => {
  const root = mkdtempSync(join(tmpdir(), 'flowlens-serve-'));
  mkdirSync(join(root, 'sample'));
  writeFileSync(join(root, 'index.html'), '<!doctype html>');
  writeFileSync(join(root, 'a.wasm'), Buffer.from([0, 97, 115, 109]));
  writeFileSync(join(root, 'app.js'), '1');
  writeFileSync(join(root, 'styles.css'), 'a{}');
  writeFileSync(join(root, 'sample', 'x.log.gz'), 'gz');
  const { server, url } = await serve(root, 0);
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(server.address().address, '127.0.0.1');
    const index = await get(url, '/');
    assert.equal(index.status, 200);
    assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(index.headers['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
    assert.equal(index.headers['x-content-type-options'], 'nosniff');
    assert.equal((await get(url, '/a.wasm')).headers['content-type'], 'application/wasm');
    assert.equal((await get(url, '/app.js')).headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal((await get(url, '/styles.css')).headers['content-type'], 'text/css; charset=utf-8');
    assert.equal((await get(url, '/sample/x.log.gz')).headers['content-type'], 'application/gzip');
    assert.equal((await get(url, '/missing.js')).status, 404);
    assert.equal((await get(url, '/../../../etc/passwd')).status, 404, 'URL normalisation keeps it inside');
    assert.equal((await get(url, '/%2e%2e/%2e%2e/etc/passwd')).status, 404);
    assert.equal((await get(url, '/..%2f..%2f..%2fetc%2fpasswd')).status, 403, 'encoded slashes cannot climb out');
  } finally {
    server.close();
  }
});
