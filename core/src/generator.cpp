#include "flowlens/generator.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstring>
#include <memory>

#include "flowlens/fields.hpp"

namespace flowlens {
namespace {

// ---- randomness -------------------------------------------------------------------------------
// Own generators and integer-only draws: std:: distributions differ between standard libraries,
// and golden files depend on the bytes being identical everywhere.

constexpr uint64_t splitmix64(uint64_t& state) noexcept {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// A stateless hash for the fixed topology and per-window weights.
constexpr uint64_t mix(uint64_t x) noexcept { return splitmix64(x); }

constexpr uint64_t fnv1a(std::string_view s) noexcept {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ULL;
    return h;
}

class Rng {
public:
    explicit Rng(uint64_t seed) noexcept {
        for (uint64_t& w : s_) w = splitmix64(seed);
    }
    uint64_t next() noexcept {  // xoshiro256**
        const uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = std::rotl(s_[3], 45);
        return result;
    }
    // Uniform in [0, n) by multiply-shift; the bias (below n / 2^32) is invisible at these sizes.
    uint32_t below(uint32_t n) noexcept { return static_cast<uint32_t>(((next() >> 32) * n) >> 32); }
    uint64_t below64(uint64_t n) noexcept { return n <= 1 ? 0 : next() % n; }
    uint64_t between(uint64_t lo, uint64_t hi) noexcept { return lo + below64(hi - lo + 1); }
    bool percent(uint32_t p) noexcept { return below(100) < p; }
    // Log-uniform in [lo, hi] (lo >= 1): every doubling is equally likely, so sizes have the heavy
    // tail real traffic has, without pow()/log() whose last bits differ between libms.
    uint64_t loguniform(uint64_t lo, uint64_t hi) noexcept {
        const auto doublings = static_cast<uint32_t>(std::bit_width(hi / lo));
        for (;;) {  // rejection rather than clamping, which would pile values up at hi
            const uint64_t base = lo << below(doublings);
            const uint64_t v = base + below64(base);
            if (v <= hi) return v;
        }
    }
    // Rank in [0, n) with P(rank) roughly proportional to 1 / (rank + 1): pick a doubling, then a
    // rank inside it. A few heavy talkers and a long tail, in O(1) without a table.
    uint32_t zipf(uint32_t n) noexcept {
        const auto doublings = static_cast<uint32_t>(std::bit_width(n));
        for (;;) {
            const uint32_t k = below(doublings);
            const uint32_t r = (1u << k) - 1 + below(1u << k);
            if (r < n) return r;
        }
    }

private:
    std::array<uint64_t, 4> s_{};
};

// ---- the fixed world ----------------------------------------------------------------------------

constexpr uint32_t v4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) noexcept {
    return (a << 24) | (b << 16) | (c << 8) | d;
}

enum HostFlag : uint8_t { kManaged = 1, kWindows = 2, kOtherAccount = 4 };

struct HostSpec {
    std::string_view name;
    uint8_t subnet;  // index into kSubnets
    uint8_t octet;   // 10.0.<subnet + 1>.<octet>
    uint8_t flags;
};

// Indices into kHosts, named where the story refers to one host.
enum : uint8_t {
    kNat = 0, kBastion = 1, kWeb1 = 2, kSftp = 5, kVpn = 6, kRdgw = 7, kApp1 = 8, kWorker1 = 16,
    kWinApp1 = 20, kWinApp2 = 21, kCi = 22, kMon = 23, kLambdaA = 24, kVpce = 26, kPgPrimary = 27,
    kPgReplica = 28, kMysql = 29, kRedis1 = 30, kKafka1 = 32, kDc = 35, kEs = 36, kPartner1 = 37,
    kPartner2 = 38, kStandby = 39, kHostCount = 40
};

static_assert(kHostCount <= 64, "status_used_ keeps one bit per host");

constexpr std::array<HostSpec, kHostCount> kHosts{{
    {"nat-gw", 0, 5, kManaged},
    {"bastion", 0, 10, 0},
    {"web-01", 0, 21, 0},
    {"web-02", 0, 22, 0},
    {"web-03", 0, 23, 0},
    {"sftp-01", 0, 30, 0},
    {"vpn-01", 0, 40, 0},
    {"rdgw-01", 0, 50, kWindows},
    {"app-01", 1, 11, 0},
    {"app-02", 1, 12, 0},
    {"app-03", 1, 13, 0},
    {"app-04", 1, 14, 0},
    {"app-05", 1, 15, 0},
    {"app-06", 1, 16, 0},
    {"app-07", 1, 17, 0},
    {"app-08", 1, 18, 0},
    {"worker-01", 1, 21, 0},
    {"worker-02", 1, 22, 0},
    {"worker-03", 1, 23, 0},
    {"worker-04", 1, 24, 0},
    {"win-app-01", 1, 31, kWindows},
    {"win-app-02", 1, 32, kWindows},
    {"ci-runner-01", 1, 47, 0},
    {"monitoring-01", 1, 60, 0},
    {"lambda-eni-a", 1, 90, kManaged},
    {"lambda-eni-b", 1, 91, kManaged},
    {"vpce-secretsmanager", 1, 100, kManaged},
    {"pg-primary", 2, 10, 0},
    {"pg-replica", 2, 11, 0},
    {"mysql-legacy", 2, 20, 0},
    {"redis-01", 2, 30, 0},
    {"redis-02", 2, 31, 0},
    {"kafka-01", 2, 41, 0},
    {"kafka-02", 2, 42, 0},
    {"kafka-03", 2, 43, 0},
    {"dc-01", 2, 53, kWindows},
    {"es-01", 2, 60, 0},
    {"partner-etl-01", 2, 200, kOtherAccount},
    {"partner-etl-02", 2, 201, kOtherAccount},
    {"standby-01", 2, 250, 0},
}};

struct SubnetSpec {
    std::string_view name, az_id;
};
constexpr std::array<SubnetSpec, 3> kSubnets{{
    {"public-a", "use1-az1"}, {"app-b", "use1-az2"}, {"data-c", "use1-az4"}}};

constexpr std::string_view kAccount = "123456789012";
constexpr std::string_view kOtherAccountId = "444455556666";
constexpr std::string_view kRegion = "us-east-1";

// Host groups, heaviest talker first (zipf picks favour the front).
constexpr std::array<uint8_t, 3> kWebs{2, 3, 4};
constexpr std::array<uint8_t, 8> kApps{8, 9, 10, 11, 12, 13, 14, 15};
constexpr std::array<uint8_t, 12> kAppsWorkers{8, 16, 9, 17, 10, 11, 18, 12, 13, 19, 14, 15};
constexpr std::array<uint8_t, 12> kS3Users{16, 17, 8, 18, 9, 19, 10, 11, 12, 13, 14, 15};
constexpr std::array<uint8_t, 13> kNatUsers{8, 22, 9, 16, 10, 17, 11, 12, 18, 13, 19, 14, 15};
constexpr std::array<uint8_t, 3> kKafkas{32, 33, 34};
constexpr std::array<uint8_t, 2> kRedises{30, 31};
constexpr std::array<uint8_t, 8> kDcClients{20, 7, 21, 8, 9, 16, 10, 23};
constexpr std::array<uint8_t, 7> kNoiseTargets{1, 7, 2, 5, 3, 6, 4};
constexpr std::array<uint8_t, 2> kLambdas{24, 25};
constexpr std::array<uint8_t, 2> kPartners{37, 38};
// Linux instances of the main account that ship logs, take SSH from the bastion, and so on.
constexpr std::array<uint8_t, 25> kLinux{8,  16, 9,  27, 32, 10, 17, 2,  30, 11, 33, 3,  12,
                                         18, 34, 4,  13, 28, 31, 19, 14, 15, 36, 22, 29};

// Outside the VPC. Documentation and benchmarking ranges, so no real party is implicated, except
// the AWS service ranges, which must be AWS's for pkt-*-aws-service to make sense.
constexpr uint32_t kScanner = v4(203, 0, 113, 77);
constexpr uint32_t kUptimeMonitor = v4(192, 0, 2, 10);
constexpr uint32_t kPartnerSftp = v4(198, 51, 100, 40);
constexpr uint32_t kNtpServer = v4(192, 0, 2, 123);
constexpr uint32_t kWebClients = v4(198, 18, 0, 0);  // 198.18.0.0/15
constexpr uint32_t kS3Range = v4(52, 216, 0, 0);     // 52.216.0.0/15, S3 us-east-1
constexpr uint32_t kDynamoRange = v4(52, 94, 0, 0);  // 52.94.0.0/22, DynamoDB us-east-1
constexpr uint32_t kEc2Range = v4(3, 208, 0, 0);     // 3.208.0.0/12, EC2 us-east-1
constexpr uint32_t kOffice = v4(172, 20, 8, 0);      // on-premises, over the VPN gateway

enum Service : uint8_t { kNoService = 0, kS3 = 1, kDynamo = 2, kEc2 = 3 };
constexpr std::array<std::string_view, 4> kServiceNames{"-", "S3", "DYNAMODB", "EC2"};

// IPv6 pool layout: one address per host, then web clients, then SSH probers.
constexpr uint32_t kV6Clients = kHostCount;
constexpr uint32_t kV6ClientCount = 4096;
constexpr uint32_t kV6Probers = kV6Clients + kV6ClientCount;
constexpr uint32_t kV6ProberCount = 256;

// ---- records ------------------------------------------------------------------------------------

enum class Status : uint8_t { Ok, NoData, SkipData };

// One flow log record before formatting. Addresses are IPv4 values, or indices into the IPv6
// text pool when v6 is set.
struct Rec {
    int64_t start = 0, end = 0;
    uint64_t packets = 0, bytes = 0;
    uint32_t src = 0, dst = 0, psrc = 0, pdst = 0;
    uint16_t sport = 0, dport = 0;
    uint8_t eni = 0, proto = 0, flags = 0, path = 0, src_svc = 0, dst_svc = 0, enc = 0;
    Status status = Status::Ok;
    bool accept = true, egress = false, v6 = false;
};

// One conversation: the client's request direction and the server's reply direction.
struct Conv {
    uint32_t c = 0, s = 0;
    uint16_t cp = 0, sp = 0;
    uint8_t proto = 6;
    bool v6 = false;
    uint64_t qp = 1, qb = 40, rp = 1, rb = 40;
    uint8_t qf = 0, rf = 0, enc = 0;
    int64_t t0 = 0, t1 = 0;
};

enum Cat : uint8_t { kNormal, kV6, kNoise, kNacl, kNoData, kSkipData, kScan, kSweep, kCatCount };

enum class Col : uint8_t {
    Version, Account, Interface, SrcAddr, DstAddr, SrcPort, DstPort, Protocol, Packets, Bytes,
    Start, End, Action, LogStatus, Vpc, Subnet, Instance, TcpFlags, Type, PktSrc, PktDst, Region,
    AzId, PktSrcSvc, PktDstSvc, Direction, TrafficPath, Encryption, Dash
};

struct ColName {
    std::string_view name;
    Col col;
};
constexpr std::array<ColName, 28> kColNames{{
    {"version", Col::Version},          {"account-id", Col::Account},
    {"interface-id", Col::Interface},   {"srcaddr", Col::SrcAddr},
    {"dstaddr", Col::DstAddr},          {"srcport", Col::SrcPort},
    {"dstport", Col::DstPort},          {"protocol", Col::Protocol},
    {"packets", Col::Packets},          {"bytes", Col::Bytes},
    {"start", Col::Start},              {"end", Col::End},
    {"action", Col::Action},            {"log-status", Col::LogStatus},
    {"vpc-id", Col::Vpc},               {"subnet-id", Col::Subnet},
    {"instance-id", Col::Instance},     {"tcp-flags", Col::TcpFlags},
    {"type", Col::Type},                {"pkt-srcaddr", Col::PktSrc},
    {"pkt-dstaddr", Col::PktDst},       {"region", Col::Region},
    {"az-id", Col::AzId},               {"pkt-src-aws-service", Col::PktSrcSvc},
    {"pkt-dst-aws-service", Col::PktDstSvc}, {"flow-direction", Col::Direction},
    {"traffic-path", Col::TrafficPath}, {"encryption-status", Col::Encryption},
}};

// Dotted-quad octets as text, so that printing an address is four copies.
struct Octet {
    char text[4];
    uint8_t size;
};
constexpr std::array<Octet, 256> kOctets = [] {
    std::array<Octet, 256> t{};
    for (unsigned i = 0; i < 256; ++i) {
        Octet& o = t[i];
        if (i >= 100) o.text[o.size++] = static_cast<char>('0' + i / 100);
        if (i >= 10) o.text[o.size++] = static_cast<char>('0' + i / 10 % 10);
        o.text[o.size++] = static_cast<char>('0' + i % 10);
    }
    return t;
}();

std::string hex_id(std::string_view prefix, uint64_t h) {
    // AWS ids: a prefix and 17 hex digits, in practice starting with 0.
    std::string s(prefix);
    s += '0';
    for (int shift = 60; shift >= 0; shift -= 4) s += "0123456789abcdef"[(h >> shift) & 15];
    return s;
}

// Four hex digits without leading zeros, so that the text is RFC 5952 canonical as it stands.
void append_group(std::string& s, uint64_t h) {
    const uint64_t g = 0x1000 + h % 0xf000;
    char buf[8];
    auto r = std::to_chars(buf, buf + sizeof buf, g, 16);
    s.append(buf, r.ptr);
}

struct Host {
    std::string eni, instance, subnet, v6;
    std::string_view account, az;
    uint32_t v4 = 0;
};

uint64_t share_of(uint64_t n, double share) noexcept {
    if (!(share > 0)) return 0;  // also NaN
    if (share >= 1) return n;
    return static_cast<uint64_t>(static_cast<double>(n) * share + 0.5);
}

// Records of `total` that fall in the cumulative-weight slice [a, b) of n: exact integer
// apportioning, so that the slices add up to total whatever the weights.
uint64_t slice(uint64_t total, uint64_t a, uint64_t b, uint64_t n) noexcept {
    __extension__ using u128 = unsigned __int128;
    return static_cast<uint64_t>(u128{total} * b / n - u128{total} * a / n);
}

constexpr size_t kChunk = size_t{1} << 20;  // bytes handed to write() at a time, at most
constexpr size_t kBatch = 16384;            // records grouped by interface before printing
constexpr uint64_t kDeliverySeconds = 300;  // S3 delivery interval

class Generator {
public:
    Generator(const GeneratorOptions& o, const std::function<void(std::string_view)>& write)
        : o_(o), write_(write), rng_(o.seed) {}

