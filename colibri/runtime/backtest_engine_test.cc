// BacktestEngine end to end: a generated synthetic market written to an event log, replayed into
// the real simulated exchange, ExchangeBase and PureMarketMaking.

#include "colibri/runtime/backtest_engine.h"

#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "colibri/data/event_log.h"
#include "colibri/data/synthetic_market.h"
#include "colibri/strategy/pure_market_making.h"
#include "colibri/testing/markets.h"
#include "colibri/testing/sample_data.h"

namespace colibri::runtime {
namespace {

using namespace std::chrono_literals;

Quantity qty(const char* text) { return *Quantity::parse(text); }
const model::Asset kBtc = model::Asset::truncating("BTC");
const model::Asset kUsdt = model::Asset::truncating("USDT");

// Writes `seconds` of the default synthetic BTCUSDT market (seed `seed`) to `path`.
void write_market(const std::filesystem::path& path, std::int64_t seconds, std::uint64_t seed = 1) {
  data::SyntheticMarketConfig market;
  market.seconds = seconds;
  market.seed = seed;
  auto written = data::write_synthetic_log(market, path);
  ASSERT_TRUE(written) << written.error().describe();
}

// The same for a synthetic ETHUSDT around 2,600.
void write_eth_market(const std::filesystem::path& path, std::int64_t seconds, std::uint64_t seed = 2) {
  data::SyntheticMarketConfig market;
  market.symbol = "ETHUSDT";
  market.initial_price = Price::from_int(2'600);
  market.lot_size = Quantity::from_raw(10'000);
  market.seconds = seconds;
  market.seed = seed;
  auto written = data::write_synthetic_log(market, path);
  ASSERT_TRUE(written) << written.error().describe();
}

// The shared BTCUSDT rules with the finer lot of the synthetic market.
model::TradingRules btcusdt() {
  model::TradingRules rules = testing::btcusdt_rules();
  rules.lot_size = qty("0.00001");
  rules.min_quantity = qty("0.00001");
  return rules;
}

BacktestConfig config(std::vector<std::filesystem::path> files) {
  BacktestConfig c;
  c.markets = {BacktestMarket{btcusdt(), std::move(files)}};
  c.starting_balances = {{kBtc, qty("1")}, {kUsdt, qty("100000")}};
  return c;
}

// PMM quoting 0.5 bps either side of the mid, `amount` of base, refreshed every 5 s.
StrategyFactory pmm_factory(const char* symbol = "BTCUSDT", const char* amount = "0.002") {
  return [symbol, amount](connector::Connector& connector, Scheduler& scheduler) -> std::unique_ptr<strategy::Strategy> {
    strategy::PureMarketMakingConfig c;
    c.bid_spread = 0.005;
    c.ask_spread = 0.005;
    c.order_amount = qty(amount);
    c.order_refresh_time = 5s;
    c.filled_order_delay = 1s;
    strategy::StrategyContext context{fmt::format("pmm {}", symbol), {&connector}, &scheduler};
    return std::make_unique<strategy::PureMarketMaking>(
        std::move(context), strategy::MarketTradingPair{&connector, model::Symbol::truncating(symbol)}, c);
  };
}

Quantity balance_of(const std::vector<AssetAmount>& balances, const model::Asset& asset) {
  for (const auto& b : balances) {
    if (b.asset == asset) return b.amount;
  }
  return Quantity::zero();
}

// Final ledger balance = start + signed fills - fees, for each asset, to the last unit; and the
// metrics' total PnL is exactly the change in marked equity.
void expect_money_conserved(const BacktestResult& result, Quantity start_btc, Quantity start_usdt) {
  ASSERT_EQ(balance_of(result.starting_balances, kBtc), start_btc);
  ASSERT_EQ(balance_of(result.starting_balances, kUsdt), start_usdt);
  Notional usdt = Notional::from_quantity(start_usdt);
  Quantity btc = start_btc;
  for (const auto& f : result.fills) {
    const Notional value = f.price * f.amount;
    if (f.side == model::Side::Buy) {
      usdt -= value;
      btc += f.amount;
    } else {
      usdt += value;
      btc -= f.amount;
    }
    ASSERT_TRUE(f.fee.asset == kUsdt || f.fee.asset == kBtc) << f.fee.asset;
    if (f.fee.asset == kUsdt) usdt -= Notional::from_quantity(f.fee.amount);
    if (f.fee.asset == kBtc) btc -= f.fee.amount;
  }
  EXPECT_NE(balance_of(result.final_balances, kBtc), start_btc);
  EXPECT_EQ(balance_of(result.final_balances, kBtc), btc);
  EXPECT_EQ(Notional::from_quantity(balance_of(result.final_balances, kUsdt)), usdt);
  EXPECT_EQ(result.metrics.fill_count, result.fills.size());
  EXPECT_EQ(result.metrics.total_pnl, result.metrics.end_value - result.metrics.start_value);
  EXPECT_EQ(result.metrics.total_pnl,
            result.metrics.realized_pnl + result.metrics.unrealized_pnl - result.metrics.fees_quote);
}

class BacktestEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { write_market(path_, 300); }
  testing::TempDir dir_;
  std::filesystem::path path_ = dir_ / "btcusdt.clog";
};

TEST_F(BacktestEngineTest, PureMarketMakingTradesAndMoneyIsConservedExactly) {
  auto result = BacktestEngine(config({path_})).run(pmm_factory());
  ASSERT_TRUE(result) << result.error().describe();
  auto reader = data::EventLogReader::open(path_);
  ASSERT_TRUE(reader);
  EXPECT_EQ(result->records, reader->info().messages);
  EXPECT_GE(result->elapsed, 299s);
  EXPECT_GT(result->orders.created, 10u);
  ASSERT_GT(result->fills.size(), 2u);
  EXPECT_LT(result->orders.failed, result->orders.created);  // LIMIT_MAKER may cross in flight
  EXPECT_TRUE(result->shutdown_complete);
  EXPECT_EQ(result->open_orders_at_end, 0u);
  bool bought = false, sold = false;
  for (const auto& f : result->fills) (f.side == model::Side::Buy ? bought : sold) = true;
  EXPECT_TRUE(bought && sold);

  expect_money_conserved(*result, qty("1"), qty("100000"));
  EXPECT_EQ(result->final_balances.size(), 2u);
}

TEST_F(BacktestEngineTest, TwoRunsGiveIdenticalFills) {
  auto a = BacktestEngine(config({path_})).run(pmm_factory());
  auto b = BacktestEngine(config({path_})).run(pmm_factory());
  ASSERT_TRUE(a && b);
  ASSERT_FALSE(a->fills.empty());
  ASSERT_EQ(a->fills.size(), b->fills.size());
  for (std::size_t i = 0; i < a->fills.size(); ++i) {
    const auto& x = a->fills[i];
    const auto& y = b->fills[i];
    EXPECT_EQ(x.client_order_id, y.client_order_id) << i;
    EXPECT_EQ(x.exchange_order_id, y.exchange_order_id) << i;
    EXPECT_EQ(x.trade_id, y.trade_id) << i;
    EXPECT_EQ(x.side, y.side) << i;
    EXPECT_EQ(x.price, y.price) << i;
    EXPECT_EQ(x.amount, y.amount) << i;
    EXPECT_EQ(x.fee, y.fee) << i;
    EXPECT_EQ(x.liquidity, y.liquidity) << i;
    EXPECT_EQ(x.time, y.time) << i;
  }
  EXPECT_EQ(a->final_balances, b->final_balances);
  EXPECT_EQ(a->elapsed, b->elapsed);
}

// Every 10 s, alternately buys and sells 0.001 BTC with a limit 1 % through the touch: a taker
// order that fills the moment it reaches the exchange. Records, for each fill, how long after the
// local request the exchange executed it.
class TakerEveryTenSeconds final : public strategy::Strategy {
 public:
  TakerEveryTenSeconds(strategy::StrategyContext context, std::vector<Duration>& delays)
      : Strategy(std::move(context)), delays_(delays) {}

 private:
  void on_tick(Timestamp now) override {
    connector::Connector& c = *context().connectors[0];
    const model::OrderBook* book = c.order_book(kSymbol);
    if (!c.ready() || book == nullptr || !book->best_bid() || !book->best_ask()) return;
    if (now.ns() % 10'000'000'000 != 0) return;
    const bool buy = (++count_ % 2) == 1;
    const double price =
        buy ? book->best_ask()->price.to_double() * 1.01 : book->best_bid()->price.to_double() * 0.99;
    const model::TradingRules& rules = *c.trading_rules(kSymbol);
    const Price limit = *rules.quantize_price(price, buy ? model::Side::Buy : model::Side::Sell);
    auto id = buy ? c.buy(kSymbol, qty("0.001"), model::OrderType::Limit, limit)
                  : c.sell(kSymbol, qty("0.001"), model::OrderType::Limit, limit);
    EXPECT_TRUE(id) << id.error().describe();
  }
  void on_order_filled(connector::Connector& from, const model::OrderFilled& event) override {
    const model::InFlightOrder* order = from.order(event.client_order_id);
    ASSERT_NE(order, nullptr);
    EXPECT_EQ(event.liquidity, model::Liquidity::Taker);
    delays_.push_back(event.time - order->created_at());
  }

  static inline const model::Symbol kSymbol = model::Symbol::truncating("BTCUSDT");
  std::vector<Duration>& delays_;
  int count_ = 0;
};

// A taker order executes exactly one entry latency after the bot sent it (the exchange side runs
// at exchange time, the bot at local time, the request travels in between).
TEST_F(BacktestEngineTest, TakerOrdersExecuteOneEntryLatencyAfterTheRequest) {
  for (const Duration entry : {Duration(1ms), Duration(700ms)}) {
    BacktestConfig c = config({path_});
    c.entry_latency = entry;
    c.response_latency = 3ms;
    std::vector<Duration> delays;
    auto result = BacktestEngine(c).run([&](connector::Connector& connector, Scheduler& scheduler) {
      return std::make_unique<TakerEveryTenSeconds>(
          strategy::StrategyContext{"taker", {&connector}, &scheduler}, delays);
    });
    ASSERT_TRUE(result) << result.error().describe();
    ASSERT_GE(delays.size(), 25u) << "one fill per 10 s over 5 minutes";
    // The order sent on the last tick fills during shutdown, when the strategy no longer listens.
    EXPECT_LE(delays.size(), result->fills.size());
    EXPECT_GE(delays.size() + 1, result->fills.size());
    for (const Duration d : delays) EXPECT_EQ(d, entry);
    EXPECT_EQ(result->orders.completed, result->orders.created);
  }
}

TEST_F(BacktestEngineTest, SeveralFilesReplayAsOneStream) {
  // The same file twice: the second copy's times step back to the start; they are clamped, the
  // run completes and replays every record of both.
  auto result = BacktestEngine(config({path_, path_})).run(pmm_factory());
  ASSERT_TRUE(result) << result.error().describe();
  auto reader = data::EventLogReader::open(path_);
  ASSERT_TRUE(reader);
  EXPECT_EQ(result->records, 2 * reader->info().messages);
  EXPECT_TRUE(result->shutdown_complete);
}

TEST(BacktestEngine, ConfigErrorsAreValues) {
  EXPECT_FALSE(BacktestEngine(BacktestConfig{}).run(pmm_factory()));  // no market
  BacktestConfig c = config({"/nonexistent/file.clog"});
  auto missing = BacktestEngine(c).run(pmm_factory());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::NotFound);
}

// Two cursors over one reader walk the same records independently, as replay() does.
TEST_F(BacktestEngineTest, TwoCursorsOnOneFileAreIndependent) {
  auto reader = data::EventLogReader::open(path_);
  ASSERT_TRUE(reader);
  struct Times final : data::MarketEventSink {
    std::vector<std::int64_t> t;
    void on_snapshot(const model::BookSnapshot& s) override { t.push_back(s.exchange_time.ns()); }
    void on_diff(const model::BookDiff& d) override { t.push_back(d.exchange_time.ns()); }
    void on_trade(const model::PublicTrade& p) override { t.push_back(p.exchange_time.ns()); }
    void on_ticker(const model::BookTicker& k) override { t.push_back(k.exchange_time.ns()); }
  } all, first, second;
  ASSERT_TRUE(reader->replay(all));
  data::EventLogCursor a = reader->cursor();
  data::EventLogCursor b = reader->cursor();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(*a.next(first));  // a runs ahead
  while (!b.at_end()) {
    EXPECT_EQ(b.peek_exchange_time().ns(), all.t[second.t.size()]);
    ASSERT_TRUE(*b.next(second));
    if (!a.at_end()) {
      ASSERT_TRUE(a.next(first));
    }
  }
  EXPECT_TRUE(a.at_end());
  EXPECT_TRUE(b.peek_exchange_time().is_none());
  EXPECT_FALSE(*b.next(second));
  EXPECT_EQ(first.t, all.t);
  EXPECT_EQ(second.t, all.t);
  EXPECT_EQ(b.records(), reader->info().messages);
}


// Everything a recorder receives, kept.
struct KeepingRecorder final : BacktestRecorder {
  void on_fill(const model::OrderFilled& f) override { fills.push_back(f); }
  void on_order_closed(const OrderRecord& o) override { orders.push_back(o); }
  void on_sample(const SeriesSample& s) override { samples.push_back(s); }
  void on_progress(std::uint64_t replayed, std::uint64_t total) override {
    last_progress = replayed;
    progress_total = total;
  }
  std::vector<model::OrderFilled> fills;
  std::vector<OrderRecord> orders;
  std::vector<SeriesSample> samples;
  std::uint64_t last_progress = 0;
  std::uint64_t progress_total = 0;
};

TEST_F(BacktestEngineTest, TheRecorderSeesEveryFillOrderAndSample) {
  KeepingRecorder recorder;
  BacktestConfig c = config({path_});
  c.sample_interval = 2s;
  auto result = BacktestEngine(c).run(pmm_factory(), &recorder);
  ASSERT_TRUE(result) << result.error().describe();
  ASSERT_FALSE(recorder.fills.empty());
  EXPECT_EQ(recorder.fills.size(), result->fills.size());
  EXPECT_EQ(recorder.last_progress, result->records);
  EXPECT_EQ(recorder.progress_total, result->records);

  // One order record per order: every created one ends (the run cancels what is left) and failed
  // ones that were never created appear too.
  std::uint64_t filled = 0, cancelled = 0, open = 0;
  for (const auto& o : recorder.orders) {
    filled += o.status == "filled";
    cancelled += o.status == "cancelled";
    open += o.status == "open";
  }
  EXPECT_EQ(filled, result->orders.completed);
  EXPECT_EQ(cancelled, result->orders.cancelled);
  EXPECT_EQ(open, 0u);
  EXPECT_GE(recorder.orders.size(), result->orders.created);

  // Samples on the 2 s grid from the start, plus the final one after shutdown.
  ASSERT_EQ(recorder.samples.size(), result->samples);
  ASSERT_GT(recorder.samples.size(), 100u);
  for (std::size_t i = 0; i + 1 < recorder.samples.size(); ++i) {
    EXPECT_EQ(recorder.samples[i].time, result->start_time + 2s * static_cast<std::int64_t>(i + 1));
  }
  EXPECT_EQ(recorder.samples.back().time, result->end_time);
  const SeriesSample& some = recorder.samples[50];
  ASSERT_TRUE(some.mid && some.best_bid && some.best_ask);
  EXPECT_LT(*some.best_bid, *some.best_ask);
  EXPECT_EQ(some.equity.equity, Notional::from_quantity(some.quote) + some.base * *some.mid);
  bool quoted = false;
  for (const auto& sample : recorder.samples) quoted = quoted || (sample.bid_quote && sample.ask_quote);
  EXPECT_TRUE(quoted) << "PMM quotes both sides at some sample";
}

// The project's sample data: 11 minutes of real Binance spot BTCUSDT (two recordings, the second
// continuing the first's book), converted on the fly and replayed with Binance's sequence rules.
TEST(BacktestEngineSampleData, RealRecordingsTradeAndConserveMoneyExactly) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(day1, "binance/spot/btcusdt_20240808.gz");
  COLIBRI_SAMPLE_FILE_OR_SKIP(day2, "binance/spot/btcusdt_20240809.gz");
  testing::TempDir scratch;
  BacktestConfig c = config({day1, day2});
  c.markets[0].rules.lot_size = qty("0.00001");
  c.scratch_dir = scratch.path();
  auto result = BacktestEngine(c).run(pmm_factory());
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_GT(result->records, 90'000u);
  EXPECT_GE(result->elapsed, 640s);
  EXPECT_EQ(result->markets[0].exchange_book.gaps, 0u);
  EXPECT_GE(result->markets[0].exchange_book.snapshots, 1u);
  EXPECT_GT(result->markets[0].exchange_book.applied, 6'000u);
  EXPECT_GT(result->fills.size(), 10u);
  EXPECT_TRUE(result->shutdown_complete);
  expect_money_conserved(*result, qty("1"), qty("100000"));
  EXPECT_GT(result->metrics.adverse_selection_10s_fills, 0u);
  EXPECT_TRUE(std::filesystem::is_empty(scratch.path())) << "converted recordings are removed after the run";
}

TEST(BacktestEngineSampleData, ARecordingOfAnotherSymbolIsAnError) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(eth, "binance/spot/ethusdt_20240808.gz");
  testing::TempDir scratch;
  BacktestConfig c = config({eth});
  c.scratch_dir = scratch.path();
  auto result = BacktestEngine(c).run(pmm_factory());
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message().find("ethusdt_20240808.gz"), std::string::npos) << result.error().message();
  EXPECT_NE(result.error().message().find("BTCUSDT"), std::string::npos) << result.error().message();
}

TEST_F(BacktestEngineTest, AnEventLogOfAnotherSymbolIsAnError) {
  BacktestConfig c = config({path_});
  c.markets[0].rules.symbol = "ETHUSDT";
  c.markets[0].rules.base = "ETH";
  auto result = BacktestEngine(c).run(pmm_factory());
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message().find("holds BTCUSDT, but the market is ETHUSDT"), std::string::npos)
      << result.error().message();
}

TEST_F(BacktestEngineTest, TheQueueModelIsChosenByName) {
  BacktestConfig c = config({path_});
  c.queue_model = "prob_log";
  auto result = BacktestEngine(c).run(pmm_factory());
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_GT(result->fills.size(), 2u);
  expect_money_conserved(*result, qty("1"), qty("100000"));
  c.queue_model = "optimistic";
  auto refused = BacktestEngine(c).run(pmm_factory());
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("unknown queue model \"optimistic\""), std::string::npos);
}

