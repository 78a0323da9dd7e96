// The order path of a backtest: connector::ExchangeBase (tracking, rule and balance checks, the
// request queue, events) over the simulated exchange (SimExchangeApi, MatchingEngine, Ledger),
// driven by a SimScheduler, with a 1 s Clock ticking the connector as a bot's clock would. It is
// the path every order of every backtest takes, and DESIGN.md decision 9 wants it allocation-free,
// so besides the time it reports the heap allocations per order in steady state.
//
//   BM_CrossingLimitOrder/H   a crossing limit buy (fills at once as taker), the scheduler run until
//                             its OrderCompleted and the rest of that moment's deliveries (balances,
//                             the place answer), then a crossing sell back the same way (balances
//                             stay steady); two orders per iteration
//   BM_RestingLimitOrder/H    a limit buy below the book: run until OrderCreated (the
//                             acknowledgement), cancel, run until OrderCancelled; one order per
//                             iteration
//
// H is the number of orders placed before the timed loop (the warm-up): 4,000 fills the tracker's
// finished-order cache (1,000) and passes a few clock ticks; 400,000 shows what a long backtest
// costs, because the matching engine keeps every order and fill it has seen (its order index and
// logs grow without bound). The timed loop is a fixed 10,000 iterations, so every repetition
// measures the same orders.
//
// Counters: per_order (CPU time per order), items_per_second (orders per CPU second),
// allocs_per_order (calls of operator new per order in the timed loop). Latencies are 1 ms each
// way, so an order spends 2 ms of simulated time and the clock ticks once every ~250 crossing
// round trips. The book is deep (10^9 BTC at the touch) so the taken liquidity never runs out.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <benchmark/benchmark.h>

#include "colibri/connector/exchange_base.h"
#include "colibri/connector/sim/latency_model.h"
#include "colibri/connector/sim/ledger.h"
#include "colibri/connector/sim/matching_engine.h"
#include "colibri/connector/sim/queue_model.h"
#include "colibri/connector/sim/sim_exchange_api.h"
#include "colibri/core/clock.h"
#include "colibri/core/event_bus.h"
#include "colibri/core/sim_scheduler.h"
#include "colibri/core/test_allocations.h"
#include "colibri/model/order_events.h"
#include "colibri/testing/markets.h"

namespace colibri::connector {
namespace {

using namespace std::chrono_literals;
using model::OrderType;

Price px(const char* text) { return Price::parse(text).value(); }
Quantity qty(const char* text) { return Quantity::parse(text).value(); }

const model::Symbol kSymbol = model::Symbol::truncating("BTCUSDT");
const model::Asset kBtc = model::Asset::truncating("BTC");
const model::Asset kUsdt = model::Asset::truncating("USDT");
constexpr sim::AccountId kAccount = 7;

const Price kBestBid = px("100.00");
const Price kBestAsk = px("100.01");
const Price kBelowBook = px("99.00");
const Quantity kOrderAmount = qty("0.1");  // 10 USDT: above the 5 USDT minimum notional
constexpr int kMaxStepsPerWait = 1000;     // scheduler callbacks before a wait is declared stuck
constexpr int kTimedIterations = 10'000;

model::TradingRules btcusdt() { return colibri::testing::btcusdt_rules(); }

ExchangeBaseConfig unthrottled() {
  ExchangeBaseConfig config;
  config.name = "sim";
  config.place_kind = config.cancel_kind = config.query_order_kind = config.query_fills_kind =
      config.balances_kind = "";
  return config;
}

std::vector<MarketSetup> btcusdt_market() {
  std::vector<MarketSetup> markets;
  markets.push_back(
      MarketSetup{kSymbol,
                  model::FeeSchedule::create(kBtc, kUsdt, model::FeeRate::parse_fraction("0.001").value(),
                                             model::FeeRate::parse_fraction("0.001").value())
                      .value(),
                  nullptr, std::nullopt});
  return markets;
}

// One market of a backtest in miniature, wired as exchange_base_test.cc's Harness: the engine sees
// the book at exchange time, the bot 2 ms later through the api's local feed. Records the order
// events the benchmark waits for.
class SimulatedMarket {
 public:
  SimulatedMarket()
      : latency_(1ms, 1ms),
        fees_(btcusdt_market().front().fees),
        engine_(btcusdt(), queue_, ledger_),
        api_(scheduler_, latency_, ledger_, kAccount),
        connector_(scheduler_, api_, unthrottled(), btcusdt_market()),
        clock_(scheduler_, 1s),
        created_(connector_.events().subscribe<model::OrderCreated>(
            [this](const model::OrderCreated& e) { last_created_ = e.client_order_id; })),
        completed_(connector_.events().subscribe<model::OrderCompleted>(
            [this](const model::OrderCompleted& e) { last_ended_ = e.client_order_id; })),
        cancelled_(connector_.events().subscribe<model::OrderCancelled>(
            [this](const model::OrderCancelled& e) { last_ended_ = e.client_order_id; })) {
    (void)ledger_.deposit(kAccount, kUsdt, qty("1000000000"));
    (void)ledger_.deposit(kAccount, kBtc, qty("1000000"));
    api_.add_market(engine_, fees_);
    clock_.add_iterator(connector_);
    clock_.start();  // starts the connector: rules, balances, market-data subscription
    static const model::PriceLevel kBids[] = {{kBestBid, qty("1000000000")},
                                              {px("99.99"), qty("1000000000")}};
    static const model::PriceLevel kAsks[] = {{kBestAsk, qty("1000000000")},
                                              {px("100.02"), qty("1000000000")}};
    model::BookSnapshot snapshot;
    snapshot.last_update_id = 1;
    snapshot.bids = kBids;
    snapshot.asks = kAsks;
    engine_.on_snapshot(snapshot);
    scheduler_.schedule_at(Timestamp::from_ms(2),
                           [this, snapshot](Timestamp) { api_.local_feed(kSymbol)->on_snapshot(snapshot); });
    scheduler_.advance_to(Timestamp::from_ms(20));
  }