    void run() {
        setup();
        plan_and_generate();
        flush_batch();
        flush_out();
    }

private:
    // ---- setup ----
    void setup() {
        // Columns and header.
        std::vector<std::string_view> names;
        if (o_.fields.empty()) {
            for (std::string_view f : default_format()) names.push_back(f);
        } else {
            for (const std::string& f : o_.fields) names.push_back(f);
        }
        uint8_t version = 2;
        std::string header;
        for (std::string_view name : names) {
            Col col = Col::Dash;
            if (const FieldInfo* info = find_field(name)) {
                name = info->name;
                version = std::max(version, info->since_version);
                for (const ColName& c : kColNames)
                    if (c.name == info->name) col = c.col;
            }
            cols_.push_back(col);
            if (!header.empty()) header += ' ';
            header += name;
        }
        version_text_ = std::to_string(version);
        header += '\n';

        // Topology: fixed, independent of the seed, so that the story can be documented.
        vpc_ = hex_id("vpc-", mix(fnv1a("flowlens-vpc")));
        std::array<std::string, kSubnets.size()> subnet_ids;
        for (size_t i = 0; i < kSubnets.size(); ++i)
            subnet_ids[i] = hex_id("subnet-", mix(fnv1a(kSubnets[i].name)));
        v6_.reserve(kV6Probers + kV6ProberCount);
        for (size_t i = 0; i < kHostCount; ++i) {
            const HostSpec& spec = kHosts[i];
            Host& h = hosts_[i];
            const uint64_t seed = fnv1a(spec.name);
            h.eni = hex_id("eni-", mix(seed ^ 1));
            h.instance = (spec.flags & kManaged) ? "-" : hex_id("i-", mix(seed ^ 2));
            h.subnet = subnet_ids[spec.subnet];
            h.az = kSubnets[spec.subnet].az_id;
            h.account = (spec.flags & kOtherAccount) ? kOtherAccountId : kAccount;
            h.v4 = v4(10, 0, spec.subnet + 1u, spec.octet);
            // A private (ULA) block: FlowLens's is_private() then counts the VPC as internal.
            std::string a = "fd5e:4a71:9c20:" + std::to_string(spec.subnet + 1);
            for (int g = 0; g < 4; ++g) {
                a += ':';
                append_group(a, mix(seed ^ (10u + static_cast<unsigned>(g))));
            }
            v6_.push_back(a);
        }
        // The clients' and probers' addresses are written when first printed (v6_text): a
        // small sample uses a few of their 4,352, and writing them all was most of its run.
        v6_.resize(kV6Probers + kV6ProberCount);
        for (size_t i = 0; i < kHostCount; ++i) {
            const HostSpec& spec = kHosts[i];
            if (i != kCi && !(spec.flags & kManaged) && i != kStandby) sweep_targets_.push_back(static_cast<uint8_t>(i));
            if (!(spec.flags & (kManaged | kOtherAccount)) && i != kStandby && i != kMon)
                scrape_targets_.push_back(static_cast<uint8_t>(i));
        }
        std::sort(sweep_targets_.begin(), sweep_targets_.end(),
                  [this](uint8_t a, uint8_t b) { return hosts_[a].v4 < hosts_[b].v4; });

        // Per-run constants drawn from the seed.
        scan_sport_ = static_cast<uint16_t>(40000 + rng_.below(20000));

        // Buffers, once.
        size_t max_record = 2;
        for (Col c : cols_) max_record += (c == Col::Dash) ? 2 : 48;
        out_size_ = std::max(kChunk, 2 * max_record);
        max_record_ = max_record;
        out_ = std::make_unique<char[]>(out_size_);
        batch_.resize(kBatch + ev_.size());
        order_.resize(kBatch + ev_.size());

        if (o_.header) write_(header);
    }

