// ExchangeBase over the real simulated exchange (connector/sim), driven by a SimScheduler: the
// same code path a backtest runs.

#include "colibri/connector/exchange_base.h"

#include <gtest/gtest.h>

#include "colibri/connector/sim/sim_exchange_api.h"
#include "colibri/core/sim_scheduler.h"
#include "colibri/testing/markets.h"
#include "colibri/model/order_events.h"

namespace colibri::connector {
namespace {

using model::OrderType;
using model::Side;

Price px(const char* text) { return *Price::parse(text); }
Quantity qty(const char* text) { return *Quantity::parse(text); }
const model::Symbol kSymbol = model::Symbol::truncating("BTCUSDT");
const model::Asset kBtc = model::Asset::truncating("BTC");
const model::Asset kUsdt = model::Asset::truncating("USDT");
constexpr sim::AccountId kAccount = 7;

model::TradingRules btcusdt() { return testing::btcusdt_rules(); }

const model::PriceLevel kBids[] = {{px("100.00"), qty("2")}, {px("99.99"), qty("3")}};
const model::PriceLevel kAsks[] = {{px("100.01"), qty("1")}, {px("100.02"), qty("2")}};

// Counts the events a strategy would see.
struct EventLog {
  explicit EventLog(EventBus& bus)
      : created(bus.subscribe<model::OrderCreated>([this](const model::OrderCreated&) { ++n_created; })),
        filled(bus.subscribe<model::OrderFilled>([this](const model::OrderFilled& e) {
          ++n_filled;
          fills.push_back(e);
        })),
        completed(bus.subscribe<model::OrderCompleted>([this](const model::OrderCompleted&) { ++n_completed; })),
        cancelled(bus.subscribe<model::OrderCancelled>([this](const model::OrderCancelled&) { ++n_cancelled; })),
        failed(bus.subscribe<model::OrderFailed>([this](const model::OrderFailed&) { ++n_failed; })),
        book(bus.subscribe<OrderBookUpdated>([this](const OrderBookUpdated&) { ++n_book; })) {}
  int n_created = 0, n_filled = 0, n_completed = 0, n_cancelled = 0, n_failed = 0, n_book = 0;
  std::vector<model::OrderFilled> fills;
  Subscription created, filled, completed, cancelled, failed, book;
};

// The simulated exchange's api, with the connector's listener at hand: a test can tell the
// connector what only a real venue says (its own rate-limit counts).
struct TappedApi final : ExchangeApi {
  explicit TappedApi(ExchangeApi& api) : inner(api) {}
  void set_listener(ExchangeApiListener* l) override {
    listener = l;
    inner.set_listener(l);
  }
  std::string_view name() const override { return inner.name(); }
  void place_order(const model::OrderRequest& r) override { inner.place_order(r); }
  void cancel_order(const model::Symbol& s, const model::ClientOrderId& id) override { inner.cancel_order(s, id); }
  void query_order(const model::Symbol& s, const model::ClientOrderId& id) override { inner.query_order(s, id); }
  void query_fills(const model::Symbol& s, const model::ClientOrderId& id) override { inner.query_fills(s, id); }
  void query_balances() override { inner.query_balances(); }
  void query_open_orders(const model::Symbol& s) override { inner.query_open_orders(s); }
  void query_trading_rules() override { inner.query_trading_rules(); }
  void subscribe_market_data(const model::Symbol& s) override { inner.subscribe_market_data(s); }

