// filter.hpp — the filter expression language shared by the CLI, the page and the report.
//
// Grammar (keywords, field names, protocol names and enumeration values are case-insensitive):
//   expr       := or_expr
//   or_expr    := and_expr ( "or" and_expr )*          ("||" also accepted)
//   and_expr   := unary ( "and" unary )*               ("&&" also accepted)
//   unary      := "not" unary | "!" unary | "(" expr ")" | comparison
//   comparison := FIELD op value | FIELD "in" "(" value ("," value)* ")"
//                 | FIELD "not" "in" "(" … ")"
//   op         := "=" | "==" | "!=" | "<" | "<=" | ">" | ">="
//   value      := number | quoted string ("…" or '…') | bare word (eni-0a1b, 10.0.0.0/8,
//                 2024-05-01T10:00:00Z, tcp, ACCEPT, …) | "null" / "-" (absent)
// Fields: every column of the store (known AWS fields and custom text columns) plus the
// virtual fields `addr` (srcaddr or dstaddr), `port` (srcport or dstport) and `file` (source
// file name). A known AWS field the data lacks is valid and simply null everywhere.
// Semantics:
//   - addresses: `=`/`in` take an address or a CIDR (v4 or v6); `!=` is its negation.
//   - ports, counters, small integers: numbers; `protocol` also takes tcp, udp, icmp, icmpv6,
//     esp, gre, ah, sctp. Numbers may carry k/M/G/T suffixes (powers of 1000) for counters.
//   - start/end: Unix seconds, milliseconds (> 2^31), or ISO-8601 (`2024-05-01T10:00:00Z`,
//     `2024-05-01 10:00:00`, `2024-05-01`, with an optional `±hh:mm` offset; no zone = UTC).
//   - enumerations and text: `=`, `!=`, `in` compare exactly (enumerations ignoring case);
//     `<`… on text is an error.
//   - a null field never satisfies a comparison except `!= value` and `= null`.
//   - `addr != X` means neither side is X; `port != X` likewise.
// Errors come back as values: the 0-based byte position in the text and a message saying what
// was expected there; an unknown field lists the valid ones.
// Complexity: compile is O(expression); evaluate is O(rows × comparisons), column at a time,
// with per-address and per-dictionary-code lookup tables so no row is re-parsed.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "flowlens/row_set.hpp"
#include "flowlens/store.hpp"

namespace flowlens {

struct FilterError {
    size_t position = 0;  // byte offset into the expression where the problem starts
    std::string message;  // e.g. "expected a value after '=', found end of input"
};

struct FilterNode;  // the compiled expression tree (private to filter.cpp)

class Filter {
public:
    // Compiles `text` against the fields `store` has. An empty or all-blank text is the filter
    // that matches every row. Never throws (except bad_alloc).
    static std::variant<Filter, FilterError> compile(std::string_view text, const Store& store);

    // The rows of `store` that satisfy the filter (store must be the one compiled against, or
    // one with the same columns). Never throws (except bad_alloc).
    RowSet evaluate(const Store& store) const;

    const std::string& text() const noexcept { return text_; }
    bool matches_all() const noexcept { return root_ == nullptr; }

    Filter(Filter&&) noexcept;
    Filter& operator=(Filter&&) noexcept;
    ~Filter();

private:
    Filter();
    std::string text_;
    std::unique_ptr<FilterNode> root_;
};

// Helpers shared with the CLI and tests:
// Parses an ISO-8601 time or a Unix seconds/milliseconds number to Unix seconds.
std::optional<int64_t> parse_time_value(std::string_view text) noexcept;
// Protocol number for a name (tcp → 6), or nullopt.
std::optional<uint8_t> protocol_number(std::string_view name) noexcept;
// Name for a protocol number ("TCP"), or "" when it has none in FlowLens's table.
std::string_view protocol_name(uint8_t number) noexcept;

}  // namespace flowlens