    // ---- planning: how many records of each kind each window gets ----
    void plan_and_generate() {
        const uint64_t n = o_.records;
        const uint64_t duration = std::max<uint64_t>(1, o_.duration_seconds);
        const uint64_t win = std::max<uint64_t>(1, o_.window_seconds);
        const uint64_t windows = (duration + win - 1) / win;

        std::array<uint64_t, kCatCount>& total = total_;
        uint64_t avail = n;
        auto take = [&avail](uint64_t want) {
            const uint64_t got = std::min(want, avail);
            avail -= got;
            return got;
        };
        if (o_.scanner) {
            // A few percent each: enough for the scan to show hundreds of ports and the sweep to
            // reach every host once even in a 10 000-record sample.
            total[kScan] = take(std::min<uint64_t>(n / 40, 3 * 65535));
            total[kSweep] = take(std::max(n / 60, std::min<uint64_t>(80, n / 20)));
        }
        const bool rejects = o_.reject_share > 0;
        if (rejects) total[kNacl] = take(n / 250);
        total[kNoData] = take(share_of(n, o_.nodata_share));
        total[kSkipData] = take(share_of(n, o_.skipdata_share));
        total[kV6] = take(share_of(n, o_.ipv6_share));
        if (rejects) {
            // The noise tops the other REJECTs up to the requested share.
            const uint64_t scheduled =
                total[kScan] + total[kSweep] / 3 + total[kNacl] / 2 + total[kV6] / 7;
            const uint64_t target = share_of(n, o_.reject_share);
            total[kNoise] = take(target > scheduled ? target - scheduled : 0);
        }
        total[kNormal] = avail;

        // Campaign windows: the scan starts 30% in and lasts a sixth; the sweep 55% in, a twelfth.
        const uint64_t scan_len = std::max<uint64_t>(1, windows / 6);
        const uint64_t scan_first = std::min(windows * 3 / 10, windows - scan_len);
        const uint64_t sweep_len = std::max<uint64_t>(1, windows / 12);
        const uint64_t sweep_first = std::min(windows * 55 / 100, windows - sweep_len);

        // Normal traffic swells towards the middle of the period, with jitter: a flat line would
        // not look like anything real.
        auto weight = [this, windows](uint64_t w) {
            const uint64_t half = std::max<uint64_t>(1, windows / 2);
            const uint64_t ramp = 400 * (w < half ? w : windows - 1 - w) / half;
            return 1000 + ramp + mix(o_.seed ^ (w * 0x9e37)) % 300;
        };
        uint64_t weights = 0;
        for (uint64_t w = 0; w < windows; ++w) weights += weight(w);

        const int64_t t_end = o_.start_time + static_cast<int64_t>(duration);
        uint64_t cum = 0;
        std::array<uint64_t, kCatCount> due{};  // records of each category owed by the window's end
        uint64_t next_delivery = kDeliverySeconds;
        for (uint64_t w = 0; w < windows; ++w) {
            ws_ = o_.start_time + static_cast<int64_t>(w * win);
            len_ = static_cast<uint32_t>(std::min<int64_t>(static_cast<int64_t>(win), t_end - ws_));
            std::array<uint64_t, kCatCount> count{};
            const uint64_t wt = weight(w);
            count[kNormal] = slice(total[kNormal], cum, cum + wt, weights);
            count[kV6] = slice(total[kV6], cum, cum + wt, weights);
            cum += wt;
            for (Cat c : {kNoise, kNacl, kNoData, kSkipData}) count[c] = slice(total[c], w, w + 1, windows);
            if (w >= scan_first && w < scan_first + scan_len)
                count[kScan] = slice(total[kScan], w - scan_first, w - scan_first + 1, scan_len);
            if (w >= sweep_first && w < sweep_first + sweep_len)
                count[kSweep] = slice(total[kSweep], w - sweep_first, w - sweep_first + 1, sweep_len);
            for (size_t c = 0; c < kCatCount; ++c) due[c] += count[c];
            window(due);
            // S3 delivers a file about every 5 minutes, its records in runs per interface: print
            // what that delivery would hold.
            const uint64_t elapsed = std::min(duration, (w + 1) * win);
            if (elapsed >= next_delivery) {
                flush_batch();
                next_delivery = (elapsed / kDeliverySeconds + 1) * kDeliverySeconds;
            }
        }
    }

