#include "colibri/connector/sim/matching_engine.h"
#include "colibri/testing/markets.h"

#include <map>
#include <string>
#include <deque>
#include <vector>

#include <gtest/gtest.h>

namespace colibri::connector::sim {
namespace {

using model::BookSide;
using model::Liquidity;
using model::OrderState;
using model::OrderType;
using model::Side;
using model::TimeInForce;

Price px(const char* text) { return *Price::parse(text); }
Quantity qty(const char* text) { return *Quantity::parse(text); }
model::Asset asset(const char* code) { return model::Asset::truncating(code); }
model::FeeRate rate(const char* text) { return *model::FeeRate::parse_fraction(text); }
model::FeeSchedule btcusdt_fees(const char* maker, const char* taker,
                                model::FeeAssetPolicy policy = model::FeeAssetPolicy::ReceivedAsset) {
  return *model::FeeSchedule::create(asset("BTC"), asset("USDT"), rate(maker), rate(taker), policy);
}
Timestamp at_ms(std::int64_t ms) { return Timestamp::from_ms(ms); }

model::TradingRules btcusdt() {
  model::TradingRules rules = testing::btcusdt_rules();
  rules.min_quantity = qty("0.002");
  return rules;
}

struct RecordingListener final : ExecutionListener {
  void on_execution_report(const model::OrderReport& report) override { reports.push_back(report); }
  void on_execution(const model::Fill& fill) override { fills.push_back(fill); }
  void on_balance_update(const model::Balance& balance) override { balances.push_back(balance); }
  std::vector<model::OrderReport> reports;
  std::vector<model::Fill> fills;
  std::vector<model::Balance> balances;
};

// Starting book: bids 100.00 × 2, 99.99 × 3; asks 100.01 × 1, 100.02 × 2, 100.05 × 5.
const model::PriceLevel kBids[] = {{px("100.00"), qty("2")}, {px("99.99"), qty("3")}};
const model::PriceLevel kAsks[] = {
    {px("100.01"), qty("1")}, {px("100.02"), qty("2")}, {px("100.05"), qty("5")}};

class EngineTest : public ::testing::Test {
 protected:
  static constexpr AccountId kAccount = 1;

  explicit EngineTest(const QueueModel& queue_model = risk_averse_,
                      std::size_t order_history = MatchingEngine::kDefaultOrderHistory)
      : fees_(btcusdt_fees("0.001", "0.002")), engine_(btcusdt(), queue_model, ledger_, order_history) {
    EXPECT_TRUE(ledger_.deposit(kAccount, asset("USDT"), qty("10000")));
    EXPECT_TRUE(ledger_.deposit(kAccount, asset("BTC"), qty("1")));
    engine_.add_account(kAccount, fees_, listener_);
    model::BookSnapshot snapshot;
    snapshot.exchange_time = at_ms(1);
    snapshot.bids = kBids;
    snapshot.asks = kAsks;
    engine_.on_snapshot(snapshot);
  }

  Result<model::OrderReport> place(const char* id, Side side, OrderType type, const char* price,
                                   const char* quantity, TimeInForce tif = TimeInForce::GoodTillCancel) {
    model::OrderRequest request;
    request.client_order_id = model::ClientOrderId::truncating(id);
    request.symbol = model::Symbol::truncating("BTCUSDT");
    request.side = side;
    request.type = type;
    request.time_in_force = tif;
    request.price = px(price);
    request.quantity = qty(quantity);
    return engine_.place(kAccount, request, at_ms(10));
  }
  Result<model::OrderReport> cancel(const char* id) {
    return engine_.cancel(kAccount, model::ClientOrderId::truncating(id), at_ms(20));
  }
  void trade(Side aggressor, const char* price, const char* quantity) {
    model::PublicTrade t;
    t.aggressor = aggressor;
    t.price = px(price);
    t.quantity = qty(quantity);
    t.exchange_time = at_ms(30);
    engine_.on_trade(t);
  }
  void diff(BookSide side, const char* price, const char* quantity) {
    const model::PriceLevel level{px(price), qty(quantity)};
    model::BookDiff d;
    d.exchange_time = at_ms(40);
    (side == BookSide::Bid ? d.bids : d.asks) = std::span<const model::PriceLevel>(&level, 1);
    engine_.on_diff(d);
  }
  model::Balance balance(const char* code) const { return ledger_.balance(kAccount, asset(code)); }
  Quantity filled(const char* id) const {
    return engine_.query(kAccount, model::ClientOrderId::truncating(id))->cumulative_filled;
  }

