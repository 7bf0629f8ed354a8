// filter.cpp — compiles the filter language (contract in filter.hpp) into a small tree whose
// leaves are comparisons already resolved to a column kind and typed values, then evaluates it
// a column at a time into RowSets.
//
// Shape: a hand-written lexer (one token of lookahead, produced on demand so the first error in
// the text is the one reported), a recursive-descent parser that records the first error and
// unwinds by returning nullptr/false (no exceptions), and evaluators that turn each comparison
// into one tight loop over a raw column vector. `and`/`or` nodes are n-ary, so the tree's depth
// is bounded by the nesting of parentheses and `not`, which the parser limits: no input can
// overflow the stack in parsing, evaluation or destruction.
#include "flowlens/filter.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include <type_traits>
#include <vector>

#include "flowlens/fields.hpp"
#include "flowlens/ip_address.hpp"
#include "flowlens/text.hpp"

namespace flowlens {
namespace filter_detail {

enum class Op : uint8_t { Eq, Ne, Lt, Le, Gt, Ge, In, NotIn };

// What a comparison's values are matched against.
enum class Target : uint8_t {
    Number,   // Small, Port, Flags, Counter, Time columns: inclusive ranges of values
    Address,  // Address columns: networks (an address is a full-length network)
    Code,     // Enum and Text columns: words, resolved to dictionary codes at evaluation
    File,     // the virtual `file` field: names or globs, resolved to file numbers
};

struct Range {
    uint64_t lo = 0, hi = 0;  // inclusive
    bool contains(uint64_t v) const noexcept { return v - lo <= hi - lo; }
};

// One leaf of the tree. It first computes the "positive" set — rows where some column of
// `columns` (two for addr/port: either side) equals one of the values, or satisfies the
// ordered operator — then flips it for `!=` and `not in`. So `x != v` is exactly `not x = v`,
// which is why a null satisfies `!= value` and `addr != X` means neither side is X.
struct Comparison {
    Target target = Target::Number;
    std::vector<std::string> columns;  // store column names; empty for `file`
    bool negate = false;               // `!=` / `not in`
    bool has_null = false;             // null / `-` among the values: null rows match
    std::vector<Range> ranges;         // Number (empty: no non-null value matches)
    std::vector<IpNetwork> networks;   // Address
    std::vector<std::string> words;    // Code (as typed) and File (names or globs)