    // Draws events in proportion to what each category still owes by the end of this window, so
    // that the kinds interleave as they would in a real capture window. Events are kept whole: one
    // that overshoots its category's share borrows from the next window (a 2-record exchange in a
    // category owed one record a window still shows both halves); only the very last event of a
    // category in the whole run can be cut short, so the totals stay exact.
    void window(const std::array<uint64_t, kCatCount>& due) {
        std::array<uint64_t, kCatCount> left{};
        uint64_t remaining = 0;
        status_used_ = 0;
        for (size_t c = 0; c < kCatCount; ++c) {
            left[c] = due[c] > emitted_[c] ? due[c] - emitted_[c] : 0;
            remaining += left[c];
        }
        while (remaining > 0) {
            uint64_t x = rng_.below64(remaining);
            size_t cat = 0;
            while (x >= left[cat]) x -= left[cat++];
            nev_ = 0;
            event(static_cast<Cat>(cat));
            const auto k = static_cast<size_t>(std::min<uint64_t>(nev_, total_[cat] - emitted_[cat]));
            for (size_t i = 0; i < k; ++i) batch_[nbatch_++] = ev_[i];
            emitted_[cat] += k;
            const uint64_t paid = std::min<uint64_t>(k, left[cat]);
            left[cat] -= paid;
            remaining -= paid;
            if (nbatch_ >= kBatch) flush_batch();
        }
    }

    void event(Cat c) {
        switch (c) {
            case kNormal: normal(); break;
            case kV6: ipv6(); break;
            case kNoise: noise(); break;
            case kNacl: nacl(); break;
            case kNoData: no_data(); break;
            case kSkipData: skip_data(); break;
            case kScan: scan(); break;
            case kSweep: sweep(); break;
            case kCatCount: break;
        }
    }

    // ---- building blocks ----
    template <size_t N>
    uint8_t pick(const std::array<uint8_t, N>& group) noexcept {
        return group[rng_.zipf(static_cast<uint32_t>(N))];
    }
    uint32_t ip(uint8_t host) const noexcept { return hosts_[host].v4; }
    bool windows_host(uint8_t host) const noexcept { return (kHosts[host].flags & kWindows) != 0; }

    // Client ports: Linux 32768-60999, Windows 49152-65535; internet clients are a mix.
    uint16_t eph(uint8_t host) noexcept {
        return windows_host(host) ? static_cast<uint16_t>(49152 + rng_.below(16384))
                                  : static_cast<uint16_t>(32768 + rng_.below(28232));
    }
    uint16_t internet_eph() noexcept {
        const uint32_t x = rng_.below(10);
        if (x < 5) return static_cast<uint16_t>(32768 + rng_.below(28232));
        if (x < 8) return static_cast<uint16_t>(49152 + rng_.below(16384));
        return static_cast<uint16_t>(1024 + rng_.below(64512));
    }

    // A web client: rank → a scrambled address in 198.18.0.0/15, so that the heavy ranks are not
    // simply .0.1, .0.2, … (the multiplier is odd: a bijection on 17 bits).
    uint32_t web_client() noexcept { return kWebClients | ((rng_.zipf(1u << 17) * 0x9e35u + 0x2b1u) & 0x1ffffu); }
    // Internet noise: 512 ranks over 203.0.113.0/24 and 198.51.100.0/24, sparing the named actors.
    uint32_t noise_source() noexcept {
        const uint32_t r = (rng_.zipf(512) * 167u + 89u) & 511u;
        uint32_t a = (r < 256 ? v4(203, 0, 113, 0) : v4(198, 51, 100, 0)) | (r & 255u);
        if (a == kScanner || a == kPartnerSftp || (a & 255u) == 0 || (a & 255u) == 255) a ^= 1u;
        return a;
    }

    // Packets, and bytes averaging between lo and hi a packet (callers keep 40 <= lo <= hi <= 1500,
    // the range of real IP packets on a 1500-byte MTU).
    void size(uint64_t& packets, uint64_t& bytes, uint64_t p, uint64_t lo, uint64_t hi) noexcept {
        packets = std::max<uint64_t>(1, p);
        bytes = packets * lo + rng_.below64(packets * (hi - lo) + 1);
    }

    // Timing within the current window.
    void when_short(Conv& cv) noexcept {
        cv.t0 = ws_ + rng_.below(len_);
        cv.t1 = std::min<int64_t>(ws_ + len_ - 1, cv.t0 + rng_.below(4));
    }
    void when_long(Conv& cv) noexcept {
        const uint32_t m = std::min<uint32_t>(len_, 3);
        cv.t0 = ws_ + rng_.below(m);
        cv.t1 = std::max(cv.t0, ws_ + len_ - 1 - rng_.below(m));
    }
    void when_any(Conv& cv) noexcept {
        cv.t0 = ws_ + rng_.below(len_);
        cv.t1 = cv.t0 + rng_.below(static_cast<uint32_t>(ws_ + len_ - cv.t0));
    }

    // TCP flags of a short connection seen in one window (OR over the window, as AWS logs them).
    void short_flags(Conv& cv) noexcept {
        const uint32_t x = rng_.below(100);
        if (x < 70) cv.qf = 3, cv.rf = 19;       // SYN … FIN both ways within the window
        else if (x < 82) cv.qf = 2, cv.rf = 18;  // opened, still open at the window's end
        else if (x < 94) cv.qf = 1, cv.rf = 1;   // opened in an earlier window, closed in this one
        else cv.qf = 6, cv.rf = 18;              // the client reset it right after the handshake
    }
    void long_flags(Conv& cv) noexcept {  // pooled connections: ACK/PSH only, which log as 0
        if (rng_.percent(96)) cv.qf = 0, cv.rf = 0;
        else cv.qf = 1, cv.rf = 1;
    }

    // encryption-status: 1 Nitro (inside the VPC), 2 application TLS, 3 both.
    static uint8_t enc(bool inside, uint16_t port) noexcept {
        const bool tls = port == 443 || port == 22 || port == 3389 || port == 636 || port == 8443 || port == 1194;
        return static_cast<uint8_t>((inside ? 1 : 0) | (tls ? 2 : 0));
    }

