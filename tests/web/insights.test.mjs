import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findings, insightQueries } from '../../web/insights.js';
import { sample, documented } from './fixtures.mjs';

const extrasFor = (filter) => Object.fromEntries(insightQueries(filter).map(([name, f, o]) => {
  const args = ['--filter', f, '--top', String(o.top), '--metric', o.metric];
  for (const k of o.keys.split(';')) args.push('--key', k);
  // The engine leaves these out for sections: 'top' (wasm/API.md): findings must not need them.
  const doc = sample(args);
  if (o.sections === 'top') {
    delete doc.timeseries;
    delete doc.rejects;
  }
  return [name, doc];
}));

test('insights.queries_wrap_the_filter', () => {
  const q = insightQueries('srcaddr = 10.0.0.1 or dstport = 22');
  assert.equal(q.length, 2);
  for (const [, f] of q) assert.match(f, /^\(srcaddr = 10\.0\.0\.1 or dstport = 22\) and /);
  assert.ok(insightQueries('').every(([, f]) => !f.startsWith('(')));
  assert.ok(q.every(([, , o]) => o.sections === 'top'));
});

test('insights.sample_findings', () => {
  const doc = sample();
  const list = findings(doc, extrasFor(''));
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

test('insights.without_extras_and_empty', () => {
  const list = findings(sample(), {});
  assert.ok(list.length >= 4);
  assert.ok(list.find((f) => f.title === 'Possible network-ACL problem'), 'the core flagged 10.0.1.30');
  const none = findings({ totals: { records: 0 } });
  assert.equal(none[0].title, 'No records');
});

test('insights.documented_examples', () => {
  const list = findings(documented(), {});
  assert.ok(list.some((f) => /2 of 7 records were rejected/.test(f.text)));
  assert.ok(list.some((f) => f.title.includes('SKIPDATA')));
});
