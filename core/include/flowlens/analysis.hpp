// analysis.hpp — every analysis in one call, and the `flowlens analyze` JSON document.
//
// The CLI, the wasm module and the HTML report all go through analyze() and
// write_analysis_json(), so they show the same numbers in the same shape. The document is
// described field by field in docs/analyze-json.md and formally in docs/analyze.schema.json.
//
// Contract: analyze() returns an error message (never throws except bad_alloc) when a top key
// is invalid or the RowSet does not match the store. The result equals running compute_totals,
// top_n for each key, time_series and reject_analysis, but all of them share one pass over the
// selected rows (each row's counters are read once): O(selected rows × keys) simple steps plus
// ranking. write_analysis_json() appends one complete JSON object to the writer; O(output).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "flowlens/analyses.hpp"
#include "flowlens/ingest_report.hpp"
#include "flowlens/json_writer.hpp"
#include "flowlens/row_set.hpp"
#include "flowlens/store.hpp"

namespace flowlens {

// Bumped when a field of the document changes meaning or disappears (adding fields does not).
inline constexpr int kAnalysisFormatVersion = 1;

struct AnalysisOptions {
    size_t top_n = 10;
    Metric metric = Metric::Bytes;
    uint32_t bucket_seconds = 0;         // 0 = automatic (see time_series)
    std::vector<std::string> top_keys;   // empty = default_top_keys(store)
    ScanThresholds scan;
    // The time series and the reject report are computed unless switched off here (a caller
    // that needs only totals and top lists saves their work); a skipped one is left out of
    // the document (write_analysis_json).
    bool timeseries = true;
    bool rejects = true;
    // When set (and the reject report is on), called once the totals, top lists, NODATA list and
    // time series are final and before the reject report is made, with the analysis so far
    // (with_rejects false). The report can be the larger part (a third of the time when most
    // rows are rejected), and the page draws the rest meanwhile. analyze() then returns the
    // whole analysis as usual.
    std::function<void(const struct Analysis&)> before_rejects;
    // When set, the reject report is looked up here first and kept here when made (RejectMemo,
    // analyses.hpp). The result is the same either way.
    RejectMemo* reject_memo = nullptr;
};

struct Analysis {
    Totals totals;
    // The NODATA records (totals.nodata_records) by interface-id, ranked by records: which
    // interfaces saw no traffic in some capture windows.
    TopResult nodata_by_interface;
    std::vector<TopResult> top;  // one per distinct key, in the order asked
    TimeSeries timeseries;  // empty unless with_timeseries
    RejectReport rejects;   // empty unless with_rejects
    bool with_timeseries = true;
    bool with_rejects = true;
    uint64_t loaded_records = 0;  // store.rows(): the selection is `totals.records` of these
};

std::variant<Analysis, std::string> analyze(const Store& store, const RowSet& rows, const AnalysisOptions& options);

// Writes the whole `flowlens analyze` document:
// {"flowlens": {"version", "format_version"}, "filter", "totals", "top": {key: …},
//  "nodata", "timeseries", "rejects", "errors"}; "timeseries" and "rejects" only when computed.
void write_analysis_json(JsonWriter& w, const Analysis& analysis, std::string_view filter_text,
                         const IngestReport& report, const Store& store);
// The same with the file names given instead of the store's (bad-line examples name their file
// by index into them): the report writes masked names this way without copying the store.
void write_analysis_json(JsonWriter& w, const Analysis& analysis, std::string_view filter_text,
                         const IngestReport& report, std::span<const std::string> file_names);

// One file's report as an object of the document's `errors.files` (the wasm module returns it
// from endFile() as well, so both speak the same shape).
void write_file_report_json(JsonWriter& w, const FileReport& file);

}  // namespace flowlens
