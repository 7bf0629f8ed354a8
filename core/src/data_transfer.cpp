#include "flowlens/data_transfer.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <bit>
#include <cstring>
#include <type_traits>

namespace flowlens {

static_assert(std::endian::native == std::endian::little, "the export is the in-memory layout, little-endian");

namespace {

constexpr char kMagic[8] = {'F', 'L', 'O', 'W', 'L', 'E', 'N', 'S'};
constexpr size_t kReasons = static_cast<size_t>(BadLineReason::Count_);

// ---- writing ---------------------------------------------------------------------------------

class Writer {
public:
    explicit Writer(std::vector<uint8_t>& out) : out_(out) {}
    void bytes(const void* p, size_t n) {
        if (n == 0) return;
        const size_t at = out_.size();
        out_.resize(at + n);
        std::memcpy(out_.data() + at, p, n);
    }
    template <class T>
    void num(T v) {
        static_assert(std::is_integral_v<T>);
        bytes(&v, sizeof v);
    }
    void u8(bool v) { num<uint8_t>(v ? 1 : 0); }
    void str(std::string_view s) {
        num<uint64_t>(s.size());
        bytes(s.data(), s.size());
    }
    template <class T>
    void array(const T* p, size_t n) {
        num<uint64_t>(n);
        bytes(p, n * sizeof(T));
    }

private:
    std::vector<uint8_t>& out_;
};

// ---- reading: every read is checked; the first failure sticks and later reads return zeros ----

class Reader {
public:
    explicit Reader(std::span<const uint8_t> in) : in_(in) {}
    bool ok() const noexcept { return error_.empty(); }
    const std::string& error() const noexcept { return error_; }
    size_t left() const noexcept { return in_.size() - pos_; }
    void fail(std::string why) {
        if (error_.empty()) error_ = "not a FlowLens data export (or damaged): " + std::move(why);
    }
    bool bytes(void* p, size_t n) {
        if (!ok()) return false;
        if (n > left()) {
            fail("truncated at byte " + std::to_string(in_.size()));
            return false;
        }
        if (n != 0) std::memcpy(p, in_.data() + pos_, n);
        pos_ += n;
        return true;
    }
    template <class T>
    T num() {
        T v{};
        bytes(&v, sizeof v);
        return v;
    }
    bool flag() {
        const auto v = num<uint8_t>();
        if (v > 1) fail("a flag byte is " + std::to_string(v));
        return v == 1;
    }
    // A count of elements of `size` bytes each that must still be in the buffer: checked before
    // anything is allocated for them, so a corrupt count cannot ask for gigabytes.
    size_t count(size_t size) {
        const auto n = num<uint64_t>();
        if (!ok()) return 0;
        if (n > left() / std::max<size_t>(size, 1)) {
            fail("a count of " + std::to_string(n) + " runs past the end");
            return 0;
        }
        return static_cast<size_t>(n);
    }
    std::string str() {
        const size_t n = count(1);
        std::string s(n, '\0');
        bytes(s.data(), n);
        return s;
    }
    // n values of T into v (emptied first), then `pad` zeros. Copied through a small stack block
    // rather than into a zero-filled vector: the vector's memory is written once, not twice.
    template <class T>
    void values(std::vector<T>& v, size_t n, size_t pad) {
        v.clear();
        if (!ok()) return;
        if (n > left() / sizeof(T)) return fail("truncated at byte " + std::to_string(in_.size()));
        v.reserve(n + pad);
        constexpr size_t kBlock = 4096 / sizeof(T);
        T block[kBlock];
        for (size_t done = 0; done < n;) {
            const size_t k = std::min(kBlock, n - done);
            std::memcpy(block, in_.data() + pos_, k * sizeof(T));
            v.insert(v.end(), block, block + k);
            pos_ += k * sizeof(T);
            done += k;
        }
        v.resize(n + pad);
    }
    template <class T>
    void array(std::vector<T>& v) {
        const size_t n = count(sizeof(T));
        v.resize(n);
        bytes(v.data(), n * sizeof(T));
    }

private:
    std::span<const uint8_t> in_;
    size_t pos_ = 0;
    std::string error_;
};

constexpr size_t padding(unsigned width) noexcept { return (4 - width) / width; }

}  // namespace

// The one place outside Column that reads and writes the stores' private arrays (store.hpp).
struct DataTransferAccess {
    static void write_column(Writer& w, const Column& c) {
        w.str(c.name);
        w.num<uint8_t>(static_cast<uint8_t>(c.kind));
        w.num<uint8_t>(c.width_);
        w.u8(c.base_ != nullptr);
        c.visit_stored([&](const auto* s) { w.bytes(s, c.size_ * c.width_); });
        w.array(c.nulls.bits_.data(), c.nulls.bits_.size());
        w.array(c.escapes_.rows_.data(), c.escapes_.rows_.size());
        w.array(c.escapes_.values_.data(), c.escapes_.values_.size());
        const size_t values = c.holds_ids() && c.kind != FieldKind::Address ? c.dict.size() - 1 : 0;
        w.num<uint64_t>(values);
        for (size_t i = 1; i <= values; ++i) w.str(c.dict.value(static_cast<uint32_t>(i)));
    }

