// analyses_internal.hpp — the fused analysis engine's entry point for analyze() (not public API).
#pragma once

#include <string>
#include <variant>

#include "flowlens/analysis.hpp"

namespace flowlens::detail {

// analyze() without its RowSet size check: totals, every top key, the time series and the
// reject report in one pass over the selected rows (analyses.cpp).
std::variant<Analysis, std::string> analyze_all(const Store& store, const RowSet& rows, const AnalysisOptions& options);

}  // namespace flowlens::detail
