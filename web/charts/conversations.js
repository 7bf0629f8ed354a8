// conversations.js — who talks to whom: a graph of the top conversations.
// Pure: analysis document → ECharts option. Nodes are addresses (internal blue, external
// orange), edges are conversations (width by the metric). Node i is nodes[i] of the returned
// `meta`, edge j is analysis.top.conversation.rows[j], for click handlers.

import { formatBytes, formatInt, isPrivateAddress } from '../format.js';
import { COLORS, TEXT_STYLE, tooltipBase, tooltipHtml, truncate, emptyOption } from './common.js';

/** Nodes and edges of the conversation graph, before they become an option. */
export function conversationGraph(analysis, { metric = 'bytes' } = {}) {
  const entry = analysis?.top?.conversation;
  const rows = (entry?.rows ?? []).filter((r) => r.key[0] !== '-' && r.key[1] !== '-');
  const nodes = new Map();
  const node = (addr) => {
    if (!nodes.has(addr)) {
      nodes.set(addr, { name: addr, value: 0, bytes: 0, packets: 0, records: 0, peers: 0, internal: isPrivateAddress(addr) });
    }
    return nodes.get(addr);
  };
  const edges = rows.map((r) => {
    for (const addr of new Set(r.key)) {
      const n = node(addr);
      n.value += r[metric];
      n.bytes += r.bytes;
      n.packets += r.packets;
      n.records += r.records;
      n.peers += 1;
    }
    return { source: r.key[0], target: r.key[1], value: r[metric], row: r };
  });
  return { nodes: [...nodes.values()], edges };
}

export function conversationsOption(analysis, { metric = 'bytes' } = {}) {
  const { nodes, edges } = conversationGraph(analysis, { metric });
  if (edges.length === 0) return emptyOption('No conversations between addresses in this selection');
  const fmt = metric === 'bytes' ? formatBytes : formatInt;
  const maxNode = Math.max(...nodes.map((n) => n.value), 1);
  const maxEdge = Math.max(...edges.map((e) => e.value), 1);

  return {
    textStyle: TEXT_STYLE,
    animation: false,
    legend: {
      data: ['Internal (private address)', 'External'],
      top: 0,
      left: 0,
      itemWidth: 10,
      itemHeight: 10,
      textStyle: { color: COLORS.muted },
    },
    tooltip: tooltipBase({
      trigger: 'item',
      formatter: (p) => {
        if (p.dataType === 'edge') {
          const e = edges[p.dataIndex];
          if (!e) return '';
          return tooltipHtml(`${e.source} ↔ ${e.target}`, [
            ['Bytes', formatBytes(e.row.bytes)],
            ['Packets', formatInt(e.row.packets)],
            ['Records', formatInt(e.row.records)],
          ], 'Click to filter on this conversation');
        }
        const n = nodes[p.dataIndex];
        if (!n) return '';
        return tooltipHtml(n.name, [
          ['In top conversations', fmt(n.value)],
          ['Peers shown', formatInt(n.peers)],
          ['Address', n.internal ? 'private (inside the network)' : 'public'],
        ], 'Click to filter on this address');
      },
    }),
    series: [
      {
        type: 'graph',
        layout: 'circular',
        circular: { rotateLabel: false },
        roam: true,
        top: 36,
        bottom: 24,
        left: 90,
        right: 90,
        categories: [
          { name: 'Internal (private address)', itemStyle: { color: COLORS.internal } },
          { name: 'External', itemStyle: { color: COLORS.external } },
        ],
        data: nodes.map((n) => ({
          name: n.name,
          value: n.value,
          category: n.internal ? 0 : 1,
          symbolSize: 10 + 26 * Math.sqrt(n.value / maxNode),
          label: { show: true, formatter: truncate(n.name, 24) },
        })),
        links: edges.map((e) => ({
          source: e.source,
          target: e.target,
          value: e.value,
          lineStyle: { width: 1 + 7 * Math.sqrt(e.value / maxEdge), opacity: 0.55, curveness: 0.15 },
        })),
        label: { position: 'right', color: COLORS.text, fontSize: 11 },
        lineStyle: { color: 'source' },
        emphasis: { focus: 'adjacency', lineStyle: { opacity: 0.9 } },
        cursor: 'pointer',
      },
    ],
  };
}
