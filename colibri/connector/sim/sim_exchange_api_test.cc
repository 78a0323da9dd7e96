#include "colibri/connector/sim/sim_exchange_api.h"

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include "colibri/core/sim_scheduler.h"
#include "colibri/testing/markets.h"

namespace colibri::connector::sim {
namespace {

using model::BookSide;
using model::OrderState;
using model::OrderType;
using model::Side;

Price px(const char* text) { return *Price::parse(text); }
Quantity qty(const char* text) { return *Quantity::parse(text); }
model::FeeRate rate(const char* text) { return *model::FeeRate::parse_fraction(text); }
Timestamp at_ms(std::int64_t ms) { return Timestamp::from_ms(ms); }
const model::Symbol kSymbol = model::Symbol::truncating("BTCUSDT");

model::TradingRules btcusdt() {
  model::TradingRules rules = testing::btcusdt_rules();
  rules.min_notional = Notional{};  // no minimum notional in these scenarios
  return rules;
}

// Records every delivery as one line "<local ms> <kind> <details>", and fails a test when a
// delivery arrives while a request call is still running (re-entrancy).
struct RecordingApiListener final : ExchangeApiListener {
  explicit RecordingApiListener(const Scheduler& s) : scheduler(s) {}
  void note(const std::string& text) {
    EXPECT_FALSE(in_request) << "re-entrant delivery: " << text;
    log.push_back(fmt::format("{} {}", scheduler.now().ns() / 1'000'000, text));
  }
  static std::string describe(const Result<model::OrderReport>& r) {
    if (!r) return fmt::format("error {} {}", to_string(r.error().code()), r.error().message());
    return fmt::format("{} {}", model::to_string(r->state), r->cumulative_filled);
  }
  void on_place_result(const model::ClientOrderId& id, const Result<model::OrderReport>& r) override {
    ++answers;
    note(fmt::format("place {} {}", id, describe(r)));
  }
  void on_cancel_result(const model::ClientOrderId& id, const Result<model::OrderReport>& r) override {
    ++answers;
    note(fmt::format("cancel {} {}", id, describe(r)));
  }
  void on_order_query_result(const model::ClientOrderId& id, const Result<model::OrderReport>& r) override {
    ++answers;
    note(fmt::format("query {} {}", id, describe(r)));
  }
  void on_fills_query_result(const model::ClientOrderId& id,
                             const Result<std::span<const model::Fill>>& r) override {
    ++answers;
    note(fmt::format("fills {} {}", id, r ? std::to_string(r->size()) : r.error().message()));
  }
  void on_balances_result(const Result<std::span<const model::Balance>>& r) override {
    ++answers;
    std::string text = "balances";
    if (r) {
      for (const auto& b : *r) text += fmt::format(" {}={}/{}", b.asset, b.total, b.available);
    }
    note(text);
  }
  void on_open_orders_result(const Result<std::span<const model::OrderReport>>& r) override {
    ++answers;
    note(fmt::format("open {}", r ? std::to_string(r->size()) : r.error().message()));
  }
  void on_trading_rules_result(const Result<std::span<const model::TradingRules>>& r) override {
    ++answers;
    note(fmt::format("rules {}", r ? r->front().symbol : r.error().message()));
  }
  void on_order_report(const model::OrderReport& r) override {
    note(fmt::format("report {} {} {}", r.client_order_id, model::to_string(r.state), r.cumulative_filled));
  }
  void on_fill(const model::Fill& f) override {
    note(fmt::format("fill {} {}@{} {} exch {}", f.client_order_id, f.quantity, f.price,
                     model::to_string(f.liquidity), f.time.ns() / 1'000'000));
  }
  void on_balance_update(const model::Balance& b) override {
    note(fmt::format("balance {}={}", b.asset, b.total));
  }
  void on_rate_limited(Timestamp) override { note("rate_limited"); }
  void on_rate_usage(std::string_view name, std::string_view value) override {
    note(fmt::format("rate_usage {} {}", name, value));
  }
  void on_connection_state(bool connected) override { note(fmt::format("connected {}", connected)); }
  void on_book_snapshot(const model::Symbol&, const model::BookSnapshot& s) override {
    note(fmt::format("snapshot {} bids {} asks", s.bids.size(), s.asks.size()));
  }
  void on_book_diff(const model::Symbol&, const model::BookDiff& d) override {
    note(fmt::format("diff {}", d.last_update_id));
  }
  void on_public_trade(const model::Symbol&, const model::PublicTrade& t) override {
    note(fmt::format("trade {}@{}", t.quantity, t.price));
  }