    // Shapes: request/reply packets and bytes, timing and flags of one kind of conversation.
    void api(Conv& cv) noexcept {  // a request and a larger answer
        size(cv.qp, cv.qb, rng_.loguniform(3, 40), 60, 600);
        size(cv.rp, cv.rb, cv.qp + rng_.loguniform(1, 120), 200, 1500);
        when_short(cv);
        short_flags(cv);
    }
    // Long-lived connections keep their client port from one window to the next, as a connection
    // pool does: a handful of slots per client/server pair.
    void pool_port(Conv& cv) noexcept {
        const uint64_t slot = rng_.below(6);
        cv.cp = static_cast<uint16_t>(32768 + mix((uint64_t{cv.c} << 32) ^ cv.s ^ (slot << 24) ^ cv.sp) % 28232);
    }
    void pooled(Conv& cv) noexcept {  // a pooled database/cache connection busy all window
        if (rng_.percent(25)) return api(cv);
        pool_port(cv);
        size(cv.qp, cv.qb, rng_.loguniform(10, 20000), 70, 700);
        size(cv.rp, cv.rb, cv.qp + rng_.loguniform(1, cv.qp), 120, 1500);
        when_long(cv);
        long_flags(cv);
    }
    void stream(Conv& cv, bool reply_heavy) noexcept {  // kafka, replication: bulk one way, ACKs back
        pool_port(cv);
        uint64_t hp = 0, hb = 0, ap = 0, ab = 0;
        size(hp, hb, rng_.loguniform(1000, 500000), 900, 1500);
        size(ap, ab, hp / 2 + 1, 52, 80);
        if (reply_heavy) cv.qp = ap, cv.qb = ab, cv.rp = hp, cv.rb = hb;
        else cv.qp = hp, cv.qb = hb, cv.rp = ap, cv.rb = ab;
        when_long(cv);
        long_flags(cv);
    }
    void bulk(Conv& cv) noexcept {  // S3 GET or PUT
        uint64_t hp = 0, hb = 0, ap = 0, ab = 0;
        size(hp, hb, rng_.loguniform(8, 60000), 1200, 1500);
        size(ap, ab, hp / 2 + 2, 52, 200);
        if (rng_.percent(65)) cv.qp = ap, cv.qb = ab, cv.rp = hp, cv.rb = hb;
        else cv.qp = hp, cv.qb = hb, cv.rp = ap, cv.rb = ab;
        when_any(cv);
        short_flags(cv);
    }
    void interactive(Conv& cv) noexcept {  // SSH, RDP: many small packets for minutes
        size(cv.qp, cv.qb, rng_.loguniform(20, 4000), 52, 220);
        size(cv.rp, cv.rb, cv.qp + rng_.loguniform(1, cv.qp), 80, 1400);
        when_any(cv);
        const uint32_t x = rng_.below(10);
        if (x < 2) cv.qf = 2, cv.rf = 18;
        else if (x < 4) cv.qf = 1, cv.rf = 1;
        else cv.qf = 0, cv.rf = 0;
    }
    void dns(Conv& cv) noexcept {
        cv.proto = 17;
        size(cv.qp, cv.qb, 1 + rng_.below(3), 60, 90);
        size(cv.rp, cv.rb, cv.qp, 80, 300);
        cv.t0 = ws_ + rng_.below(len_);
        cv.t1 = cv.t0;
    }
    void ping(Conv& cv, uint8_t proto) noexcept {  // echo request/reply, no ports
        cv.proto = proto;
        cv.cp = cv.sp = 0;
        const uint64_t per = proto == 58 ? 104 : 84;
        cv.qp = cv.rp = 1 + rng_.below(6);
        cv.qb = cv.rb = cv.qp * per;
        when_any(cv);
    }

    // Adds the record of one direction of `cv` as logged on interface `eni`.
    Rec& add(uint8_t eni, const Conv& cv, bool reply, bool egress, uint8_t path, bool accept) noexcept {
        Rec& r = ev_[nev_++];
        r = Rec{};
        r.eni = eni;
        r.proto = cv.proto;
        r.v6 = cv.v6;
        r.accept = accept;
        r.egress = egress;
        r.path = egress ? path : 0;  // AWS fills traffic-path on egress only
        r.enc = accept ? cv.enc : 0;
        if (!reply) {
            r.src = cv.c, r.dst = cv.s, r.sport = cv.cp, r.dport = cv.sp;
            r.packets = cv.qp, r.bytes = cv.qb, r.flags = cv.qf;
        } else {
            r.src = cv.s, r.dst = cv.c, r.sport = cv.sp, r.dport = cv.cp;
            r.packets = cv.rp, r.bytes = cv.rb, r.flags = cv.rf;
        }
        if (r.proto != 6) r.flags = 0;
        r.psrc = r.src;
        r.pdst = r.dst;
        r.start = cv.t0;
        r.end = cv.t1;
        return r;
    }
    // Both ends inside the VPC: each interface logs both directions.
    void inside(uint8_t client, uint8_t server, Conv& cv) noexcept {
        add(client, cv, false, true, 1, true);
        add(server, cv, false, false, 0, true);
        add(server, cv, true, true, 1, true);
        add(client, cv, true, false, 0, true);
    }
    void internal(uint8_t client, uint8_t server, uint16_t port, void (Generator::*shape)(Conv&)) noexcept {
        Conv cv;
        cv.c = ip(client), cv.s = ip(server), cv.cp = eph(client), cv.sp = port;
        (this->*shape)(cv);
        cv.enc = enc(true, port);
        inside(client, server, cv);
    }
    // A host reached from outside the VPC (internet gateway path 8, or the VPN gateway path 3).
    void from_outside(uint8_t host, Conv& cv, uint8_t path, uint8_t svc = kNoService) noexcept {
        cv.enc = enc(false, cv.sp);
        add(host, cv, false, false, 0, true).src_svc = svc;
        add(host, cv, true, true, path, true).dst_svc = svc;
    }
    // A private host reaching out through the NAT gateway: its own two records and the NAT
    // gateway's four, where srcaddr/dstaddr show the NAT's address and pkt-* the real ends.
    void via_nat(uint8_t host, Conv& cv) noexcept {
        const uint32_t nat = ip(kNat);
        const uint16_t nat_port = rng_.percent(80) ? cv.cp : static_cast<uint16_t>(1024 + rng_.below(64512));
        cv.enc = enc(false, cv.sp);
        add(host, cv, false, true, 1, true);
        add(kNat, cv, false, false, 0, true).dst = nat;
        Rec& out = add(kNat, cv, false, true, 8, true);
        out.src = out.psrc = nat;
        out.sport = nat_port;
        Rec& back = add(kNat, cv, true, false, 0, true);
        back.dst = back.pdst = nat;
        back.dport = nat_port;
        add(kNat, cv, true, true, 1, true).src = nat;
        add(host, cv, true, false, 0, true);
    }

