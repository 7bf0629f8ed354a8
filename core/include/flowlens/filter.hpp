// filter.hpp — the filter expression language shared by the CLI, the page and the report.
//
// Grammar (keywords, field names, protocol names and enumeration values are case-insensitive):
//   expr       := or_expr
//   or_expr    := and_expr ( "or" and_expr )*          ("||" also accepted)
//   and_expr   := unary ( "and" unary )*               ("&&" also accepted)
//   unary      := "not" unary | "!" unary | "(" expr ")" | comparison
//   comparison := FIELD op value
//                 | FIELD ["not"] "in" ( "(" value ("," value)* ")" | value )
//   op         := "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">="
//   value      := number | quoted string ("…" or '…', \ escapes the next byte) | bare word
//                 (eni-0a1b, 10.0.0.0/8, 2024-05-01T10:00:00Z, tcp, ACCEPT, …) | null / - (absent)
// A bare word runs to a blank or one of ( ) , = ! < > " ' & |; the words and/or/not/in are
// keywords (quote them to use them as values). `srcaddr in 10.0.0.0/8` needs no parentheses.
// Fields: every column of the store (known AWS fields and custom text columns; `_` may stand
// for `-` and `${name}` is accepted) plus the virtual fields `addr` (srcaddr or dstaddr),
// `port` (srcport or dstport) and `file` (source file name), which take precedence over columns
// of the same name. A known AWS field the data lacks is valid and simply null everywhere.
// Semantics:
//   - addresses: `=`/`in` take an address or a CIDR (v4 or v6; host bits ignored); `!=` is its
//     negation. IPv4-mapped IPv6 does not match IPv4. `<`… on addresses is an error.
//   - ports, counters, small integers: numbers; `protocol` also takes tcp, udp, icmp, icmpv6,
//     esp, gre, ah, sctp (and igmp). Counters accept k/M/G/T suffixes (powers of 1000, `1.5M`).
//     Port fields accept ranges `1024-65535` with =, !=, in, not in. Out-of-range is an error.
//   - start/end: Unix seconds, milliseconds (> 2^31), or ISO-8601 (`2024-05-01T10:00:00Z`,
//     `2024-05-01 10:00:00` (quoted or not), `2024-05-01`, `…T10:00`, fractions of a second
//     ignored, with an optional `Z` or `±hh[:mm]` offset; no zone = UTC). A value is an instant:
//     `start = 2024-05-01` is midnight exactly; use `>=` and `<` for a day.
//   - enumerations and text: `=`, `!=`, `in` compare exactly (enumerations ignoring case);
//     `<`… is an error. A value absent from the data matches nothing (not an error), except
//     that action, log-status, type, flow-direction, sublocation-type and reject-reason only
//     take AWS's documented words (or a word present in the data): anything else is an error
//     naming the valid words.
//   - `file`: `=`/`in` match a file's whole stored name or its base name (the part after the
//     last / or \), exactly (case-sensitive) or as a glob with `*` and `?`:
//     `file = *_20240501T10*.log.gz`. `<`… is an error.
//   - a null field never satisfies a comparison except `!= value`, `not in (…)` and `= null`
//     (`x != v` is exactly `not x = v`).
//   - `addr`/`port`: a comparison holds when it holds on either side (`port > 1023`: some side
//     above 1023); `addr != X` means neither side is X; `port != X` likewise.
// Errors come back as values: the 0-based byte position in the text, and a message that says
// what was expected and repeats the position, e.g. "expected a value after '>=' at position 12,
// found end of input"; an unknown field lists the valid ones (and suggests a close spelling).
// Complexity: compile is O(expression); evaluate is O(rows × comparisons), column at a time,
// with per-address and per-dictionary-code lookup tables so no row is re-parsed. `and`/`or`
// chains are flat; parentheses and `not` nest at most 100 deep (deeper is an error).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "flowlens/row_set.hpp"
#include "flowlens/store.hpp"

namespace flowlens {

struct FilterError {
    size_t position = 0;  // byte offset into the expression where the problem starts
    std::string message;  // e.g. "expected a value after '=' at position 8, found end of input"
};

struct FilterNode;  // the compiled expression tree (private to filter.cpp)

// The row sets of recent filters' top-level conditions (the operands of a top-level `and`, or
// the whole filter when it is not one), keyed by each condition's compiled form, so that a
// filter that adds a condition to an earlier one, or drops one of its conditions, evaluates
// only what is new (the page's chips: each click adds a condition). Holds at most `capacity`
// row sets of one store's size (a bit per row each), least recently used first out. It belongs
// to one state of one store: clear it whenever the store's rows change.
class ConditionCache {
public:
    explicit ConditionCache(size_t capacity = 8) : capacity_(capacity) {}
    void clear() noexcept { entries_.clear(); }
    size_t size() const noexcept { return entries_.size(); }
    uint64_t hits() const noexcept { return hits_; }  // conditions taken from the cache so far

private:
    friend class Filter;
    const RowSet* find(const std::string& key, size_t rows);
    const RowSet& put(std::string key, RowSet rows);
    struct Entry {
        std::string key;
        RowSet rows;
    };
    size_t capacity_;
    std::vector<Entry> entries_;  // most recently used last
    uint64_t hits_ = 0;
};

class Filter {
public:
    // Compiles `text` against the fields `store` has. An empty or all-blank text is the filter
    // that matches every row. Never throws (except bad_alloc).
    static std::variant<Filter, FilterError> compile(std::string_view text, const Store& store);

    // The rows of `store` that satisfy the filter (store must be the one compiled against, or
    // one with the same columns). Never throws (except bad_alloc).
    RowSet evaluate(const Store& store) const;
    // The same rows, with each top-level condition's row set taken from `cache` when there and
    // put there when not. The result equals evaluate(store) as long as the cache holds only
    // row sets of this store as it is now.
    RowSet evaluate(const Store& store, ConditionCache& cache) const;

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
// Parses an ISO-8601 time or a Unix seconds/milliseconds number to Unix seconds (negative
// before 1970). Surrounding blanks are ignored. Never throws, never allocates.
std::optional<int64_t> parse_time_value(std::string_view text) noexcept;
// Protocol number for a name (tcp → 6, case-insensitive), or nullopt.
std::optional<uint8_t> protocol_number(std::string_view name) noexcept;
// Name for a protocol number ("TCP"), or "" when it has none in FlowLens's table.
std::string_view protocol_name(uint8_t number) noexcept;

}  // namespace flowlens