  static inline const RiskAverseQueueModel risk_averse_{};
  Ledger ledger_;
  model::FeeSchedule fees_;
  RecordingListener listener_;
  MatchingEngine engine_;
};

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

TEST_F(EngineTest, MarketBuyWalksTheBookLevelByLevel) {
  auto report = place("m1", Side::Buy, OrderType::Market, "0", "2.5");
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->state, OrderState::Filled);
  EXPECT_EQ(report->cumulative_filled, qty("2.5"));
  ASSERT_EQ(listener_.fills.size(), 2u);
  EXPECT_EQ(listener_.fills[0].price, px("100.01"));
  EXPECT_EQ(listener_.fills[0].quantity, qty("1"));
  EXPECT_EQ(listener_.fills[0].liquidity, Liquidity::Taker);
  EXPECT_EQ(listener_.fills[0].fee, (model::Fee{asset("BTC"), qty("0.002")}));  // 1 × 0.002
  EXPECT_EQ(listener_.fills[1].price, px("100.02"));
  EXPECT_EQ(listener_.fills[1].quantity, qty("1.5"));
  EXPECT_EQ(listener_.fills[1].fee, (model::Fee{asset("BTC"), qty("0.003")}));  // 2.5 × 0.002 - 0.002
  EXPECT_NE(listener_.fills[0].trade_id, listener_.fills[1].trade_id);
  // 100.01 + 1.5 × 100.02 = 250.04 USDT spent; 2.5 - 0.005 BTC received.
  EXPECT_EQ(balance("USDT"), (model::Balance{asset("USDT"), qty("9749.96"), qty("9749.96")}));
  EXPECT_EQ(balance("BTC"), (model::Balance{asset("BTC"), qty("3.495"), qty("3.495")}));
  EXPECT_EQ(listener_.reports.front().state, OrderState::Open);  // NEW first, as Binance
  EXPECT_EQ(listener_.reports.back().state, OrderState::Filled);
}

TEST_F(EngineTest, TakenLiquidityStaysConsumedUntilADiffTouchesTheLevel) {
  ASSERT_TRUE(place("m1", Side::Buy, OrderType::Market, "0", "1"));
  EXPECT_EQ(engine_.consumed_at(BookSide::Ask, px("100.01")), qty("1"));
  EXPECT_EQ(engine_.book().quantity_at(BookSide::Ask, px("100.01")), qty("1"));  // the replay is untouched
  ASSERT_TRUE(place("m2", Side::Buy, OrderType::Market, "0", "1"));
  EXPECT_EQ(listener_.fills.back().price, px("100.02"));  // 100.01 is gone for us
  diff(BookSide::Ask, "100.01", "0.7");                   // the venue's word on 100.01
  EXPECT_EQ(engine_.consumed_at(BookSide::Ask, px("100.01")), qty("0"));
  ASSERT_TRUE(place("m3", Side::Buy, OrderType::Market, "0", "1"));
  ASSERT_EQ(listener_.fills.size(), 4u);
  EXPECT_EQ(listener_.fills[2].price, px("100.01"));
  EXPECT_EQ(listener_.fills[2].quantity, qty("0.7"));
  EXPECT_EQ(listener_.fills[3].price, px("100.02"));  // 100.02 still consumed 1 of 2
  EXPECT_EQ(listener_.fills[3].quantity, qty("0.3"));
  EXPECT_EQ(engine_.consumed_at(BookSide::Ask, px("100.02")), qty("1.3"));
}

TEST_F(EngineTest, LimitMakerThatWouldCrossIsRejectedWithoutTouchingFunds) {
  auto report = place("pm1", Side::Buy, OrderType::LimitMaker, "100.01", "0.5");
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code(), ErrorCode::Rejected);
  EXPECT_TRUE(starts_with(report.error().message(), "-2010 Order would immediately match and take."));
  EXPECT_EQ(balance("USDT").available, qty("10000"));
  EXPECT_FALSE(engine_.query(kAccount, model::ClientOrderId::truncating("pm1")));  // nothing exists
  auto resting = place("pm2", Side::Buy, OrderType::LimitMaker, "100.00", "0.5");
  ASSERT_TRUE(resting);
  EXPECT_EQ(resting->state, OrderState::Open);
  EXPECT_EQ(balance("USDT").available, qty("9950"));
}

