#include "flowlens/loader.hpp"

#include "flowlens/text.hpp"

#include <algorithm>
#include <cstring>

namespace flowlens {
namespace {

uint32_t register_file(DataSet& data, std::string name) {
    uint32_t file = data.store.add_file(name);
    data.report.files.push_back({});
    data.report.files.back().name = std::move(name);
    data.store.begin_file(file);
    return file;
}

}  // namespace

FileLoader::FileLoader(DataSet& data, std::string name, const LoadOptions& options)
    : data_(data),
      file_(register_file(data, std::move(name))),
      parser_(data.store, data.report, file_, options.fields),
      decoder_(*this),
      expected_bytes_(options.expected_bytes),
      part_(options.part) {
    if (!part_) return;
    part_done_ = part_->end <= part_->offset;  // no line can start in an empty range
    if (part_->offset > 0) {
        part_pos_ = part_->offset - 1;
        part_state_ = PartState::Skip;
        decoder_.start_mid_text();
        // The first part sniffs the content; a later one has only the first line to go by.
        // Its content is told as the decoder tells a file's: past one BOM and blank lines and
        // blanks (is_token_blank), the first byte.
        const std::string_view first = part_->first_line;
        size_t content = first.starts_with("\xEF\xBB\xBF") ? 3 : 0;
        while (content < first.size() && (is_token_blank(first[content]) || first[content] == '\n')) ++content;
        if (first.size() >= 2 && static_cast<uint8_t>(first[0]) == 0x1f && static_cast<uint8_t>(first[1]) == 0x8b)
            part_error_ = "a part of a gzip file cannot be read on its own: split only plain text files";
        else if (content < first.size() && (first[content] == '{' || first[content] == '['))
            part_error_ = "a part of a CloudWatch JSON file cannot be read on its own: split only plain text files";
        if (!part_error_.empty()) part_done_ = true;
        else parser_.prime(first_line_content(first));
    }
    part_start_format_ = join_words(parser_.fields());
}

FileLoader::~FileLoader() {
    if (!finished_) finish();
}

void FileLoader::feed(std::span<const uint8_t> chunk) {
    if (part_) feed_part(chunk);
    else decoder_.feed(chunk);
    parser_.flush();  // the store holds every row read so far whenever feed() returns
    fed_bytes_ += chunk.size();
    if (expected_bytes_ != 0 && fed_bytes_ >= kEstimateBytes) reserve_for_the_rest();
}

void FileLoader::reserve_for_the_rest() {
    const uint64_t records = parser_.records(), expected = expected_bytes_;
    expected_bytes_ = 0;  // once
    if (records == 0 || expected <= fed_bytes_) return;
    // 3 % more than the rate so far, as lines vary in length; a little short would double a
    // column at its very end.
    const double per_byte = static_cast<double>(records) / static_cast<double>(fed_bytes_);
    const double rows = static_cast<double>(data_.store.rows()) +
                        per_byte * static_cast<double>(expected - fed_bytes_) * 1.03 + 1024;
    // Not past kMaxReservedBytes at today's widths: a wasm heap has 4 GiB at most and a failed
    // allocation there ends the instance, so a load that big grows as it goes instead.
    double row_bytes = 0;
    for (const auto& c : data_.store.columns()) row_bytes += c->width();
    if (rows * row_bytes > kMaxReservedBytes) return;
    data_.store.reserve_rows(static_cast<size_t>(rows));
}

void FileLoader::feed_part(std::span<const uint8_t> chunk) {
    const uint64_t start = part_pos_, n = chunk.size();
    part_pos_ += n;
    const uint64_t lo = std::max(start, part_->offset), hi = std::min(start + n, part_->end);
    if (hi > lo) part_bytes_ += hi - lo;
    if (part_done_ || finished_ || n == 0) return;
    const auto* data = chunk.data();
    size_t i = 0;
    if (part_state_ == PartState::Skip) {
        // Up to and including the first '\n' at or after offset - 1: the tail of a line that
        // started in the previous part.
        const auto* nl = static_cast<const uint8_t*>(std::memchr(data, '\n', chunk.size()));
        if (nl == nullptr) return;
        i = static_cast<size_t>(nl - data) + 1;
        part_state_ = PartState::Pass;
    }
    if (part_state_ == PartState::Pass) {
        const uint64_t at = start + i;
        if (at < part_->end) {
            const auto take = static_cast<size_t>(std::min<uint64_t>(n - i, part_->end - at));
            if (take == 0) return;
            decoder_.feed(chunk.subspan(i, take));
            part_last_ = static_cast<char>(data[i + take - 1]);
            i += take;
            if (at + take < part_->end) return;
        }
        // At `end` (or past it, when the skipped line crossed it): a line starting here is the
        // next part's; otherwise the current line is still ours, to its '\n'.
        if (part_last_ == '\n') {
            part_done_ = true;
            return;
        }
        part_state_ = PartState::Finish;
    }
    if (i == chunk.size()) return;
    const auto* nl = static_cast<const uint8_t*>(std::memchr(data + i, '\n', chunk.size() - i));
    const size_t take = nl != nullptr ? static_cast<size_t>(nl - (data + i)) + 1 : chunk.size() - i;
    decoder_.feed(chunk.subspan(i, take));
    if (nl != nullptr) part_done_ = true;
}

void FileLoader::line(std::string_view text, uint64_t line_no) { parser_.line(text, line_no); }
const char* FileLoader::take_lines(const char* p, const char* end, uint64_t& line_no, size_t max_line) {
    return parser_.take_lines(p, end, line_no, max_line);
}

void FileLoader::bad_line(uint64_t line_no, BadLineReason reason, std::string_view detail, std::string_view text) {
    data_.report.add_bad_line(file_, line_no, reason, detail, text);
}

void FileLoader::finish() {
    if (finished_) return;
    finished_ = true;
    decoder_.finish();
    parser_.flush();
    data_.store.pad_columns();
    FileReport& f = data_.report.files[file_];
    f.bytes = decoder_.bytes_in();
    f.records = parser_.records();
    f.headers = parser_.headers();
    f.gzip = decoder_.gzip();
    f.input_format = std::string(to_string(decoder_.format()));
    f.format = join_words(parser_.fields());
    if (part_) {
        f.bytes = part_bytes_;
        FilePartInfo info;
        info.offset = part_->offset;
        info.end = part_->end;
        info.lines = decoder_.newlines();
        info.start_format = part_start_format_;
        info.fatal_error = part_error_.empty() ? decoder_.file_error() : part_error_;
        info.parser_error_head = parser_.file_error_head();
        info.parser_error_tail = parser_.file_error_tail();
        info.parser_error_line = parser_.file_error_line();
        info.parser_error_overrides = parser_.file_error_overrides();
        f.part = std::move(info);
    }
    const std::string& fatal = part_error_.empty() ? decoder_.file_error() : part_error_;
    f.error = file_error_text(fatal, parser_.records(), parser_.file_error(), f.bad_lines);
}

std::string file_error_text(const std::string& fatal, uint64_t records, const std::string& parser_error,
                            uint64_t bad_lines) {
    // A damaged stream is the more fundamental problem. A layout problem is the file's error
    // only when it kept every record out; otherwise the bad lines it caused say enough.
    if (!fatal.empty()) return fatal;
    if (records == 0 && !parser_error.empty()) return "no record could be read: " + parser_error;
    if (records == 0 && bad_lines > 0)
        return "not a flow log: none of its " + std::to_string(bad_lines) + " line(s) could be read";
    return {};
}

void load_bytes(DataSet& data, std::string name, std::span<const uint8_t> bytes, const LoadOptions& options) {
    FileLoader loader(data, std::move(name), options);
    loader.feed(bytes);
    loader.finish();
}

void load_text(DataSet& data, std::string name, std::string_view text, const LoadOptions& options) {
    load_bytes(data, std::move(name),
               std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()), options);
}

}  // namespace flowlens
