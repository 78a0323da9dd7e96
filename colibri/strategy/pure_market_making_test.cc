// PureMarketMaking over the real ExchangeBase and the real simulated exchange (connector/sim),
// driven by a Clock on a SimScheduler: the code path of a backtest. Expectations are computed by
// hand from Hummingbot's formulas (pure_market_making.pyx, inventory_skew_calculator.pyx).

#include "colibri/strategy/pure_market_making.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "colibri/connector/exchange_base.h"
#include "colibri/connector/sim/sim_exchange_api.h"
#include "colibri/core/clock.h"
#include "colibri/core/sim_scheduler.h"
#include "colibri/testing/markets.h"

namespace colibri::strategy {
namespace {

using model::OrderType;
using model::Side;
namespace sim = connector::sim;

Price px(const char* text) { return *Price::parse(text); }
Quantity qty(const char* text) { return *Quantity::parse(text); }
const model::Symbol kSymbol = model::Symbol::truncating("BTCUSDT");
const model::Asset kBtc = model::Asset::truncating("BTC");
const model::Asset kUsdt = model::Asset::truncating("USDT");
constexpr sim::AccountId kAccount = 7;

Timestamp at(double seconds) { return Timestamp::from_ms(static_cast<std::int64_t>(seconds * 1000)); }

model::TradingRules btcusdt() { return testing::btcusdt_rules(); }

// The usual test config: one level each side 1 % away, 0.2 BTC, refreshed every 30 s.
PureMarketMakingConfig base_config() {
  PureMarketMakingConfig c;
  c.bid_spread = 1;
  c.ask_spread = 1;
  c.order_amount = qty("0.2");
  c.order_refresh_time = std::chrono::seconds(30);
  return c;
}

struct Funds {
  const char* usdt = "1000";
  const char* btc = "1";
};

// One market, one account, 1 ms each way; the bot's clock ticks every second from t = 1 s.
struct Harness {
  explicit Harness(PureMarketMakingConfig config, Funds funds = {}, bool with_book = true)
      : latency(1ms, 1ms),
        fees(markets().front().fees),
        engine(btcusdt(), queue, ledger),
        api(scheduler, latency, ledger, kAccount),
        connector(scheduler, api, connector_config(), markets()),
        clock(scheduler, std::chrono::seconds(1)) {
    EXPECT_TRUE(ledger.deposit(kAccount, kUsdt, qty(funds.usdt)));
    EXPECT_TRUE(ledger.deposit(kAccount, kBtc, qty(funds.btc)));
    api.add_market(engine, fees);
    connector.start_trading();
    if (with_book) {
      scheduler.schedule_at(Timestamp::from_ms(2), [this](Timestamp) { set_book("99.99", "100.01"); });
    }
    scheduler.advance_to(Timestamp::from_ms(20));
    StrategyContext context{"pmm", {&connector}, &scheduler};
    pmm = std::make_unique<PureMarketMaking>(std::move(context), MarketTradingPair{&connector, kSymbol},
                                             std::move(config));
    clock.add_iterator(connector);
    clock.add_iterator(*pmm);
    clock.start();
  }
  ~Harness() { clock.stop(); }

  static connector::ExchangeBaseConfig connector_config() {
    connector::ExchangeBaseConfig c;
    c.name = "sim";
    c.place_kind = c.cancel_kind = c.query_order_kind = c.query_fills_kind = c.balances_kind = "";
    return c;
  }
  static std::vector<connector::MarketSetup> markets() {
    std::vector<connector::MarketSetup> m;
    m.push_back(connector::MarketSetup{
        kSymbol,
        *model::FeeSchedule::create(kBtc, kUsdt, *model::FeeRate::parse_fraction("0.001"),
                                    *model::FeeRate::parse_fraction("0.001")),
        nullptr, std::nullopt});
    return m;
  }

  // A new book with one level each side, seen by the exchange and the bot at once.
  void set_book(const char* bid, const char* ask) {
    bids_ = {{px(bid), qty("5")}};
    asks_ = {{px(ask), qty("5")}};
    model::BookSnapshot s;
    s.last_update_id = ++update_id_;
    s.bids = bids_;
    s.asks = asks_;
    s.local_time = scheduler.now();
    engine.on_snapshot(s);
    api.publish_snapshot(kSymbol, s);
  }
  void trade(const char* price, const char* quantity, Side aggressor) {
    model::PublicTrade t;
    t.price = px(price);
    t.quantity = qty(quantity);
    t.aggressor = aggressor;
    t.trade_id = ++trade_id_;
    t.exchange_time = t.local_time = scheduler.now();
    engine.on_trade(t);
    api.publish_trade(kSymbol, t);
  }
  void run_until(double seconds) { scheduler.advance_to(at(seconds)); }

