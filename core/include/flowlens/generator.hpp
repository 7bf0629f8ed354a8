// generator.hpp — a deterministic generator of realistic VPC Flow Log text, for tests,
// benchmarks and the app's bundled sample.
//
// Contract: generate() is a pure function of its options: the same options give the same bytes
// on every platform and standard library (a self-contained xoshiro256** and integer arithmetic
// only; no std:: distributions, no transcendental math). It allocates a fixed working set up
// front (topology tables, a batch of at most 16 Ki records, a ~1 MiB output buffer) and nothing
// per record; it calls write() with consecutive chunks of at most ~1 MiB (the header, when
// asked for, comes in a chunk of its own). O(records + windows). Throws nothing itself
// (bad_alloc aside); an exception from write() propagates and ends the run.
// Field names are matched case-insensitively; a name the generator has no model for (ECS,
// transit gateway, sublocation fields, or a name FlowLens does not know at all) is written as
// `-` in every record, under its own name in the header. `version` is the highest
// `since_version` among the chosen known fields, at least 2, as AWS writes it.
//
// The story the sample tells (the topology is fixed; the seed only changes the traffic):
//   Account 123456789012, region us-east-1, vpc 10.0.0.0/16 (IPv6 fd5e:4a71:9c20::/56),
//   40 ENIs in three subnets:
//     public 10.0.1.0/24 (use1-az1): nat-gw 10.0.1.5 (NAT gateway, no instance), bastion
//       10.0.1.10, web-01..03 10.0.1.21-23 (public HTTPS), sftp-01 10.0.1.30, vpn-01 10.0.1.40
//       (OpenVPN 1194/udp), rdgw-01 10.0.1.50 (Windows RD gateway);
//     app 10.0.2.0/24 (use1-az2): app-01..08 10.0.2.11-18 (8080), worker-01..04 10.0.2.21-24,
//       win-app-01/02 10.0.2.31-32, ci-runner-01 10.0.2.47, monitoring-01 10.0.2.60, two Lambda
//       ENIs 10.0.2.90-91 and a Secrets Manager interface endpoint 10.0.2.100 (no instance);
//     data 10.0.3.0/24 (use1-az4): pg-primary 10.0.3.10, pg-replica 10.0.3.11, mysql-legacy
//       10.0.3.20, redis-01/02 10.0.3.30-31, kafka-01..03 10.0.3.41-43, dc-01 10.0.3.53 (DNS,
//       Kerberos, LDAP, NTP client), es-01 10.0.3.60, partner-etl-01/02 10.0.3.200-201 (owned by
//       a second account, 444455556666, in the shared subnet), standby-01 10.0.3.250 (idle: only
//       NODATA).
//   Traffic: web clients from 198.18.0.0/15 (zipf: a few heavy clients, a long tail) and
//   2001:db8::/32 on 443/80; web → app 8080; app/workers → postgres 5432, redis 6379, mysql
//   3306, kafka 9092, es-01 9200, the endpoint 443; pg-replica streams from pg-primary;
//   S3 (52.216.0.0/15) and DynamoDB (52.94.0.0/22) through the gateway endpoint (traffic-path
//   7); egress to 192.0.2.0/24 APIs and NTP through the NAT gateway (pkt-* fields differ on
//   the NAT ENI); a partner fleet on EC2 (3.208.0.0/12) calling web-0x; admins from the office
//   (172.20.8.0/24, over the VPN gateway: traffic-path 3) on bastion 22 and rdgw-01 3389;
//   monitoring-01 scraping 9100/9182 and pinging; Windows hosts using dc-01 for 53/udp.
//   Incidents:
//     - internet noise: 198.51.100.0/24 and 203.0.113.0/24 REJECTed on 22, 3389, 23, 445, …
//       at the public hosts;
//     - port scan: 203.0.113.77 REJECTed on hundreds of ports of bastion 10.0.1.10, in a
//       burst starting 30% into the period (about a sixth of it long);
//     - host sweep: ci-runner-01 10.0.2.47 tries 22/tcp on every host of the VPC 55% into the
//       period (REJECTed everywhere but sftp-01, whose security group allows the VPC), then
//       hammers sftp-01:22;
//     - network ACL: the uptime monitor 192.0.2.10 pings bastion (inbound ACCEPT, reply
//       REJECT) and the partner 198.51.100.40 reaches sftp-01:22 but the replies to its
//       ephemeral ports (32768+) are REJECTed (outbound rule only allows 1024-32767);
//     - NODATA mostly on standby-01, SKIPDATA on the busy nat-gw, kafka-01 and web-01.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace flowlens {

struct GeneratorOptions {
    uint64_t records = 10000;          // exact number of records (lines after the header)
    uint64_t seed = 1;
    std::vector<std::string> fields;   // empty = the 14 default v2 fields; any subset/order
    bool header = true;                // S3-style header line naming the fields
    int64_t start_time = 1700000000;   // Unix seconds of the first window
    uint32_t duration_seconds = 3600;  // every start/end lies in [start_time, start_time + duration)
    uint32_t window_seconds = 60;      // aggregation interval: AWS offers 60 or 600
    bool scanner = true;               // include the port scan and the host sweep
    // Shares of all records (approximate for ipv6 and reject, exact for nodata and skipdata).
    // reject_share covers every REJECT (noise, scan, sweep, network ACL); 0 removes the noise
    // and the network ACL symptom (the scan and sweep follow `scanner`).
    double ipv6_share = 0.03, reject_share = 0.08, nodata_share = 0.01, skipdata_share = 0.002;
};

// Calls write() with consecutive chunks of the log text (see the contract above).
void generate(const GeneratorOptions& options, const std::function<void(std::string_view)>& write);

// The whole text in one string: for tests and small samples.
std::string generate_to_string(const GeneratorOptions& options);

}  // namespace flowlens
