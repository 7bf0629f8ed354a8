// report.js — the shareable report's renderer (inlined into dist/report-template.html).
//
// Reads the report data from <script type="application/json" id="flowlens-report-data"> with
// JSON.parse(textContent) and draws it with the page's own pieces: the pure chart builders
// (charts/*.js), the findings (insights.js), the formatters (format.js) and h() (dom.js, text
// nodes only). Log content never reaches the DOM as HTML; chart tooltips are escaped by
// charts/common.js. The file loads nothing: everything it needs is inlined.

import * as echarts from 'echarts/core';
import { BarChart, LineChart, GraphChart } from 'echarts/charts';
import {
  GridComponent, TooltipComponent, LegendComponent, DataZoomComponent, DatasetComponent, TitleComponent,
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

import { h, setChildren } from '../dom.js';
import { formatInt, formatBytes, formatTime, plural } from '../format.js';
import { timeseriesOption, drawnSeries } from '../charts/timeseries.js';
import { topOption, rejectsByPortOption, rejectsBySourceOption } from '../charts/bars.js';
import { conversationsOption, conversationGraph } from '../charts/conversations.js';
import { findings } from '../insights.js';
import { tooltipHtml } from '../charts/common.js';
import {
  readReportData, reportTitle, provenance, cards, topKeys, topTable, topHint, metricTotal,
  rejectsText, scannerBadge, forCharts, CHART_ROWS, scannerDetails, isInternalPseudonym, formatGeneratedAt, generatedByText,
} from './model.js';

echarts.use([
  BarChart, LineChart, GraphChart, GridComponent, TooltipComponent, LegendComponent,
  DataZoomComponent, DatasetComponent, TitleComponent, SVGRenderer,
]);

// Printed charts: the width of an A4 or Letter page inside 12 mm margins, in CSS pixels.
const PRINT_WIDTH = 680;
const PRINT_HEIGHT = { 'chart-timeseries': 260, 'chart-conversations': 380 };

const TABLE_ROWS = 1000; // rows a table shows at most (a CLI report's --top may be larger)
const charts = new Map(); // element id → ECharts instance
let printing = false;

// ------------------------------------------------------------------ charts

function chart(id) {
  let c = charts.get(id);
  if (!c) {
    c = echarts.init(document.getElementById(id), null, { renderer: 'svg' });
    charts.set(id, c);
  }
  return c;
}

const heights = new Map(); // element id → the height its bars need (tall lists get taller charts)

function setChart(id, option) {
  const c = chart(id);
  // A bar chart gets 24 px a row beyond the usual 320 px (a CLI report may chart 20 rows).
  const rows = option.yAxis?.type === 'category' ? option.dataset?.source?.length ?? 0 : 0;
  const height = rows > 11 ? 40 + 24 * rows : null;
  if (height !== (heights.get(id) ?? null)) {
    if (height) heights.set(id, height);
    else heights.delete(id);
    c.getDom().style.height = height ? `${height}px` : ''; // CSSOM, which the CSP allows
    if (!printing) c.resize();
  }
  c.setOption(option, { notMerge: true });
  if (printing) resizeCharts();
}

/** The page's time-series option, minus what only the page can act on (the brush filter). */
function reportTimeseries(analysis, metric) {
  const o = timeseriesOption(analysis, { metric });
  if (!o.series?.length) return o;
  delete o.toolbox;
  delete o.brush;
  // Drag pans the zoomed range (on the page, dragging selects a filter range instead).
  o.dataZoom = o.dataZoom.map((z) => (z.type === 'inside' ? { ...z, moveOnMouseMove: true } : z));
  o.legend = { ...o.legend, right: 8 };
  return o;
}

/** Bars read, but clicking does nothing here: no pointer cursor. */
function staticBars(o) {
  for (const s of o.series ?? []) s.cursor = 'default';
  return o;
}

/**
 * The conversation graph. With masked addresses the builder cannot tell private from public
 * (it looks at the address), but the pseudonyms say it: internal-… and external-….
 */
function reportConversations(analysis, masked) {
  analysis = forCharts(analysis);
  const o = conversationsOption(analysis, { metric: analysis.top?.conversation?.metric ?? 'bytes' });
  const series = o.series?.[0];
  if (!series) return o;
  series.cursor = 'default';
  if (masked) {
    const { nodes } = conversationGraph(analysis, { metric: analysis.top.conversation.metric });
    for (const d of series.data) d.category = isInternalPseudonym(d.name) ? 0 : 1;
    const base = o.tooltip.formatter;
    o.tooltip.formatter = (p) => {
      if (p.dataType === 'edge') return base(p);
      const n = nodes[p.dataIndex];
      if (!n) return '';
      const internal = isInternalPseudonym(n.name);
      return tooltipHtml(n.name, [
        ['In top conversations', formatInt(n.value)],
        ['Peers shown', formatInt(n.peers)],
        ['Address', internal ? 'private (inside the network), masked' : 'public, masked'],
      ]);
    };
  }
  return o;
}

function resizeCharts() {
  for (const [id, c] of charts) {
    if (printing) c.resize({ width: PRINT_WIDTH, height: PRINT_HEIGHT[id] ?? Math.min(heights.get(id) ?? 280, 520) });
    else c.resize();
  }
}

function setPrinting(on) {
  if (on === printing) return;
  printing = on;
  // The zoom slider is a control: paper gets the zoomed range without it.
  const ts = charts.get('chart-timeseries');
  const o = ts?.getOption();
  if (o?.dataZoom?.length === 2) {
    ts.setOption({ dataZoom: [{}, { show: !on }], grid: [{ bottom: on ? 28 : 64 }] });
  }
  resizeCharts();
}

// ------------------------------------------------------------------ pieces

const num = (text, title) => h('td', { className: 'num', title }, text);

function panel(title, { id, testid, className = '', hint } = {}, ...children) {
  return h('section', { className: `panel ${className}`.trim(), id, dataset: testid ? { testid } : undefined },
    h('h2', {}, title),
    hint ? h('p', { className: 'panel-hint' }, hint) : null,
    ...children);
}

function tableOf(list, total, { testid, caption } = {}) {
  const t = topTable(list, total);
  const head = h('thead', {}, h('tr', {},
    h('th', { scope: 'col', className: 'num' }, '#'),
    h('th', { scope: 'col' }, caption ?? 'Value'),
    h('th', { scope: 'col', className: 'num' }, 'Bytes'),
    h('th', { scope: 'col', className: 'num' }, 'Packets'),
    h('th', { scope: 'col', className: 'num' }, 'Records'),
    h('th', { scope: 'col', className: 'num' }, `Share of ${t.metric}`)));
  const rows = t.rows.slice(0, TABLE_ROWS).map((r) => h('tr', {},
    num(String(r.rank)),
    h('td', { className: 'key' }, r.label),
    num(formatBytes(r.bytes), `${formatInt(r.bytes)} bytes`),
    num(formatInt(r.packets)),
    num(formatInt(r.records)),
    num(r.share)));
  if (t.rows.length > TABLE_ROWS) {
    rows.push(h('tr', { className: 'other' }, num(''),
      h('td', { attrs: { colspan: 5 } }, `…and ${formatInt(t.rows.length - TABLE_ROWS)} more rows in the data, not shown`)));
  }
  if (t.other) {
    rows.push(h('tr', { className: 'other' },
      num(''), h('td', {}, t.other.label),
      num(formatBytes(t.other.bytes), `${formatInt(t.other.bytes)} bytes`),
      num(formatInt(t.other.packets)), num(formatInt(t.other.records)), num(t.other.share)));
  }
  if (rows.length === 0) rows.push(h('tr', {}, h('td', { className: 'muted', attrs: { colspan: 6 } }, 'Nothing in this selection')));
  return h('table', { className: 'top', dataset: testid ? { testid } : undefined }, head, h('tbody', {}, rows));
}

function select(id, options, value, onChange) {
  const el = h('select', { id, dataset: { testid: id } },
    options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
  el.value = value;
  el.addEventListener('change', () => onChange(el.value));
  return el;
}

// ------------------------------------------------------------------ sections

function header(data) {
  const { report, analysis } = data;
  return h('header', { className: 'report-head' },
    h('div', { className: 'brand' }, h('span', { className: 'brand-mark', attrs: { 'aria-hidden': 'true' } }), 'FlowLens'),
    h('div', { className: 'head-main' },
      h('h1', {}, 'VPC Flow Logs report'),
      h('p', { className: 'head-sub' },
        analysis.filter ? 'Filter ' : 'All records',
        analysis.filter ? h('code', { className: 'filter', dataset: { testid: 'report-filter' } }, analysis.filter) : null,
        ` · generated ${formatGeneratedAt(report.generated_at)} by ${generatedByText(report.generated_by)}`),
      report.masked ? h('span', { className: 'badge badge-masked', dataset: { testid: 'report-masked' } }, 'Addresses and account ids masked') : null),
    h('button', { type: 'button', className: 'btn no-print', onclick: () => window.print() }, 'Print or save as PDF'));
}

function provenancePanel(data) {
  const items = provenance(data).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]);
  return panel('What this report covers', { id: 'provenance', testid: 'provenance' },
    h('dl', { className: 'facts' }, items));
}