  // Our orders, bids best first then asks best first.
  std::vector<const model::InFlightOrder*> orders(Side side) const {
    std::vector<const model::InFlightOrder*> out;
    for (const model::InFlightOrder* o : pmm->active_orders()) {
      if (o->side() == side) out.push_back(o);
    }
    std::sort(out.begin(), out.end(), [side](const auto* a, const auto* b) {
      return side == Side::Buy ? a->price() > b->price() : a->price() < b->price();
    });
    return out;
  }
  std::vector<model::ClientOrderId> order_ids() const {
    std::vector<model::ClientOrderId> ids;
    for (const model::InFlightOrder* o : pmm->active_orders()) ids.push_back(o->client_order_id());
    return ids;
  }

  SimScheduler scheduler;
  sim::ConstantLatency latency;
  model::FeeSchedule fees;
  sim::RiskAverseQueueModel queue;
  sim::Ledger ledger;
  sim::MatchingEngine engine;
  sim::SimExchangeApi api;
  connector::ExchangeBase connector;
  Clock clock;
  std::unique_ptr<PureMarketMaking> pmm;
  std::vector<model::PriceLevel> bids_, asks_;
  model::UpdateId update_id_ = 0;
  std::int64_t trade_id_ = 0;
};

void expect_order(const model::InFlightOrder* o, const char* price, const char* quantity) {
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->price(), px(price)) << o->client_order_id();
  EXPECT_EQ(o->quantity(), qty(quantity)) << o->client_order_id();
}

TEST(PureMarketMaking, LevelsAndSpreadsAreExactlyAsConfigured) {
  PureMarketMakingConfig c = base_config();
  c.order_levels = 2;
  c.order_level_spread = 0.5;
  c.order_level_amount = qty("0.1");
  Harness h(c);
  h.run_until(1.5);  // mid 100.00: 100 × (1 − 0.01 − k × 0.005) and 100 × (1 + 0.01 + k × 0.005)
  const auto bids = h.orders(Side::Buy);
  const auto asks = h.orders(Side::Sell);
  ASSERT_EQ(bids.size(), 2u);
  ASSERT_EQ(asks.size(), 2u);
  expect_order(bids[0], "99.00", "0.2");
  expect_order(bids[1], "98.50", "0.3");
  expect_order(asks[0], "101.00", "0.2");
  expect_order(asks[1], "101.50", "0.3");
  for (const auto* o : h.pmm->active_orders()) {
    EXPECT_EQ(o->state(), model::OrderState::Open);  // resting at the simulated exchange
    EXPECT_EQ(o->request().type, OrderType::LimitMaker);
  }
  EXPECT_EQ(h.pmm->create_timestamp(), at(31));
  EXPECT_EQ(h.pmm->cancel_timestamp(), at(31));
}

TEST(PureMarketMaking, QuotesAreQuantizedBidsDownAsksUp) {
  Harness h(base_config());
  h.run_until(0.5);
  h.set_book("100.00", "100.01");  // mid 100.005: bid 99.00495, ask 101.00505
  h.run_until(1.5);
  ASSERT_EQ(h.orders(Side::Buy).size(), 1u);
  ASSERT_EQ(h.orders(Side::Sell).size(), 1u);
  expect_order(h.orders(Side::Buy)[0], "99.00", "0.2");
  expect_order(h.orders(Side::Sell)[0], "101.01", "0.2");
}

// 5 % spreads, 1 % tolerance: orders at 95.00 and 105.00 from t = 1 s, refresh due at 31 s.
PureMarketMakingConfig tolerance_config() {
  PureMarketMakingConfig c = base_config();
  c.bid_spread = 5;
  c.ask_spread = 5;
  c.order_refresh_tolerance_pct = 1;
  return c;
}

TEST(PureMarketMaking, RefreshToleranceKeepsOrdersThatMovedLessThanTheTolerance) {
  Harness h(tolerance_config());
  h.run_until(1.5);
  const auto first = h.order_ids();
  ASSERT_EQ(first.size(), 2u);
  h.set_book("100.49", "100.51");  // mid 100.50: bid 95.47 (0.49 % away), ask 105.53 (0.50 %)
  h.run_until(40.5);
  ASSERT_NE(h.pmm->last_proposal(), nullptr);
  EXPECT_EQ(h.pmm->last_proposal()->buys, (std::vector<PriceSize>{{px("95.47"), qty("0.2")}}));
  EXPECT_EQ(h.pmm->last_proposal()->sells, (std::vector<PriceSize>{{px("105.53"), qty("0.2")}}));
  EXPECT_EQ(h.order_ids(), first);
  EXPECT_EQ(h.pmm->stats().cancelled_for_refresh, 0u);
  expect_order(h.orders(Side::Buy).at(0), "95.00", "0.2");
}

TEST(PureMarketMaking, RefreshToleranceReplacesOrdersThatMovedMoreThanTheTolerance) {
  Harness h(tolerance_config());
  h.run_until(1.5);
  const auto first = h.order_ids();
  ASSERT_EQ(first.size(), 2u);
  h.set_book("101.99", "102.01");  // mid 102: bid 96.90 is 2 % from 95.00
  h.run_until(30.5);
  EXPECT_EQ(h.order_ids(), first);  // not before the refresh time
  h.run_until(31.5);                // cancelled at 31 s
  EXPECT_EQ(h.pmm->stats().cancelled_for_refresh, 2u);
  EXPECT_TRUE(h.pmm->active_orders().empty());
  h.run_until(32.5);  // created at 32 s
  ASSERT_EQ(h.orders(Side::Buy).size(), 1u);
  ASSERT_EQ(h.orders(Side::Sell).size(), 1u);
  expect_order(h.orders(Side::Buy)[0], "96.90", "0.2");
  expect_order(h.orders(Side::Sell)[0], "107.10", "0.2");
  EXPECT_EQ(h.pmm->create_timestamp(), at(62));
}

TEST(PureMarketMaking, NegativeToleranceRefreshesEveryCycleEvenWithoutAMove) {
  PureMarketMakingConfig c = tolerance_config();
  c.order_refresh_tolerance_pct = -1;
  Harness h(c);
  h.run_until(1.5);
  const auto first = h.order_ids();
  h.run_until(32.5);
  EXPECT_EQ(h.pmm->stats().cancelled_for_refresh, 2u);
  ASSERT_EQ(h.order_ids().size(), 2u);
  EXPECT_NE(h.order_ids(), first);
}

TEST(PureMarketMaking, FilledOrderDelayDelaysTheNextProposalAfterAFill) {
  PureMarketMakingConfig c = base_config();
  c.filled_order_delay = std::chrono::seconds(60);
  Harness h(c);
  h.run_until(5.5);
  ASSERT_EQ(h.pmm->active_orders().size(), 2u);
  h.trade("98.00", "5", Side::Sell);  // prints through our 99.00 bid: filled completely
  h.run_until(6.5);
  ASSERT_EQ(h.orders(Side::Buy).size(), 0u);
  EXPECT_EQ(h.pmm->create_timestamp(), at(65));  // the tick before the fill (5 s) + 60 s
  EXPECT_EQ(h.pmm->cancel_timestamp(), at(31));  // min(31, 65)
  EXPECT_EQ(h.pmm->last_proposal(), nullptr);
  h.run_until(31.5);  // the remaining ask is cancelled at the refresh time, nothing replaces it
  EXPECT_TRUE(h.pmm->active_orders().empty());
  EXPECT_EQ(h.pmm->stats().cancelled_for_refresh, 1u);
  h.run_until(65.5);  // a proposal at 65 s, but orders only once create_timestamp < now
  EXPECT_TRUE(h.pmm->active_orders().empty());
  EXPECT_NE(h.pmm->last_proposal(), nullptr);
  h.run_until(66.5);
  EXPECT_EQ(h.pmm->active_orders().size(), 2u);
}

TEST(PureMarketMaking, InventorySkewSizesFollowHummingbotsFormula) {
  PureMarketMakingConfig c = base_config();
  c.order_amount = qty("0.5");
  c.inventory_skew_enabled = true;
  c.inventory_target_base_pct = 50;
  c.inventory_range_multiplier = 5;
  Harness h(c);  // 1 BTC and 1000 USDT at mid 100
  h.run_until(1.5);
  // Value 1100, base 100, target 550, range 2 × 0.5 × 5 = 5 BTC = 500 USDT: left limit 50.
  // Left ratio (100 − 50) / (550 − 50) × 0.5 = 0.05; bid ratio 2 − 0.05 × 2 = 1.9; ask ratio 0.1.
  ASSERT_EQ(h.orders(Side::Buy).size(), 1u);
  ASSERT_EQ(h.orders(Side::Sell).size(), 1u);
  expect_order(h.orders(Side::Buy)[0], "99.00", "0.95");
  expect_order(h.orders(Side::Sell)[0], "101.00", "0.05");
}

TEST(PureMarketMaking, InventorySkewRatiosAboveTheTargetAndOutsideTheRange) {
  // Value 1000 at price 100; target 50 % = 500; range 2 BTC = 200 USDT.
  const auto mid_range = inventory_skew_ratios(6, 400, 100, 0.5, 2);  // base value 600
  EXPECT_DOUBLE_EQ(mid_range.bid_ratio, 0.5);                         // right ratio 0.75
  EXPECT_DOUBLE_EQ(mid_range.ask_ratio, 1.5);
  const auto beyond = inventory_skew_ratios(8, 200, 100, 0.5, 2);  // 800 > 700
  EXPECT_DOUBLE_EQ(beyond.bid_ratio, 0.0);
  EXPECT_DOUBLE_EQ(beyond.ask_ratio, 2.0);
  const auto on_target = inventory_skew_ratios(5, 500, 100, 0.5, 2);
  EXPECT_DOUBLE_EQ(on_target.bid_ratio, 1.0);
  EXPECT_DOUBLE_EQ(on_target.ask_ratio, 1.0);
  EXPECT_DOUBLE_EQ(inventory_skew_ratios(0, 0, 100, 0.5, 2).bid_ratio, 0.0);
  EXPECT_DOUBLE_EQ(total_order_size(1, 0.5, 3), 2 * (3 + 3 * 0.5));  // 2 × (3 × 1 + 3 × 2 / 2 × 0.5)
}

TEST(PureMarketMaking, BudgetConstraintShrinksOrDropsOrders) {
  PureMarketMakingConfig c = base_config();
  c.order_amount = qty("1");
  c.order_levels = 2;
  c.order_level_spread = 0.5;
  Harness h(c, Funds{"150", "1"});
  h.run_until(1.5);
  // Buys pay 0.1 % on top: 99 × 1.001 = 99.099 leaves 50.901, which buys 50.901 / (98.5 × 1.001)
  // = 0.5162... -> 0.516 at 98.50. The 1 BTC covers the first ask only.
  const Proposal* p = h.pmm->last_proposal();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->buys, (std::vector<PriceSize>{{px("99.00"), qty("1")}, {px("98.50"), qty("0.516")}}));
  EXPECT_EQ(p->sells, (std::vector<PriceSize>{{px("101.00"), qty("1")}}));
  ASSERT_EQ(h.orders(Side::Buy).size(), 2u);
  expect_order(h.orders(Side::Buy)[1], "98.50", "0.516");
  ASSERT_EQ(h.orders(Side::Sell).size(), 1u);
  EXPECT_EQ(h.pmm->stats().orders_refused, 0u);
}

