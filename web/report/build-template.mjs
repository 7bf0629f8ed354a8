// build-template.mjs — builds the report template (docs/report.md): ONE self-contained HTML file
// with the renderer (report.js, ECharts tree-shaken in) and the styles inlined, a
// Content-Security-Policy that allows exactly that inline script and style by their SHA-256
// hashes (and nothing from anywhere), and the data marker in the data element.
// Used by web/build.mjs; Node only.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MARKER, countMarkers } from './embed.js';

const here = dirname(fileURLToPath(import.meta.url));

const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Fills {{NAME}} placeholders (function replacers: the code holds `$` sequences). */
function fill(skeleton, values) {
  let out = skeleton;
  for (const [name, value] of Object.entries(values)) {
    const token = `{{${name}}}`;
    if (out.split(token).length !== 2) throw new Error(`template.html must hold ${token} once`);
    out = out.replace(token, () => value);
  }
  return out;
}

/** `text` may sit inside <script> or <style> as raw text: nothing in it can end the element. */
function assertInlineSafe(text, tag) {
  const lower = text.toLowerCase();
  for (const bad of [`</${tag}`, '<!--', '<script']) {
    if (lower.includes(bad)) throw new Error(`the inlined ${tag} contains "${bad}", which would break the report's HTML`);
  }
}

/**
 * Builds the template. Returns { html, script, style, csp }.
 * `minify` defaults to true; `target` follows the page's.
 */
export async function buildReportTemplate({ minify = true, target = ['chrome111', 'firefox113', 'safari16.4'] } = {}) {
  const result = await build({
    entryPoints: [join(here, 'report.js')],
    bundle: true,
    minify,
    write: false,
    format: 'iife',
    target,
    legalComments: 'eof', // ECharts' Apache-2.0 notice travels with the report
    charset: 'utf8',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const script = result.outputFiles[0].text.trimEnd();
  // Bundled, not transformed: report.css @imports the tooltip classes it shares with the page.
  const css = await build({ entryPoints: [join(here, 'report.css')], bundle: true, minify, write: false, logLevel: 'error' });
  const style = css.outputFiles[0].text.trimEnd();
  assertInlineSafe(script, 'script');
  assertInlineSafe(style, 'style');
  if (script.includes(MARKER) || style.includes(MARKER)) throw new Error('the renderer must not contain the data marker');

  const csp = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    'img-src data:',
    "connect-src 'none'",
    "font-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const html = fill(readFileSync(join(here, 'template.html'), 'utf8'), { CSP: csp, STYLE: style, SCRIPT: script });
  if (countMarkers(html) !== 1) throw new Error(`the report template must hold ${MARKER} exactly once`);
  return { html, script, style, csp };
}

/**
 * An esbuild plugin: `import packed from 'flowlens:report-template'` gives the template as
 * gzip + base64 (web/report/template-source.js unpacks it), so the page and the single-file
 * app carry the template without fetching it. `html` is buildReportTemplate()'s html.
 */
export function reportTemplatePlugin(html) {
  const packed = gzipSync(Buffer.from(html, 'utf8'), { level: 9 }).toString('base64');
  return {
    name: 'flowlens-report-template',
    setup(b) {
      b.onResolve({ filter: /^flowlens:report-template$/ }, (args) => ({ path: args.path, namespace: 'flowlens-report-template' }));
      b.onLoad({ filter: /.*/, namespace: 'flowlens-report-template' }, () => ({
        contents: `export default ${JSON.stringify(packed)};`,
        loader: 'js',
      }));
    },
  };
}
