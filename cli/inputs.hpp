// inputs.hpp — the CLI's side of reading: paths (files, folders, `-`) to loaded data sets.
//
// Contract: expand_inputs() turns the command line's paths into a sorted list of files
// (folders are walked recursively, as S3 downloads nest them; hidden files are skipped), or
// returns an error message for a path that does not exist. read_input() streams one file (or
// stdin for "-") through a FileLoader in 1 MiB chunks — or, with options.part set, one part of a
// plain file (loader.hpp: read from its offset - 1 until the loader is done); a read error ends
// that file with an error in its report. Progress goes to stderr only when stderr is a terminal and the input is
// large, so pipes and CI logs stay clean.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "flowlens/loader.hpp"

namespace flowlens::cli {

struct InputFile {
    std::string path;  // "-" for stdin
    uint64_t size = 0;  // 0 when unknown
};

std::optional<std::string> expand_inputs(const std::vector<std::string>& paths, std::vector<InputFile>& out);

// Thread-safe: the threads of a parallel load (parallel_load.hpp) report into one.
class Progress {
public:
    explicit Progress(uint64_t total_bytes);
    void update(uint64_t more_bytes, uint64_t more_records, const std::string& current);
    void done();

private:
    std::mutex mutex_;
    bool enabled_;
    uint64_t total_, done_ = 0, records_ = 0;
    double started_, last_ = 0;
};

void read_input(DataSet& data, const InputFile& input, const LoadOptions& options, Progress& progress);

}  // namespace flowlens::cli