// A recorded-latency file replaces the constant latencies: 200 ms each way makes other fills than
// 1 ms, and money is still conserved; a bad file is an error naming it.
TEST_F(BacktestEngineTest, ARecordedLatencyFileDrivesTheOrderLatencies) {
  const std::filesystem::path latencies = dir_ / "latency.csv";
  {
    std::ofstream out(latencies);
    out << "request_time,exchange_time,response_time\n";
    for (std::int64_t s = -10; s < 400; ++s) {
      const std::int64_t request = 1'723'161'600'000'000'000 + s * 1'000'000'000;  // around the synthetic start
      out << request << ',' << request + 200'000'000 << ',' << request + 400'000'000 << '\n';
    }
  }
  BacktestConfig slow = config({path_});
  slow.latency_file = latencies;
  auto fast = BacktestEngine(config({path_})).run(pmm_factory());
  auto delayed = BacktestEngine(slow).run(pmm_factory());
  ASSERT_TRUE(fast && delayed) << (fast ? delayed.error().describe() : fast.error().describe());
  ASSERT_FALSE(delayed->fills.empty());
  bool differ = fast->fills.size() != delayed->fills.size();
  for (std::size_t i = 0; !differ && i < fast->fills.size(); ++i) differ = fast->fills[i].time != delayed->fills[i].time;
  EXPECT_TRUE(differ) << "200 ms latencies should change when orders rest and fill";
  expect_money_conserved(*delayed, qty("1"), qty("100000"));

  slow.latency_file = dir_ / "missing.csv";
  auto refused = BacktestEngine(slow).run(pmm_factory());
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("missing.csv"), std::string::npos) << refused.error().message();
}

