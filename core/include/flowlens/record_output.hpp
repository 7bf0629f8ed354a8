// record_output.hpp — one stored record printed back out, as JSON (the `parse` view, the
// page's records table) or as CSV (the page's export).
//
// Contract: values are printed as `flowlens parse` documents them: AWS field names, null for
// absent, numbers as numbers, addresses in canonical form, text as stored. CSV follows RFC 4180
// (fields with a comma, quote, CR or LF are quoted; quotes doubled) and, to keep a spreadsheet
// from running log text as a formula, a text value starting with = + - @ or a tab is prefixed
// with a single quote (except a lone "-", which is how AWS writes absent values). O(columns) per
// call, appends to `out`, never throws except bad_alloc.
#pragma once

#include <string>

#include "flowlens/json_writer.hpp"
#include "flowlens/store.hpp"

namespace flowlens {

void write_record_json(JsonWriter& w, const Store& store, size_t row);
void append_csv_header(std::string& out, const Store& store);
void append_record_csv(std::string& out, const Store& store, size_t row);

}  // namespace flowlens