function cardsRow(analysis) {
  return h('div', { className: 'cards', id: 'cards' }, cards(analysis).map((c) =>
    h('div', { className: `card${c.tone ? ` card-${c.tone}` : ''}` },
      h('div', { className: 'card-label' }, c.label),
      h('div', {
        className: 'card-value',
        dataset: c.exact === null || c.exact === undefined ? { testid: `total-${c.id}` } : { testid: `total-${c.id}`, value: String(c.exact) },
        title: c.exact === null || c.exact === undefined ? undefined : formatInt(c.exact),
      }, c.value),
      h('div', { className: 'card-sub' }, c.sub))));
}

function findingsPanel(analysis) {
  return panel('What stands out', { className: 'keep' },
    h('ul', { className: 'findings', dataset: { testid: 'findings' } }, findings(analysis).map((f) =>
      h('li', { className: `finding finding-${f.level}` },
        h('span', { className: 'finding-title' }, f.title),
        h('span', { className: 'finding-text' }, f.text)))));
}

function timeseriesPanel(analysis) {
  let metric = 'records';
  const points = analysis.timeseries?.points ?? [];
  const bucket = drawnSeries(analysis.timeseries).bucket;
  const printed = h('span', { className: 'print-only panel-note' }, `Showing ${metric}.`);
  const draw = () => {
    setChart('chart-timeseries', reportTimeseries(analysis, metric));
    printed.textContent = `Showing ${metric}.`;
  };
  const el = h('section', { className: 'panel section-break-avoid' },
    h('div', { className: 'panel-head' },
      h('h2', {}, 'Traffic over time'),
      h('label', { className: 'controls no-print' }, 'Show ',
        select('ts-metric', [['records', 'records'], ['bytes', 'bytes'], ['packets', 'packets']], metric, (v) => { metric = v; draw(); })),
      printed),
    h('p', { className: 'panel-hint' }, points.length
      ? `ACCEPT and REJECT per ${bucketText(bucket)} bucket, by each record's start time.`
      : 'No record in the selection has a start time.',
    h('span', { className: 'no-print' }, points.length ? ' Scroll or drag the slider to zoom, drag to pan; click a legend entry to hide that series.' : '')),
    h('div', { className: 'chart chart-ts', id: 'chart-timeseries', dataset: { testid: 'chart-timeseries' } }));
  return { el, draw };
}

