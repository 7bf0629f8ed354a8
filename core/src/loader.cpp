#include "flowlens/loader.hpp"

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
      decoder_(*this) {}

FileLoader::~FileLoader() {
    if (!finished_) finish();
}

void FileLoader::feed(std::span<const uint8_t> chunk) { decoder_.feed(chunk); }

void FileLoader::line(std::string_view text, uint64_t line_no) { parser_.line(text, line_no); }

void FileLoader::bad_line(uint64_t line_no, BadLineReason reason, std::string_view detail, std::string_view text) {
    data_.report.add_bad_line(file_, line_no, reason, detail, text);
}

void FileLoader::finish() {
    if (finished_) return;
    finished_ = true;
    decoder_.finish();
    data_.store.pad_columns();
    FileReport& f = data_.report.files[file_];
    f.bytes = decoder_.bytes_in();
    f.records = parser_.records();
    f.headers = parser_.headers();
    f.gzip = decoder_.gzip();
    f.input_format = std::string(to_string(decoder_.format()));
    for (const auto& name : parser_.fields()) {
        if (!f.format.empty()) f.format.push_back(' ');
        f.format += name;
    }
    // A damaged stream is the more fundamental problem. A layout problem is the file's error
    // only when it kept every record out; otherwise the bad lines it caused say enough.
    if (!decoder_.file_error().empty())
        f.error = decoder_.file_error();
    else if (parser_.records() == 0 && !parser_.file_error().empty())
        f.error = "no record could be read: " + parser_.file_error();
    else if (f.records == 0 && f.bad_lines > 0)
        f.error = "not a flow log: none of its " + std::to_string(f.bad_lines) + " line(s) could be read";
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
