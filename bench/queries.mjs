// queries.mjs — the DuckDB side of the benchmarks (shared by native.mjs and the browser bench page):
// CSV → table with explicit column types, then the aggregates FlowLens's analyze computes that the
// comparison covers. Plain ES module, no imports: it also runs in the browser.

/** CREATE TABLE flows AS SELECT * FROM <readCsvCall>, …options) — pass "read_csv('path'". */
export const CREATE_TABLE_SQL = (readCsvOpen) => `CREATE TABLE flows AS SELECT * FROM ${readCsvOpen},
  delim = ' ', header = true, nullstr = '-', auto_detect = false,
  columns = {
    'version': 'INTEGER', 'account_id': 'VARCHAR', 'interface_id': 'VARCHAR',
    'srcaddr': 'VARCHAR', 'dstaddr': 'VARCHAR', 'srcport': 'INTEGER', 'dstport': 'INTEGER',
    'protocol': 'INTEGER', 'packets': 'BIGINT', 'bytes': 'BIGINT', 'start': 'BIGINT',
    'end': 'BIGINT', 'action': 'VARCHAR', 'log_status': 'VARCHAR'
  })`;

/** The aggregates over `t` (a table name or a parenthesised subquery, for a filtered view). */
export const aggregates = (t = 'flows') => ({
  totals: `SELECT count(*) AS records, sum(bytes) AS bytes, sum(packets) AS packets,
      count(*) FILTER (WHERE action = 'REJECT') AS rejected,
      count(DISTINCT srcaddr) AS sources, count(DISTINCT dstaddr) AS destinations FROM ${t}`,
  top_sources: `SELECT srcaddr AS k, sum(bytes) AS bytes, sum(packets) AS packets, count(*) AS records
      FROM ${t} GROUP BY srcaddr ORDER BY bytes DESC NULLS LAST, k LIMIT 10`,
  top_pairs: `SELECT least(srcaddr, dstaddr) AS a, greatest(srcaddr, dstaddr) AS b, sum(bytes) AS bytes,
      sum(packets) AS packets, count(*) AS records
      FROM ${t} GROUP BY a, b ORDER BY bytes DESC NULLS LAST, a, b LIMIT 10`,
  rejects_by_dstport: `SELECT dstport AS k, count(*) AS records, sum(bytes) AS bytes FROM ${t}
      WHERE action = 'REJECT' GROUP BY dstport ORDER BY records DESC, k LIMIT 10`,
  rejects_by_srcaddr: `SELECT srcaddr AS k, count(*) AS records, sum(bytes) AS bytes FROM ${t}
      WHERE action = 'REJECT' GROUP BY srcaddr ORDER BY records DESC, k LIMIT 10`,
  bytes_per_5min: `SELECT start // 300 * 300 AS t, sum(bytes) FILTER (WHERE action = 'ACCEPT') AS accept_bytes,
      sum(bytes) FILTER (WHERE action = 'REJECT') AS reject_bytes, count(*) AS records
      FROM ${t} WHERE start IS NOT NULL GROUP BY t ORDER BY t`,
});

export const AGGREGATES = aggregates();

/** FlowLens filters of the benchmarks and their SQL equivalents (for the filtered recompute). */
export const FILTERS = [
  ['action = REJECT', "action = 'REJECT'"],
  ['dstport in (22, 3389) or protocol = udp', 'dstport IN (22, 3389) OR protocol = 17'],
  ['addr in 10.0.2.0/24 and bytes > 100k', "(srcaddr LIKE '10.0.2.%' OR dstaddr LIKE '10.0.2.%') AND bytes > 100000"],
];

export function median(values) {
  const v = [...values].sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
