#include "flowlens/record_parser.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <charconv>
#include <cstring>
#include <utility>

#include "flowlens/text.hpp"

namespace flowlens {
namespace {

constexpr uint64_t kMillisecondsFrom = uint64_t{1} << 31;  // FLOWLOGS.md: above 2^31 = ms

bool is_name_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_ascii_digit(c) || c == '-' || c == '_';
}

// "${srcaddr}" → "srcaddr"; other tokens unchanged.
std::string_view strip_format_braces(std::string_view t) noexcept {
    if (t.size() > 3 && t.substr(0, 2) == "${" && t.back() == '}') return t.substr(2, t.size() - 3);
    return t;
}

bool is_name_like(std::string_view t) noexcept {
    t = strip_format_braces(t);
    if (t.empty() || !((t[0] >= 'a' && t[0] <= 'z') || (t[0] >= 'A' && t[0] <= 'Z'))) return false;
    return std::all_of(t.begin(), t.end(), is_name_char);
}

// What a byte means to the tokenizer: part of a token, a separator (is_token_blank: space, tab,
// CR; the decoder skips the same ones before a file's first line), or a control byte that makes
// the line binary junk.
enum : uint8_t { kTokenByte = 0, kSeparator = 1, kControl = 2 };
constexpr std::array<uint8_t, 256> kByteClass = [] {
    std::array<uint8_t, 256> t{};
    for (int c = 0; c < 0x20; ++c) t[static_cast<size_t>(c)] = kControl;
    t[0x7F] = kControl;
    for (int c = 0; c < 0x80; ++c)
        if (is_token_blank(static_cast<char>(c))) t[static_cast<size_t>(c)] = kSeparator;
    return t;
}();

// The end of the token starting at p: the first byte below 0x21 or equal to 0x7F (a blank, or
// a control byte the caller checks for), or `end`.
[[gnu::always_inline]] inline const char* token_end(const char* p, const char* end) noexcept {
    // Eight bytes at a time. The lowest flagged byte of each test is exact (borrows only run
    // upwards), so the lowest of their union is the first such byte.
    static_assert(std::endian::native == std::endian::little, "the lowest flagged byte comes first");
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
    while (end - p >= 8) {
        uint64_t w;
        std::memcpy(&w, p, sizeof w);
        const uint64_t del = w ^ (kOnes * 0x7F);
        const uint64_t m = ((w - kOnes * 0x21) & ~w & kHigh) | ((del - kOnes) & ~del & kHigh);
        if (m != 0) return p + (std::countr_zero(m) >> 3);
        p += 8;
    }
    while (p < end && kByteClass[static_cast<unsigned char>(*p)] == kTokenByte) ++p;
    return p;
}

// A header's first token is a name ("version") or "${version}"; a record line starts with a
// digit or '-' and is not scanned a second time.
inline bool is_letter_or_dollar(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '$';
}

// Splits on runs of blanks; a token starting with '#' ends the line (documentation examples
// carry "#comment" tails). Stores the first `cap` tokens in out[] and returns how many there
// are in all, or SIZE_MAX when the line holds control bytes (binary junk).
size_t tokenize(std::string_view line, std::string_view* out, size_t cap) noexcept {
    const char* p = line.data();
    const char* const end = p + line.size();
    size_t count = 0;
    while (p < end) {
        const auto u = static_cast<unsigned char>(*p);
        if (kByteClass[u] == kSeparator) {
            ++p;
            continue;
        }
        if (u == '#') break;
        const char* start = p;
        p = token_end(p, end);
        if (p < end && kByteClass[static_cast<unsigned char>(*p)] == kControl) return SIZE_MAX;
        if (count < cap) out[count] = std::string_view(start, static_cast<size_t>(p - start));
        ++count;
    }
    return count;
}

// ---- numbers, eight digits at a time ----------------------------------------------------------
constexpr uint64_t kDigitOnes = 0x0101010101010101ull;

// The number eight digit values (bytes 0..9, the most significant in the lowest byte) make,
// combined pairwise (the simdjson way): no branch a digit.
[[gnu::always_inline]] inline uint64_t digits_value(uint64_t d) noexcept {
    d = (d * 2561) >> 8;
    d = ((d & 0x00FF00FF00FF00FFull) * 6553601) >> 16;
    return ((d & 0x0000FFFF0000FFFFull) * 42949672960001ull) >> 32;
}

// The value of len (1..8) ASCII digits at p, reading the 8 bytes p[0..8) (the caller makes
// sure they are readable); false when one of the len bytes is not a digit. Left-padded with
// '0' in a register, then combined by digits_value.
[[gnu::always_inline]] inline bool eight_digits(const char* p, size_t len, uint64_t& out) noexcept {
    static_assert(std::endian::native == std::endian::little, "p[0] is the lowest byte");
    uint64_t w;
    std::memcpy(&w, p, sizeof w);
    const size_t pad = 8 - len;  // bytes of '0' in front
    if (pad != 0) w = (w << (pad * 8)) | ((kDigitOnes * '0') >> (len * 8));
    // Every byte 0x30..0x39: high nibble 3, and still 3 after adding 6 (no carry can cross a
    // byte once every high nibble is 3).
    if ((w & (kDigitOnes * 0xF0)) != kDigitOnes * 0x30) return false;
    if (((w + kDigitOnes * 0x06) & (kDigitOnes * 0xF0)) != kDigitOnes * 0x30) return false;
    out = digits_value(w & (kDigitOnes * 0x0F));
    return true;
}

// A token of 1 to 7 digits at p, ended by a blank or a control byte within the 8 bytes read
// (so p + 8 <= end): its length, with its value in `out`; 0 for anything else (longer, not
// digits, or a digit run that goes on with other token bytes), which the caller reads the
// long way. One load finds the token's end and converts it.
[[gnu::always_inline]] inline size_t short_number(const char* p, const char* end, uint64_t& out) noexcept {
    if (end - p < 8) return 0;
    uint64_t w;
    std::memcpy(&w, p, sizeof w);
    const uint64_t x = w ^ (kDigitOnes * '0');  // a digit byte becomes 0..9
    // The lowest byte above 9 is flagged exactly (x + 0x76 sets its high bit, or x had it set;
    // carries only run upwards, into bytes past it).
    const uint64_t m = ((x + kDigitOnes * 0x76) | x) & (kDigitOnes * 0x80);
    if (m == 0) return 0;
    const size_t len = static_cast<size_t>(std::countr_zero(m)) >> 3;
    if (len == 0 || kByteClass[static_cast<unsigned char>(p[len])] == kTokenByte) return 0;
    out = digits_value(x << (8 * (8 - len)));  // the digits in the top bytes, zeros below
    return len;
}

// A word's lowest n bytes set (n up to 8; 0 for none): a token's bytes in a word loaded from it.
constexpr uint64_t low_bytes(size_t n) noexcept { return n >= 8 ? ~uint64_t{0} : (uint64_t{1} << (n * 8)) - 1; }

constexpr uint64_t kPow10[8] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};

