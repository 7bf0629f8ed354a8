// parser_sink.hpp — a LineSink that hands an InputDecoder's lines to a RecordParser, as FileLoader
// does without the rest: every line to line(), and with `lane` set runs of lines to the parser's
// fast lane too (take_lines). The tests and fuzz/fuzz_lines.cpp compare the two ways on the same
// text, and check both with values_no_row_uses. Header-only and free of doctest, so that the
// fuzz target can include it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "flowlens/ingest_report.hpp"
#include "flowlens/input_decoder.hpp"
#include "flowlens/record_parser.hpp"
#include "flowlens/store.hpp"

namespace flowlens::test {

struct ParserSink final : LineSink {
    RecordParser& parser;
    IngestReport& report;
    bool lane;
    ParserSink(RecordParser& p, IngestReport& r, bool with_lane) : parser(p), report(r), lane(with_lane) {}
    void line(std::string_view text, uint64_t line_no) override { parser.line(text, line_no); }
    void bad_line(uint64_t line_no, BadLineReason reason, std::string_view detail, std::string_view text) override {
        report.add_bad_line(0, line_no, reason, detail, text);
    }
    const char* take_lines(const char* p, const char* end, uint64_t& line_no, size_t max_line) override {
        return lane ? parser.take_lines(p, end, line_no, max_line) : p;
    }
};

// Reads `text` through an InputDecoder into `parser` in chunks of `chunk` bytes (the last one
// shorter; all at once when `chunk` is at least the text's size), with or without the fast lane,
// then finishes the decoder and flushes the parser: as FileLoader reads a file, minus the rest.
inline void decode_into(RecordParser& parser, IngestReport& report, std::string_view text, size_t chunk, bool lane) {
    ParserSink sink(parser, report, lane);
    InputDecoder decoder(sink);
    const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
    for (size_t at = 0; at < text.size(); at += chunk)
        decoder.feed(std::span(bytes + at, std::min(chunk, text.size() - at)));
    decoder.finish();
    parser.flush();
}

// What the store's dictionaries and address table hold that no row uses ("" when nothing): a
// bad line's values, interned before its bad field, must have been taken back.
inline std::string values_no_row_uses(const Store& store) {
    std::string out;
    const auto unused = [&](const std::string& what, const std::vector<bool>& used) {
        const auto n = std::count(used.begin() + 1, used.end(), false);
        if (n) out += what + ": " + std::to_string(n) + " of " + std::to_string(used.size() - 1) + " unused; ";
    };
    std::vector<bool> addresses(store.addresses().size(), false);
    for (const auto& c : store.columns()) {
        if (!c->holds_ids()) continue;
        std::vector<bool> codes(c->kind == FieldKind::Address ? 0 : c->dict.size(), false);
        std::vector<bool>& used = c->kind == FieldKind::Address ? addresses : codes;
        for (size_t row = 0; row < c->size(); ++row) used[c->code(row)] = true;
        if (c->kind != FieldKind::Address) unused(c->name, codes);
    }
    unused("addresses", addresses);
    return out;
}

}  // namespace flowlens::test
