// analyses.hpp — the questions people open flow logs for, over a selection of rows.
//
// Contract: every function reads the store and a RowSet (the filtered rows; same size as the
// store) and returns a plain value. None throws except bad_alloc. Each is one pass over the
// selected rows, O(selected rows) plus O(distinct keys · log n) for ranking.
// Which time a record counts at: a record is counted whole in the time bucket that holds its
// `start` (AWS's aggregation windows are 1 or 10 minutes, so spreading a record over its
// window would invent precision the log does not have). Records without `start` are not in the
// time series (they are in the totals).
// Precondition everywhere: rows.size() == store.rows(). A column the store lacks reads as null
// (a custom format without `action` has no accepted/rejected records, and so on).
#pragma once

#include <cstdint>
#include <memory>
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
std::optional<Metric> parse_metric(std::string_view s) noexcept;  // case-insensitive

// "2014-12-14T04:06:50Z": UTC, second precision, no time-zone database involved.
std::string iso_time(int64_t unix_seconds);

struct Totals {
    uint64_t records = 0;          // selected rows, whatever their log-status
    uint64_t ok_records = 0;       // log-status OK (or absent log-status with an action)
    // accepted/rejected: action ACCEPT/REJECT; nodata/skipdata: log-status NODATA/SKIPDATA.
    // distinct_*: distinct non-null srcaddr / dstaddr / interface-id among the selected rows.
    uint64_t bytes = 0, packets = 0;
    uint64_t accepted_records = 0, accepted_bytes = 0;
    uint64_t rejected_records = 0, rejected_bytes = 0;
    uint64_t nodata_records = 0, skipdata_records = 0;
    uint64_t distinct_sources = 0, distinct_destinations = 0, distinct_interfaces = 0;
    std::optional<uint32_t> first_start, last_end;  // Unix seconds
};
Totals compute_totals(const Store& store, const RowSet& rows);

// A top-N key: one field ("srcaddr"), a pair of fields ("srcaddr,dstport"), or
// "conversation" (the unordered pair of srcaddr and dstaddr, printed lower address first:
// numeric order, IPv4 before IPv6, null last). Printed values: addresses canonical, numbers
// (ports, protocol, counters, times) decimal, text from the dictionary, null "-".
struct TopRow {
    std::vector<std::string> key;  // one value per key field, printed; "-" for null
    uint64_t bytes = 0, packets = 0, records = 0;
};
struct TopResult {
    std::string key;                // as asked, e.g. "srcaddr,dstport"
    std::vector<std::string> fields;  // one per key value, e.g. {"srcaddr","dstport"}; {"addr","addr"}
                                      // for a conversation (`addr` as in the filter language)
    Metric metric = Metric::Bytes;
    std::vector<TopRow> rows;       // at most n, ranked by metric, ties broken by key text
                                    // (the key values compared in order, as strings)
    TopRow other;                   // sum of every key not in rows (key empty)
    uint64_t distinct = 0;          // number of distinct keys among the selected rows
};
// Field names are case-insensitive and the key is normalised ("SrcAddr, dstport" becomes
// "srcaddr,dstport"). Returns an error message when the key is malformed, has more than two
// fields, or names a field the store lacks (the message lists the fields present).
// Aggregates on integer ids (a direct array for small domains, else an open-addressing map);
// only the n printed keys (and keys tied at the cut) are turned into strings.
std::variant<TopResult, std::string> top_n(const Store& store, const RowSet& rows, std::string_view key,
                                           Metric metric, size_t n);
