// input_decoder.hpp — turns one file's bytes, fed in chunks of any size, into record lines.
//
// Contract:
// - feed() takes the next chunk (any size, including 0 or 1 byte; a line, a UTF-8 sequence,
//   a gzip member or a JSON string may be split anywhere) and calls the sink for every complete
//   record line; finish() flushes the last line (a file need not end with '\n'). Memory held is
//   O(longest line + zlib window), never O(file).
// - Gzip is detected by its magic bytes (1f 8b), not by name, and decompressed with zlib
//   (concatenated members are all read; NUL padding after the last one is ignored). Every build
//   of ours has zlib (the WebAssembly one compiles it in); one without reports a gzip stream as
//   a file error. A corrupt gzip stream is a file error:
//   the lines decoded before the damage are still delivered. A truncated one is a file error
//   found by finish(); its unfinished last line is dropped (a cut record could parse, wrongly).
// - A UTF-8 BOM at the start is dropped. Lines end at '\n'; a trailing '\r' is dropped.
// - Content is detected from the first non-blank bytes, not the file name:
//     * '{' or '[' → CloudWatch JSON: a document from `aws logs filter-log-events` /
//       `get-log-events` ({"events":[{"message":"…"},…]}), or JSON lines ({"message":"…"} per
//       line, as Firehose writes). Every string value of a "message" key, at any depth, is one
//       record line (JSON escapes decoded, a trailing "\n" dropped); its line number is the line
//       where the value starts. A syntax error is a BadJson bad line; in JSON lines the scan
//       restarts at the next line, inside a multi-line document it is also the file error.
//     * anything else → text lines. A line that starts with an ISO-8601 timestamp followed by a
//       blank (`2018-09-22T20:28:14.000Z 2 123…`, a CloudWatch export to S3) has that prefix
//       removed.
// - Lines longer than kMaxLineBytes are reported as bad (TooLong) and skipped up to the next
//   newline, so binary junk cannot make the decoder buffer a whole file.
// - Blank lines are passed on as they are (the parser skips them); nothing else is filtered.
//   Blank lines before the first content only advance the line count.
// - Line numbers start at 1 at the first byte fed; newlines() counts the line ends passed.
// Errors are values: the sink's bad_line() gets per-line problems; file_error() returns the first
// fatal one (corrupt gzip, JSON that cannot be followed) after which feed() ignores input.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "flowlens/ingest_report.hpp"

namespace flowlens {

class LineSink {
public:
    virtual ~LineSink() = default;
    // One record line, without its newline. `text` is valid only during the call.
    virtual void line(std::string_view text, uint64_t line_no) = 0;
    // A line that could not be delivered (too long, bad JSON string, …).
    virtual void bad_line(uint64_t line_no, BadLineReason reason, std::string_view detail,
                          std::string_view text) = 0;
    // The text path's fast lane: [p, end) is raw text from a line start (no line in progress).
    // The sink may take a run of whole lines (each ending in '\n' inside the range, at most
    // max_line bytes before it) that it reads exactly as line() would their delivered form,
    // advance line_no by one for each, and return where it stopped: the start of the first
    // line it did not take. Every other line goes to line() as usual. Finding each line's end
    // while reading its fields saves a separate pass over the bytes for the newlines. Default:
    // takes none.
    virtual const char* take_lines(const char* p, const char* /*end*/, uint64_t& /*line_no*/,
                                   size_t /*max_line*/) {
        return p;
    }
};

enum class InputFormat : uint8_t { Unknown, Text, CloudWatchJson };

// What the text path hands the parser for a file's first line given raw (its bytes up to the
// first '\n', which may be included): without a UTF-8 BOM, the line end, a trailing '\r' and a
// CloudWatch-export timestamp prefix. For FilePart::first_line.
std::string_view first_line_content(std::string_view raw) noexcept;
std::string_view to_string(InputFormat f) noexcept;  // "unknown", "text", "cloudwatch-json"

class InputDecoder {
public:
    static constexpr size_t kMaxLineBytes = 64 * 1024;

    explicit InputDecoder(LineSink& sink);
    ~InputDecoder();
    InputDecoder(const InputDecoder&) = delete;
    InputDecoder& operator=(const InputDecoder&) = delete;

    void feed(std::span<const uint8_t> chunk);
    void finish();
    // Before the first feed(): the bytes to come are plain text starting at a line start in
    // the middle of a file (a FilePart): no gzip or BOM, and the first non-blank byte means
    // text whatever it is (format() stays Unknown while only blanks came, as for a file).
    void start_mid_text();

    bool gzip() const noexcept;
    InputFormat format() const noexcept;
    const std::string& file_error() const noexcept;  // empty while all is well
    uint64_t bytes_in() const noexcept;               // raw bytes fed so far
    uint64_t bytes_out() const noexcept;              // decompressed bytes so far
    uint64_t newlines() const noexcept;               // line ends passed so far (decoded stream)

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace flowlens
