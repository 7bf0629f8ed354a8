// scanners.js — the suspected scanners: the core's verdict and its plain-English explanation.

import { h, setChildren } from '../dom.js';
import { formatInt, plural } from '../format.js';

export function renderScanners(container, analysis, onFilter) {
  const list = analysis.rejects?.scanners ?? [];
  const th = analysis.rejects?.scan_thresholds;
  if (list.length === 0) {
    setChildren(container, h('p', { className: 'muted' },
      `No source was rejected on ${th?.min_ports ?? 20} or more destination ports or by ${th?.min_hosts ?? 20} or more hosts.`));
    return;
  }
  const items = list.slice(0, 20).map((s) => {
    const nacl = /network ACL/i.test(s.explanation ?? '');
    return h('li', { className: `scanner${nacl ? ' scanner-nacl' : ''}` },
      h('div', { className: 'scanner-head' },
        h('button', { type: 'button', className: 'link', title: `Filter on srcaddr = ${s.source}`, onclick: () => onFilter(s.source) }, s.source),
        h('span', { className: `badge ${nacl ? 'badge-warn' : 'badge-alert'}` }, nacl ? `${s.kind}? (looks like blocked replies)` : s.kind),
        h('span', { className: 'muted' }, `${formatInt(s.rejected_records)} rejected · ${plural(s.distinct_ports, 'port')} · ${plural(s.distinct_hosts, 'host')}`)),
      h('p', { className: 'scanner-text' }, s.explanation));
  });
  const more = list.length > 20 ? h('p', { className: 'muted' }, `…and ${formatInt(list.length - 20)} more.`) : null;
  setChildren(container, h('ul', { className: 'scanners' }, items), more);
}
