// The shareable report's pure parts: embedding the data in the template (the marker, `$`
// sequences, HTML escaping), the file name, the template's packing, reading the data back, what
// the report says (provenance, cards, top tables, findings), and the built template itself
// (one marker, a CSP whose hashes match the inline script and style, nothing remote).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  MARKER, embedReportData, escapeJsonForHtml, countMarkers, reportFileName, decodeTemplate,
} from '../../web/report/embed.js';
import {
  readReportData, provenance, cards, topTable, topKeys, topHint, metricTotal,
  isInternalPseudonym, formatGeneratedAt, reportTitle, badLinesText, timeRangeText, scannerBadge, scannerDetails,
  forCharts, CHART_ROWS,
} from '../../web/report/model.js';
import { buildReportTemplate, reportTemplatePlugin } from '../../web/report/build-template.mjs';
import { EngineClient } from '../../web/engine-client.js';
import { sample, hostile, XSS } from './fixtures.mjs';

const TEMPLATE = `<html><head><script type="application/json" id="flowlens-report-data">${MARKER}</script></head><body></body></html>`;
const reportDoc = (analysis, report = {}) => ({
  report: { generated_at: '2026-11-23T08:00:00Z', generated_by: 'page', flowlens_version: '0.1.0', masked: false, ...report },
  analysis,
});
const dataOf = (html) => html.slice(html.indexOf('id="flowlens-report-data">') + 26, html.indexOf('</script>'));

// ------------------------------------------------------------------ embedding

test('report.embed_replaces_the_one_marker', () => {
  const json = JSON.stringify(reportDoc(sample()));
  const html = embedReportData(TEMPLATE, json);
  assert.equal(countMarkers(html), 0);
  assert.deepEqual(JSON.parse(dataOf(html)), JSON.parse(json));
  assert.ok(html.startsWith('<html><head><script type="application/json" id="flowlens-report-data">{"report":'));
});

test('report.embed_keeps_dollar_sequences_literal', () => {
  // String.replace with a string would expand these; the data must arrive unchanged.
  const text = "a $& b $1 c $$ d $` e $' f $<name>";
  const doc = reportDoc({ totals: {}, filter: text });
  const html = embedReportData(TEMPLATE, JSON.stringify(doc));
  assert.equal(JSON.parse(dataOf(html)).analysis.filter, text);
});

test('report.embed_escapes_markup_so_nothing_closes_the_script', () => {
  const nasty = `</script><script>alert(1)</script><!-- & ${XSS} \u2028`;
  const doc = reportDoc({ totals: {}, filter: nasty });
  const html = embedReportData(TEMPLATE, JSON.stringify(doc));
  const data = dataOf(html);
  assert.ok(!/[<>&]/.test(data), 'no < > & left in the data');
  assert.ok(data.includes('\\u003c/script\\u003e'));
  assert.equal(JSON.parse(data).analysis.filter, nasty);
  assert.equal(html.split('</script>').length, 2, 'only the template\'s own </script>');
  // The core's text is already escaped: escaping again changes nothing.
  assert.equal(escapeJsonForHtml(escapeJsonForHtml(JSON.stringify(doc))), escapeJsonForHtml(JSON.stringify(doc)));
});

test('report.embed_refuses_bad_templates_and_data', () => {
  const json = JSON.stringify(reportDoc(sample()));
  assert.throws(() => embedReportData('<html>no marker</html>', json), /exactly once \(found 0\)/);
  assert.throws(() => embedReportData(TEMPLATE + MARKER, json), /exactly once \(found 2\)/);
  assert.throws(() => embedReportData(TEMPLATE, '{"error":{"message":"bad filter"}}'), /no analysis/);
  assert.throws(() => embedReportData(TEMPLATE, 'not json'), /not JSON/);
  assert.throws(() => embedReportData(TEMPLATE, '[1,2]'), /no analysis/);
});

test('report.file_name_uses_local_time', () => {
  assert.equal(reportFileName(new Date(2026, 10, 23, 8, 5, 59)), 'flowlens-report-20261123-0805.html');
  assert.equal(reportFileName(new Date(2027, 0, 2, 23, 59)), 'flowlens-report-20270102-2359.html');
  assert.match(reportFileName(), /^flowlens-report-\d{8}-\d{4}\.html$/);
});

test('report.template_packing_round_trips', async () => {
  const html = `<!doctype html><p>é ✓ ${MARKER} $& \u2028</p>`.repeat(50);
  assert.equal(await decodeTemplate(gzipSync(Buffer.from(html)).toString('base64')), html);
  // The esbuild plugin's module exports the same packing.
  let loaded;
  reportTemplatePlugin(html).setup({ onResolve: () => {}, onLoad: (_, fn) => { loaded = fn(); } });
  const packed = JSON.parse(loaded.contents.replace(/^export default /, '').replace(/;$/, ''));
  assert.ok(!packed.includes('<'), 'no markup in the page bundle');
  assert.equal(await decodeTemplate(packed), html);
});

