// text.hpp — small allocation-free string helpers shared by the parser, filter and CLI.
//
// Contract: every function is noexcept, pure, and never allocates except to_lower(), excerpt()
// and join_words().
#pragma once

#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

static_assert(std::endian::native == std::endian::little, "find_newline_swar reads words little-endian");

namespace flowlens {

constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

inline std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = ascii_lower(c);
    return out;
}

constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
// The blanks between a record line's tokens, as the parser's tokenizer takes them: \v and \f are
// control bytes there (the line is binary junk), and no JSON white space either.
constexpr bool is_token_blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\r'; }

constexpr std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (is_blank(s.front()) || s.front() == '\n')) s.remove_prefix(1);
    while (!s.empty() && (is_blank(s.back()) || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

// A byte's value as a hexadecimal digit (0-9, a-f, A-F), or -1. A table: an IPv6 address has
// up to 32 digits, and three range tests a digit were most of its parse.
inline constexpr std::array<int8_t, 256> kHexDigitValue = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] = static_cast<int8_t>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) t[static_cast<size_t>(c)] = static_cast<int8_t>(c - 'a' + 10);
    for (int c = 'A'; c <= 'F'; ++c) t[static_cast<size_t>(c)] = static_cast<int8_t>(c - 'A' + 10);
    return t;
}();
constexpr int hex_digit_value(char c) noexcept { return kHexDigitValue[static_cast<unsigned char>(c)]; }

// A whole-string unsigned decimal (digits only, no sign, no blanks), or nullopt on anything
// else including overflow of 64 bits.
// Hand-rolled: the loader parses several numbers a record, and std::from_chars's generality
// (bases, sign handling, a per-digit overflow check) cost it about a third of its time.
inline std::optional<uint64_t> parse_u64(std::string_view s) noexcept {
    const size_t n = s.size();
    if (n == 0 || n > 20) return std::nullopt;
    // 19 digits cannot overflow (10^19 - 1 < 2^64): no check in the loop.
    const size_t safe = n < 19 ? n : 19;
    uint64_t v = 0;
    for (size_t i = 0; i < safe; ++i) {
        const unsigned d = static_cast<unsigned>(static_cast<unsigned char>(s[i])) - unsigned{'0'};
        if (d > 9) return std::nullopt;
        v = v * 10 + d;
    }
    for (size_t i = safe; i < n; ++i) {
        const unsigned d = static_cast<unsigned>(static_cast<unsigned char>(s[i])) - unsigned{'0'};
        if (d > 9 || v > (UINT64_MAX - d) / 10) return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

constexpr bool is_ascii_digit(char c) noexcept { return c >= '0' && c <= '9'; }

inline bool digits_at(std::string_view s, size_t pos, size_t n) noexcept {
    if (s.size() < pos + n) return false;
    for (size_t i = pos; i < pos + n; ++i)
        if (!is_ascii_digit(s[i])) return false;
    return true;
}

// Length of a leading `YYYY-MM-DDTHH:MM:SS(.fraction)?(Z|±hh:mm)` and the blanks after it (a
// CloudWatch export to S3), or 0: what the decoder removes from a text line, and the parser's
// fast lane skips (it never reads past a '\n'). The timestamp must be followed by a blank: a
// line that is only a timestamp is left alone, since that is not the export's shape.
inline size_t iso_prefix_length(std::string_view s) noexcept {
    // Cheapest rejection first: flow log records start "2 1234…", never with a '-' at [4].
    if (s.size() < 21 || s[4] != '-') return 0;
    if (!digits_at(s, 0, 4) || !digits_at(s, 5, 2) || s[7] != '-' || !digits_at(s, 8, 2) ||
        s[10] != 'T' || !digits_at(s, 11, 2) || s[13] != ':' || !digits_at(s, 14, 2) ||
        s[16] != ':' || !digits_at(s, 17, 2))
        return 0;
    size_t i = 19;
    if (s[i] == '.') {
        size_t j = i + 1;
        while (j < s.size() && is_ascii_digit(s[j])) ++j;
        if (j == i + 1) return 0;
        i = j;
    }
    if (i < s.size() && s[i] == 'Z') {
        ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-') && digits_at(s, i + 1, 2) &&
               i + 3 < s.size() && s[i + 3] == ':' && digits_at(s, i + 4, 2)) {
        i += 6;
    } else {
        return 0;
    }
    if (i >= s.size() || (s[i] != ' ' && s[i] != '\t')) return 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    return i;
}

// The first '\n' in [p, end), or nullptr, 8 bytes at a time (SWAR). find_newline's choice in
// WebAssembly; on its own so that native tests cover it too.
inline const char* find_newline_swar(const char* p, const char* end) noexcept {
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
    constexpr uint64_t kNewlines = kOnes * uint64_t{'\n'};
    for (; end - p >= 8; p += 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        w ^= kNewlines;  // a '\n' byte is now 0
        // The lowest byte flagged here is the first zero byte (a borrow only flags bytes above
        // a real zero), and the load is little-endian: its index is the trailing zero bits / 8.
        if (const uint64_t zero = (w - kOnes) & ~w & kHighs) return p + (std::countr_zero(zero) >> 3);
    }
    for (; p < end; ++p)
        if (*p == '\n') return p;
    return nullptr;
}

// The first '\n' in [p, end), or nullptr: std::memchr, except in WebAssembly, where the C
// library's memchr (musl's) compares a 4-byte word at a time: 8 bytes at a time there loads
// 11 % faster (wasm-node.mjs, 1 M records; memchr was 9 % of the wasm profile, ~2 % natively,
// where it is vectorised).
inline const char* find_newline(const char* p, const char* end) noexcept {
#if defined(__wasm__)
    return find_newline_swar(p, end);
#else
    return static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
#endif
}

// `s` cut to at most `max` bytes (on a UTF-8 boundary) with "…" appended when cut, and with
// control bytes replaced by '?', so that it can be shown in a message safely.
std::string excerpt(std::string_view s, size_t max = 120);

// The words separated by single spaces: a field list as file reports and messages print it.
std::string join_words(const std::vector<std::string>& words);

}  // namespace flowlens