    // ---- categories ----
    void normal() noexcept {
        // Event weights, one per case below (in order); conversations inside the VPC log four
        // records each, so they dominate the file.
        static constexpr std::array<uint16_t, 22> kWeights{200, 12, 150, 170, 110, 18, 90, 10, 40, 70, 30,
                                                           25,  4,  40,  45,  12,  10, 6,  20, 15, 3,  12};
        static constexpr uint32_t kTotal = [] {
            uint32_t t = 0;
            for (uint16_t w : kWeights) t += w;
            return t;
        }();
        uint32_t x = rng_.below(kTotal);
        size_t kind = 0;
        while (x >= kWeights[kind]) x -= kWeights[kind++];
        Conv cv;
        switch (kind) {
            case 0: {  // internet clients on the public web servers
                const uint8_t web = pick(kWebs);
                cv.c = web_client(), cv.cp = internet_eph(), cv.s = ip(web), cv.sp = rng_.percent(90) ? 443 : 80;
                api(cv);
                if (cv.sp == 80) cv.rp = std::min<uint64_t>(cv.rp, 4), cv.rb = cv.rp * 120;  // a redirect
                return from_outside(web, cv, 8);
            }
            case 1: {  // a partner's fleet on EC2 posting webhooks
                const uint8_t web = pick(kWebs);
                cv.c = kEc2Range | static_cast<uint32_t>(mix(rng_.below(6) + 0xec2) & 0xfffff);
                cv.cp = static_cast<uint16_t>(32768 + rng_.below(28232)), cv.s = ip(web), cv.sp = 443;
                api(cv);
                return from_outside(web, cv, 8, kEc2);
            }
            // Draws are made one statement at a time: the order in which function arguments are
            // evaluated differs between compilers, and so would the bytes.
            case 2: {
                const uint8_t web = pick(kWebs), app = pick(kApps);
                return internal(web, app, 8080, &Generator::api);
            }
            case 3: {
                const uint8_t client = pick(kAppsWorkers), db = rng_.percent(80) ? kPgPrimary : kPgReplica;
                return internal(client, db, 5432, &Generator::pooled);
            }
            case 4: {
                const uint8_t client = pick(kAppsWorkers), cache = pick(kRedises);
                return internal(client, cache, 6379, &Generator::pooled);
            }
            case 5: return internal(rng_.percent(60) ? uint8_t{14} : uint8_t{15}, kMysql, 3306, &Generator::pooled);
            case 6: {  // producers and consumers
                const uint8_t client = pick(kAppsWorkers), broker = pick(kKafkas);
                cv.c = ip(client), cv.s = ip(broker), cv.cp = eph(client), cv.sp = 9092;
                stream(cv, rng_.percent(50));
                cv.enc = enc(true, 9092);
                return inside(client, broker, cv);
            }
            case 7: {  // streaming replication: the WAL flows from the primary in the replies
                cv.c = ip(kPgReplica), cv.s = ip(kPgPrimary), cv.cp = eph(kPgReplica), cv.sp = 5432;
                stream(cv, true);
                cv.enc = enc(true, 5432);
                return inside(kPgReplica, kPgPrimary, cv);
            }
            case 8: {  // log shipping: the request side is the heavy one
                const uint8_t host = pick(kLinux);
                cv.c = ip(host), cv.s = ip(kEs), cv.cp = eph(host), cv.sp = 9200;
                api(cv);
                std::swap(cv.qp, cv.rp), std::swap(cv.qb, cv.rb);
                cv.enc = enc(true, 9200);
                return inside(host, kEs, cv);
            }
            case 9:
            case 10: {  // S3 and DynamoDB through the gateway endpoint
                const bool s3 = kind == 9;
                const uint8_t host = s3 ? pick(kS3Users) : pick(kApps);
                cv.c = ip(host), cv.cp = eph(host), cv.sp = 443;
                cv.s = s3 ? kS3Range | static_cast<uint32_t>(mix(rng_.zipf(512) + 0x53) & 0x1ffff)
                          : kDynamoRange | static_cast<uint32_t>(mix(rng_.zipf(64) + 0xdd) & 0x3ff);
                if (s3) bulk(cv);
                else api(cv);
                cv.enc = enc(false, 443);
                const uint8_t svc = s3 ? kS3 : kDynamo;
                add(host, cv, false, true, 7, true).dst_svc = svc;
                add(host, cv, true, false, 0, true).src_svc = svc;
                return;
            }
            case 11: {  // third-party APIs and package mirrors through the NAT gateway
                const uint8_t host = pick(kNatUsers);
                cv.c = ip(host), cv.cp = eph(host), cv.s = v4(192, 0, 2, 20 + rng_.zipf(40)), cv.sp = 443;
                if (host == kCi) bulk(cv);
                else api(cv);
                return via_nat(host, cv);
            }
            case 12: {  // the domain controller keeps time with an outside NTP server
                cv.c = ip(kDc), cv.cp = 123, cv.s = kNtpServer, cv.sp = 123, cv.proto = 17;
                cv.qp = cv.rp = 1, cv.qb = cv.rb = 76;
                cv.t0 = cv.t1 = ws_ + rng_.below(len_);
                return via_nat(kDc, cv);
            }
            case 13: {  // DNS, LDAP and Kerberos on the domain controller
                const uint8_t client = pick(kDcClients);
                const uint32_t x2 = rng_.below(10);
                const uint16_t port = x2 < 7 ? 53 : x2 < 9 ? 389 : 88;
                return internal(client, kDc, port, port == 53 ? &Generator::dns : &Generator::api);
            }
            case 14: {  // metrics scrapes: node_exporter, windows_exporter
                const uint8_t host = scrape_targets_[rng_.below(static_cast<uint32_t>(scrape_targets_.size()))];
                cv.c = ip(kMon), cv.s = ip(host), cv.cp = eph(kMon), cv.sp = windows_host(host) ? 9182 : 9100;
                size(cv.qp, cv.qb, 5 + rng_.below(4), 60, 200);
                size(cv.rp, cv.rb, 6 + rng_.below(40), 500, 1500);
                when_short(cv);
                short_flags(cv);
                cv.enc = enc(true, cv.sp);
                return inside(kMon, host, cv);
            }
            case 15: {  // reachability pings
                const uint8_t host = scrape_targets_[rng_.below(static_cast<uint32_t>(scrape_targets_.size()))];
                cv.c = ip(kMon), cv.s = ip(host);
                ping(cv, 1);
                cv.enc = 1;
                return inside(kMon, host, cv);
            }
            case 16: {  // admins: office → bastion over the VPN, bastion → Linux hosts
                if (rng_.percent(50)) {
                    cv.c = kOffice | (10 + rng_.zipf(12)), cv.cp = static_cast<uint16_t>(49152 + rng_.below(16384));
                    cv.s = ip(kBastion), cv.sp = 22;
                    interactive(cv);
                    return from_outside(kBastion, cv, 3);
                }
                return internal(kBastion, pick(kLinux), 22, &Generator::interactive);
            }
            case 17: {  // admins: office → RD gateway, RD gateway → Windows servers
                if (rng_.percent(50)) {
                    cv.c = kOffice | (10 + rng_.zipf(12)), cv.cp = static_cast<uint16_t>(49152 + rng_.below(16384));
                    cv.s = ip(kRdgw), cv.sp = 3389;
                    interactive(cv);
                    return from_outside(kRdgw, cv, 3);
                }
                return internal(kRdgw, rng_.percent(50) ? kWinApp1 : kWinApp2, 3389, &Generator::interactive);
            }
            case 18: return internal(pick(kApps), kVpce, 443, &Generator::api);
            case 19: {  // Lambda functions in the VPC query the database or the cache
                const bool pg = rng_.percent(70);
                return internal(pick(kLambdas), pg ? kPgPrimary : kRedis1, pg ? 5432 : 6379, &Generator::api);
            }
            case 20: return internal(pick(kPartners), kPgReplica, 5432, &Generator::pooled);
            default: {  // remote employees on the OpenVPN server
                cv.c = kWebClients | ((rng_.zipf(40) * 0x3a5u + 0x1c07u) & 0x1ffffu), cv.cp = internet_eph();
                cv.s = ip(kVpn), cv.sp = 1194, cv.proto = 17;
                size(cv.qp, cv.qb, rng_.loguniform(50, 20000), 100, 1400);
                size(cv.rp, cv.rb, cv.qp + rng_.loguniform(1, cv.qp), 100, 1400);
                when_long(cv);
                return from_outside(kVpn, cv, 8);
            }
        }
    }

    void ipv6() noexcept {
        Conv cv;
        cv.v6 = true;
        const uint32_t x = rng_.below(100);
        if (x < 60) {  // dual-stack web clients
            const uint8_t web = pick(kWebs);
            cv.c = kV6Clients + rng_.zipf(kV6ClientCount), cv.cp = internet_eph(), cv.s = web, cv.sp = 443;
            api(cv);
            return from_outside(web, cv, 8);
        }
        if (x < 75) {  // ICMPv6 reachability
            const uint8_t host = scrape_targets_[rng_.below(static_cast<uint32_t>(scrape_targets_.size()))];
            cv.c = kMon, cv.s = host;
            ping(cv, 58);
            cv.enc = 1;
            return inside(kMon, host, cv);
        }
        if (x < 85) {  // log shipping over IPv6
            const uint8_t host = pick(kApps);
            cv.c = host, cv.s = kEs, cv.cp = eph(host), cv.sp = 9200;
            api(cv);
            cv.enc = 1;
            return inside(host, kEs, cv);
        }
        // SSH probes on the bastion's IPv6 address
        cv.c = kV6Probers + rng_.zipf(kV6ProberCount), cv.cp = internet_eph(), cv.s = kBastion, cv.sp = 22;
        cv.qp = 1 + rng_.below(2), cv.qb = cv.qp * 80, cv.qf = 2;
        cv.t0 = ws_ + rng_.below(len_), cv.t1 = std::min<int64_t>(ws_ + len_ - 1, cv.t0 + static_cast<int64_t>(cv.qp) - 1);
        add(kBastion, cv, false, false, 0, false);
    }

