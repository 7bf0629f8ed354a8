// fixtures.mjs — analysis documents for the unit tests, made by the native CLI (the same core
// the page runs), plus a small hand-written document with hostile text in it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = resolve(ROOT, process.env.FLOWLENS_CLI ?? 'build/flowlens');
const tmp = mkdtempSync(join(tmpdir(), 'flowlens-web-'));

export const haveCli = existsSync(CLI);

export function analyze(files, args = []) {
  return JSON.parse(execFileSync(CLI, ['analyze', ...args, ...files], { maxBuffer: 256 << 20 }).toString());
}

let sampleDoc = null;
/** `flowlens analyze` of the bundled sample (50,000 records, seed 7). */
export function sample(args = []) {
  const file = join(tmp, 'sample.log.gz');
  if (!existsSync(file)) execFileSync(CLI, ['generate', '--records', '50000', '--seed', '7', '-o', file]);
  if (args.length === 0) return (sampleDoc ??= analyze([file]));
  return analyze([file], args);
}

export function documented() {
  return analyze([join(ROOT, 'tests', 'data', 'documented-default.log')]);
}

export const XSS = '<img/src=x/onerror=alert(1)>';

/** A log whose text columns hold HTML, and its analysis. */
export function hostile() {
  const file = join(tmp, 'hostile.log');
  writeFileSync(file, [
    'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
    `2 ${XSS} eni-<script>x</script> 10.0.0.1 10.0.0.2 1234 22 6 10 1000 1700000000 1700000060 ACCEPT OK`,
    `2 ${XSS} eni-<script>x</script> 203.0.113.9 10.0.0.2 1234 23 6 1 40 1700000000 1700000060 REJECT OK`,
  ].join('\n') + '\n');
  return analyze([file]);
}
