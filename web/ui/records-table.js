// records-table.js — one page of the filtered records (never more rows than a page in the DOM).
//
// A new page with the same columns updates the cells already there (text, class, the filter a
// cell's button adds) instead of building the table again: a page is 50 rows × up to 30 cells,
// and rebuilding them all made style and layout redo every cell on each filter change. The DOM
// it leaves is the one a fresh build gives. One click listener on the table serves every cell.

import { h, setChildren } from '../dom.js';
import { cellText, isFilterableField, formatInt } from '../format.js';
import { equals } from '../filter-model.js';

const tables = new WeakMap(); // table → { onFilter, fields (the header's, joined) }
const conditions = new WeakMap(); // a cell's button → the condition it adds

/** What cell (field, value) shows: its class, its text and the condition it adds (or null). */
function cellSpec(f, v) {
  const cls = [`col-${f.replace(/[^a-z0-9-]/gi, '')}`];
  if (f === 'action' && v) cls.push(`action-${String(v).toLowerCase()}`);
  const cond = v === null || v === undefined || !isFilterableField(f) ? null : equals(f, v);
  return { className: cls.join(' '), text: cellText(f, v), cond };
}

function button(text, cond) {
  const b = h('button', { type: 'button', className: 'cell-link', title: `Filter: ${cond}` }, text);
  conditions.set(b, cond);
  return b;
}

function newCell(spec) {
  if (spec.cond === null) return h('td', { className: spec.className }, spec.text);
  return h('td', { className: spec.className }, button(spec.text, spec.cond));
}

/** Makes `td` show `spec`, touching only what differs. */
function updateCell(td, spec) {
  if (td.className !== spec.className) td.className = spec.className;
  const first = td.firstChild;
  const b = first && first.nodeType === 1 && first.tagName === 'BUTTON' && td.childNodes.length === 1 ? first : null;
  if (spec.cond === null) {
    if (b || td.childNodes.length !== 1 || td.textContent !== spec.text) td.replaceChildren(spec.text);
    return;
  }
  if (!b) {
    td.replaceChildren(button(spec.text, spec.cond));
    return;
  }
  if (b.childNodes.length !== 1 || b.textContent !== spec.text) b.replaceChildren(spec.text);
  if (conditions.get(b) !== spec.cond) {
    b.title = `Filter: ${spec.cond}`;
    conditions.set(b, spec.cond);
  }
}

function listen(table, onFilter) {
  let t = tables.get(table);
  if (!t) {
    t = { onFilter, fields: null };
    tables.set(table, t);
    table.addEventListener('click', (e) => {
      const b = e.target instanceof Element ? e.target.closest('button.cell-link') : null;
      const cond = b && table.contains(b) ? conditions.get(b) : undefined;
      if (cond !== undefined) t.onFilter(cond);
    });
  }
  t.onFilter = onFilter;
  return t;
}

export function renderRecords(table, page, onFilter) {
  const t = listen(table, onFilter);
  const fields = page.fields ?? [];
  if (!page.rows || page.rows.length === 0) {
    t.fields = null;
    setChildren(table, h('tbody', {}, h('tr', {}, h('td', { className: 'muted' }, 'No records match the filter.'))));
    return;
  }
  const key = fields.join('\n');
  const body = table.tBodies[0];
  if (t.fields !== key || !table.tHead || !body || table.tBodies.length !== 1) {
    t.fields = key;
    const head = h('thead', {}, h('tr', {}, fields.map((f) => h('th', { scope: 'col' }, f))));
    const rows = page.rows.map((row) => h('tr', {}, fields.map((f) => newCell(cellSpec(f, row[f])))));
    setChildren(table, head, h('tbody', {}, rows));
    return;
  }
  // Same columns: update the rows there, add or drop the difference.
  const trs = body.rows;
  while (trs.length > page.rows.length) trs[trs.length - 1].remove();
  page.rows.forEach((row, i) => {
    if (i >= trs.length) {
      body.append(h('tr', {}, fields.map((f) => newCell(cellSpec(f, row[f])))));
      return;
    }
    const cells = trs[i].cells;
    fields.forEach((f, k) => updateCell(cells[k], cellSpec(f, row[f])));
  });
}

export function pagerText(offset, count, total) {
  if (total === 0) return 'No records';
  return `Rows ${formatInt(offset + 1)}–${formatInt(offset + count)} of ${formatInt(total)}`;
}