  ExchangeApi& inner;
  ExchangeApiListener* listener = nullptr;
};

// A one-market backtest in miniature: exchange side at exchange time, bot side 2 ms later.
struct Harness {
  explicit Harness(std::optional<RateLimitConfig> limits = std::nullopt, bool cancel_unknown_orders = false,
                   model::FeeAssetPolicy fee_policy = model::FeeAssetPolicy::ReceivedAsset)
      : latency(1ms, 1ms),
        fees(markets(fee_policy).front().fees),
        engine(btcusdt(), queue, ledger),
        api(scheduler, latency, ledger, kAccount),
        tap(api),
        connector(scheduler, tap, config(std::move(limits), cancel_unknown_orders), markets(fee_policy)),
        events(connector.events()) {
    EXPECT_TRUE(ledger.deposit(kAccount, kUsdt, qty("1000")));
    EXPECT_TRUE(ledger.deposit(kAccount, kBtc, qty("1")));
    api.add_market(engine, fees);
    connector.start_trading();
    model::BookSnapshot s;
    s.last_update_id = 1;
    s.bids = kBids;
    s.asks = kAsks;
    engine.on_snapshot(s);
    scheduler.schedule_at(Timestamp::from_ms(2), [this, s](Timestamp) { api.local_feed(kSymbol)->on_snapshot(s); });
    scheduler.advance_to(Timestamp::from_ms(20));
  }
  static ExchangeBaseConfig config(std::optional<RateLimitConfig> limits, bool cancel_unknown_orders) {
    ExchangeBaseConfig c;
    c.name = "sim";
    c.cancel_unknown_orders = cancel_unknown_orders;
    c.rate_limits = std::move(limits);
    if (!c.rate_limits) {
      c.place_kind = c.cancel_kind = c.query_order_kind = c.query_fills_kind = c.balances_kind = "";
      c.open_orders_kind = "";
    }
    return c;
  }
  static std::vector<MarketSetup> markets(model::FeeAssetPolicy policy = model::FeeAssetPolicy::ReceivedAsset) {
    std::vector<MarketSetup> m;
    m.push_back(MarketSetup{kSymbol,
                            *model::FeeSchedule::create(kBtc, kUsdt, *model::FeeRate::parse_fraction("0.001"),
                                                        *model::FeeRate::parse_fraction("0.001"), policy),
                            nullptr, std::nullopt});
    return m;
  }
  void run_for(Duration d) { scheduler.advance_to(scheduler.now() + d); }
  void refresh_balances() {
    connector.tick(scheduler.now() + std::chrono::hours(1));  // forces the periodic refresh
    run_for(10ms);
  }