    // Internet background radiation on the public hosts, dropped by their security groups.
    void noise() noexcept {
        struct PortWeight {
            uint16_t port;
            uint16_t weight;
        };
        static constexpr std::array<PortWeight, 14> kTcp{{{22, 30}, {3389, 18}, {23, 14}, {445, 12}, {1433, 4},
                                                          {3306, 3}, {5900, 3}, {8080, 4}, {25, 2}, {21, 3},
                                                          {6379, 2}, {9200, 1}, {2375, 2}, {5432, 2}}};
        static constexpr std::array<uint16_t, 7> kUdp{5060, 1900, 161, 123, 53, 11211, 500};
        Conv cv;
        const uint8_t host = pick(kNoiseTargets);
        cv.c = noise_source(), cv.cp = internet_eph(), cv.s = ip(host);
        if (rng_.percent(10)) {
            cv.proto = 17;
            cv.sp = kUdp[rng_.below(kUdp.size())];
            size(cv.qp, cv.qb, 1, 40, 400);
        } else {
            uint32_t x = rng_.below(100);
            size_t i = 0;
            while (x >= kTcp[i].weight) x -= kTcp[i++].weight;
            cv.sp = kTcp[i].port;
            const uint32_t y = rng_.below(100);
            cv.qp = y < 50 ? 1 : y < 85 ? 2 : 3;  // the SYN and its retransmissions
            cv.qb = cv.qp * (rng_.percent(50) ? 40 : rng_.percent(50) ? 44 : 60);
            cv.qf = 2;
        }
        cv.t0 = ws_ + rng_.below(len_);
        cv.t1 = std::min<int64_t>(ws_ + len_ - 1, cv.t0 + 3 * (static_cast<int64_t>(cv.qp) - 1));
        add(host, cv, false, false, 0, false);
    }

    // Stateless network ACL: the request is let in, the reply is dropped on its way out.
    void nacl() noexcept {
        Conv cv;
        if (rng_.percent(50)) {  // the uptime monitor's ping of the bastion (AWS's own example)
            cv.c = kUptimeMonitor, cv.s = ip(kBastion);
            ping(cv, 1);
            cv.qp = cv.rp = 4, cv.qb = cv.rb = 336;
            add(kBastion, cv, false, false, 0, true);
            add(kBastion, cv, true, true, 8, false).start = std::min(cv.t1, cv.t0 + 1);
            return;
        }
        // The partner's SFTP client: ports 32768+, while the outbound rule allows 1024-32767.
        cv.c = kPartnerSftp, cv.cp = static_cast<uint16_t>(32768 + rng_.below(28232)), cv.s = ip(kSftp), cv.sp = 22;
        cv.qp = cv.rp = 3, cv.qb = cv.rb = 180, cv.qf = 2, cv.rf = 18;  // SYN and SYN-ACK, retried
        cv.t0 = ws_ + rng_.below(len_);
        cv.t1 = std::min<int64_t>(ws_ + len_ - 1, cv.t0 + 3);
        add(kSftp, cv, false, false, 0, true);
        add(kSftp, cv, true, true, 8, false);
    }

    // A NODATA/SKIPDATA record: one per interface and window, so the weighted choice falls back to
    // the other candidates (in order) once its pick has had one this window.
    void status_record(const std::array<uint8_t, 4>& candidates, uint8_t pick_index, Status status) noexcept {
        uint8_t eni = candidates[pick_index];
        for (size_t i = 0; ((status_used_ >> eni) & 1u) && i < candidates.size(); ++i) eni = candidates[i];
        if ((status_used_ >> eni) & 1u) eni = candidates[pick_index];  // more asked for than candidates
        status_used_ |= uint64_t{1} << eni;
        Rec& r = ev_[nev_++];
        r = Rec{};
        r.eni = eni;
        r.status = status;
        const uint32_t m = std::min<uint32_t>(len_, 3);
        r.start = ws_ + rng_.below(m);
        r.end = std::max(r.start, ws_ + len_ - 1 - rng_.below(m));
    }
    void no_data() noexcept {  // idle interfaces
        const uint32_t x = rng_.below(100);
        status_record({kStandby, kPartner2, kMysql, kWinApp2}, x < 70 ? 0 : x < 85 ? 1 : x < 95 ? 2 : 3, Status::NoData);
    }
    void skip_data() noexcept {  // the busiest interfaces overflow capture capacity
        const uint32_t x = rng_.below(100);
        status_record({kNat, kKafka1, kWeb1, kApp1}, x < 50 ? 0 : x < 80 ? 1 : x < 95 ? 2 : 3, Status::SkipData);
    }

    // A SYN scan of the bastion: well-known ports first, then all of them in a scrambled order.
    void scan() noexcept {
        static constexpr std::array<uint16_t, 24> kTop{22,  80,  443, 21,   23,   25,   3389, 110,
                                                       445, 139, 143, 53,   135,  3306, 8080, 1723,
                                                       111, 995, 993, 5900, 1025, 587,  8888, 199};
        const uint64_t i = scan_next_++ % (kTop.size() + 65535);
        const uint16_t port = i < kTop.size() ? kTop[static_cast<size_t>(i)]
                                              : static_cast<uint16_t>((i - kTop.size()) * 7919 % 65535 + 1);
        Conv cv;
        cv.c = kScanner, cv.cp = scan_sport_, cv.s = ip(kBastion), cv.sp = port;
        cv.qp = rng_.percent(60) ? 2 : 1, cv.qb = cv.qp * 44, cv.qf = 2;  // nmap retries once when dropped
        cv.t0 = ws_ + rng_.below(len_);
        cv.t1 = std::min<int64_t>(ws_ + len_ - 1, cv.t0 + static_cast<int64_t>(cv.qp) - 1);
        add(kBastion, cv, false, false, 0, false);
    }

    // ci-runner-01 walks the VPC for SSH, then hammers the one host that answered.
    void sweep() noexcept {
        Conv cv;
        cv.c = ip(kCi), cv.cp = eph(kCi), cv.sp = 22;
        if (sweep_pass_ == 0 || (sweep_pass_ < 3 && rng_.percent(30))) {
            const uint8_t target = sweep_targets_[sweep_next_];
            if (++sweep_next_ == sweep_targets_.size()) sweep_next_ = 0, ++sweep_pass_;
            cv.s = ip(target);
            if (target != kSftp) {
                cv.qp = 1 + rng_.below(2), cv.qb = cv.qp * 60, cv.qf = 2;
                cv.t0 = ws_ + rng_.below(len_);
                cv.t1 = std::min<int64_t>(ws_ + len_ - 1, cv.t0 + static_cast<int64_t>(cv.qp) - 1);
                add(kCi, cv, false, true, 1, true);        // the VPC lets it leave …
                add(target, cv, false, false, 0, false);  // … the target's security group drops it
                return;
            }
        } else {
            cv.s = ip(kSftp);
        }
        // A short SSH exchange: banner, key exchange, a failed password.
        size(cv.qp, cv.qb, 10 + rng_.below(16), 60, 250);
        size(cv.rp, cv.rb, 10 + rng_.below(13), 60, 700);
        cv.t0 = ws_ + rng_.below(len_);
        cv.t1 = std::min<int64_t>(ws_ + len_ - 1, cv.t0 + 1 + rng_.below(3));
        cv.qf = 3, cv.rf = 19, cv.enc = 3;
        inside(kCi, kSftp, cv);
    }

