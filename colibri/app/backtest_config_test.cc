#include "colibri/app/backtest_config.h"

#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace colibri::app {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// Line numbers below are 1-based lines of this text.
constexpr std::string_view kGood = R"(strategy: pure_market_making
strategy_parameters:
  bid_spread: 0.05
  ask_spread: 0.07
  order_amount: 0.00123456
  order_levels: 3
  order_level_spread: 0.5
  order_level_amount: -0.0001
  order_refresh_time: 2.5
  order_refresh_tolerance_pct: -1
  max_order_age: 600
  filled_order_delay: 0.25
  inventory_skew_enabled: true
  inventory_target_base_pct: 40
  inventory_range_multiplier: 2
  minimum_spread: 0.01
  price_type: last_price
  take_if_crossed: yes
market:
  symbol: BTCUSDT
  base: BTC
  quote: USDT
  tick_size: 0.01
  lot_size: 0.00001
  min_quantity: 0.0001
  min_notional: 5.5
starting_balances:
  BTC: 0.30000001
  USDT: 12345.67
fees:
  maker_percent: 0.075
  taker_percent: 0.1
latency:
  entry_ms: 2.5
  response_ms: 3
tick_size_seconds: 0.5
data:
  - a.clog
  - b.clog
)";

// kGood with line `line` (1-based) replaced by `text`.
std::string with_line(int line, std::string_view text) {
  std::string out;
  int n = 1;
  std::size_t start = 0;
  while (start < kGood.size()) {
    const std::size_t end = kGood.find('\n', start);
    const std::string_view l = kGood.substr(start, end - start);
    out += n == line ? std::string(text) : std::string(l);
    out += '\n';
    ++n;
    start = end + 1;
  }
  return out;
}

std::string error_of(const std::string& yaml) {
  auto c = parse_backtest_config(yaml, "bt.yml");
  EXPECT_FALSE(c) << "expected an error";
  return c ? std::string() : c.error().message();
}

TEST(BacktestConfig, GoodConfigLoadsWithExactValues) {
  auto c = parse_backtest_config(kGood, "bt.yml");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->strategy, "pure_market_making");
  const auto& p = c->pure_market_making;
  EXPECT_DOUBLE_EQ(p.bid_spread, 0.05);
  EXPECT_DOUBLE_EQ(p.ask_spread, 0.07);
  EXPECT_EQ(p.order_amount, *Quantity::parse("0.00123456"));
  EXPECT_EQ(p.order_levels, 3);
  EXPECT_DOUBLE_EQ(p.order_level_spread, 0.5);
  EXPECT_EQ(p.order_level_amount, *Quantity::parse("-0.0001"));
  EXPECT_EQ(p.order_refresh_time, 2500ms);
  EXPECT_DOUBLE_EQ(p.order_refresh_tolerance_pct, -1);
  EXPECT_EQ(p.max_order_age, 600s);
  EXPECT_EQ(p.filled_order_delay, 250ms);
  EXPECT_TRUE(p.inventory_skew_enabled);
  EXPECT_DOUBLE_EQ(p.inventory_target_base_pct, 40);
  EXPECT_DOUBLE_EQ(p.inventory_range_multiplier, 2);
  EXPECT_DOUBLE_EQ(p.minimum_spread, 0.01);
  EXPECT_EQ(p.price_type, "last_price");
  EXPECT_TRUE(p.take_if_crossed);

  const auto& b = c->backtest;
  EXPECT_EQ(b.markets[0].rules.symbol, "BTCUSDT");
  EXPECT_EQ(b.markets[0].rules.base, "BTC");
  EXPECT_EQ(b.markets[0].rules.quote, "USDT");
  EXPECT_EQ(b.markets[0].rules.tick_size, *Price::parse("0.01"));
  EXPECT_EQ(b.markets[0].rules.lot_size, *Quantity::parse("0.00001"));
  EXPECT_EQ(b.markets[0].rules.min_quantity, *Quantity::parse("0.0001"));
  EXPECT_EQ(b.markets[0].rules.min_notional, *Notional::parse("5.5"));
  ASSERT_EQ(b.starting_balances.size(), 2u);
  EXPECT_EQ(b.starting_balances[0].asset, "BTC");
  EXPECT_EQ(b.starting_balances[0].amount.raw(), 30'000'001);  // exact: never through double
  EXPECT_EQ(b.starting_balances[1].asset, "USDT");
  EXPECT_EQ(b.starting_balances[1].amount, *Quantity::parse("12345.67"));
  EXPECT_EQ(b.maker_fee, *model::FeeRate::parse_percent("0.075"));
  EXPECT_EQ(b.taker_fee, *model::FeeRate::parse_percent("0.1"));
  EXPECT_EQ(b.entry_latency, 2500us);
  EXPECT_EQ(b.response_latency, 3ms);
  EXPECT_EQ(b.tick_size, 500ms);
  ASSERT_EQ(b.markets[0].data_files.size(), 2u);
  EXPECT_EQ(b.markets[0].data_files[0], "a.clog");
  EXPECT_EQ(b.markets[0].data_files[1], "b.clog");
}