// A token of 8 to 15 digits at p, ended by a blank or a control byte within the 16 bytes read
// (so p + 16 <= end): its length, with its value in `out`; 0 for anything else. Unix times (10
// digits) and large counters, in two loads instead of token_end's scan and parse_number's.
[[gnu::always_inline]] inline size_t medium_number(const char* p, const char* end, uint64_t& out) noexcept {
    if (end - p < 16) return 0;
    uint64_t w1, w2;
    std::memcpy(&w1, p, sizeof w1);
    std::memcpy(&w2, p + 8, sizeof w2);
    const uint64_t x1 = w1 ^ (kDigitOnes * '0'), x2 = w2 ^ (kDigitOnes * '0');
    // As in short_number: the lowest byte above 9 is flagged exactly, so none is when all are
    // digits.
    if ((((x1 + kDigitOnes * 0x76) | x1) & (kDigitOnes * 0x80)) != 0) return 0;
    const uint64_t m = ((x2 + kDigitOnes * 0x76) | x2) & (kDigitOnes * 0x80);
    if (m == 0) return 0;  // sixteen digits or more
    const size_t rest = static_cast<size_t>(std::countr_zero(m)) >> 3;  // digits past the first eight
    if (kByteClass[static_cast<unsigned char>(p[8 + rest])] == kTokenByte) return 0;
    const uint64_t high = digits_value(x1);
    out = rest == 0 ? high : high * kPow10[rest] + digits_value(x2 << (8 * (8 - rest)));
    return 8 + rest;
}

// parse_u64(v), faster for tokens of up to 16 digits when 8 bytes can be read from each
// group's start without passing `limit` (the end of the line the token is in).
[[gnu::always_inline]] inline std::optional<uint64_t> parse_number(std::string_view v, const char* limit) noexcept {
    const size_t n = v.size();
    const char* p = v.data();
    uint64_t hi = 0, lo = 0;
    if (n >= 1 && n <= 8 && limit - p >= 8) {
        if (!eight_digits(p, n, lo)) return std::nullopt;
        return lo;
    }
    if (n > 8 && n <= 16) {  // p + n <= limit: both groups' 8 bytes are inside the token
        if (!eight_digits(p, n - 8, hi) || !eight_digits(p + n - 8, 8, lo)) return std::nullopt;
        return hi * 100000000u + lo;
    }
    return parse_u64(v);
}

// a == b for the short tokens of the value caches, without a call to memcmp: 8-byte words,
// the last one overlapping.
[[gnu::always_inline]] inline bool same_text(std::string_view a, std::string_view b) noexcept {
    const size_t n = a.size();
    if (n != b.size()) return false;
    if (n < 8) {
        for (size_t i = 0; i < n; ++i)
            if (a[i] != b[i]) return false;
        return true;
    }
    uint64_t x, y;
    for (size_t i = 0; i + 8 < n; i += 8) {
        std::memcpy(&x, a.data() + i, 8);
        std::memcpy(&y, b.data() + i, 8);
        if (x != y) return false;
    }
    std::memcpy(&x, a.data() + n - 8, 8);
    std::memcpy(&y, b.data() + n - 8, 8);
    return x == y;
}

// Shape checks used only while inferring a layout, so that an id column cannot be mistaken
// for another field that also accepts free text.
bool plausible_text(std::string_view field, std::string_view v) noexcept {
    if (v == "-") return true;
    auto starts = [&](std::string_view p) { return v.size() > p.size() && v.substr(0, p.size()) == p; };
    if (field == "account-id")
        return v == "unknown" || (v.size() == 12 && std::all_of(v.begin(), v.end(), is_ascii_digit));
    if (field == "interface-id") return starts("eni-");
    if (field == "vpc-id") return starts("vpc-");
    if (field == "subnet-id") return starts("subnet-");
    if (field == "instance-id") return starts("i-");
    if (field == "region") return v.find('-') != v.npos && !(v[0] >= '0' && v[0] <= '9');
    if (field == "az-id") return v.find("-az") != v.npos;
    return true;
}

