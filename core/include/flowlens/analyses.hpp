// analyses.hpp — the questions people open flow logs for, over a selection of rows.
//
// Contract: every function reads the store and a RowSet (the filtered rows; same size as the
// store) and returns a plain value. None throws except bad_alloc. Each is one pass over the
// selected rows, O(selected rows) plus O(distinct keys · log n) for ranking.
// Which time a record counts at: a record is counted whole in the time bucket that holds its
// `start` (AWS's aggregation windows are 1 or 10 minutes, so spreading a record over its
// window would invent precision the log does not have). Records without `start` are not in the
// time series (they are in the totals).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "flowlens/row_set.hpp"
#include "flowlens/store.hpp"

namespace flowlens {

enum class Metric : uint8_t { Bytes, Packets, Records };
std::string_view to_string(Metric m) noexcept;                 // "bytes", "packets", "records"
std::optional<Metric> parse_metric(std::string_view s) noexcept;

struct Totals {
    uint64_t records = 0;          // selected rows, whatever their log-status
    uint64_t ok_records = 0;       // log-status OK (or absent log-status with an action)
    uint64_t bytes = 0, packets = 0;
    uint64_t accepted_records = 0, accepted_bytes = 0;
    uint64_t rejected_records = 0, rejected_bytes = 0;
    uint64_t nodata_records = 0, skipdata_records = 0;
    uint64_t distinct_sources = 0, distinct_destinations = 0, distinct_interfaces = 0;
    std::optional<uint32_t> first_start, last_end;  // Unix seconds
};
Totals compute_totals(const Store& store, const RowSet& rows);

// A top-N key: one field ("srcaddr"), a pair of fields ("srcaddr,dstport"), or
// "conversation" (the unordered pair of srcaddr and dstaddr, printed lower address first).
struct TopRow {
    std::vector<std::string> key;  // one value per key field, printed; "-" for null
    uint64_t bytes = 0, packets = 0, records = 0;
};
struct TopResult {
    std::string key;                // as asked, e.g. "srcaddr,dstport"
    std::vector<std::string> fields;  // the key's fields, e.g. {"srcaddr","dstport"}
    Metric metric = Metric::Bytes;
    std::vector<TopRow> rows;       // at most n, ranked by metric, ties broken by key text
    TopRow other;                   // sum of every key not in rows (key empty)
    uint64_t distinct = 0;          // number of distinct keys among the selected rows
};
// Returns an error message when the key names a field the store lacks or is malformed.
std::variant<TopResult, std::string> top_n(const Store& store, const RowSet& rows, std::string_view key,
                                           Metric metric, size_t n);
// The keys the dashboard and `analyze` show by default: srcaddr, dstaddr, conversation,
// srcport, dstport, protocol, interface-id, account-id, then every v3+ dimension present with
// at least one non-null value (vpc-id, subnet-id, instance-id, az-id, region, flow-direction,
// pkt-src-aws-service, pkt-dst-aws-service, traffic-path, type, …).
std::vector<std::string> default_top_keys(const Store& store);

struct TimePoint {
    int64_t start = 0;  // bucket start, Unix seconds
    uint64_t accept_records = 0, accept_bytes = 0, accept_packets = 0;
    uint64_t reject_records = 0, reject_bytes = 0, reject_packets = 0;
    uint64_t other_records = 0;  // no action (NODATA, SKIPDATA)
};
struct TimeSeries {
    uint32_t bucket_seconds = 0;
    std::vector<TimePoint> points;  // consecutive buckets, empty ones included, oldest first
};
// bucket_seconds = 0 picks the smallest of 1 s, 5 s, 10 s, 30 s, 1, 5, 10, 15, 30 min,
// 1, 3, 6, 12 h, 1, 7 days that gives at most 500 buckets.
TimeSeries time_series(const Store& store, const RowSet& rows, uint32_t bucket_seconds = 0);

struct ScanThresholds {
    uint32_t min_ports = 20;  // distinct rejected destination ports from one source
    uint32_t min_hosts = 20;  // distinct rejected destination addresses from one source
};
struct Scanner {
    std::string source;
    std::string kind;  // "port scan", "host sweep" or "port scan and host sweep"
    uint64_t rejected_records = 0;
    uint64_t distinct_ports = 0, distinct_hosts = 0;
    std::vector<uint16_t> sample_ports;  // up to 10 lowest rejected destination ports
    std::optional<uint32_t> first_seen, last_seen;
    std::string explanation;  // a plain-English sentence
};
struct RejectReport {
    uint64_t records = 0, bytes = 0;
    TopResult by_dstport, by_source, by_destination, by_interface;  // ranked by records
    std::vector<Scanner> scanners;  // most distinct ports/hosts first
};
RejectReport reject_analysis(const Store& store, const RowSet& rows, size_t n, ScanThresholds thresholds = {});

}  // namespace flowlens
