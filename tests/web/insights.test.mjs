import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findings } from '../../web/insights.js';
import { sample, documented } from './fixtures.mjs';

// The replies and NODATA lists, made by the filter engine instead of the analysis pass: the
// follow-up queries the page ran before the core's analysis computed both.
const REPLIES = 'action = reject and srcport < 1024 and dstport >= 1024 and protocol in (tcp, udp)';
const within = (filter, cond) => (filter ? `(${filter}) and ${cond}` : cond);
const byQuery = (filter, cond, key, top) => sample(['--filter', within(filter, cond), '--key', key, '--metric', 'records', '--top', String(top)]);

test('insights.replies_and_nodata_agree_with_the_filter_engine', () => {
  for (const filter of ['', 'dstport != 22', 'addr in 10.0.0.0/16']) {
    const doc = filter ? sample(['--filter', filter]) : sample();
    const replies = byQuery(filter, REPLIES, 'srcaddr,srcport', 10);
    assert.equal(doc.rejects.replies.records, replies.totals.records, filter);
    assert.equal(doc.rejects.replies.bytes, replies.totals.bytes, filter);
    assert.deepEqual(doc.rejects.replies.by_source, { ...replies.top['srcaddr,srcport'], metric: 'records' }, filter);
    const nodata = byQuery(filter, 'log-status = nodata', 'interface-id', 10);
    assert.equal(doc.nodata.records, nodata.totals.records, filter);
    assert.deepEqual(doc.nodata.by_interface, nodata.top['interface-id'], filter);
  }
  // The sample has both, so the comparison above compared lists with rows in them.
  assert.ok(sample().rejects.replies.by_source.rows.length > 0);
  assert.ok(sample().nodata.by_interface.rows.length > 1);
});

test('insights.sample_findings', () => {
  const doc = sample();
  const list = findings(doc);
  const titles = list.map((f) => f.title);
  assert.equal(list[0].level, 'alert');
  assert.match(titles[0], /^4 sources look like scanners/);
  assert.match(list[0].text, /203\.0\.113\.77 \(port scan, 1,250 ports\)/);
  assert.match(list[0].text, /inside the network/);
  assert.ok(titles.includes('7.4% of records rejected'));
  const rej = list.find((f) => f.title === '7.4% of records rejected');
  assert.match(rej.text, /22 \(SSH\) with 22% of the rejects/);
  const nacl = list.find((f) => f.title === 'Possible network-ACL problem');
  assert.ok(nacl);
  assert.match(nacl.text, /^57 rejected records/);
  assert.match(nacl.text, /10\.0\.1\.30 · 22 \(SSH\)/);
  assert.ok(titles.includes('Top talker: 10.0.3.41'));
  const nodata = list.find((f) => f.title.includes('NODATA'));
  assert.match(nodata.text, /500 NODATA records: 4 interfaces/);
  assert.ok(titles.some((t) => t.includes('SKIPDATA')));
});

test('insights.no_records', () => {
  const none = findings({ totals: { records: 0 } });
  assert.equal(none.length, 1);
  assert.equal(none[0].title, 'No records');
});

test('insights.documented_examples', () => {
  const list = findings(documented());
  assert.ok(list.some((f) => /2 of 7 records were rejected/.test(f.text)));
  assert.ok(list.some((f) => f.title.includes('SKIPDATA')));
});