// AWS's field order cut at each version (what "all fields of version N" writes), and the
// documented version-5 example order: the layouts inference tries.
const std::vector<std::vector<std::string>>& candidate_layouts() {
    static const std::vector<std::vector<std::string>> layouts = [] {
        std::vector<std::vector<std::string>> out;
        std::vector<std::string> cumulative;
        uint8_t version = 2;
        for (const FieldInfo& f : known_fields()) {
            if (f.since_version == 6) continue;  // transit gateway logs have their own layout
            if (f.since_version != version) {
                out.push_back(cumulative);
                version = f.since_version;
            }
            if (f.name == "resource-id" || f.name == "encryption-status") continue;
            cumulative.emplace_back(f.name);
        }
        out.push_back(cumulative);
        out.push_back({"version", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "start", "end", "type",
                       "packets", "bytes", "account-id", "vpc-id", "subnet-id", "instance-id", "interface-id",
                       "region", "az-id", "sublocation-type", "sublocation-id", "action", "tcp-flags", "pkt-srcaddr",
                       "pkt-dstaddr", "pkt-src-aws-service", "pkt-dst-aws-service", "traffic-path",
                       "flow-direction", "log-status"});
        return out;
    }();
    return layouts;
}

}  // namespace

std::optional<std::string> parse_field_list(std::string_view text, std::vector<std::string>& out) {
    out.clear();
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (is_blank(text[i]) || text[i] == ',' || text[i] == '\n')) ++i;
        size_t start = i;
        while (i < text.size() && !(is_blank(text[i]) || text[i] == ',' || text[i] == '\n')) ++i;
        if (i == start) break;
        std::string name = to_lower(strip_format_braces(text.substr(start, i - start)));
        if (!is_name_like(name)) return "field list: '" + excerpt(name, 40) + "' is not a field name";
        if (std::find(out.begin(), out.end(), name) != out.end())
            return "field list: '" + name + "' is named twice";
        if (out.size() == RecordParser::kMaxFields) return "field list: more than 128 fields";
        out.push_back(std::move(name));
    }
    if (out.empty()) return std::string("field list is empty");
    return std::nullopt;
}

bool looks_like_header(std::string_view line) noexcept {
    bool any_known = false;
    size_t i = 0, n = line.size(), tokens = 0;
    while (i < n) {
        while (i < n && is_blank(line[i])) ++i;
        size_t start = i;
        while (i < n && !is_blank(line[i])) ++i;
        if (i == start) break;
        std::string_view t = line.substr(start, i - start);
        if (!is_name_like(t)) return false;
        if (find_field(strip_format_braces(t))) any_known = true;
        ++tokens;
    }
    return tokens > 0 && any_known;
}

RecordParser::RecordParser(Store& store, IngestReport& report, uint32_t file, std::vector<std::string> explicit_fields)
    : store_(store), report_(report), file_(file), explicit_fields_(std::move(explicit_fields)) {
    if (!explicit_fields_.empty()) set_layout(explicit_fields_, 0);
}

void RecordParser::clear_layout() {
    flush();  // the staged rows belong to the old layout's slots
    fields_.clear();
    slots_.clear();
    commit_order_.clear();
}

bool RecordParser::set_layout(const std::vector<std::string>& fields, uint64_t line_no) {
    for (size_t i = 0; i < fields.size(); ++i)
        for (size_t j = 0; j < i; ++j)
            if (fields[i] == fields[j]) {
                set_file_error("header line ", line_no, " names field '" + fields[i] + "' twice", true);
                return false;
            }
    flush();  // the staged rows belong to the old layout's slots
    fields_ = fields;
    slots_.clear();
    synced_rows_ = SIZE_MAX;  // the new layout's columns may be behind
    for (const auto& name : fields_) {
        Column& col = store_.column(name);
        uint8_t rule = name == "action" ? 1 : name == "log-status" ? 2 : 0;
        // A time from 2^31 on is in milliseconds: convert() divides it, the fast path must not
        // take it as it is.
        const uint32_t short_max = col.kind == FieldKind::Small                                  ? 255
                                   : col.kind == FieldKind::Port || col.kind == FieldKind::Flags ? 65535
                                   : col.kind == FieldKind::Counter                              ? 0xFFFFFFFFu
                                   : col.kind == FieldKind::Time ? static_cast<uint32_t>(kMillisecondsFrom - 1)
                                                                 : 0;
        slots_.push_back({&col, col.kind, rule, short_max, false, 0, 0, {}});
    }
    // A column stored relative to another (end to start) is appended after the others, so
    // that the row's start is there to be read against whatever the field order.
    commit_order_.clear();
    for (int pass = 0; pass < 2; ++pass)
        for (size_t i = 0; i < slots_.size(); ++i)
            if ((slots_[i].column->base() != nullptr) == (pass == 1)) commit_order_.push_back(i);
    staged_.assign(slots_.size() * kBatchRows, Staged{0, true});
    layout_is_default_kinds_ = has_kinds(DefaultKinds{});
    return true;
}