// Reference price from the last public trade at 102: the 1 % bid (100.98) would take the 100.01 ask.
PureMarketMakingConfig crossing_config(bool take_if_crossed) {
  PureMarketMakingConfig c = base_config();
  c.price_type = "last_price";
  c.take_if_crossed = take_if_crossed;
  return c;
}

TEST(PureMarketMaking, TakeIfCrossedFalseFiltersOutTakers) {
  Harness h(crossing_config(false));
  h.trade("102.00", "0.1", Side::Buy);
  h.run_until(1.5);
  ASSERT_NE(h.pmm->last_proposal(), nullptr);
  EXPECT_TRUE(h.pmm->last_proposal()->buys.empty());
  EXPECT_EQ(h.pmm->last_proposal()->sells, (std::vector<PriceSize>{{px("103.02"), qty("0.2")}}));
  EXPECT_TRUE(h.orders(Side::Buy).empty());
  ASSERT_EQ(h.orders(Side::Sell).size(), 1u);
  EXPECT_EQ(h.orders(Side::Sell)[0]->request().type, OrderType::LimitMaker);
}

TEST(PureMarketMaking, TakeIfCrossedTrueKeepsTakersAsLimitOrders) {
  Harness h(crossing_config(true));
  h.trade("102.00", "0.1", Side::Buy);
  h.run_until(1.5);
  ASSERT_NE(h.pmm->last_proposal(), nullptr);
  EXPECT_EQ(h.pmm->last_proposal()->buys, (std::vector<PriceSize>{{px("100.98"), qty("0.2")}}));
  EXPECT_EQ(h.pmm->stats().orders_created, 2u);
  // The bid took the 100.01 ask at once.
  ASSERT_EQ(h.engine.fills().size(), 1u);
  EXPECT_EQ(h.engine.fills()[0].fill.price, px("100.01"));
  EXPECT_EQ(h.engine.fills()[0].fill.liquidity, model::Liquidity::Taker);
  EXPECT_EQ(h.orders(Side::Sell).at(0)->request().type, OrderType::Limit);
}

