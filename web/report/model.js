// model.js — the report's data and what it says, without the DOM (unit-tested in Node).
// The renderer (report.js) turns these plain values into elements with textContent only.

import {
  formatInt, formatBytes, formatPercent, formatTime, formatDuration, formatCount, rowLabel, keyLabel,
} from '../format.js';

/**
 * Parses the text of the data element. Returns { data } or { error } (a sentence for the
 * reader): the template itself (marker still in place), broken JSON, or JSON without an
 * analysis. Never throws.
 */
export function readReportData(text) {
  const t = String(text ?? '').trim();
  if (!t.startsWith('{')) {
    return { error: 'This file is the FlowLens report template: it holds no data. Make a report with "Export report" in FlowLens or with `flowlens report`.' };
  }
  let doc;
  try {
    doc = JSON.parse(t);
  } catch (err) {
    return { error: `The report data could not be read (${err.message}). The file may be damaged.` };
  }
  if (!doc || typeof doc !== 'object' || !doc.analysis || typeof doc.analysis !== 'object' || !doc.analysis.totals) {
    return { error: 'The report data holds no analysis. The file may be damaged.' };
  }
  return { data: { report: doc.report ?? {}, analysis: doc.analysis } };
}

/** Whether a value is one of the masking pseudonyms for a private address. */
export function isInternalPseudonym(value) {
  return typeof value === 'string' && /^internal-\d+$/.test(value);
}

/** "2026-11-23T08:00:00Z" → "2026-11-23 08:00 UTC" (anything else is shown as given). */
export function formatGeneratedAt(iso) {
  if (!iso) return 'unknown time';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return String(iso);
  return formatTime(ms / 1000, { seconds: false });
}

export function generatedByText(by) {
  if (by === 'cli') return 'the flowlens command-line tool';
  if (by === 'page') return 'the FlowLens web app';
  return by ? String(by) : 'FlowLens';
}

/** The document title: what, which filter, when. */
export function reportTitle(data) {
  const filter = data.analysis.filter;
  const when = formatGeneratedAt(data.report.generated_at);
  return `FlowLens report${filter ? ` · ${filter}` : ''} · ${when}`;
}

function sameDay(a, b) {
  return new Date(a * 1000).toISOString().slice(0, 10) === new Date(b * 1000).toISOString().slice(0, 10);
}

/** "2023-11-14 22:13 → 23:13 UTC (1 h)" or null without times. */
export function timeRangeText(totals) {
  if (totals.first_start === null || totals.first_start === undefined || totals.last_end === null || totals.last_end === undefined) return null;
  const from = formatTime(totals.first_start, { seconds: false, zone: false });
  const to = sameDay(totals.first_start, totals.last_end)
    ? formatTime(totals.last_end, { seconds: false }).slice(11)
    : formatTime(totals.last_end, { seconds: false });
  return `${from} → ${to} (${formatDuration(totals.last_end - totals.first_start)})`;
}

/**
 * The provenance list: [label, value] pairs in reading order (all plain text).
 */
export function provenance(data) {
  const { report, analysis } = data;
  const t = analysis.totals;
  const files = analysis.errors?.files ?? [];
  const bytes = files.reduce((s, f) => s + (f.bytes ?? 0), 0);
  const out = [];
  out.push(['Filter', analysis.filter ? analysis.filter : 'none: every record']);
  out.push(['Records', analysis.filter
    ? `${formatInt(t.records)} selected of ${formatInt(t.loaded_records)} loaded (${formatPercent(t.records, t.loaded_records)})`
    : `${formatInt(t.records)} loaded`]);
  out.push(['Time range', timeRangeText(t) ?? 'no start/end times in the selection']);
  out.push(['Files', files.length === 1
    ? `${files[0].name} (${formatBytes(files[0].bytes)})`
    : `${formatInt(files.length)} files, ${formatBytes(bytes)} in all (listed below)`]);
  out.push(['Unreadable lines', badLinesText(analysis.errors)]);
  out.push(['Addresses', report.masked
    ? 'masked: every address and account id is a pseudonym (internal-…, external-…, account-…), the same one for the same value throughout this report'
    : 'as logged (not masked)']);
  out.push(['Generated', `${formatGeneratedAt(report.generated_at)} by ${generatedByText(report.generated_by)}, FlowLens ${report.flowlens_version ?? analysis.flowlens?.version ?? '?'}`]);
  return out;
}