TEST(BacktestConfig, UnknownKeyNamesKeyLineAndAllowedKeys) {
  const auto m = error_of(with_line(3, "  bid_sprad: 0.05"));
  EXPECT_THAT(m, HasSubstr("bt.yml:3: strategy_parameters.bid_sprad: unknown key"));
  EXPECT_THAT(m, HasSubstr("allowed: bid_spread, ask_spread"));
  EXPECT_THAT(error_of(with_line(36, "tick_size_secs: 1")), HasSubstr("bt.yml:36: tick_size_secs: unknown key"));
  EXPECT_THAT(error_of(with_line(24, "  lot: 0.00001")), HasSubstr("bt.yml:24: market.lot: unknown key"));
}

TEST(BacktestConfig, WrongTypeNamesKeyAndLine) {
  EXPECT_THAT(error_of(with_line(6, "  order_levels: two")),
              HasSubstr("bt.yml:6: strategy_parameters.order_levels: expected an integer >= 0; got \"two\""));
  EXPECT_THAT(error_of(with_line(13, "  inventory_skew_enabled: maybe")),
              HasSubstr("bt.yml:13: strategy_parameters.inventory_skew_enabled: expected true or false"));
  EXPECT_THAT(error_of(with_line(5, "  order_amount: [1, 2]")),
              HasSubstr("bt.yml:5: strategy_parameters.order_amount: expected a base amount > 0"));
  EXPECT_THAT(error_of(with_line(23, "  tick_size: 0.0x1")), HasSubstr("bt.yml:23: market.tick_size: expected"));
  EXPECT_THAT(error_of(with_line(32, "  taker_percent: lots")), HasSubstr("bt.yml:32: fees.taker_percent:"));
}

TEST(BacktestConfig, NegativeSpreadNamesKeyLineAndRange) {
  const auto m = error_of(with_line(4, "  ask_spread: -0.1"));
  EXPECT_THAT(m, HasSubstr("bt.yml:4: strategy_parameters.ask_spread: ask_spread must be a number in (0, 100)"));
  EXPECT_THAT(m, HasSubstr("-0.1"));
  EXPECT_THAT(error_of(with_line(17, "  price_type: middle")),
              HasSubstr("bt.yml:17: strategy_parameters.price_type: "));
  EXPECT_THAT(error_of(with_line(34, "  entry_ms: -1")), HasSubstr("bt.yml:34: latency.entry_ms: expected"));
  EXPECT_THAT(error_of(with_line(28, "  BTC: -1")), HasSubstr("bt.yml:28: starting_balances.BTC:"));
}

TEST(BacktestConfig, MissingMarketIsAnError) {
  std::string yaml(kGood);
  const auto from = yaml.find("market:");
  const auto to = yaml.find("starting_balances:");
  yaml.erase(from, to - from);
  const auto m = error_of(yaml);
  EXPECT_THAT(m, HasSubstr("bt.yml:1: market: missing"));
  EXPECT_THAT(m, HasSubstr("required: symbol, base, quote, tick_size, lot_size"));
  EXPECT_THAT(error_of(with_line(20, "  base_asset: BTC")), HasSubstr("market.base_asset: unknown key"));
  EXPECT_THAT(error_of(with_line(22, "  quote: \"\"")), HasSubstr("bt.yml:19: market: "));
}

TEST(BacktestConfig, SyntaxErrorAndUnknownStrategyNameTheLine) {
  EXPECT_THAT(error_of(with_line(7, "  order_level_spread: [0.5")), HasSubstr("bt.yml:"));
  EXPECT_THAT(error_of(with_line(1, "strategy: avellaneda")),
              HasSubstr("bt.yml:1: strategy: unknown strategy \"avellaneda\" (allowed: pure_market_making)"));
  EXPECT_THAT(error_of(""), HasSubstr("bt.yml:1:"));
}