  [[nodiscard]] bool ready() const { return connector_.ready(); }

  // A crossing limit order on `side`, run until it completes and the rest of that moment's
  // deliveries are in. False when it was refused or did not complete.
  bool take(model::Side side) {
    const auto id = side == model::Side::Buy
                        ? connector_.buy(kSymbol, kOrderAmount, OrderType::Limit, kBestAsk)
                        : connector_.sell(kSymbol, kOrderAmount, OrderType::Limit, kBestBid);
    return id && run_until(last_ended_, *id);
  }

  // A limit buy below the book, run until acknowledged, cancelled, run until cancelled.
  bool rest_and_cancel() {
    const auto id = connector_.buy(kSymbol, kOrderAmount, OrderType::Limit, kBelowBook);
    return id && run_until(last_created_, *id) && connector_.cancel(kSymbol, *id) &&
           run_until(last_ended_, *id);
  }

 private:
  // Runs scheduler callbacks until `event_id` names `id`, then everything else due at that moment.
  bool run_until(const model::ClientOrderId& event_id, const model::ClientOrderId& id) {
    for (int step = 0; event_id != id; ++step) {
      if (step == kMaxStepsPerWait || !scheduler_.run_next()) return false;
    }
    scheduler_.advance_to(scheduler_.now());
    return true;
  }

  SimScheduler scheduler_;
  sim::ConstantLatency latency_;
  model::FeeSchedule fees_;
  sim::RiskAverseQueueModel queue_;
  sim::Ledger ledger_;
  sim::MatchingEngine engine_;
  sim::SimExchangeApi api_;
  ExchangeBase connector_;
  Clock clock_;
  model::ClientOrderId last_created_;
  model::ClientOrderId last_ended_;  // the last order completed or cancelled
  Subscription created_;
  Subscription completed_;
  Subscription cancelled_;
};

// Runs `round` (placing `orders_per_round` orders) until state.range(0) orders were placed, then once
// per benchmark iteration, and reports the time and allocations per order.
template <typename Round>
void measure_orders(benchmark::State& state, int orders_per_round, Round round) {
  SimulatedMarket market;
  if (!market.ready()) {
    state.SkipWithError("the connector did not become ready");
    return;
  }
  for (std::int64_t i = 0; i < state.range(0) / orders_per_round; ++i) {
    if (!round(market)) {
      state.SkipWithError("an order did not end as expected during warm-up");
      return;
    }
  }
  const std::size_t allocations_before = testing::allocations_on_this_thread();
  bool ok = true;
  for (auto _ : state) ok = round(market) && ok;
  const std::size_t allocations = testing::allocations_on_this_thread() - allocations_before;
  if (!ok) state.SkipWithError("an order did not end as expected");
  const auto orders = static_cast<double>(state.iterations()) * orders_per_round;
  state.SetItemsProcessed(static_cast<std::int64_t>(orders));
  state.counters["per_order"] =
      benchmark::Counter(orders, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["allocs_per_order"] = static_cast<double>(allocations) / orders;
}

void BM_CrossingLimitOrder(benchmark::State& state) {
  measure_orders(state, 2, [](SimulatedMarket& market) {
    return market.take(model::Side::Buy) && market.take(model::Side::Sell);
  });
}
BENCHMARK(BM_CrossingLimitOrder)->ArgName("history")->Arg(4'000)->Arg(400'000)->Iterations(kTimedIterations);

void BM_RestingLimitOrder(benchmark::State& state) {
  measure_orders(state, 1, [](SimulatedMarket& market) { return market.rest_and_cancel(); });
}
BENCHMARK(BM_RestingLimitOrder)->ArgName("history")->Arg(4'000)->Arg(400'000)->Iterations(kTimedIterations);

}  // namespace
}  // namespace colibri::connector

BENCHMARK_MAIN();