TEST_F(EngineTest, LimitMakerAtAConsumedLevelDoesNotCross) {
  ASSERT_TRUE(place("m1", Side::Buy, OrderType::Market, "0", "1"));  // takes all of 100.01
  auto report = place("pm1", Side::Buy, OrderType::LimitMaker, "100.01", "0.5");
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->state, OrderState::Open);
}

TEST_F(EngineTest, EveryRejectionHasItsBinanceCode) {
  struct Case {
    const char* id;
    Side side;
    const char* price;
    const char* quantity;
    const char* prefix;
  };
  const Case cases[] = {
      {"a", Side::Buy, "100.00", "200", "-2010 Account has insufficient balance"},
      {"b", Side::Sell, "100.10", "1.5", "-2010 Account has insufficient balance"},
      {"c", Side::Buy, "100.005", "1", "-1013 Filter failure: PRICE_FILTER"},
      {"d", Side::Buy, "100.00", "1.0005", "-1013 Filter failure: LOT_SIZE"},
      {"e", Side::Buy, "100.00", "0.001", "-1013 Filter failure: LOT_SIZE"},  // below min 0.002
      {"f", Side::Buy, "100.00", "0.002", "-1013 Filter failure: NOTIONAL"},  // 0.2 < 5
  };
  for (const Case& c : cases) {
    auto report = place(c.id, c.side, OrderType::Limit, c.price, c.quantity);
    ASSERT_FALSE(report) << c.id;
    EXPECT_EQ(report.error().code(), ErrorCode::Rejected) << c.id;
    EXPECT_TRUE(starts_with(report.error().message(), c.prefix)) << c.id << ": " << report.error().message();
  }
  ASSERT_TRUE(place("ok", Side::Buy, OrderType::Limit, "99.00", "1"));
  auto duplicate = place("ok", Side::Buy, OrderType::Limit, "99.00", "1");
  ASSERT_FALSE(duplicate);
  EXPECT_TRUE(starts_with(duplicate.error().message(), "-2010 Duplicate order sent"))
      << duplicate.error().message();
  model::OrderRequest other;
  other.client_order_id = model::ClientOrderId::truncating("x");
  other.symbol = model::Symbol::truncating("ETHUSDT");
  other.price = px("100");
  other.quantity = qty("1");
  auto wrong_symbol = engine_.place(kAccount, other, at_ms(10));
  ASSERT_FALSE(wrong_symbol);
  EXPECT_TRUE(starts_with(wrong_symbol.error().message(), "-1121")) << wrong_symbol.error().message();
  auto unknown_cancel = cancel("nope");
  ASSERT_FALSE(unknown_cancel);
  EXPECT_EQ(unknown_cancel.error().code(), ErrorCode::NotFound);
  EXPECT_TRUE(starts_with(unknown_cancel.error().message(), "-2011 Unknown order sent."));
  auto unknown_query = engine_.query(kAccount, model::ClientOrderId::truncating("nope"));
  ASSERT_FALSE(unknown_query);
  EXPECT_EQ(unknown_query.error().code(), ErrorCode::NotFound);
  EXPECT_TRUE(starts_with(unknown_query.error().message(), "-2013 Order does not exist."));
  auto unknown_account = engine_.place(99, other, at_ms(10));
  ASSERT_FALSE(unknown_account);
  EXPECT_EQ(unknown_account.error().code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(engine_.stats().orders_rejected, 8u);
  EXPECT_EQ(engine_.stats().orders_accepted, 1u);
  // Only the accepted order holds funds: 99 × 1.
  EXPECT_EQ(balance("USDT"), (model::Balance{asset("USDT"), qty("10000"), qty("9901")}));
  EXPECT_EQ(balance("BTC"), (model::Balance{asset("BTC"), qty("1"), qty("1")}));
}

TEST_F(EngineTest, ImmediateOrCancelFillsWhatItCanAndExpiresTheRest) {
  auto report = place("ioc", Side::Buy, OrderType::Limit, "100.02", "4", TimeInForce::ImmediateOrCancel);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->state, OrderState::Expired);
  EXPECT_EQ(report->cumulative_filled, qty("3"));
  // 100.01 + 2 × 100.02 = 300.05 spent; nothing stays locked.
  EXPECT_EQ(balance("USDT"), (model::Balance{asset("USDT"), qty("9699.95"), qty("9699.95")}));
  EXPECT_EQ(balance("BTC").total, qty("3.994"));  // 1 + 3 - 3 × 0.002
}

