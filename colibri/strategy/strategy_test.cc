// Strategy base over the real ExchangeBase and simulated exchange: ticks after the connectors,
// hears the connector's events between start and stop, and nothing after stop.

#include "colibri/strategy/strategy.h"

#include <vector>

#include <gtest/gtest.h>

#include "colibri/connector/exchange_base.h"
#include "colibri/connector/sim/sim_exchange_api.h"
#include "colibri/core/sim_scheduler.h"
#include "colibri/testing/markets.h"

namespace colibri::strategy {
namespace {

namespace sim = connector::sim;
const model::Symbol kSymbol = model::Symbol::truncating("BTCUSDT");
const model::Asset kBtc = model::Asset::truncating("BTC");
const model::Asset kUsdt = model::Asset::truncating("USDT");

// The shared BTCUSDT rules without a minimum notional.
model::TradingRules btcusdt() {
  model::TradingRules rules = testing::btcusdt_rules();
  rules.min_notional = Notional{};
  return rules;
}

// Places one buy on its first ready tick and records what it hears.
class RecordingStrategy final : public Strategy {
 public:
  RecordingStrategy(StrategyContext context, connector::Connector& market)
      : Strategy(std::move(context)), market_(market) {}
  int ticks = 0, created = 0, cancelled = 0, book_updates = 0;
  connector::Connector* created_from = nullptr;
  std::optional<model::ClientOrderId> id;

 private:
  void on_tick(Timestamp) override {
    ++ticks;
    if (!id && market_.ready()) {
      auto placed =
          market_.buy(kSymbol, *Quantity::parse("0.1"), model::OrderType::Limit, *Price::parse("99"));
      if (placed) id = *placed;
    }
  }
  void on_order_created(connector::Connector& from, const model::OrderCreated&) override {
    ++created;
    created_from = &from;
  }
  void on_order_cancelled(connector::Connector&, const model::OrderCancelled&) override { ++cancelled; }
  void on_order_book_updated(connector::Connector&, const connector::OrderBookUpdated&) override {
    ++book_updates;
  }
  connector::Connector& market_;
};

TEST(Strategy, HearsItsConnectorsEventsBetweenStartAndStopOnly) {
  SimScheduler scheduler;
  sim::ConstantLatency latency(1ms, 1ms);
  const model::FeeSchedule fees = *model::FeeSchedule::create(kBtc, kUsdt, model::FeeRate{}, model::FeeRate{});
  sim::RiskAverseQueueModel queue;
  sim::Ledger ledger;
  sim::MatchingEngine engine(btcusdt(), queue, ledger);
  sim::SimExchangeApi api(scheduler, latency, ledger, 1);
  connector::ExchangeBaseConfig config;
  config.place_kind = config.cancel_kind = config.query_order_kind = config.query_fills_kind =
      config.balances_kind = "";
  std::vector<connector::MarketSetup> markets;
  markets.push_back(connector::MarketSetup{
      kSymbol, fees, nullptr, std::nullopt});
  connector::ExchangeBase exchange(scheduler, api, config, std::move(markets));
  ASSERT_TRUE(ledger.deposit(1, kUsdt, *Quantity::parse("1000")));
  api.add_market(engine, fees);

  RecordingStrategy strategy(StrategyContext{"recorder", {&exchange}, &scheduler}, exchange);
  Clock clock(scheduler, std::chrono::seconds(1));
  clock.add_iterator(exchange);
  clock.add_iterator(strategy);
  ASSERT_TRUE(clock.start());
  const model::PriceLevel bids[] = {{*Price::parse("100"), *Quantity::parse("1")}};
  const model::PriceLevel asks[] = {{*Price::parse("100.01"), *Quantity::parse("1")}};
  model::BookSnapshot s;
  s.last_update_id = 1;
  s.bids = bids;
  s.asks = asks;
  engine.on_snapshot(s);
  scheduler.schedule_at(Timestamp::from_ms(5), [&](Timestamp) { api.publish_snapshot(kSymbol, s); });
  scheduler.advance_to(Timestamp::from_ms(1500));

  EXPECT_EQ(strategy.ticks, 1);
  EXPECT_EQ(strategy.current_timestamp(), Timestamp::from_ms(1000));
  EXPECT_GE(strategy.book_updates, 1);
  ASSERT_TRUE(strategy.id.has_value());
  EXPECT_EQ(strategy.created, 1);
  EXPECT_EQ(strategy.created_from, &exchange);

  ASSERT_TRUE(clock.stop());
  EXPECT_FALSE(strategy.is_started());
  ASSERT_TRUE(exchange.cancel(kSymbol, *strategy.id));
  scheduler.advance_to(Timestamp::from_ms(3500));
  EXPECT_EQ(strategy.cancelled, 0);  // stopped: unsubscribed
  EXPECT_EQ(strategy.ticks, 1);
  EXPECT_EQ(exchange.order(*strategy.id) == nullptr || exchange.order(*strategy.id)->is_final(), true);
}

TEST(Strategy, AContextWithoutSchedulerOrConnectorIsAStartupError) {
  EXPECT_FALSE((StrategyContext{"s", {}, nullptr}.validate()));
  SimScheduler scheduler;
  EXPECT_FALSE((StrategyContext{"s", {}, &scheduler}.validate()));
  EXPECT_FALSE((StrategyContext{"s", {nullptr}, &scheduler}.validate()));
}

}  // namespace
}  // namespace colibri::strategy
