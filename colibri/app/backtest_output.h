#pragma once
// What `colibri backtest --out DIR` wrote, read back for the report (backtest_report.h):
//   summary.json  strategy, symbol (comma-separated when several markets), period, orders by
//                 outcome, balances, "metrics" (the portfolio's) and "markets" (each market's)
//   series.csv    time,symbol,mid,best_bid,best_ask,bid_quote,ask_quote,base_balance,quote_balance,equity,
//                 pnl,drawdown_pct: one row per market per sampling interval (equity, pnl and
//                 drawdown are the portfolio's, the same in every market's row)
//   fills.csv     time,symbol,order_id,side,price,quantity,fee,fee_asset,liquidity (side buy or sell
//                 and liquidity maker or taker, in any case)
// The symbol columns may be missing (files of one market written before they existed).
// Numbers for charts are doubles (a report draws them; nothing here reaches an order or a balance);
// exact decimal strings stay text wherever the page prints them (balances, metrics).
//
// Errors are values: a missing file is NotFound, an unreadable one Io, a malformed one
// InvalidArgument, and every message names the file and, for CSV, the line and field:
// "DIR/series.csv:17: mid: not a number: "x"". The CSV files are streamed once each, their rows
// split by market (data::LineReader; gzip is read too); summary.json is read whole.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "colibri/core/result.h"

namespace colibri::app {

// One entry of summary.json's "metrics" object.
struct SummaryMetric {
  std::string key;
  std::string text;  // the value as written: a JSON number's literal, a string's content, or "null"
  std::optional<double> value;  // the text as a number, when it is one
};

struct SummaryBalance {
  std::string asset;
  std::string amount;  // exact decimal string, as written
};

// One entry of summary.json's "markets" (several markets in one run): its trading metrics.
struct SummaryMarket {
  std::string symbol;
  std::string base;
  std::vector<SummaryMetric> metrics;  // in file order
};

struct BacktestSummary {
  std::string strategy;
  std::string symbol;
  std::string start_time;  // ISO-8601 UTC, as written
  std::string end_time;
  std::vector<std::pair<std::string, std::uint64_t>> orders;  // outcome -> count, in file order
  std::vector<SummaryBalance> starting_balances;              // in file order
  std::vector<SummaryBalance> final_balances;
  std::vector<SummaryMetric> metrics;  // in file order; empty when the file has no "metrics" (the portfolio's)
  std::vector<SummaryMarket> markets;  // each market's entry of "markets", in file order (may be empty)
  std::string base;                    // the market's assets, when the summary names them
  std::string quote;
  std::optional<std::uint64_t> records;     // data records replayed
  std::optional<std::uint64_t> events;      // market events in them (level updates, trades)
  std::optional<std::uint64_t> data_files;  // how many data files were replayed
  std::optional<std::uint64_t> open_orders_at_end;
  std::optional<bool> shutdown_complete;
};

// series.csv's value columns, in the file's documented order.
enum class SeriesColumn : std::uint8_t {
  Mid,
  BestBid,
  BestAsk,
  BidQuote,
  AskQuote,
  BaseBalance,
  QuoteBalance,
  Equity,
  Pnl,
  DrawdownPct,
};
inline constexpr std::size_t kSeriesColumns = 10;
// The header name of a column ("mid", "best_bid", ...).
[[nodiscard]] std::string_view series_column_name(SeriesColumn column) noexcept;

// Invariants: every column has time_ns.size() values; NaN marks an empty field (no book yet, no
// own quote).
struct BacktestSeries {
  std::vector<std::int64_t> time_ns;
  std::array<std::vector<double>, kSeriesColumns> columns;
  [[nodiscard]] const std::vector<double>& operator[](SeriesColumn c) const {
    return columns[static_cast<std::size_t>(c)];
  }
};

struct BacktestFill {
  std::int64_t time_ns = 0;
  std::string order_id;
  bool buy = false;
  double price = 0;
  double quantity = 0;
  double fee = 0;
  std::string fee_asset;
  bool maker = false;
};

// One market's rows of series.csv and fills.csv. In its series rows, equity, pnl, drawdown_pct and
// quote_balance are the portfolio's (the same in every market's rows).
struct MarketOutput {
  std::string symbol;  // as summary.json names it ("BTCUSDT")
  std::string base;    // its base asset when the summary names it ("BTC"), else empty
  BacktestSeries series;
  std::vector<BacktestFill> fills;
};

struct BacktestOutput {
  BacktestSummary summary;
  // summary.markets' markets in their order, or when it has none (files of one market written
  // before "markets" existed) the market of summary.symbol and summary.base: at least one.
  std::vector<MarketOutput> markets;
};

// CSV files need the header line; their columns are found by name (extra columns are ignored, a
// missing one is an error naming it).
[[nodiscard]] Result<BacktestSummary> load_backtest_summary(const std::filesystem::path& file);
// series.csv and fills.csv read once, their rows split by market: element i of the result holds the
// rows of symbols[i]. A row without a symbol (files of one market written before the column
// existed) belongs to every market; another market's row is skipped unread.
[[nodiscard]] Result<std::vector<BacktestSeries>> load_backtest_series(
    const std::filesystem::path& file, std::span<const std::string_view> symbols);
[[nodiscard]] Result<std::vector<std::vector<BacktestFill>>> load_backtest_fills(
    const std::filesystem::path& file, std::span<const std::string_view> symbols);
// All three files of an output directory, the CSV rows split by market.
[[nodiscard]] Result<BacktestOutput> load_backtest_output(const std::filesystem::path& dir);

// "2024-08-08T23:54:01.000000000Z" (0 to 9 fractional digits, 'Z' required) as ns since the epoch.
[[nodiscard]] std::optional<std::int64_t> parse_utc_time(std::string_view text) noexcept;

}  // namespace colibri::app