TEST_F(EngineTest, FillOrKillFillsWholeOrExpiresWithoutAFill) {
  auto killed = place("fok1", Side::Buy, OrderType::Limit, "100.02", "4", TimeInForce::FillOrKill);
  ASSERT_TRUE(killed);
  EXPECT_EQ(killed->state, OrderState::Expired);
  EXPECT_EQ(killed->cumulative_filled, qty("0"));
  EXPECT_TRUE(listener_.fills.empty());
  EXPECT_EQ(balance("USDT"), (model::Balance{asset("USDT"), qty("10000"), qty("10000")}));
  auto filled = place("fok2", Side::Buy, OrderType::Limit, "100.02", "3", TimeInForce::FillOrKill);
  ASSERT_TRUE(filled);
  EXPECT_EQ(filled->state, OrderState::Filled);
  EXPECT_EQ(listener_.fills.size(), 2u);
}

TEST_F(EngineTest, MarketOrderExpiresWhatTheBookCannotFill) {
  auto report = place("m", Side::Sell, OrderType::Market, "0", "1");
  ASSERT_TRUE(report);
  EXPECT_EQ(report->state, OrderState::Filled);
  ASSERT_TRUE(ledger_.deposit(kAccount, asset("BTC"), qty("10")));
  auto big = place("m2", Side::Sell, OrderType::Market, "0", "6");  // bids left: 1 @ 100, 3 @ 99.99
  ASSERT_TRUE(big);
  EXPECT_EQ(big->state, OrderState::Expired);
  EXPECT_EQ(big->cumulative_filled, qty("4"));
  EXPECT_EQ(balance("BTC"), (model::Balance{asset("BTC"), qty("6"), qty("6")}));
}

TEST_F(EngineTest, CrossingLimitTakesThenRestsTheRemainder) {
  auto report = place("x", Side::Buy, OrderType::Limit, "100.02", "4");
  ASSERT_TRUE(report);
  EXPECT_EQ(report->state, OrderState::PartiallyFilled);
  EXPECT_EQ(report->cumulative_filled, qty("3"));
  // Spent 300.05; 1 × 100.02 stays locked for the rest.
  EXPECT_EQ(balance("USDT"), (model::Balance{asset("USDT"), qty("9699.95"), qty("9599.93")}));
  trade(Side::Sell, "100.02", "0.4");  // nothing was bid at 100.02: we are first
  EXPECT_EQ(filled("x"), qty("3.4"));
  EXPECT_EQ(listener_.fills.back().liquidity, Liquidity::Maker);
  EXPECT_EQ(listener_.fills.back().fee, (model::Fee{asset("BTC"), qty("0.0004")}));
}

