#include "inputs.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <system_error>

namespace flowlens::cli {
namespace fs = std::filesystem;

namespace {

double now_seconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

bool hidden(const fs::path& p) {
    auto name = p.filename().string();
    return !name.empty() && name[0] == '.';
}

}  // namespace

std::optional<std::string> expand_inputs(const std::vector<std::string>& paths, std::vector<InputFile>& out) {
    for (const auto& p : paths) {
        if (p == "-") {
            out.push_back({"-", 0});
            continue;
        }
        std::error_code ec;
        auto status = fs::status(p, ec);
        if (ec || !fs::exists(status)) return "cannot read '" + p + "': no such file or folder";
        if (fs::is_directory(status)) {
            std::vector<InputFile> found;
            fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
            if (ec) return "cannot read folder '" + p + "': " + ec.message();
            for (; it != end; it.increment(ec)) {
                if (ec) return "cannot read folder '" + p + "': " + ec.message();
                if (hidden(it->path())) {
                    if (it->is_directory()) it.disable_recursion_pending();
                    continue;
                }
                if (it->is_regular_file(ec)) found.push_back({it->path().string(), it->file_size(ec)});
            }
            std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
            out.insert(out.end(), found.begin(), found.end());
        } else {
            out.push_back({p, fs::file_size(p, ec)});
        }
    }
    return std::nullopt;
}

Progress::Progress(uint64_t total_bytes)
    : enabled_(isatty(STDERR_FILENO) && total_bytes >= (64u << 20)), total_(total_bytes), started_(now_seconds()) {}

void Progress::update(uint64_t more_bytes, uint64_t more_records, const std::string& current) {
    std::lock_guard lock(mutex_);
    done_ += more_bytes;
    records_ += more_records;
    if (!enabled_) return;
    double t = now_seconds();
    if (t - last_ < 0.25) return;
    last_ = t;
    double rate = static_cast<double>(done_) / std::max(t - started_, 1e-6) / 1e6;
    double left = rate > 0 ? static_cast<double>(total_ - std::min(total_, done_)) / 1e6 / rate : 0;
    std::fprintf(stderr, "\r\x1b[Kread %.0f of %.0f MB (%.0f%%), %llu records, %.0f MB/s, %.0f s left  %s",
                 static_cast<double>(done_) / 1e6, static_cast<double>(total_) / 1e6,
                 100.0 * static_cast<double>(done_) / static_cast<double>(std::max<uint64_t>(total_, 1)),
                 static_cast<unsigned long long>(records_), rate, left,
                 fs::path(current).filename().string().c_str());
}

void Progress::done() {
    if (enabled_) std::fprintf(stderr, "\r\x1b[K");
}

void read_input(DataSet& data, const InputFile& input, const LoadOptions& options, Progress& progress) {
    bool is_stdin = input.path == "-";
    std::FILE* f = is_stdin ? stdin : std::fopen(input.path.c_str(), "rb");
    FileLoader loader(data, is_stdin ? std::string("(stdin)") : input.path, options);
    if (!f) {
        loader.finish();
        data.report.files.back().error = "cannot open the file";
        return;
    }
    // A part is read from offset - 1 (the loader drops up to the first '\n') until the loader
    // has its last line; progress counts only its own range, whatever is read past its end.
    const FilePart whole;
    const FilePart& range = options.part ? *options.part : whole;
    const uint64_t from = range.offset > 0 ? range.offset - 1 : 0;
    bool read_error = from > 0 && fseeko(f, static_cast<off_t>(from), SEEK_SET) != 0;
    std::vector<uint8_t> buf(1u << 20);
    uint64_t at = from, records = 0;
    while (!read_error && !loader.done()) {
        size_t n = std::fread(buf.data(), 1, buf.size(), f);
        if (n > 0) {
            loader.feed(std::span<const uint8_t>(buf.data(), n));
            const uint64_t counted_to = std::min(at + n, range.end), counted_from = std::max(at, range.offset);
            progress.update(counted_to > counted_from ? counted_to - counted_from : 0, loader.records() - records,
                            input.path);
            records = loader.records();
            at += n;
        }
        if (n < buf.size()) break;
    }
    read_error = read_error || std::ferror(f) != 0;
    if (!is_stdin) std::fclose(f);
    loader.finish();
    if (read_error && data.report.files.back().error.empty())
        data.report.files.back().error = "read error: the file could not be read to its end";
}

}  // namespace flowlens::cli
