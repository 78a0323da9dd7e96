// Backtest throughput (issue 4's budget: >= 20 M events/s for the full pipeline on one core), in
// events per second, an event being one level update, trade or ticker of the replayed log:
//  - BM_Backtest/<tick_ms>: the whole BacktestEngine — two cursors, the simulated exchange's
//    sequenced book and matching engine, SimExchangeApi, ExchangeBase's book, the clock and PMM
//    ticking every tick_ms — over a synthetic hour of BTCUSDT (data/synthetic_market.h);
//  - BM_ReplayOnly: the same log replayed into one BookSync'd book and nothing else (the floor).
// Compare the two in one run (the ratio is the cost of simulating trading). The log is written
// once per process to a temporary file.

#include <filesystem>
#include <memory>

#include <benchmark/benchmark.h>

#include "colibri/data/event_log.h"
#include "colibri/data/synthetic_market.h"
#include "colibri/model/book_sync.h"
#include "colibri/runtime/backtest_engine.h"
#include "colibri/strategy/pure_market_making.h"
#include "colibri/testing/markets.h"
#include "colibri/venue/binance/sequence_policy.h"

namespace colibri::bench {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kSeconds = 3600;

// The synthetic hour, written on first use and removed at exit.
const std::filesystem::path& synthetic_hour() {
  struct File {
    std::filesystem::path path;
    File() {
      path = std::filesystem::temp_directory_path() / ("colibri-bench-backtest-" + std::to_string(::getpid()) + ".clog");
      data::SyntheticMarketConfig market;
      market.seconds = kSeconds;
      market.seed = 1;
      if (!data::write_synthetic_log(market, path)) std::abort();
    }
    ~File() {
      std::error_code ec;
      std::filesystem::remove(path, ec);
    }
  };
  static const File file;
  return file.path;
}

std::uint64_t events_of(const std::filesystem::path& path) {
  auto reader = data::EventLogReader::open(path);
  return reader ? reader->info().events : 0;
}

runtime::BacktestConfig backtest_config(Duration tick) {
  runtime::BacktestConfig c;
  model::TradingRules rules = testing::btcusdt_rules();  // with the synthetic market's finer lot
  rules.lot_size = *Quantity::parse("0.00001");
  rules.min_quantity = *Quantity::parse("0.00001");
  c.markets = {runtime::BacktestMarket{rules, {synthetic_hour()}}};
  c.starting_balances = {{model::Asset::truncating("BTC"), *Quantity::parse("1")},
                         {model::Asset::truncating("USDT"), *Quantity::parse("100000")}};
  c.tick_size = tick;
  c.keep_fills = false;
  return c;
}

runtime::StrategyFactory pmm() {
  return [](connector::Connector& connector, Scheduler& scheduler) -> std::unique_ptr<strategy::Strategy> {
    strategy::PureMarketMakingConfig c;
    c.bid_spread = 0.01;
    c.ask_spread = 0.01;
    c.order_amount = *Quantity::parse("0.002");
    c.order_refresh_time = 5s;
    c.filled_order_delay = 1s;
    strategy::StrategyContext context{"pmm", {&connector}, &scheduler};
    return std::make_unique<strategy::PureMarketMaking>(
        std::move(context), strategy::MarketTradingPair{&connector, model::Symbol::truncating("BTCUSDT")}, c);
  };
}

void BM_Backtest(benchmark::State& state) {
  const auto config = backtest_config(std::chrono::milliseconds(state.range(0)));
  const std::uint64_t events = events_of(synthetic_hour());
  std::uint64_t fills = 0;
  for (auto _ : state) {
    auto result = runtime::BacktestEngine(config).run(pmm());
    if (!result) return state.SkipWithError(result.error().message().c_str());
    fills = result->metrics.fill_count;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(events * state.iterations()));
  state.counters["fills"] = static_cast<double>(fills);
}
BENCHMARK(BM_Backtest)->Arg(1000)->Arg(100)->Unit(benchmark::kMillisecond);

// The floor: the same log into one sequenced book, nothing else.
class BookOnly final : public data::MarketEventSink {
 public:
  void on_snapshot(const model::BookSnapshot& s) override { sync_.on_snapshot(s); }
  void on_diff(const model::BookDiff& d) override { sync_.on_diff(d); }
  void on_trade(const model::PublicTrade&) override {}
  [[nodiscard]] const model::OrderBook& book() const { return book_; }

 private:
  venue::binance::SpotSequencePolicy policy_;
  model::OrderBook book_;
  model::BookSync sync_{book_, policy_};
};

void BM_ReplayOnly(benchmark::State& state) {
  const std::uint64_t events = events_of(synthetic_hour());
  for (auto _ : state) {
    auto reader = data::EventLogReader::open(synthetic_hour());
    if (!reader) return state.SkipWithError(reader.error().message().c_str());
    BookOnly sink;
    if (!reader->replay(sink)) return state.SkipWithError("replay failed");
    benchmark::DoNotOptimize(sink.book().best_bid());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(events * state.iterations()));
}
BENCHMARK(BM_ReplayOnly)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace colibri::bench

BENCHMARK_MAIN();