bool RecordParser::take_header(uint64_t line_no) {
    if (token_count_ <= kMaxFields) {
        std::vector<std::string> names;
        names.reserve(token_count_);
        for (size_t i = 0; i < token_count_; ++i) names.push_back(to_lower(strip_format_braces(tokens_[i])));
        if (set_layout(names, line_no)) return true;
    }
    clear_layout();
    return false;
}

void RecordParser::prime(std::string_view text) {
    // The same steps as line() for line 1, minus every count and report: the first part of the
    // file counts and reports this line.
    token_count_ = tokenize(text, tokens_.data(), kMaxFields);
    if (token_count_ != SIZE_MAX && token_count_ != 0) {
        if (is_letter_or_dollar(tokens_[0][0]) && looks_like_header(text)) {
            take_header(1);
        } else if (slots_.empty()) {
            try_infer(text, 1, false);
        }
    }
    token_count_ = 0;
    file_error_.clear();
    error_head_.clear();
    error_tail_.clear();
    error_line_ = 0;
    error_overrides_ = false;
}

void RecordParser::line(std::string_view text, uint64_t line_no) {
    // Most lines are plain records of a known layout: one pass finds and converts their fields.
    // Anything else (and a bad line, to be reported) takes the full path.
    if ((!slots_.empty() && stage_fast(text)) || full_line(text, line_no)) {
        commit();
        return;
    }
    drop_fresh_values();  // not a row: nothing this line interned may stay
}

// The full path: tokenize, then a header, a blank or comment line, a bad line (reported) or a
// record (staged: true, for line() to commit).
bool RecordParser::full_line(std::string_view text, uint64_t line_no) {
    token_count_ = tokenize(text, tokens_.data(), kMaxFields);
    if (token_count_ == SIZE_MAX) {
        token_count_ = 0;
        report_.add_bad_line(file_, line_no, BadLineReason::Binary, "control bytes in the line", text);
        return false;
    }
    if (token_count_ == 0) return false;  // blank or comment line

    if (is_letter_or_dollar(tokens_[0][0]) && looks_like_header(text)) {
        if (!take_header(line_no)) set_file_error("header line ", line_no, " cannot be used", false);
        ++headers_;
        return false;
    }

    if (slots_.empty() && !try_infer(text, line_no)) return false;
    return stage(line_no, text);
}

// Out of line: a new value is rare next to the lines, and the converting loops stay small.
[[gnu::noinline, gnu::cold]] void RecordParser::note_fresh(Dictionary* dict) {
    if (fresh_records_ != records_) {  // the list was a committed row's: start the line's own
        fresh_.clear();
        fresh_records_ = records_;
    }
    fresh_.push_back(dict);
}

void RecordParser::drop_fresh_values() {
    if (fresh_.empty()) return;
    if (fresh_records_ == records_) {
        // Newest first: each is then the last of its table (nothing else interns meanwhile).
        for (auto it = fresh_.rbegin(); it != fresh_.rend(); ++it) {
            if (*it) (*it)->pop_back();
            else store_.addresses().pop_back();
        }
        // The caches may hold a code or id taken back.
        recent_text_ = {};
        for (Slot& slot : slots_) slot.cached = false;
    }
    fresh_.clear();
}

void RecordParser::set_file_error(std::string head, uint64_t line_no, std::string tail, bool overrides) {
    if (!overrides && !file_error_.empty()) return;
    error_overrides_ = error_overrides_ || overrides;
    file_error_ = head + std::to_string(line_no) + tail;
    error_head_ = std::move(head);
    error_tail_ = std::move(tail);
    error_line_ = line_no;
}

bool RecordParser::try_infer(std::string_view line, uint64_t line_no, bool report) {
    std::vector<std::string> fit;
    if (token_count_ == default_format().size()) {
        // The default format needs no proof: its own bad values are reported as such.
        std::vector<std::string> def(default_format().begin(), default_format().end());
        set_layout(def, line_no);
        return true;
    }
    std::vector<const std::vector<std::string>*> fitting;
    for (const auto& layout : candidate_layouts()) {
        if (layout.size() != token_count_) continue;
        bool ok = true;
        for (size_t i = 0; i < layout.size() && ok; ++i) {
            const FieldInfo* f = find_field(layout[i]);
            std::string_view v = tokens_[i];
            if (v == "-") continue;
            switch (f->kind) {
                case FieldKind::Address: ok = parse_ip(v).has_value(); break;
                case FieldKind::Text: ok = plausible_text(f->name, v); break;
                case FieldKind::Enum:
                    if (f->name == "action") ok = iequals(v, "ACCEPT") || iequals(v, "REJECT");
                    else if (f->name == "log-status") ok = iequals(v, "OK") || iequals(v, "NODATA") || iequals(v, "SKIPDATA");
                    else if (f->name == "type") ok = iequals(v, "IPv4") || iequals(v, "IPv6") || iequals(v, "EFA");
                    else if (f->name == "flow-direction") ok = iequals(v, "ingress") || iequals(v, "egress");
                    break;
                case FieldKind::Small: ok = parse_u64(v).has_value() && *parse_u64(v) <= 255; break;
                default: ok = parse_u64(v).has_value(); break;
            }
        }
        if (ok) fitting.push_back(&layout);
    }
    if (fitting.size() == 1) {
        set_layout(*fitting.front(), line_no);
        return true;
    }
    std::string why = fitting.empty()
                          ? "its " + std::to_string(token_count_) + " fields match no known layout"
                          : "its " + std::to_string(token_count_) + " fields fit " + std::to_string(fitting.size()) +
                                " layouts";
    std::string detail = "no header line and no field list; " + why +
                         ". State the format (CLI: --fields \"version account-id …\"; page: the field-list box)";
    set_file_error("line ", line_no, ": " + detail, false);
    if (report) report_.add_bad_line(file_, line_no, BadLineReason::UnknownFormat, detail, line);
    return false;
}