function bucketText(s) {
  if (!s) return 'time';
  if (s % 86400 === 0) return s === 86400 ? 'day' : `${s / 86400}-day`;
  if (s % 3600 === 0) return s === 3600 ? 'hour' : `${s / 3600}-hour`;
  if (s % 60 === 0) return s === 60 ? 'minute' : `${s / 60}-minute`;
  return `${s}-second`;
}

function topPanel(analysis) {
  const charted = forCharts(analysis);
  const keys = topKeys(analysis);
  let key = keys.find((k) => k.key === 'srcaddr')?.key ?? keys[0]?.key;
  const hint = h('p', { className: 'panel-hint' });
  const printed = h('span', { className: 'print-only panel-note' });
  // One table per key; the select shows one on screen, paper gets them all.
  const blocks = keys.map(({ key: k, label }) => {
    const entry = analysis.top[k];
    return h('div', { className: 'top-block', dataset: { key: k } },
      h('h3', {}, label),
      h('div', { className: 'table-wrap' }, tableOf(entry, metricTotal(analysis, entry.metric), { testid: `top-table-${k}`, caption: label })));
  });
  const show = () => {
    const entry = analysis.top[key];
    setChart('chart-top', staticBars(topOption(charted, { key, metric: entry?.metric ?? 'bytes' })));
    hint.textContent = `${topHint(entry)}${entry?.rows?.length > CHART_ROWS ? ` The chart shows the first ${CHART_ROWS}.` : ''}`;
    printed.textContent = entry ? `Chart: ${keys.find((k) => k.key === key)?.label}, by ${entry.metric}.` : '';
    for (const b of blocks) b.classList.toggle('inactive', b.dataset.key !== key);
  };
  const el = h('section', { className: 'panel' },
    h('div', { className: 'panel-head' },
      h('h2', {}, 'Top talkers'),
      keys.length ? h('label', { className: 'controls no-print' }, 'By ',
        select('top-key', keys.map((k) => [k.key, k.label]), key, (v) => { key = v; show(); })) : null,
      printed),
    hint,
    h('div', { className: 'top-layout' },
      h('div', { className: 'chart chart-bars', id: 'chart-top', dataset: { testid: 'chart-top' } }),
      h('div', { className: 'top-blocks' }, blocks)));
  return { el, draw: keys.length ? show : () => setChart('chart-top', topOption(analysis, {})) };
}

