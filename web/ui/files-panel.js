// files-panel.js — what was loaded: one row per file (records, bad lines, format, error), the
// notices above the dashboard, and the bad-lines summary with examples.

import { h, setChildren } from '../dom.js';
import { formatBytes, formatInt } from '../format.js';

export function renderFilesTable(table, files) {
  const head = h('thead', {}, h('tr', {},
    ['File', 'Size', 'Records', 'Bad lines', 'Read as', 'Status'].map((t) => h('th', { scope: 'col' }, t))));
  const body = h('tbody', {}, files.map((f) => {
    const fieldCount = f.format ? f.format.split(' ').length : 0;
    const readAs = [f.gzip ? 'gzip' : null, f.input_format, fieldCount ? `${fieldCount} fields` : null].filter(Boolean).join(' · ');
    const status = f.error ? h('span', { className: f.records > 0 ? 'status-warn' : 'status-error' }, errorText(f))
      : h('span', { className: 'status-ok' }, 'read');
    return h('tr', { className: f.error ? 'row-error' : '', dataset: { testid: 'file-row' } },
      h('td', { className: 'file-name', title: f.format ?? '' }, f.name),
      h('td', { className: 'num' }, formatBytes(f.bytes)),
      h('td', { className: 'num' }, formatInt(f.records)),
      h('td', { className: 'num' }, formatInt(f.bad_lines)),
      h('td', {}, readAs || '–'),
      h('td', {}, status));
  }));
  setChildren(table, head, body);
}

// A file's error, and whether what was read before it counts.
function errorText(f) {
  if (f.records > 0 && !f.partial) return `${f.error}; the ${formatInt(f.records)} records read before that are included`;
  return f.error;
}

/** Notices for the top of the dashboard: failed files, cancelled load. */
export function renderNotices(container, load) {
  const notes = [];
  const failed = load.files.filter((f) => f.error && !f.skipped && !f.partial);
  if (failed.length) {
    notes.push(h('div', { className: 'notice notice-error', role: 'alert', dataset: { testid: 'file-errors' } },
      h('strong', {}, failed.length === 1 ? 'A file had a problem. ' : `${failed.length} files had problems. `),
      'The other files were analysed.',
      h('ul', {}, failed.map((f) => h('li', {}, h('span', { className: 'file-name' }, f.name), `: ${errorText(f)}`)))));
  }
  if (load.cancelled) {
    const skipped = load.files.filter((f) => f.skipped).length;
    notes.push(h('div', { className: 'notice notice-warn', dataset: { testid: 'partial-notice' } },
      h('strong', {}, 'Partial data. '),
      `Loading was cancelled: the analysis covers the ${formatInt(load.loadedRecords)} records read before that`,
      skipped ? ` (${formatInt(skipped)} file${skipped === 1 ? '' : 's'} not read).` : '.'));
  }
  setChildren(container, notes);
}

export function renderBadLines(container, errors) {
  if (!errors || errors.bad_lines === 0) {
    setChildren(container, h('p', { className: 'muted' }, 'Every line was read.'));
    return;
  }
  const reasons = Object.entries(errors.by_reason).sort((a, b) => b[1] - a[1]);
  const summary = h('ul', { className: 'reasons' }, reasons.map(([k, v]) =>
    h('li', {}, h('span', { className: 'reason-key' }, k.replace(/_/g, ' ')), h('span', { className: 'num' }, formatInt(v)))));
  const examples = h('table', { className: 'examples', dataset: { testid: 'bad-line-examples' } },
    h('thead', {}, h('tr', {}, ['File', 'Line', 'Reason', 'Text'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, errors.examples.map((e) => h('tr', {},
      h('td', { className: 'file-name' }, e.file),
      h('td', { className: 'num' }, formatInt(e.line)),
      h('td', {}, e.reason_text, e.detail ? h('div', { className: 'muted' }, e.detail) : null),
      h('td', {}, h('code', { className: 'line-text' }, e.text))))));
  setChildren(container,
    h('p', {}, `${formatInt(errors.bad_lines)} line${errors.bad_lines === 1 ? ' was' : 's were'} skipped; the rest of each file was still read.`),
    summary,
    h('div', { className: 'table-wrap' }, examples));
}
