// summary.js — the summary cards and the "What stands out" list.
// total-records shows the exact count with comma grouping ("50,000"); every card value also
// carries the exact integer in data-value, for tests and for copying.

import { byId, h, setChildren } from '../dom.js';
import {
  formatInt, formatBytes, formatPercent, formatTime, formatDuration, formatCount,
} from '../format.js';

function card(id, value, exact, sub) {
  const el = byId(`total-${id}`);
  el.textContent = value;
  if (exact !== undefined && exact !== null) el.dataset.value = String(exact);
  else delete el.dataset.value;
  const subEl = document.getElementById(`sub-${id}`);
  if (subEl) subEl.textContent = sub ?? '';
}

function sameDay(a, b) {
  return new Date(a * 1000).toISOString().slice(0, 10) === new Date(b * 1000).toISOString().slice(0, 10);
}

export function renderCards(analysis) {
  const t = analysis.totals;
  const filtered = t.records !== t.loaded_records;
  const special = [];
  if (t.nodata_records) special.push(`${formatInt(t.nodata_records)} NODATA`);
  if (t.skipdata_records) special.push(`${formatInt(t.skipdata_records)} SKIPDATA`);
  const status = special.length ? `incl. ${special.join(' · ')}` : 'all with log-status OK';
  card('records', formatInt(t.records), t.records,
    filtered ? `of ${formatInt(t.loaded_records)} loaded (${formatPercent(t.records, t.loaded_records)})` : status);
  byId('sub-records').title = `${formatInt(t.ok_records)} OK, ${formatInt(t.nodata_records)} NODATA, ${formatInt(t.skipdata_records)} SKIPDATA`;
  byId('total-bytes').title = `${formatInt(t.bytes)} bytes`;
  card('bytes', formatBytes(t.bytes), t.bytes, `${formatInt(t.bytes)} B`);
  card('packets', formatCount(t.packets), t.packets, `${formatInt(t.packets)} packets`);
  card('accepted', formatInt(t.accepted_records), t.accepted_records,
    `${formatPercent(t.accepted_records, t.records)} of records · ${formatBytes(t.accepted_bytes)}`);
  card('rejected', formatInt(t.rejected_records), t.rejected_records,
    `${formatPercent(t.rejected_records, t.records)} of records · ${formatBytes(t.rejected_bytes)}`);
  if (t.first_start !== null && t.last_end !== null) {
    card('span', formatDuration(t.last_end - t.first_start), t.last_end - t.first_start,
      `${formatTime(t.first_start, { seconds: false, zone: false })} → ${sameDay(t.first_start, t.last_end) ? formatTime(t.last_end, { seconds: false }).slice(11) : formatTime(t.last_end, { seconds: false })}`);
  } else {
    card('span', '–', null, 'no start/end times');
  }
  card('sources', formatInt(t.distinct_sources), t.distinct_sources, 'distinct source addresses');
  card('destinations', formatInt(t.distinct_destinations), t.distinct_destinations, 'distinct destination addresses');
  card('interfaces', formatInt(t.distinct_interfaces), t.distinct_interfaces, 'distinct network interfaces');
  card('bad', formatInt(t.bad_lines), t.bad_lines, t.bad_lines ? 'unreadable lines, skipped' : 'every line was read');
}

export function renderFindings(list) {
  setChildren(byId('findings'), list.map((f) => h('li', { className: `finding finding-${f.level}` },
    h('span', { className: 'finding-title' }, f.title),
    h('span', { className: 'finding-text' }, f.text))));
}