function conversationsPanel(analysis, masked) {
  const el = panel('Conversations', {
    className: 'section-break-avoid',
    hint: 'The busiest address pairs, both directions together; link width by traffic. Hover for numbers; scroll to zoom, drag to move; the legend hides internal or external addresses.',
  }, h('div', { className: 'chart chart-graph', id: 'chart-conversations', dataset: { testid: 'chart-conversations' } }));
  return { el, draw: () => setChart('chart-conversations', reportConversations(analysis, masked)) };
}

function scannersList(analysis) {
  const list = analysis.rejects?.scanners ?? [];
  const th = analysis.rejects?.scan_thresholds ?? {};
  const criteria = [
    th.min_ports ? `rejected on ${th.min_ports} or more destination ports (port scan)` : null,
    th.min_hosts ? `rejected by ${th.min_hosts} or more destination addresses (host sweep)` : null,
  ].filter(Boolean).join(', or ');
  const intro = h('p', { className: 'panel-hint' }, criteria
    ? `A source counts as a suspected scanner when it was ${criteria}.`
    : 'The scan checks were turned off for this report.');
  if (list.length === 0) return [intro, h('p', { className: 'muted', dataset: { testid: 'scanners' } }, 'No source met these thresholds.')];
  const shown = list.slice(0, 50);
  return [intro, h('ul', { className: 'scanners', dataset: { testid: 'scanners' } }, shown.map((s) => {
    const badge = scannerBadge(s);
    const when = s.first_seen !== null && s.first_seen !== undefined
      ? `${formatTime(s.first_seen, { seconds: false })} → ${formatTime(s.last_seen, { seconds: false })}` : null;
    return h('li', { className: `scanner${badge.nacl ? ' scanner-nacl' : ''}` },
      h('div', { className: 'scanner-head' },
        h('code', { className: 'scanner-source' }, s.source),
        h('span', { className: `badge ${badge.nacl ? 'badge-warn' : 'badge-alert'}` }, badge.text),
        h('span', { className: 'muted' }, scannerDetails(s))),
      h('p', { className: 'scanner-text' }, s.explanation),
      when ? h('p', { className: 'scanner-when muted' }, when) : null);
  })), list.length > shown.length ? h('p', { className: 'muted' }, `…and ${formatInt(list.length - shown.length)} more.`) : null];
}