  [[nodiscard]] bool saw(const std::string& line) const {
    return std::find(log.begin(), log.end(), line) != log.end();
  }

  const Scheduler& scheduler;
  std::vector<std::string> log;
  int answers = 0;
  bool in_request = false;
};

const model::PriceLevel kBids[] = {{px("100.00"), qty("2")}};
const model::PriceLevel kAsks[] = {{px("100.01"), qty("1")}, {px("100.02"), qty("2")}};
const model::PriceLevel kAskGone[] = {{px("100.01"), qty("0")}};

// A tiny backtest runtime: the exchange side at exchange time, the bot side at local time.
struct Harness {
  explicit Harness(Duration entry, Duration response = 5ms)
      : latency(entry, response),
        fees(*model::FeeSchedule::create(model::Asset::truncating("BTC"), model::Asset::truncating("USDT"),
                                         rate("0.001"), rate("0.001"))),
        engine(btcusdt(), queue, ledger),
        api(scheduler, latency, ledger, 7),
        listener(scheduler) {
    EXPECT_TRUE(ledger.deposit(7, model::Asset::truncating("USDT"), qty("1000")));
    api.add_market(engine, fees);
    api.set_listener(&listener);
    // Snapshot: exchange 1 ms, local 2 ms.
    schedule_snapshot(1ms, 2ms);
  }
  void schedule_snapshot(Duration exchange, Duration local) {
    scheduler.schedule_at(Timestamp() + exchange, [this](Timestamp) { engine.on_snapshot(snapshot(1)); });
    scheduler.schedule_at(Timestamp() + local,
                          [this](Timestamp) { api.local_feed(kSymbol)->on_snapshot(snapshot(1)); });
  }
  // A diff removing the 100.01 ask: exchange time `exchange`, local time `local`.
  void schedule_ask_removal(Duration exchange, Duration local) {
    scheduler.schedule_at(Timestamp() + exchange, [this](Timestamp) { engine.on_diff(ask_removal()); });
    scheduler.schedule_at(Timestamp() + local,
                          [this](Timestamp) { api.publish_diff(kSymbol, ask_removal()); });
  }
  static model::BookSnapshot snapshot(model::UpdateId id) {
    model::BookSnapshot s;
    s.last_update_id = id;
    s.bids = kBids;
    s.asks = kAsks;
    return s;
  }
  static model::BookDiff ask_removal() {
    model::BookDiff d;
    d.first_update_id = 2;
    d.last_update_id = 2;
    d.asks = kAskGone;
    return d;
  }
  static model::OrderRequest order(const char* id, Side side, OrderType type, const char* price,
                                   const char* q) {
    model::OrderRequest r;
    r.client_order_id = model::ClientOrderId::truncating(id);
    r.symbol = kSymbol;
    r.side = side;
    r.type = type;
    r.price = px(price);
    r.quantity = qty(q);
    return r;
  }
  template <typename Fn>
  void request(Fn&& fn) {
    listener.in_request = true;
    fn();
    listener.in_request = false;
  }

