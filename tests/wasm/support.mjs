// support.mjs — what the Node tests of the wasm module share (not a test file itself): where the
// built module and the native CLI are, the test data, a fresh instance, and feeding a file.
//
// FLOWLENS_WASM_DIR: the emcmake build directory (default build-wasm); FLOWLENS_CLI: the native
// `flowlens` (default build/flowlens, made by `make build`).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const wasmDir = path.resolve(root, process.env.FLOWLENS_WASM_DIR ?? 'build-wasm');
export const cliPath = path.resolve(root, process.env.FLOWLENS_CLI ?? 'build/flowlens');
export const dataDir = path.join(root, 'tests/data');
export const DATA_FILES = [
  'documented-default.log',
  'documented-v5.log',
  'cloudwatch-filter-log-events.json',
  'firehose.jsonl',
  'cloudwatch-export.log',
  'messy.log',
];
export const DEFAULTS = Object.freeze({ top: 10, metric: 'bytes', bucket: 0, keys: '', scanPorts: 20, scanHosts: 20, sections: '' });

for (const [what, p] of [['module', path.join(wasmDir, 'flowlens-core.js')], ['native CLI', cliPath]]) {
  if (!fs.existsSync(p)) {
    throw new Error(`${what} not found at ${p}: build it (wasm/README.md, \`make build\`) or set ` +
      (what === 'module' ? 'FLOWLENS_WASM_DIR' : 'FLOWLENS_CLI'));
  }
}

const require = createRequire(import.meta.url);
const createFlowLensCore = require(path.join(wasmDir, 'flowlens-core.js'));
const wasmBinary = fs.readFileSync(path.join(wasmDir, 'flowlens-core.wasm'));

// A fresh instance: one data set each, so tests cannot see each other's files.
export const newCore = () => createFlowLensCore({ wasmBinary });

// Feeds `bytes` as one file in chunks of `chunk` bytes through one reused heap buffer, the way
// the worker does. HEAPU8 is re-read for every chunk: memory growth replaces the view.
export function loadBytes(core, name, bytes, { chunk = 65536, fields = '', end = (c) => c.endFile() } = {}) {
  assert.equal(core.beginFile(name, fields), '');
  const size = Math.max(1, Math.min(chunk, bytes.length));
  const ptr = core._malloc(size) >>> 0;  // >>> 0: addresses past 2 GiB come back negative
  assert.notEqual(ptr, 0);
  try {
    for (let off = 0; off < bytes.length; off += chunk) {
      const piece = bytes.subarray(off, off + chunk);
      core.HEAPU8.set(piece, ptr);
      core.feed(ptr, piece.length);
    }
  } finally {
    core._free(ptr);
  }
  return JSON.parse(end(core));
}