uint32_t RecordParser::intern_v4(uint32_t value) {
    bool added = false;
    const uint32_t id = store_.addresses().intern_v4(value, &added);
    if (added) note_fresh(nullptr);
    return id;
}

void RecordParser::remember(Slot& slot, std::string_view text, uint32_t code) {
    // Not too long (rare in flow logs: ids are 12-30 bytes), and not empty: a control byte where
    // a field starts gives an empty token (the line is then bad), and cached_token_at compares
    // at least one byte.
    if (text.empty() || text.size() > kCachedMax) {
        slot.cached = false;
        return;
    }
    slot.cached_text.fill(0);
    std::memcpy(slot.cached_text.data(), text.data(), text.size());
    slot.cached_len = static_cast<uint8_t>(text.size());
    slot.cached_code = code;
    slot.cached = true;
}

// Whether the token at p is one of the address tokens read last (recent_text_): then p moves
// past it and `id` is its address's id. False when fewer than 17 bytes follow p (a dotted quad
// is at most 15, then its terminator).
[[gnu::always_inline]] inline bool RecordParser::recent_text_at(const char*& p, const char* end, uint32_t& id) const noexcept {
    if (end - p <= 16) return false;
    uint64_t x0, x1;
    std::memcpy(&x0, p, 8);
    std::memcpy(&x1, p + 8, 8);
    for (const RecentText& r : recent_text_) {
        if ((((x0 & r.m0) ^ r.w0) | ((x1 & r.m1) ^ r.w1)) != 0) continue;
        if (kByteClass[static_cast<unsigned char>(p[r.len])] == kTokenByte) continue;  // a longer token
        id = r.id;
        p += r.len;
        return true;
    }
    return false;
}

// Keeps the dotted quad [p, p + len) read from a line, with its id, in recent_text_ (when the
// 16 bytes from p are there to load: recent_text_at needs them too).
[[gnu::always_inline]] inline void RecordParser::remember_text(const char* p, size_t len, const char* end,
                                                               uint32_t id) noexcept {
    if (end - p <= 16 || len > 15) return;
    RecentText& r = recent_text_[recent_text_next_];
    recent_text_next_ = (recent_text_next_ + 1) % kRecentTexts;
    r.m0 = low_bytes(len);
    r.m1 = len <= 8 ? 0 : low_bytes(len - 8);
    std::memcpy(&r.w0, p, 8);
    std::memcpy(&r.w1, p + 8, 8);
    r.w0 &= r.m0;
    r.w1 &= r.m1;
    r.id = id;
    r.len = static_cast<uint32_t>(len);
}

// Whether the token at p is the slot's cached one: its bytes, then a blank or control byte
// (not another token byte) after them. Compared 8 bytes at a time against the zero-padded
// copy, the last word masked to the token's length; false, for the caller's usual path, when
// fewer than that many bytes and one more follow p.
[[gnu::always_inline]] inline bool RecordParser::cached_token_at(const Slot& slot, const char* p, const char* end) noexcept {
    const size_t n = slot.cached_len;
    assert(n >= 1 && n <= kCachedMax);  // remember()'s: with none, the last word would be at p - 8
    const size_t words = (n + 7) >> 3;  // 1..kCachedMax / 8
    if (end - p <= static_cast<std::ptrdiff_t>(words * 8)) return false;
    const char* const c = slot.cached_text.data();
    uint64_t diff = 0, x, y;
    for (size_t i = 0; i + 1 < words; ++i) {
        std::memcpy(&x, p + i * 8, 8);
        std::memcpy(&y, c + i * 8, 8);
        diff |= x ^ y;
    }
    const size_t last = (words - 1) * 8;
    std::memcpy(&x, p + last, 8);
    std::memcpy(&y, c + last, 8);
    diff |= (x ^ y) & low_bytes(n - last);  // 1..8 bytes of the token in the last word
    return diff == 0 && kByteClass[static_cast<unsigned char>(p[n])] != kTokenByte;
}

// Out of line: the message is built only for a line being reported, and the hot loops stay small.
[[gnu::noinline, gnu::cold]] bool RecordParser::bad_value(BadValue* why, const Slot& slot, std::string_view v,
                                                           BadLineReason reason, std::string_view msg) {
    if (why) {
        why->reason = reason;
        why->detail = slot.column->name + ": '" + excerpt(v, 40) + "' " + std::string(msg);
    }
    return false;
}