TEST_F(EngineTest, RestingOrderFillsOnlyAfterTheQueueAheadTrades) {
  ASSERT_TRUE(place("b", Side::Buy, OrderType::Limit, "100.00", "1"));  // 2 ahead
  trade(Side::Sell, "100.00", "1.5");
  EXPECT_EQ(filled("b"), qty("0"));
  trade(Side::Buy, "100.00", "5");  // a buyer's trade does not hit bids
  EXPECT_EQ(filled("b"), qty("0"));
  trade(Side::Sell, "100.00", "1");  // 0.5 ahead consumed, 0.5 reaches us
  EXPECT_EQ(filled("b"), qty("0.5"));
  EXPECT_EQ(engine_.query(kAccount, model::ClientOrderId::truncating("b"))->state,
            OrderState::PartiallyFilled);
  trade(Side::Sell, "100.00", "2");
  EXPECT_EQ(filled("b"), qty("1"));
  EXPECT_EQ(engine_.query(kAccount, model::ClientOrderId::truncating("b"))->state, OrderState::Filled);
  ASSERT_EQ(listener_.fills.size(), 2u);
  EXPECT_EQ(listener_.fills[0].fee.amount, qty("0.0005"));
  EXPECT_EQ(listener_.fills[1].fee.amount, qty("0.0005"));
  EXPECT_EQ(balance("USDT"), (model::Balance{asset("USDT"), qty("9900"), qty("9900")}));
  EXPECT_EQ(balance("BTC"), (model::Balance{asset("BTC"), qty("1.999"), qty("1.999")}));
}

TEST_F(EngineTest, OneTradeIsNotUsedTwiceByOurOrdersAtOnePrice) {
  ASSERT_TRUE(place("b1", Side::Buy, OrderType::Limit, "100.00", "1"));
  ASSERT_TRUE(place("b2", Side::Buy, OrderType::Limit, "100.00", "1"));
  trade(Side::Sell, "100.00", "3");  // 2 ahead of both; 1 left: b1 (older) gets it
  EXPECT_EQ(filled("b1"), qty("1"));
  EXPECT_EQ(filled("b2"), qty("0"));
}

TEST_F(EngineTest, TradeThroughThePriceFillsTheWholeOrder) {
  ASSERT_TRUE(place("b", Side::Buy, OrderType::Limit, "99.99", "1"));
  trade(Side::Sell, "99.98", "0.1");
  EXPECT_EQ(filled("b"), qty("1"));
  EXPECT_EQ(listener_.fills.back().price, px("99.99"));
  EXPECT_EQ(listener_.fills.back().liquidity, Liquidity::Maker);
}

TEST_F(EngineTest, BookMovingThroughTheOrderFillsItAsMaker) {
  ASSERT_TRUE(place("s", Side::Sell, OrderType::Limit, "100.04", "0.5"));
  EXPECT_EQ(balance("BTC").available, qty("0.5"));
  diff(BookSide::Bid, "100.03", "1");  // a bid below us: nothing
  EXPECT_EQ(filled("s"), qty("0"));
  diff(BookSide::Bid, "100.04", "1");  // a bid at our price: the market came through us
  EXPECT_EQ(filled("s"), qty("0.5"));
  // 100.04 × 0.5 = 50.02 USDT; fee 0.05002 USDT.
  EXPECT_EQ(listener_.fills.back().fee, (model::Fee{asset("USDT"), qty("0.05002")}));
  EXPECT_EQ(balance("USDT").total, qty("10049.96998"));
  EXPECT_EQ(balance("BTC"), (model::Balance{asset("BTC"), qty("0.5"), qty("0.5")}));
}

