// The field catalogue against FLOWLOGS.md: every documented field, typed, in AWS's order.
#include <doctest/doctest.h>

#include <set>

#include "flowlens/fields.hpp"

using namespace flowlens;

TEST_CASE("fields.catalogue_covers_versions_2_to_8") {
    // FLOWLOGS.md's table, field by field, with the kind FlowLens stores it as.
    const std::pair<const char*, FieldKind> documented[] = {
        {"version", FieldKind::Small}, {"account-id", FieldKind::Text}, {"interface-id", FieldKind::Text},
        {"srcaddr", FieldKind::Address}, {"dstaddr", FieldKind::Address}, {"srcport", FieldKind::Port},
        {"dstport", FieldKind::Port}, {"protocol", FieldKind::Small}, {"packets", FieldKind::Counter},
        {"bytes", FieldKind::Counter}, {"start", FieldKind::Time}, {"end", FieldKind::Time},
        {"action", FieldKind::Enum}, {"log-status", FieldKind::Enum}, {"vpc-id", FieldKind::Text},
        {"subnet-id", FieldKind::Text}, {"instance-id", FieldKind::Text}, {"tcp-flags", FieldKind::Flags},
        {"type", FieldKind::Enum}, {"pkt-srcaddr", FieldKind::Address}, {"pkt-dstaddr", FieldKind::Address},
        {"region", FieldKind::Text}, {"az-id", FieldKind::Text}, {"sublocation-type", FieldKind::Enum},
        {"sublocation-id", FieldKind::Text}, {"pkt-src-aws-service", FieldKind::Text},
        {"pkt-dst-aws-service", FieldKind::Text}, {"flow-direction", FieldKind::Enum},
        {"traffic-path", FieldKind::Small}, {"ecs-cluster-arn", FieldKind::Text},
        {"ecs-cluster-name", FieldKind::Text}, {"ecs-container-instance-arn", FieldKind::Text},
        {"ecs-container-instance-id", FieldKind::Text}, {"ecs-container-id", FieldKind::Text},
        {"ecs-second-container-id", FieldKind::Text}, {"ecs-service-name", FieldKind::Text},
        {"ecs-task-definition-arn", FieldKind::Text}, {"ecs-task-arn", FieldKind::Text},
        {"ecs-task-id", FieldKind::Text}, {"reject-reason", FieldKind::Enum}, {"resource-id", FieldKind::Text},
        {"encryption-status", FieldKind::Small}, {"tgw-id", FieldKind::Text},
        {"packets-lost-no-route", FieldKind::Counter}, {"packets-lost-ttl-expired", FieldKind::Counter},
    };
    for (const auto& entry : documented) {
        // Named copies, not a structured binding: clang 14 cannot capture those in doctest's lambdas.
        const char* name = entry.first;
        FieldKind kind = entry.second;
        const FieldInfo* f = find_field(name);
        REQUIRE_MESSAGE(f, name);
        CHECK_MESSAGE(f->kind == kind, name);
        CHECK(f->name == name);
    }
    // Names are unique and lower-case.
    std::set<std::string_view> names;
    for (const FieldInfo& f : known_fields()) {
        CHECK_MESSAGE(names.insert(f.name).second, f.name);
        for (char c : f.name) CHECK_FALSE((c >= 'A' && c <= 'Z'));
        CHECK(f.since_version >= 2);
        CHECK(f.since_version <= 8);
    }
}

TEST_CASE("fields.lookup_and_default_format") {
    CHECK(find_field("SrcAddr") == find_field("srcaddr"));
    CHECK(find_field("no-such-field") == nullptr);
    CHECK(find_field("") == nullptr);
    auto def = default_format();
    REQUIRE(def.size() == 14);
    CHECK(def.front() == "version");
    CHECK(def[3] == "srcaddr");
    CHECK(def.back() == "log-status");
    for (auto name : def) CHECK(find_field(name)->since_version == 2);
}
