// docs/analyze.schema.json against what the core writes: `flowlens analyze` documents of the
// sample, the documented AWS examples, a custom format, bad lines and hostile text must all be
// valid, and the schema must be strict enough to reject a document that lost a required part.
// Ajv (a dev dependency) is the validator, so the schema is read as any consumer would read it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { sample, documented, hostile, analyze, ROOT } from './fixtures.mjs';

const schema = JSON.parse(readFileSync(join(ROOT, 'docs', 'analyze.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true }).compile(schema);
const check = (doc, label) => assert.ok(validate(doc), `${label}: ${JSON.stringify(validate.errors?.slice(0, 5))}`);

test('schema.the_core_writes_what_the_schema_describes', () => {
  check(sample(), 'sample');
  check(sample(['--filter', 'action = reject', '--key', 'srcaddr,dstport', '--metric', 'records', '--top', '3']), 'sample, rejects');
  check(sample(['--filter', 'protocol = 99']), 'an empty selection');
  check(documented(), 'documented examples');
  check(hostile(), 'hostile text');
  for (const f of ['documented-v5.log', 'messy.log', 'cloudwatch-filter-log-events.json']) {
    check(analyze([join(ROOT, 'tests', 'data', f)]), f);
  }
});

test('schema.rejects_a_document_without_a_required_part', () => {
  const doc = sample();
  assert.ok(doc.rejects.replies.records > 0 && doc.nodata.records > 0, 'the sample has both');
  for (const drop of [(d) => delete d.nodata, (d) => delete d.rejects.replies, (d) => delete d.rejects.replies.by_source.rows,
    (d) => delete d.totals.records]) {
    const broken = structuredClone(doc);
    drop(broken);
    assert.equal(validate(broken), false, drop.toString());
  }
  const wrongType = structuredClone(doc);
  wrongType.nodata.records = '500';
  assert.equal(validate(wrongType), false, 'a count must be a number');
});