TEST_F(EngineTest, CancelReleasesFundsAndSecondCancelIsUnknown) {
  ASSERT_TRUE(place("b", Side::Buy, OrderType::Limit, "99.00", "2"));
  EXPECT_EQ(balance("USDT").available, qty("9802"));
  auto canceled = cancel("b");
  ASSERT_TRUE(canceled);
  EXPECT_EQ(canceled->state, OrderState::Canceled);
  EXPECT_EQ(balance("USDT").available, qty("10000"));
  auto again = cancel("b");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::NotFound);
  trade(Side::Sell, "98.00", "5");  // a cancelled order never fills
  EXPECT_TRUE(listener_.fills.empty());
}

TEST_F(EngineTest, QueriesReportOrdersAndTheirFills) {
  ASSERT_TRUE(place("b", Side::Buy, OrderType::Limit, "100.02", "3.5"));
  ASSERT_TRUE(place("c", Side::Buy, OrderType::Limit, "90", "1"));
  std::vector<model::Fill> fills;
  ASSERT_TRUE(engine_.fills_of(kAccount, model::ClientOrderId::truncating("b"), fills));
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(fills[0].price, px("100.01"));
  std::vector<model::OrderReport> open;
  engine_.open_orders(kAccount, open);
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0].client_order_id, "b");
  EXPECT_EQ(open[1].client_order_id, "c");
}

TEST_F(EngineTest, OpenOrdersListsRestingOrdersOfBothSidesOldestFirst) {
  ASSERT_TRUE(place("s1", Side::Sell, OrderType::Limit, "100.05", "0.1"));
  ASSERT_TRUE(place("b1", Side::Buy, OrderType::Limit, "99.00", "1"));
  ASSERT_TRUE(place("s2", Side::Sell, OrderType::Limit, "100.06", "0.1"));
  ASSERT_TRUE(place("b2", Side::Buy, OrderType::Limit, "98.00", "1"));
  ASSERT_TRUE(place("i", Side::Buy, OrderType::Market, "0", "0.5"));  // takes at once: never open
  ASSERT_TRUE(cancel("s1"));
  std::vector<model::OrderReport> open;
  engine_.open_orders(kAccount, open);
  ASSERT_EQ(open.size(), 3u);
  EXPECT_EQ(open[0].client_order_id, "b1");
  EXPECT_EQ(open[1].client_order_id, "s2");
  EXPECT_EQ(open[2].client_order_id, "b2");
  open.clear();
  engine_.open_orders(kAccount + 1, open);  // another account's view: none of these
  EXPECT_TRUE(open.empty());
}

// Recomputes each account's balances from the starting balances and the fill log alone.
std::map<std::string, Quantity> replay_fills(const std::map<std::string, Quantity>& start,
                                             const std::deque<AccountFill>& fills, AccountId account) {
  std::map<std::string, Quantity> expected = start;
  for (const AccountFill& f : fills) {
    if (f.account != account) continue;
    const Quantity quote = *(f.fill.price * f.fill.quantity).to_quantity(Rounding::Down);
    if (f.fill.side == Side::Buy) {
      expected["BTC"] += f.fill.quantity;
      expected["USDT"] -= quote;
    } else {
      expected["BTC"] -= f.fill.quantity;
      expected["USDT"] += quote;
    }
    expected[f.fill.fee.asset.str()] -= f.fill.fee.amount;
  }
  return expected;
}

class ProbEngineTest : public EngineTest {
 protected:
  ProbEngineTest() : EngineTest(prob_) {}
  static inline const ProbQueueModel<PowerProbQueueFunc> prob_{PowerProbQueueFunc(2.0)};
};

