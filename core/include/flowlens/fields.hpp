// fields.hpp — the catalogue of VPC Flow Log fields FlowLens knows.
//
// Contract: a static, immutable table. find_field() is O(number of known fields), noexcept,
// allocates nothing, and compares names case-insensitively (AWS writes them lower-case and
// hyphenated; `${srcaddr}` as written in a format string is also accepted by the caller
// stripping the `${…}`). A name that is not in the table is not an error anywhere: the store
// keeps it as a Text column.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace flowlens {

// How a field's values are parsed and stored. Chosen for memory: see store.hpp.
enum class FieldKind : uint8_t {
    Small,    // unsigned integer 0..255 (version, protocol, traffic-path, encryption-status)
    Flags,    // unsigned integer 0..65535 (tcp-flags)
    Port,     // unsigned integer 0..65535
    Counter,  // unsigned 64-bit count (packets, bytes, packets-lost-*)
    Time,     // Unix seconds; values above 2^31 are milliseconds and are divided by 1000
    Address,  // IPv4 or IPv6, interned in the store's address table
    Enum,     // a few distinct words (action, log-status, type, flow-direction…), at most 255
    Text,     // ids and free text (account-id, interface-id, vpc-id, …), dictionary-encoded
};

struct FieldInfo {
    std::string_view name;  // AWS's hyphenated name, lower-case
    FieldKind kind;
    uint8_t since_version;  // flow log version that introduced it (2..8; 6 = transit gateway)
    std::string_view description;
};

// Every field of versions 2..8 plus the newer ones listed in FLOWLOGS.md, in AWS's order.
std::span<const FieldInfo> known_fields() noexcept;

// The field called `name` (case-insensitive), or nullptr when FlowLens does not know it.
const FieldInfo* find_field(std::string_view name) noexcept;

// The 14 version-2 fields, in order: the layout when a file has no header and none is given.
std::span<const std::string_view> default_format() noexcept;

std::string_view to_string(FieldKind kind) noexcept;

}  // namespace flowlens