template <FieldKind K>
[[gnu::always_inline]] inline bool RecordParser::convert_as(Slot& slot, std::string_view v, const char* line_end,
                                                            Staged& s, BadValue* why) {
    if (v.size() == 1 && v[0] == '-') {
        s = {0, true};
        return true;
    }
    if constexpr (K == FieldKind::Small || K == FieldKind::Flags || K == FieldKind::Port) {
        auto n = parse_number(v, line_end);
        if (!n) return bad_value(why, slot, v, BadLineReason::BadNumber, "is not a number");
        constexpr uint64_t max = K == FieldKind::Small ? 255 : 65535;
        if (*n > max)
            return bad_value(why, slot, v, K == FieldKind::Port ? BadLineReason::PortRange : BadLineReason::ValueRange,
                             max == 255 ? "is above 255" : "is above 65535");
        s = {*n, false};
        return true;
    } else if constexpr (K == FieldKind::Counter) {
        auto n = parse_number(v, line_end);
        if (!n) {
            bool digits = std::all_of(v.begin(), v.end(), is_ascii_digit);
            return digits ? bad_value(why, slot, v, BadLineReason::CounterOverflow, "does not fit in 64 bits")
                          : bad_value(why, slot, v, BadLineReason::BadNumber, "is not a number");
        }
        s = {*n, false};
        return true;
    } else if constexpr (K == FieldKind::Time) {
        auto n = parse_number(v, line_end);
        if (!n) return bad_value(why, slot, v, BadLineReason::BadTime, "is not a Unix time");
        uint64_t t = *n >= kMillisecondsFrom ? *n / 1000 : *n;
        if (t > 0xFFFFFFFEu) return bad_value(why, slot, v, BadLineReason::BadTime, "is beyond the year 2106");
        s = {t, false};
        return true;
    } else if constexpr (K == FieldKind::Address) {
        uint32_t v4 = 0;
        if (parse_ipv4(v, v4)) {
            s = {intern_v4(v4), false};
            return true;
        }
        auto a = parse_ipv6(v);
        if (!a) return bad_value(why, slot, v, BadLineReason::BadAddress, "is not an IPv4 or IPv6 address");
        bool added = false;
        s = {store_.addresses().intern(*a, &added), false};
        if (added) note_fresh(nullptr);
        return true;
    } else if constexpr (K == FieldKind::Enum) {
        if (slot.cached && same_text(v, slot.cached_view())) {
            s = {slot.cached_code, false};
            return true;
        }
        std::string_view canonical = v;
        if (slot.enum_rule == 1) {
            canonical = iequals(v, "ACCEPT") ? "ACCEPT" : iequals(v, "REJECT") ? "REJECT" : "";
            if (canonical.empty()) return bad_value(why, slot, v, BadLineReason::BadEnum, "is not ACCEPT or REJECT");
        } else if (slot.enum_rule == 2) {
            canonical = iequals(v, "OK")         ? "OK"
                        : iequals(v, "NODATA")   ? "NODATA"
                        : iequals(v, "SKIPDATA") ? "SKIPDATA"
                                                 : "";
            if (canonical.empty()) return bad_value(why, slot, v, BadLineReason::BadEnum, "is not OK, NODATA or SKIPDATA");
        }
        Dictionary& dict = slot.column->dict;
        auto code = dict.find(canonical);
        if (!code) {
            if (dict.size() > 255) return bad_value(why, slot, v, BadLineReason::BadEnum, "is one value too many (at most 255)");
            code = dict.intern(canonical);
            note_fresh(&dict);
        }
        s = {*code, false};
        remember(slot, v, *code);
        return true;
    } else {
        static_assert(K == FieldKind::Text);
        if (slot.cached && same_text(v, slot.cached_view())) {
            s = {slot.cached_code, false};
            return true;
        }
        bool added = false;
        s = {slot.column->dict.intern(v, &added), false};
        if (added) note_fresh(&slot.column->dict);
        remember(slot, v, static_cast<uint32_t>(s.value));
        return true;
    }
}

[[gnu::always_inline]] inline bool RecordParser::convert(Slot& slot, std::string_view v, const char* line_end,
                                                         Staged& s, BadValue* why) {
    switch (slot.kind) {
        case FieldKind::Small: return convert_as<FieldKind::Small>(slot, v, line_end, s, why);
        case FieldKind::Flags: return convert_as<FieldKind::Flags>(slot, v, line_end, s, why);
        case FieldKind::Port: return convert_as<FieldKind::Port>(slot, v, line_end, s, why);
        case FieldKind::Counter: return convert_as<FieldKind::Counter>(slot, v, line_end, s, why);
        case FieldKind::Time: return convert_as<FieldKind::Time>(slot, v, line_end, s, why);
        case FieldKind::Address: return convert_as<FieldKind::Address>(slot, v, line_end, s, why);
        case FieldKind::Enum: return convert_as<FieldKind::Enum>(slot, v, line_end, s, why);
        case FieldKind::Text: return convert_as<FieldKind::Text>(slot, v, line_end, s, why);
    }
    return bad_value(why, slot, v, BadLineReason::BadNumber, "has a field kind this parser does not know");
}

bool RecordParser::stage(uint64_t line_no, std::string_view line) {
    auto fail = [&](BadLineReason reason, const std::string& detail) {
        report_.add_bad_line(file_, line_no, reason, detail, line);
        return false;
    };
    if (token_count_ != slots_.size())
        return fail(BadLineReason::FieldCount, std::to_string(token_count_) + " fields, the format has " +
                                                   std::to_string(slots_.size()) + " (" + excerpt(join_words(fields_), 80) + ")");
    const char* const line_end = line.data() + line.size();
    BadValue bad;
    for (size_t i = 0; i < slots_.size(); ++i)
        if (!convert(slots_[i], tokens_[i], line_end, staged_row()[i * kBatchRows], &bad))
            return fail(bad.reason, bad.detail);
    return true;
}