// --- several markets sharing one quote asset

const model::Asset kEth = model::Asset::truncating("ETH");

BacktestConfig two_markets(std::vector<std::filesystem::path> btc_files, std::vector<std::filesystem::path> eth_files) {
  BacktestConfig c = config(std::move(btc_files));
  model::TradingRules eth = testing::ethusdt_rules();
  c.markets.push_back(BacktestMarket{eth, std::move(eth_files)});
  c.starting_balances.push_back({kEth, qty("10")});
  return c;
}

// Per asset, final = start + signed fills − fees over both markets' fills, to the last unit; a
// fill moves only its own market's base; the portfolio's PnL is the sum of the markets' and
// exactly the change in marked equity.
void expect_portfolio_conserved(const BacktestResult& result) {
  Notional usdt = Notional::from_quantity(balance_of(result.starting_balances, kUsdt));
  Quantity btc = balance_of(result.starting_balances, kBtc);
  Quantity eth = balance_of(result.starting_balances, kEth);
  for (const auto& f : result.fills) {
    Quantity& base = f.symbol == "BTCUSDT" ? btc : eth;
    ASSERT_TRUE(f.symbol == "BTCUSDT" || f.symbol == "ETHUSDT") << f.symbol;
    const Notional value = f.price * f.amount;
    usdt += f.side == model::Side::Buy ? -value : value;
    base += f.side == model::Side::Buy ? f.amount : -f.amount;
    if (f.fee.asset == kUsdt) {
      usdt -= Notional::from_quantity(f.fee.amount);
    } else {
      ASSERT_EQ(f.fee.asset, f.symbol == "BTCUSDT" ? kBtc : kEth);
      base -= f.fee.amount;
    }
  }
  EXPECT_EQ(balance_of(result.final_balances, kBtc), btc);
  EXPECT_EQ(balance_of(result.final_balances, kEth), eth);
  EXPECT_EQ(Notional::from_quantity(balance_of(result.final_balances, kUsdt)), usdt);

  const PerformanceMetrics& p = result.metrics;
  EXPECT_EQ(p.total_pnl, p.end_value - p.start_value);
  ASSERT_EQ(result.markets.size(), 2u);
  const PerformanceMetrics& a = result.markets[0].metrics;
  const PerformanceMetrics& b = result.markets[1].metrics;
  EXPECT_EQ(p.total_pnl, a.total_pnl + b.total_pnl);
  EXPECT_EQ(p.realized_pnl, a.realized_pnl + b.realized_pnl);
  EXPECT_EQ(p.fees_quote, a.fees_quote + b.fees_quote);
  EXPECT_EQ(p.traded_volume_quote, a.traded_volume_quote + b.traded_volume_quote);
  EXPECT_EQ(p.fill_count, result.fills.size());
  EXPECT_EQ(p.fill_count, a.fill_count + b.fill_count);
}

class TwoMarketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_market(btc_, 300);
    write_eth_market(eth_, 300);
  }
  testing::TempDir dir_;
  std::filesystem::path btc_ = dir_ / "btcusdt.clog";
  std::filesystem::path eth_ = dir_ / "ethusdt.clog";
};

TEST_F(TwoMarketTest, OneAccountTradesBothMarketsAndMoneyIsConservedPerAsset) {
  auto result = BacktestEngine(two_markets({btc_}, {eth_})).run({pmm_factory(), pmm_factory("ETHUSDT", "0.05")});
  ASSERT_TRUE(result) << result.error().describe();
  ASSERT_EQ(result->markets.size(), 2u);
  EXPECT_EQ(result->markets[0].symbol, "BTCUSDT");
  EXPECT_EQ(result->markets[1].symbol, "ETHUSDT");
  auto btc_log = data::EventLogReader::open(btc_);
  auto eth_log = data::EventLogReader::open(eth_);
  ASSERT_TRUE(btc_log && eth_log);
  EXPECT_EQ(result->markets[0].records, btc_log->info().messages);
  EXPECT_EQ(result->markets[1].records, eth_log->info().messages);
  EXPECT_EQ(result->records, btc_log->info().messages + eth_log->info().messages);
  EXPECT_GT(result->markets[0].metrics.fill_count, 0u);
  EXPECT_GT(result->markets[1].metrics.fill_count, 0u);
  EXPECT_TRUE(result->shutdown_complete);
  EXPECT_EQ(result->open_orders_at_end, 0u);
  EXPECT_EQ(result->final_balances.size(), 3u);
  expect_portfolio_conserved(*result);
  // Both markets' fills interleave in time: one clock, one replay.
  for (std::size_t i = 1; i < result->fills.size(); ++i) {
    EXPECT_LE(result->fills[i - 1].time, result->fills[i].time) << i;
  }
}

