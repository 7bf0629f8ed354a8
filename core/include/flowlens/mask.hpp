// mask.hpp — consistent pseudonyms for addresses, networks and account ids (the report's
// masking; docs/report.md says what a masked report hides and what it keeps).
//
// Contract: one Masker serves one document. It hands out pseudonyms in the order it is asked,
// so asking in document order numbers them in order of first appearance:
//   - an address: "internal-0001", "internal-0002", … when flowlens::is_private() says so,
//     else "external-0001", …; addresses are compared as parsed, so "2001:DB8::1" and
//     "2001:db8::0:1" are one address with one pseudonym;
//   - a CIDR network: "internal-network-1", … / "external-network-1", … (by its first
//     address; host bits under the mask are ignored, as the filter ignores them); a network
//     of full length (/32, /128) is its address's pseudonym with the prefix kept
//     ("internal-0001/32"), so it still reads as that address;
//   - an account id: "account-01", "account-02", … compared as text.
// Numbers widen past their padding (internal-10000, account-100); nothing is ever reused.
// text() rewrites free text: every substring that parses as an IPv4 or IPv6 address or
// network (optionally followed by "/prefix") and every run of exactly 12 digits not touching
// a letter or digit (the shape of an AWS account id: `123456789012_vpcflowlogs_…`,
// `AWSLogs/123456789012/…`, `arn:aws:…:123456789012:…`) is replaced; everything else is copied
// byte for byte. Matching errs on the side of masking: a 12-digit number that is not an account
// id is masked too. Dotted IPv4 is found inside longer runs ("10.0.0.1:443", "10.0.0.1.5"), so
// a malformed line cannot smuggle an address past it.
// Not masked: interface, instance, VPC and subnet ids and other resource ids (they name
// resources, not people or networks), and addresses written in other shapes (EC2 host names
// such as ip-10-0-1-5). Each call is O(text length) plus hash look-ups; never throws except
// bad_alloc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "flowlens/ip_address.hpp"
#include "flowlens/store.hpp"

namespace flowlens {

class Masker {
public:
    std::string address(const IpAddress& a);
    std::string network(const IpNetwork& n);
    // The pseudonym of an account id value as a whole, whatever its shape (an `account-id`
    // column's values); "-" (null) stays "-".
    std::string account(std::string_view id);
    // Free text with every address, network and 12-digit account id replaced (see above).
    std::string text(std::string_view s);

    size_t addresses_masked() const noexcept { return addresses_.size(); }
    size_t accounts_masked() const noexcept { return accounts_.size(); }

private:
    std::unordered_map<IpAddress, std::string, IpAddressHash> addresses_;
    std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> networks_, accounts_;
    uint32_t internal_ = 0, external_ = 0, internal_networks_ = 0, external_networks_ = 0;
};

}  // namespace flowlens