    // ---- output ----
    // Groups the batch by interface (in a shuffled order per batch, stable inside), the way
    // delivered files show runs of one interface, then prints it.
    void flush_batch() {
        if (nbatch_ == 0) return;
        std::array<uint32_t, kHostCount + 1> start{};
        for (size_t i = 0; i < nbatch_; ++i) ++start[batch_[i].eni + 1u];
        std::array<uint8_t, kHostCount> eni_order{};
        for (uint8_t i = 0; i < kHostCount; ++i) eni_order[i] = i;
        for (uint32_t i = kHostCount - 1; i > 0; --i) std::swap(eni_order[i], eni_order[rng_.below(i + 1)]);
        std::array<uint32_t, kHostCount> pos{};
        uint32_t at = 0;
        for (uint8_t e : eni_order) {
            pos[e] = at;
            at += start[e + 1u];
        }
        for (size_t i = 0; i < nbatch_; ++i) order_[pos[batch_[i].eni]++] = static_cast<uint32_t>(i);
        for (size_t i = 0; i < nbatch_; ++i) print(batch_[order_[i]]);
        nbatch_ = 0;
    }

    static char* put(char* p, std::string_view s) noexcept {
        std::memcpy(p, s.data(), s.size());
        return p + s.size();
    }
    static char* num(char* p, uint64_t v) noexcept { return std::to_chars(p, p + 20, v).ptr; }
    static char* num(char* p, int64_t v) noexcept { return std::to_chars(p, p + 20, v).ptr; }
    // IPv6 address `a`: a host's (set up front), or a client's or prober's, written on first use.
    const std::string& v6_text(uint32_t a) {
        std::string& text = v6_[a];
        if (text.empty()) {
            const uint32_t i = a - kV6Clients;
            text = "2001:db8";
            for (uint64_t g = 0; g < 6; ++g) {
                text += ':';
                append_group(text, mix((uint64_t{i} << 8) ^ g ^ 0x5eed));
            }
        }
        return text;
    }

    char* addr(char* p, uint32_t a, bool is_v6) {
        if (is_v6) return put(p, v6_text(a));
        for (int shift = 24; shift >= 0; shift -= 8) {
            const Octet& o = kOctets[(a >> shift) & 255u];
            std::memcpy(p, o.text, 4);  // the buffer has slack; the extra byte is overwritten
            p += o.size;
            *p++ = '.';
        }
        return p - 1;
    }

    void print(const Rec& r) {
        if (used_ + max_record_ > out_size_) flush_out();
        char* p = out_.get() + used_;
        const Host& h = hosts_[r.eni];
        const bool ok = r.status == Status::Ok;
        for (Col c : cols_) {
            // Flow-level fields are `-` on NODATA/SKIPDATA; interface-level ones are kept.
            switch (c) {
                case Col::Version: p = put(p, version_text_); break;
                case Col::Account: p = put(p, h.account); break;
                case Col::Interface: p = put(p, h.eni); break;
                case Col::SrcAddr: p = ok ? addr(p, r.src, r.v6) : put(p, "-"); break;
                case Col::DstAddr: p = ok ? addr(p, r.dst, r.v6) : put(p, "-"); break;
                case Col::SrcPort: p = ok ? num(p, uint64_t{r.sport}) : put(p, "-"); break;
                case Col::DstPort: p = ok ? num(p, uint64_t{r.dport}) : put(p, "-"); break;
                case Col::Protocol: p = ok ? num(p, uint64_t{r.proto}) : put(p, "-"); break;
                case Col::Packets: p = ok ? num(p, r.packets) : put(p, "-"); break;
                case Col::Bytes: p = ok ? num(p, r.bytes) : put(p, "-"); break;
                case Col::Start: p = num(p, r.start); break;
                case Col::End: p = num(p, r.end); break;
                case Col::Action: p = put(p, !ok ? "-" : r.accept ? "ACCEPT" : "REJECT"); break;
                case Col::LogStatus:
                    p = put(p, ok ? "OK" : r.status == Status::NoData ? "NODATA" : "SKIPDATA");
                    break;
                case Col::Vpc: p = put(p, vpc_); break;
                case Col::Subnet: p = put(p, h.subnet); break;
                case Col::Instance: p = put(p, h.instance); break;
                case Col::TcpFlags: p = ok ? num(p, uint64_t{r.flags}) : put(p, "-"); break;
                case Col::Type: p = put(p, !ok ? "-" : r.v6 ? "IPv6" : "IPv4"); break;
                case Col::PktSrc: p = ok ? addr(p, r.psrc, r.v6) : put(p, "-"); break;
                case Col::PktDst: p = ok ? addr(p, r.pdst, r.v6) : put(p, "-"); break;
                case Col::Region: p = put(p, kRegion); break;
                case Col::AzId: p = put(p, h.az); break;
                case Col::PktSrcSvc: p = put(p, kServiceNames[ok ? r.src_svc : 0]); break;
                case Col::PktDstSvc: p = put(p, kServiceNames[ok ? r.dst_svc : 0]); break;
                case Col::Direction: p = put(p, !ok ? "-" : r.egress ? "egress" : "ingress"); break;
                case Col::TrafficPath: p = (ok && r.path) ? num(p, uint64_t{r.path}) : put(p, "-"); break;
                case Col::Encryption: p = ok ? num(p, uint64_t{r.enc}) : put(p, "-"); break;
                case Col::Dash: p = put(p, "-"); break;
            }
            *p++ = ' ';
        }
        p[-1] = '\n';
        used_ = static_cast<size_t>(p - out_.get());
    }

    void flush_out() {
        if (used_ == 0) return;
        write_(std::string_view(out_.get(), used_));
        used_ = 0;
    }

    const GeneratorOptions& o_;
    const std::function<void(std::string_view)>& write_;
    Rng rng_;

    std::vector<Col> cols_;
    std::string version_text_, vpc_;
    std::array<Host, kHostCount> hosts_{};
    std::vector<std::string> v6_;
    std::vector<uint8_t> sweep_targets_, scrape_targets_;

    std::array<uint64_t, kCatCount> total_{}, emitted_{};  // records per category: planned, written
    uint16_t scan_sport_ = 0;
    uint64_t scan_next_ = 0;
    size_t sweep_next_ = 0;
    uint32_t sweep_pass_ = 0;

    uint64_t status_used_ = 0;  // interfaces with a NODATA/SKIPDATA record in this window (bit per host)
    int64_t ws_ = 0;    // current window start
    uint32_t len_ = 1;  // current window length, seconds (the last one may be short)

    std::array<Rec, 8> ev_{};  // the records of one event
    size_t nev_ = 0;
    std::vector<Rec> batch_;
    std::vector<uint32_t> order_;
    size_t nbatch_ = 0;

    std::unique_ptr<char[]> out_;
    size_t out_size_ = 0, used_ = 0, max_record_ = 0;
};

}  // namespace

void generate(const GeneratorOptions& options, const std::function<void(std::string_view)>& write) {
    Generator(options, write).run();
}

std::string generate_to_string(const GeneratorOptions& options) {
    std::string out;
    out.reserve(static_cast<size_t>(std::min<uint64_t>(options.records, uint64_t{1} << 24)) * 112 + 512);
    generate(options, [&out](std::string_view chunk) { out.append(chunk); });
    return out;
}

}  // namespace flowlens
