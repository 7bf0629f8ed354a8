// text.hpp — small allocation-free string helpers shared by the parser, filter and CLI.
//
// Contract: every function is noexcept, pure, and never allocates except to_lower().
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

constexpr std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (is_blank(s.front()) || s.front() == '\n')) s.remove_prefix(1);
    while (!s.empty() && (is_blank(s.back()) || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

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

// `s` cut to at most `max` bytes (on a UTF-8 boundary) with "…" appended when cut, and with
// control bytes replaced by '?', so that it can be shown in a message safely.
std::string excerpt(std::string_view s, size_t max = 120);

// The words separated by single spaces: a field list as file reports and messages print it.
std::string join_words(const std::vector<std::string>& words);

}  // namespace flowlens
