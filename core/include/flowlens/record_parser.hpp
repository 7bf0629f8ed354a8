// record_parser.hpp — one file's record lines → typed rows in the store.
//
// Contract:
// - line() takes one record line (as the InputDecoder delivers it) and either appends exactly
//   one row to the store, or records why not in the IngestReport (bad line: counted by reason,
//   first examples kept), or consumes it as a header / blank / comment line. A bad line never
//   leaves a partial row behind, nor any value in a dictionary or the address table: the values
//   its fields before the bad one interned are taken back. Never throws except bad_alloc.
// - Tokens are separated by runs of spaces or tabs; a token starting with '#' starts a comment
//   that runs to the end of the line; '-' is null.
// - The layout (field order) of the file is, in order of precedence: the most recent header
//   line in the file (S3 files start with one; a concatenation of files may contain several),
//   then the caller's explicit field list (for header-less CloudWatch data), then inference:
//   a 14-field line is the default format; otherwise the well-known layouts (AWS's field
//   order up to each version, and the documented version-5 example order) are tried and the one
//   that fits the values is used if exactly one fits. When none or several fit, the line is
//   counted as UnknownFormat and file_error() explains what to pass.
// - Values: ports 0..65535, small integers 0..255, counters 0..2^64-1, times in seconds (values
//   above 2^31 are milliseconds and are divided by 1000), IPv4/IPv6 addresses, action
//   ACCEPT/REJECT and log-status OK/NODATA/SKIPDATA (any case, stored upper-case).
// - take_lines(p, end, …) is the decoder's fast lane (LineSink::take_lines): it takes a run of
//   whole record lines straight from a chunk of raw text, with exactly the rows and counts
//   line() would give for them, and leaves every line it is not sure of to line().
// - prime(first_line) starts a parser in the middle of a file (a FilePart past the first): it
//   takes the layout the file's first line gives (a header, or inference on a record line)
//   without counting or reporting that line, so the part reads as the first part does.
// Cost: O(line length) per line, in one pass for a plain record line of a known layout (the
// full tokenize-then-convert path only for the rest); no allocation per line once
// dictionaries are warm.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flowlens/ingest_report.hpp"
#include "flowlens/store.hpp"

namespace flowlens {

// Splits a field list such as "version account-id …", "version,account-id", or AWS's format
// string "${version} ${account-id} …" into names. Returns an error message for an empty list
// or a field named twice.
std::optional<std::string> parse_field_list(std::string_view text, std::vector<std::string>& out);

// True when the line is a header: every token is a field-name-like word and at least one is a
// field FlowLens knows.
bool looks_like_header(std::string_view line) noexcept;

class RecordParser {
public:
    RecordParser(Store& store, IngestReport& report, uint32_t file, std::vector<std::string> explicit_fields);

    void line(std::string_view text, uint64_t line_no);
    // LineSink::take_lines (input_decoder.hpp): from a line start in a chunk of raw text, the
    // run of record lines that the fast path reads whole, each found and converted in one pass
    // (its '\n' found on the way); returns the start of the first line left to line(), which
    // decides (a header, a comment, a bad value, a line cut by the chunk's end, one longer than
    // max_line, one that may start with a CloudWatch export's timestamp). line_no += lines taken.
    const char* take_lines(const char* p, const char* end, uint64_t& line_no, size_t max_line);
    // Appends the rows line() has staged but not yet written (they go to the store in batches
    // of kBatchRows, column by column). Call it before the store is read: FileLoader does after
    // every chunk it is fed and when the file ends. records() already counts staged rows.
    void flush();
    // Before any line(): sets up the layout from the file's first line, silently (see contract).
    void prime(std::string_view first_line);

    const std::vector<std::string>& fields() const noexcept { return fields_; }  // empty until known
    uint64_t records() const noexcept { return records_; }
    uint64_t headers() const noexcept { return headers_; }
    const std::string& file_error() const noexcept { return file_error_; }
    // file_error() == head + line number + tail when not empty; the line can be moved (parts).
    const std::string& file_error_head() const noexcept { return error_head_; }
    const std::string& file_error_tail() const noexcept { return error_tail_; }
    uint64_t file_error_line() const noexcept { return error_line_; }
    // True once an error that replaces earlier ones (a header naming a field twice) was set.
    bool file_error_overrides() const noexcept { return error_overrides_; }

