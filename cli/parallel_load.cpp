#include "parallel_load.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>

#include "flowlens/data_transfer.hpp"

namespace flowlens::cli {
namespace {

constexpr size_t kHeadBytes = 64u << 10;  // a header line is far shorter

bool blank(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

uint64_t job_bytes(const LoadJob& job, const std::vector<InputFile>& inputs) {
    return job.part ? job.part->end - job.part->offset : inputs[job.input].size;
}

// Reads the jobs in order into `data`, telling each loader the bytes still to come into it
// (LoadOptions::expected_bytes): its own and the later jobs', plus `appended_later`, the bytes
// of data sets that will be appended to this one.
void load_share(DataSet& data, const std::vector<LoadJob>& jobs, const std::vector<InputFile>& inputs,
                const LoadOptions& options, Progress& progress, uint64_t appended_later = 0) {
    uint64_t to_come = appended_later;
    for (const auto& job : jobs) to_come += job_bytes(job, inputs);
    LoadOptions job_options = options;
    for (const auto& job : jobs) {
        job_options.part = job.part;
        job_options.expected_bytes = to_come;
        read_input(data, inputs[job.input], job_options, progress);
        to_come -= job_bytes(job, inputs);
    }
}

std::vector<LoadJob> whole_files(const std::vector<InputFile>& inputs) {
    std::vector<LoadJob> jobs;
    for (size_t i = 0; i < inputs.size(); ++i) jobs.push_back({i, std::nullopt});
    return jobs;
}

}  // namespace

InputShape describe_input(const InputFile& input) {
    InputShape shape{input.size, input.size, false, {}};
    if (input.path == "-" || input.size < 2 * kMinPartBytes) return shape;
    std::FILE* f = std::fopen(input.path.c_str(), "rb");
    if (!f) return shape;
    std::vector<uint8_t> head(kHeadBytes);
    head.resize(std::fread(head.data(), 1, head.size(), f));
    std::fclose(f);
    if (head.size() >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
        shape.weight = input.size * kGzipWeight;
        return shape;
    }
    size_t i = head.size() >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF ? 3 : 0;
    while (i < head.size() && blank(head[i])) ++i;
    auto newline = std::find(head.begin(), head.end(), uint8_t{'\n'});
    if (i == head.size() || head[i] == '{' || head[i] == '[' || newline == head.end()) return shape;
    shape.splittable = true;
    shape.first_line.assign(head.begin(), newline);
    return shape;
}

std::vector<std::vector<LoadJob>> plan_load(const std::vector<InputShape>& shapes, unsigned threads,
                                            uint64_t min_parallel_bytes, uint64_t min_part_bytes) {
    // The threshold is work, not file size: 4 MB of gzip is about 24 MB to read and parse.
    uint64_t total_weight = 0;
    for (const auto& s : shapes) total_weight += s.weight;
    std::vector<std::vector<LoadJob>> shares;
    if (shapes.empty()) return shares;
    if (threads <= 1 || total_weight < min_parallel_bytes || total_weight == 0) {
        shares.emplace_back();
        for (size_t i = 0; i < shapes.size(); ++i) shares[0].push_back({i, std::nullopt});
        return shares;
    }
    shares.resize(threads);
    const double target = static_cast<double>(total_weight) / threads;
    auto share_at = [&](double position) {
        return std::min<size_t>(threads - 1, static_cast<size_t>(std::max(0.0, std::floor(position / target))));
    };
    double before = 0;
    for (size_t i = 0; i < shapes.size(); ++i) {
        const auto& s = shapes[i];
        const auto weight = static_cast<double>(s.weight);
        if (!s.splittable) {
            shares[share_at(before + weight / 2)].push_back({i, std::nullopt});
            before += weight;
            continue;
        }
        // Cut at each share boundary inside the file that leaves min_part_bytes on both sides.
        std::vector<uint64_t> cuts{0};
        for (auto k = static_cast<size_t>(std::floor(before / target)) + 1; k < threads; ++k) {
            const double at = std::round(static_cast<double>(k) * target - before);
            if (at >= static_cast<double>(s.size)) break;
            const auto cut = static_cast<uint64_t>(at);
            if (cut - cuts.back() >= min_part_bytes && s.size - cut >= min_part_bytes) cuts.push_back(cut);
        }
        cuts.push_back(s.size);
        for (size_t j = 0; j + 1 < cuts.size(); ++j) {
            LoadJob job{i, std::nullopt};
            if (cuts.size() > 2) job.part = FilePart{cuts[j], cuts[j + 1], s.first_line};
            shares[share_at(before + static_cast<double>(cuts[j] + cuts[j + 1]) / 2)].push_back(std::move(job));
        }
        before += weight;
    }
    std::erase_if(shares, [](const auto& share) { return share.empty(); });
    return shares;
}

void load_inputs(DataSet& data, const std::vector<InputFile>& inputs, const LoadOptions& options, Progress& progress,
                 unsigned threads) {
    std::vector<std::vector<LoadJob>> shares;
    if (threads > 1 && data.store.rows() == 0 && data.report.files.empty()) {
        std::vector<InputShape> shapes;
        shapes.reserve(inputs.size());
        for (const auto& input : inputs) shapes.push_back(describe_input(input));
        shares = plan_load(shapes, threads);
    }
    if (shares.size() <= 1) {
        load_share(data, whole_files(inputs), inputs, options, progress);
        return;
    }
    // Share 0 is read on this thread, the others each on their own.
    std::vector<DataSet> loaded(shares.size());
    {
        std::vector<std::jthread> workers;
        for (size_t i = 1; i < shares.size(); ++i)
            workers.emplace_back([&, i] { load_share(loaded[i], shares[i], inputs, options, progress); });
        // The other shares are appended to this one: room for their rows too.
        uint64_t others = 0;
        for (size_t i = 1; i < shares.size(); ++i)
            for (const auto& job : shares[i]) others += job_bytes(job, inputs);
        load_share(loaded[0], shares[0], inputs, options, progress, others);
    }
    data = std::move(loaded[0]);
    for (size_t i = 1; i < loaded.size(); ++i) {
        if (append_data(data, std::move(loaded[i])).empty()) continue;
        // A file that cannot be read in parts: everything again, in order, on one thread.
        loaded.clear();
        data = DataSet{};
        load_share(data, whole_files(inputs), inputs, options, progress);
        return;
    }
}

}  // namespace flowlens::cli
