// bars.js — ranked horizontal bars for a top list (the `top` and `rejects.by_*` entries).
// Pure: list entry → ECharts option. Row i of the chart is entry.rows[i], so a click handler
// finds the key with the row's index.

import { formatBytes, formatInt, formatPercent, rowLabel } from '../format.js';
import { COLORS, TEXT_STYLE, tooltipBase, tooltipHtml, truncate, emptyOption } from './common.js';

/**
 * @param entry   a top list: { key, fields, metric, distinct, rows: [{key, bytes, packets, records}], other }
 * @param metric  the value the bars show (bytes, packets, records); default: the list's ranking
 * @param color   bar colour
 * @param total   the selection's total for that metric (for the share in the tooltip)
 * @param empty   message when the list has no rows
 */
export function barsOption(entry, { metric, color = COLORS.accent, total, empty = 'Nothing to show' } = {}) {
  const rows = entry?.rows ?? [];
  if (rows.length === 0) return emptyOption(empty);
  const m = metric ?? entry.metric ?? 'bytes';
  const labels = rows.map((r) => rowLabel(entry, r));
  const sum = total ?? rows.reduce((s, r) => s + r[m], 0) + (entry.other?.[m] ?? 0);
  const fmt = m === 'bytes' ? formatBytes : formatInt;
  const source = rows.map((r, i) => [labels[i], r[m]]);
  const longest = Math.max(...labels.map((l) => Math.min(l.length, 30)));

  return {
    textStyle: TEXT_STYLE,
    animation: false,
    dataset: { dimensions: ['label', 'value'], source },
    grid: { left: 12, right: 64, top: 8, bottom: 8, containLabel: true },
    xAxis: {
      type: 'value',
      axisLabel: { color: COLORS.muted, formatter: (v) => (m === 'bytes' ? formatBytes(v) : formatInt(v)), hideOverlap: true },
      splitLine: { lineStyle: { color: COLORS.grid } },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      axisTick: { show: false },
      axisLine: { lineStyle: { color: COLORS.grid } },
      axisLabel: {
        color: COLORS.text,
        width: Math.max(80, longest * 7),
        overflow: 'truncate',
        formatter: (v) => truncate(v, 30),
      },
    },
    // The whole row band answers (tooltip and click, see ChartsHost.onRowClick), so a short
    // bar is as easy to hit as a long one.
    tooltip: tooltipBase({
      trigger: 'axis',
      axisPointer: { type: 'shadow', shadowStyle: { color: 'rgba(47,111,222,0.07)' } },
      formatter: (ps) => {
        const p = Array.isArray(ps) ? ps[0] : ps;
        const r = p && rows[p.dataIndex];
        if (!r) return '';
        return tooltipHtml(labels[p.dataIndex], [
          ['Bytes', formatBytes(r.bytes)],
          ['Packets', formatInt(r.packets)],
          ['Records', formatInt(r.records)],
          [`Share of ${m}`, formatPercent(r[m], sum)],
        ], 'Click to filter on this value');
      },
    }),
    series: [
      {
        type: 'bar',
        encode: { x: 'value', y: 'label' },
        itemStyle: { color, borderRadius: [0, 3, 3, 0] },
        emphasis: { itemStyle: { color: COLORS.text } },
        barMaxWidth: 22,
        barMinHeight: 2,
        cursor: 'pointer',
        label: {
          show: true,
          position: 'right',
          color: COLORS.muted,
          fontSize: 11,
          formatter: (p) => fmt(p.value[1]),
        },
      },
    ],
  };
}

/** Top talkers for a chosen key and metric (the analyze document ranked by that metric). */
export function topOption(analysis, { key = 'srcaddr', metric = 'bytes' } = {}) {
  const entry = analysis?.top?.[key];
  if (!entry) return emptyOption(`No "${key}" list in this analysis`);
  const total = metric === 'bytes' ? analysis.totals.bytes
    : metric === 'packets' ? analysis.totals.packets : analysis.totals.records;
  return barsOption(entry, { metric, total, empty: 'No records in this selection' });
}

/** Rejected records by destination port. */
export function rejectsByPortOption(analysis) {
  return barsOption(analysis?.rejects?.by_dstport, {
    metric: 'records', color: COLORS.reject, total: analysis?.rejects?.records, empty: 'No rejected records',
  });
}

/** Rejected records by source address. */
export function rejectsBySourceOption(analysis) {
  return barsOption(analysis?.rejects?.by_source, {
    metric: 'records', color: COLORS.reject, total: analysis?.rejects?.records, empty: 'No rejected records',
  });
}
