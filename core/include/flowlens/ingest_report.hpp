// ingest_report.hpp — what loading found wrong: bad lines counted by reason, with examples,
// and per-file facts (size, records, format, a fatal error such as a corrupt gzip).
//
// Contract: add_bad_line() is O(1) amortised and keeps at most kExamplesPerReason examples
// for each reason (the first ones seen), each with file, line number, reason and an excerpt of
// the offending text (truncated, control bytes replaced). Counts are exact. Never throws
// except bad_alloc.
// A file loaded in parts (loader.hpp, FilePart) has one FileReport per part, each carrying a
// FilePartInfo; append_data() (data_transfer.hpp) folds consecutive parts into one report.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowlens {

struct DataTransferAccess;

enum class BadLineReason : uint8_t {
    FieldCount,       // not as many fields as the format has
    BadNumber,        // text where a number belongs
    PortRange,        // port above 65535
    ValueRange,       // a small integer (protocol, version, …) out of its range
    BadAddress,       // not an IPv4/IPv6 address
    CounterOverflow,  // a counter above 2^64-1
    BadTime,          // a time that is not a Unix time
    BadEnum,          // action/log-status with an unknown word, or too many distinct values
    Binary,           // control bytes / NUL: not text
    TooLong,          // a line longer than the limit (binary junk without newlines)
    BadJson,          // a CloudWatch JSON document that cannot be read past this point
    UnknownFormat,    // no header, no field list, and the layout cannot be inferred
    Count_
};

std::string_view to_string(BadLineReason reason) noexcept;        // "wrong field count", …
std::string_view reason_key(BadLineReason reason) noexcept;       // "field_count", … (JSON key)

struct BadLineExample {
    uint32_t file = 0;      // index into the store's file names
    uint64_t line = 0;      // 1-based line number in the (decompressed) file
    BadLineReason reason{};
    std::string detail;     // what exactly was wrong, e.g. "dstport: 70000 is above 65535"
    std::string text;       // excerpt of the line
};

// What a part of a file (loader.hpp, FilePart) knows that folding it into the previous parts
// needs: its range, how many lines it ended, the layout it began with, and its errors in a form
// whose line numbers can be moved (they are relative to the part's first line).
struct FilePartInfo {
    uint64_t offset = 0;           // the part's byte range [offset, end) as requested
    uint64_t end = UINT64_MAX;
    uint64_t lines = 0;            // newlines the part consumed: its lines when it ends at a line start
    std::string start_format;      // the layout it began with (space-separated, "" = none yet)
    std::string fatal_error;       // the decoder's or page's error ("" = none)
    // The parser's file error as head + line number + tail ("" head = none), and whether it was
    // set by an event that overrides earlier errors (a header naming a field twice).
    std::string parser_error_head, parser_error_tail;
    uint64_t parser_error_line = 0;
    bool parser_error_overrides = false;
};

struct FileReport {
    std::string name;
    uint64_t bytes = 0;         // bytes read from the file (compressed size when gzipped)
    uint64_t records = 0;       // records stored
    uint64_t bad_lines = 0;
    uint64_t headers = 0;       // header lines seen
    bool gzip = false;
    std::string input_format;   // "text", "cloudwatch-json", …
    std::string format;         // the field list used, space-separated
    std::string error;          // non-empty when the file (or its rest) could not be read
    std::optional<FilePartInfo> part;  // set when this is a part of a file (FilePart)
};

class IngestReport {
public:
    static constexpr size_t kExamplesPerReason = 5;

    void add_bad_line(uint32_t file, uint64_t line, BadLineReason reason, std::string_view detail,
                      std::string_view text);
    uint64_t bad_lines() const noexcept { return total_; }
    uint64_t count(BadLineReason r) const noexcept { return counts_[static_cast<size_t>(r)]; }
    const std::vector<BadLineExample>& examples() const noexcept { return examples_; }
    // Replaces example i's detail and text (the report's masking rewrites a copy of the
    // report); its file, line and reason, and every count, stay as loading found them.
    void set_example_text(size_t i, std::string detail, std::string text);

    std::vector<FileReport> files;  // one per file, in load order (index = file number)

private:
    friend struct DataTransferAccess;  // data_transfer.cpp: export, import and merge
    std::array<uint64_t, static_cast<size_t>(BadLineReason::Count_)> counts_{};
    std::vector<BadLineExample> examples_;
    uint64_t total_ = 0;
};

}  // namespace flowlens
