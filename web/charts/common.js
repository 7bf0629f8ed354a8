// common.js — shared pieces of the chart builders: palette, text style, escaped tooltips.
// Pure: no DOM, no ECharts import (options are plain objects), so node:test can check them.

import { escapeHtml } from '../format.js';

export const COLORS = {
  accept: '#2f9e73',
  reject: '#d9534f',
  other: '#a0aab8',
  accent: '#2f6fde',
  accentSoft: '#8fb3f0',
  internal: '#2f6fde',
  external: '#e8913a',
  text: '#1f2a37',
  muted: '#6b7686',
  grid: '#e6eaf0',
};

export const TEXT_STYLE = {
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  color: COLORS.text,
};

/**
 * A tooltip body as HTML where every piece of text is escaped. Log content (interface ids,
 * account ids, custom text columns) ends up in titles and labels, so nothing here may be
 * inserted raw. Styling comes from classes (styles.css): the page's CSP forbids inline styles.
 */
export function tooltipHtml(title, rows = [], note = '') {
  const head = `<div class="fl-tt-title">${escapeHtml(title)}</div>`;
  const body = rows
    .map(([label, value, kind]) => {
      const dot = kind ? `<span class="fl-tt-dot fl-tt-${escapeHtml(kind)}"></span>` : '';
      return `<div class="fl-tt-row">${dot}<span class="fl-tt-label">${escapeHtml(label)}</span>` +
        `<span class="fl-tt-value">${escapeHtml(value)}</span></div>`;
    })
    .join('');
  const foot = note ? `<div class="fl-tt-note">${escapeHtml(note)}</div>` : '';
  return head + body + foot;
}

/** Tooltip settings common to every chart (HTML mode, confined, our class for styling). */
export function tooltipBase(extra = {}) {
  return {
    confine: true,
    className: 'fl-tooltip',
    backgroundColor: '#ffffff',
    borderColor: '#d5dbe3',
    borderWidth: 1,
    padding: [8, 10],
    textStyle: { color: COLORS.text, fontSize: 12 },
    ...extra,
  };
}

/** Shortens a label for an axis; the full text stays in the tooltip. */
export function truncate(text, max = 28) {
  const s = String(text);
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** An option that shows a centred message instead of a chart (no data, empty selection). */
export function emptyOption(message) {
  return {
    textStyle: TEXT_STYLE,
    title: {
      text: message,
      left: 'center',
      top: 'middle',
      textStyle: { color: COLORS.muted, fontSize: 13, fontWeight: 'normal' },
    },
    series: [],
  };
}
