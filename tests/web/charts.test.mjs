// The chart builders are pure: analysis document in, ECharts option out. These tests run them
// on documents the CLI made (the same core the page runs) and on one with hostile text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeseriesOption, timeRangeFromBrush, drawnSeries, LINE_THRESHOLD } from '../../web/charts/timeseries.js';
import { topOption, rejectsByPortOption, rejectsBySourceOption, barsOption } from '../../web/charts/bars.js';
import { conversationsOption, conversationGraph } from '../../web/charts/conversations.js';
import { tooltipHtml } from '../../web/charts/common.js';
import { sample, documented, hostile, XSS } from './fixtures.mjs';

const sum = (xs) => xs.reduce((a, b) => a + b, 0);

// Every HTML string a tooltip formatter can return for `option`, over all data items.
function tooltips(option, count) {
  const f = option.tooltip.formatter;
  const out = [];
  for (let i = 0; i < count; i += 1) {
    out.push(f({ dataIndex: i, dataType: 'node' }), f({ dataIndex: i, dataType: 'edge' }), f([{ dataIndex: i }]));
  }
  return out.filter(Boolean);
}

test('charts.timeseries_dataset_and_encode', () => {
  const doc = sample();
  const opt = timeseriesOption(doc, { metric: 'bytes' });
  assert.deepEqual(opt.dataset.dimensions, ['time', 'accept', 'reject']);
  assert.equal(opt.series.length, 2);
  assert.deepEqual(opt.series.map((s) => s.encode), [{ x: 'time', y: 'accept' }, { x: 'time', y: 'reject' }]);
  assert.ok(opt.series.every((s) => s.stack === 'traffic'));
  assert.equal(opt.xAxis.type, 'time');
  // The drawn series keeps every byte of the core's series.
  const rows = opt.dataset.source;
  assert.equal(sum(rows.map((r) => r[1])), doc.totals.accepted_bytes);
  assert.equal(sum(rows.map((r) => r[2])), doc.totals.rejected_bytes);
});

test('charts.timeseries_rebuckets_below_a_minute', () => {
  const doc = sample();
  assert.ok(doc.timeseries.bucket_seconds < 60, 'the core picks 10 s for one hour');
  const drawn = drawnSeries(doc.timeseries);
  assert.equal(drawn.bucket, 60);
  const first = Math.floor(doc.timeseries.points[0].start / 60);
  const last = Math.floor(doc.timeseries.points.at(-1).start / 60);
  assert.equal(drawn.points.length, last - first + 1);
  for (const k of ['accept_records', 'reject_records', 'other_records', 'accept_packets', 'reject_bytes']) {
    assert.equal(sum(drawn.points.map((p) => p[k])), sum(doc.timeseries.points.map((p) => p[k])), k);
  }
  assert.ok(drawn.points.every((p) => p.start % 60 === 0));
  assert.equal(sum(drawn.points.map((p) => p.accept_records + p.reject_records + p.other_records)), doc.totals.records);
  // Already coarse enough: unchanged.
  const ts = { bucket_seconds: 300, points: [{ start: 0, accept_records: 1 }] };
  assert.equal(drawnSeries(ts).points, ts.points);
});

test('charts.timeseries_records_has_nodata_series', () => {
  const opt = timeseriesOption(sample(), { metric: 'records' });
  assert.deepEqual(opt.dataset.dimensions, ['time', 'accept', 'reject', 'other']);
  assert.equal(opt.series[2].name, 'No data / skipped');
  assert.equal(sum(opt.dataset.source.map((r) => r[3])), 600);
});