    static constexpr size_t kMaxFields = 128;
    static constexpr size_t kCachedMax = 32;  // the longest token a slot's value cache keeps
    static constexpr size_t kBatchRows = 256;

private:
    struct Slot {
        Column* column;
        FieldKind kind;
        uint8_t enum_rule;  // 0 = free enum, 1 = action, 2 = log-status
        // Numbers: the largest value the fast path may take as it is (a token of 1 to 15
        // digits); 0 for the other kinds. Counters up to 2^32 - 1; times below 2^31 (from there
        // on milliseconds, which convert() divides by 1000).
        uint32_t short_max;
        // Enum and Text: the last token seen in this slot and its code. Consecutive records of
        // one interface repeat account-id, interface-id, action…: a hit skips hash and probe,
        // and the fast path compares it with the line's bytes before finding the token's end.
        // Codes never change once a row has them, so the cache stays right whatever else is
        // loaded; only a bad line's new ones are taken back, and that clears it. Tokens of up to
        // kCachedMax bytes are kept, zero-padded so that they compare 8 bytes at a time.
        bool cached = false;
        uint8_t cached_len = 0;
        uint32_t cached_code = 0;
        std::array<char, kCachedMax + 8> cached_text{};
        std::string_view cached_view() const noexcept { return {cached_text.data(), cached_len}; }
    };
    using Staged = PendingValue;  // number, or id/code, or null

    // The rows staged so far are written under the old layout first (flush) in both.
    bool set_layout(const std::vector<std::string>& fields, uint64_t line_no);
    void clear_layout();  // no layout: a header that cannot be used
    // The tokenized header line (tokens_) as the layout; false, with no layout left, when it
    // cannot be one (more than kMaxFields fields, a field named twice…). line() and prime().
    bool take_header(uint64_t line_no);
    bool try_infer(std::string_view line, uint64_t line_no, bool report = true);
    // Sets the file error "head<line>tail": always when `overrides`, else only the first one.
    void set_file_error(std::string head, uint64_t line_no, std::string tail, bool overrides);
    struct BadValue {
        BadLineReason reason = BadLineReason::BadNumber;
        std::string detail;
    };
    // Converts one token as its slot's field wants it. On a bad value returns false and, when
    // `why` is given, says why (the fast path passes none: the full path reports the line).
    bool convert(Slot& slot, std::string_view token, const char* line_end, Staged& out, BadValue* why);
    template <FieldKind K>  // convert() for a kind known at compile time
    bool convert_as(Slot& slot, std::string_view token, const char* line_end, Staged& out, BadValue* why);
    static bool bad_value(BadValue* why, const Slot& slot, std::string_view token, BadLineReason reason,
                          std::string_view message);
    // Converts tokens into staged values; on failure reports the bad line and returns false.
    bool stage(uint64_t line_no, std::string_view line);
    // Finds and converts the fields of a record line of the known layout in one pass, without
    // reporting. False for anything else (a header, another field count, a comment, control
    // bytes, a bad value): line() then takes the full path (tokenize, stage), which decides.
    bool stage_fast(std::string_view line);
    // stage_fast's parts: the line's first token (false for a header), and one field.
    static bool fast_start(std::string_view line, const char*& p);
    template <FieldKind K, bool kSkipBlanks = true>
    bool fast_field(Slot& slot, const char*& p, const char* end, Staged& out);
    template <bool kSkipBlanks>
    bool fast_field_any(Slot& slot, const char*& p, const char* end, Staged& out);
    // Every field of the layout from p (a line's first token), p left after the last one's
    // token (not its blanks): stage_fast's and take_lines' common part.
    bool stage_loop(const char*& p, const char* end);
    // stage_loop for a layout whose fields have exactly the kinds K, in order: each field's code
    // chosen at compile time, without a loop over the slots or a switch per field. The default
    // format's kinds get this: its wasm load 7-13 % faster (5 M records in Node; bench/README.md,
    // "Latest figures (2026-11-24, 18:11"); other layouts take the loop.
    template <FieldKind... K>
    struct KindList {
        static constexpr size_t size = sizeof...(K);
    };
    using DefaultKinds = KindList<FieldKind::Small, FieldKind::Text, FieldKind::Text, FieldKind::Address,
                                   FieldKind::Address, FieldKind::Port, FieldKind::Port, FieldKind::Small,
                                   FieldKind::Counter, FieldKind::Counter, FieldKind::Time, FieldKind::Time,
                                   FieldKind::Enum, FieldKind::Enum>;
    template <FieldKind... K, size_t... I>
    bool stage_kinds(const char*& p, const char* end, KindList<K...>, std::index_sequence<I...>);
    // stage_kinds for the default format's kinds, else stage_loop.
    bool stage_fields(const char*& p, const char* end);
    template <FieldKind... K>
    bool has_kinds(KindList<K...>) const noexcept {
        constexpr FieldKind kinds[] = {K...};
        if (slots_.size() != sizeof...(K)) return false;
        for (size_t i = 0; i < slots_.size(); ++i)
            if (slots_[i].kind != kinds[i]) return false;
        return true;
    }
    bool layout_is_default_kinds_ = false;
    void commit();  // the staged row is complete: keep it (flush() writes the batch)
    // The staged row's values: field i at [i * kBatchRows] (slot-major, so that each column's
    // batch is one span).
    Staged* staged_row() noexcept { return staged_.data() + batched_; }
    static void remember(Slot& slot, std::string_view text, uint32_t code);
    static bool cached_token_at(const Slot& slot, const char* p, const char* end) noexcept;