// The series has one row per market per sampling instant; the portfolio's columns agree.
TEST_F(TwoMarketTest, SamplesComeOnePerMarketWithThePortfolioEquity) {
  struct Samples final : BacktestRecorder {
    std::vector<SeriesSample> rows;
    void on_sample(const SeriesSample& s) override { rows.push_back(s); }
  } recorder;
  auto result =
      BacktestEngine(two_markets({btc_}, {eth_})).run({pmm_factory(), pmm_factory("ETHUSDT", "0.05")}, &recorder);
  ASSERT_TRUE(result) << result.error().describe();
  ASSERT_EQ(recorder.rows.size(), 2 * result->samples);
  for (std::size_t i = 0; i + 1 < recorder.rows.size(); i += 2) {
    const SeriesSample& btc = recorder.rows[i];
    const SeriesSample& eth = recorder.rows[i + 1];
    ASSERT_EQ(btc.symbol, "BTCUSDT");
    ASSERT_EQ(eth.symbol, "ETHUSDT");
    ASSERT_EQ(btc.time, eth.time);
    ASSERT_EQ(btc.quote, eth.quote);
    ASSERT_EQ(btc.equity.equity, eth.equity.equity);
    if (btc.mid && eth.mid) {
      EXPECT_EQ(btc.equity.equity, Notional::from_quantity(btc.quote) + btc.base * *btc.mid + eth.base * *eth.mid);
    }
  }
}