test('charts.timeseries_long_series_use_lttb', () => {
  const points = Array.from({ length: 5000 }, (_, i) => ({
    start: 1700000000 + i * 60, accept_records: i, accept_bytes: i, accept_packets: i,
    reject_records: 1, reject_bytes: 1, reject_packets: 1, other_records: 0,
  }));
  const opt = timeseriesOption({ timeseries: { bucket_seconds: 60, points } }, { metric: 'packets' });
  assert.ok(points.length > LINE_THRESHOLD);
  for (const s of opt.series) {
    assert.equal(s.type, 'line');
    assert.equal(s.sampling, 'lttb');
    assert.equal(s.large, true);
    assert.equal(s.showSymbol, false);
  }
  const short = timeseriesOption(sample());
  assert.ok(short.series.every((s) => s.type === 'bar'), '60 one-minute buckets are drawn as bars');
});

test('charts.timeseries_time_selection', () => {
  const opt = timeseriesOption(sample());
  assert.equal(opt.brush.brushType, 'lineX');
  assert.equal(opt.brush.xAxisIndex, 0);
  assert.ok(opt.dataZoom.some((z) => z.type === 'slider'));
  assert.ok(opt.dataZoom.some((z) => z.type === 'inside' && z.moveOnMouseMove === false), 'dragging is left to the brush');
  // Brushed ranges snap outwards to whole buckets.
  assert.deepEqual(timeRangeFromBrush([1700000075_000, 1700000130_000], 60), [1700000040, 1700000160]);
  assert.deepEqual(timeRangeFromBrush([1700000130_000, 1700000075_000], 60), [1700000040, 1700000160], 'either direction');
  assert.deepEqual(timeRangeFromBrush([1700000040_000, 1700000040_000], 60), [1700000040, 1700000100], 'never empty');
});

test('charts.timeseries_empty', () => {
  const opt = timeseriesOption({ timeseries: { bucket_seconds: 60, points: [] } });
  assert.equal(opt.series.length, 0);
  assert.match(opt.title.text, /No records/);
});

test('charts.timeseries_tooltip', () => {
  const opt = timeseriesOption(sample(), { metric: 'records' });
  const row = opt.dataset.source[5];
  const html = opt.tooltip.formatter(opt.series.map((s, i) => ({ data: row, seriesName: s.name, encode: { y: [i + 1] } })));
  assert.match(html, /ACCEPT/);
  assert.match(html, /2023-11-14 22:18/);
  assert.ok(html.includes(new Intl.NumberFormat('en-US').format(row[1] + row[2] + row[3])), 'total');
});

test('charts.top_bars_follow_the_document', () => {
  const doc = sample();
  const opt = topOption(doc, { key: 'srcaddr', metric: 'bytes' });
  const rows = doc.top.srcaddr.rows;
  assert.equal(opt.dataset.source.length, rows.length);
  assert.deepEqual(opt.dataset.source[0], ['10.0.3.41', rows[0].bytes]);
  assert.equal(opt.yAxis.inverse, true, 'largest first, at the top');
  assert.deepEqual(opt.series[0].encode, { x: 'value', y: 'label' });
  // Switching the metric shows that metric.
  const pk = topOption(doc, { key: 'srcaddr', metric: 'packets' });
  assert.equal(pk.dataset.source[0][1], rows[0].packets);
});

test('charts.top_protocol_names_and_conversations', () => {
  const doc = sample();
  const proto = topOption(doc, { key: 'protocol' });
  assert.deepEqual(proto.dataset.source.map((r) => r[0]), ['TCP', 'UDP', 'ICMP', 'ICMPv6', '(none)']);
  const conv = topOption(doc, { key: 'conversation' });
  assert.equal(conv.dataset.source[0][0], '10.0.2.11 ↔ 10.0.3.41');
  assert.match(topOption(doc, { key: 'nope' }).title.text, /No "nope" list/);
});

test('charts.rejects_by_port_and_source', () => {
  const doc = sample();
  const port = rejectsByPortOption(doc);
  assert.deepEqual(port.dataset.source[0], ['22 (SSH)', 798]);
  assert.deepEqual(port.dataset.source[1], ['3389 (RDP)', 318]);
  const src = rejectsBySourceOption(doc);
  assert.deepEqual(src.dataset.source[0], ['203.0.113.77', 1250]);
  const tip = port.tooltip.formatter([{ dataIndex: 0 }]);
  assert.match(tip, /22 \(SSH\)/);
  assert.match(tip, /21.5%|22%/, 'share of the rejects');
  const none = rejectsByPortOption({ rejects: { records: 0, by_dstport: { rows: [] } } });
  assert.match(none.title.text, /No rejected records/);
});