// The keys the dashboard and `analyze` show by default: srcaddr, dstaddr, conversation,
// srcport, dstport, protocol, interface-id, account-id, then every v3+ dimension present with
// at least one non-null value (vpc-id, subnet-id, instance-id, az-id, region, flow-direction,
// pkt-src-aws-service, pkt-dst-aws-service, traffic-path, type, …).
// The first eight are listed when their columns exist (conversation needs srcaddr and dstaddr);
// the later ones only when some row has a value. O(rows) at worst, usually far less.
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
// 1, 3, 6, 12 h, 1, 7 days that gives at most 500 buckets (beyond that, whole multiples of
// 7 days). Buckets are aligned on multiples of bucket_seconds since the Unix epoch (UTC).
// An explicit bucket_seconds that would give more than 100,000 buckets is widened to the
// smallest multiple of itself that does not: the result's bucket_seconds is the one used.
// No selected row with a start: points is empty.
TimeSeries time_series(const Store& store, const RowSet& rows, uint32_t bucket_seconds = 0);

struct ScanThresholds {
    uint32_t min_ports = 20;  // distinct rejected destination ports from one source
    uint32_t min_hosts = 20;  // distinct rejected destination addresses from one source
    // A threshold of 0 disables its criterion.
};
struct Scanner {
    std::string source;
    std::string kind;  // "port scan", "host sweep" or "port scan and host sweep"
    uint64_t rejected_records = 0;
    uint64_t accepted_records = 0;  // selected ACCEPT records from the same source: did it get through?
    uint64_t distinct_ports = 0, distinct_hosts = 0;
    std::vector<uint16_t> sample_ports;  // up to 10 lowest rejected destination ports
    std::optional<uint32_t> first_seen, last_seen;  // over its rejected records' start and end
    std::string explanation;  // a plain-English sentence
};
struct RejectReport {
    uint64_t records = 0, bytes = 0;
    TopResult by_dstport, by_source, by_destination, by_interface;  // ranked by records
    // Replies: the rejected TCP and UDP records from a well-known source port (below 1024) to an
    // ephemeral destination port (1024 and up), what a server's replies look like when a
    // stateless network ACL has no outbound rule for ports 1024-65535. By "srcaddr,srcport",
    // ranked by records.
    uint64_t reply_records = 0, reply_bytes = 0;
    TopResult replies_by_source;
    std::vector<Scanner> scanners;  // most distinct ports/hosts (the larger of the two) first,
                                    // then most rejected records, then address order
    ScanThresholds thresholds;      // as used
};
// Rejected = action REJECT among the selected rows. by_* rank by records; a field the logs
// lack reads as null ("-") rather than failing. Scanners are sources (srcaddr) whose rejected
// records reach min_ports distinct destination ports or min_hosts distinct destination
// addresses. One pass over the selection (the rejected rows are copied out with their counters
// on the way) plus passes over the rejected rows only, and, when scanners are found, one more
// over the selection's source column to count what got through.
RejectReport reject_analysis(const Store& store, const RowSet& rows, size_t n, ScanThresholds thresholds = {});

// Reject reports kept by the rejected rows they were made from, for analyze()
// (AnalysisOptions::reject_memo). A reject report depends on the selection only through its
// rejected rows, except for each scanner's accepted records. So a selection whose rejected rows
// are exactly an earlier one's takes that report and counts only those again: `action = REJECT`
// after the whole data set, or a drill-down that adds or drops `action = REJECT`, skips the
// report's passes (a third to a half of such a query's time at 5 M records).
// Keeps the last kEntries reports, each with its rows as a bitmap (store rows / 8 bytes), so
// a look-up compares sets exactly. The owner must clear() it whenever the store's data change:
// the rows alone cannot tell (a reset and a reload of a file of the same length).
class RejectMemo {
public:
    static constexpr size_t kEntries = 4;
    RejectMemo();
    ~RejectMemo();
    RejectMemo(const RejectMemo&) = delete;
    RejectMemo& operator=(const RejectMemo&) = delete;
    void clear() noexcept;
    size_t size() const noexcept;  // reports kept
    uint64_t hits() const noexcept;  // look-ups answered since the last clear()
    struct Entry;  // analyses.cpp

private:
    friend struct RejectMemoAccess;
    std::vector<std::unique_ptr<Entry>> entries_;  // most recently used last
    uint64_t hits_ = 0;
};

}  // namespace flowlens
