#pragma once
// The backtest report: one self-contained HTML page, report.html, written beside the files of a
// backtest's output directory (backtest_output.h) and readable offline: a header with the run
// (strategy, symbol, period), headline figures, the metrics table (every key of summary.json's
// "metrics": known keys with a label and unit, unknown ones by their name), balances and orders,
// and one chart with a shared time axis: per market, price with the top of book, our own quotes and
// our fills, and inventory; then the portfolio's equity and PnL, and drawdown. The charting library (chart_library.h) is inlined into the
// page; series are reduced to at most kMaxChartPoints points per trace (min_max_points) so the page
// stays small and fast on a day of one-second samples.
//
// The page is a function of the files: the same directory gives the same bytes (no wall time).
// Everything that comes from the files is escaped (HTML text, and JSON inside <script> with '<',
// '>' and '&' as \u escapes).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "colibri/app/backtest_output.h"
#include "colibri/core/result.h"

namespace colibri::app {

inline constexpr std::size_t kMaxChartPoints = 4000;
inline constexpr std::size_t kMaxChartFills = 4000;  // markers per fill trace (side x liquidity)

// One point a chart keeps: row `row` of the input, or a break in the line (gap) at that row's time.
struct ChartPoint {
  std::size_t row = 0;
  bool gap = false;
  friend bool operator==(const ChartPoint&, const ChartPoint&) = default;
};

// Reduces one column to at most `max_points` (>= 3) points for a line chart. Short columns come
// back whole (NaN rows as gaps). Longer ones are cut into equal buckets of consecutive rows; each
// bucket keeps its lowest and highest value, in row order, and, when some of its rows are NaN, a
// gap at the first of them, so every extreme and every stretch without a value stays visible.
[[nodiscard]] std::vector<ChartPoint> min_max_points(std::span<const double> values, std::size_t max_points);

// Renders the page for `output`.
[[nodiscard]] std::string render_backtest_report(const BacktestOutput& output);

// Loads out_dir's summary.json, series.csv and fills.csv and writes out_dir/report.html (through
// a temporary file and a rename, so a reader never sees half a page). Returns the page's path, or
// the loader's error (naming the file, line and field) or an Io error.
[[nodiscard]] Result<std::filesystem::path> write_backtest_report(const std::filesystem::path& out_dir);

}  // namespace colibri::app
