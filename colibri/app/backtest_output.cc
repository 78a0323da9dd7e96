#include "colibri/app/backtest_output.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <span>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <simdjson.h>

#include "colibri/core/ascii.h"
#include "colibri/data/line_reader.h"

namespace colibri::app {
namespace {

namespace fs = std::filesystem;
namespace od = simdjson::ondemand;

constexpr std::array<std::string_view, kSeriesColumns> kSeriesColumnNames = {
    "mid",          "best_bid",      "best_ask", "bid_quote", "ask_quote",
    "base_balance", "quote_balance", "equity",   "pnl",       "drawdown_pct"};

Result<std::string> read_whole_file(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return fail(ErrorCode::NotFound, "{}: no such file", file.string());
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad() || !in.is_open()) return fail(ErrorCode::Io, "{}: cannot read", file.string());
  return text;
}

std::optional<double> parse_number(std::string_view text) noexcept {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// Reads `file` as comma-separated values with a header line (no quoting: colibri's files never
// need it) and calls `row(line_number, fields)` for each data line, fields[i] being the value of
// columns[i]. Blank lines are allowed only at the end. A column named in `optional_columns` may be
// missing from the header (older files): its field is then empty.
template <typename RowFn>
Result<void> read_csv(const fs::path& file, std::span<const std::string_view> columns, RowFn&& row,
                      const std::set<std::string_view>& optional_columns = {}) {
  auto reader = data::LineReader::open(file);
  if (!reader) return fail(std::move(reader.error()));
  const std::string name = reader->name();
  std::vector<std::size_t> positions(columns.size(), SIZE_MAX);  // column i is field positions[i]
  std::vector<std::string_view> fields;
  std::vector<std::string_view> picked(columns.size());
  std::size_t header_fields = 0;
  std::optional<std::uint64_t> blank_line;
  std::string_view line;
  for (;;) {
    auto more = reader->next_line(line);
    if (!more) return fail(std::move(more.error()));
    if (!*more) break;
    const std::uint64_t line_number = reader->line_number();
    if (line.empty()) {
      if (!blank_line) blank_line = line_number;
      continue;
    }
    if (blank_line)
      return fail(ErrorCode::InvalidArgument, "{}:{}: blank line inside the file", name, *blank_line);
    fields.clear();
    for (std::size_t start = 0;;) {
      const std::size_t comma = line.find(',', start);
      fields.push_back(
          line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (line_number == 1) {
      header_fields = fields.size();
      for (std::size_t i = 0; i < columns.size(); ++i) {
        for (std::size_t f = 0; f < fields.size(); ++f) {
          if (fields[f] == columns[i]) positions[i] = f;
        }
        if (positions[i] == SIZE_MAX && !optional_columns.contains(columns[i])) {
          return fail(ErrorCode::InvalidArgument, "{}:1: header has no column '{}'", name, columns[i]);
        }
      }
      continue;
    }
    if (fields.size() != header_fields) {
      return fail(ErrorCode::InvalidArgument, "{}:{}: {} fields, the header has {}", name, line_number,
                  fields.size(), header_fields);
    }
    for (std::size_t i = 0; i < columns.size(); ++i) {
      picked[i] = positions[i] == SIZE_MAX ? std::string_view() : fields[positions[i]];
    }
    if (auto ok = row(line_number, std::span<const std::string_view>(picked)); !ok) return ok;
  }
  if (header_fields == 0) return fail(ErrorCode::InvalidArgument, "{}: empty file (no header line)", name);
  return {};
}

tl::unexpected<Error> field_error(const fs::path& file, std::uint64_t line, std::string_view column,
                                  std::string_view what, std::string_view text) {
  return fail(ErrorCode::InvalidArgument, "{}:{}: {}: {}: \"{}\"", file.string(), line, column, what, text);
}

// The markets of `symbols` a CSV row with `symbol` belongs to, as indices [first, last): its own
// market; every market for a row without a symbol (files of one market written before the column
// existed); none (first == last) for another market's row.
std::pair<std::size_t, std::size_t> row_markets(std::span<const std::string_view> symbols,
                                                std::string_view symbol) {
  if (symbol.empty()) return {0, symbols.size()};
  const auto at = static_cast<std::size_t>(std::ranges::find(symbols, symbol) - symbols.begin());
  return {at, std::min(at + 1, symbols.size())};
}

// --- summary.json ---------------------------------------------------------------------------

tl::unexpected<Error> json_error(const fs::path& file, std::string_view field, simdjson::error_code error) {
  return fail(ErrorCode::InvalidArgument, "{}: {}: {}", file.string(), field, simdjson::error_message(error));
}

std::string_view trim(std::string_view text) {
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

// Reads an object of asset -> decimal string.
Result<std::vector<SummaryBalance>> read_balances(const fs::path& file, std::string_view field,
                                                  od::value value) {
  od::object object;
  if (auto error = value.get_object().get(object)) return json_error(file, field, error);
  std::vector<SummaryBalance> out;
  for (auto member : object) {
    std::string_view asset;
    std::string_view amount;
    if (auto error = member.unescaped_key().get(asset)) return json_error(file, field, error);
    if (auto error = member.value().get_string().get(amount)) {
      return json_error(file, fmt::format("{}.{}", field, asset), error);
    }
    out.push_back({std::string(asset), std::string(amount)});
  }
  return out;
}

Result<std::vector<SummaryMetric>> read_metrics(const fs::path& file, od::value value) {
  od::object object;
  if (auto error = value.get_object().get(object)) return json_error(file, "metrics", error);
  std::vector<SummaryMetric> out;
  for (auto member : object) {
    std::string_view key;
    if (auto error = member.unescaped_key().get(key)) return json_error(file, "metrics", error);
    const std::string field = fmt::format("metrics.{}", key);
    od::value v;
    if (auto error = member.value().get(v)) return json_error(file, field, error);
    od::json_type type;
    if (auto error = v.type().get(type)) return json_error(file, field, error);
    SummaryMetric metric{std::string(key), {}, std::nullopt};
    switch (type) {
      case od::json_type::number:
        metric.text = trim(v.raw_json_token());
        metric.value = parse_number(metric.text);
        break;
      case od::json_type::string: {
        std::string_view text;
        if (auto error = v.get_string().get(text)) return json_error(file, field, error);
        metric.text = text;
        metric.value = parse_number(text);
        break;
      }
      case od::json_type::null:
        metric.text = "null";
        break;
      default:
        return fail(ErrorCode::InvalidArgument, "{}: {}: expected a number, a decimal string or null",
                    file.string(), field);
    }
    out.push_back(std::move(metric));
  }
  return out;
}

}  // namespace

std::string_view series_column_name(SeriesColumn column) noexcept {
  return kSeriesColumnNames[static_cast<std::size_t>(column)];
}

std::optional<std::int64_t> parse_utc_time(std::string_view text) noexcept {
  // YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z
  if (text.size() < 20 || text.back() != 'Z') return std::nullopt;
  auto digits = [&](std::size_t at, std::size_t count) -> std::optional<int> {
    int v = 0;
    for (std::size_t i = at; i < at + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':')
    return std::nullopt;
  const auto year = digits(0, 4);
  const auto month = digits(5, 2);
  const auto day = digits(8, 2);
  const auto hour = digits(11, 2);
  const auto minute = digits(14, 2);
  const auto second = digits(17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (*hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  std::int64_t nanos = 0;
  const std::string_view tail = text.substr(19, text.size() - 20);
  if (!tail.empty()) {
    if (tail[0] != '.' || tail.size() < 2 || tail.size() > 10) return std::nullopt;
    const auto fraction = digits(20, tail.size() - 1);
    if (!fraction) return std::nullopt;
    nanos = *fraction;
    for (std::size_t i = tail.size() - 1; i < 9; ++i) nanos *= 10;
  }
  const std::chrono::year_month_day date{std::chrono::year(*year),
                                         std::chrono::month(static_cast<unsigned>(*month)),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return std::nullopt;
  const std::int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  const std::int64_t seconds =
      days * 86'400 + std::int64_t{*hour} * 3'600 + std::int64_t{*minute} * 60 + *second;
  return seconds * 1'000'000'000 + nanos;
}

// "markets": [{"symbol":..., "base":..., "metrics":{...}, ...}, ...]; other members are skipped.
Result<std::vector<SummaryMarket>> read_markets(const fs::path& file, od::value value) {
  od::array array;
  if (auto error = value.get_array().get(array)) return json_error(file, "markets", error);
  std::vector<SummaryMarket> out;
  for (auto element : array) {
    od::object object;
    if (auto error = element.get_object().get(object)) return json_error(file, "markets", error);
    SummaryMarket market;
    for (auto member : object) {
      std::string_view key;
      if (auto error = member.unescaped_key().get(key)) return json_error(file, "markets", error);
      od::value v;
      if (auto error = member.value().get(v)) return json_error(file, fmt::format("markets.{}", key), error);
      if (key == "symbol" || key == "base") {
        std::string_view text;
        if (auto error = v.get_string().get(text)) return json_error(file, fmt::format("markets.{}", key), error);
        (key == "symbol" ? market.symbol : market.base) = text;
      } else if (key == "metrics") {
        auto metrics = read_metrics(file, v);
        if (!metrics) return fail(std::move(metrics.error()));
        market.metrics = std::move(*metrics);
      }
    }
    out.push_back(std::move(market));
  }
  return out;
}

Result<BacktestSummary> load_backtest_summary(const fs::path& file) {
  auto text = read_whole_file(file);
  if (!text) return fail(std::move(text.error()));
  const simdjson::padded_string json(*text);
  od::parser parser;
  od::document doc;
  if (auto error = parser.iterate(json).get(doc)) return json_error(file, "document", error);
  od::object root;
  if (auto error = doc.get_object().get(root)) return json_error(file, "document", error);

  BacktestSummary summary;
  for (auto member : root) {
    std::string_view key;
    if (auto error = member.unescaped_key().get(key)) return json_error(file, "document", error);
    od::value value;
    if (auto error = member.value().get(value)) return json_error(file, key, error);
    auto read_string = [&](std::string& out) -> Result<void> {
      std::string_view s;
      if (auto error = value.get_string().get(s)) return json_error(file, key, error);
      out = s;
      return {};
    };
    Result<void> ok;
    if (key == "strategy") {
      ok = read_string(summary.strategy);
    } else if (key == "symbol") {
      ok = read_string(summary.symbol);
    } else if (key == "start_time") {
      ok = read_string(summary.start_time);
    } else if (key == "end_time") {
      ok = read_string(summary.end_time);
    } else if (key == "starting_balances" || key == "final_balances") {
      auto balances = read_balances(file, key, value);
      if (!balances) return fail(std::move(balances.error()));
      (key == "starting_balances" ? summary.starting_balances : summary.final_balances) =
          std::move(*balances);
    } else if (key == "orders") {
      od::object orders;
      if (auto error = value.get_object().get(orders)) return json_error(file, key, error);
      for (auto outcome : orders) {
        std::string_view name;
        std::uint64_t count = 0;
        if (auto error = outcome.unescaped_key().get(name)) return json_error(file, key, error);
        if (auto error = outcome.value().get_uint64().get(count)) {
          return json_error(file, fmt::format("orders.{}", name), error);
        }
        summary.orders.emplace_back(std::string(name), count);
      }
    } else if (key == "metrics") {
      auto metrics = read_metrics(file, value);
      if (!metrics) return fail(std::move(metrics.error()));
      summary.metrics = std::move(*metrics);
    } else if (key == "markets") {
      auto markets = read_markets(file, value);
      if (!markets) return fail(std::move(markets.error()));
      summary.markets = std::move(*markets);
    } else if (key == "base") {
      ok = read_string(summary.base);
    } else if (key == "quote") {
      ok = read_string(summary.quote);
    } else if (key == "events" || key == "records" || key == "data_files" || key == "open_orders_at_end") {
      std::uint64_t count = 0;
      if (auto error = value.get_uint64().get(count)) return json_error(file, key, error);
      (key == "data_files"           ? summary.data_files
       : key == "open_orders_at_end" ? summary.open_orders_at_end
       : key == "records"            ? summary.records
                                     : summary.events) = count;
    } else if (key == "shutdown_complete") {
      bool complete = false;
      if (auto error = value.get_bool().get(complete)) return json_error(file, key, error);
      summary.shutdown_complete = complete;
    }
    if (!ok) return fail(std::move(ok.error()));
  }
  if (summary.symbol.empty()) return fail(ErrorCode::InvalidArgument, "{}: symbol: missing", file.string());
  return summary;
}

Result<std::vector<BacktestSeries>> load_backtest_series(const fs::path& file,
                                                         std::span<const std::string_view> symbols) {
  std::array<std::string_view, kSeriesColumns + 2> columns{"time"};
  std::ranges::copy(kSeriesColumnNames, columns.begin() + 1);
  columns.back() = "symbol";
  std::vector<BacktestSeries> series(symbols.size());
  std::array<double, kSeriesColumns> values{};
  auto ok = read_csv(file, columns,
                     [&](std::uint64_t line, std::span<const std::string_view> fields) -> Result<void> {
                       const auto [first, last] = row_markets(symbols, fields.back());
                       if (first == last) return {};  // another market's row
                       const auto time = parse_utc_time(fields[0]);
                       if (!time)
                         return field_error(file, line, "time", "not an ISO-8601 UTC time", fields[0]);
                       for (std::size_t c = 0; c < kSeriesColumns; ++c) {
                         const std::string_view text = fields[c + 1];
                         values[c] = std::numeric_limits<double>::quiet_NaN();
                         if (!text.empty()) {
                           const auto number = parse_number(text);
                           if (!number)
                             return field_error(file, line, kSeriesColumnNames[c], "not a number", text);
                           values[c] = *number;
                         }
                       }
                       for (std::size_t m = first; m < last; ++m) {
                         BacktestSeries& market = series[m];
                         if (!market.time_ns.empty() && *time < market.time_ns.back()) {
                           return field_error(file, line, "time", "earlier than the line before", fields[0]);
                         }
                         market.time_ns.push_back(*time);
                         for (std::size_t c = 0; c < kSeriesColumns; ++c) {
                           market.columns[c].push_back(values[c]);
                         }
                       }
                       return {};
                     }, {"symbol"});
  if (!ok) return fail(std::move(ok.error()));
  return series;
}

Result<std::vector<std::vector<BacktestFill>>> load_backtest_fills(const fs::path& file,
                                                                   std::span<const std::string_view> symbols) {
  static constexpr std::array<std::string_view, 9> kColumns = {
      "time", "order_id", "side", "price", "quantity", "fee", "fee_asset", "liquidity", "symbol"};
  std::vector<std::vector<BacktestFill>> fills(symbols.size());
  auto ok =
      read_csv(file, kColumns, [&](std::uint64_t line, std::span<const std::string_view> f) -> Result<void> {
        const auto [first, last] = row_markets(symbols, f[8]);
        if (first == last) return {};  // another market's fill
        BacktestFill fill;
        const auto time = parse_utc_time(f[0]);
        if (!time) return field_error(file, line, "time", "not an ISO-8601 UTC time", f[0]);
        fill.time_ns = *time;
        fill.order_id = f[1];
        const bool buy = equals_ignoring_case(f[2], "buy");
        if (!buy && !equals_ignoring_case(f[2], "sell"))
          return field_error(file, line, "side", "expected buy or sell", f[2]);
        fill.buy = buy;
        for (const auto& [index, out] : {std::pair{3, &fill.price}, {4, &fill.quantity}, {5, &fill.fee}}) {
          const auto number = parse_number(f[index]);
          if (!number) return field_error(file, line, kColumns[index], "not a number", f[index]);
          *out = *number;
        }
        fill.fee_asset = f[6];
        const bool maker = equals_ignoring_case(f[7], "maker");
        if (!maker && !equals_ignoring_case(f[7], "taker")) {
          return field_error(file, line, "liquidity", "expected maker or taker", f[7]);
        }
        fill.maker = maker;
        for (std::size_t m = first; m < last; ++m) fills[m].push_back(fill);
        return {};
      }, {"symbol"});
  if (!ok) return fail(std::move(ok.error()));
  return fills;
}

Result<BacktestOutput> load_backtest_output(const fs::path& dir) {
  BacktestOutput output;
  auto summary = load_backtest_summary(dir / "summary.json");
  if (!summary) return fail(std::move(summary.error()));
  output.summary = std::move(*summary);
  // The summary's "markets", in its order; a file of one market written before "markets" existed
  // names its market by "symbol" and "base" alone.
  if (output.summary.markets.empty()) {
    output.markets.push_back({output.summary.symbol, output.summary.base, {}, {}});
  } else {
    for (const SummaryMarket& market : output.summary.markets) {
      output.markets.push_back({market.symbol, market.base, {}, {}});
    }
  }
  std::vector<std::string_view> symbols;
  for (const MarketOutput& market : output.markets) symbols.push_back(market.symbol);
  // Each file is streamed once, its rows split by market.
  auto series = load_backtest_series(dir / "series.csv", symbols);
  if (!series) return fail(std::move(series.error()));
  auto fills = load_backtest_fills(dir / "fills.csv", symbols);
  if (!fills) return fail(std::move(fills.error()));
  for (std::size_t m = 0; m < output.markets.size(); ++m) {
    output.markets[m].series = std::move((*series)[m]);
    output.markets[m].fills = std::move((*fills)[m]);
  }
  return output;
}

}  // namespace colibri::app
