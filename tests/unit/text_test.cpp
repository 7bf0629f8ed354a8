// Small text helpers: numbers, case, trimming and safe excerpts for messages.
#include <doctest/doctest.h>

#include <charconv>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "flowlens/text.hpp"

using namespace flowlens;

TEST_CASE("text.parse_u64") {
    CHECK(parse_u64("0") == 0u);
    CHECK(parse_u64("18446744073709551615") == UINT64_MAX);
    CHECK_FALSE(parse_u64("18446744073709551616"));  // one past 2^64-1
    CHECK_FALSE(parse_u64(""));
    CHECK_FALSE(parse_u64("-1"));
    CHECK_FALSE(parse_u64("+1"));
    CHECK_FALSE(parse_u64("1 "));
    CHECK_FALSE(parse_u64("0x10"));
}

// The hand-rolled parser agrees with std::from_chars (whole string, base 10) at every length
// and around every overflow edge.
TEST_CASE("text.parse_u64_matches_from_chars") {
    auto reference = [](std::string_view s) -> std::optional<uint64_t> {
        if (s.empty() || s.size() > 20) return std::nullopt;
        uint64_t v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
        return v;
    };
    const std::vector<std::string> cases = {
        "1", "9", "00", "007", "10", "255", "256", "65535", "65536", "4294967295", "4294967296",
        "9999999999999999999",   // 19 digits: the unchecked loop's largest
        "10000000000000000000",  // 20 digits, fits
        "18446744073709551609", "18446744073709551610", "18446744073709551614",
        "18446744073709551615", "18446744073709551616", "18446744073709551619",
        "18446744073709551620", "19999999999999999999", "99999999999999999999",
        "00000000000000000001", "000000000000000000001",  // 21 characters: too long
        "184467440737095516150", "1a", "a1", "1/", "1:", "/", ":", "12 3", "1\t", "\xff" "1", "-0",
        std::string(20, '0'), std::string(21, '0'),
    };
    for (const auto& c : cases) {
        CAPTURE(c);
        CHECK(parse_u64(c) == reference(c));
    }
    // Every single byte, and each byte after a digit and before one.
    for (int b = 0; b < 256; ++b) {
        const std::string one(1, static_cast<char>(b));
        CHECK(parse_u64(one) == reference(one));
        CHECK(parse_u64("7" + one) == reference("7" + one));
        CHECK(parse_u64(one + "7") == reference(one + "7"));
        CHECK(parse_u64("1844674407370955161" + one) == reference("1844674407370955161" + one));
    }
}

TEST_CASE("text.case_and_trim") {
    CHECK(iequals("REJECT", "reject"));
    CHECK_FALSE(iequals("REJECT", "rejects"));
    CHECK(to_lower("Log-Status") == "log-status");
    CHECK(trim("  \t a b \r\n") == "a b");
    CHECK(trim("   ").empty());
}

TEST_CASE("text.excerpt") {
    CHECK(excerpt("short") == "short");
    CHECK(excerpt("abcdef", 3) == "abc\xE2\x80\xA6");
    // Control bytes never reach a message; tabs do.
    CHECK(excerpt(std::string_view("a\x01\x1b[31mb\tc\x7f", 11)) == "a??[31mb\tc?");
    // A cut never splits a UTF-8 character ("é" is two bytes).
    CHECK(excerpt("ab\xC3\xA9" "cd", 3) == "ab\xE2\x80\xA6");
}

TEST_CASE("text.find_newline_swar") {
    // Every length up to 40 and every position of the first '\n' (or none), in buffers of bytes
    // that could fool a word-at-a-time search: '\n' with its high bit set (0x8a), its neighbours
    // (0x09, 0x0b), 0x00, 0x80 and 0xff; the answer is the first '\n' a byte loop finds.
    const unsigned char fillers[] = {0x8a, 0x0b, 0x09, 0x00, 0x80, 0xff, 'a'};
    for (unsigned char filler : fillers) {
        for (size_t len = 0; len <= 40; ++len) {
            for (size_t at = 0; at <= len; ++at) {  // at == len: no newline
                std::string buf(len, static_cast<char>(filler));
                if (at < len) buf[at] = '\n';
                if (at + 3 < len) buf[at + 3] = '\n';  // a later one must not be the answer
                const char* got = flowlens::find_newline_swar(buf.data(), buf.data() + len);
                const char* want = at < len ? buf.data() + at : nullptr;
                CHECK(got == want);
                CHECK(flowlens::find_newline(buf.data(), buf.data() + len) == want);
            }
        }
    }
}

TEST_CASE("text.hex_digit_value") {
    // Every byte against the C library's reading of it as a one-digit hexadecimal number.
    for (int b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        CAPTURE(b);
        const bool hex = (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
        const char text[2] = {c, '\0'};
        CHECK(hex_digit_value(c) == (hex ? static_cast<int>(std::strtol(text, nullptr, 16)) : -1));
    }
}