    static void write_report(Writer& w, const IngestReport& r) {
        w.num<uint64_t>(r.total_);
        w.num<uint32_t>(static_cast<uint32_t>(kReasons));
        for (uint64_t n : r.counts_) w.num<uint64_t>(n);
        w.num<uint64_t>(r.examples_.size());
        for (const auto& e : r.examples_) {
            w.num<uint32_t>(e.file);
            w.num<uint64_t>(e.line);
            w.num<uint8_t>(static_cast<uint8_t>(e.reason));
            w.str(e.detail);
            w.str(e.text);
        }
        w.num<uint64_t>(r.files.size());
        for (const auto& f : r.files) {
            w.str(f.name);
            w.num<uint64_t>(f.bytes);
            w.num<uint64_t>(f.records);
            w.num<uint64_t>(f.bad_lines);
            w.num<uint64_t>(f.headers);
            w.u8(f.gzip);
            w.str(f.input_format);
            w.str(f.format);
            w.str(f.error);
            w.u8(f.part.has_value());
            if (!f.part) continue;
            const FilePartInfo& p = *f.part;
            w.num<uint64_t>(p.offset);
            w.num<uint64_t>(p.end);
            w.num<uint64_t>(p.lines);
            w.str(p.start_format);
            w.str(p.fatal_error);
            w.str(p.parser_error_head);
            w.str(p.parser_error_tail);
            w.num<uint64_t>(p.parser_error_line);
            w.u8(p.parser_error_overrides);
        }
    }

    static std::vector<uint8_t> write(const DataSet& d) {
        const Store& s = d.store;
        size_t estimate = 4096 + s.addresses().size() * 17 + s.spans_.size() * 8;
        for (const auto& c : s.columns_)
            estimate += 256 + c->size_ * c->width_ + c->nulls.bits_.size() * 8 + c->escapes_.size() * 12 +
                        (c->kind == FieldKind::Address ? 0 : c->dict.size() * 24);
        std::vector<uint8_t> out;
        out.reserve(estimate);
        Writer w(out);
        w.bytes(kMagic, sizeof kMagic);
        w.num<uint32_t>(kDataFormatVersion);
        w.num<uint32_t>(0);
        w.num<uint64_t>(s.rows_);
        w.num<uint64_t>(s.addresses().size() - 1);
        for (size_t i = 1; i < s.addresses().size(); ++i) {
            const IpAddress& a = s.addresses().address(static_cast<uint32_t>(i));
            w.bytes(a.bytes.data(), a.bytes.size());
            w.u8(a.v4);
        }
        w.num<uint64_t>(s.file_names_.size());
        for (const auto& n : s.file_names_) w.str(n);
        w.num<uint64_t>(s.spans_.size());
        for (const auto& sp : s.spans_) {
            w.num<uint32_t>(sp.first_row);
            w.num<uint32_t>(sp.file);
        }
        w.num<uint64_t>(s.columns_.size());
        for (const auto& c : s.columns_) write_column(w, *c);
        write_report(w, d.report);
        return out;
    }

    // ---- import ----

