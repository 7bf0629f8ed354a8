// mask.cpp — pseudonyms and the free-text scanner behind the report's masking.
#include "flowlens/mask.hpp"

#include <optional>
#include <utility>

#include "flowlens/text.hpp"

namespace flowlens {
namespace {

constexpr bool is_hex(char c) noexcept { return is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
constexpr bool is_alnum(char c) noexcept {
    return is_ascii_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
// The characters an address can be written with (IPv6 groups, IPv4 dots).
constexpr bool is_address_char(char c) noexcept { return is_hex(c) || c == ':' || c == '.'; }

constexpr size_t kAccountDigits = 12;  // AWS account ids are exactly 12 digits

std::string numbered(std::string_view prefix, uint32_t n, int width) {
    std::string digits = std::to_string(n);
    std::string out(prefix);
    for (auto k = static_cast<int>(digits.size()); k < width; ++k) out.push_back('0');
    return out + digits;
}

// The network's first address: two spellings of one network (10.1.2.3/8, 10.0.0.0/8) are one.
IpAddress network_base(const IpNetwork& n) {
    IpAddress base = n.base;
    unsigned bits = (base.v4 ? 96u : 0u) + n.prefix;
    for (unsigned k = 0; k < 16; ++k) {
        if (k * 8 >= bits) {
            base.bytes[k] = 0;
        } else if (k * 8 + 8 > bits) {
            base.bytes[k] = static_cast<uint8_t>(base.bytes[k] & (0xFF << (8 - (bits - k * 8))));
        }
    }
    return base;
}

// Length of a "/prefix" (slash and 1–3 digits, not followed by a further digit) at `at`, or 0.
size_t prefix_length(std::string_view s, size_t at) {
    if (at >= s.size() || s[at] != '/') return 0;
    size_t d = 0;
    while (at + 1 + d < s.size() && is_ascii_digit(s[at + 1 + d])) ++d;
    return d >= 1 && d <= 3 ? d + 1 : 0;
}

}  // namespace

std::string Masker::address(const IpAddress& a) {
    auto it = addresses_.find(a);
    if (it != addresses_.end()) return it->second;
    std::string name = is_private(a) ? numbered("internal-", ++internal_, 4) : numbered("external-", ++external_, 4);
    addresses_.emplace(a, name);
    return name;
}

std::string Masker::network(const IpNetwork& n) {
    unsigned full = n.base.v4 ? 32u : 128u;
    // A full-length network is one address: keep it recognisable as that address.
    if (n.prefix == full) return address(n.base) + "/" + std::to_string(n.prefix);
    IpAddress base = network_base(n);
    std::string key = to_string(base) + "/" + std::to_string(n.prefix);
    auto it = networks_.find(key);
    if (it != networks_.end()) return it->second;
    std::string name = is_private(base) ? numbered("internal-network-", ++internal_networks_, 1)
                                        : numbered("external-network-", ++external_networks_, 1);
    networks_.emplace(std::move(key), name);
    return name;
}

std::string Masker::account(std::string_view id) {
    if (id == "-") return "-";
    auto it = accounts_.find(id);
    if (it != accounts_.end()) return it->second;
    std::string name = numbered("account-", static_cast<uint32_t>(accounts_.size() + 1), 2);
    accounts_.emplace(std::string(id), name);
    return name;
}

std::string Masker::text(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    // The pseudonym of s[begin, end) (plus a "/prefix" right after it) when that parses as an
    // address; `next` is where scanning resumes.
    auto try_address = [&](size_t begin, size_t end, size_t& next) -> std::optional<std::string> {
        if (end <= begin) return std::nullopt;
        auto a = parse_ip(s.substr(begin, end - begin));
        if (!a) return std::nullopt;
        if (size_t p = prefix_length(s, end)) {
            if (auto n = parse_network(s.substr(begin, end - begin + p))) {
                next = end + p;
                return network(*n);
            }
        }
        next = end;
        return address(*a);
    };

    size_t i = 0;
    while (i < s.size()) {
        const char c = s[i];
        size_t next = i;
        // 1. A whole run of address characters: IPv6 in any form, IPv4, either with a prefix.
        //    A trailing dot is tried without it too: the end of a sentence.
        if (is_address_char(c) && (i == 0 || !is_address_char(s[i - 1]))) {
            size_t j = i;
            while (j < s.size() && is_address_char(s[j])) ++j;
            std::optional<std::string> m = try_address(i, j, next);
            if (!m) {
                size_t k = j;
                while (k > i && s[k - 1] == '.') --k;
                if (k < j) m = try_address(i, k, next);
            }
            if (m) {
                out += *m;
                i = next;
                continue;
            }
        }
        // 2. Dotted IPv4 starting here inside a longer run ("10.0.0.1:443", "x:10.0.0.1",
        //    "10.0.0.1.5"): its first four groups.
        if (is_ascii_digit(c) && (i == 0 || (!is_ascii_digit(s[i - 1]) && s[i - 1] != '.'))) {
            size_t j = i, dots = 0;
            for (; j < s.size() && (is_ascii_digit(s[j]) || (s[j] == '.' && dots < 3)); ++j)
                if (s[j] == '.') ++dots;
            while (j > i && s[j - 1] == '.') {
                --j;
                --dots;
            }
            if (dots == 3) {
                if (auto m = try_address(i, j, next)) {
                    out += *m;
                    i = next;
                    continue;
                }
            }
        }
        // 3. An account id: exactly 12 digits touching no letter or digit.
        if (is_ascii_digit(c) && (i == 0 || !is_alnum(s[i - 1]))) {
            size_t j = i;
            while (j < s.size() && is_ascii_digit(s[j])) ++j;
            if (j - i == kAccountDigits && (j == s.size() || !is_alnum(s[j]))) {
                out += account(s.substr(i, j - i));
                i = j;
                continue;
            }
        }
        out.push_back(c);
        ++i;
    }
    return out;
}

}  // namespace flowlens
