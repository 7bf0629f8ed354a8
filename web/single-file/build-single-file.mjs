// build-single-file.mjs — dist/flowlens.html: the whole app in one HTML file that works opened
// straight from disk (file://), with no server. Called by web/build.mjs once dist/ is written;
// it reads dist/'s outputs (so the file runs exactly the bundles the site serves) and inlines:
//
//   styles.css            → <style>
//   favicon.svg           → data: URLs
//   page-prelude.js       → the first <script> (Worker and fetch of embedded files, see there)
//   app.js                → <script type="module">
//   flowlens-core.js + worker-prelude.js + worker.js
//                         → one worker source, embedded as base64, started from a blob: URL
//   reader-worker.js      → embedded as base64; the engine worker starts its reader thread
//                           from a blob: URL of it (worker-prelude.js)
//   flowlens-core.wasm    → embedded as base64 of its gzip, handed to the glue as wasmBinary
//   EMBEDDED_FILES        → embedded (base64) for fetch(): the "Try with sample data" file
//   app.js.LEGAL.txt      → an HTML comment at the top (the bundled libraries' notices)
//
// The CSP allows only these two inline scripts (by their sha256, computed here), this style
// element, data:/blob: images, blob: workers and WebAssembly; no connection at all
// (connect-src 'none'), so nothing can be loaded from or sent to another origin.
// Embedded bytes sit in inert data blocks (<script type="application/octet-stream">, never run).
import { transform } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));

/** Files of dist/ the app fetches at run time (relative URLs), embedded for fetch(). */
export const EMBEDDED_FILES = [
  { path: 'sample/flowlogs-sample.log.gz', type: 'application/gzip' },
];

export const SINGLE_FILE_NAME = 'flowlens.html';

const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

function fail(message) {
  throw new Error(`single-file build: ${message}`);
}