TEST_F(TwoMarketTest, TwoRunsGiveIdenticalFills) {
  const BacktestConfig c = two_markets({btc_}, {eth_});
  auto a = BacktestEngine(c).run({pmm_factory(), pmm_factory("ETHUSDT", "0.05")});
  auto b = BacktestEngine(c).run({pmm_factory(), pmm_factory("ETHUSDT", "0.05")});
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->fills.size(), b->fills.size());
  for (std::size_t i = 0; i < a->fills.size(); ++i) {
    EXPECT_EQ(a->fills[i].client_order_id, b->fills[i].client_order_id);
    EXPECT_EQ(a->fills[i].price, b->fills[i].price);
    EXPECT_EQ(a->fills[i].time, b->fills[i].time);
  }
  EXPECT_EQ(a->metrics.total_pnl, b->metrics.total_pnl);
}

TEST_F(TwoMarketTest, MarketsMustShareTheQuoteAndNotRepeatABase) {
  BacktestConfig c = two_markets({btc_}, {eth_});
  c.markets[1].rules.quote = "FDUSD";
  auto result = BacktestEngine(c).run(pmm_factory());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message(),
            "backtest: ETHUSDT is quoted in FDUSD, BTCUSDT in USDT: the markets of one backtest share one quote asset");
  c = two_markets({btc_}, {eth_});
  c.markets[1].rules.base = "BTC";
  result = BacktestEngine(c).run(pmm_factory());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message(), "backtest: BTCUSDT and ETHUSDT both trade BTC: one market per base asset");
  c = two_markets({btc_}, {});
  result = BacktestEngine(c).run(pmm_factory());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message(), "backtest: no data file for ETHUSDT");
}