test('charts.conversation_graph', () => {
  const doc = sample();
  const { nodes, edges } = conversationGraph(doc);
  const rows = doc.top.conversation.rows;
  assert.equal(edges.length, rows.length);
  const addrs = new Set(rows.flatMap((r) => r.key));
  assert.equal(nodes.length, addrs.size);
  assert.equal(sum(edges.map((e) => e.value)), sum(rows.map((r) => r.bytes)));
  const opt = conversationsOption(doc);
  const s = opt.series[0];
  assert.equal(s.type, 'graph');
  assert.equal(s.data.length, nodes.length);
  assert.equal(s.links.length, edges.length);
  assert.ok(s.data.every((n) => n.category === 0), 'the sample talks inside 10.0.0.0/8');
  const ext = conversationGraph({ top: { conversation: { rows: [{ key: ['10.0.0.1', '8.8.8.8'], bytes: 5, packets: 1, records: 1 }] } } });
  assert.deepEqual(ext.nodes.map((n) => n.internal), [true, false]);
});

test('charts.documented_examples', () => {
  const doc = documented();
  const ts = timeseriesOption(doc, { metric: 'records' });
  assert.equal(sum(ts.dataset.source.map((r) => r[1] + r[2] + r[3])), doc.totals.records);
  const conv = conversationGraph(doc);
  assert.ok(conv.edges.every((e) => e.source !== '-' && e.target !== '-'), 'NODATA rows have no addresses');
  assert.ok(conv.nodes.some((n) => n.name.includes(':')), 'IPv6 endpoints');
});

test('charts.options_are_plain_data', () => {
  // Apart from formatter functions, an option survives JSON: no class instances, no DOM.
  for (const opt of [timeseriesOption(sample()), topOption(sample()), conversationsOption(sample()), rejectsByPortOption(sample())]) {
    const json = JSON.stringify(opt);
    assert.ok(json.length > 100);
  }
});

test('charts.tooltips_escape_log_text', () => {
  const doc = hostile();
  assert.ok(doc.top['account-id'].rows[0].key[0].includes('<img'), 'the core keeps the text as logged');
  const all = [];
  for (const key of ['account-id', 'interface-id', 'srcaddr', 'conversation']) {
    const opt = topOption(doc, { key });
    all.push(...tooltips(opt, opt.dataset.source.length));
  }
  const conv = conversationsOption(doc);
  all.push(...tooltips(conv, 4));
  assert.ok(all.length > 5);
  for (const html of all) {
    assert.ok(!/<img|<script/i.test(html), html);
  }
  assert.ok(all.some((h) => h.includes('&lt;img/src=x/onerror=alert(1)&gt;')));
  assert.ok(all.some((h) => h.includes('eni-&lt;script&gt;x&lt;/script&gt;')));
  assert.equal(tooltipHtml(XSS, [[XSS, XSS, '"><x']], XSS).includes('<img'), false);
  // Axis labels are drawn on the canvas (text, not HTML): they carry the raw value, truncated.
  const acct = topOption(doc, { key: 'account-id' });
  assert.equal(acct.dataset.source[0][0], XSS);
});

test('charts.bars_empty_and_custom_metric', () => {
  const opt = barsOption({ key: 'x', fields: ['x'], metric: 'records', rows: [{ key: ['a'], bytes: 1, packets: 2, records: 3 }], other: { bytes: 0, packets: 0, records: 0 } });
  assert.deepEqual(opt.dataset.source, [['a', 3]]);
  assert.match(barsOption(undefined).title.text, /Nothing/);
});