  SimScheduler scheduler;
  sim::ConstantLatency latency;
  model::FeeSchedule fees;
  sim::RiskAverseQueueModel queue;
  sim::Ledger ledger;
  sim::MatchingEngine engine;
  sim::SimExchangeApi api;
  TappedApi tap;
  ExchangeBase connector;
  EventLog events;
};

TEST(ExchangeBase, BecomesReadyWithRulesBalancesAndASyncedBook) {
  Harness h;
  EXPECT_TRUE(h.connector.ready());
  ASSERT_NE(h.connector.trading_rules(kSymbol), nullptr);
  ASSERT_NE(h.connector.order_book(kSymbol), nullptr);
  EXPECT_EQ(h.connector.order_book(kSymbol)->best_ask()->price, px("100.01"));
  EXPECT_EQ(h.connector.total_balance(kUsdt), qty("1000"));
  EXPECT_GE(h.events.n_book, 1);
}

TEST(ExchangeBase, CrossingBuyIsTrackedFilledAndCompletedWithOneEventEach) {
  Harness h;
  auto id = h.connector.buy(kSymbol, qty("0.5"), OrderType::Limit, px("100.019"));  // bid rounds down
  ASSERT_TRUE(id) << id.error().describe();
  const model::InFlightOrder* order = h.connector.order(*id);
  ASSERT_NE(order, nullptr);
  EXPECT_EQ(order->state(), model::OrderState::PendingCreate);  // tracked before anything was sent
  EXPECT_EQ(order->price(), px("100.01"));
  h.run_for(10ms);
  order = h.connector.order(*id);
  ASSERT_NE(order, nullptr);
  EXPECT_EQ(order->state(), model::OrderState::Filled);
  EXPECT_EQ(h.events.n_created, 1);
  EXPECT_EQ(h.events.n_filled, 1);
  EXPECT_EQ(h.events.n_completed, 1);
  ASSERT_EQ(h.events.fills.size(), 1u);
  EXPECT_EQ(h.events.fills[0].price, px("100.01"));
  EXPECT_EQ(h.events.fills[0].amount, qty("0.5"));
  EXPECT_EQ(h.events.fills[0].liquidity, model::Liquidity::Taker);
  EXPECT_TRUE(h.connector.open_orders().empty());
}

TEST(ExchangeBase, BalancesAgreeWithTheSimulatorsLedgerToTheLastUnit) {
  Harness h;
  ASSERT_TRUE(h.connector.buy(kSymbol, qty("0.5"), OrderType::Limit, px("100.01")));
  ASSERT_TRUE(h.connector.sell(kSymbol, qty("0.2"), OrderType::Limit, px("100.00")));
  h.run_for(10ms);
  h.refresh_balances();
  ASSERT_EQ(h.events.fills.size(), 2u);  // the buy took the 100.01 ask, the sell hit the 100.00 bid
  EXPECT_NE(h.connector.total_balance(kBtc), qty("1"));
  for (const auto& asset : {kBtc, kUsdt}) {
    const auto ledger = h.ledger.balance(kAccount, asset);
    EXPECT_EQ(h.connector.total_balance(asset), ledger.total) << asset;
  }
  // And both equal starting balances + signed fills - fees, recomputed from the fill events.
  Notional usdt = Notional::from_quantity(qty("1000"));
  Quantity btc = qty("1");
  for (const auto& f : h.events.fills) {
    const Notional value = f.price * f.amount;
    if (f.side == Side::Buy) {
      usdt -= value;
      btc += f.amount;
    } else {
      usdt += value;
      btc -= f.amount;
    }
    if (f.fee.asset == kUsdt) usdt -= Notional::from_quantity(f.fee.amount);
    if (f.fee.asset == kBtc) btc -= f.fee.amount;
  }
  EXPECT_EQ(Notional::from_quantity(h.connector.total_balance(kUsdt)), usdt);
  EXPECT_EQ(h.connector.total_balance(kBtc), btc);
}

TEST(ExchangeBase, OrdersBelowMinimumsOrBudgetAreRefusedAndNothingIsSent) {
  Harness h;
  auto tiny = h.connector.buy(kSymbol, qty("0.01"), OrderType::Limit, px("100"));  // 1 USDT < 5
  ASSERT_FALSE(tiny);
  EXPECT_EQ(tiny.error().code(), ErrorCode::Rejected);
  EXPECT_NE(tiny.error().message().find("below the minimum"), std::string::npos) << tiny.error().message();
  auto too_big = h.connector.buy(kSymbol, qty("20"), OrderType::Limit, px("99"));  // 1980 USDT > 1000
  ASSERT_FALSE(too_big);
  EXPECT_NE(too_big.error().message().find("insufficient USDT"), std::string::npos) << too_big.error().message();
  auto unknown = h.connector.buy(model::Symbol::truncating("ETHUSDT"), qty("1"), OrderType::Limit, px("1"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(h.connector.stats().orders_placed, 0u);
  EXPECT_EQ(h.connector.stats().orders_refused, 3u);
}

TEST(ExchangeBase, BalanceCheckAddsTheFeeWhenItIsChargedInTheAssetSpent) {
  // 9.99 BTC at 100.01 costs 999.0999 USDT. Fee from the BTC received: fits in 1000 USDT.
  Harness received;
  EXPECT_TRUE(received.connector.buy(kSymbol, qty("9.99"), OrderType::Limit, px("100.01")));
  // Fee in quote on top (0.1 % taker of 999.0999: 0.9990999 USDT): 1000.0989999 > 1000, refused.
  Harness quote(std::nullopt, false, model::FeeAssetPolicy::QuoteAsset);
  auto refused = quote.connector.buy(kSymbol, qty("9.99"), OrderType::Limit, px("100.01"));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("needs 1000.0989999,"), std::string::npos) << refused.error().message();
  EXPECT_TRUE(quote.connector.buy(kSymbol, qty("9.98"), OrderType::Limit, px("100.01")));
}

TEST(ExchangeBase, AvailableBalanceExcludesOrdersNotYetAcknowledged) {
  Harness h;
  ASSERT_TRUE(h.connector.buy(kSymbol, qty("5"), OrderType::Limit, px("99")));  // 495 USDT
  EXPECT_EQ(h.connector.available_balance(kUsdt), qty("505"));
  auto second = h.connector.buy(kSymbol, qty("6"), OrderType::Limit, px("99"));  // 594 > 505
  EXPECT_FALSE(second);
}

TEST(ExchangeBase, CancelAllEndsEveryOpenOrderAndReportsIt) {
  Harness h;
  ASSERT_TRUE(h.connector.buy(kSymbol, qty("1"), OrderType::Limit, px("99")));
  ASSERT_TRUE(h.connector.sell(kSymbol, qty("0.5"), OrderType::Limit, px("101")));
  h.run_for(10ms);
  ASSERT_EQ(h.connector.open_orders().size(), 2u);
  std::vector<CancellationResult> results;
  bool done = false;
  h.connector.cancel_all(1s, [&](std::vector<CancellationResult> r) {
    results = std::move(r);
    done = true;
  });
  h.run_for(20ms);
  ASSERT_TRUE(done);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].success && results[1].success);
  EXPECT_EQ(h.events.n_cancelled, 2);
  EXPECT_TRUE(h.connector.open_orders().empty());
}

TEST(ExchangeBase, RateLimitHoldsRequestsInOrderUntilAllowed) {
  RateLimitConfig limits;
  limits.pools.push_back(RatePool{"ORDERS", 2, std::chrono::seconds(1), ""});
  limits.kinds.push_back(RequestKind{"POST /api/v3/order", {PoolWeight{"ORDERS", 1}}});
  limits.kinds.push_back(RequestKind{"DELETE /api/v3/order", {PoolWeight{"ORDERS", 1}}});
  limits.kinds.push_back(RequestKind{"GET /api/v3/order", {PoolWeight{"ORDERS", 1}}});
  limits.kinds.push_back(RequestKind{"GET /api/v3/myTrades", {PoolWeight{"ORDERS", 1}}});
  limits.kinds.push_back(RequestKind{"GET /api/v3/account", {PoolWeight{"ORDERS", 1}}});
  limits.kinds.push_back(RequestKind{"GET /api/v3/openOrders", {PoolWeight{"ORDERS", 1}}});
  Harness h(limits);
  h.run_for(2s);  // the balance and open-orders queries at start used the pool; let them leave the window
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(h.connector.buy(kSymbol, qty("0.1"), OrderType::Limit, px("99")));
  EXPECT_EQ(h.connector.stats().orders_placed, 2u);  // the third waits
  EXPECT_EQ(h.connector.queued_requests(), 1u);
  h.run_for(500ms);
  EXPECT_EQ(h.connector.stats().orders_placed, 2u);
  h.run_for(600ms);
  EXPECT_EQ(h.connector.stats().orders_placed, 3u);
  EXPECT_EQ(h.connector.open_orders().size(), 3u);
}

// Binance reports its own count in every answer (X-MBX-USED-WEIGHT-1M, X-MBX-ORDER-COUNT-*): it
// includes requests this connector never made, and the limiter must hold ours back for them.
TEST(ExchangeBase, VenueUsageCountsRaiseTheLimiterAndHoldRequests) {
  // Binance's pools and usage headers; every request kind ExchangeBase sends weighs 1, a new order
  // also 1 in each ORDERS pool.
  RateLimitConfig limits;
  limits.pools = {RatePool{"REQUEST_WEIGHT", 6000, std::chrono::minutes(1), "X-MBX-USED-WEIGHT-1M"},
                  RatePool{"ORDERS_10S", 50, std::chrono::seconds(10), "X-MBX-ORDER-COUNT-10S"},
                  RatePool{"ORDERS_1D", 160000, std::chrono::hours(24), "X-MBX-ORDER-COUNT-1D"}};
  const ExchangeBaseConfig kinds;
  for (const std::string* kind : {&kinds.place_kind, &kinds.cancel_kind, &kinds.query_order_kind,
                                  &kinds.query_fills_kind, &kinds.balances_kind, &kinds.open_orders_kind}) {
    RequestKind k{*kind, {PoolWeight{"REQUEST_WEIGHT", 1}}};
    if (kind == &kinds.place_kind) {
      k.weights.push_back(PoolWeight{"ORDERS_10S", 1});
      k.weights.push_back(PoolWeight{"ORDERS_1D", 1});
    }
    limits.kinds.push_back(std::move(k));
  }
  Harness h(limits);
  h.run_for(61s);  // the start-up queries leave the one-minute window (nothing ticks the connector)
  ASSERT_NE(h.tap.listener, nullptr);
  EXPECT_EQ(h.connector.rate_usage("REQUEST_WEIGHT"), 0);
  EXPECT_EQ(h.connector.rate_usage("NO_SUCH_POOL"), std::nullopt);
  h.tap.listener->on_rate_usage("x-mbx-used-weight-1m", "5999");
  h.tap.listener->on_rate_usage("X-MBX-ORDER-COUNT-10S", "7");
  h.tap.listener->on_rate_usage("X-MBX-ORDER-COUNT-1D", "12x");  // counted, ignored
  h.tap.listener->on_rate_usage("X-Other", "1");                   // not a pool's: ignored
  EXPECT_EQ(h.connector.rate_usage("REQUEST_WEIGHT"), 5999);
  EXPECT_EQ(h.connector.rate_usage("ORDERS_10S"), 7);
  EXPECT_EQ(h.connector.rate_usage("ORDERS_1D"), 0);
  EXPECT_EQ(h.connector.stats().rate_usage_reports, 2u);
  EXPECT_EQ(h.connector.stats().rate_usage_malformed, 1u);
  // A lower figure later never lowers the count (the venue's minute may have rolled; ours slides).
  h.tap.listener->on_rate_usage("X-MBX-USED-WEIGHT-1M", "10");
  EXPECT_EQ(h.connector.rate_usage("REQUEST_WEIGHT"), 5999);

  // One more order (weight 1) fits exactly; the next waits until the reported weight has left the
  // window, a minute after it was reported.
  ASSERT_TRUE(h.connector.buy(kSymbol, qty("0.1"), OrderType::Limit, px("99")));
  ASSERT_TRUE(h.connector.buy(kSymbol, qty("0.1"), OrderType::Limit, px("99")));
  EXPECT_EQ(h.connector.stats().orders_placed, 1u);
  EXPECT_EQ(h.connector.queued_requests(), 1u);
  EXPECT_GE(h.connector.stats().throttled, 1u);
  h.run_for(59s);
  EXPECT_EQ(h.connector.stats().orders_placed, 1u);
  h.run_for(2s);
  EXPECT_EQ(h.connector.stats().orders_placed, 2u);
}

TEST(ExchangeBase, UnknownOpenOrderOnTheVenueIsReportedAndCancelledWhenConfigured) {
  for (const bool cancel_unknown : {false, true}) {
    Harness h(std::nullopt, cancel_unknown);
    model::OrderRequest manual;  // placed on the account by someone else (another bot, a person)
    manual.client_order_id = model::ClientOrderId::truncating("manual-1");
    manual.symbol = kSymbol;
    manual.side = Side::Buy;
    manual.price = px("99");
    manual.quantity = qty("1");
    ASSERT_TRUE(h.engine.place(kAccount, manual, h.scheduler.now()));
    h.connector.tick(h.scheduler.now() + std::chrono::minutes(2));  // the periodic open-orders check
    h.run_for(20ms);
    EXPECT_EQ(h.connector.stats().unknown_open_orders, 1u) << cancel_unknown;
    EXPECT_EQ(h.connector.stats().unknown_orders_cancelled, cancel_unknown ? 1u : 0u);
    auto state = h.engine.query(kAccount, manual.client_order_id);
    ASSERT_TRUE(state);
    EXPECT_EQ(state->state, cancel_unknown ? model::OrderState::Canceled : model::OrderState::Open);
    EXPECT_TRUE(h.connector.open_orders().empty());  // never adopted silently
  }
}

}  // namespace
}  // namespace colibri::connector
