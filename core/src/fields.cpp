#include "flowlens/fields.hpp"

#include <array>

#include "flowlens/text.hpp"

namespace flowlens {
namespace {

using K = FieldKind;

constexpr std::array<FieldInfo, 52> kFields{{
    {"version", K::Small, 2, "flow log record version"},
    {"account-id", K::Text, 2, "AWS account that owns the interface"},
    {"interface-id", K::Text, 2, "network interface (eni-…)"},
    {"srcaddr", K::Address, 2, "source address"},
    {"dstaddr", K::Address, 2, "destination address"},
    {"srcport", K::Port, 2, "source port"},
    {"dstport", K::Port, 2, "destination port"},
    {"protocol", K::Small, 2, "IANA protocol number"},
    {"packets", K::Counter, 2, "packets in the window"},
    {"bytes", K::Counter, 2, "bytes in the window"},
    {"start", K::Time, 2, "first packet of the window (Unix seconds)"},
    {"end", K::Time, 2, "last packet of the window (Unix seconds)"},
    {"action", K::Enum, 2, "ACCEPT or REJECT"},
    {"log-status", K::Enum, 2, "OK, NODATA or SKIPDATA"},
    {"vpc-id", K::Text, 3, "VPC of the interface"},
    {"subnet-id", K::Text, 3, "subnet of the interface"},
    {"instance-id", K::Text, 3, "instance of the interface"},
    {"tcp-flags", K::Flags, 3, "OR of TCP flags in the window"},
    {"type", K::Enum, 3, "IPv4, IPv6 or EFA"},
    {"pkt-srcaddr", K::Address, 3, "packet's original source address"},
    {"pkt-dstaddr", K::Address, 3, "packet's original destination address"},
    {"region", K::Text, 4, "region of the interface"},
    {"az-id", K::Text, 4, "availability zone id"},
    {"sublocation-type", K::Enum, 4, "wavelength, outpost or localzone"},
    {"sublocation-id", K::Text, 4, "sublocation id"},
    {"pkt-src-aws-service", K::Text, 5, "AWS service of the packet's source"},
    {"pkt-dst-aws-service", K::Text, 5, "AWS service of the packet's destination"},
    {"flow-direction", K::Enum, 5, "ingress or egress"},
    {"traffic-path", K::Small, 5, "egress path (1..8)"},
    {"resource-type", K::Text, 6, "transit gateway resource type"},
    {"tgw-id", K::Text, 6, "transit gateway"},
    {"tgw-attachment-id", K::Text, 6, "transit gateway attachment"},
    {"tgw-src-vpc-id", K::Text, 6, "source VPC of a transit gateway flow"},
    {"tgw-dst-vpc-id", K::Text, 6, "destination VPC of a transit gateway flow"},
    {"packets-lost-no-route", K::Counter, 6, "packets lost: no route"},
    {"packets-lost-blackhole", K::Counter, 6, "packets lost: blackhole route"},
    {"packets-lost-mtu-exceeded", K::Counter, 6, "packets lost: MTU exceeded"},
    {"packets-lost-ttl-expired", K::Counter, 6, "packets lost: TTL expired"},
    {"ecs-cluster-arn", K::Text, 7, "ECS cluster ARN"},
    {"ecs-cluster-name", K::Text, 7, "ECS cluster name"},
    {"ecs-container-instance-arn", K::Text, 7, "ECS container instance ARN"},
    {"ecs-container-instance-id", K::Text, 7, "ECS container instance id"},
    {"ecs-container-id", K::Text, 7, "ECS container id"},
    {"ecs-second-container-id", K::Text, 7, "second ECS container id"},
    {"ecs-service-name", K::Text, 7, "ECS service name"},
    {"ecs-task-definition-arn", K::Text, 7, "ECS task definition ARN"},
    {"ecs-task-arn", K::Text, 7, "ECS task ARN"},
    {"ecs-task-id", K::Text, 7, "ECS task id"},
    {"reject-reason", K::Enum, 8, "BPA when VPC Block Public Access rejected the flow"},
    {"resource-id", K::Text, 8, "resource id"},
    {"encryption-status", K::Small, 8, "0 none, 1 Nitro, 2 application, 3 both"},
    {"tgw-pair-attachment-id", K::Text, 6, "transit gateway pair attachment"},
}};

constexpr std::array<std::string_view, 14> kDefaultFormat{
    "version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport",
    "protocol", "packets", "bytes", "start", "end", "action", "log-status"};

}  // namespace

std::span<const FieldInfo> known_fields() noexcept { return kFields; }

const FieldInfo* find_field(std::string_view name) noexcept {
    for (const FieldInfo& f : kFields)
        if (iequals(f.name, name)) return &f;
    return nullptr;
}

std::span<const std::string_view> default_format() noexcept { return kDefaultFormat; }

std::string_view to_string(FieldKind kind) noexcept {
    switch (kind) {
        case K::Small: return "small integer";
        case K::Flags: return "flags";
        case K::Port: return "port";
        case K::Counter: return "counter";
        case K::Time: return "time";
        case K::Address: return "address";
        case K::Enum: return "enumeration";
        case K::Text: return "text";
    }
    return "?";
}

}  // namespace flowlens