    Store& store_;
    IngestReport& report_;
    uint32_t file_;
    std::vector<std::string> explicit_fields_;
    std::vector<std::string> fields_;
    std::vector<Slot> slots_;
    std::vector<size_t> commit_order_;  // slot indices, columns with a base() last
    // The line's tokens: the first kMaxFields are kept (no layout has more), all are counted.
    std::array<std::string_view, kMaxFields> tokens_{};
    size_t token_count_ = 0;
    std::vector<Staged> staged_;  // per slot, kBatchRows values (slot i's at [i * kBatchRows])
    size_t batched_ = 0;          // rows staged in staged_, not yet in the store
    // The last dotted quads the fast path read, as text with their ids, shared by every address
    // column: a flow's request and response rows swap srcaddr and dstaddr, one side of most of
    // an interface's flows is its own address, and one host talks in bursts. Each is kept
    // zero-padded to 16 bytes with the masks of its length, so that a token equal to one of
    // them is known (with its id) from two 8-byte loads, without parsing it. A dotted quad has
    // one spelling (no leading zeros): the same text is the same address. Ids never change once
    // given to a row, so the entries stay right whatever else is loaded; only a bad line's new
    // ones are taken back (drop_fresh_values), which clears them.
    // Two: the previous line's pair. Four read 3 % fewer instructions natively, but made the
    // wasm parse 1-3 % slower (a larger stage_kinds for V8's register allocator); two, 3-5 %
    // faster (bench/wasm-chromium.mjs, 5 M records, 7 rounds).
    static constexpr uint32_t kRecentTexts = 2;
    struct RecentText {
        uint64_t w0 = 1, w1 = 0;  // the text, bytes past its length zero (empty: 1, no token's)
        uint64_t m0 = 0, m1 = 0;  // masks of its bytes in the two words
        uint32_t id = 0;
        uint32_t len = 0;
    };
    std::array<RecentText, kRecentTexts> recent_text_{};
    uint32_t recent_text_next_ = 0;
    bool recent_text_at(const char*& p, const char* end, uint32_t& id) const noexcept;
    void remember_text(const char* p, size_t len, const char* end, uint32_t id) noexcept;
    uint32_t intern_v4(uint32_t value);  // the address's id, noted in fresh_ when new
    // The values the line being read added to a dictionary (or, as nullptr, to the address
    // table), in order: a field converted before the line turns out bad (a later field, or the
    // lane's and stage_fast's attempts before the full path's) must not leave its value behind.
    // Junk would stay in memory, be offered as a filter value, and could fill a free enum's
    // 255 codes so that later good lines are refused. The list is the line's while
    // fresh_records_ == records_ (a commit() makes it the committed row's, kept); line() takes
    // it back on every way out that is not a commit. O(1) per new value; nothing per line.
    std::vector<Dictionary*> fresh_;
    uint64_t fresh_records_ = 0;
    void note_fresh(Dictionary* dict);
    void drop_fresh_values();
    bool full_line(std::string_view text, uint64_t line_no);
    uint64_t records_ = 0;
    size_t synced_rows_ = SIZE_MAX;  // the store's rows after this parser's last commit
    uint64_t headers_ = 0;
    std::string file_error_;
    std::string error_head_, error_tail_;
    uint64_t error_line_ = 0;
    bool error_overrides_ = false;
};

}  // namespace flowlens
