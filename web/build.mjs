// build.mjs — builds the static site into dist/ (any static host can serve it as is):
//   index.html, styles.css, favicon.svg    copied from web/
//   app.js                                 the page (ECharts bundled in, same origin)
//   worker.js                              the engine worker
//   reader-worker.js                       the engine worker's file reader thread
//   flowlens-core.js + .wasm               the core, from $FLOWLENS_WASM_DIR (default build-wasm)
//   sample/flowlogs-sample.log.gz          `$FLOWLENS_CLI generate --records 50000 --seed 7`
//                                          ($FLOWLENS_CLI defaults to build/flowlens)
//   report-template.html                   the shareable report's template (web/report/, docs/report.md);
//                                          app.js carries it too (reportTemplatePlugin)
//   flowlens.html                          all of the above in one file that works from file://
//                                          (web/single-file/build-single-file.mjs)
// Usage: node web/build.mjs   (FLOWLENS_SOURCEMAP=1 adds source maps; FLOWLENS_DIST sets dist/;
//   FLOWLENS_MINIFY=0 keeps names and lines, for CPU profiles: PROFILE=1 bench/browser-probe.mjs)
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSingleFile } from './single-file/build-single-file.mjs';
import { buildReportTemplate, reportTemplatePlugin } from './report/build-template.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
const dist = resolve(root, process.env.FLOWLENS_DIST ?? 'dist');
const wasmDir = resolve(root, process.env.FLOWLENS_WASM_DIR ?? 'build-wasm');
const cli = resolve(root, process.env.FLOWLENS_CLI ?? 'build/flowlens');
const sourcemap = process.env.FLOWLENS_SOURCEMAP === '1';

function fail(message) {
  console.error(`web/build.mjs: ${message}`);
  process.exit(1);
}

const wasmFiles = ['flowlens-core.js', 'flowlens-core.wasm'];
for (const f of wasmFiles) {
  if (!existsSync(join(wasmDir, f))) {
    fail(`${join(wasmDir, f)} is missing: build the wasm module first ` +
      '(NODE_PATH=/usr/share/nodejs emcmake cmake -S . -B build-wasm -G Ninja -DFLOWLENS_TESTS=OFF && ' +
      'NODE_PATH=/usr/share/nodejs cmake --build build-wasm), or set FLOWLENS_WASM_DIR');
  }
}
if (!existsSync(cli)) fail(`${cli} is missing: build the CLI first (make build), or set FLOWLENS_CLI`);

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'sample'), { recursive: true });

// The report template first: the page's bundle embeds it (import 'flowlens:report-template').
const reportTemplate = await buildReportTemplate();
writeFileSync(join(dist, 'report-template.html'), reportTemplate.html);

const common = {
  bundle: true,
  minify: process.env.FLOWLENS_MINIFY !== '0',
  sourcemap,
  target: ['chrome111', 'firefox113', 'safari16.4'],
  legalComments: 'external', // ECharts' Apache-2.0 notices go to *.LEGAL.txt
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  plugins: [reportTemplatePlugin(reportTemplate.html)],
};

await Promise.all([
  build({ ...common, entryPoints: [join(web, 'app.js')], outfile: join(dist, 'app.js'), format: 'esm' }),
  // A classic worker: it loads the Emscripten glue with importScripts.
  build({ ...common, entryPoints: [join(web, 'worker.js')], outfile: join(dist, 'worker.js'), format: 'iife' }),
  build({ ...common, entryPoints: [join(web, 'reader-worker.js')], outfile: join(dist, 'reader-worker.js'), format: 'iife' }),
]);

for (const f of ['index.html', 'favicon.svg']) copyFileSync(join(web, f), join(dist, f));
// styles.css @imports the tooltip classes it shares with the report: bundled into one file.
await build({ entryPoints: [join(web, 'styles.css')], bundle: true, outfile: join(dist, 'styles.css'), logLevel: 'error' });
for (const f of wasmFiles) copyFileSync(join(wasmDir, f), join(dist, f));

execFileSync(cli, ['generate', '--records', '50000', '--seed', '7', '-o', join(dist, 'sample', 'flowlogs-sample.log.gz')], { stdio: 'inherit' });

// The single-file app, from what is in dist/ now (keep this after everything it inlines).
const single = await buildSingleFile({ dist, target: common.target });

// A short report of what was written.
function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
let total = 0;
for (const p of walk(dist).sort()) {
  const size = statSync(p).size;
  total += size;
  console.log(`  ${relative(root, p).padEnd(40)} ${(size / 1024).toFixed(1).padStart(9)} KiB`);
}
console.log(`  ${'dist/ total'.padEnd(40)} ${(total / 1024).toFixed(1).padStart(9)} KiB`);
console.log(`  ${relative(root, single.path)} (${(single.bytes / 1e6).toFixed(2)} MB) holds:`);
for (const [part, bytes] of Object.entries(single.parts)) console.log(`    ${part.padEnd(38)} ${(bytes / 1024).toFixed(1).padStart(9)} KiB`);