function rejectsPanel(analysis) {
  const r = analysis.rejects ?? {};
  const text = rejectsText(analysis);
  const el = h('section', { className: 'panel page-break' },
    h('div', { className: 'panel-head' }, h('h2', {}, 'Rejected traffic'),
      h('span', { className: 'panel-note', dataset: { testid: 'rejects-note' } }, text ?? 'Nothing was rejected in this selection.')),
    h('p', { className: 'panel-hint' }, 'A REJECT comes from a security group or a network ACL. Replies blocked by a stateless network ACL (a well-known source port to an ephemeral destination port, 1024-65535) are a configuration problem, not an attack: the destination ports usually tell which case this is.'),
    h('div', { className: 'grid grid-two' },
      h('div', {}, h('h3', {}, 'By destination port'),
        h('div', { className: 'chart chart-bars', id: 'chart-rejects', dataset: { testid: 'chart-rejects' } })),
      h('div', {}, h('h3', {}, 'By source'),
        h('div', { className: 'chart chart-bars', id: 'chart-rejects-source', dataset: { testid: 'chart-rejects-source' } }))),
    h('div', { className: 'grid grid-two' },
      h('div', { className: 'keep' }, h('h3', {}, 'By destination'),
        h('div', { className: 'table-wrap' }, tableOf(r.by_destination, r.records, { testid: 'rejects-by-destination', caption: 'Destination' }))),
      h('div', { className: 'keep' }, h('h3', {}, 'By interface'),
        h('div', { className: 'table-wrap' }, tableOf(r.by_interface, r.records, { testid: 'rejects-by-interface', caption: 'Interface' })))),
    h('h3', { className: 'spaced' }, `Suspected scanners${r.scanners?.length ? ` (${formatInt(r.scanners.length)})` : ''}`),
    ...scannersList(analysis));
  const draw = () => {
    const charted = forCharts(analysis);
    setChart('chart-rejects', staticBars(rejectsByPortOption(charted)));
    setChart('chart-rejects-source', staticBars(rejectsBySourceOption(charted)));
  };
  return { el, draw };
}

