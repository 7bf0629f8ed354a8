// records-table.js — one page of the filtered records (never more rows than a page in the DOM).

import { h, setChildren } from '../dom.js';
import { cellText, isFilterableField, formatInt } from '../format.js';
import { equals } from '../filter-model.js';

export function renderRecords(table, page, onFilter) {
  const fields = page.fields ?? [];
  if (!page.rows || page.rows.length === 0) {
    setChildren(table, h('tbody', {}, h('tr', {}, h('td', { className: 'muted' }, 'No records match the filter.'))));
    return;
  }
  const head = h('thead', {}, h('tr', {}, fields.map((f) => h('th', { scope: 'col' }, f))));
  const body = h('tbody', {}, page.rows.map((row) => h('tr', {}, fields.map((f) => {
    const v = row[f];
    const text = cellText(f, v);
    const cls = [`col-${f.replace(/[^a-z0-9-]/gi, '')}`];
    if (f === 'action' && v) cls.push(`action-${String(v).toLowerCase()}`);
    if (v === null || v === undefined || !isFilterableField(f)) return h('td', { className: cls.join(' ') }, text);
    const cond = equals(f, v);
    return h('td', { className: cls.join(' ') },
      h('button', { type: 'button', className: 'cell-link', title: `Filter: ${cond}`, onclick: () => onFilter(cond) }, text));
  }))));
  setChildren(table, head, body);
}

export function pagerText(offset, count, total) {
  if (total === 0) return 'No records';
  return `Rows ${formatInt(offset + 1)}–${formatInt(offset + count)} of ${formatInt(total)}`;
}
