// loader.hpp — one data set (store + ingest report) and the loading of files into it.
//
// Contract:
// - A DataSet owns the store every query runs over and the IngestReport that says what was
//   skipped and why. Files are added one after another; each record remembers its file.
// - FileLoader loads one file: feed() its bytes in chunks of any size (plain or gzip, text or
//   CloudWatch JSON, see input_decoder.hpp), then finish(). Each file may have its own
//   header/layout. A file that cannot be read at all (corrupt gzip, unknown layout) gets an
//   error in its FileReport; whatever was read before the problem stays in the data set.
// - File parts (LoadOptions::part): one large plain-text file split at byte offsets and parsed
//   by different loaders (Web Workers), then merged with append_data() (data_transfer.hpp).
//   A part covers exactly the lines that START at a byte offset in [offset, end) of the file.
//   Feeding rules: when offset > 0 the caller feeds the file's bytes from offset - 1 (the loader
//   drops everything up to and including the first '\n': that byte tells whether `offset` is a
//   line start), else from 0; it keeps feeding past `end` until done() is true or the file
//   ends (then finish()). Bytes after the part's last line are ignored, so feeding to the end
//   of the file is correct too, only slower. A part past the first is given the file's first
//   line (FilePart::first_line) and takes the layout from it as the first part does, without
//   counting that line again; it never sniffs gzip or JSON (split only plain text files; a
//   first line starting with '{', '[' or the gzip magic makes the part a file error).
//   Each part gets its own FileReport, with FilePartInfo: `bytes` = the part's range clipped
//   to the file (so the parts' bytes add up to the file's size), line numbers relative to the
//   part's first line, `lines` = the lines it ended; append_data() folds the parts back into
//   one file as if it had been loaded whole.
// - Never throws except bad_alloc. Memory: the store plus one line of carry-over.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "flowlens/ingest_report.hpp"
#include "flowlens/input_decoder.hpp"
#include "flowlens/record_parser.hpp"
#include "flowlens/store.hpp"

namespace flowlens {

struct DataSet {
    Store store;
    IngestReport report;
};

// A part of a file (see the contract). Offsets are bytes of the file as stored (plain text).
struct FilePart {
    uint64_t offset = 0;
    uint64_t end = UINT64_MAX;
    std::string first_line;  // the file's bytes up to its first '\n'; used when offset > 0
};

struct LoadOptions {
    // The layout of files without a header line (CloudWatch data); empty = infer.
    std::vector<std::string> fields;
    // Set: load only this part of the file.
    std::optional<FilePart> part;
    // The bytes the caller will feed into this data set from this file on (this file's, or
    // part's, and those of the files it loads after it into the same store), when known; 0 =
    // unknown. Once kEstimateBytes are in, the loader reserves the store's columns for the rows
    // the rest should bring (rows per byte so far, a margin added), so that they do not grow by
    // doubling, each time copying into new pages. A wrong figure costs only room: too low, the
    // columns grow as before; too high, room that is never written and so never takes pages.
    // No reservation past kMaxReservedBytes (those loads grow as before).
    uint64_t expected_bytes = 0;
};

class FileLoader final : private LineSink {
public:
    FileLoader(DataSet& data, std::string name, const LoadOptions& options);
    ~FileLoader() override;
    FileLoader(const FileLoader&) = delete;
    FileLoader& operator=(const FileLoader&) = delete;

    static constexpr uint64_t kEstimateBytes = 4u << 20;
    static constexpr double kMaxReservedBytes = 1024.0 * 1024 * 1024;

    void feed(std::span<const uint8_t> chunk);
    // Flushes the last line, pads the store's columns and fills the file's FileReport.
    void finish();

    uint64_t records() const noexcept { return parser_.records(); }
    uint64_t bytes_in() const noexcept { return decoder_.bytes_in(); }
    // A part: true once the loader has seen where its last line ends (more bytes are ignored,
    // the caller can stop reading). Always false for a whole file.
    bool done() const noexcept { return part_.has_value() && part_done_; }

private:
    void feed_part(std::span<const uint8_t> chunk);

    void line(std::string_view text, uint64_t line_no) override;
    const char* take_lines(const char* p, const char* end, uint64_t& line_no, size_t max_line) override;
    void bad_line(uint64_t line_no, BadLineReason reason, std::string_view detail, std::string_view text) override;

    void reserve_for_the_rest();

    DataSet& data_;
    uint32_t file_;
    RecordParser parser_;
    InputDecoder decoder_;
    bool finished_ = false;
    uint64_t expected_bytes_;  // LoadOptions::expected_bytes; 0 once the reservation is made
    uint64_t fed_bytes_ = 0;
    // ---- a part (LoadOptions::part) ----
    enum class PartState : uint8_t { Skip, Pass, Finish };
    std::optional<FilePart> part_;
    PartState part_state_ = PartState::Pass;
    bool part_done_ = false;
    uint64_t part_pos_ = 0;     // file offset of the next byte fed
    uint64_t part_bytes_ = 0;   // bytes fed inside [offset, end)
    char part_last_ = '\n';     // the last byte passed on (a virtual '\n' before the file)
    std::string part_error_;    // a part of a file that cannot be split (JSON, gzip)
    std::string part_start_format_;
};

// A file's error as its report shows it, from what loading found: a fatal error (damaged stream,
// a part that cannot be split, the page's) wins; a layout problem is the error only when it kept
// every record out; a file of nothing but bad lines is "not a flow log". "" = none. Shared by
// the loader and append_data(), which recomputes it for a file folded from parts.
std::string file_error_text(const std::string& fatal, uint64_t records, const std::string& parser_error,
                            uint64_t bad_lines);

// Convenience for tests and small inputs: loads `bytes` as one file named `name`.
void load_bytes(DataSet& data, std::string name, std::span<const uint8_t> bytes, const LoadOptions& options = {});
void load_text(DataSet& data, std::string name, std::string_view text, const LoadOptions& options = {});

}  // namespace flowlens