TEST_F(ProbEngineTest, LedgerReconcilesWithFillsToTheLastUnit) {
  // A second account pays its fees in quote (fee reserve locked on buys).
  constexpr AccountId kQuoteFees = 2;
  const model::FeeSchedule quote_fees = btcusdt_fees("0.00075", "0.00133", model::FeeAssetPolicy::QuoteAsset);
  RecordingListener other;
  engine_.add_account(kQuoteFees, quote_fees, other);
  ASSERT_TRUE(ledger_.deposit(kQuoteFees, asset("USDT"), qty("5000")));
  ASSERT_TRUE(ledger_.deposit(kQuoteFees, asset("BTC"), qty("3")));

  auto place_for = [&](AccountId account, const char* id, Side side, OrderType type, const char* price,
                       const char* quantity) {
    model::OrderRequest request;
    request.client_order_id = model::ClientOrderId::truncating(id);
    request.symbol = model::Symbol::truncating("BTCUSDT");
    request.side = side;
    request.type = type;
    request.price = px(price);
    request.quantity = qty(quantity);
    return engine_.place(account, request, at_ms(10));
  };
  for (const AccountId a : {kAccount, kQuoteFees}) {
    ASSERT_TRUE(place_for(a, "t1", Side::Buy, OrderType::Market, "0", "0.333"));
    ASSERT_TRUE(
        place_for(a, "t2", Side::Sell, OrderType::Limit, "99.99", "0.777"));  // crosses the bid at 100.00
    ASSERT_TRUE(place_for(a, "r1", Side::Buy, OrderType::Limit, "99.99", "1.111"));
    ASSERT_TRUE(place_for(a, "r2", Side::Sell, OrderType::Limit, "100.03", "0.123"));
    ASSERT_TRUE(place_for(a, "r3", Side::Buy, OrderType::Limit, "99.50", "0.5"));
  }
  diff(BookSide::Bid, "99.99", "1.5");   // cancels at 99.99 move our queues by probability
  trade(Side::Sell, "99.99", "1.7");     // partial fills
  trade(Side::Buy, "100.03", "0.05");    // first at 100.03 (nothing ahead)
  diff(BookSide::Bid, "100.03", "0.2");  // the bid side comes through our asks at 100.03
  trade(Side::Sell, "99.97", "0.01");    // through 99.99: the buys there fill
  ASSERT_TRUE(engine_.cancel(kAccount, model::ClientOrderId::truncating("r3"), at_ms(50)));

  const std::map<std::string, Quantity> start1{{"USDT", qty("10000")}, {"BTC", qty("1")}};
  const std::map<std::string, Quantity> start2{{"USDT", qty("5000")}, {"BTC", qty("3")}};
  for (const auto& [account, start] : {std::pair{kAccount, start1}, std::pair{kQuoteFees, start2}}) {
    const auto expected = replay_fills(start, engine_.fills(), account);
    for (const auto& [code, total] : expected) {
      EXPECT_EQ(ledger_.balance(account, asset(code.c_str())).total, total)
          << "account " << account << " " << code;
    }
  }
  // Account 1 has nothing open: nothing locked. Account 2 still has r3 (0.5 × 99.50 plus a fee
  // reserve of ceil(49.75 × 0.00133) + 1e-8 = 0.0661675 + 0.00000001).
  EXPECT_EQ(ledger_.locked(kAccount, asset("USDT")), qty("0"));
  EXPECT_EQ(ledger_.locked(kAccount, asset("BTC")), qty("0"));
  EXPECT_EQ(ledger_.locked(kQuoteFees, asset("USDT")), qty("49.81616751"));
  EXPECT_EQ(ledger_.locked(kQuoteFees, asset("BTC")), qty("0"));
  EXPECT_GE(engine_.fills().size(), 10u);
  ASSERT_TRUE(engine_.cancel(kQuoteFees, model::ClientOrderId::truncating("r3"), at_ms(50)));
  EXPECT_EQ(ledger_.locked(kQuoteFees, asset("USDT")), qty("0"));
}

TEST(MatchingEngine, RefusesRulesWhoseQuoteAmountsAreNotExact) {
  model::TradingRules rules = btcusdt();
  rules.tick_size = px("0.0001");
  rules.lot_size = qty("0.00001");
  rules.min_quantity = qty("0.00001");
  Ledger ledger;
  const RiskAverseQueueModel queue;
  EXPECT_THROW(MatchingEngine(rules, queue, ledger), StartupError);
}