// Past the blanks that end a token at p (p is at the token's end): false when a control byte
// ends it instead (the line is binary junk: the full path reports it).
[[gnu::always_inline]] inline bool skip_blanks(const char*& p, const char* end) noexcept {
    if (p < end) {
        if (kByteClass[static_cast<unsigned char>(*p)] == kControl) return false;
        do ++p;
        while (p < end && kByteClass[static_cast<unsigned char>(*p)] == kSeparator);
    }
    return true;
}

// One field of a record line at p (a token's first byte, or the end), converted as kind K into
// `out`; p then moves past the token and (kSkipBlanks) the blanks after it. False for what the
// full path must decide: no field (the end, or the '\n' of a line read inside its chunk), a
// comment, a control byte or a bad value. `end` is the line's end, or the chunk's for
// take_lines: a token ends at the first blank or control byte either way.
template <FieldKind K, bool kSkipBlanks>
[[gnu::always_inline]] inline bool RecordParser::fast_field(Slot& slot, const char*& p, const char* end, Staged& out) {
    // The fast paths first. None of them takes what the test before the usual path below
    // turns away: each needs a digit, or the cached token, first (and a cached token never
    // starts with '#' or holds a '\n': tokens never do), and each checks that its bytes are
    // there.
    if constexpr (K == FieldKind::Small || K == FieldKind::Flags || K == FieldKind::Port || K == FieldKind::Counter ||
                  K == FieldKind::Time) {
        uint64_t n = 0;
        size_t digits = short_number(p, end, n);
        if constexpr (K == FieldKind::Counter || K == FieldKind::Time)
            if (digits == 0) digits = medium_number(p, end, n);
        if (digits != 0 && n <= slot.short_max) {
            out = {n, false};  // what convert() makes of it, found in one or two 8-byte loads
            p += digits;
            return !kSkipBlanks || skip_blanks(p, end);
        }
    }
    if constexpr (K == FieldKind::Enum || K == FieldKind::Text) {
        // The value of the previous line in this field, as most are (convert()'s cache, found
        // without looking for the token's end first).
        if (slot.cached && cached_token_at(slot, p, end)) {
            out = {slot.cached_code, false};
            p += slot.cached_len;
            return !kSkipBlanks || skip_blanks(p, end);
        }
    }
    if constexpr (K == FieldKind::Address) {
        // One of the addresses read last, as text (one side of most flows is the interface's
        // own address); else a dotted quad read as it comes, its token's end found on the way
        // (what convert() makes of it: the same parse, then the same intern).
        uint32_t id;
        if (recent_text_at(p, end, id)) {
            out = {id, false};
            return !kSkipBlanks || skip_blanks(p, end);
        }
        const char* q = p;
        uint32_t v4;
        if (scan_ipv4(q, end, v4) && (q == end || kByteClass[static_cast<unsigned char>(*q)] != kTokenByte)) {
            id = intern_v4(v4);
            remember_text(p, static_cast<size_t>(q - p), end, id);
            out = {id, false};
            p = q;
            return !kSkipBlanks || skip_blanks(p, end);
        }
    }
    // Too few fields, or a comment. An empty last token before a '\n' (take_lines: the line's
    // last field missing, a blank kept) would read as text; before it, a field's blanks end at
    // the '\n' as a control byte, and so do the other fields (tested only there: it was 60
    // instructions a line).
    if (p == end || *p == '#' || (!kSkipBlanks && *p == '\n')) return false;
    const char* const start = p;
    p = token_end(p, end);
    return convert_as<K>(slot, std::string_view(start, static_cast<size_t>(p - start)), end, out, nullptr) &&
           (!kSkipBlanks || skip_blanks(p, end));
}

// fast_field for the slot's kind read at run time (the loop of other layouts).
template <bool kSkipBlanks>
[[gnu::always_inline]] inline bool RecordParser::fast_field_any(Slot& slot, const char*& p, const char* end, Staged& out) {
    switch (slot.kind) {
        case FieldKind::Small: return fast_field<FieldKind::Small, kSkipBlanks>(slot, p, end, out);
        case FieldKind::Flags: return fast_field<FieldKind::Flags, kSkipBlanks>(slot, p, end, out);
        case FieldKind::Port: return fast_field<FieldKind::Port, kSkipBlanks>(slot, p, end, out);
        case FieldKind::Counter: return fast_field<FieldKind::Counter, kSkipBlanks>(slot, p, end, out);
        case FieldKind::Time: return fast_field<FieldKind::Time, kSkipBlanks>(slot, p, end, out);
        case FieldKind::Address: return fast_field<FieldKind::Address, kSkipBlanks>(slot, p, end, out);
        case FieldKind::Enum: return fast_field<FieldKind::Enum, kSkipBlanks>(slot, p, end, out);
        case FieldKind::Text: return fast_field<FieldKind::Text, kSkipBlanks>(slot, p, end, out);
    }
    return false;
}

// A line's start: past its leading blanks; false for a header line.
inline bool RecordParser::fast_start(std::string_view line, const char*& p) {
    const char* const end = line.data() + line.size();
    p = line.data();
    while (p < end && kByteClass[static_cast<unsigned char>(*p)] == kSeparator) ++p;
    return !(p < end && is_letter_or_dollar(*p) && looks_like_header(line));
}