TEST(PureMarketMaking, MinimumSpreadCancelsOrdersTooCloseToThePrice) {
  PureMarketMakingConfig c = base_config();
  c.minimum_spread = 0.5;
  Harness h(c);
  h.run_until(5.5);
  ASSERT_EQ(h.pmm->active_orders().size(), 2u);
  EXPECT_EQ(h.pmm->stats().cancelled_below_min_spread, 0u);  // 1 % away each
  h.set_book("99.29", "99.31");  // mid 99.30: the 99.00 bid is 0.30 % away, the ask 1.71 %
  h.run_until(6.5);
  EXPECT_EQ(h.pmm->stats().cancelled_below_min_spread, 1u);
  EXPECT_TRUE(h.orders(Side::Buy).empty());
  ASSERT_EQ(h.orders(Side::Sell).size(), 1u);
  h.run_until(10.5);  // the ask is still active: nothing new is created before the refresh
  EXPECT_TRUE(h.orders(Side::Buy).empty());
}

TEST(PureMarketMaking, MaxOrderAgeRefreshesAgedOrders) {
  PureMarketMakingConfig c = base_config();
  c.order_refresh_time = std::chrono::seconds(10);
  c.order_refresh_tolerance_pct = 1;  // refreshes keep the orders: only their age replaces them
  c.max_order_age = std::chrono::seconds(20);
  Harness h(c);
  h.run_until(1.5);
  const auto first = h.order_ids();
  ASSERT_EQ(first.size(), 2u);
  h.run_until(21.5);  // age 20 s at 21 s: not older than max_order_age
  EXPECT_EQ(h.order_ids(), first);
  EXPECT_EQ(h.pmm->stats().cancelled_for_age, 0u);
  h.run_until(22.5);  // 21 s old at 22 s: cancelled
  EXPECT_EQ(h.pmm->stats().cancelled_for_age, 2u);
  EXPECT_TRUE(h.pmm->active_orders().empty());
  h.run_until(23.5);  // and replaced at the same prices
  ASSERT_EQ(h.order_ids().size(), 2u);
  EXPECT_NE(h.order_ids(), first);
  expect_order(h.orders(Side::Buy).at(0), "99.00", "0.2");
  EXPECT_EQ(h.pmm->stats().cancelled_for_refresh, 0u);
}

