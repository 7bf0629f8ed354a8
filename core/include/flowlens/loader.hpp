// loader.hpp — one data set (store + ingest report) and the loading of files into it.
//
// Contract:
// - A DataSet owns the store every query runs over and the IngestReport that says what was
//   skipped and why. Files are added one after another; each record remembers its file.
// - FileLoader loads one file: feed() its bytes in chunks of any size (plain or gzip, text or
//   CloudWatch JSON, see input_decoder.hpp), then finish(). Each file may have its own
//   header/layout. A file that cannot be read at all (corrupt gzip, unknown layout) gets an
//   error in its FileReport; whatever was read before the problem stays in the data set.
// - Never throws except bad_alloc. Memory: the store plus one line of carry-over.
#pragma once

#include <cstdint>
#include <memory>
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

struct LoadOptions {
    // The layout of files without a header line (CloudWatch data); empty = infer.
    std::vector<std::string> fields;
};

class FileLoader final : private LineSink {
public:
    FileLoader(DataSet& data, std::string name, const LoadOptions& options);
    ~FileLoader() override;
    FileLoader(const FileLoader&) = delete;
    FileLoader& operator=(const FileLoader&) = delete;

    void feed(std::span<const uint8_t> chunk);
    // Flushes the last line, pads the store's columns and fills the file's FileReport.
    void finish();

    uint64_t records() const noexcept { return parser_.records(); }
    uint64_t bytes_in() const noexcept { return decoder_.bytes_in(); }

private:
    void line(std::string_view text, uint64_t line_no) override;
    void bad_line(uint64_t line_no, BadLineReason reason, std::string_view detail, std::string_view text) override;

    DataSet& data_;
    uint32_t file_;
    RecordParser parser_;
    InputDecoder decoder_;
    bool finished_ = false;
};

// Convenience for tests and small inputs: loads `bytes` as one file named `name`.
void load_bytes(DataSet& data, std::string name, std::span<const uint8_t> bytes, const LoadOptions& options = {});
void load_text(DataSet& data, std::string name, std::string_view text, const LoadOptions& options = {});

}  // namespace flowlens