inline bool RecordParser::stage_fields(const char*& p, const char* end) {
    return layout_is_default_kinds_ ? stage_kinds(p, end, DefaultKinds{}, std::make_index_sequence<DefaultKinds::size>{})
                                    : stage_loop(p, end);
}

bool RecordParser::stage_fast(std::string_view line) {
    const char* p;
    if (!fast_start(line, p)) return false;
    const char* const end = line.data() + line.size();
    // take_lines' staging, then the last token's blanks (a control byte among them: the full
    // path reports the line).
    if (!stage_fields(p, end) || !skip_blanks(p, end)) return false;
    return p == end;  // else more fields or a comment: the full path decides
}

// Both read through a local copy of p, written back at the end: through the reference itself,
// every value stored could alias it, and it was reloaded after each field (about 90 more
// instructions a line, callgrind). Out of line, and the same code for take_lines and
// stage_fast: stage_kinds is 23 KB of wasm, which the browser's optimising tier compiles once
// it is hot, on the cores the load needs (inlined into both callers, it compiled twice: 118 +
// 117 ms of V8's TurboFan in Node for take_lines and FileLoader::line, most of it while the
// first load ran).
[[gnu::noinline]] bool RecordParser::stage_loop(const char*& p, const char* end) {
    const size_t last = slots_.size() - 1;
    Slot* const slots = slots_.data();
    Staged* const staged = staged_row();
    const char* q = p;
    for (size_t i = 0; i < last; ++i)
        if (!fast_field_any<true>(slots[i], q, end, staged[i * kBatchRows])) return false;
    const bool ok = fast_field_any<false>(slots[last], q, end, staged[last * kBatchRows]);
    p = q;
    return ok;
}

template <FieldKind... K, size_t... I>
[[gnu::noinline]] bool RecordParser::stage_kinds(const char*& p, const char* end, KindList<K...>, std::index_sequence<I...>) {
    Slot* const slots = slots_.data();
    Staged* const staged = staged_row();
    const char* q = p;
    // Field I as kind K, left to right, stopping at the first that fails.
    constexpr size_t last = sizeof...(I) - 1;
    const bool ok = (fast_field<K, I != last>(slots[I], q, end, staged[I * kBatchRows]) && ...);
    p = q;
    return ok;
}

const char* RecordParser::take_lines(const char* p, const char* chunk_end, uint64_t& line_no, size_t max_line) {
    if (slots_.empty()) return p;  // no layout yet: the header or the first line sets it
    // The lane reads only lines that are whole and at most max_line long, so that nothing of a
    // line it must leave to line() is converted first: a token of a line cut by the chunk's end
    // (every cut in an enum field would add a prefix of a value to its dictionary, which holds
    // at most 255), or a huge token of an over-long line (copied into a dictionary). `window`:
    // past the last '\n' within max_line + 1 bytes of a line start (and the chunk), found from
    // the back once per window; every line that starts before it ends before it, at most
    // max_line long. The cut line at the chunk's end is the decoder's to carry over.
    const char* window = p;
    while (p < chunk_end) {
        if (p >= window) {
            window = chunk_end - p > static_cast<std::ptrdiff_t>(max_line) ? p + max_line + 1 : chunk_end;
            while (window > p && window[-1] != '\n') --window;
            if (window == p) break;  // no whole line of at most max_line starts here: line() decides
        }
        // A CloudWatch export's timestamp, which the decoder removes before line(), is skipped
        // here ('-' at [4] tested first: the cheapest no).
        const char* q = p;
        if (window - p > 10 && p[4] == '-') q += iso_prefix_length(std::string_view(p, static_cast<size_t>(window - p)));
        const char* const start = q;  // the line as line() would get it
        // A line that may start with a header's name is line()'s.
        while (kByteClass[static_cast<unsigned char>(*q)] == kSeparator) ++q;  // a '\n' ends it
        if (is_letter_or_dollar(*q)) {  // a header, or a layout led by a text field
            const char* nl = find_newline(q, window);
            if (looks_like_header(std::string_view(start, static_cast<size_t>(nl - start)))) break;
        }
        // The fields, the last one's token ended by a blank or the '\n' (not skipped), then
        // the blanks before the '\n': the line as line() reads it without its trailing '\r'.
        if (!stage_fields(q, window)) break;
        while (kByteClass[static_cast<unsigned char>(*q)] == kSeparator) ++q;
        if (*q != '\n') break;
        commit();
        ++line_no;
        p = q + 1;
    }
    return p;
}

void RecordParser::commit() {
    ++records_;
    if (++batched_ == kBatchRows) flush();
}

void RecordParser::flush() {
    const size_t n = batched_;
    if (n == 0) return;
    batched_ = 0;
    const size_t row = store_.rows();
    const Slot* const slots = slots_.data();
    // Columns this layout has but earlier files lacked were left behind by their rows; once
    // padded they keep pace, as long as only this parser appends.
    if (row != synced_rows_)
        for (size_t i : commit_order_) slots[i].column->pad_to(row);
    // Column by column, each batch in bulk (store.hpp, append_pending): row by row, every value
    // was switched between kinds and widths, which cost about half of the appending.
    for (size_t i : commit_order_)
        slots[i].column->append_pending(std::span<const Staged>(staged_.data() + i * kBatchRows, n));
    store_.commit_rows(n);
    synced_rows_ = row + n;
}

}  // namespace flowlens