// The project's sample data: BTCUSDT and ETHUSDT recorded side by side, replayed in one run.
TEST(BacktestEngineSampleData, TwoRealMarketsTradeSideBySide) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(btc1, "binance/spot/btcusdt_20240808.gz");
  COLIBRI_SAMPLE_FILE_OR_SKIP(btc2, "binance/spot/btcusdt_20240809.gz");
  COLIBRI_SAMPLE_FILE_OR_SKIP(eth1, "binance/spot/ethusdt_20240808.gz");
  COLIBRI_SAMPLE_FILE_OR_SKIP(eth2, "binance/spot/ethusdt_20240809.gz");
  testing::TempDir scratch;
  BacktestConfig c = two_markets({btc1, btc2}, {eth1, eth2});
  c.markets[0].rules.lot_size = qty("0.00001");
  c.scratch_dir = scratch.path();
  auto result = BacktestEngine(c).run({pmm_factory(), pmm_factory("ETHUSDT", "0.05")});
  ASSERT_TRUE(result) << result.error().describe();
  for (const MarketResult& m : result->markets) {
    EXPECT_EQ(m.exchange_book.gaps, 0u) << m.symbol;
    EXPECT_GE(m.exchange_book.snapshots, 1u) << m.symbol;
    EXPECT_GT(m.records, 30'000u) << m.symbol;
    EXPECT_GT(m.metrics.fill_count, 2u) << m.symbol;
    EXPECT_EQ(m.data_files, 2u);
  }
  EXPECT_TRUE(result->shutdown_complete);
  expect_portfolio_conserved(*result);
  EXPECT_TRUE(std::filesystem::is_empty(scratch.path()));
}

}  // namespace
}  // namespace colibri::runtime
