// timeseries.js — traffic over time: ACCEPT and REJECT stacked per bucket.
// Pure: analysis document (docs/analyze-json.md) → ECharts option.

import { formatBytes, formatInt, formatCount, formatTime, formatDuration } from '../format.js';
import { COLORS, TEXT_STYLE, tooltipBase, tooltipHtml, emptyOption } from './common.js';

export const METRICS = ['bytes', 'packets', 'records'];

// Above this many buckets the series are drawn as areas with LTTB down-sampling; below, bars
// (one bar per bucket reads better and shows the bucket's width).
export const LINE_THRESHOLD = 120;

// AWS aggregates flows over 1- or 10-minute windows: buckets finer than a minute only show
// where in the window a flow started, which draws comb-like spikes. Finer series are summed
// into whole minutes (exact: the core aligns buckets on multiples of their width since 1970).
export const MIN_BUCKET = 60;

const SUMMED = ['accept_records', 'accept_bytes', 'accept_packets', 'reject_records',
  'reject_bytes', 'reject_packets', 'other_records'];

/**
 * The series as drawn: `{ bucket, points }`, the core's points summed into buckets of at least
 * `minBucket` seconds (a multiple of the core's width). Points keep the document's shape.
 */
export function drawnSeries(timeseries, minBucket = MIN_BUCKET) {
  const bucket = timeseries?.bucket_seconds ?? 0;
  const points = timeseries?.points ?? [];
  if (!bucket || bucket >= minBucket || points.length === 0) return { bucket, points };
  const width = Math.ceil(minBucket / bucket) * bucket;
  const out = [];
  for (const p of points) {
    const start = Math.floor(p.start / width) * width;
    let last = out[out.length - 1];
    if (!last || last.start !== start) {
      last = { start, start_iso: `${new Date(start * 1000).toISOString().slice(0, 19)}Z` };
      for (const k of SUMMED) last[k] = 0;
      out.push(last);
    }
    for (const k of SUMMED) last[k] += p[k] ?? 0;
  }
  return { bucket: width, points: out };
}

/**
 * The ECharts option for `analysis.timeseries`. `metric` is bytes, packets or records; for
 * records a third series shows the records without an action (NODATA, SKIPDATA).
 * The data sits in a dataset (one row per bucket: time in ms, accept, reject[, other]) and the
 * series pick columns with `encode`. A brush (drag across the chart) selects a time range.
 * Buckets finer than `minBucket` seconds are summed up to it (drawnSeries).
 */
export function timeseriesOption(analysis, { metric = 'bytes', minBucket = MIN_BUCKET } = {}) {
  const ts = drawnSeries(analysis?.timeseries, minBucket);
  const points = ts.points;
  if (points.length === 0) return emptyOption('No records with a start time in this selection');
  if (!METRICS.includes(metric)) throw new Error(`unknown metric ${metric}`);

  const withOther = metric === 'records';
  const dimensions = ['time', 'accept', 'reject'];
  if (withOther) dimensions.push('other');
  const source = points.map((p) => {
    const row = [p.start * 1000, p[`accept_${metric}`], p[`reject_${metric}`]];
    if (withOther) row.push(p.other_records);
    return row;
  });

  const long = points.length > LINE_THRESHOLD;
  const fmt = metric === 'bytes' ? formatBytes : formatCount;
  const full = metric === 'bytes' ? formatBytes : formatInt;
  const bucket = ts.bucket;

  const seriesFor = (dim, name, color) => {
    const common = {
      name,
      type: long ? 'line' : 'bar',
      stack: 'traffic',
      encode: { x: 'time', y: dim },
      itemStyle: { color },
      emphasis: { focus: 'series' },
    };
    if (long) {
      return {
        ...common,
        sampling: 'lttb',
        showSymbol: false,
        symbol: 'none',
        // No outline: on a stack the top series' line would paint over the others.
        lineStyle: { width: 0 },
        areaStyle: { color, opacity: 0.85 },
        large: true,
      };
    }
    return { ...common, barCategoryGap: '10%', large: points.length > 2000 };
  };

  const series = [
    seriesFor('accept', 'ACCEPT', COLORS.accept),
    seriesFor('reject', 'REJECT', COLORS.reject),
  ];
  if (withOther) series.push(seriesFor('other', 'No data / skipped', COLORS.other));

  return {
    textStyle: TEXT_STYLE,
    animation: false,
    dataset: { dimensions, source },
    color: series.map((s) => s.itemStyle.color),
    legend: { top: 0, right: 90, itemWidth: 12, itemHeight: 10, textStyle: { color: COLORS.muted } },
    // The margins fit the labels, so ECharts' outer-bounds layout (an extra pass measuring every
    // axis label, 10-13 ms of a filter change's 5 M-record redraw) is switched off.
    grid: { left: 64, right: 24, top: 34, bottom: 64, outerBoundsMode: 'none' },
    toolbox: {
      right: 8,
      top: -4,
      itemSize: 14,
      feature: {
        brush: { type: ['lineX', 'clear'], title: { lineX: 'Select a time range', clear: 'Clear selection' } },
      },
    },
    brush: {
      xAxisIndex: 0,
      brushType: 'lineX',
      brushMode: 'single',
      transformable: false,
      throttleType: 'debounce',
      throttleDelay: 200,
      brushStyle: { color: 'rgba(47,111,222,0.12)', borderColor: 'rgba(47,111,222,0.6)', borderWidth: 1 },
      outOfBrush: { colorAlpha: 0.35 },
    },
    dataZoom: [
      { type: 'inside', xAxisIndex: 0, zoomOnMouseWheel: true, moveOnMouseMove: false, moveOnMouseWheel: false },
      { type: 'slider', xAxisIndex: 0, height: 18, bottom: 10, showDetail: false, brushSelect: false },
    ],
    xAxis: {
      type: 'time',
      axisLine: { lineStyle: { color: COLORS.grid } },
      axisLabel: { color: COLORS.muted, hideOverlap: true },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      // Records, bytes and packets are whole numbers: no "0.5 records" ticks on tiny selections.
      minInterval: 1,
      axisLabel: { color: COLORS.muted, formatter: (v) => fmt(v) },
      splitLine: { lineStyle: { color: COLORS.grid } },
    },
    tooltip: tooltipBase({
      trigger: 'axis',
      axisPointer: { type: long ? 'line' : 'shadow' },
      formatter: (items) => {
        const list = Array.isArray(items) ? items : [items];
        if (list.length === 0) return '';
        const row = list[0].data;
        const from = row[0] / 1000;
        const rows = [];
        let total = 0;
        for (const it of list) {
          const v = it.data[it.encode.y[0]] ?? 0;
          total += v;
          const kind = it.seriesName === 'ACCEPT' ? 'accept' : it.seriesName === 'REJECT' ? 'reject' : 'other';
          rows.push([it.seriesName, full(v), kind]);
        }
        rows.push(['Total', full(total)]);
        return tooltipHtml(`${formatTime(from, { seconds: bucket < 60 })} (+${formatDuration(bucket)})`, rows);
      },
    }),
    series,
  };
}

/**
 * A brushed range (data coordinates of the time axis, ms) → [fromSec, toSec): whole buckets,
 * widened outwards, so the filter selects exactly the buckets the user covered.
 */
export function timeRangeFromBrush(coordRange, bucketSeconds) {
  const [a, b] = coordRange.map((ms) => ms / 1000);
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const w = Math.max(1, bucketSeconds || 1);
  const from = Math.floor(lo / w) * w;
  let to = Math.ceil(hi / w) * w;
  if (to <= from) to = from + w;
  return [from, to];
}
