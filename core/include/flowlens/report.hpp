// report.hpp — the shareable report's data: an envelope around the `flowlens analyze`
// document, optionally masked (the contract is docs/report.md).
//
// Contract: write_report_json() appends one JSON object
//   {"report": {"generated_at", "generated_by", "flowlens_version", "masked"},
//    "analysis": <exactly what write_analysis_json() writes for the same arguments>}
// With `masked` set, the analysis is written from a masked copy of its values instead: every
// address and account id the document can carry (top-list keys, reject lists, scanner sources
// and explanations, the filter text, file names, bad-line details and excerpts, file errors)
// goes through one Masker in document order, so the same address gets the same pseudonym
// everywhere and pseudonyms are numbered in order of first appearance. Fields that cannot
// hold either (ports, protocols, counters, times) are left alone. The CLI and the wasm module
// both call this, so one data set gives them the same report, pseudonyms included.
// O(document) (masking copies the analysis once); never throws except bad_alloc.
// embed_report_data() puts the JSON into the report template in place of its marker.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "flowlens/analysis.hpp"
#include "flowlens/ingest_report.hpp"
#include "flowlens/json_writer.hpp"
#include "flowlens/store.hpp"

namespace flowlens {

struct ReportInfo {
    std::string_view generated_at;  // ISO-8601 UTC, given by the caller (the CLI: now)
    std::string_view generated_by;  // "cli" or "page"
    bool masked = false;            // replace addresses and account ids by pseudonyms
};

void write_report_json(JsonWriter& w, const ReportInfo& info, const Analysis& analysis, std::string_view filter_text,
                       const IngestReport& report, const Store& store);

// The marker the report template holds exactly once, inside
// <script type="application/json" id="flowlens-report-data">…</script>.
inline constexpr std::string_view kReportMarker = "__FLOWLENS_REPORT_DATA__";

// Why `html_template` cannot take the report data ("the report template has no
// __FLOWLENS_REPORT_DATA__ marker", "… more than one …"), or nullopt when it holds the marker
// exactly once.
std::optional<std::string> report_template_error(std::string_view html_template);

// The template with its one marker replaced by `json` into `out`, or report_template_error()'s
// message (and `out` untouched). `json` must come from JsonWriter, which escapes '<', '>' and
// '&': then no log text can close the script element or start markup.
std::optional<std::string> embed_report_data(std::string_view html_template, std::string_view json, std::string& out);

}  // namespace flowlens