TEST(BacktestConfig, MissingFileIsNotFound) {
  auto c = load_backtest_config("/nonexistent/pmm.yml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), ErrorCode::NotFound);
}

TEST(BacktestConfig, HummingbotKeysNotSupportedYetLoadOnlyAtTheirDefault) {
  // At Hummingbot's default: accepted (a conf_pure_mm_*.yml copied over keeps working).
  for (const char* line : {"  hanging_orders_enabled: false", "  price_ceiling: -1", "  price_floor: -1.0",
                           "  order_optimization_enabled: no", "  price_source: current_market",
                           "  price_source_exchange:", "  bid_order_level_spreads: null",
                           "  should_wait_order_cancel_confirmation: true", "  inventory_price: 1"}) {
    auto c = parse_backtest_config(with_line(18, line), "bt.yml");  // replaces take_if_crossed
    EXPECT_TRUE(c) << line << ": " << (c ? "" : c.error().message());
  }
  // Anywhere else: an error naming the key, its line and the one value accepted.
  EXPECT_THAT(error_of(with_line(18, "  hanging_orders_enabled: true")),
              HasSubstr("bt.yml:18: strategy_parameters.hanging_orders_enabled: not supported yet: only "
                        "Hummingbot's default (false) is accepted"));
  EXPECT_THAT(error_of(with_line(18, "  price_ceiling: 70000")),
              HasSubstr("bt.yml:18: strategy_parameters.price_ceiling: not supported yet: only Hummingbot's "
                        "default (-1)"));
  EXPECT_THAT(error_of(with_line(18, "  price_source: external_market")),
              HasSubstr("strategy_parameters.price_source: not supported yet"));
  EXPECT_THAT(error_of(with_line(18, "  price_source_exchange: kucoin")),
              HasSubstr("strategy_parameters.price_source_exchange: not supported yet: only Hummingbot's default "
                        "(empty)"));
}

TEST(BacktestConfig, QueueModelIsChosenByNameAndCheckedOnLoad) {
  auto c = parse_backtest_config(with_line(36, "queue: {model: prob_power, power: 3}"), "bt.yml");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->backtest.queue_model, "prob_power");
  EXPECT_EQ(c->backtest.queue_power, 3.0);
  EXPECT_THAT(error_of(with_line(36, "queue: {model: optimistic}")),
              HasSubstr("bt.yml:36: queue.model: unknown model \"optimistic\" (allowed: risk_averse, prob_power"));
  EXPECT_THAT(error_of(with_line(36, "queue: {model: prob_power, power: 0}")), HasSubstr("bt.yml:36: queue.power"));
  EXPECT_THAT(error_of(with_line(36, "queue: {modle: prob_log}")), HasSubstr("bt.yml:36: queue.modle: unknown key"));
}

TEST(BacktestConfig, ExamplePmmBtcusdtLoads) {
  auto c = load_backtest_config(std::filesystem::path(COLIBRI_SOURCE_DIR) / "examples" / "pmm-btcusdt.yml");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->backtest.markets[0].data_files.size(), 2u);
  EXPECT_EQ(c->backtest.sample_interval, 1s);
}

TEST(BacktestConfig, ExamplePmmLoads) {
  auto c = load_backtest_config(std::filesystem::path(COLIBRI_SOURCE_DIR) / "examples" / "pmm.yml");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->backtest.markets[0].rules.symbol, "BTCUSDT");
  EXPECT_EQ(c->pure_market_making.order_amount, *Quantity::parse("0.002"));
  ASSERT_EQ(c->backtest.markets[0].data_files.size(), 1u);
  EXPECT_TRUE(c->pure_market_making.validate());
  EXPECT_TRUE(c->backtest.markets[0].rules.validate());
}

// Two markets: each with its rules, its data and its overrides of the shared parameters.
constexpr std::string_view kTwoMarkets = R"(strategy: pure_market_making
strategy_parameters:
  bid_spread: 0.05
  ask_spread: 0.07
  order_amount: 0.002
  order_refresh_time: 5