    static void read_column(Reader& r, Store& store, size_t rows) {
        std::string name = r.str();
        const auto kind_byte = r.num<uint8_t>();
        const auto width = r.num<uint8_t>();
        const bool has_base = r.flag();
        if (!r.ok()) return;
        if (name.empty() || store.find(name)) return r.fail("column name '" + name + "' empty or repeated");
        if (kind_byte > static_cast<uint8_t>(FieldKind::Text)) return r.fail("column kind " + std::to_string(kind_byte));
        // The store decides a column's kind and base from its name and the columns before it,
        // as it did when the data was loaded: the export must agree.
        Column& c = store.column(name);
        const auto kind = static_cast<FieldKind>(kind_byte);
        if (c.kind != kind || (c.base_ != nullptr) != has_base)
            return r.fail("column '" + name + "' has the wrong kind or base");
        const bool fixed = c.kind == FieldKind::Small || c.kind == FieldKind::Port || c.kind == FieldKind::Flags ||
                           (c.kind == FieldKind::Time && !c.base_);
        if ((width != 1 && width != 2 && width != 4) || (fixed && width != c.width_))
            return r.fail("column '" + name + "' has width " + std::to_string(width));
        if (rows > r.left() / width) return r.fail("column '" + name + "' is truncated");
        c.width_ = width;
        c.size_ = rows;
        std::vector<uint8_t>().swap(c.u8_);
        std::vector<uint16_t>().swap(c.u16_);
        auto load = [&](auto& v) { r.values(v, rows, padding(width)); };
        if (width == 1) load(c.u8_);
        else if (width == 2) load(c.u16_);
        else load(c.u32_);

        r.array(c.nulls.bits_);
        r.array(c.escapes_.rows_);
        r.array(c.escapes_.values_);
        const size_t values = r.count(8);
        if (values != 0 && c.kind != FieldKind::Enum && c.kind != FieldKind::Text)
            return r.fail("column '" + name + "' has words but is not a word column");
        for (size_t i = 1; i <= values && r.ok(); ++i) {
            const std::string v = r.str();
            if (r.ok() && c.dict.intern(v) != i) return r.fail("column '" + name + "' repeats a word");
        }
        if (!r.ok()) return;

        // Null masks only on numeric kinds, no bit past the last row, and a null row stores 0.
        const auto& bits = c.nulls.bits_;
        if (!bits.empty() && (c.holds_ids() || bits.size() > (rows + 63) / 64))
            return r.fail("column '" + name + "' has a bad null mask");
        for (size_t wi = 0; wi < bits.size(); ++wi)
            for (uint64_t b = bits[wi]; b != 0; b &= b - 1) {
                const size_t row = wi * 64 + static_cast<size_t>(std::countr_zero(b));
                if (row >= rows || c.stored(row) != 0) return r.fail("column '" + name + "' has a bad null row");
            }
        // Escapes: only where the kind escapes, rows increasing, exactly the rows holding the mark.
        const auto& er = c.escapes_.rows_;
        if (er.size() != c.escapes_.values_.size() || (!c.escapable() && !er.empty()))
            return r.fail("column '" + name + "' has bad escapes");
        for (size_t i = 0; i < er.size(); ++i)
            if (er[i] >= rows || (i > 0 && er[i] <= er[i - 1]) || c.stored(er[i]) != c.escape_mark() ||
                c.nulls.is_null(er[i]))
                return r.fail("column '" + name + "' has a bad escape");
        // Every id and code must name an entry, and an escapable column's marks must all be
        // escapes (a query reads the escape list for them).
        const size_t limit = c.kind == FieldKind::Address ? store.addresses().size() : c.dict.size();
        const uint32_t mark = c.escape_mark();
        size_t marks = 0;
        uint32_t top = 0;
        c.visit_stored([&](const auto* s) {
            for (size_t i = 0; i < rows; ++i) {
                top = std::max<uint32_t>(top, s[i]);
                marks += s[i] == mark;
            }
        });
        if (c.holds_ids() && rows > 0 && top >= limit)
            return r.fail("column '" + name + "' holds an unknown id " + std::to_string(top));
        if (c.escapable() && marks != er.size()) return r.fail("column '" + name + "' has unlisted escapes");
        if (c.kind == FieldKind::Small && top > 255) return r.fail("column '" + name + "' is out of range");
    }

