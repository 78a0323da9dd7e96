#include "colibri/app/backtest_report.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <zlib.h>

#include "colibri/app/backtest_output.h"
#include "colibri/app/chart_library.h"
#include "colibri/app/cli.h"
#include "colibri/core/time.h"
#include "colibri/testing/sample_data.h"

namespace colibri::app {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr std::string_view kSeriesHeader =
    "time,mid,best_bid,best_ask,bid_quote,ask_quote,base_balance,quote_balance,equity,pnl,drawdown_pct\n";
constexpr std::string_view kFillsHeader = "time,order_id,side,price,quantity,fee,fee_asset,liquidity\n";
constexpr std::int64_t kStartNs = 1'723'161'241'000'000'000;  // 2024-08-08T23:54:01Z

void write_text(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs the command line in process, as the executable does.
int run(std::vector<std::string> args) {
  args.insert(args.begin(), "colibri");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return run_cli(static_cast<int>(argv.size()), argv.data());
}

std::string iso(std::int64_t ns) { return Timestamp::from_ns(ns).to_iso8601(); }

std::string summary_json(std::string_view symbol = "BTCUSDT",
                         std::string_view strategy = "pure_market_making",
                         std::string_view extra_metric = R"("queue_model":"prob")") {
  return fmt::format(
      R"({{"strategy":"{}","symbol":"{}","data_files":1,"records":1000,)"
      R"("orders":{{"created":40,"completed":30,"cancelled":9,"failed":1,"expired":0,"lost":0}},"fills":30,)"
      R"("starting_balances":{{"BTC":"0.5","USDT":"30000"}},"final_balances":{{"BTC":"0.54","USDT":"27525.5"}},)"
      R"("start_time":"2024-08-08T23:54:01.000000000Z","end_time":"2024-08-09T00:04:00.000000000Z",)"
      R"("shutdown_complete":true,"open_orders_at_end":0,)"
      R"("metrics":{{"realized_pnl":"12.34567891","unrealized_pnl":"-3.2","total_pnl":"9.14567891",)"
      R"("fees_quote":"1.2","traded_volume_base":"0.42","traded_volume_quote":"25971.8","fill_count":30,)"
      R"("buy_fills":16,"sell_fills":14,"maker_share":0.9,"return_pct":0.0152,"hold_return_pct":-0.21,)"
      R"("return_vs_hold_pct":0.2252,"sharpe":1.8734,"sortino":2.51,"ratio_interval_seconds":60,)"
      R"("max_drawdown_pct":0.0812,"max_drawdown_quote":"48.7","fill_ratio":0.35,"spread_captured_bps":1.62,)"
      R"("adverse_selection_1s_bps":-0.4,"adverse_selection_10s_bps":null,{}}}}})",
      strategy, symbol, extra_metric);
}

// A deterministic backtest output: a random walk mid with the book a cent wide, our quotes 10
// away from mid (refreshed every 30 s and after a fill, none for 3 s every minute), filled when
// the book reaches them; balances, equity, PnL and drawdown follow. The same `rows` give the same
// files.
void write_fixture(const fs::path& dir, int rows, std::string_view summary = {}, double start_mid = 61837.63,
                   std::uint64_t seed = 42) {
  std::uint64_t state = seed;
  auto uniform = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;
  };
  double mid = start_mid;
  double base = 0.5;
  double quote = 30000;
  double start_equity = 0;
  double peak = 0;
  const double none = std::numeric_limits<double>::quiet_NaN();
  double bid = none;
  double ask = none;
  int order = 0;
  std::string series(kSeriesHeader);
  std::string fills(kFillsHeader);
  auto number = [](double v, int decimals) {
    return std::isnan(v) ? std::string() : fmt::format("{:.{}f}", v, decimals);
  };
  for (int i = 0; i < rows; ++i) {
    const std::int64_t t = kStartNs + std::int64_t{i} * 1'000'000'000;
    mid += (uniform() + uniform() + uniform() + uniform() - 2) * 7;
    const double best_bid = std::round((mid - 0.005) * 100) / 100;
    const double best_ask = best_bid + 0.01;
    const double m = (best_bid + best_ask) / 2;
    if (i % 60 < 3 && i > 5) {
      bid = ask = none;
    } else if (i % 30 == 0 || std::isnan(bid) || std::isnan(ask)) {
      bid = std::round((m - 10) * 100) / 100;
      ask = std::round((m + 10) * 100) / 100;
    }
    if (!std::isnan(bid) && best_bid <= bid) {
      base += 0.01;
      quote -= 0.01 * bid * 1.0001;
      fills += fmt::format("{},PMMB-{},BUY,{:.2f},0.01,{:.8f},USDT,maker\n", iso(t + 250'000'000), ++order,
                           bid, 0.01 * bid * 0.0001);
      bid = none;
    }
    if (!std::isnan(ask) && best_ask >= ask) {
      base -= 0.01;
      quote += 0.01 * ask * 0.9999;
      ++order;
      fills += fmt::format("{},PMMS-{},sell,{:.2f},0.01,{:.8f},USDT,{}\n", iso(t + 500'000'000), order, ask,
                           0.01 * ask * 0.0001, order % 5 == 0 ? "taker" : "maker");
      ask = none;
    }
    const double equity = quote + base * m;
    if (i == 0) start_equity = peak = equity;
    peak = std::max(peak, equity);
    const bool book = i >= 2;  // no book for the first two samples
    series += fmt::format("{},{},{},{},{},{},{:.8f},{:.8f},{:.8f},{:.8f},{:.6f}\n", iso(t),
                          number(book ? m : none, 3), number(book ? best_bid : none, 2),
                          number(book ? best_ask : none, 2), number(bid, 2), number(ask, 2), base, quote,
                          equity, equity - start_equity, (peak - equity) / peak * 100);
  }
  write_text(dir / "series.csv", series);
  write_text(dir / "fills.csv", fills);
  write_text(dir / "summary.json", summary.empty() ? summary_json() : summary);
}

// `line` ("time,rest") with `symbol` as its second field.
std::string with_symbol(std::string_view line, std::string_view symbol) {
  const std::size_t comma = line.find(',');
  return fmt::format("{},{},{}", line.substr(0, comma), symbol, line.substr(comma + 1));
}

// Two markets sharing one account, as `colibri backtest` writes them: series rows one per market per
// sample (BTCUSDT's, then ETHUSDT's), fills of both, a symbol column in each file, and a summary
// naming both markets with their bases and their own metrics.
void write_two_market_fixture(const fs::path& dir, int rows) {
  const fs::path btc = dir / "btc";
  const fs::path eth = dir / "eth";
  fs::create_directories(btc);
  fs::create_directories(eth);
  write_fixture(btc, rows);
  write_fixture(eth, rows, {}, 2650.41, 7);
  std::stringstream btc_series(read_text(btc / "series.csv"));
  std::stringstream eth_series(read_text(eth / "series.csv"));
  std::string series;
  for (std::string b, e; std::getline(btc_series, b) && std::getline(eth_series, e);) {
    if (series.empty()) {
      series = with_symbol(b, "symbol") + "\n";
      continue;
    }
    series += with_symbol(b, "BTCUSDT") + "\n" + with_symbol(e, "ETHUSDT") + "\n";
  }
  std::string fills;
  for (const auto& [file, symbol] : {std::pair{btc / "fills.csv", "BTCUSDT"}, std::pair{eth / "fills.csv", "ETHUSDT"}}) {
    std::stringstream in(read_text(file));
    std::string line;
    std::getline(in, line);
    if (fills.empty()) fills = with_symbol(line, "symbol") + "\n";
    while (std::getline(in, line)) fills += with_symbol(line, symbol) + "\n";
  }
  std::string summary = summary_json("BTCUSDT,ETHUSDT");
  summary.insert(1, R"("base":"BTC,ETH","quote":"USDT","markets":[)"
                    R"({"symbol":"BTCUSDT","base":"BTC","metrics":{"fill_count":20,"total_pnl":"5.5"}},)"
                    R"({"symbol":"ETHUSDT","base":"ETH","metrics":{"fill_count":10,"total_pnl":"3.64567891"}}],)");
  write_text(dir / "series.csv", series);
  write_text(dir / "fills.csv", fills);
  write_text(dir / "summary.json", summary);
}

std::string load_error(const fs::path& dir) {
  auto loaded = load_backtest_output(dir);
  EXPECT_FALSE(loaded.has_value());
  return loaded ? std::string() : loaded.error().message();
}

// --- loader -------------------------------------------------------------------------------------

TEST(BacktestOutput, LoadsSummarySeriesAndFills) {
  TempDir dir;
  write_fixture(dir.path(), 600);
  auto loaded = load_backtest_output(dir.path());
  ASSERT_TRUE(loaded) << loaded.error().message();
  const BacktestOutput& out = *loaded;
  EXPECT_EQ(out.summary.strategy, "pure_market_making");
  EXPECT_EQ(out.summary.symbol, "BTCUSDT");
  ASSERT_EQ(out.summary.starting_balances.size(), 2u);
  EXPECT_EQ(out.summary.starting_balances[1].asset, "USDT");
  EXPECT_EQ(out.summary.starting_balances[1].amount, "30000");
  ASSERT_EQ(out.summary.orders.size(), 6u);
  EXPECT_EQ(out.summary.orders[2], (std::pair<std::string, std::uint64_t>{"cancelled", 9}));
  EXPECT_EQ(out.summary.records, 1000u);
  EXPECT_FALSE(out.summary.events);
  EXPECT_EQ(out.summary.data_files, 1u);
  EXPECT_EQ(out.summary.open_orders_at_end, 0u);
  EXPECT_EQ(out.summary.shutdown_complete, true);
  ASSERT_EQ(out.summary.metrics.size(), 23u);
  EXPECT_EQ(out.summary.metrics[0].key, "realized_pnl");
  EXPECT_EQ(out.summary.metrics[0].text, "12.34567891");  // exact, as written
  EXPECT_EQ(out.summary.metrics[13].key, "sharpe");
  EXPECT_EQ(out.summary.metrics[13].text, "1.8734");  // a JSON number keeps its literal
  ASSERT_TRUE(out.summary.metrics[13].value);
  EXPECT_DOUBLE_EQ(*out.summary.metrics[13].value, 1.8734);
  EXPECT_EQ(out.summary.metrics[21].text, "null");
  EXPECT_FALSE(out.summary.metrics[21].value);
  EXPECT_EQ(out.summary.metrics[22].key, "queue_model");
  EXPECT_FALSE(out.summary.metrics[22].value);

  ASSERT_EQ(out.markets.size(), 1u);
  EXPECT_EQ(out.markets[0].symbol, "BTCUSDT");
  const BacktestSeries& series = out.markets[0].series;
  const std::vector<BacktestFill>& fills = out.markets[0].fills;
  ASSERT_EQ(series.time_ns.size(), 600u);
  EXPECT_EQ(series.time_ns[0], kStartNs);
  EXPECT_TRUE(std::isnan(series[SeriesColumn::Mid][0]));  // no book yet
  EXPECT_FALSE(std::isnan(series[SeriesColumn::Mid][2]));
  EXPECT_TRUE(std::isnan(series[SeriesColumn::BidQuote][61]));  // no quote for 3 s every minute
  EXPECT_DOUBLE_EQ(series[SeriesColumn::BaseBalance][0], 0.5);

  ASSERT_GT(fills.size(), 10u);
  EXPECT_TRUE(std::ranges::any_of(fills, [](const BacktestFill& f) { return f.buy; }));
  EXPECT_TRUE(std::ranges::any_of(fills, [](const BacktestFill& f) { return !f.buy; }));
  EXPECT_TRUE(std::ranges::any_of(fills, [](const BacktestFill& f) { return !f.maker; }));
  EXPECT_DOUBLE_EQ(fills[0].quantity, 0.01);
  EXPECT_EQ(fills[0].fee_asset, "USDT");
}

TEST(BacktestOutput, SplitsSeveralMarketsRowsByMarket) {
  TempDir dir;
  write_two_market_fixture(dir.path(), 300);
  auto loaded = load_backtest_output(dir.path());
  ASSERT_TRUE(loaded) << loaded.error().message();
  ASSERT_EQ(loaded->markets.size(), 2u);
  const MarketOutput& btc = loaded->markets[0];
  const MarketOutput& eth = loaded->markets[1];
  EXPECT_EQ(btc.symbol, "BTCUSDT");
  EXPECT_EQ(btc.base, "BTC");
  EXPECT_EQ(eth.symbol, "ETHUSDT");
  EXPECT_EQ(eth.base, "ETH");
  ASSERT_EQ(btc.series.time_ns.size(), 300u);
  ASSERT_EQ(eth.series.time_ns.size(), 300u);
  EXPECT_GT(btc.series[SeriesColumn::Mid][10], 50'000);  // each market's own prices
  EXPECT_LT(eth.series[SeriesColumn::Mid][10], 5'000);
  EXPECT_FALSE(btc.fills.empty());
  EXPECT_FALSE(eth.fills.empty());
  EXPECT_TRUE(std::ranges::all_of(btc.fills, [](const BacktestFill& f) { return f.price > 50'000; }));
  EXPECT_TRUE(std::ranges::all_of(eth.fills, [](const BacktestFill& f) { return f.price < 5'000; }));
}

TEST(BacktestOutput, MissingFileIsNamed) {
  TempDir dir;
  write_fixture(dir.path(), 10);
  fs::remove(dir / "series.csv");
  auto loaded = load_backtest_output(dir.path());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code(), ErrorCode::NotFound);
  EXPECT_EQ(loaded.error().message(), (dir / "series.csv").string() + ": no such file");

  fs::remove(dir / "summary.json");
  EXPECT_EQ(load_error(dir.path()), (dir / "summary.json").string() + ": no such file");
}

TEST(BacktestOutput, BadSeriesFieldNamesFileLineAndField) {
  TempDir dir;
  write_fixture(dir.path(), 10);
  write_text(dir / "series.csv", std::string(kSeriesHeader) +
                                     "2024-08-08T23:54:01.000000000Z,1,1,1,,,0.5,30000,30001,0,0\n"
                                     "2024-08-08T23:54:02.000000000Z,abc,1,1,,,0.5,30000,30001,0,0\n");
  EXPECT_EQ(load_error(dir.path()), (dir / "series.csv").string() + ":3: mid: not a number: \"abc\"");

  write_text(dir / "series.csv",
             std::string(kSeriesHeader) + "2024-08-08 23:54:01,1,1,1,,,0.5,30000,30001,0,0\n");
  EXPECT_EQ(load_error(dir.path()),
            (dir / "series.csv").string() + ":2: time: not an ISO-8601 UTC time: \"2024-08-08 23:54:01\"");

  write_text(dir / "series.csv",
             std::string(kSeriesHeader) + "2024-08-08T23:54:01Z,1,1,1,,,0.5,30000,nan,0,0\n");
  EXPECT_EQ(load_error(dir.path()), (dir / "series.csv").string() + ":2: equity: not a number: \"nan\"");

  write_text(dir / "series.csv", std::string(kSeriesHeader) + "2024-08-08T23:54:01Z,1,1,1,,,0.5\n");
  EXPECT_EQ(load_error(dir.path()), (dir / "series.csv").string() + ":2: 7 fields, the header has 11");

  write_text(dir / "series.csv",
             "time,mid,best_bid,best_ask,bid_quote,ask_quote,base_balance,quote_balance,pnl\n");
  EXPECT_EQ(load_error(dir.path()), (dir / "series.csv").string() + ":1: header has no column 'equity'");

  write_text(dir / "series.csv", std::string(kSeriesHeader) +
                                     "2024-08-08T23:54:02Z,1,1,1,,,0.5,30000,1,0,0\n" +
                                     "2024-08-08T23:54:01Z,1,1,1,,,0.5,30000,1,0,0\n");
  EXPECT_EQ(load_error(dir.path()), (dir / "series.csv").string() +
                                        ":3: time: earlier than the line before: \"2024-08-08T23:54:01Z\"");

  write_text(dir / "series.csv", "");
  EXPECT_EQ(load_error(dir.path()), (dir / "series.csv").string() + ": empty file (no header line)");
}

TEST(BacktestOutput, SeriesToleratesExtraColumnsCrlfAndTrailingBlankLines) {
  TempDir dir;
  write_fixture(dir.path(), 10);
  write_text(dir / "series.csv",
             "time,mid,best_bid,best_ask,bid_quote,ask_quote,base_balance,quote_balance,equity,pnl,drawdown_"
             "pct,x\r\n"
             "2024-08-08T23:54:01.5Z,1,1,1,,,0.5,30000,30001,0,0,7\r\n\r\n");
  const std::string_view market[] = {"BTCUSDT"};
  auto series = load_backtest_series(dir / "series.csv", market);
  ASSERT_TRUE(series) << series.error().message();
  ASSERT_EQ(series->size(), 1u);
  ASSERT_EQ((*series)[0].time_ns.size(), 1u);
  EXPECT_EQ((*series)[0].time_ns[0], kStartNs + 500'000'000);
}

// One pass over each file: a row goes to its symbol's market, a row without a symbol to every
// market, and another market's row is skipped without being read (its errors are not ours).
TEST(BacktestOutput, RowsGoToTheirMarketThoseWithoutSymbolToEveryMarket) {
  TempDir dir;
  write_text(dir / "series.csv",
             "time,symbol,mid,best_bid,best_ask,bid_quote,ask_quote,base_balance,quote_balance,equity,pnl,"
             "drawdown_pct\n"
             "2024-08-08T23:54:01Z,BTCUSDT,100,1,1,,,0.5,30000,1,0,0\n"
             "2024-08-08T23:54:01Z,ETHUSDT,10,1,1,,,0.5,30000,1,0,0\n"
             "2024-08-08T23:54:01Z,XRPUSDT,not-read,1,1,,,0.5,30000,1,0,0\n"
             "2024-08-08T23:54:02Z,,7,1,1,,,0.5,30000,1,0,0\n");
  write_text(dir / "fills.csv",
             "time,symbol,order_id,side,price,quantity,fee,fee_asset,liquidity\n"
             "2024-08-08T23:54:01Z,ETHUSDT,E-1,BUY,10,1,0,USDT,MAKER\n"
             "2024-08-08T23:54:01Z,XRPUSDT,X-1,long,1,1,0,USDT,maker\n"
             "2024-08-08T23:54:02Z,,A-1,sell,7,1,0,USDT,taker\n");
  const std::string_view markets[] = {"BTCUSDT", "ETHUSDT"};
  auto series = load_backtest_series(dir / "series.csv", markets);
  ASSERT_TRUE(series) << series.error().message();
  ASSERT_EQ(series->size(), 2u);
  EXPECT_EQ((*series)[0][SeriesColumn::Mid], (std::vector<double>{100, 7}));
  EXPECT_EQ((*series)[1][SeriesColumn::Mid], (std::vector<double>{10, 7}));
  EXPECT_EQ((*series)[1].time_ns, (std::vector<std::int64_t>{kStartNs, kStartNs + 1'000'000'000}));
  auto fills = load_backtest_fills(dir / "fills.csv", markets);
  ASSERT_TRUE(fills) << fills.error().message();
  ASSERT_EQ(fills->size(), 2u);
  ASSERT_EQ((*fills)[0].size(), 1u);
  EXPECT_EQ((*fills)[0][0].order_id, "A-1");
  ASSERT_EQ((*fills)[1].size(), 2u);
  EXPECT_EQ((*fills)[1][0].order_id, "E-1");
  EXPECT_TRUE((*fills)[1][0].buy);
  EXPECT_TRUE((*fills)[1][0].maker);
  EXPECT_EQ((*fills)[1][1].order_id, "A-1");
}

TEST(BacktestOutput, BadFillNamesFileLineAndField) {
  TempDir dir;
  write_fixture(dir.path(), 10);
  const std::string fills = (dir / "fills.csv").string();
  write_text(dir / "fills.csv",
             std::string(kFillsHeader) + "2024-08-08T23:54:01Z,A-1,long,1,1,0,USDT,maker\n");
  EXPECT_EQ(load_error(dir.path()), fills + ":2: side: expected buy or sell: \"long\"");
  write_text(dir / "fills.csv", std::string(kFillsHeader) + "2024-08-08T23:54:01Z,A-1,buy,1,1,0,USDT,both\n");
  EXPECT_EQ(load_error(dir.path()), fills + ":2: liquidity: expected maker or taker: \"both\"");
  write_text(dir / "fills.csv", std::string(kFillsHeader) + "2024-08-08T23:54:01Z,A-1,buy,1,,0,USDT,maker\n");
  EXPECT_EQ(load_error(dir.path()), fills + ":2: quantity: not a number: \"\"");
  write_text(dir / "fills.csv",
             std::string(kFillsHeader) + "\n2024-08-08T23:54:01Z,A-1,buy,1,1,0,USDT,maker\n");
  EXPECT_EQ(load_error(dir.path()), fills + ":2: blank line inside the file");
}

TEST(BacktestOutput, BadSummaryNamesFileAndField) {
  TempDir dir;
  write_fixture(dir.path(), 10, summary_json("BTCUSDT", "pmm", R"("queue_model":{"kind":"prob"})"));
  const std::string summary = (dir / "summary.json").string();
  EXPECT_EQ(load_error(dir.path()),
            summary + ": metrics.queue_model: expected a number, a decimal string or null");

  write_text(dir / "summary.json", R"({"symbol":"BTCUSDT","final_balances":{"BTC":0.5}})");
  EXPECT_EQ(load_error(dir.path()).rfind(summary + ": final_balances.BTC: ", 0), 0u);

  write_text(dir / "summary.json", R"({"strategy":"pmm"})");
  EXPECT_EQ(load_error(dir.path()), summary + ": symbol: missing");

  write_text(dir / "summary.json", R"({"symbol":"BTCUSDT",)");
  EXPECT_EQ(load_error(dir.path()).rfind(summary + ": ", 0), 0u);
}

TEST(BacktestOutput, ParsesUtcTimes) {
  EXPECT_EQ(parse_utc_time("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_utc_time("2024-08-08T23:54:01.000000000Z"), kStartNs);
  EXPECT_EQ(parse_utc_time("2024-08-08T23:54:01.000000001Z"), kStartNs + 1);
  EXPECT_EQ(parse_utc_time("2024-08-08T23:54:01.25Z"), kStartNs + 250'000'000);
  EXPECT_EQ(parse_utc_time(Timestamp::from_ns(kStartNs + 123'456'789).to_iso8601()), kStartNs + 123'456'789);
  for (const char* bad :
       {"", "2024-08-08T23:54:01", "2024-08-08T23:54:01.Z", "2024-02-30T00:00:00Z", "2024-08-08T24:00:00Z",
        "2024-08-08T23:54:01.0000000001Z", "2024-08-08 23:54:01Z"}) {
    EXPECT_FALSE(parse_utc_time(bad)) << bad;
  }
}

// --- downsampling -------------------------------------------------------------------------------

TEST(MinMaxPoints, ShortSeriesComesBackWholeWithGaps) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> values = {1, nan, 3};
  EXPECT_EQ(min_max_points(values, 10), (std::vector<ChartPoint>{{0, false}, {1, true}, {2, false}}));
}

TEST(MinMaxPoints, KeepsEveryBucketsExtremesInRowOrder) {
  std::vector<double> values(100'000);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = std::sin(static_cast<double>(i) * 0.001) * 100;
  values[31'337] = 1e6;   // a spike
  values[77'777] = -1e6;  // a crash
  const auto points = min_max_points(values, 4000);
  ASSERT_LE(points.size(), 4000u);
  ASSERT_GE(points.size(), 3000u);
  EXPECT_TRUE(
      std::ranges::is_sorted(points, [](const ChartPoint& a, const ChartPoint& b) { return a.row < b.row; }));
  auto kept = [&](std::size_t row) {
    return std::ranges::any_of(points, [row](const ChartPoint& p) { return p.row == row; });
  };
  EXPECT_TRUE(kept(31'337));
  EXPECT_TRUE(kept(77'777));
  // Each of the 2000 buckets of 50 rows keeps its own lowest and highest value.
  for (std::size_t b = 0; b < 2000; ++b) {
    const auto first = values.begin() + static_cast<std::ptrdiff_t>(b * 50);
    const auto low = static_cast<std::size_t>(std::min_element(first, first + 50) - values.begin());
    const auto high = static_cast<std::size_t>(std::max_element(first, first + 50) - values.begin());
    ASSERT_TRUE(kept(low) && kept(high)) << "bucket " << b;
  }
}

TEST(MinMaxPoints, KeepsStretchesWithoutValueAsGaps) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> values(10'000, 5.0);
  for (std::size_t i = 4'000; i < 4'010; ++i) values[i] = nan;  // ten rows without a quote
  const auto points = min_max_points(values, 300);
  ASSERT_LE(points.size(), 300u);
  const auto gaps = std::ranges::count_if(points, [](const ChartPoint& p) { return p.gap; });
  EXPECT_EQ(gaps, 1);
  const auto gap = std::ranges::find_if(points, [](const ChartPoint& p) { return p.gap; });
  EXPECT_EQ(gap->row, 4'000u);
}

// --- the page -----------------------------------------------------------------------------------

// No attribute, style or element in `markup` that would fetch something over the network.
void expect_nothing_from_elsewhere(const std::string& markup) {
  for (const char* outside : {"src=\"http", "src='http", "href=\"http", "href='http", "<link", "@import",
                              "url(http", "url(\"http", "url('http", "<iframe", "<object", "<embed"}) {
    EXPECT_EQ(markup.find(outside), std::string::npos) << outside;
  }
}

TEST(BacktestReport, PageIsSelfContained) {
  TempDir dir;
  write_fixture(dir.path(), 600);
  auto written = write_backtest_report(dir.path());
  ASSERT_TRUE(written) << written.error().message();
  EXPECT_EQ(*written, dir / "report.html");
  EXPECT_FALSE(fs::exists(dir / "report.html.partial"));
  const std::string page = read_text(*written);
  const ChartLibrary& library = chart_library();
  EXPECT_EQ(library.name, "plotly.js-basic-dist-min");
  ASSERT_GT(library.script.size(), 500'000u);
  EXPECT_NE(library.script.find("plotly.js (basic - minified) v" + std::string(library.version)),
            std::string::npos);
  const std::size_t inlined = page.find(library.script);
  ASSERT_NE(inlined, std::string::npos) << "the library is inlined byte for byte";
  // The rest of the page (the library's own code sets the href of Plotly's logo, which the page
  // turns off; RendersInHeadlessChromium checks the rendered DOM) loads nothing from elsewhere.
  std::string markup = page;
  markup.erase(inlined, library.script.size());
  expect_nothing_from_elsewhere(markup);
  // Every <script> element is inline.
  for (std::size_t at = markup.find("<script"); at != std::string::npos;
       at = markup.find("<script", at + 1)) {
    const std::string tag = markup.substr(at, markup.find('>', at) - at);
    EXPECT_EQ(tag.find("src"), std::string::npos) << tag;
  }
  // The same files give the same page.
  EXPECT_EQ(render_backtest_report(*load_backtest_output(dir.path())), page);
}

TEST(BacktestReport, ChartLibraryIsSafeToInline) {
  std::string script(chart_library().script);
  std::ranges::transform(script, script.begin(), [](unsigned char c) { return std::tolower(c); });
  EXPECT_EQ(script.find("</script"), std::string::npos);
  EXPECT_EQ(script.find("<!--"), std::string::npos);
}

TEST(BacktestReport, EscapesWhatComesFromTheFiles) {
  TempDir dir;
  const std::string hostile = "</script><img src=x onerror=alert(1)>";
  write_fixture(dir.path(), 50,
                summary_json("BTC</script><b>USDT", hostile, R"("<i>queue</i>":"a</script>&b")"));
  write_text(dir / "fills.csv",
             std::string(kFillsHeader) +
                 "2024-08-08T23:54:05Z,</script><svg onload=alert(1)>,buy,1,1,0,USDT,maker\n");
  auto written = write_backtest_report(dir.path());
  ASSERT_TRUE(written) << written.error().message();
  const std::string page = read_text(*written);
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find("<svg onload"), std::string::npos);
  EXPECT_EQ(page.find("<b>USDT"), std::string::npos);
  EXPECT_EQ(page.find("<i>queue"), std::string::npos);
  EXPECT_NE(page.find("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(page.find("&lt;i&gt;queue&lt;/i&gt;"), std::string::npos);  // an unknown key, by its name
  EXPECT_NE(page.find(R"(\u003c/script\u003e\u003csvg onload=alert(1)\u003e)"), std::string::npos);
  // Three script elements (data, library, page code), so exactly three closing tags.
  std::size_t closing = 0;
  for (std::size_t at = page.find("</script"); at != std::string::npos; at = page.find("</script", at + 1))
    ++closing;
  EXPECT_EQ(closing, 3u);
}

TEST(BacktestReport, MetricsTableLabelsKnownKeysAndShowsUnknownOnes) {
  TempDir dir;
  write_fixture(dir.path(), 50);
  const std::string page = render_backtest_report(*load_backtest_output(dir.path()));
  // A label, the value (exact for money, rounded with the exact text as its tooltip otherwise) and a unit.
  EXPECT_NE(page.find(R"(<td title="realized_pnl">Realized PnL (average cost)</td><td class="num pos" )"
                      R"(title="12.34567891">12.34567891</td><td class="unit">USDT</td>)"),
            std::string::npos);
  EXPECT_NE(page.find(R"(title="0.9">90.00</td><td class="unit">%</td>)"), std::string::npos);
  EXPECT_NE(page.find(R"(title="1.8734">1.873</td>)"), std::string::npos);
  EXPECT_NE(page.find(R"(title="-0.4">-0.4000</td><td class="unit">bps</td>)"), std::string::npos);
  EXPECT_NE(page.find(R"(title="0.42">0.42</td><td class="unit">BTC</td>)"), std::string::npos);
  EXPECT_NE(page.find(R"(title="null">n/a</td>)"), std::string::npos);
  EXPECT_NE(page.find(R"(<td title="queue_model">queue_model</td><td class="num " title="prob">prob</td>)"),
            std::string::npos);
  EXPECT_NE(
      page.find(R"(<td>USDT</td><td class="num">30000</td><td class="num">27525.5</td><td class="num neg">)"
                R"(-2474.5</td>)"),
      std::string::npos);  // the change in balance, exact
  EXPECT_NE(
      page.find(
          "2024-08-08 23:54:01 UTC to 2024-08-09 00:04:00 UTC (9 min 59 s). 1,000 records replayed from 1 "
          "data file. Money in USDT, inventory in BTC."),
      std::string::npos);
  EXPECT_NE(page.find(R"(<tr><td>shutdown</td><td class="num ">complete</td></tr>)"), std::string::npos);
}

TEST(BacktestReport, MoneyIsShownWithAtMostEightDecimalsAndExactInTheTooltip) {
  TempDir dir;
  std::string summary = summary_json();
  for (const auto& [from, to] :
       {std::pair<std::string, std::string>{R"("12.34567891")", R"("-332.8356704919329736")"},
        {R"("fees_quote":"1.2")", R"("fees_quote":"9.999999995")"},
        {R"("unrealized_pnl":"-3.2")", R"("unrealized_pnl":"-0.000000004")"}}) {
    summary.replace(summary.find(from), from.size(), to);
  }
  write_fixture(dir.path(), 50, summary);
  const std::string page = render_backtest_report(*load_backtest_output(dir.path()));
  EXPECT_NE(page.find(R"(title="-332.8356704919329736">-332.83567049</td>)"), std::string::npos);
  EXPECT_NE(page.find(R"(title="9.999999995">10</td>)"), std::string::npos);
  EXPECT_NE(page.find(R"(title="-0.000000004">0</td>)"), std::string::npos);
  EXPECT_NE(page.find(R"(title="25971.8">25971.8</td>)"), std::string::npos);  // short enough: as written
}

TEST(BacktestReport, AQuoteSeenAtOneSampleIsHeldUntilTheNext) {
  TempDir dir;
  write_fixture(dir.path(), 10);
  write_text(dir / "series.csv", std::string(kSeriesHeader) +
                                     "2024-08-08T23:54:01Z,100,99,101,99.5,,1,100,200,0,0\n"
                                     "2024-08-08T23:54:02Z,100,99,101,,,1,100,200,0,0\n"
                                     "2024-08-08T23:54:03Z,100,99,101,99.25,,1,100,200,0,0\n");
  const std::string page = render_backtest_report(*load_backtest_output(dir.path()));
  EXPECT_NE(page.find(R"("bid_quote":{"x":[0,1,1,2],"y":[99.5,99.5,null,99.25]})"), std::string::npos);
  EXPECT_NE(page.find(R"("ask_quote":{"x":[0,1,2],"y":[null,null,null]})"), std::string::npos);
  EXPECT_NE(page.find(R"("mid":{"x":[0,1,2],"y":[100,100,100]})"), std::string::npos);
}

TEST(BacktestReport, ADayOfOneSecondSamplesMakesASmallPage) {
  TempDir dir;
  write_fixture(dir.path(), 86'400);
  auto written = write_backtest_report(dir.path());
  ASSERT_TRUE(written) << written.error().message();
  const auto page_bytes = fs::file_size(*written);
  const auto library_bytes = chart_library().script.size();
  EXPECT_LT(page_bytes - library_bytes, 1'500'000u) << "the data part of the page";
  EXPECT_LT(page_bytes, fs::file_size(dir / "series.csv")) << "smaller than the series alone";
}

TEST(BacktestReport, SeveralMarketsEachGetTheirChartsAndTheirFillsCount) {
  TempDir dir;
  write_two_market_fixture(dir.path(), 300);
  auto loaded = load_backtest_output(dir.path());
  ASSERT_TRUE(loaded) << loaded.error().message();
  const std::string page = render_backtest_report(*loaded);
  EXPECT_NE(page.find("2 markets share the account: each has its own price and inventory charts"), std::string::npos);
  EXPECT_NE(page.find("inventory in BTC, ETH."), std::string::npos);
  const std::size_t data = page.find("id=\"report-data\">");
  ASSERT_NE(data, std::string::npos);
  const std::string json = page.substr(data, page.find("</script>", data) - data);
  EXPECT_NE(json.find(R"("symbol":"BTCUSDT","base":"BTC")"), std::string::npos);
  EXPECT_NE(json.find(R"("symbol":"ETHUSDT","base":"ETH")"), std::string::npos);
  EXPECT_NE(json.find(R"("portfolio":{"series":{"quote_balance":)"), std::string::npos);
  const std::size_t fills = loaded->markets[0].fills.size() + loaded->markets[1].fills.size();
  EXPECT_NE(page.find(fmt::format("<td>fills</td><td class=\"num\">{} (", fills)), std::string::npos);
}

TEST(ReportCommand, WritesThePageOrFailsOnABadFile) {
  TempDir dir;
  write_fixture(dir.path(), 60);
  EXPECT_EQ(run({"report", dir.path().string()}), 0);
  EXPECT_TRUE(fs::exists(dir / "report.html"));
  fs::remove(dir / "report.html");
  write_text(dir / "fills.csv",
             std::string(kFillsHeader) + "2024-08-08T23:54:01Z,A-1,buy,1,x,0,USDT,maker\n");
  EXPECT_EQ(run({"report", dir.path().string()}), 1);
  EXPECT_FALSE(fs::exists(dir / "report.html"));
  EXPECT_EQ(run({"report", (dir / "missing").string()}), 2);  // not a directory: bad arguments
}

// The files `colibri backtest` writes today load: fills.csv as the backtest writes it (sides in
// capitals) and summary.json. Until the engine writes series.csv, the test gives it a header only.
TEST(BacktestReport, ReadsWhatColibriBacktestWrites) {
  TempDir dir;
  const std::string log = (dir / "synthetic.clog").string();
  ASSERT_EQ(run({"data", "synth", "--seconds", "120", "--seed", "3", "-o", log}), 0);
  ASSERT_EQ(run({"backtest", std::string(COLIBRI_SOURCE_DIR) + "/examples/pmm.yml", "--data", log, "--out",
                 (dir / "out").string(), "--json"}),
            0);
  if (!fs::exists(dir / "out" / "series.csv")) write_text(dir / "out" / "series.csv", kSeriesHeader);

  auto loaded = load_backtest_output(dir / "out");
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->summary.strategy, "pure_market_making");
  ASSERT_EQ(loaded->markets.size(), 1u);
  EXPECT_FALSE(loaded->markets[0].fills.empty());
  EXPECT_GT(loaded->summary.events.value_or(0), 0u);
  auto written = write_backtest_report(dir / "out");
  ASSERT_TRUE(written) << written.error().message();
}

// --- headless Chromium --------------------------------------------------------------------------

// The first `chromium` on PATH, or empty.
std::string find_chromium() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "");
  for (std::string d; std::getline(dirs, d, ':');) {
    const fs::path candidate = fs::path(d) / "chromium";
    std::error_code ec;
    if (!d.empty() && fs::exists(candidate, ec)) return candidate.string();
  }
  return {};
}

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

// Runs headless Chromium on `page` with extra arguments, stdout to `out`, bounded by a timeout.
// Returns the exit status (124 after a timeout).
int run_chromium(const std::string& chromium, const TempDir& dir, const std::string& arguments,
                 const fs::path& page, const fs::path& out) {
  const std::string command = fmt::format(
      "timeout --kill-after=10 120 '{}' --headless --no-sandbox --disable-gpu --hide-scrollbars "
      "--no-first-run "
      "--user-data-dir='{}' {} 'file://{}' > '{}' 2>> '{}'",
      chromium, (dir / "chromium-profile").string(), arguments, page.string(), out.string(),
      (dir / "chromium.log").string());
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct Image {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::vector<std::uint8_t> rgb;  // width * height * 3
  [[nodiscard]] std::uint32_t pixel(std::size_t i) const {
    return (std::uint32_t{rgb[i * 3]} << 16) | (std::uint32_t{rgb[i * 3 + 1]} << 8) | rgb[i * 3 + 2];
  }
};

std::uint32_t big_endian(const std::string& s, std::size_t at) {
  return (std::uint32_t{static_cast<std::uint8_t>(s[at])} << 24) |
         (std::uint32_t{static_cast<std::uint8_t>(s[at + 1])} << 16) |
         (std::uint32_t{static_cast<std::uint8_t>(s[at + 2])} << 8) | static_cast<std::uint8_t>(s[at + 3]);
}

// Decodes an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes) into RGB; an empty
// image for anything else.
Image decode_png(const std::string& file) {
  Image image;
  if (!file.starts_with("\x89PNG\r\n\x1a\n")) return image;
  std::string compressed;
  std::uint32_t channels = 0;
  for (std::size_t at = 8; at + 8 <= file.size();) {
    const std::uint32_t length = big_endian(file, at);
    const std::string type = file.substr(at + 4, 4);
    if (at + 12 + length > file.size()) return {};
    if (type == "IHDR") {
      image.width = big_endian(file, at + 8);
      image.height = big_endian(file, at + 12);
      const auto depth = static_cast<std::uint8_t>(file[at + 16]);
      const auto colour = static_cast<std::uint8_t>(file[at + 17]);
      const auto interlace = static_cast<std::uint8_t>(file[at + 20]);
      if (depth != 8 || interlace != 0 || (colour != 2 && colour != 6)) return {};
      channels = colour == 2 ? 3 : 4;
    } else if (type == "IDAT") {
      compressed += file.substr(at + 8, length);
    }
    at += 12 + length;
  }
  if (channels == 0) return {};
  const std::size_t stride = std::size_t{image.width} * channels;
  std::vector<std::uint8_t> raw((stride + 1) * image.height);
  uLongf raw_size = raw.size();
  if (uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(compressed.data()),
                 compressed.size()) != Z_OK ||
      raw_size != raw.size()) {
    return {};
  }
  std::vector<std::uint8_t> previous(stride, 0);
  std::vector<std::uint8_t> line(stride);
  image.rgb.reserve(std::size_t{image.width} * image.height * 3);
  for (std::uint32_t y = 0; y < image.height; ++y) {
    const std::uint8_t filter = raw[y * (stride + 1)];
    const std::uint8_t* in = &raw[y * (stride + 1) + 1];
    for (std::size_t x = 0; x < stride; ++x) {
      const int a = x >= channels ? line[x - channels] : 0;
      const int b = previous[x];
      const int c = x >= channels ? previous[x - channels] : 0;
      int predicted = 0;
      switch (filter) {
        case 0:
          predicted = 0;
          break;
        case 1:
          predicted = a;
          break;
        case 2:
          predicted = b;
          break;
        case 3:
          predicted = (a + b) / 2;
          break;
        case 4: {
          const int p = a + b - c;
          const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          return {};
      }
      line[x] = static_cast<std::uint8_t>(in[x] + predicted);
    }
    for (std::size_t x = 0; x < image.width; ++x) {
      image.rgb.insert(image.rgb.end(), &line[x * channels], &line[x * channels + 3]);
    }
    previous.swap(line);
  }
  return image;
}

// Tests that open a report in headless Chromium: skipped where it is missing, failed in CI
// (scripts/setup-deps installs it there).
class HeadlessChromium : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = find_chromium();
    if (chromium_.empty()) {
      if (in_ci()) FAIL() << "chromium not found on PATH: scripts/setup-deps installs it";
      GTEST_SKIP() << "chromium not found on PATH (scripts/setup-deps installs it)";
    }
  }

  // The page's DOM once its scripts ran, checked for what every drawn report shows: the page's
  // own "rendered" flag and an empty error box.
  std::string rendered_dom(const fs::path& page) {
    const int status = run_chromium(chromium_, dir_, "--dump-dom", page, dir_ / "dom.html");
    EXPECT_EQ(status, 0) << read_text(dir_ / "chromium.log");
    std::string dom = read_text(dir_ / "dom.html");
    EXPECT_NE(dom.find("data-plots=\"rendered\""), std::string::npos) << "Plotly.newPlot did not finish";
    const std::size_t errors = dom.find("id=\"report-errors\"");
    EXPECT_NE(dom.find("<pre id=\"report-errors\" hidden=\"\"></pre>"), std::string::npos)
        << (errors == std::string::npos ? std::string("no error box") : dom.substr(errors, 300));
    return dom;
  }

  std::string chromium_;
  TempDir dir_;
};

std::size_t occurrences(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Writes a report from fixture files, opens it in headless Chromium, and checks what a reader
// would see: Plotly drew the chart (the page's own flag, Plotly's SVG, no script error), and the
// screenshot shows it (the traces' colours are on screen, the page is not blank).
TEST_F(HeadlessChromium, DrawsTheReport) {
  TempDir& dir = dir_;
  write_fixture(dir.path(), 600);
  auto page = write_backtest_report(dir.path());
  ASSERT_TRUE(page) << page.error().message();

  const std::string dom = rendered_dom(*page);
  EXPECT_GE(occurrences(dom, "class=\"main-svg\""), 2u);
  // One trace group per drawn trace: 5 price lines, 3 fill traces, 2 inventory, equity, PnL, drawdown.
  EXPECT_EQ(occurrences(dom, "class=\"trace scatter"), 13u);
  // The time axis is labelled with times ("23:56"), not numbers.
  std::size_t time_labels = 0;
  for (std::size_t at = dom.find("class=\"xtick\""); at != std::string::npos;
       at = dom.find("class=\"xtick\"", at + 1)) {
    const std::size_t text = dom.find('>', dom.find("<text", at)) + 1;
    const std::string label = dom.substr(text, dom.find('<', text) - text);
    if (label.size() >= 5 && std::isdigit(static_cast<unsigned char>(label[0])) != 0 && label[2] == ':')
      ++time_labels;
  }
  EXPECT_GE(time_labels, 3u) << "time axis labels";
  // What Plotly built loads nothing either (no logo link: displaylogo is off).
  std::string markup = dom;
  const std::size_t inlined = markup.find(chart_library().script);
  ASSERT_NE(inlined, std::string::npos);
  markup.erase(inlined, chart_library().script.size());
  expect_nothing_from_elsewhere(markup);

  const fs::path png = dir / "report.png";
  ASSERT_EQ(
      run_chromium(chromium_, dir, fmt::format("--window-size=1400,1700 --screenshot='{}'", png.string()),
                   *page, dir / "screenshot.out"),
      0)
      << read_text(dir / "chromium.log");
  const Image image = decode_png(read_text(png));
  ASSERT_EQ(image.width, 1400u);
  ASSERT_EQ(image.height, 1700u);
  std::size_t not_white = 0;
  std::vector<std::uint32_t> colours;
  for (std::size_t i = 0; i < std::size_t{image.width} * image.height; ++i) {
    const std::uint32_t p = image.pixel(i);
    if (p != 0xffffff) ++not_white;
    colours.push_back(p);
  }
  EXPECT_GT(not_white, colours.size() / 20) << "the page is (nearly) blank";
  std::ranges::sort(colours);
  auto pixels_of = [&](std::uint32_t colour) {
    return static_cast<std::size_t>(std::ranges::upper_bound(colours, colour) -
                                    std::ranges::lower_bound(colours, colour));
  };
  const std::pair<const char*, std::uint32_t> drawn[] = {
      {"mid", 0x1f3b73},        {"our bid", 0x4daf4a},   {"our ask", 0xff7f00}, {"buy fills", 0x1a9850},
      {"sell fills", 0xd73027}, {"inventory", 0x7b3294}, {"PnL", 0xe08214},
  };
  for (const auto& [name, colour] : drawn) {
    EXPECT_GE(pixels_of(colour), 30u) << name << fmt::format(" (#{:06x}) is not on the screenshot", colour);
  }
  const auto distinct = std::ranges::unique(colours).begin() - colours.begin();
  EXPECT_GT(distinct, 200) << "a rendered chart has anti-aliased lines and text";
}

// Two markets: a price and an inventory panel each, the portfolio's panels once, every trace drawn.
TEST_F(HeadlessChromium, DrawsEachMarketOfSeveral) {
  write_two_market_fixture(dir_.path(), 300);
  auto loaded = load_backtest_output(dir_.path());
  ASSERT_TRUE(loaded) << loaded.error().message();
  auto page = write_backtest_report(dir_.path());
  ASSERT_TRUE(page) << page.error().message();

  const std::string dom = rendered_dom(*page);
  for (const char* title : {"BTCUSDT: price, own quotes and fills", "BTCUSDT: inventory",
                            "ETHUSDT: price, own quotes and fills", "ETHUSDT: inventory", "Portfolio drawdown"}) {
    EXPECT_NE(dom.find(title), std::string::npos) << title;
  }
  // Per market: 5 price lines, one trace per side and liquidity that has fills, inventory; then the
  // quote balance, equity, PnL and drawdown once.
  std::size_t expected = 4;
  for (const MarketOutput& market : loaded->markets) {
    expected += 5 + 1;
    for (const bool buy : {true, false}) {
      for (const bool maker : {true, false}) {
        if (std::ranges::any_of(market.fills, [&](const BacktestFill& f) { return f.buy == buy && f.maker == maker; }))
          ++expected;
      }
    }
  }
  EXPECT_EQ(occurrences(dom, "class=\"trace scatter"), expected);
}

}  // namespace
}  // namespace colibri::app