TEST(MatchingEngine, RefusesFeeSchedulesItCannotSimulate) {
  Ledger ledger;
  const RiskAverseQueueModel queue;
  MatchingEngine engine(btcusdt(), queue, ledger);
  RecordingListener listener;
  engine.add_account(1, btcusdt_fees("0.001", "0.001", model::FeeAssetPolicy::QuoteAsset), listener);

  const auto ethusdt = *model::FeeSchedule::create(asset("ETH"), asset("USDT"), rate("0.001"), rate("0.001"));
  EXPECT_THROW(engine.add_account(2, ethusdt, listener), StartupError);
  EXPECT_THROW(engine.add_account(2, btcusdt_fees("-0.0001", "0.001"), listener), StartupError);  // rebate
  const auto whole = *model::FeeSchedule::create(asset("BTC"), asset("USDT"), rate("0.001"),
                                                 model::FeeRate::from_raw(Quantity::kScale));  // 100 %
  EXPECT_THROW(engine.add_account(2, whole, listener), StartupError);
  const auto bnb = *model::FeeSchedule::create(asset("BTC"), asset("USDT"), rate("0.001"), rate("0.001"),
                                               model::FeeAssetPolicy::NamedAsset, asset("BNB"));
  EXPECT_THROW(engine.add_account(2, bnb, listener), StartupError);
  model::FeeSchedule flat = btcusdt_fees("0.001", "0.001");
  flat.add_flat_fee(model::Fee{asset("USDT"), qty("0.1")});
  EXPECT_THROW(engine.add_account(2, flat, listener), StartupError);
  EXPECT_NO_THROW(engine.add_account(2, btcusdt_fees("0", "0.002"), listener));
}

class ShortHistoryEngineTest : public EngineTest {
 protected:
  ShortHistoryEngineTest() : EngineTest(risk_averse_, 3) {}
};

TEST_F(ShortHistoryEngineTest, FinishedOrdersBeyondTheHistoryAreForgottenWithTheirFills) {
  ASSERT_TRUE(place("resting", Side::Buy, OrderType::Limit, "99.00", "0.1"));  // stays open throughout
  ASSERT_TRUE(place("taker0", Side::Buy, OrderType::Market, "0", "0.1"));  // fills at once
  const std::size_t fills_of_first_taker = engine_.fills().size();
  ASSERT_EQ(fills_of_first_taker, 1u);
  for (int i = 1; i <= 6; ++i) {
    const std::string id = "taker" + std::to_string(i);
    ASSERT_TRUE(place(id.c_str(), Side::Buy, OrderType::Market, "0", "0.1"));
  }
  // The open order at the front holds everything back: nothing is forgotten yet.
  EXPECT_EQ(engine_.remembered_orders(), 8u);
  EXPECT_TRUE(engine_.query(kAccount, model::ClientOrderId::truncating("taker0")));

  ASSERT_TRUE(cancel("resting"));
  ASSERT_TRUE(place("taker7", Side::Buy, OrderType::Market, "0", "0.1"));
  EXPECT_LE(engine_.remembered_orders(), 4u);  // the history (3) and the one just placed
  auto old = engine_.query(kAccount, model::ClientOrderId::truncating("taker0"));
  ASSERT_FALSE(old);
  EXPECT_TRUE(starts_with(old.error().message(), "-2013")) << old.error().message();
  std::vector<model::Fill> fills;
  EXPECT_FALSE(engine_.fills_of(kAccount, model::ClientOrderId::truncating("taker1"), fills));
  EXPECT_TRUE(engine_.fills_of(kAccount, model::ClientOrderId::truncating("taker7"), fills));
  EXPECT_EQ(fills.size(), 1u);
  EXPECT_EQ(engine_.fills().size(), engine_.remembered_orders());  // one fill per remembered taker
  // Numbering continues: a new order after forgetting behaves normally.
  EXPECT_EQ(filled("taker7"), qty("0.1"));
}

}  // namespace
}  // namespace colibri::connector::sim