    static void read_report(Reader& r, IngestReport& rep, size_t files) {
        rep.total_ = r.num<uint64_t>();
        if (r.num<uint32_t>() != kReasons) return r.fail("a different list of bad-line reasons");
        uint64_t sum = 0;
        for (auto& n : rep.counts_) {
            n = r.num<uint64_t>();
            sum += n;
        }
        if (r.ok() && sum != rep.total_) return r.fail("bad-line counts do not add up");
        const size_t examples = r.count(23);
        std::array<uint64_t, kReasons> per_reason{};
        for (size_t i = 0; i < examples && r.ok(); ++i) {
            BadLineExample e;
            e.file = r.num<uint32_t>();
            e.line = r.num<uint64_t>();
            const auto reason = r.num<uint8_t>();
            e.detail = r.str();
            e.text = r.str();
            if (!r.ok()) return;
            if (reason >= kReasons || e.file >= files) return r.fail("a bad-line example names no reason or file");
            if (++per_reason[reason] > std::min<uint64_t>(rep.counts_[reason], IngestReport::kExamplesPerReason))
                return r.fail("more bad-line examples than the counts allow");
            e.reason = static_cast<BadLineReason>(reason);
            rep.examples_.push_back(std::move(e));
        }
        if (r.count(1) != files) return r.fail("file reports do not match the files");
        rep.files.resize(files);
        for (auto& f : rep.files) {
            if (!r.ok()) return;
            f.name = r.str();
            f.bytes = r.num<uint64_t>();
            f.records = r.num<uint64_t>();
            f.bad_lines = r.num<uint64_t>();
            f.headers = r.num<uint64_t>();
            f.gzip = r.flag();
            f.input_format = r.str();
            f.format = r.str();
            f.error = r.str();
            if (!r.flag()) continue;
            FilePartInfo p;
            p.offset = r.num<uint64_t>();
            p.end = r.num<uint64_t>();
            p.lines = r.num<uint64_t>();
            p.start_format = r.str();
            p.fatal_error = r.str();
            p.parser_error_head = r.str();
            p.parser_error_tail = r.str();
            p.parser_error_line = r.num<uint64_t>();
            p.parser_error_overrides = r.flag();
            f.part = std::move(p);
        }
    }

    static std::variant<DataSet, std::string> read(std::span<const uint8_t> in) {
        Reader r(in);
        char magic[sizeof kMagic] = {};
        r.bytes(magic, sizeof magic);
        if (!r.ok() || std::memcmp(magic, kMagic, sizeof magic) != 0)
            return std::string("not a FlowLens data export (no FLOWLENS header)");
        const auto version = r.num<uint32_t>();
        r.num<uint32_t>();
        if (r.ok() && version != kDataFormatVersion)
            return "a FlowLens data export of format " + std::to_string(version) + ", this build reads " +
                   std::to_string(kDataFormatVersion);
        DataSet d;
        Store& s = d.store;
        const auto rows = r.num<uint64_t>();
        if (rows > 0xFFFFFFFFu) r.fail("more rows than a store holds");
        const size_t addresses = r.count(17);
        for (size_t i = 1; i <= addresses && r.ok(); ++i) {
            IpAddress a;
            r.bytes(a.bytes.data(), a.bytes.size());
            a.v4 = r.flag();
            if (!r.ok()) break;
            if (a.v4 && std::any_of(a.bytes.begin(), a.bytes.begin() + 12, [](uint8_t b) { return b != 0; }))
                r.fail("a malformed IPv4 address");
            else if (s.addresses().intern(a) != i)
                r.fail("the address table repeats an address");
        }
        const size_t files = r.count(8);
        for (size_t i = 0; i < files && r.ok(); ++i) s.add_file(r.str());
        const size_t spans = r.count(8);
        for (size_t i = 0; i < spans && r.ok(); ++i) {
            FileSpan sp{r.num<uint32_t>(), r.num<uint32_t>()};
            if (!r.ok()) break;
            if (sp.file >= files || sp.first_row > rows || (i == 0 && sp.first_row != 0) ||
                (i > 0 && sp.first_row <= s.spans_.back().first_row))
                r.fail("bad file spans");
            s.spans_.push_back(sp);
        }
        if (r.ok() && rows > 0 && spans == 0) r.fail("rows without a file");
        const size_t columns = r.count(12);
        for (size_t i = 0; i < columns && r.ok(); ++i) read_column(r, s, static_cast<size_t>(rows));
        s.rows_ = r.ok() ? static_cast<size_t>(rows) : 0;
        if (r.ok()) read_report(r, d.report, files);
        if (r.ok() && r.left() != 0) r.fail(std::to_string(r.left()) + " bytes after the end");
        if (r.ok())
            for (size_t i = 0; i < files; ++i)
                if (d.report.files[i].name != s.file_names_[i]) r.fail("file reports do not match the files");
        if (!r.ok()) return r.error();
        return d;
    }

