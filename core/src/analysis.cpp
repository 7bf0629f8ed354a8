// analysis.cpp — analyze() and the `flowlens analyze` JSON document.
#include "flowlens/analysis.hpp"

#include <algorithm>
#include <optional>

#include "analyses_internal.hpp"

#ifndef FLOWLENS_VERSION
#define FLOWLENS_VERSION "dev"
#endif

namespace flowlens {

std::variant<Analysis, std::string> analyze(const Store& store, const RowSet& rows, const AnalysisOptions& options) {
    if (rows.size() != store.rows())
        return "internal error: the row selection has " + std::to_string(rows.size()) + " rows but the store has " +
               std::to_string(store.rows());
    return detail::analyze_all(store, rows, options);
}

namespace {

void write_time(JsonWriter& w, std::string_view name, std::optional<uint32_t> t) {
    w.key(name).value(t);
    std::string iso_name = std::string(name) + "_iso";
    if (t)
        w.field(iso_name, iso_time(*t));
    else
        w.key(iso_name).null();
}

void write_counts(JsonWriter& w, uint64_t bytes, uint64_t packets, uint64_t records) {
    w.field("bytes", bytes).field("packets", packets).field("records", records);
}

void write_top(JsonWriter& w, const TopResult& t) {
    w.begin_object();
    w.field("key", std::string_view(t.key));
    w.key("fields").begin_array();
    for (const std::string& f : t.fields) w.value(std::string_view(f));
    w.end_array();
    w.field("metric", to_string(t.metric));
    w.field("distinct", t.distinct);
    w.key("rows").begin_array();
    for (const TopRow& r : t.rows) {
        w.begin_object();
        w.key("key").begin_array();
        for (const std::string& k : r.key) w.value(std::string_view(k));
        w.end_array();
        write_counts(w, r.bytes, r.packets, r.records);
        w.end_object();
    }
    w.end_array();
    w.key("other").begin_object();
    write_counts(w, t.other.bytes, t.other.packets, t.other.records);
    w.end_object();
    w.end_object();
}

void write_totals(JsonWriter& w, const Analysis& a, const IngestReport& report) {
    const Totals& t = a.totals;
    w.begin_object();
    w.field("loaded_records", a.loaded_records);
    w.field("records", t.records);
    w.field("ok_records", t.ok_records);
    w.field("nodata_records", t.nodata_records);
    w.field("skipdata_records", t.skipdata_records);
    w.field("bytes", t.bytes);
    w.field("packets", t.packets);
    w.field("accepted_records", t.accepted_records);
    w.field("accepted_bytes", t.accepted_bytes);
    w.field("rejected_records", t.rejected_records);
    w.field("rejected_bytes", t.rejected_bytes);
    w.field("distinct_sources", t.distinct_sources);
    w.field("distinct_destinations", t.distinct_destinations);
    w.field("distinct_interfaces", t.distinct_interfaces);
    write_time(w, "first_start", t.first_start);
    write_time(w, "last_end", t.last_end);
    w.field("bad_lines", report.bad_lines());
    w.end_object();
}

void write_timeseries(JsonWriter& w, const TimeSeries& ts) {
    w.begin_object();
    w.field("bucket_seconds", ts.bucket_seconds);
    w.key("points").begin_array();
    for (const TimePoint& p : ts.points) {
        w.begin_object();
        w.field("start", p.start);
        w.field("start_iso", iso_time(p.start));
        w.field("accept_records", p.accept_records);
        w.field("accept_bytes", p.accept_bytes);
        w.field("accept_packets", p.accept_packets);
        w.field("reject_records", p.reject_records);
        w.field("reject_bytes", p.reject_bytes);
        w.field("reject_packets", p.reject_packets);
        w.field("other_records", p.other_records);
        w.end_object();
    }
    w.end_array();
    w.end_object();
}

void write_rejects(JsonWriter& w, const RejectReport& r) {
    w.begin_object();
    w.field("records", r.records);
    w.field("bytes", r.bytes);
    w.key("by_dstport");
    write_top(w, r.by_dstport);
    w.key("by_source");
    write_top(w, r.by_source);
    w.key("by_destination");
    write_top(w, r.by_destination);
    w.key("by_interface");
    write_top(w, r.by_interface);
    w.key("replies").begin_object();
    w.field("records", r.reply_records);
    w.field("bytes", r.reply_bytes);
    w.key("by_source");
    write_top(w, r.replies_by_source);
    w.end_object();
    w.key("scan_thresholds").begin_object();
    w.field("min_ports", r.thresholds.min_ports).field("min_hosts", r.thresholds.min_hosts);
    w.end_object();
    w.key("scanners").begin_array();
    for (const Scanner& s : r.scanners) {
        w.begin_object();
        w.field("source", std::string_view(s.source));
        w.field("kind", std::string_view(s.kind));
        w.field("rejected_records", s.rejected_records);
        w.field("accepted_records", s.accepted_records);
        w.field("distinct_ports", s.distinct_ports);
        w.field("distinct_hosts", s.distinct_hosts);
        w.key("sample_ports").begin_array();
        for (uint16_t p : s.sample_ports) w.value(uint64_t{p});
        w.end_array();
        write_time(w, "first_seen", s.first_seen);
        write_time(w, "last_seen", s.last_seen);
        w.field("explanation", std::string_view(s.explanation));
        w.end_object();
    }
    w.end_array();
    w.end_object();
}

std::string_view file_name(const IngestReport& report, std::span<const std::string> names, uint32_t file) {
    if (file < names.size()) return names[file];
    if (file < report.files.size()) return report.files[file].name;
    return "";
}

void write_errors(JsonWriter& w, const IngestReport& report, std::span<const std::string> names) {
    w.begin_object();
    w.field("bad_lines", report.bad_lines());
    w.key("by_reason").begin_object();
    for (size_t i = 0; i < static_cast<size_t>(BadLineReason::Count_); ++i) {
        auto reason = static_cast<BadLineReason>(i);
        if (uint64_t n = report.count(reason)) w.field(reason_key(reason), n);
    }
    w.end_object();
    w.key("examples").begin_array();
    for (const BadLineExample& e : report.examples()) {
        w.begin_object();
        w.field("file", file_name(report, names, e.file));
        w.field("line", e.line);
        w.field("reason", reason_key(e.reason));
        w.field("reason_text", to_string(e.reason));
        w.field("detail", std::string_view(e.detail));
        w.field("text", std::string_view(e.text));
        w.end_object();
    }
    w.end_array();
    w.key("files").begin_array();
    for (const FileReport& f : report.files) write_file_report_json(w, f);
    w.end_array();
    w.end_object();
}

}  // namespace

void write_analysis_json(JsonWriter& w, const Analysis& a, std::string_view filter_text, const IngestReport& report,
                         const Store& store) {
    write_analysis_json(w, a, filter_text, report, std::span<const std::string>(store.file_names()));
}

void write_analysis_json(JsonWriter& w, const Analysis& a, std::string_view filter_text, const IngestReport& report,
                         std::span<const std::string> file_names) {
    w.begin_object();
    w.key("flowlens").begin_object();
    w.field("version", std::string_view(FLOWLENS_VERSION));
    w.field("format_version", kAnalysisFormatVersion);
    w.end_object();
    w.field("filter", filter_text);
    w.key("totals");
    write_totals(w, a, report);
    w.key("top").begin_object();
    for (const TopResult& t : a.top) {
        w.key(t.key);
        write_top(w, t);
    }
    w.end_object();
    w.key("nodata").begin_object();
    w.field("records", a.totals.nodata_records);
    w.key("by_interface");
    write_top(w, a.nodata_by_interface);
    w.end_object();
    if (a.with_timeseries) {
        w.key("timeseries");
        write_timeseries(w, a.timeseries);
    }
    if (a.with_rejects) {
        w.key("rejects");
        write_rejects(w, a.rejects);
    }
    w.key("errors");
    write_errors(w, report, file_names);
    w.end_object();
}

void write_file_report_json(JsonWriter& w, const FileReport& f) {
    w.begin_object();
    w.field("name", std::string_view(f.name));
    w.field("bytes", f.bytes);
    w.field("records", f.records);
    w.field("bad_lines", f.bad_lines);
    w.field("headers", f.headers);
    w.field("gzip", f.gzip);
    w.field("input_format", std::string_view(f.input_format));
    w.field("format", std::string_view(f.format));
    if (f.error.empty())
        w.key("error").null();
    else
        w.field("error", std::string_view(f.error));
    w.end_object();
}

}  // namespace flowlens
