import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  quoteValue, equals, conditionForRow, timeRangeCondition, splitTopLevel, stripOuterParens,
  joinConditions, locateInConditions, addCondition, removeCondition, hashForFilter, filterFromHash,
} from '../../web/filter-model.js';
import { isoSeconds } from '../../web/format.js';

test('filter.quote_bare_words', () => {
  assert.equal(quoteValue('10.0.0.5'), '10.0.0.5');
  assert.equal(quoteValue('eni-0a1b2c'), 'eni-0a1b2c');
  assert.equal(quoteValue('2001:db8::1'), '2001:db8::1');
  assert.equal(quoteValue(22), '22');
});

test('filter.quote_when_needed', () => {
  assert.equal(quoteValue('and'), '"and"', 'keywords are quoted');
  assert.equal(quoteValue('NOT'), '"NOT"');
  assert.equal(quoteValue('a b'), '"a b"');
  assert.equal(quoteValue('x"y\\z'), '"x\\"y\\\\z"');
  assert.equal(quoteValue('<img/src=x>'), '"<img/src=x>"');
  assert.equal(quoteValue(''), '""');
});

test('filter.equals_null_for_absent', () => {
  assert.equal(equals('srcaddr', '-'), 'srcaddr = null');
  assert.equal(equals('dstport', '22'), 'dstport = 22');
});

test('filter.condition_for_rows', () => {
  assert.equal(conditionForRow({ key: 'srcaddr', fields: ['srcaddr'] }, ['10.0.0.5']), 'srcaddr = 10.0.0.5');
  assert.equal(conditionForRow({ key: 'dstport', fields: ['dstport'] }, ['22']), 'dstport = 22');
  assert.equal(conditionForRow({ key: 'srcaddr,dstport', fields: ['srcaddr', 'dstport'] }, ['10.0.0.5', '22']),
    'srcaddr = 10.0.0.5 and dstport = 22');
  assert.equal(conditionForRow({ key: 'conversation', fields: ['addr', 'addr'] }, ['10.0.0.1', '10.0.0.2']),
    'addr = 10.0.0.1 and addr = 10.0.0.2');
  assert.equal(conditionForRow({ key: 'conversation', fields: ['addr', 'addr'] }, ['10.0.0.1', '10.0.0.1']),
    'srcaddr = 10.0.0.1 and dstaddr = 10.0.0.1', 'talking to itself');
  assert.equal(conditionForRow({ key: 'protocol', fields: ['protocol'] }, ['-']), 'protocol = null');
});

test('filter.time_range', () => {
  assert.equal(timeRangeCondition(1700000000, 1700000600, isoSeconds),
    'start >= 2023-11-14T22:13:20Z and start < 2023-11-14T22:23:20Z');
});

test('filter.split_top_level_and', () => {
  assert.deepEqual(splitTopLevel('action = REJECT and dstport in (22, 3389)'), ['action = REJECT', 'dstport in (22, 3389)']);
  assert.deepEqual(splitTopLevel('a = 1 AND b = 2 && c = 3'), ['a = 1', 'b = 2', 'c = 3']);
  assert.deepEqual(splitTopLevel('a = 1 or b = 2'), ['a = 1 or b = 2'], 'an or is one condition');
  assert.deepEqual(splitTopLevel('(a = 1 or b = 2) and c = 3'), ['a = 1 or b = 2', 'c = 3']);
  assert.deepEqual(splitTopLevel('(start >= 1 and start < 2) and srcaddr = 10.0.0.1'), ['start >= 1 and start < 2', 'srcaddr = 10.0.0.1']);
  assert.deepEqual(splitTopLevel('x = "a and b" and y = 1'), ['x = "a and b"', 'y = 1'], 'quotes hide keywords');
  assert.deepEqual(splitTopLevel("x = 'it''s' and y = 1"), ["x = 'it''s'", 'y = 1']);
  assert.deepEqual(splitTopLevel('band = 1 and brand = 2'), ['band = 1', 'brand = 2'], 'and inside words is not a keyword');
  assert.deepEqual(splitTopLevel('not a = 1 and b = 2'), ['not a = 1', 'b = 2']);
  assert.deepEqual(splitTopLevel(''), []);
  assert.deepEqual(splitTopLevel('   '), []);
  assert.equal(stripOuterParens('((a = 1))'), 'a = 1');
  assert.equal(stripOuterParens('(a = 1) or (b = 2)'), '(a = 1) or (b = 2)');
});

test('filter.join_and_round_trip', () => {
  const chips = ['action = REJECT', 'a = 1 or b = 2', 'start >= 1 and start < 2', 'dstport = 22'];
  const joined = joinConditions(chips);
  assert.equal(joined, 'action = REJECT and (a = 1 or b = 2) and (start >= 1 and start < 2) and dstport = 22');
  assert.deepEqual(splitTopLevel(joined), chips);
  assert.equal(joinConditions([]), '');
  assert.equal(joinConditions(['srcaddr = 10.0.0.5']), 'srcaddr = 10.0.0.5');
});

test('filter.locate_error_position', () => {
  const chips = ['action = REJECT', 'bytes > oops or x = 1'];
  const joined = joinConditions(chips); // action = REJECT and (bytes > oops or x = 1)
  const pos = joined.indexOf('oops');
  assert.deepEqual(locateInConditions(chips, pos), { index: 1, offset: chips[1].indexOf('oops') });
  assert.deepEqual(locateInConditions(chips, 3), { index: 0, offset: 3 });
  const single = ['dstport ='];
  assert.deepEqual(locateInConditions(single, 9), { index: 0, offset: 9 }, 'end of input');
});

test('filter.add_remove', () => {
  assert.deepEqual(addCondition(['a = 1'], 'b = 2'), ['a = 1', 'b = 2']);
  assert.deepEqual(addCondition(['a = 1'], 'a = 1'), ['a = 1'], 'no duplicates');
  assert.deepEqual(removeCondition(['a = 1', 'b = 2'], 0), ['b = 2']);
});

test('filter.url_hash', () => {
  const f = 'action = REJECT and dstport in (22, 3389) and x = "a&b#c"';
  const hash = hashForFilter(f);
  assert.match(hash, /^#filter=/);
  assert.ok(!hash.slice(1).includes('#') && !hash.includes(' '), 'encoded');
  assert.equal(filterFromHash(hash), f);
  assert.equal(filterFromHash(''), '');
  assert.equal(filterFromHash('#other=1&filter=srcaddr%20%3D%2010.0.0.1'), 'srcaddr = 10.0.0.1');
  assert.equal(filterFromHash('#filter=%E0%A4%A'), '', 'malformed encoding is ignored');
  assert.equal(hashForFilter(''), '');
});