    bool contains(uint64_t v) const noexcept {
        for (const Range& r : ranges)
            if (r.contains(v)) return true;
        return false;
    }
};

}  // namespace filter_detail

struct FilterNode {
    enum class Type : uint8_t { And, Or, Not, Compare };
    Type type = Type::Compare;
    std::vector<std::unique_ptr<FilterNode>> children;  // And/Or: two or more; Not: one
    filter_detail::Comparison cmp;                      // Compare only
};

namespace {

using filter_detail::Comparison;
using filter_detail::Op;
using filter_detail::Range;
using filter_detail::Target;

constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();
// Parentheses and `not` nested deeper than this are refused (a stack-depth guard; no real
// filter comes close).
constexpr int kMaxDepth = 100;

// ---------------------------------------------------------------------------------------------
// Vocabularies

struct ProtocolEntry {
    std::string_view name;
    uint8_t number;
};
// The first name for a number is the one protocol_name() prints.
constexpr std::array<ProtocolEntry, 10> kProtocols{{
    {"ICMP", 1},
    {"IGMP", 2},
    {"TCP", 6},
    {"UDP", 17},
    {"GRE", 47},
    {"ESP", 50},
    {"AH", 51},
    {"ICMPv6", 58},
    {"IPv6-ICMP", 58},  // IANA's keyword for 58
    {"SCTP", 132},
}};

// Enumerations whose words AWS documents as a closed set: a word outside the set is almost
// certainly a typo, so it is an error rather than a silent no-match. A word that does occur in
// the data is accepted too, in case AWS adds one.
constexpr std::string_view kActionWords[] = {"ACCEPT", "REJECT"};
constexpr std::string_view kLogStatusWords[] = {"OK", "NODATA", "SKIPDATA"};
constexpr std::string_view kTypeWords[] = {"IPv4", "IPv6", "EFA"};
constexpr std::string_view kDirectionWords[] = {"ingress", "egress"};
constexpr std::string_view kSublocationWords[] = {"wavelength", "outpost", "localzone"};
constexpr std::string_view kRejectReasonWords[] = {"BPA"};

struct EnumVocabulary {
    std::string_view field;
    std::span<const std::string_view> words;
};
constexpr EnumVocabulary kVocabularies[] = {
    {"action", kActionWords},         {"log-status", kLogStatusWords},
    {"type", kTypeWords},             {"flow-direction", kDirectionWords},
    {"sublocation-type", kSublocationWords}, {"reject-reason", kRejectReasonWords},
};

std::span<const std::string_view> vocabulary(std::string_view field) noexcept {
    for (const auto& v : kVocabularies)
        if (iequals(v.field, field)) return v.words;
    return {};
}

// ---------------------------------------------------------------------------------------------
// Number and time parsing

enum class NumberStatus : uint8_t { Ok, Invalid, TooLarge };

bool all_digits(std::string_view s) noexcept {
    return !s.empty() && std::all_of(s.begin(), s.end(), is_ascii_digit);
}

NumberStatus parse_plain(std::string_view s, uint64_t max, uint64_t& out) noexcept {
    if (!all_digits(s)) return NumberStatus::Invalid;
    auto v = parse_u64(s);
    if (!v || *v > max) return NumberStatus::TooLarge;
    out = *v;
    return NumberStatus::Ok;
}

// A count: digits, optionally a fraction and a k/M/G/T suffix (powers of 1000), whole in the
// end: 1500, 1.5k, 2M, 3G, 1T. `m` is mega too: a count has no milli.
NumberStatus parse_count(std::string_view s, uint64_t& out) noexcept {
    size_t i = 0;
    uint64_t whole = 0;
    bool overflow = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        if (__builtin_mul_overflow(whole, uint64_t{10}, &whole) ||
            __builtin_add_overflow(whole, static_cast<uint64_t>(s[i] - '0'), &whole))
            overflow = true;
        ++i;
    }
    if (i == 0) return NumberStatus::Invalid;
    std::string_view fraction;
    if (i < s.size() && s[i] == '.') {
        size_t start = ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        fraction = s.substr(start, i - start);
        if (fraction.empty()) return NumberStatus::Invalid;
    }
    unsigned exponent = 0;  // of 1000
    if (i < s.size()) {
        switch (s[i]) {
            case 'k': case 'K': exponent = 1; break;
            case 'm': case 'M': exponent = 2; break;
            case 'g': case 'G': exponent = 3; break;
            case 't': case 'T': exponent = 4; break;
            default: return NumberStatus::Invalid;
        }
        ++i;
    }
    if (i != s.size()) return NumberStatus::Invalid;
    while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
    // The fraction must vanish under the multiplier: 1.5k is 1500, 1.0005k is not a count.
    if (fraction.size() > 3 * exponent) return NumberStatus::Invalid;
    if (overflow) return NumberStatus::TooLarge;
    uint64_t multiplier = 1;
    for (unsigned k = 0; k < exponent; ++k) multiplier *= 1000;
    uint64_t value = 0;
    if (__builtin_mul_overflow(whole, multiplier, &value)) return NumberStatus::TooLarge;
    if (!fraction.empty()) {
        uint64_t f = *parse_u64(fraction);  // at most 12 digits: cannot fail
        uint64_t scale = multiplier;
        for (size_t k = 0; k < fraction.size(); ++k) scale /= 10;
        if (__builtin_add_overflow(value, f * scale, &value)) return NumberStatus::TooLarge;
    }
    out = value;
    return NumberStatus::Ok;
}

bool read_digits(std::string_view s, size_t& i, size_t count, unsigned& out) noexcept {
    if (i > s.size() || s.size() - i < count) return false;
    unsigned v = 0;
    for (size_t k = 0; k < count; ++k) {
        char c = s[i + k];
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    i += count;
    out = v;
    return true;
}

bool read_char(std::string_view s, size_t& i, char c) noexcept {
    if (i >= s.size() || s[i] != c) return false;
    ++i;
    return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) noexcept {
    if (m <= 2) y -= 1;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

unsigned days_in_month(unsigned y, unsigned m) noexcept {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
}

// YYYY-MM-DD[(T| )hh:mm[:ss[.fff…]][Z|±hh[:mm]|±hhmm]]; no zone means UTC.
std::optional<int64_t> parse_iso_time(std::string_view s) noexcept {
    size_t i = 0;
    unsigned year = 0, month = 0, day = 0;
    if (!read_digits(s, i, 4, year) || !read_char(s, i, '-') || !read_digits(s, i, 2, month) ||
        !read_char(s, i, '-') || !read_digits(s, i, 2, day))
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
    int64_t t = days_from_civil(year, month, day) * 86400;
    if (i == s.size()) return t;
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return std::nullopt;
    ++i;
    unsigned hour = 0, minute = 0, second = 0;
    if (!read_digits(s, i, 2, hour) || !read_char(s, i, ':') || !read_digits(s, i, 2, minute))
        return std::nullopt;
    if (read_char(s, i, ':')) {
        if (!read_digits(s, i, 2, second)) return std::nullopt;
        if (read_char(s, i, '.')) {  // fractions of a second: the store keeps whole seconds
            size_t start = i;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
            if (i == start) return std::nullopt;
        }
    }
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    t += int64_t{hour} * 3600 + int64_t{minute} * 60 + int64_t{second};
    if (i == s.size()) return t;
    if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) return t;
    if (s[i] != '+' && s[i] != '-') return std::nullopt;
    const int64_t sign = s[i] == '+' ? 1 : -1;
    ++i;
    unsigned off_h = 0, off_m = 0;
    if (!read_digits(s, i, 2, off_h)) return std::nullopt;
    if (i < s.size()) {
        read_char(s, i, ':');
        if (!read_digits(s, i, 2, off_m)) return std::nullopt;
    }
    if (i != s.size() || off_h > 23 || off_m > 59) return std::nullopt;
    // 10:00+02:00 is 08:00 UTC.
    return t - sign * (int64_t{off_h} * 3600 + int64_t{off_m} * 60);
}

bool is_date_only(std::string_view s) noexcept {
    return s.size() == 10 && s[4] == '-' && s[7] == '-' && all_digits(s.substr(0, 4)) &&
           all_digits(s.substr(5, 2)) && all_digits(s.substr(8, 2));
}

bool looks_like_clock(std::string_view s) noexcept {
    return s.size() >= 5 && all_digits(s.substr(0, 2)) && s[2] == ':';
}

// ---------------------------------------------------------------------------------------------
// Lexer

struct Token {
    enum class Type : uint8_t { End, Word, String, LParen, RParen, Comma, Op, And, Or, Not, Error };
    Type type = Type::End;
    size_t pos = 0;          // first byte in the text
    size_t end = 0;          // one past the last byte
    Op op = Op::Eq;          // Type::Op
    std::string_view text;   // the token's bytes as written
    std::string value;       // Word: the text; String: the contents without quotes/escapes
    std::string error;       // Type::Error: the complete message
};

// Bytes that end a bare word. Everything else — letters, digits, `-`, `.`, `:`, `/`, `+`, `*`,
// `$`, `{`, non-ASCII — can be part of one, so addresses, CIDRs, ids, ARNs and ISO times need no
// quotes.
constexpr bool ends_word(char c) noexcept {
    switch (c) {
        case ' ': case '\t': case '\r': case '\n': case '\v': case '\f':
        case '(': case ')': case ',': case '=': case '!': case '<': case '>':
        case '"': case '\'': case '&': case '|':
            return true;
        default:
            return false;
    }
}

std::string at_position(size_t pos) { return " at position " + std::to_string(pos); }

Token lex_at(std::string_view s, size_t i) {
    while (i < s.size() && (is_blank(s[i]) || s[i] == '\n')) ++i;
    Token t;
    t.pos = i;
    auto finish = [&](Token::Type type, size_t len) {
        t.type = type;
        t.end = i + len;
        t.text = s.substr(i, len);
        return t;
    };
    auto op = [&](Op o, size_t len) {
        t.op = o;
        return finish(Token::Type::Op, len);
    };
    if (i >= s.size()) return finish(Token::Type::End, 0);
    const char next = i + 1 < s.size() ? s[i + 1] : '\0';
    switch (s[i]) {
        case '(': return finish(Token::Type::LParen, 1);
        case ')': return finish(Token::Type::RParen, 1);
        case ',': return finish(Token::Type::Comma, 1);
        case '=': return op(Op::Eq, next == '=' ? 2 : 1);
        case '!': return next == '=' ? op(Op::Ne, 2) : finish(Token::Type::Not, 1);
        case '<':
            if (next == '=') return op(Op::Le, 2);
            if (next == '>') return op(Op::Ne, 2);  // SQL's spelling
            return op(Op::Lt, 1);
        case '>': return next == '=' ? op(Op::Ge, 2) : op(Op::Gt, 1);
        case '&':
        case '|':
            if (next == s[i]) return finish(s[i] == '&' ? Token::Type::And : Token::Type::Or, 2);
            t.error = std::string("unexpected '") + s[i] + "'" + at_position(i) + ": use " +
                      (s[i] == '&' ? "'and' or '&&'" : "'or' or '||'");
            return finish(Token::Type::Error, 1);
        case '"':
        case '\'': {
            const char quote = s[i];
            size_t j = i + 1;
            std::string value;
            while (j < s.size() && s[j] != quote) {
                if (s[j] == '\\' && j + 1 < s.size()) ++j;  // \" \' \\ stand for the character
                value.push_back(s[j++]);
            }
            if (j >= s.size()) {
                t.error = "unterminated string starting" + at_position(i) + ": expected a closing " +
                          quote + " before the end of input";
                return finish(Token::Type::Error, s.size() - i);
            }
            t.value = std::move(value);
            return finish(Token::Type::String, j + 1 - i);
        }
        default: {
            size_t j = i;
            while (j < s.size() && !ends_word(s[j])) ++j;
            finish(Token::Type::Word, j - i);
            t.value = std::string(t.text);
            return t;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Field resolution

struct FieldRef {
    Target target = Target::Number;
    FieldKind kind = FieldKind::Text;  // of the column(s); unused for File
    std::string name;                  // canonical: as the store or the catalogue spells it
    std::vector<std::string> columns;
};

bool is_numeric(FieldKind k) noexcept {
    return k == FieldKind::Small || k == FieldKind::Flags || k == FieldKind::Port || k == FieldKind::Counter ||
           k == FieldKind::Time;
}

Target target_of(FieldKind k) noexcept {
    if (is_numeric(k)) return Target::Number;
    if (k == FieldKind::Address) return Target::Address;
    return Target::Code;
}

// The store's column called `name`: exact spelling first, then ignoring case (a header may
// say SRCADDR; users type whatever).
const Column* find_column(const Store& store, std::string_view name) noexcept {
    if (const Column* c = store.find(name)) return c;
    for (const auto& c : store.columns())
        if (iequals(c->name, name)) return c.get();
    return nullptr;
}

std::optional<FieldRef> resolve_field(std::string_view name, const Store& store) {
    if (name.size() > 3 && name.substr(0, 2) == "${" && name.back() == '}')  // as in format strings
        name = name.substr(2, name.size() - 3);
    FieldRef f;
    if (iequals(name, "addr")) {
        f.target = Target::Address;
        f.kind = FieldKind::Address;
        f.name = "addr";
        f.columns = {"srcaddr", "dstaddr"};
        return f;
    }
    if (iequals(name, "port")) {
        f.target = Target::Number;
        f.kind = FieldKind::Port;
        f.name = "port";
        f.columns = {"srcport", "dstport"};
        return f;
    }
    if (iequals(name, "file")) {
        f.target = Target::File;
        f.name = "file";
        return f;
    }
    // interface_id for interface-id: the two spellings are easy to confuse.
    std::string dashed(name);
    std::replace(dashed.begin(), dashed.end(), '_', '-');
    for (std::string_view candidate : {name, std::string_view(dashed)}) {
        if (const Column* c = find_column(store, candidate)) {
            f.kind = c->kind;
            f.name = c->name;
        } else if (const FieldInfo* info = find_field(candidate)) {
            f.kind = info->kind;
            f.name = std::string(info->name);
        } else {
            continue;
        }
        f.target = target_of(f.kind);
        f.columns = {f.name};
        return f;
    }
    return std::nullopt;
}

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t up = row[j];
            size_t cost = ascii_lower(a[i - 1]) == ascii_lower(b[j - 1]) ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
            diagonal = up;
        }
    }
    return row[b.size()];
}

std::string unknown_field_message(std::string_view name, size_t pos, const Store& store) {
    std::vector<std::string_view> valid = {"addr", "port", "file"};
    for (const auto& c : store.columns()) valid.push_back(c->name);
    for (const FieldInfo& f : known_fields())
        if (!find_column(store, f.name)) valid.push_back(f.name);
    std::string_view best;
    size_t best_distance = 3;  // suggest only close misspellings
    // Edit distance is quadratic: no suggestion for a name no field comes near in length.
    if (name.size() <= 64)
        for (std::string_view v : valid) {
            size_t d = edit_distance(name, v);
            if (d < best_distance && d < name.size()) {
                best = v;
                best_distance = d;
            }
        }
    std::string msg = "unknown field '" + excerpt(name, 40) + "'" + at_position(pos);
    if (!best.empty()) msg += " (did you mean '" + std::string(best) + "'?)";
    msg += "; valid fields: ";
    for (size_t k = 0; k < valid.size(); ++k) {
        if (k) msg += ", ";
        msg += valid[k];
    }
    return msg;
}

// ---------------------------------------------------------------------------------------------
// Parser

bool is_keyword(const Token& t, std::string_view word) noexcept {
    return t.type == Token::Type::Word && iequals(t.text, word);
}
bool is_and(const Token& t) noexcept { return t.type == Token::Type::And || is_keyword(t, "and"); }
bool is_or(const Token& t) noexcept { return t.type == Token::Type::Or || is_keyword(t, "or"); }
bool is_not(const Token& t) noexcept { return t.type == Token::Type::Not || is_keyword(t, "not"); }
bool is_reserved(const Token& t) noexcept {
    return is_keyword(t, "and") || is_keyword(t, "or") || is_keyword(t, "not") || is_keyword(t, "in");
}
bool is_ordered(Op op) noexcept { return op == Op::Lt || op == Op::Le || op == Op::Gt || op == Op::Ge; }

std::string describe(const Token& t) {
    if (t.type == Token::Type::End) return "end of input";
    return "'" + excerpt(t.text, 40) + "'";
}

class Parser {
public:
    Parser(std::string_view text, const Store& store) : text_(text), store_(store) { advance(); }

    // The whole expression, or nullptr with error() set.
    std::unique_ptr<FilterNode> parse() {
        auto root = parse_or(0);
        if (!root) return nullptr;
        if (tok_.type == Token::Type::RParen)
            return fail(tok_.pos, "unmatched ')'" + at_position(tok_.pos));
        if (tok_.type != Token::Type::End)
            return fail(tok_.pos, "expected 'and', 'or' or end of input" + at_position(tok_.pos) + ", found " +
                                      describe(tok_));
        return root;
    }

    FilterError error() const {
        return error_ ? *error_ : FilterError{0, "invalid filter"};
    }

private:
    void advance() {
        tok_ = lex_at(text_, tok_.end);
        if (tok_.type == Token::Type::Error) fail(tok_.pos, tok_.error);
    }

    // Records the first error only: later ones are consequences of it.
    std::nullptr_t fail(size_t pos, std::string message) {
        if (!error_) error_ = FilterError{pos, std::move(message)};
        return nullptr;
    }

    std::string expected(std::string_view what, std::string_view after) const {
        std::string msg = "expected " + std::string(what);
        if (!after.empty()) msg += " after " + std::string(after);
        return msg + at_position(tok_.pos) + ", found " + describe(tok_);
    }

    std::unique_ptr<FilterNode> parse_or(int depth) {
        auto first = parse_and(depth, "");
        if (!first || !is_or(tok_)) return first;
        auto node = std::make_unique<FilterNode>();
        node->type = FilterNode::Type::Or;
        node->children.push_back(std::move(first));
        while (is_or(tok_)) {
            std::string after = "'" + std::string(tok_.text) + "'";
            advance();
            auto next = parse_and(depth, after);
            if (!next) return nullptr;
            node->children.push_back(std::move(next));
        }
        return node;
    }

    std::unique_ptr<FilterNode> parse_and(int depth, std::string_view after) {
        auto first = parse_unary(depth, after);
        if (!first || !is_and(tok_)) return first;
        auto node = std::make_unique<FilterNode>();
        node->type = FilterNode::Type::And;
        node->children.push_back(std::move(first));
        while (is_and(tok_)) {
            std::string after_and = "'" + std::string(tok_.text) + "'";
            advance();
            auto next = parse_unary(depth, after_and);
            if (!next) return nullptr;
            node->children.push_back(std::move(next));
        }
        return node;
    }

    std::unique_ptr<FilterNode> parse_unary(int depth, std::string_view after) {
        if (depth > kMaxDepth)
            return fail(tok_.pos, "expression nested too deeply" + at_position(tok_.pos) + " (more than " +
                                      std::to_string(kMaxDepth) + " levels of parentheses or 'not')");
        if (is_not(tok_)) {
            std::string after_not = "'" + std::string(tok_.text) + "'";
            advance();
            auto child = parse_unary(depth + 1, after_not);
            if (!child) return nullptr;
            auto node = std::make_unique<FilterNode>();
            node->type = FilterNode::Type::Not;
            node->children.push_back(std::move(child));
            return node;
        }
        if (tok_.type == Token::Type::LParen) {
            const size_t open = tok_.pos;
            advance();
            if (tok_.type == Token::Type::RParen) return fail(tok_.pos, expected("a field name", "'('"));
            auto inner = parse_or(depth + 1);
            if (!inner) return nullptr;
            if (tok_.type != Token::Type::RParen)
                return fail(tok_.pos, "expected ')'" + at_position(tok_.pos) + " to close the '(' at position " +
                                          std::to_string(open) + ", found " + describe(tok_));
            advance();
            return inner;
        }
        return parse_comparison(after);
    }

    std::unique_ptr<FilterNode> parse_comparison(std::string_view after) {
        if (error_) return nullptr;  // a lexer error stands in for the token
        if ((tok_.type != Token::Type::Word && tok_.type != Token::Type::String) || is_reserved(tok_))
            return fail(tok_.pos, expected("a field name", after));
        const size_t field_pos = tok_.pos;
        auto field = resolve_field(tok_.value, store_);
        if (!field) return fail(field_pos, unknown_field_message(tok_.value, field_pos, store_));
        const std::string field_text = "'" + excerpt(tok_.text, 40) + "'";
        advance();

        const size_t op_pos = tok_.pos;
        Op op = Op::Eq;
        if (tok_.type == Token::Type::Op) {
            op = tok_.op;
        } else if (is_keyword(tok_, "in")) {
            op = Op::In;
        } else if (is_keyword(tok_, "not")) {
            advance();
            if (!is_keyword(tok_, "in")) return fail(tok_.pos, expected("'in'", "'not'"));
            op = Op::NotIn;
        } else {
            return fail(tok_.pos, expected("a comparison operator (=, !=, <, <=, >, >=, in, not in)", field_text));
        }
        const std::string op_shown = "'" + std::string(text_.substr(op_pos, tok_.end - op_pos)) + "'";
        advance();

        if (is_ordered(op) && field->target != Target::Number) {
            std::string what = field->target == Target::Address ? "an address"
                               : field->target == Target::File  ? "the file name"
                               : field->kind == FieldKind::Enum ? "an enumeration"
                                                                : "text";
            return fail(op_pos, "operator " + op_shown + at_position(op_pos) + " does not apply to " + field->name +
                                    " (" + what + "): use =, !=, in or not in");
        }

        auto node = std::make_unique<FilterNode>();
        Comparison& cmp = node->cmp;
        cmp.target = field->target;
        cmp.columns = field->columns;
        cmp.negate = op == Op::Ne || op == Op::NotIn;

        if ((op == Op::In || op == Op::NotIn) && tok_.type == Token::Type::LParen) {
            std::string after_item = "'('";
            advance();
            for (;;) {
                if (!parse_value(*field, op, after_item, cmp)) return nullptr;
                if (tok_.type == Token::Type::RParen) break;
                if (tok_.type != Token::Type::Comma) return fail(tok_.pos, expected("',' or ')'", ""));
                after_item = "','";
                advance();
            }
            advance();
        } else if (!parse_value(*field, op, op_shown, cmp)) {
            return nullptr;
        }
        return node;
    }

    // One value of a comparison, checked against the field's kind and added to `cmp`.
    bool parse_value(const FieldRef& field, Op op, std::string_view after, Comparison& cmp) {
        if (error_) return false;
        if ((tok_.type != Token::Type::Word && tok_.type != Token::Type::String) || is_reserved(tok_)) {
            fail(tok_.pos, expected("a value", after));
            return false;
        }
        const size_t pos = tok_.pos;
        std::string value = tok_.value;
        std::string shown = excerpt(tok_.text, 60);
        auto invalid = [&](std::string_view expectation) {
            fail(pos, "invalid value '" + shown + "' for " + field.name + at_position(pos) + ": expected " +
                          std::string(expectation));
            return false;
        };
        auto too_large = [&](std::string_view expectation) {
            fail(pos, "value " + shown + " for " + field.name + at_position(pos) + " is out of range: expected " +
                          std::string(expectation));
            return false;
        };

        if (tok_.type == Token::Type::Word && (iequals(value, "null") || value == "-")) {
            if (is_ordered(op)) {
                fail(pos, "null" + at_position(pos) + " cannot be ordered: use = null or != null");
                return false;
            }
            cmp.has_null = true;
            advance();
            return true;
        }

        switch (field.target) {
            case Target::Address: {
                auto net = parse_network(value);
                if (!net)
                    return invalid("an IPv4 or IPv6 address or a CIDR network (10.0.0.0/8, 2001:db8::/32)");
                cmp.networks.push_back(*net);
                break;
            }
            case Target::Code: {
                if (field.kind == FieldKind::Enum) {
                    auto words = vocabulary(field.name);
                    bool known = words.empty() ||
                                 std::any_of(words.begin(), words.end(),
                                             [&](std::string_view w) { return iequals(w, value); });
                    if (!known) {
                        const Column* col = find_column(store_, field.name);
                        known = col && col->kind == FieldKind::Enum && col->dict.find_ignore_case(value);
                    }
                    if (!known) {
                        std::string list;
                        for (std::string_view w : words) list += (list.empty() ? "" : ", ") + std::string(w);
                        return invalid("one of " + list);
                    }
                }
                cmp.words.push_back(std::move(value));
                break;
            }
            case Target::File: cmp.words.push_back(std::move(value)); break;
            case Target::Number:
                if (!parse_number_value(field, op, value, shown, cmp, invalid, too_large)) return false;
                break;
        }
        advance();
        return true;
    }

    template <class Invalid, class TooLarge>
    bool parse_number_value(const FieldRef& field, Op op, std::string& value, std::string& shown, Comparison& cmp,
                            Invalid& invalid, TooLarge& too_large) {
        uint64_t v = 0;
        switch (field.kind) {
            case FieldKind::Time: {
                // `2024-05-01 10:00:00` unquoted: the blank splits it into two words; join them.
                if (tok_.type == Token::Type::Word && is_date_only(value)) {
                    Token clock = lex_at(text_, tok_.end);
                    if (clock.type == Token::Type::Word && looks_like_clock(clock.text)) {
                        value += 'T';
                        value += clock.text;
                        shown = excerpt(text_.substr(tok_.pos, clock.end - tok_.pos), 60);
                        tok_ = std::move(clock);  // parse_value's advance() moves past it
                    }
                }
                auto t = parse_time_value(value);
                if (!t)
                    return invalid(
                        "a time: Unix seconds or milliseconds, or ISO-8601 such as 2024-05-01T10:00:00Z");
                add_time(cmp, op, *t);
                return true;
            }
            case FieldKind::Counter: {
                NumberStatus s = parse_count(value, v);
                if (s == NumberStatus::Invalid)
                    return invalid("a whole number, optionally with a k, M, G or T suffix (1.5M = 1500000)");
                if (s == NumberStatus::TooLarge) return too_large("at most 18446744073709551615");
                break;
            }
            case FieldKind::Port: {
                // A port range `1024-65535` stands for every port in it.
                const char* expectation = "a port number 0..65535 or a range such as 1024-65535";
                size_t dash = value.find('-');
                if (dash != std::string::npos && dash > 0) {
                    uint64_t lo = 0, hi = 0;
                    NumberStatus a = parse_plain(std::string_view(value).substr(0, dash), 65535, lo);
                    NumberStatus b = parse_plain(std::string_view(value).substr(dash + 1), 65535, hi);
                    if (a == NumberStatus::Invalid || b == NumberStatus::Invalid) return invalid(expectation);
                    if (a == NumberStatus::TooLarge || b == NumberStatus::TooLarge) return too_large(expectation);
                    if (lo > hi) return invalid("a range whose first port is not above its last");
                    if (is_ordered(op)) return invalid("a single port: a range takes =, !=, in or not in");
                    cmp.ranges.push_back({lo, hi});
                    return true;
                }
                NumberStatus s = parse_plain(value, 65535, v);
                if (s == NumberStatus::Invalid) return invalid(expectation);
                if (s == NumberStatus::TooLarge) return too_large(expectation);
                break;
            }
            case FieldKind::Flags: {
                NumberStatus s = parse_plain(value, 65535, v);
                if (s == NumberStatus::Invalid) return invalid("a number 0..65535");
                if (s == NumberStatus::TooLarge) return too_large("a number 0..65535");
                break;
            }
            default: {  // Small
                const bool is_protocol = iequals(field.name, "protocol");
                if (is_protocol) {
                    if (auto p = protocol_number(value)) {
                        v = *p;
                        break;
                    }
                }
                const char* expectation =
                    is_protocol ? "a protocol number 0..255 or a name (tcp, udp, icmp, icmpv6, esp, gre, ah, sctp)"
                                : "a number 0..255";
                NumberStatus s = parse_plain(value, 255, v);
                if (s == NumberStatus::Invalid) return invalid(expectation);
                if (s == NumberStatus::TooLarge) return too_large(expectation);
                break;
            }
        }
        add_number(cmp, op, v);
        return true;
    }

    // The values matching `x op v` as one inclusive range (none when nothing can match).
    static void add_number(Comparison& cmp, Op op, uint64_t v) {
        switch (op) {
            case Op::Lt:
                if (v > 0) cmp.ranges.push_back({0, v - 1});
                break;
            case Op::Le: cmp.ranges.push_back({0, v}); break;
            case Op::Gt:
                if (v < kU64Max) cmp.ranges.push_back({v + 1, kU64Max});
                break;
            case Op::Ge: cmp.ranges.push_back({v, kU64Max}); break;
            default: cmp.ranges.push_back({v, v}); break;
        }
    }

    // Times may lie before 1970 (an ISO date); columns hold unsigned seconds.
    static void add_time(Comparison& cmp, Op op, int64_t t) {
        if (t >= 0) return add_number(cmp, op, static_cast<uint64_t>(t));
        if (op == Op::Gt || op == Op::Ge) cmp.ranges.push_back({0, kU64Max});
        // =, <, <= a negative time: no stored time matches.
    }

    std::string_view text_;
    const Store& store_;
    Token tok_;
    std::optional<FilterError> error_;
};

// ---------------------------------------------------------------------------------------------
// Evaluation

// Sets, in `out` (all clear on entry), the bit of each row r < min(out.size(), rows) for which
// match(r) holds. With `nulls`, null rows are forced to `null_value` whatever their stored
// value. Built a 64-row word at a time so the inner loop has a constant trip count and no
// branch on the data.
template <class Match>
void fill(RowSet& out, size_t rows, Match match, const NullMask* nulls, bool null_value) {
    std::vector<uint64_t>& words = out.words();
    rows = std::min(out.size(), rows);
    for (size_t base = 0, w = 0; base < rows; base += 64, ++w) {
        uint64_t bits = 0;
        const size_t len = std::min<size_t>(64, rows - base);
        if (len == 64) {
            for (unsigned i = 0; i < 64; ++i) bits |= static_cast<uint64_t>(match(base + i)) << i;
        } else {
            for (size_t i = 0; i < len; ++i) bits |= static_cast<uint64_t>(match(base + i)) << i;
        }
        if (nulls) {
            // The mask is laid out as the row set: bit r of word r / 64 (store.hpp, NullMask).
            const std::vector<uint64_t>& null_words = nulls->words();
            uint64_t null_bits = w < null_words.size() ? null_words[w] : 0;
            if (len < 64) null_bits &= (uint64_t{1} << len) - 1;
            bits = (bits & ~null_bits) | (null_value ? null_bits : 0);
        }
        words[w] = bits;
    }
}

// fill() over a column's stored values: pred(stored[r]).
template <class T, class Pred>
void fill_stored(RowSet& out, const T* data, size_t rows, Pred pred, const NullMask* nulls, bool null_value) {
    fill(out, rows, [data, pred](size_t r) { return pred(data[r]); }, nulls, null_value);
}

// Sets, in `out` (all clear on entry), the bit of each row r < min(out.size(), rows) whose
// stored byte equals `want`: fill() for one-byte codes (`action = REJECT`), eight rows at a time
// in a 64-bit word. WebAssembly without SIMD has no vector compare, and a compare, shift and or
// per row made this filter 3-4x slower there than natively.
void fill_bytes_equal(RowSet& out, const uint8_t* data, size_t rows, uint8_t want) {
    constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7Full;
    // Bit 0 of byte i lands on bit 56 + i; no two products share a bit, so nothing carries.
    constexpr uint64_t kGather = 0x0102040810204080ull;
    const uint64_t pattern = 0x0101010101010101ull * want;
    std::vector<uint64_t>& words = out.words();
    rows = std::min(out.size(), rows);
    const size_t full = rows / 64;
    for (size_t w = 0; w < full; ++w) {
        uint64_t bits = 0;
        for (unsigned k = 0; k < 8; ++k) {
            uint64_t v;
            std::memcpy(&v, data + w * 64 + k * 8, sizeof v);  // little-endian: byte i is row 8k + i
            v ^= pattern;                                      // 0 in the bytes that match
            // 0x80 in each zero byte and nothing else: (b & 0x7F) + 0x7F carries into bit 7 of
            // its own byte only, exactly when b has a low bit set.
            const uint64_t zero = ~(((v & kLow7) + kLow7) | v | kLow7);
            bits |= (((zero >> 7) * kGather) >> 56) << (8 * k);
        }
        words[w] = bits;
    }
    uint64_t tail = 0;
    for (size_t r = full * 64; r < rows; ++r) tail |= static_cast<uint64_t>(data[r] == want) << (r - full * 64);
    if (full * 64 < rows) words[full] = tail;
}

void set_rows(RowSet& out, size_t from, size_t to) {
    for (size_t r = from; r < to; ++r) out.set(r);
}

// Calls use(pred) with the predicate of comparison `c` over values of type T (pred(x) is 0 or
// 1): the loops that use it are instantiated per kind of predicate.
template <class T, class Use>
void with_predicate(const Comparison& c, Use use) {
    if (c.ranges.empty()) {
        use([](T) { return false; });
    } else if (c.ranges.size() == 1) {
        const uint64_t lo = c.ranges[0].lo, width = c.ranges[0].hi - c.ranges[0].lo;
        use([lo, width](T x) { return uint64_t{x} - lo <= width; });
    } else if constexpr (sizeof(T) <= 2) {
        // A list of ports or small numbers: one lookup per row in a table over every value.
        constexpr size_t kMax = std::numeric_limits<T>::max();
        std::vector<uint8_t> table(kMax + 1, 0);
        for (const Range& r : c.ranges)
            for (uint64_t v = r.lo; v <= std::min<uint64_t>(r.hi, kMax); ++v) table[static_cast<size_t>(v)] = 1;
        const uint8_t* t = table.data();
        use([t](T x) { return t[x]; });  // 0 or 1
    } else {
        use([&c](T x) { return c.contains(x); });
    }
}

// pred(value) for every row, value being what `get(r)` reads; T is the type values come in.
template <class T, class Get>
void match_values(RowSet& out, size_t rows, Get get, const Comparison& c, const NullMask* nulls) {
    with_predicate<T>(c, [&](auto pred) {
        fill(out, rows, [&get, pred](size_t r) { return pred(get(r)); }, nulls, c.has_null);
    });
}

void match_number_column(RowSet& out, const Column& col, const Comparison& c) {
    const size_t rows = col.size();
    if (const Column* base = col.base()) {
        // `end`: start + the stored difference. A null row reads as its start, not 0, so the
        // mask always applies; escaped rows read garbage here and are redone below.
        const NullMask* nulls = col.nulls.any() ? &col.nulls : nullptr;
        const uint32_t* b = base->size() >= rows ? base->stored_as<uint32_t>() : nullptr;
        if (b) {
            col.visit_stored([&](const auto* d) {
                match_values<uint64_t>(out, rows, [b, d](size_t r) { return uint64_t{b[r]} + d[r]; }, c, nulls);
            });
        } else {  // start not padded yet (or empty): each row on its own
            match_values<uint64_t>(out, rows, [&col](size_t r) { return col.number(r); }, c, nulls);
        }
    } else {
        // Null rows store 0, so they need masking only when 0 itself would match, or when null
        // is one of the values.
        const NullMask* nulls = col.nulls.any() && (c.has_null || c.contains(0)) ? &col.nulls : nullptr;
        col.visit_stored([&](const auto* d) {
            using T = std::remove_cvref_t<decltype(*d)>;
            match_values<T>(out, rows, [d](size_t r) { return d[r]; }, c, nulls);
        });
    }
    // Escaped rows (counters too wide for the column, odd `end` times) were tested as their
    // escape mark: test their real value. They are never null.
    if (col.escapable()) {
        const Escapes& e = col.escapes();
        for (size_t i = 0; i < e.size() && e.row(i) < std::min(rows, out.size()); ++i)
            out.set(e.row(i), c.contains(e.value(i)));
    }
}

// `addr` and `port` compare two columns and a row matches when either side does. Both are
// tested in one pass (two lookups or-ed per row) when the columns allow it, instead of a row set
// per side and an or of the two: `addr in 10.0.2.0/24` at 5 M records took 10.7 ms in wasm that
// way and takes 6.7 this way. Allowed: both columns of the same width, at least `rows` long,
// with nothing that needs a per-row exception (nulls whose stored 0 could answer wrongly, escaped
// values, `end`'s base). use_predicate(tag, fill_with) calls fill_with(pred) with the
// comparison's predicate over values of tag's type, pred(x) being 0 or 1. False when not
// allowed: the caller then goes side by side.
template <class UsePredicate>
bool match_either_side(RowSet& out, const Column& a, const Column& b, size_t rows, UsePredicate use_predicate) {
    if (a.size() < rows || b.size() < rows || a.width() != b.width() || a.escapable() || b.escapable() || a.base() ||
        b.base())
        return false;
    a.visit_stored([&](const auto* x) {
        using T = std::remove_cvref_t<decltype(*x)>;
        const T* y = b.stored_as<T>();
        use_predicate(T{}, [&](auto pred) {
            // A bitwise or of the two (as numbers: no branch between the sides).
            fill(out, rows, [x, y, pred](size_t r) {
                return static_cast<uint8_t>(static_cast<unsigned>(pred(x[r])) | static_cast<unsigned>(pred(y[r])));
            }, nullptr, false);
        });
    });
    return true;
}

void match_address_column(RowSet& out, const Column& col, const std::vector<uint8_t>& table,
                          std::optional<uint32_t> single_id) {
    col.visit_stored([&](const auto* ids) {
        using T = std::remove_cvref_t<decltype(*ids)>;
        if (single_id) {
            // An id the column's width cannot hold is in no row of it.
            if (*single_id > std::numeric_limits<T>::max()) return;
            const auto id = static_cast<T>(*single_id);
            fill_stored(out, ids, col.size(), [id](T x) { return x == id; }, nullptr, false);
        } else if (!table.empty()) {
            // Every id in an address column comes from the store's table, so it is in range.
            const uint8_t* t = table.data();
            fill_stored(out, ids, col.size(), [t](T x) { return t[x]; }, nullptr, false);  // 0 or 1
        }
    });
}

// Rows whose code is marked in `table` (one entry per dictionary code, 0 = null). When a single
// code is marked, a plain comparison replaces the lookup: it vectorises, a lookup does not.
template <class T>
void match_codes(RowSet& out, const T* data, size_t rows, const std::vector<uint8_t>& table) {
    size_t marked = 0, last = 0;
    for (size_t code = 0; code < table.size(); ++code)
        if (table[code]) {
            ++marked;
            last = code;
        }
    if (marked == 0) return;
    if (marked == 1) {
        // A code above what the column's width holds was interned for a line that was then
        // rejected: no row has it.
        if (last > std::numeric_limits<T>::max()) return;
        const auto want = static_cast<T>(last);
        if constexpr (sizeof(T) == 1)
            fill_bytes_equal(out, data, rows, want);
        else
            fill_stored(out, data, rows, [want](T x) { return x == want; }, nullptr, false);
        return;
    }
    // Every code in a column comes from its own dictionary, so it is in range.
    const uint8_t* t = table.data();
    fill_stored(out, data, rows, [t](T x) { return t[x] != 0; }, nullptr, false);
}

void match_code_column(RowSet& out, const Column& col, const Comparison& c) {
    const Dictionary& dict = col.dict;
    std::vector<uint8_t> table(dict.size(), 0);
    table[0] = c.has_null;
    if (col.kind == FieldKind::Enum) {
        // Enumerations ignore case: `reject` finds REJECT (and Reject, if a file wrote that).
        for (size_t code = 1; code < dict.size(); ++code)
            for (const std::string& w : c.words)
                if (iequals(dict.value(static_cast<uint32_t>(code)), w)) table[code] = 1;
    } else {
        for (const std::string& w : c.words)
            if (auto code = dict.find(w)) table[*code] = 1;
    }
    col.visit_stored([&](const auto* codes) { match_codes(out, codes, col.size(), table); });
}

// `*` any run of characters, `?` any one; everything else literal. Iterative with one
// backtrack point: linear in practice, never exponential.
bool glob_match(std::string_view pattern, std::string_view name) noexcept {
    size_t p = 0, n = 0, star = std::string_view::npos, resume = 0;
    while (n < name.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
            ++p;
            ++n;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = n;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            n = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

// A file matches when the value (a name or a glob) matches its whole stored name or just its
// base name: people copy either from a file manager or from `aws s3 ls`.
bool file_matches(std::string_view pattern, std::string_view name) noexcept {
    size_t slash = name.find_last_of("/\\");
    std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
    return glob_match(pattern, name) || glob_match(pattern, base);
}

void match_files(RowSet& out, const Store& store, const Comparison& c) {
    const auto& names = store.file_names();
    const size_t rows = out.size();
    if (names.empty()) {  // no file registered: every row's file is unknown (null)
        if (c.has_null) set_rows(out, 0, rows);
        return;
    }
    std::vector<uint8_t> table(names.size(), 0);
    for (size_t f = 0; f < names.size(); ++f)
        for (const std::string& w : c.words)
            if (file_matches(w, names[f])) table[f] = 1;
    if (std::all_of(table.begin(), table.end(), [](uint8_t v) { return v == 0; })) return;
    if (std::all_of(table.begin(), table.end(), [](uint8_t v) { return v != 0; })) {
        set_rows(out, 0, rows);
        return;
    }
    // file_of() is a binary search over the file spans; a store accessor for the spans would let
    // this set whole ranges instead.
    std::vector<uint64_t>& words = out.words();
    for (size_t base = 0, w = 0; base < rows; base += 64, ++w) {
        uint64_t bits = 0;
        const size_t len = std::min<size_t>(64, rows - base);
        for (size_t i = 0; i < len; ++i) {
            uint32_t f = store.file_of(base + i);
            bool match = f < table.size() ? table[f] != 0 : c.has_null;
            bits |= static_cast<uint64_t>(match) << i;
        }
        words[w] = bits;
    }
}

bool compatible(const Column& col, Target target) noexcept {
    switch (target) {
        case Target::Number: return is_numeric(col.kind);
        case Target::Address: return col.kind == FieldKind::Address;
        case Target::Code: return col.kind == FieldKind::Enum || col.kind == FieldKind::Text;
        case Target::File: return false;
    }
    return false;
}

RowSet evaluate_comparison(const Comparison& c, const Store& store) {
    const size_t rows = store.rows();
    RowSet out(rows, false);
    if (c.target == Target::File) {
        match_files(out, store, c);
        if (c.negate) out.flip();
        return out;
    }

    // The address matcher is built once and shared by both sides of `addr`.
    std::vector<uint8_t> address_table;
    std::optional<uint32_t> single_id;
    if (c.target == Target::Address) {
        const AddressTable& addresses = store.addresses();
        const bool one_exact = c.networks.size() == 1 && !c.has_null &&
                               c.networks[0].prefix == (c.networks[0].base.v4 ? 32 : 128);
        if (one_exact) {
            // An exact address not in the data matches nothing: leave both empty.
            single_id = addresses.find(c.networks[0].base);
        } else if (c.networks.empty()) {
            single_id = 0;  // only null
        } else {
            address_table.assign(addresses.size(), 0);  // 1 = matches (match_either_side ors two lookups)
            address_table[0] = c.has_null;
            for (size_t id = 1; id < addresses.size(); ++id) {
                const IpAddress& a = addresses.address(static_cast<uint32_t>(id));
                for (const IpNetwork& n : c.networks)
                    if (n.contains(a)) {
                        address_table[id] = 1;
                        break;
                    }
            }
        }
    }

    if (c.columns.size() == 2) {
        const Column* a = find_column(store, c.columns[0]);
        const Column* b = find_column(store, c.columns[1]);
        const bool both = a && b && compatible(*a, c.target) && compatible(*b, c.target);
        bool done = false;
        if (both && c.target == Target::Address && !single_id && !address_table.empty()) {
            // Every id comes from the store's table, so it is in range; null is id 0.
            const uint8_t* t = address_table.data();
            done = match_either_side(out, *a, *b, rows, [t](auto tag, auto fill_with) {
                using T = decltype(tag);
                fill_with([t](T x) { return t[x]; });  // 0 or 1
            });
        } else if (both && c.target == Target::Number && !c.has_null && !c.contains(0)) {
            // A null stores 0, which does not match here, so nulls need no mask.
            done = match_either_side(out, *a, *b, rows, [&c](auto tag, auto fill_with) {
                with_predicate<decltype(tag)>(c, fill_with);
            });
        }
        if (done) {
            if (c.negate) out.flip();
            return out;
        }
    }

    RowSet part;
    for (size_t k = 0; k < c.columns.size(); ++k) {
        RowSet& dest = k == 0 ? out : part;
        if (k > 0) dest.assign(rows, false);
        const Column* col = find_column(store, c.columns[k]);
        if (!col || !compatible(*col, c.target)) {
            // A field the data lacks is null in every row.
            if (c.has_null) set_rows(dest, 0, rows);
        } else {
            switch (c.target) {
                case Target::Number: match_number_column(dest, *col, c); break;
                case Target::Address: match_address_column(dest, *col, address_table, single_id); break;
                case Target::Code: match_code_column(dest, *col, c); break;
                case Target::File: break;
            }
            // Rows past a column's end (a store not yet padded) are null.
            if (c.has_null && col->size() < rows) set_rows(dest, col->size(), rows);
        }
        if (k > 0) out |= part;
    }
    if (c.negate) out.flip();
    return out;
}

bool none_set(const RowSet& s) noexcept {
    return std::all_of(s.words().begin(), s.words().end(), [](uint64_t w) { return w == 0; });
}

RowSet evaluate_node(const FilterNode& node, const Store& store) {
    switch (node.type) {
        case FilterNode::Type::Compare: return evaluate_comparison(node.cmp, store);
        case FilterNode::Type::Not: {
            RowSet r = evaluate_node(*node.children[0], store);
            r.flip();
            return r;
        }
        case FilterNode::Type::And: {
            RowSet r = evaluate_node(*node.children[0], store);
            for (size_t k = 1; k < node.children.size() && !none_set(r); ++k)
                r &= evaluate_node(*node.children[k], store);
            return r;
        }
        case FilterNode::Type::Or: {
            RowSet r = evaluate_node(*node.children[0], store);
            for (size_t k = 1; k < node.children.size(); ++k) r |= evaluate_node(*node.children[k], store);
            return r;
        }
    }
    return RowSet(store.rows(), false);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public API

Filter::Filter() = default;
Filter::Filter(Filter&&) noexcept = default;
Filter& Filter::operator=(Filter&&) noexcept = default;
Filter::~Filter() = default;

std::variant<Filter, FilterError> Filter::compile(std::string_view text, const Store& store) {
    Filter f;
    f.text_ = std::string(text);
    if (trim(text).empty()) return f;
    Parser parser(text, store);
    f.root_ = parser.parse();
    if (!f.root_) return parser.error();
    return f;
}

RowSet Filter::evaluate(const Store& store) const {
    if (!root_) return RowSet(store.rows(), true);
    return evaluate_node(*root_, store);
}

namespace {

// A node's compiled form as text: two nodes with the same key select the same rows of a store.
// (Words are kept as typed, so `action = reject` and `action = REJECT` are two keys for the
// same rows: a miss, never a wrong hit.)
void append_key(std::string& out, const FilterNode& node) {
    switch (node.type) {
        case FilterNode::Type::And: out += "(and"; break;
        case FilterNode::Type::Or: out += "(or"; break;
        case FilterNode::Type::Not: out += "(not"; break;
        case FilterNode::Type::Compare: {
            const Comparison& c = node.cmp;
            out += "(cmp ";
            out += std::to_string(static_cast<int>(c.target));
            for (const std::string& col : c.columns) out += " c:" + std::to_string(col.size()) + ":" + col;
            out += c.negate ? " neg" : "";
            out += c.has_null ? " null" : "";
            for (const Range& r : c.ranges) out += " r:" + std::to_string(r.lo) + "-" + std::to_string(r.hi);
            for (const IpNetwork& n : c.networks) out += " n:" + to_string(n.base) + "/" + std::to_string(n.prefix);
            for (const std::string& w : c.words) out += " w:" + std::to_string(w.size()) + ":" + w;
            break;
        }
    }
    for (const auto& child : node.children) {
        out += ' ';
        append_key(out, *child);
    }
    out += ')';
}

}  // namespace

const RowSet* ConditionCache::find(const std::string& key, size_t rows) {
    for (size_t i = 0; i < entries_.size(); ++i) {
        if (entries_[i].key != key || entries_[i].rows.size() != rows) continue;
        std::rotate(entries_.begin() + static_cast<std::ptrdiff_t>(i), entries_.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                    entries_.end());
        ++hits_;
        return &entries_.back().rows;
    }
    return nullptr;
}

const RowSet& ConditionCache::put(std::string key, RowSet rows) {
    if (entries_.size() >= capacity_ && !entries_.empty()) entries_.erase(entries_.begin());
    entries_.push_back({std::move(key), std::move(rows)});
    return entries_.back().rows;
}

RowSet Filter::evaluate(const Store& store, ConditionCache& cache) const {
    if (!root_ || cache.capacity_ == 0) return evaluate(store);
    auto condition = [&](const FilterNode& node) -> const RowSet& {
        std::string key;
        append_key(key, node);
        if (const RowSet* hit = cache.find(key, store.rows())) return *hit;
        return cache.put(std::move(key), evaluate_node(node, store));
    };
    if (root_->type != FilterNode::Type::And) return condition(*root_);
    // Each condition's rows are looked up (or made and kept) before they are combined: an
    // empty result early does not skip the later ones, which the next filter may reuse.
    RowSet out = condition(*root_->children[0]);
    for (size_t k = 1; k < root_->children.size(); ++k) out &= condition(*root_->children[k]);
    return out;
}

std::optional<int64_t> parse_time_value(std::string_view text) noexcept {
    text = trim(text);
    if (all_digits(text)) {
        auto v = parse_u64(text);
        if (!v) return std::nullopt;
        // Seconds do not reach 2^31 until 2038; anything above is milliseconds (as in the logs).
        if (*v > (uint64_t{1} << 31)) *v /= 1000;
        return static_cast<int64_t>(*v);
    }
    return parse_iso_time(text);
}

std::optional<uint8_t> protocol_number(std::string_view name) noexcept {
    for (const ProtocolEntry& p : kProtocols)
        if (iequals(p.name, name)) return p.number;
    return std::nullopt;
}

std::string_view protocol_name(uint8_t number) noexcept {
    for (const ProtocolEntry& p : kProtocols)
        if (p.number == number) return p.name;
    return {};
}

}  // namespace flowlens