    // ---- merge ----

    static void add_rows(Store& s, size_t n) { s.rows_ += n; }
    static std::vector<FileSpan>& spans(Store& s) { return s.spans_; }
    static void add_counts(IngestReport& into, const IngestReport& from) {
        for (size_t i = 0; i < kReasons; ++i) into.counts_[i] += from.counts_[i];
        into.total_ += from.total_;
    }
    static std::vector<BadLineExample>& examples(IngestReport& r) { return r.examples_; }
};

std::vector<uint8_t> export_data(const DataSet& data) { return DataTransferAccess::write(data); }

std::variant<DataSet, std::string> import_data(std::span<const uint8_t> bytes) {
    return DataTransferAccess::read(bytes);
}

namespace {

// Folds part `p` into the report `acc` of the earlier parts of its file (append_data's contract).
void fold_report(FileReport& acc, FileReport&& p, uint64_t line_offset) {
    acc.bytes += p.bytes;
    acc.records += p.records;
    acc.bad_lines += p.bad_lines;
    acc.headers += p.headers;
    // The first part that saw content says what the file is (a part of only blank lines says
    // "unknown", as a whole file of blank lines would).
    if (acc.input_format == "unknown") acc.input_format = p.input_format;
    acc.format = std::move(p.format);  // the layout at the end of the file
    FilePartInfo& a = *acc.part;
    const FilePartInfo& b = *p.part;
    a.end = b.end;
    a.lines += b.lines;
    if (a.fatal_error.empty()) a.fatal_error = b.fatal_error;
    // The parser keeps its first error, unless a later one overrides (record_parser.hpp).
    if (!b.parser_error_head.empty() && (a.parser_error_head.empty() || b.parser_error_overrides)) {
        a.parser_error_head = b.parser_error_head;
        a.parser_error_tail = b.parser_error_tail;
        a.parser_error_line = b.parser_error_line + line_offset;
    }
    a.parser_error_overrides = a.parser_error_overrides || b.parser_error_overrides;
    const std::string parser_error =
        a.parser_error_head.empty() ? std::string()
                                    : a.parser_error_head + std::to_string(a.parser_error_line) + a.parser_error_tail;
    acc.error = file_error_text(a.fatal_error, acc.records, parser_error, acc.bad_lines);
}

// Where each of from's files goes: a new file number, or folded into the one before.
struct FilePlan {
    uint32_t target = 0;
    bool fold = false;
    uint64_t line_offset = 0;  // lines of the earlier parts, added to the part's line numbers
};

}  // namespace

std::string append_data(DataSet& into, DataSet&& from) {
    Store& dst = into.store;
    const Store& src = from.store;
    auto& files_in = into.report.files;
    auto& files_from = from.report.files;
    if (files_from.size() != src.file_names().size() || files_in.size() != dst.file_names().size())
        return "a data set's file reports do not match its files";
    if (dst.rows() + src.rows() > 0xFFFFFFFFu) return "more than 4,294,967,295 records in all";

    // ---- plan (nothing changes before every check has passed) ----
    std::vector<FilePlan> plan(files_from.size());
    const FileReport* last = files_in.empty() ? nullptr : &files_in.back();
    std::string last_name = last ? last->name : std::string();
    std::optional<uint64_t> last_end;
    if (last && last->part) last_end = last->part->end;
    std::string last_format = last ? last->format : std::string();
    uint64_t last_lines = last && last->part ? last->part->lines : 0;
    auto next = static_cast<uint32_t>(files_in.size());
    uint32_t target = next == 0 ? 0 : next - 1;
    for (size_t i = 0; i < files_from.size(); ++i) {
        const FileReport& f = files_from[i];
        // (offset 0 continues only an empty first part [0, 0).)
        const bool continues = f.part && last_end && *last_end == f.part->offset && f.name == last_name;
        if (continues) {
            if (f.part->start_format != last_format)
                return "'" + f.name + "', part at byte " + std::to_string(f.part->offset) +
                       ": its layout differs from where the previous part ended (several header lines, or none on "
                       "the first line?); load this file in one piece";
            plan[i] = {target, true, last_lines};
            last_lines += f.part->lines;
        } else {
            target = next++;
            plan[i] = {target, false, 0};
            last_name = f.name;
            last_lines = f.part ? f.part->lines : 0;
        }
        last_end = f.part ? std::optional<uint64_t>(f.part->end) : std::nullopt;
        last_format = f.format;
    }

    // Into an empty data set, with nothing to fold, the result is `from` itself: no copy (the
    // first import of a merge, which would otherwise hold two copies at its peak).
    const bool into_empty = files_in.empty() && dst.rows() == 0 && dst.columns().empty() &&
                            dst.addresses().size() == 1 && into.report.bad_lines() == 0 &&
                            into.report.examples().empty();
    if (into_empty && std::none_of(plan.begin(), plan.end(), [](const FilePlan& p) { return p.fold; })) {
        into = std::move(from);
        return {};
    }

    // ---- rows ----
    const size_t old_rows = dst.rows(), add = src.rows();
    std::vector<uint32_t> address_map(src.addresses().size(), 0);
    for (size_t id = 1; id < address_map.size(); ++id)
        address_map[id] = dst.addresses().intern(src.addresses().address(static_cast<uint32_t>(id)));
    // Columns only `from` has are made in from's order, as loading its files after into's would.
    for (const auto& c : src.columns()) dst.column(c->name);
    std::vector<uint32_t> code_map;
    for (int pass = 0; pass < 2; ++pass) {
        // `end` after `start`: it is re-encoded against the start rows just appended.
        for (const auto& cp : dst.columns()) {
            Column& c = *cp;
            if ((c.base() != nullptr) != (pass == 1)) continue;
            c.pad_to(old_rows);
            const Column* s = src.find(c.name);
            if (s != nullptr) {
                std::span<const uint32_t> remap;
                if (c.kind == FieldKind::Address) {
                    remap = address_map;
                } else if (c.kind == FieldKind::Enum || c.kind == FieldKind::Text) {
                    code_map.assign(s->dict.size(), 0);
                    for (size_t code = 1; code < code_map.size(); ++code)
                        code_map[code] = c.dict.intern(s->dict.value(static_cast<uint32_t>(code)));
                    remap = code_map;
                }
                c.append_column(*s, remap);
            }
            c.pad_to(old_rows + add);
        }
    }
    DataTransferAccess::add_rows(dst, add);

    // ---- files and spans ----
    auto& spans = DataTransferAccess::spans(dst);
    for (const FileSpan& sp : src.spans()) {
        const auto first = static_cast<uint32_t>(sp.first_row + old_rows);
        const uint32_t file = plan[sp.file].target;
        // As Store::begin_file: a file that got no rows gives its span to the next one; a
        // folded part continues its file's span.
        if (!spans.empty() && spans.back().first_row == first) {
            spans.back().file = file;
            if (spans.size() >= 2 && spans[spans.size() - 2].file == file) spans.pop_back();
        } else if (spans.empty() || spans.back().file != file) {
            spans.push_back({first, file});
        }
    }
    for (size_t i = 0; i < files_from.size(); ++i) {
        if (plan[i].fold) {
            fold_report(files_in[plan[i].target], std::move(files_from[i]), plan[i].line_offset);
        } else {
            dst.add_file(src.file_names()[i]);
            files_in.push_back(std::move(files_from[i]));
        }
    }

    // ---- bad lines: counts add up, the first examples per reason in load order stay ----
    DataTransferAccess::add_counts(into.report, from.report);
    auto& examples = DataTransferAccess::examples(into.report);
    std::array<size_t, kReasons> kept{};
    for (const auto& e : examples) ++kept[static_cast<size_t>(e.reason)];
    for (auto& e : DataTransferAccess::examples(from.report)) {
        size_t& k = kept[static_cast<size_t>(e.reason)];
        if (k >= IngestReport::kExamplesPerReason) continue;
        ++k;
        const FilePlan& p = plan[e.file];
        e.file = p.target;
        if (p.fold) e.line += p.line_offset;
        examples.push_back(std::move(e));
    }
    return {};
}

}  // namespace flowlens