/** `text` with `pattern` replaced; fails unless it matched `count` times (or at least once: 0). */
function replaceChecked(text, pattern, replacement, what, count = 1) {
  const found = text.match(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`))?.length ?? 0;
  if (count ? found !== count : found === 0) {
    fail(`index.html: expected ${count || 'at least one'} ${what}, found ${found} (update web/single-file/build-single-file.mjs)`);
  }
  return text.replace(pattern, () => replacement);
}

// The HTML parser ends a script element's text at `</script` and treats `<!--` specially, a
// style element's at `</style`: inlined code must hold neither (esbuild escapes them in strings).
function checkInlinable(code, what, tag) {
  if (new RegExp(`</${tag}`, 'i').test(code) || (tag === 'script' && code.includes('<!--'))) {
    fail(`${what} holds "</${tag}" or "<!--" and cannot be inlined`);
  }
  return code;
}

const stripSourceMap = (code) => code.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');

function dataBlock(path, bytes, { gzip = false, type = '' } = {}) {
  const attrs = [`type="application/octet-stream"`, `data-path="${path}"`];
  if (gzip) attrs.push('data-gzip');
  if (type) attrs.push(`data-type="${type}"`);
  // Lines of 16 KiB: some editors choke on one line of megabytes.
  const b64 = Buffer.from(bytes).toString('base64').replace(/.{16384}/g, '$&\n');
  return `<script ${attrs.join(' ')}>\n${b64}\n</script>`;
}

/** gzip when it saves at least a tenth (the sample is gzip already). */
function packed(bytes) {
  const gz = gzipSync(bytes, { level: 9 });
  return gz.length < bytes.length * 0.9 ? { bytes: gz, gzip: true } : { bytes, gzip: false };
}

async function minifyScript(file, target) {
  const { code } = await transform(readFileSync(join(here, file), 'utf8'), {
    minify: true, target, format: 'iife', legalComments: 'none', logLevel: 'warning',
  });
  return code;
}

/**
 * Writes dist/flowlens.html from the files already in `dist`. Returns {path, bytes, parts}
 * (parts: what each piece weighs in the file, for the build's report).
 */
export async function buildSingleFile({ dist, target = ['chrome111', 'firefox113', 'safari16.4'] }) {
  const read = (f) => {
    const p = join(dist, f);
    if (!existsSync(p)) fail(`${p} is missing`);
    return readFileSync(p);
  };
  const text = (f) => read(f).toString('utf8');

  const css = checkInlinable(text('styles.css'), 'styles.css', 'style');
  const prelude = checkInlinable(await minifyScript('page-prelude.js', target), 'page-prelude.js', 'script');
  const app = checkInlinable(stripSourceMap(text('app.js')), 'app.js', 'script');
  const workerSource = [
    stripSourceMap(text('flowlens-core.js')),
    await minifyScript('worker-prelude.js', target),
    stripSourceMap(text('worker.js')),
  ].join('\n;\n');
  const wasm = packed(read('flowlens-core.wasm'));
  const favicon = `data:image/svg+xml;base64,${read('favicon.svg').toString('base64')}`;
  const legal = existsSync(join(dist, 'app.js.LEGAL.txt')) ? text('app.js.LEGAL.txt') : '';

  const csp = [
    "default-src 'none'",
    `script-src ${sha256(prelude)} ${sha256(app)} 'wasm-unsafe-eval'`,
    `style-src ${sha256(css)}`,
    'img-src data: blob:',
    "connect-src 'none'",
    'worker-src blob:',
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

  const blocks = [
    dataBlock('worker.js', Buffer.from(workerSource, 'utf8')),
    dataBlock('reader-worker.js', Buffer.from(stripSourceMap(text('reader-worker.js')), 'utf8')),
    dataBlock('flowlens-core.wasm', wasm.bytes, { gzip: wasm.gzip, type: 'application/wasm' }),
  ];
  const parts = {
    'app.js': Buffer.byteLength(app),
    'styles.css': Buffer.byteLength(css),
    'worker (glue + worker, base64)': blocks[0].length,
    'reader thread (base64)': blocks[1].length,
    [`wasm (${wasm.gzip ? 'gzip, ' : ''}base64)`]: blocks[2].length,
  };
  for (const { path, type } of EMBEDDED_FILES) {
    const file = packed(read(path));
    const block = dataBlock(path, file.bytes, { gzip: file.gzip, type });
    blocks.push(block);
    parts[`${path} (base64)`] = block.length;
  }

  // index.html first, with placeholders for the code: the code is not markup to be searched.
  const slot = (name) => `\u0000${name}\u0000`;
  let html = text('index.html');
  html = replaceChecked(html, /(?:<!--(?:(?!-->)[^])*-->\s*)?<meta http-equiv="Content-Security-Policy" content="[^"]*">/,
    '<!-- Nothing from any other origin, and no connection at all: the inline scripts and style\n' +
    "       are allowed by their sha256, the engine runs in a blob: worker, 'wasm-unsafe-eval' lets\n" +
    '       it compile its WebAssembly. -->\n' +
    `  <meta http-equiv="Content-Security-Policy" content="${csp}">`, 'CSP meta');
  html = replaceChecked(html, /<link rel="stylesheet" href="styles\.css">/, slot('style'), 'styles.css link');
  html = replaceChecked(html, /<script type="module" src="app\.js"><\/script>/, slot('scripts'), 'app.js script');
  html = replaceChecked(html, /(?<=(?:href|src)=")favicon\.svg(?=")/g, favicon, 'favicon reference', 0);
  // "Start over" links to the site's root; here that is this file (an empty reference).
  html = html.replace(/(<a class="brand" href=")\.\/(")/, '$1$2');
  html = replaceChecked(html, /<\/body>/, `${slot('blocks')}\n</body>`, '</body>');
  // Nothing left may point at another file: it could not be loaded from file:// anyway.
  for (const [, attr, value] of html.matchAll(/\s(src|href)="([^"]*)"/g)) {
    if (value !== '' && !value.startsWith('#') && !value.startsWith('data:')) {
      fail(`index.html refers to ${attr}="${value}": inline it in web/single-file/build-single-file.mjs`);
    }
  }
  const code = {
    style: `<style>${css}</style>`,
    scripts: `<script>${prelude}</script>\n  <script type="module">${app}</script>`,
    blocks: blocks.join('\n'),
  };
  html = html.replace(/\u0000(\w+)\u0000/g, (_, name) => code[name]);
  if (legal) {
    const comment = legal.replace(/--!?>|<!--/g, (m) => m.split('').join(' '));
    html = html.replace(/^<!doctype html>\n/i, (m) => `${m}<!-- FlowLens, single-file build (web/single-file/). ${comment.trim()}\n-->\n`);
  }

  const out = join(dist, SINGLE_FILE_NAME);
  writeFileSync(out, html);
  return { path: out, bytes: Buffer.byteLength(html), parts };
}