markets:
  - symbol: BTCUSDT
    base: BTC
    quote: USDT
    tick_size: 0.01
    lot_size: 0.00001
    data: [btc1.clog, btc2.clog]
  - symbol: ETHUSDT
    base: ETH
    quote: USDT
    tick_size: 0.01
    lot_size: 0.0001
    strategy_parameters:
      order_amount: 0.05
      bid_spread: 0.1
    data: eth.clog
)";

// kTwoMarkets with `from` replaced by `to` (once).
std::string two_markets_with(std::string_view from, std::string_view to) {
  std::string yaml(kTwoMarkets);
  const auto at = yaml.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return yaml.replace(at, from.size(), to);
}

TEST(BacktestConfig, MarketsListEachMarketWithItsDataAndParameterOverrides) {
  auto c = parse_backtest_config(kTwoMarkets, "bt.yml");
  ASSERT_TRUE(c) << c.error().message();
  ASSERT_EQ(c->backtest.markets.size(), 2u);
  EXPECT_EQ(c->backtest.markets[0].rules.symbol, "BTCUSDT");
  EXPECT_EQ(c->backtest.markets[1].rules.lot_size, *Quantity::parse("0.0001"));
  ASSERT_EQ(c->backtest.markets[0].data_files.size(), 2u);
  ASSERT_EQ(c->backtest.markets[1].data_files.size(), 1u);
  EXPECT_EQ(c->backtest.markets[1].data_files[0], "eth.clog");
  ASSERT_EQ(c->market_parameters.size(), 2u);
  EXPECT_EQ(c->market_parameters[0].order_amount, *Quantity::parse("0.002"));  // the shared value
  EXPECT_DOUBLE_EQ(c->market_parameters[0].bid_spread, 0.05);
  EXPECT_EQ(c->market_parameters[1].order_amount, *Quantity::parse("0.05"));   // overridden
  EXPECT_DOUBLE_EQ(c->market_parameters[1].bid_spread, 0.1);
  EXPECT_DOUBLE_EQ(c->market_parameters[1].ask_spread, 0.07);                  // shared
}

TEST(BacktestConfig, MarketsErrorsNameTheMarketAndKey) {
  EXPECT_THAT(error_of(two_markets_with("    quote: USDT\n    tick_size: 0.01\n    lot_size: 0.0001",
                                        "    quote: FDUSD\n    tick_size: 0.01\n    lot_size: 0.0001")),
              HasSubstr("bt.yml:16: markets[1].quote: FDUSD is not USDT: the markets of one backtest share one quote"));
  EXPECT_THAT(error_of(two_markets_with("base: ETH", "base: BTC")),
              HasSubstr("bt.yml:15: markets[1].base: BTC is already traded by BTCUSDT"));
  EXPECT_THAT(error_of(two_markets_with("order_amount: 0.05", "order_amount: -1")),
              HasSubstr("markets[1].strategy_parameters.order_amount"));
  EXPECT_THAT(error_of(two_markets_with("order_amount: 0.05", "order_amout: 1")),
              HasSubstr("bt.yml:20: markets[1].strategy_parameters.order_amout: unknown key"));
  EXPECT_THAT(error_of(two_markets_with("    data: eth.clog", "    datta: eth.clog")),
              HasSubstr("bt.yml:22: markets[1].datta: unknown key"));
  EXPECT_THAT(error_of(two_markets_with("    tick_size: 0.01\n    lot_size: 0.00001", "    lot_size: 0.00001")),
              HasSubstr("markets[0].tick_size: missing (required)"));
  EXPECT_THAT(error_of(std::string(kTwoMarkets) + "data: [x.clog]\n"),
              HasSubstr("data: with `markets`, each market lists its own data"));
  EXPECT_THAT(error_of(std::string(kTwoMarkets) + "market: {symbol: X}\n"),
              HasSubstr("give either `market` (one) or `markets` (a list), not both"));
  EXPECT_THAT(error_of(two_markets_with("markets:\n  - symbol: BTCUSDT", "markets: []\nx:\n  - symbol: BTCUSDT")),
              HasSubstr("unknown key"));
}

