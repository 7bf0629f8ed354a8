// parallel_load.hpp — the CLI's inputs loaded by several threads into one data set.
//
// Contract: load_inputs() gives the same DataSet as reading every input in order with
// read_input() (every query answer, record, file report and bad-line example alike), using up to
// `threads` threads: the inputs are shared out in order (plan_load), large plain-text files cut
// into parts at byte offsets (the core's FilePart: each thread's loader finds the line starts),
// each share loaded into its own DataSet, and the shares appended in order (append_data). Gzip,
// CloudWatch JSON and stdin are never cut. When the parts of a file cannot be joined (its layout
// changes after the first line: concatenated logs with different headers), everything is read
// again in one thread. threads <= 1 reads sequentially. Peak memory: about twice the store
// while the shares are appended.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "flowlens/loader.hpp"
#include "inputs.hpp"

namespace flowlens::cli {

// The page's web/load-plan.js makes the same plan for its workers.
inline constexpr uint64_t kMinParallelBytes = 24u << 20;  // below: one thread
inline constexpr uint64_t kMinPartBytes = 8u << 20;       // no part smaller than this
inline constexpr uint64_t kGzipWeight = 6;                // work of a gzipped byte, relative

struct LoadJob {
    size_t input = 0;               // index into the inputs
    std::optional<FilePart> part;   // unset: the whole file
};

// What plan_load needs to know of one input.
struct InputShape {
    uint64_t size = 0;
    uint64_t weight = 0;     // size, or size * kGzipWeight for gzip
    bool splittable = false; // plain text, large enough, its first line found
    std::string first_line;
};
// Reads the first bytes of an input that is large enough to be cut.
InputShape describe_input(const InputFile& input);

// Shares of consecutive jobs (none empty, at most `threads`), in input order.
std::vector<std::vector<LoadJob>> plan_load(const std::vector<InputShape>& shapes, unsigned threads,
                                            uint64_t min_parallel_bytes = kMinParallelBytes,
                                            uint64_t min_part_bytes = kMinPartBytes);

void load_inputs(DataSet& data, const std::vector<InputFile>& inputs, const LoadOptions& options, Progress& progress,
                 unsigned threads);

}  // namespace flowlens::cli