function filesPanel(analysis) {
  const e = analysis.errors ?? {};
  const files = e.files ?? [];
  const filesTable = h('table', { className: 'files', dataset: { testid: 'files-table' } },
    h('thead', {}, h('tr', {}, ['File', 'Size', 'Records', 'Bad lines', 'Read as', 'Status'].map((t, i) =>
      h('th', { scope: 'col', className: i >= 1 && i <= 3 ? 'num' : undefined }, t)))),
    h('tbody', {}, files.map((f) => {
      const fieldCount = f.format ? f.format.split(' ').length : 0;
      const readAs = [f.gzip ? 'gzip' : null, f.input_format, fieldCount ? `${fieldCount} fields` : null].filter(Boolean).join(' · ');
      return h('tr', {},
        h('td', { className: 'file-name', title: f.format ?? '' }, f.name),
        num(formatBytes(f.bytes), `${formatInt(f.bytes)} bytes`),
        num(formatInt(f.records)),
        num(formatInt(f.bad_lines)),
        h('td', {}, readAs || '–'),
        h('td', { className: f.error ? 'status-warn' : 'status-ok' }, f.error ?? 'read'));
    })));
  const bad = [];
  if (!e.bad_lines) {
    bad.push(h('p', { className: 'muted' }, 'Every line was read.'));
  } else {
    bad.push(h('p', {}, `${formatInt(e.bad_lines)} line${e.bad_lines === 1 ? ' was' : 's were'} skipped; the rest of each file was still read.`));
    bad.push(h('ul', { className: 'reasons' }, Object.entries(e.by_reason ?? {}).sort((a, b) => b[1] - a[1]).map(([k, v]) =>
      h('li', {}, h('span', {}, k.replace(/_/g, ' ')), h('span', { className: 'num' }, formatInt(v))))));
    bad.push(h('div', { className: 'table-wrap' }, h('table', { className: 'examples', dataset: { testid: 'bad-line-examples' } },
      h('thead', {}, h('tr', {}, ['File', 'Line', 'Reason', 'Text'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, (e.examples ?? []).map((x) => h('tr', {},
        h('td', { className: 'file-name' }, x.file),
        num(formatInt(x.line)),
        h('td', {}, x.reason_text, x.detail ? h('div', { className: 'muted' }, x.detail) : null),
        h('td', {}, h('code', { className: 'line-text' }, x.text))))))));
  }
  return h('section', { className: 'panel' },
    h('h2', {}, `Files (${formatInt(files.length)})`),
    h('div', { className: 'table-wrap' }, filesTable),
    h('h2', { className: 'spaced' }, 'Lines that could not be read'),
    h('div', { dataset: { testid: 'bad-lines' } }, bad));
}

function footer(data) {
  const v = data.report.flowlens_version ?? data.analysis.flowlens?.version ?? '';
  return h('footer', { className: 'footer' },
    `Made with FlowLens ${v}. This file is self-contained: it holds aggregated results only (no raw records) and loads nothing from the network.`);
}

// ------------------------------------------------------------------ main

function fail(message) {
  document.title = 'FlowLens report';
  setChildren(document.getElementById('report'),
    h('section', { className: 'panel failure', attrs: { role: 'alert' } },
      h('h1', {}, 'FlowLens report'), h('p', {}, message)));
  document.documentElement.dataset.state = 'error';
}

function main() {
  const el = document.getElementById('flowlens-report-data');
  const { data, error } = readReportData(el ? el.textContent : '');
  if (error) {
    fail(error);
    return;
  }
  const { analysis, report } = data;
  document.title = reportTitle(data);
  const ts = timeseriesPanel(analysis);
  const top = topPanel(analysis);
  const conv = conversationsPanel(analysis, Boolean(report.masked));
  const rej = rejectsPanel(analysis);
  setChildren(document.getElementById('report'),
    header(data),
    provenancePanel(data),
    cardsRow(analysis),
    findingsPanel(analysis),
    ts.el,
    top.el,
    conv.el,
    rej.el,
    filesPanel(analysis),
    footer(data));
  for (const s of [ts, top, conv, rej]) s.draw();

  const observer = new ResizeObserver(() => { if (!printing) resizeCharts(); });
  for (const id of charts.keys()) observer.observe(document.getElementById(id));
  window.addEventListener('beforeprint', () => setPrinting(true));
  window.addEventListener('afterprint', () => setPrinting(false));
  const print = window.matchMedia('print');
  print.addEventListener('change', (e) => setPrinting(e.matches));
  if (print.matches) setPrinting(true); // opened straight into print (a headless PDF)
  document.documentElement.dataset.state = 'ready';
}

// Test and automation hook: the charts' instances, to check what they drew.
window.flowlensReport = { charts, setPrinting };

try {
  main();
} catch (err) {
  fail(`The report could not be drawn: ${err?.message ?? err}`);
  throw err;
}
