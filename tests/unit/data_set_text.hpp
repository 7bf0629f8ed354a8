// data_set_text.hpp — a data set as text, and a file loaded in parts as the page loads it. The
// merge tests (data_transfer_test.cpp) and fuzz/fuzz_parts.cpp compare parts loaded apart and
// merged with one load of the whole file through rows_text. Header-only and free of doctest,
// so that the fuzz target can include it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "flowlens/analysis.hpp"
#include "flowlens/data_transfer.hpp"
#include "flowlens/json_writer.hpp"
#include "flowlens/loader.hpp"
#include "flowlens/record_output.hpp"

namespace flowlens::test {

inline std::span<const uint8_t> bytes(std::string_view s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// What a listing sees of a data set: every record as `flowlens parse` prints it with its file,
// the file reports, the bad-line counts by reason and the examples, the file names.
inline std::string rows_text(const DataSet& d) {
    std::string out;
    JsonWriter w(out);
    for (size_t r = 0; r < d.store.rows(); ++r) {
        write_record_json(w, d.store, r);
        out += " file " + std::to_string(d.store.file_of(r)) + "\n";
    }
    for (const auto& f : d.report.files) {
        write_file_report_json(w, f);
        out += "\n";
    }
    for (size_t i = 0; i < static_cast<size_t>(BadLineReason::Count_); ++i)
        out += std::to_string(d.report.count(static_cast<BadLineReason>(i))) + " ";
    for (const auto& e : d.report.examples())
        out += "\n" + std::to_string(e.file) + ":" + std::to_string(e.line) + " " + std::string(reason_key(e.reason)) +
               " " + e.detail + " | " + e.text;
    for (const auto& n : d.store.file_names()) out += "\n" + n;
    return out;
}

// Loads the part [offset, end) of the file `text` as the page does: bytes from offset - 1, in
// chunks of `chunk`, until the loader is done with the part (or to the file's end: to_eof).
inline void load_part(DataSet& d, std::string_view name, std::string_view text, const std::vector<std::string>& fields,
                      uint64_t offset, uint64_t end, size_t chunk, bool to_eof = false) {
    LoadOptions o;
    o.fields = fields;
    o.part = FilePart{offset, end, std::string(text.substr(0, text.find('\n')))};
    FileLoader loader(d, std::string(name), o);
    size_t p = offset > 0 ? static_cast<size_t>(offset - 1) : 0;
    while (p < text.size() && (to_eof || !loader.done())) {
        const size_t n = std::min(chunk, text.size() - p);
        loader.feed(bytes(text.substr(p, n)));
        p += n;
    }
    loader.finish();
}

// export -> import -> append into `into`, the round trip every worker's result takes: "" or the
// error (then `into` is unchanged).
inline std::string transfer(DataSet& into, const DataSet& from) {
    auto imported = import_data(export_data(from));
    if (auto* err = std::get_if<std::string>(&imported)) return "import: " + *err;
    return append_data(into, std::move(std::get<DataSet>(imported)));
}

}  // namespace flowlens::test