  SimScheduler scheduler;
  ConstantLatency latency;
  model::FeeSchedule fees;
  RiskAverseQueueModel queue;
  Ledger ledger;
  MatchingEngine engine;
  SimExchangeApi api;
  RecordingApiListener listener;
};

TEST(SimExchangeApi, AnswerArrivesAfterEntryPlusResponseLatency) {
  Harness h(10ms, 5ms);
  h.scheduler.advance_to(at_ms(3));
  h.request([&] { h.api.place_order(Harness::order("m1", Side::Buy, OrderType::Market, "0", "0.5")); });
  EXPECT_EQ(h.listener.answers, 0);
  h.scheduler.advance_to(at_ms(17));
  EXPECT_EQ(h.listener.answers, 0);  // engine acted at 13 ms, the answer is due at 18 ms
  h.scheduler.advance_to(at_ms(18));
  EXPECT_EQ(h.listener.answers, 1);
  EXPECT_TRUE(h.listener.saw("18 place m1 FILLED 0.5"));
  EXPECT_TRUE(h.listener.saw("18 fill m1 0.5@100.01 taker exch 13"));
  h.scheduler.run_until_idle(100);
  EXPECT_EQ(h.listener.answers, 1);
}

TEST(SimExchangeApi, OrderSentBeforeAMarketEventArrivesAfterItWhenTheEntryLatencySaysSo) {
  // The 100.01 ask disappears at exchange time 10 ms (the bot learns it at 30 ms).
  // Sent at 5 ms with 10 ms entry latency, the order reaches the exchange at 15 ms: too late.
  Harness slow(10ms);
  slow.schedule_ask_removal(10ms, 30ms);
  slow.scheduler.advance_to(at_ms(5));
  slow.request([&] { slow.api.place_order(Harness::order("m", Side::Buy, OrderType::Market, "0", "0.5")); });
  slow.scheduler.run_until_idle(100);
  EXPECT_TRUE(slow.listener.saw("20 fill m 0.5@100.02 taker exch 15"))
      << fmt::format("{}", fmt::join(slow.listener.log, "\n"));
  // With 2 ms it arrives at 7 ms, before the removal, and takes 100.01.
  Harness fast(2ms);
  fast.schedule_ask_removal(10ms, 30ms);
  fast.scheduler.advance_to(at_ms(5));
  fast.request([&] { fast.api.place_order(Harness::order("m", Side::Buy, OrderType::Market, "0", "0.5")); });
  fast.scheduler.run_until_idle(100);
  EXPECT_TRUE(fast.listener.saw("12 fill m 0.5@100.01 taker exch 7"))
      << fmt::format("{}", fmt::join(fast.listener.log, "\n"));
}

TEST(SimExchangeApi, ExactlyOneAnswerPerRequestAndNeverInsideTheRequest) {
  Harness h(3ms, 4ms);
  h.scheduler.advance_to(at_ms(3));
  const model::Symbol unknown = model::Symbol::truncating("ETHUSDT");
  h.request([&] {
    h.api.place_order(Harness::order("b1", Side::Buy, OrderType::Limit, "99.00", "1"));
    h.api.place_order(Harness::order("b2", Side::Buy, OrderType::Limit, "99.00", "100"));  // -2010
    h.api.cancel_order(kSymbol, model::ClientOrderId::truncating("b1"));
    h.api.cancel_order(kSymbol, model::ClientOrderId::truncating("zz"));  // -2011
    h.api.query_order(kSymbol, model::ClientOrderId::truncating("b1"));
    h.api.query_order(kSymbol, model::ClientOrderId::truncating("zz"));  // -2013
    h.api.query_fills(kSymbol, model::ClientOrderId::truncating("b1"));
    h.api.query_balances();
    h.api.query_open_orders(kSymbol);
    h.api.query_open_orders(unknown);
    h.api.query_trading_rules();
    h.api.place_order(Harness::order("e1", Side::Buy, OrderType::Limit, "99.00", "1"));
    h.api.subscribe_market_data(kSymbol);  // no answer: a snapshot follows instead
  });
  EXPECT_EQ(h.listener.answers, 0);
  h.scheduler.run_until_idle(1000);
  EXPECT_EQ(h.listener.answers, 12);
  EXPECT_TRUE(h.listener.saw("10 place b1 OPEN 0"));
  EXPECT_TRUE(
      h.listener.saw("10 place b2 error Rejected -2010 Account has insufficient balance for requested action "
                     "(insufficient USDT: "
                     "available 901, needed 9900)"));
  EXPECT_TRUE(h.listener.saw("10 cancel b1 CANCELED 0"));
  EXPECT_TRUE(h.listener.saw("10 cancel zz error NotFound -2011 Unknown order sent. (zz)"));
  EXPECT_TRUE(h.listener.saw("10 query zz error NotFound -2013 Order does not exist. (zz)"));
  EXPECT_TRUE(h.listener.saw("10 fills b1 0"));
  EXPECT_TRUE(h.listener.saw("10 balances USDT=1000/1000"));
  EXPECT_TRUE(h.listener.saw("10 open -1121 Invalid symbol. (ETHUSDT)"));
  EXPECT_TRUE(h.listener.saw("10 rules BTCUSDT"));
  EXPECT_TRUE(h.listener.saw("10 snapshot 1 bids 2 asks"));
}

TEST(SimExchangeApi, UserStreamPushesTravelWithTheResponseLatencyInOrder) {
  Harness h(1ms, 5ms);
  h.scheduler.advance_to(at_ms(3));
  h.request([&] { h.api.place_order(Harness::order("b", Side::Buy, OrderType::Limit, "100.00", "1")); });
  // A public sell of 3 at 100.00 at exchange time 20 ms: 2 ahead, 1 fills us.
  h.scheduler.schedule_at(at_ms(20), [&](Timestamp) {
    model::PublicTrade t;
    t.price = px("100.00");
    t.quantity = qty("3");
    t.aggressor = Side::Sell;
    t.exchange_time = at_ms(20);
    h.engine.on_trade(t);
  });
  h.scheduler.run_until_idle(100);
  const std::vector<std::string> expected = {
      "9 report b OPEN 0",
      "9 balance BTC=0",
      "9 balance USDT=1000",
      "9 place b OPEN 0",
      "25 fill b 1@100 maker exch 20",
      "25 report b FILLED 1",
      "25 balance BTC=0.999",
      "25 balance USDT=900",
  };
  EXPECT_EQ(h.listener.log, expected) << fmt::format("{}", fmt::join(h.listener.log, "\n"));
}

TEST(SimExchangeApi, MarketDataReachesTheBotAtLocalTimeOnceSubscribed) {
  Harness h(1ms, 1ms);
  h.schedule_ask_removal(10ms, 30ms);
  h.scheduler.advance_to(at_ms(5));
  EXPECT_TRUE(h.listener.log.empty());  // not subscribed: nothing forwarded
  h.request([&] { h.api.subscribe_market_data(kSymbol); });
  h.scheduler.run_until_idle(100);
  // The snapshot (as the bot's side knew the book at 7 ms), then the diff at its local time.
  const std::vector<std::string> expected = {"7 snapshot 1 bids 2 asks", "30 diff 2"};
  EXPECT_EQ(h.listener.log, expected) << fmt::format("{}", fmt::join(h.listener.log, "\n"));
}

// The subscription's snapshot shows every diff published before it is answered (the api keeps
// the bot's side of the book until then); a market is subscribed once, so a second subscription
// gets no snapshot, and later diffs are forwarded as published.
TEST(SimExchangeApi, SubscriptionSnapshotIncludesEarlierDiffsAndIsAnsweredOnce) {
  Harness h(1ms, 1ms);
  h.schedule_ask_removal(3ms, 4ms);  // published before the answer (7 ms): in the snapshot
  h.scheduler.advance_to(at_ms(5));
  h.request([&] { h.api.subscribe_market_data(kSymbol); });
  h.scheduler.advance_to(at_ms(10));
  h.request([&] { h.api.subscribe_market_data(kSymbol); });
  h.schedule_ask_removal(20ms, 30ms);
  h.scheduler.run_until_idle(100);
  const std::vector<std::string> expected = {"7 snapshot 1 bids 1 asks", "30 diff 2"};
  EXPECT_EQ(h.listener.log, expected) << fmt::format("{}", fmt::join(h.listener.log, "\n"));
}

TEST(SimExchangeApi, SameInputsGiveTheSameDeliveries) {
  auto run = [] {
    Harness h(2ms, 3ms);
    h.schedule_ask_removal(10ms, 30ms);
    h.scheduler.advance_to(at_ms(3));
    h.request([&] {
      h.api.subscribe_market_data(kSymbol);
      h.api.place_order(Harness::order("a", Side::Buy, OrderType::Limit, "100.02", "1.5"));
      h.api.place_order(Harness::order("b", Side::Buy, OrderType::LimitMaker, "100.00", "1"));
      h.api.query_balances();
    });
    h.scheduler.run_until_idle(1000);
    return h.listener.log;
  };
  const auto first = run();
  EXPECT_GT(first.size(), 10u);
  EXPECT_EQ(first, run());
}

}  // namespace
}  // namespace colibri::connector::sim