TEST(BacktestConfig, LatencyFromARecordedFileIsCheckedOnLoad) {
  const std::string path = ::testing::TempDir() + "/colibri-latency-test.csv";
  {
    std::ofstream out(path);
    out << "1723161600000000000,1723161600004000000,1723161600008000000\n";
  }
  auto c = parse_backtest_config(with_line(35, "  response_ms: 3\n  file_unused: 1"), "bt.yml");
  ASSERT_FALSE(c);
  EXPECT_THAT(c.error().message(), HasSubstr("latency.file_unused: unknown key (allowed: entry_ms, response_ms, file)"));
  EXPECT_THAT(error_of(with_line(34, "  entry_ms: 2.5\n  file: " + path)),
              HasSubstr("latency.file: give either a recorded-latency file or entry_ms/response_ms, not both"));
  std::string yaml = with_line(34, "  file: " + path);
  yaml.replace(yaml.find("  response_ms: 3\n"), 17, "");
  c = parse_backtest_config(yaml, "bt.yml");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->backtest.latency_file, path);
  yaml = with_line(34, "  file: /nonexistent/latency.csv");
  yaml.replace(yaml.find("  response_ms: 3\n"), 17, "");
  EXPECT_THAT(error_of(yaml), HasSubstr("bt.yml:34: latency.file: "));
}

TEST(BacktestConfig, ExamplePmmBtcEthLoadsTwoMarkets) {
  auto c = load_backtest_config(std::filesystem::path(COLIBRI_SOURCE_DIR) / "examples" / "pmm-btc-eth.yml");
  ASSERT_TRUE(c) << c.error().message();
  ASSERT_EQ(c->backtest.markets.size(), 2u);
  EXPECT_EQ(c->backtest.markets[1].rules.symbol, "ETHUSDT");
  EXPECT_EQ(c->market_parameters[1].order_amount, *Quantity::parse("0.05"));
}

TEST(LiveConfig, ExampleLiveSimConfigLoadsWithItsExchangeSection) {
  auto c = load_live_config(std::filesystem::path(COLIBRI_SOURCE_DIR) / "examples" / "pmm-live-sim.yml");
  ASSERT_TRUE(c) << c.error().message();
  ASSERT_TRUE(c->exchange.has_value());
  EXPECT_EQ(c->exchange->rest_url, "https://127.0.0.1:8443");
  EXPECT_EQ(c->exchange->stream_url, "wss://127.0.0.1:8443");
  EXPECT_EQ(c->exchange->ca_file, "/tmp/sim-ca.pem");
  EXPECT_EQ(c->pure_market_making.order_amount, *Quantity::parse("0.002"));
}

TEST(LiveConfig, StreamUrlsDefaultFromTheRestUrl) {
  auto c = parse_live_config(R"(
strategy: pure_market_making
strategy_parameters: {bid_spread: 0.1, ask_spread: 0.1, order_amount: 0.01, order_refresh_time: 5}
market: {symbol: BTCUSDT, base: BTC, quote: USDT, tick_size: 0.01, lot_size: 0.00001}
exchange: {rest_url: "https://127.0.0.1:9443"}
)",
                             "live.yml");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->exchange->stream_url, "wss://127.0.0.1:9443");
  EXPECT_EQ(c->exchange->ws_api_url, "wss://127.0.0.1:9443");
}

TEST(LiveConfig, BacktestOnlyKeysAndAMissingExchangeAreErrors) {
  const std::string base = R"(
strategy: pure_market_making
strategy_parameters: {bid_spread: 0.1, ask_spread: 0.1, order_amount: 0.01, order_refresh_time: 5}
market: {symbol: BTCUSDT, base: BTC, quote: USDT, tick_size: 0.01, lot_size: 0.00001}
)";
  auto missing = parse_live_config(base, "live.yml");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("exchange: missing"), std::string::npos) << missing.error().message();
  auto data = parse_live_config(base + "exchange: {rest_url: \"https://h\"}\ndata: [x.clog]\n", "live.yml");
  ASSERT_FALSE(data);
  EXPECT_NE(data.error().message().find("live.yml:6: data: unknown key"), std::string::npos)
      << data.error().message();
  auto bad_url = parse_live_config(base + "exchange: {rest_url: \"127.0.0.1:1\"}\n", "live.yml");
  ASSERT_FALSE(bad_url);
  EXPECT_NE(bad_url.error().message().find("exchange.rest_url"), std::string::npos) << bad_url.error().message();
  // A backtest config does not take the live section.
  EXPECT_FALSE(parse_backtest_config(base + "exchange: {rest_url: \"https://h\"}\n", "bt.yml"));
}

}  // namespace
}  // namespace colibri::app
