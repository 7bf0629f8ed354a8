// chart-warm-up.js — draws the dashboard's charts once, out of sight, as soon as the page opens.
// Why: the first drawing of a chart runs ECharts' code cold (V8 compiles it on first use and
// optimises it only once it has run a while). Done while the engine starts and the user picks
// files, that cost is off the path from a drop to the drawn dashboard (bench/README.md, "Latest
// figures (2026-11-24, 08:20": the load's drawing 163-178 -> 86-118 ms at 5 M records). Each
// chart is drawn from one made-up analysis, then updated from three more of the same shape: the
// path a filter change takes. V8 optimises a function only after several runs: with one update,
// the first real drawings after a load still ran slower code (the time series 33-47 ms against
// 23-25 ms with three; bench/README.md, "Latest figures (2026-11-24, 12:5"). The charts sit in
// an off-screen container, hidden from assistive technology, and are disposed of afterwards.

import { ChartsHost } from './charts-host.js';

/**
 * @param {object[]} analyses  analysis documents (docs/analyze-json.md; warmUpAnalyses), drawn in turn
 * @param {{option: (analysis) => object, brush?: boolean}[]} charts  what to draw: each chart's
 *   option builder, and whether the page arms its time brush (ChartsHost.armBrush)
 * @param {import('./deferred-draws.js').DeferredDraws} deferred  the page's (a ChartsHost needs
 *   one; these charts are drawn at once, so nothing waits in it)
 * @returns {Promise<number>} how many drawings were made. One drawing per task: a user's drop or
 *   click waits for one chart at most.
 */
export async function warmUpCharts(analyses, charts, deferred) {
  const box = document.createElement('div');
  box.className = 'chart-warm-up';
  box.setAttribute('aria-hidden', 'true');
  const ids = charts.map((_, i) => `chart-warm-up-${i}`);
  for (const id of ids) {
    const el = document.createElement('div');
    el.id = id;
    box.append(el);
  }
  document.body.append(box);
  const host = new ChartsHost(deferred);
  let drawn = 0;
  try {
    for (const analysis of analyses) {
      for (const [i, chart] of charts.entries()) {
        await nextTask();
        host.draw(ids[i], chart.option(analysis));
        if (chart.brush) host.armBrush(ids[i]);
        drawn += 1;
      }
    }
  } finally {
    host.dispose();
    box.remove();
  }
  return drawn;
}

function nextTask() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Four made-up analysis documents of the same shape, with what the dashboard's charts read
 * (totals, a time series of 60 one-minute buckets, the srcaddr and conversation top lists):
 * a first load's and three filters' (scaled down or up, so the axes change as they do).
 * Deterministic; no log content.
 */
export function warmUpAnalyses() {
  return [madeUpAnalysis(1, 1), madeUpAnalysis(7, 0.2), madeUpAnalysis(3, 0.05), madeUpAnalysis(5, 0.6)];
}

function madeUpAnalysis(seed, scale) {
  let x = seed;
  const next = (n) => { // a 32-bit linear congruential generator: 1 … n·scale
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return Math.floor((x / 2 ** 32) * n * scale) + 1;
  };
  const counters = () => ({ bytes: next(4e9), packets: next(4e6), records: next(5e4) });
  const start = 1700000040;
  const points = Array.from({ length: 60 }, (_, i) => ({
    start: start + i * 60,
    start_iso: new Date((start + i * 60) * 1000).toISOString().replace('.000Z', 'Z'),
    accept_records: next(2e4), accept_bytes: next(9e10), accept_packets: next(1e8),
    reject_records: next(4e3), reject_bytes: next(4e5), reject_packets: next(4e3),
    other_records: next(200),
  }));
  const top = (key, fields, label) => ({
    key, fields, metric: 'bytes', distinct: 500,
    rows: Array.from({ length: 10 }, (_, i) => ({ key: label(i), ...counters() }))
      .sort((a, b) => b.bytes - a.bytes),
    other: counters(),
  });
  return {
    totals: { records: 5e6, bytes: 2.6e13, packets: 3.3e10, accepted_records: 4.5e6, rejected_records: 3.6e5 },
    timeseries: { bucket_seconds: 60, points },
    top: {
      srcaddr: top('srcaddr', ['srcaddr'], (i) => [`10.0.${i % 4}.${10 + i}`]),
      conversation: top('conversation', ['addr', 'addr'], (i) => [`10.0.2.${10 + i}`, i % 3 ? `10.0.3.${40 + i}` : `203.0.113.${7 + i}`]),
    },
  };
}