test('report.engine_client_asks_the_worker_for_report_data', async () => {
  const sent = [];
  const client = new EngineClient(() => ({
    postMessage(msg) {
      sent.push(msg);
      queueMicrotask(() => this.onmessage({ data: { id: msg.id, type: 'result', data: { json: '{"report":{}}' } } }));
    },
    terminate() {},
  }));
  const out = await client.report('action = REJECT', { top: 10, metric: 'packets' }, true, '2026-11-23T08:00:00.000Z');
  assert.deepEqual(out, { json: '{"report":{}}' });
  assert.deepEqual(sent[0], {
    id: 1,
    type: 'report',
    data: { filter: 'action = REJECT', options: { top: 10, metric: 'packets' }, mask: true, generatedAt: '2026-11-23T08:00:00.000Z' },
  });
});

// ------------------------------------------------------------------ reading the data back

test('report.read_data_handles_template_damage_and_success', () => {
  assert.match(readReportData(MARKER).error, /report template: it holds no data/);
  assert.match(readReportData('').error, /holds no data/);
  assert.match(readReportData('{"report": ').error, /could not be read/);
  assert.match(readReportData('{"report":{}}').error, /no analysis/);
  const doc = reportDoc(sample());
  const { data, error } = readReportData(`\n ${escapeJsonForHtml(JSON.stringify(doc))} \n`);
  assert.equal(error, undefined);
  assert.deepEqual(data.analysis, doc.analysis);
  assert.equal(data.report.generated_by, 'page');
});

test('report.hostile_text_stays_text', () => {
  const doc = reportDoc(hostile());
  const { data } = readReportData(escapeJsonForHtml(JSON.stringify(doc)));
  const accounts = data.analysis.top['account-id'].rows.map((r) => r.key[0]);
  assert.ok(accounts.includes(XSS));
  const t = topTable(data.analysis.top['interface-id'], data.analysis.totals.bytes);
  assert.ok(t.rows.some((r) => r.label.includes('<script>')), 'labels are plain text for textContent');
});

// ------------------------------------------------------------------ what the report says

test('report.provenance_and_title', () => {
  const a = sample(['--filter', 'action = REJECT']);
  const d = { report: reportDoc(a).report, analysis: a };
  const p = Object.fromEntries(provenance(d));
  assert.equal(p.Filter, 'action = REJECT');
  assert.equal(p.Records, `${a.totals.records.toLocaleString('en-US')} selected of 50,000 loaded (7.4%)`);
  assert.match(p['Time range'], /^2023-11-14 22:1\d → 2\d:\d\d UTC \(\d+ min\)$/);
  assert.match(p.Files, /^.*sample\.log\.gz \(\d+ kB\)$/);
  assert.equal(p['Unreadable lines'], 'none: every line was read');
  assert.equal(p.Addresses, 'as logged (not masked)');
  assert.equal(p.Generated, '2026-11-23 08:00 UTC by the FlowLens web app, FlowLens 0.1.0');
  assert.equal(reportTitle(d), 'FlowLens report · action = REJECT · 2026-11-23 08:00 UTC');

  const all = { report: { ...d.report, masked: true, generated_by: 'cli' }, analysis: sample() };
  const q = Object.fromEntries(provenance(all));
  assert.equal(q.Filter, 'none: every record');
  assert.equal(q.Records, '50,000 loaded');
  assert.match(q.Addresses, /^masked: /);
  assert.match(q.Generated, /by the flowlens command-line tool/);
  assert.equal(formatGeneratedAt('garbage'), 'garbage');
  assert.equal(formatGeneratedAt(null), 'unknown time');
  assert.equal(timeRangeText({ first_start: null, last_end: null }), null);
});

test('report.bad_lines_text', () => {
  assert.equal(badLinesText({ bad_lines: 0 }), 'none: every line was read');
  assert.equal(badLinesText({ bad_lines: 12, by_reason: { port_range: 2, bad_number: 10 } }),
    '12 skipped (bad number 10, port range 2); the rest of each file was read');
});

test('report.cards_carry_the_exact_totals', () => {
  const a = sample();
  const c = Object.fromEntries(cards(a).map((x) => [x.id, x]));
  assert.equal(c.records.exact, a.totals.records);
  assert.equal(c.records.value, '50,000');
  assert.equal(c.bytes.exact, a.totals.bytes);
  assert.equal(c.bytes.value, '285 GB');
  assert.equal(c.packets.exact, a.totals.packets);
  assert.equal(c.rejected.exact, a.totals.rejected_records);
  assert.equal(c.accepted.exact, a.totals.accepted_records);
  assert.equal(c.span.exact, a.totals.last_end - a.totals.first_start);
  assert.equal(c.bad.exact, 0);
  assert.match(c.records.sub, /NODATA/);
});

