// filter-bar.js — the filter input, the active conditions as removable chips, and inline errors.
// It holds no filter state: app.js passes the conditions in and gets intents back.

import { byId, h, setChildren, show } from '../dom.js';

export class FilterBar {
  /**
   * @param {object} cb  { onSubmit(text), onRemove(index), onEdit(index), onClear() }
   */
  constructor(cb) {
    this.cb = cb;
    this.input = byId('filter-input');
    this.error = byId('filter-error');
    this.chips = byId('chips');
    byId('filter-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const text = this.input.value.trim();
      if (text) cb.onSubmit(text);
    });
    byId('filter-clear').addEventListener('click', () => cb.onClear());
    this.input.addEventListener('input', () => this.clearError());
  }

  render(conditions) {
    if (conditions.length === 0) {
      setChildren(this.chips, h('span', { className: 'chips-empty' }, 'No filter: every record is included. Type a condition above or click a bar, a node or a time range.'));
      return;
    }
    setChildren(this.chips, h('span', { className: 'chips-label' }, 'Showing records where'),
      conditions.map((c, i) => [
        i > 0 ? h('span', { className: 'chip-and' }, 'and') : null,
        h('span', { className: 'chip', dataset: { testid: 'filter-chip' } },
          h('button', { type: 'button', className: 'chip-text', title: 'Edit this condition', onclick: () => this.cb.onEdit(i) }, c),
          h('button', { type: 'button', className: 'chip-x', title: 'Remove this condition', attrs: { 'aria-label': `Remove ${c}` }, onclick: () => this.cb.onRemove(i) }, '×')),
      ]));
  }

  /** Shows the core's message and marks the position in the text the user typed. */
  showError(message, text, position) {
    const parts = [h('div', { className: 'filter-error-msg' }, message)];
    if (typeof position === 'number' && text !== undefined) {
      const at = Math.max(0, Math.min(position, text.length));
      parts.push(h('code', { className: 'filter-error-text' },
        text.slice(0, at),
        h('mark', { className: 'filter-error-at' }, text.slice(at, at + 1) || ' '),
        text.slice(at + 1)));
      this.input.focus();
      try { this.input.setSelectionRange(at, Math.min(text.length, at + 1)); } catch { /* not focusable */ }
    }
    setChildren(this.error, parts);
    show(this.error, true);
    this.input.setAttribute('aria-invalid', 'true');
  }

  clearError() {
    show(this.error, false);
    this.error.replaceChildren();
    this.input.removeAttribute('aria-invalid');
  }

  setText(text) { this.input.value = text; }
}
