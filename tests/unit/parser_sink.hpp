// parser_sink.hpp — a LineSink that hands an InputDecoder's lines to a RecordParser, as FileLoader
// does without the rest: every line to line(), and with `lane` set runs of lines to the parser's
// fast lane too (take_lines). The tests and fuzz/fuzz_lines.cpp compare the two ways on the same
// text. Header-only and free of doctest, so that the fuzz target can include it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "flowlens/ingest_report.hpp"
#include "flowlens/input_decoder.hpp"
#include "flowlens/record_parser.hpp"

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

}  // namespace flowlens::test