test('report.top_tables_add_up', () => {
  const a = sample();
  assert.deepEqual(topKeys(a).map((k) => k.key), Object.keys(a.top));
  assert.equal(topKeys(a)[0].label, 'Source');
  for (const { key } of topKeys(a)) {
    const entry = a.top[key];
    const t = topTable(entry, metricTotal(a, entry.metric));
    const sum = (m) => t.rows.reduce((s, r) => s + r[m], 0) + (t.other?.[m] ?? 0);
    assert.equal(sum('bytes'), a.totals.bytes, `${key} bytes`);
    assert.equal(sum('records'), a.totals.records, `${key} records`);
    assert.equal(t.rows.length, Math.min(10, entry.distinct));
    assert.deepEqual(t.rows.map((r) => r.rank), t.rows.map((_, i) => i + 1));
  }
  const conv = topTable(a.top.conversation, a.totals.bytes);
  assert.match(conv.rows[0].label, / ↔ /);
  assert.match(conv.other.label, /^[\d,]+ others$/);
  const ports = topTable(a.top.dstport, a.totals.bytes);
  assert.equal(ports.rows[0].label, '9092 (Kafka)', 'ports are named as on the page');
  assert.equal(topHint(a.top.srcaddr), `${a.top.srcaddr.distinct.toLocaleString('en-US')} distinct values, the top 10 shown, ranked by bytes.`);
  assert.deepEqual(topTable(undefined, 1).rows, []);
});

test('report.scanners_and_pseudonyms', () => {
  const a = sample();
  const [first] = a.rejects.scanners;
  assert.deepEqual(scannerBadge(first), { nacl: false, text: 'port scan' });
  assert.match(scannerDetails(first), /^1,250 rejected · 0 accepted · 1,250 ports · 1 host · lowest ports 1, /);
  const nacl = a.rejects.scanners.find((s) => /network ACL/.test(s.explanation));
  assert.equal(scannerBadge(nacl).nacl, true);
  assert.ok(isInternalPseudonym('internal-0001'));
  assert.ok(!isInternalPseudonym('external-0001'));
  assert.ok(!isInternalPseudonym('10.0.0.1'));
});

test('report.charts_get_at_most_twenty_rows_tables_all', () => {
  const a = sample(['--top', '50']);
  assert.equal(a.top.srcaddr.rows.length, 50);
  const c = forCharts(a);
  for (const [k, e] of Object.entries(c.top)) assert.ok(e.rows.length <= CHART_ROWS, k);
  assert.equal(c.top.srcaddr.rows.length, CHART_ROWS);
  assert.deepEqual(c.top.srcaddr.rows, a.top.srcaddr.rows.slice(0, CHART_ROWS));
  assert.ok(c.rejects.by_source.rows.length <= CHART_ROWS);
  assert.equal(c.totals, a.totals);
  assert.equal(a.top.srcaddr.rows.length, 50, 'the input is not changed');
  assert.equal(topTable(a.top.srcaddr, a.totals.bytes).rows.length, 50);
  const small = sample();
  assert.equal(forCharts(small).top.srcaddr, small.top.srcaddr, 'short lists are kept as they are');
});

// ------------------------------------------------------------------ the built template

test('report.template_is_one_safe_self_contained_file', async () => {
  const { html, script, style, csp } = await buildReportTemplate();
  assert.equal(countMarkers(html), 1);
  assert.ok(html.includes(`<script type="application/json" id="flowlens-report-data">${MARKER}</script>`));
  // The data element comes before the renderer, so the first marker is the data's.
  assert.ok(html.indexOf(MARKER) < html.indexOf(script));

  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
  assert.ok(meta, 'a CSP meta');
  assert.equal(meta[1], csp);
  const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  assert.deepEqual(directives['default-src'], ["'none'"]);
  assert.deepEqual(directives['connect-src'], ["'none'"]);
  assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval') && !csp.includes('http'), csp);
  const hash = (t) => `'sha256-${createHash('sha256').update(t, 'utf8').digest('base64')}'`;
  assert.deepEqual(directives['script-src'], [hash(script)]);
  assert.deepEqual(directives['style-src'], [hash(style)]);
  assert.ok(html.includes(`<script>${script}</script>`), 'the hashed text is exactly the inline script');
  assert.ok(html.includes(`<style>${style}</style>`));

  // Exactly one executable script (the renderer) and one data block; nothing remote.
  const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
  assert.deepEqual(scripts, [' type="application/json" id="flowlens-report-data"', '']);
  assert.doesNotMatch(html, /\s(src|href)\s*=/i);
  assert.doesNotMatch(html.replace(script, ''), /https?:\/\//);
  assert.doesNotMatch(script, /\bfetch\(|XMLHttpRequest|WebSocket|sendBeacon/);
  assert.ok(html.length < 1_000_000, `template is ${html.length} bytes`);
});
