// Small text helpers: numbers, case, trimming and safe excerpts for messages.
#include <doctest/doctest.h>

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
