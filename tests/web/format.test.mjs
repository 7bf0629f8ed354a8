import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatInt, formatBytes, formatCount, formatPercent, protocolName, portLabel, valueLabel,
  rowLabel, formatTime, isoSeconds, formatDuration, escapeHtml, isPrivateAddress, cellText,
  tcpFlagsLabel, isFilterableField, plural, keyLabel,
} from '../../web/format.js';

test('format.int_exact_with_grouping', () => {
  assert.equal(formatInt(50000), '50,000');
  assert.equal(formatInt(0), '0');
  assert.equal(formatInt(284661464271), '284,661,464,271');
  assert.equal(formatInt(null), '–');
});

test('format.bytes_decimal_units', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1534), '1.5 kB');
  assert.equal(formatBytes(284661464271), '285 GB');
  assert.equal(formatBytes(54204868180), '54.2 GB');
  assert.equal(formatBytes(2.5e15), '2.5 PB');
});

test('format.count_and_percent', () => {
  assert.equal(formatCount(357130663), '357M');
  assert.equal(formatCount(1534), '1.5k');
  assert.equal(formatCount(12), '12');
  assert.equal(formatPercent(3707, 50000), '7.4%');
  assert.equal(formatPercent(45693, 50000), '91%');
  assert.equal(formatPercent(2, 50000), '0.004%');
  assert.equal(formatPercent(0, 10), '0%');
  assert.equal(formatPercent(1, 0), '0%');
  assert.equal(plural(1, 'port'), '1 port');
  assert.equal(plural(1250, 'port'), '1,250 ports');
});

test('format.protocol_and_port_names', () => {
  assert.equal(protocolName(6), 'TCP');
  assert.equal(protocolName('17'), 'UDP');
  assert.equal(protocolName('58'), 'ICMPv6');
  assert.equal(protocolName('-'), '–');
  assert.equal(protocolName(253), 'protocol 253');
  assert.equal(portLabel('22'), '22 (SSH)');
  assert.equal(portLabel(40000), '40000');
  assert.equal(valueLabel('protocol', '6'), 'TCP');
  assert.equal(valueLabel('dstport', '3389'), '3389 (RDP)');
  assert.equal(valueLabel('srcaddr', '-'), '(none)');
  assert.equal(valueLabel('traffic-path', '8'), '8 (internet gateway (Nitro))');
  assert.equal(keyLabel('srcaddr,dstport'), 'Source + Destination port');
  assert.equal(keyLabel('conversation'), 'Conversations');
  assert.equal(keyLabel('some-custom-field'), 'some-custom-field');
});

test('format.row_labels', () => {
  assert.equal(rowLabel({ key: 'conversation', fields: ['addr', 'addr'] }, { key: ['10.0.0.1', '10.0.0.2'] }), '10.0.0.1 ↔ 10.0.0.2');
  assert.equal(rowLabel({ key: 'srcaddr,dstport', fields: ['srcaddr', 'dstport'] }, { key: ['10.0.0.1', '22'] }), '10.0.0.1 · 22 (SSH)');
  assert.equal(rowLabel({ key: 'protocol', fields: ['protocol'] }, { key: ['1'] }), 'ICMP');
});

test('format.times_are_utc', () => {
  assert.equal(formatTime(1700000000), '2023-11-14 22:13:20 UTC');
  assert.equal(formatTime(1700000000, { seconds: false, zone: false }), '2023-11-14 22:13');
  assert.equal(isoSeconds(1700000000), '2023-11-14T22:13:20Z');
  assert.equal(formatDuration(3599), '59 min');
  assert.equal(formatDuration(45), '45 s');
  assert.equal(formatDuration(3 * 86400 + 7200), '3 days 2 h');
  assert.equal(formatDuration(3900), '1 h 5 min');
  assert.equal(formatDuration(20 * 86400 + 3600), '20 days');
  assert.equal(formatDuration(1477913820 - 1418530010), '1.9 years');
});

test('format.escape_html', () => {
  assert.equal(escapeHtml('<img src=x onerror="a(1)">&\''), '&lt;img src=x onerror=&quot;a(1)&quot;&gt;&amp;&#39;');
  assert.equal(escapeHtml(42), '42');
});

test('format.private_addresses', () => {
  for (const a of ['10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.1.1', '100.64.0.1', 'fd00::1', 'fe80::1']) {
    assert.ok(isPrivateAddress(a), a);
  }
  for (const a of ['172.32.0.1', '8.8.8.8', '203.0.113.7', '2001:db8::1', '-', null]) {
    assert.ok(!isPrivateAddress(a), String(a));
  }
});

test('format.record_cells', () => {
  assert.equal(cellText('protocol', 6), 'TCP');
  assert.equal(cellText('bytes', 1234567), '1,234,567');
  assert.equal(cellText('start', 1700000000), '2023-11-14 22:13:20');
  assert.equal(cellText('srcaddr', null), '–');
  assert.equal(cellText('tcp-flags', 19), '19 (FIN SYN ACK)');
  assert.equal(tcpFlagsLabel(0), '0');
  assert.equal(cellText('interface-id', '<b>x</b>'), '<b>x</b>', 'text is returned as text; the DOM layer uses textContent');
  assert.ok(isFilterableField('srcaddr'));
  assert.ok(!isFilterableField('bytes'));
  assert.ok(!isFilterableField('start'));
});