// ChartsHost.set merges a new option into the chart only when it has the old one's shape (the
// same keys outside the replaced components), so nothing of the old option can survive.
test('charts.option_shape_decides_in_place_updates', async () => {
  const { optionShape } = await import('../../web/ui/charts-host.js');
  const all = sample();
  const rejects = sample(['--filter', 'action = reject']);
  const none = sample(['--filter', 'bytes > 100T']);
  // Another filter, same kind of chart: the same shape (the data sit in replaced components).
  assert.equal(optionShape(timeseriesOption(all, { metric: 'bytes' })), optionShape(timeseriesOption(rejects, { metric: 'bytes' })));
  assert.equal(optionShape(topOption(all, { key: 'srcaddr' })), optionShape(topOption(rejects, { key: 'dstport' })));
  assert.equal(optionShape(conversationsOption(all)), optionShape(conversationsOption(rejects)));
  assert.equal(optionShape(rejectsByPortOption(all)), optionShape(rejectsBySourceOption(rejects)));
  // A third series changes the top-level colour list (merged index by index): rebuilt.
  assert.notEqual(optionShape(timeseriesOption(all, { metric: 'bytes' })), optionShape(timeseriesOption(all, { metric: 'records' })));
  // An empty chart and a drawn one: rebuilt.
  assert.notEqual(optionShape(topOption(all)), optionShape(topOption(none)));
  assert.notEqual(optionShape(timeseriesOption(all)), optionShape(timeseriesOption(none)));
  // Keys and array lengths count, values (functions too) and the replaced components do not.
  assert.equal(optionShape({ grid: { left: 1 }, toolbox: { f: () => 'a' } }), optionShape({ grid: { left: 2 }, toolbox: { f: 'b' } }));
  assert.equal(optionShape({ grid: {}, series: [{ a: 1 }], tooltip: { x: 1 } }), optionShape({ grid: {}, series: [], tooltip: {} }));
  assert.notEqual(optionShape({ grid: { left: 1 } }), optionShape({ grid: { left: 1, top: 2 } }));
  assert.notEqual(optionShape({ color: ['a', 'b'] }), optionShape({ color: ['a', 'b', 'c'] }));
});

// The page's chart warm-up (web/ui/chart-warm-up.js) draws made-up analyses: they must give
// options of the shape a real analysis gives (so the warm-up runs the code a real drawing runs),
// the later ones the shape of the first (so each update takes a filter change's path), each with
// data of its own.
test('charts.warm_up_analyses_draw_like_real_ones', async () => {
  const { optionShape } = await import('../../web/ui/charts-host.js');
  const { warmUpAnalyses } = await import('../../web/ui/chart-warm-up.js');
  const real = sample();
  const analyses = warmUpAnalyses();
  assert.equal(analyses.length, 4, 'a first drawing and three updates per chart');
  const [first] = analyses;
  const builders = {
    'timeseries records': (a) => timeseriesOption(a, { metric: 'records' }),
    'timeseries bytes': (a) => timeseriesOption(a, { metric: 'bytes' }),
    top: (a) => topOption(a, { key: 'srcaddr', metric: 'bytes' }),
    conversations: (a) => conversationsOption(a, { metric: 'bytes' }),
  };
  const data = (o) => JSON.stringify(o.dataset?.source ?? o.series);
  for (const [name, build] of Object.entries(builders)) {
    assert.equal(optionShape(build(first)), optionShape(build(real)), name);
    for (const later of analyses.slice(1)) assert.equal(optionShape(build(later)), optionShape(build(first)), name);
    assert.equal(new Set(analyses.map((a) => data(build(a)))).size, analyses.length, `${name}: each update brings new data`);
  }
  assert.equal(timeseriesOption(first).dataset.source.length, 60);
  assert.equal(timeseriesOption(first).series[0].type, timeseriesOption(real).series[0].type);
  assert.equal(topOption(first, { key: 'srcaddr' }).dataset.source.length, 10);
  assert.equal(conversationGraph(first).edges.length, 10);
});
