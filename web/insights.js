// insights.js — "What stands out": plain-English findings from the analysis document.
// Pure: every number comes from the document (the reject report's replies, the NODATA
// interfaces and the rest), so the page and the report say the same.

import { formatBytes, formatInt, formatPercent, portLabel, rowLabel } from './format.js';

const isNaclScanner = (s) => /network ACL/i.test(s.explanation ?? '');

/**
 * Findings, most important first: [{ level: 'alert' | 'warn' | 'info', title, text }].
 * Everything is computed from the core's numbers; nothing is guessed here.
 */
export function findings(analysis) {
  const out = [];
  const t = analysis?.totals;
  if (!t || t.records === 0) {
    return [{ level: 'info', title: 'No records', text: 'The current filter selects no records.' }];
  }

  // Scanners (the core decides what a scan is and explains it).
  const scanners = analysis.rejects?.scanners ?? [];
  const real = scanners.filter((s) => !isNaclScanner(s));
  const nacl = scanners.filter(isNaclScanner);
  if (real.length > 0) {
    const names = real.slice(0, 3).map((s) => `${s.source} (${s.kind}, ${formatInt(Math.max(s.distinct_ports, s.distinct_hosts))} ${s.distinct_ports >= s.distinct_hosts ? 'ports' : 'hosts'})`);
    const inside = real.filter((s) => /private address/i.test(s.explanation ?? '')).length;
    const through = real.filter((s) => s.accepted_records > 0).length;
    let text = `${names.join(', ')}${real.length > 3 ? ` and ${real.length - 3} more` : ''}.`;
    if (inside) text += ` ${inside} of them ${inside === 1 ? 'is' : 'are'} inside the network.`;
    if (through) text += ` ${through} also had accepted flows: check what answered.`;
    out.push({ level: 'alert', title: `${real.length} source${real.length === 1 ? '' : 's'} look${real.length === 1 ? 's' : ''} like ${real.length === 1 ? 'a scanner' : 'scanners'}`, text });
  }

  // Rejects.
  if (t.rejected_records > 0) {
    const byPort = analysis.rejects?.by_dstport?.rows ?? [];
    const topPort = byPort.find((r) => r.key[0] !== '-');
    let text = `${formatInt(t.rejected_records)} of ${formatInt(t.records)} records were rejected by a security group or network ACL.`;
    if (topPort) {
      text += ` The most rejected destination port is ${portLabel(topPort.key[0])} with ${formatPercent(topPort.records, t.rejected_records)} of the rejects.`;
    }
    out.push({ level: t.rejected_records / t.records > 0.2 ? 'warn' : 'info', title: `${formatPercent(t.rejected_records, t.records)} of records rejected`, text });
  }

  // Possible network-ACL symptoms.
  const replies = analysis.rejects?.replies?.records ?? 0;
  if (replies > 0 || nacl.length > 0) {
    const entry = analysis.rejects?.replies?.by_source;
    const top = entry?.rows?.[0];
    let text = `${formatInt(replies)} rejected records go from a well-known port (below 1024) to an ephemeral port. That is what a server's replies look like when a network ACL (stateless) has no outbound rule for ports 1024-65535.`;
    if (top) text += ` Most come from ${rowLabel(entry, top)}.`;
    if (nacl.length) text += ` The scan check reached the same conclusion for ${nacl.map((s) => s.source).slice(0, 3).join(', ')}.`;
    out.push({ level: 'warn', title: 'Possible network-ACL problem', text });
  }

  // Top talker and top conversation.
  const src = analysis.top?.srcaddr?.rows?.find((r) => r.key[0] !== '-');
  if (src && t.bytes > 0 && src.bytes / t.bytes >= 0.1) {
    out.push({ level: 'info', title: `Top talker: ${src.key[0]}`, text: `${src.key[0]} sent ${formatPercent(src.bytes, t.bytes)} of all bytes (${formatBytes(src.bytes)} in ${formatInt(src.records)} records).` });
  }
  const conv = analysis.top?.conversation;
  const c0 = conv?.rows?.find((r) => r.key[0] !== '-' && r.key[1] !== '-');
  if (c0 && t.bytes > 0 && c0.bytes / t.bytes >= 0.05) {
    out.push({ level: 'info', title: 'Busiest conversation', text: `${rowLabel(conv, c0)} carried ${formatPercent(c0.bytes, t.bytes)} of all bytes (${formatBytes(c0.bytes)}).` });
  }

  // NODATA / SKIPDATA.
  if (t.nodata_records > 0) {
    const ifs = analysis.nodata?.by_interface;
    const n = ifs?.distinct;
    const names = (ifs?.rows ?? []).slice(0, 3).map((r) => r.key[0]).filter((k) => k !== '-');
    let text = `${formatInt(t.nodata_records)} NODATA records: ${n ? `${formatInt(n)} interface${n === 1 ? '' : 's'}` : 'some interfaces'} saw no traffic in some capture windows.`;
    if (names.length) text += ` Most on ${names.join(', ')}.`;
    out.push({ level: 'info', title: 'Idle interfaces (NODATA)', text });
  }
  if (t.skipdata_records > 0) {
    out.push({ level: 'warn', title: 'Records skipped by AWS (SKIPDATA)', text: `${formatInt(t.skipdata_records)} SKIPDATA records: AWS could not capture every flow in those windows (capacity or an internal error), so the totals are lower bounds there.` });
  }

  if (t.bad_lines > 0) {
    const reasons = Object.entries(analysis.errors?.by_reason ?? {}).sort((a, b) => b[1] - a[1]);
    const list = reasons.slice(0, 3).map(([k, v]) => `${k.replace(/_/g, ' ')} ${formatInt(v)}`).join(', ');
    out.push({ level: 'warn', title: `${formatInt(t.bad_lines)} lines could not be read`, text: `They were skipped (${list}); see "Lines that could not be read" below for examples.` });
  }

  // Most serious first; the order within a level is the order above.
  const rank = { alert: 0, warn: 1, info: 2 };
  out.sort((a, b) => rank[a.level] - rank[b.level]);

  if (out.length === 0) {
    out.push({ level: 'info', title: 'Nothing unusual', text: 'No rejects, scanners, idle interfaces or unreadable lines in this selection.' });
  }
  return out;
}