/** "none" or "12 skipped (bad number 10, port range 2)". */
export function badLinesText(errors) {
  const n = errors?.bad_lines ?? 0;
  if (!n) return 'none: every line was read';
  const reasons = Object.entries(errors.by_reason ?? {}).sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${formatInt(v)}`);
  return `${formatInt(n)} skipped${reasons.length ? ` (${reasons.join(', ')})` : ''}; the rest of each file was read`;
}

/**
 * The summary cards, as the page shows them: {id, label, value, exact, sub, tone}.
 * `id` is the page's data-testid suffix (total-records, …), so the same checks work on both.
 */
export function cards(analysis) {
  const t = analysis.totals;
  const filtered = t.records !== t.loaded_records;
  const special = [];
  if (t.nodata_records) special.push(`${formatInt(t.nodata_records)} NODATA`);
  if (t.skipdata_records) special.push(`${formatInt(t.skipdata_records)} SKIPDATA`);
  const span = t.first_start !== null && t.last_end !== null && t.first_start !== undefined && t.last_end !== undefined;
  return [
    { id: 'records', label: 'Records', value: formatInt(t.records), exact: t.records,
      sub: filtered ? `of ${formatInt(t.loaded_records)} loaded (${formatPercent(t.records, t.loaded_records)})`
        : special.length ? `incl. ${special.join(' · ')}` : 'all with log-status OK' },
    { id: 'bytes', label: 'Bytes', value: formatBytes(t.bytes), exact: t.bytes, sub: `${formatInt(t.bytes)} B` },
    { id: 'packets', label: 'Packets', value: formatCount(t.packets), exact: t.packets, sub: `${formatInt(t.packets)} packets` },
    { id: 'accepted', label: 'Accepted', value: formatInt(t.accepted_records), exact: t.accepted_records, tone: 'accept',
      sub: `${formatPercent(t.accepted_records, t.records)} of records · ${formatBytes(t.accepted_bytes)}` },
    { id: 'rejected', label: 'Rejected', value: formatInt(t.rejected_records), exact: t.rejected_records, tone: 'reject',
      sub: `${formatPercent(t.rejected_records, t.records)} of records · ${formatBytes(t.rejected_bytes)}` },
    { id: 'span', label: 'Time span', value: span ? formatDuration(t.last_end - t.first_start) : '–',
      exact: span ? t.last_end - t.first_start : null, sub: span ? timeRangeText(t).replace(/ \([^)]*\)$/, '') : 'no start/end times' },
    { id: 'sources', label: 'Sources', value: formatInt(t.distinct_sources), exact: t.distinct_sources, sub: 'distinct source addresses' },
    { id: 'destinations', label: 'Destinations', value: formatInt(t.distinct_destinations), exact: t.distinct_destinations, sub: 'distinct destination addresses' },
    { id: 'interfaces', label: 'Interfaces', value: formatInt(t.distinct_interfaces), exact: t.distinct_interfaces, sub: 'distinct network interfaces' },
    { id: 'bad', label: 'Skipped lines', value: formatInt(t.bad_lines), exact: t.bad_lines, sub: t.bad_lines ? 'unreadable lines, skipped' : 'every line was read' },
  ];
}

/** The selection's total for a metric (the denominator of a top list's shares). */
export function metricTotal(analysis, metric) {
  const t = analysis.totals;
  return metric === 'bytes' ? t.bytes : metric === 'packets' ? t.packets : t.records;
}

/**
 * A top list as table rows: {rank, label, bytes, packets, records, share} plus an "other" row
 * when keys were left out. `total` is the share's denominator for the list's metric.
 */
export function topTable(entry, total) {
  if (!entry) return { metric: 'bytes', rows: [], other: null, distinct: 0 };
  const metric = entry.metric ?? 'bytes';
  const rows = (entry.rows ?? []).map((r, i) => ({
    rank: i + 1,
    label: rowLabel(entry, r),
    bytes: r.bytes,
    packets: r.packets,
    records: r.records,
    share: formatPercent(r[metric], total),
  }));
  const o = entry.other;
  const other = o && (o.records > 0 || o.bytes > 0 || o.packets > 0)
    ? { label: `${formatInt(Math.max(0, entry.distinct - rows.length))} other${entry.distinct - rows.length === 1 ? '' : 's'}`,
      bytes: o.bytes, packets: o.packets, records: o.records, share: formatPercent(o[metric], total) }
    : null;
  return { metric, rows, other, distinct: entry.distinct ?? rows.length };
}

/** The top-list keys of the analysis with their labels, in the document's order. */
export function topKeys(analysis) {
  return Object.keys(analysis.top ?? {}).map((key) => ({ key, label: keyLabel(key) }));
}

/** One line under a top list: "2,503 distinct values, the top 10 shown, ranked by bytes." */
export function topHint(entry) {
  if (!entry) return '';
  const d = entry.distinct ?? 0;
  const shown = entry.rows?.length ?? 0;
  return `${formatInt(d)} distinct value${d === 1 ? '' : 's'}${shown < d ? `, the top ${formatInt(shown)} shown` : ''}, ranked by ${entry.metric}.`;
}

/** The rejected-traffic summary sentence, or null when nothing was rejected. */
export function rejectsText(analysis) {
  const r = analysis.rejects;
  if (!r || !r.records) return null;
  return `${formatInt(r.records)} rejected records (${formatBytes(r.bytes)}), ${formatPercent(r.records, analysis.totals.records)} of the selection.`;
}

/** How a scanner is labelled: network-ACL replies are told apart from scans (as on the page). */
export function scannerBadge(s) {
  const nacl = /network ACL/i.test(s.explanation ?? '');
  return { nacl, text: nacl ? `${s.kind}? (looks like blocked replies)` : s.kind };
}

/** "ports 22, 23, 80, …" line for a scanner, and its window. */
export function scannerDetails(s) {
  const parts = [
    `${formatInt(s.rejected_records)} rejected`,
    `${formatInt(s.accepted_records)} accepted`,
    `${formatInt(s.distinct_ports)} port${s.distinct_ports === 1 ? '' : 's'}`,
    `${formatInt(s.distinct_hosts)} host${s.distinct_hosts === 1 ? '' : 's'}`,
  ];
  if (s.sample_ports?.length) parts.push(`lowest ports ${s.sample_ports.join(', ')}${s.distinct_ports > s.sample_ports.length ? ', …' : ''}`);
  return parts.join(' · ');
}

/** How many rows a chart draws at most (a CLI report may have --top 100: tables keep them all). */
export const CHART_ROWS = 20;

/**
 * The analysis as the charts get it: every top list and reject list cut to `n` rows, so a
 * report made with a large --top still draws readable bars and a readable graph. The tables use
 * the full lists; totals are untouched (shares stay shares of the whole selection).
 */
export function forCharts(analysis, n = CHART_ROWS) {
  const cut = (entry) => (entry && entry.rows?.length > n ? { ...entry, rows: entry.rows.slice(0, n) } : entry);
  const top = Object.fromEntries(Object.entries(analysis.top ?? {}).map(([k, e]) => [k, cut(e)]));
  const r = analysis.rejects ?? {};
  return {
    ...analysis,
    top,
    rejects: { ...r, by_dstport: cut(r.by_dstport), by_source: cut(r.by_source), by_destination: cut(r.by_destination), by_interface: cut(r.by_interface) },
  };
}
