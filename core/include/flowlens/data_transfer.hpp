// data_transfer.hpp — a whole DataSet as bytes and back, and the merge of data sets: what lets
// several Web Workers (one wasm instance each) parse files or parts of a file in parallel and
// hand their results to one instance that queries them all.
//
// Contract:
// - export_data() writes everything a query, a record listing or a report can see: rows, every
//   column (name, kind, width, stored integers, null mask, escapes, dictionary, the `end` ->
//   `start` base relation), the address table, file names and spans, the IngestReport (file
//   reports with their part information, bad-line counts per reason and examples). Columns are
//   copied as they are stored (memcpy of the arrays), so it costs about one pass over the
//   store's memory. The bytes are little-endian, start with the magic "FLOWLENS" and
//   kDataFormatVersion, and are meant for another instance of the same build (not for storage).
// - import_data() rebuilds the DataSet. Every length, offset, id, code, escape and null bit is
//   checked against the store's invariants (store.hpp) before it is used: a truncated, corrupt
//   or foreign buffer gives an error message, never a crash or undefined behaviour.
// - append_data(into, from) appends `from`'s files and rows after `into`'s, giving what loading
//   into's files and then from's files into one DataSet would have given: addresses and
//   dictionary codes re-interned (the same ids and codes as that single load), columns matched
//   by name (a column only one side has is null on the other side's rows), files renumbered,
//   bad-line counts added and the examples kept the first kExamplesPerReason per reason in
//   load order. A part of a file (loader.hpp, FilePart) that continues the file before it
//   (same name, its offset == that part's end) is folded into it: one file, one report whose
//   counts are the sums, whose line numbers continue the earlier parts', whose error is what
//   the whole file would have had. O(rows + distinct values) in bulk loops.
//   Returns "" or an error, and then `into` is unchanged: a part that began with a layout other
//   than the one the previous part ended with (a file with several header lines of different
//   layouts, or whose first line gives no layout; such a file must be loaded in one piece), or
//   more than 4,294,967,295 rows in all.
//   One difference from a single load remains, by design: an enumeration field with more than
//   255 distinct words in all (the parser's limit, per store) is not cut back when merging.
// - Never throws except bad_alloc.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "flowlens/loader.hpp"

namespace flowlens {

inline constexpr uint32_t kDataFormatVersion = 1;

std::vector<uint8_t> export_data(const DataSet& data);
std::variant<DataSet, std::string> import_data(std::span<const uint8_t> bytes);
std::string append_data(DataSet& into, DataSet&& from);

}  // namespace flowlens