TEST(PureMarketMaking, NothingHappensWithoutASyncedBook) {
  Harness h(base_config(), Funds{}, /*with_book=*/false);
  h.run_until(5.5);
  EXPECT_EQ(h.pmm->last_proposal(), nullptr);
  EXPECT_TRUE(h.pmm->active_orders().empty());
  EXPECT_EQ(h.connector.stats().orders_placed, 0u);
}

TEST(PureMarketMaking, ReferencePriceFollowsThePriceType) {
  PureMarketMakingConfig c = base_config();
  c.price_type = "best_bid";
  Harness h(c);
  h.run_until(1.5);
  EXPECT_EQ(h.pmm->reference_price(), px("99.99"));
  expect_order(h.orders(Side::Buy).at(0), "98.99", "0.2");  // 99.99 × 0.99 = 98.9901, down

  PureMarketMakingConfig own = base_config();
  own.price_type = "last_own_trade_price";
  Harness g(own);
  g.run_until(1.5);
  EXPECT_EQ(g.pmm->reference_price(), px("100.00"));  // no own trade yet: the mid price
}

TEST(PureMarketMakingConfig, ValidationNamesTheKeyAndTheAllowedValues) {
  EXPECT_TRUE(base_config().validate());
  const auto error_of = [](auto mutate) {
    PureMarketMakingConfig c = base_config();
    mutate(c);
    const auto result = c.validate();
    EXPECT_FALSE(result);
    return result ? std::string() : result.error().message();
  };
  EXPECT_EQ(PureMarketMakingConfig{}.validate().error().message().rfind("bid_spread", 0), 0u);
  EXPECT_EQ(error_of([](auto& c) { c.bid_spread = 100; }).rfind("bid_spread must be a number in (0, 100)", 0),
            0u);
  EXPECT_EQ(error_of([](auto& c) { c.ask_spread = -1; }).rfind("ask_spread", 0), 0u);
  EXPECT_EQ(error_of([](auto& c) { c.order_amount = Quantity::zero(); }).rfind("order_amount", 0), 0u);
  EXPECT_EQ(error_of([](auto& c) { c.order_levels = -1; }).rfind("order_levels", 0), 0u);
  EXPECT_EQ(error_of([](auto& c) { c.order_level_spread = 0; }).rfind("order_level_spread", 0), 0u);
  EXPECT_EQ(error_of([](auto& c) { c.order_refresh_time = Duration::zero(); }).rfind("order_refresh_time", 0),
            0u);
  EXPECT_EQ(
      error_of([](auto& c) { c.order_refresh_tolerance_pct = 10.5; }).rfind("order_refresh_tolerance_pct", 0),
      0u);
  EXPECT_EQ(error_of([](auto& c) { c.max_order_age = -1s; }).rfind("max_order_age", 0), 0u);
  EXPECT_EQ(error_of([](auto& c) { c.filled_order_delay = 0s; }).rfind("filled_order_delay", 0), 0u);
  EXPECT_EQ(
      error_of([](auto& c) { c.inventory_target_base_pct = 101; }).rfind("inventory_target_base_pct", 0), 0u);
  EXPECT_EQ(
      error_of([](auto& c) { c.inventory_range_multiplier = 0; }).rfind("inventory_range_multiplier", 0), 0u);
  EXPECT_EQ(error_of([](auto& c) { c.minimum_spread = -101; }).rfind("minimum_spread", 0), 0u);
  EXPECT_EQ(error_of([](auto& c) { c.bid_spread = std::nan(""); }).rfind("bid_spread", 0), 0u);
  const std::string price_type = error_of([](auto& c) { c.price_type = "vwap"; });
  EXPECT_EQ(
      price_type.rfind("price_type must be one of mid_price, last_price, last_own_trade_price, best_bid, "
                       "best_ask, inventory_cost",
                       0),
      0u)
      << price_type;
  // Hummingbot's boundaries are accepted.
  PureMarketMakingConfig edges = base_config();
  edges.order_refresh_tolerance_pct = -10;
  edges.minimum_spread = 100;
  edges.inventory_target_base_pct = 0;
  edges.order_levels = 0;
  EXPECT_TRUE(edges.validate());
  EXPECT_EQ(*parse_price_type("inventory_cost"), PriceType::InventoryCost);
}

TEST(PureMarketMakingConfig, AnInvalidConfigStopsTheStartWithTheKeysName) {
  SimScheduler scheduler;
  sim::ConstantLatency latency(1ms, 1ms);
  sim::Ledger ledger;
  sim::SimExchangeApi api(scheduler, latency, ledger, kAccount);
  connector::ExchangeBase connector(scheduler, api, Harness::connector_config(), Harness::markets());
  PureMarketMakingConfig c = base_config();
  c.order_amount = qty("-1");
  try {
    PureMarketMaking pmm(StrategyContext{"pmm", {&connector}, &scheduler},
                         MarketTradingPair{&connector, kSymbol}, c);
    FAIL() << "expected a StartupError";
  } catch (const StartupError& e) {
    EXPECT_EQ(e.error().code(), ErrorCode::InvalidArgument);
    EXPECT_NE(e.error().message().find("order_amount"), std::string::npos);
  }
}

}  // namespace
}  // namespace colibri::strategy
