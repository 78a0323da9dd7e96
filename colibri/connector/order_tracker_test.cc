#include "colibri/connector/order_tracker.h"

#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "colibri/core/sim_scheduler.h"

namespace colibri::connector {
namespace {

using model::ClientOrderId;
using model::OrderState;

Quantity Q(std::string_view s) { return *Quantity::parse(s); }
ClientOrderId id(std::string_view client_id) { return ClientOrderId::truncating(client_id); }

model::OrderRequest request(std::string_view client_id, std::string_view quantity = "1") {
  model::OrderRequest r;
  r.client_order_id = id(client_id);
  r.symbol = model::Symbol::truncating("BTCUSDT");
  r.side = model::Side::Buy;
  r.price = *Price::parse("100");
  r.quantity = Q(quantity);
  return r;
}

// The venue's report about order `client_id`; its exchange id is "ex-" + client_id.
model::OrderReport report(std::string_view client_id, OrderState state, std::string_view cumulative = "0") {
  model::OrderReport r;
  r.client_order_id = id(client_id);
  r.exchange_order_id = model::ExchangeOrderId::truncating(fmt::format("ex-{}", client_id));
  r.symbol = model::Symbol::truncating("BTCUSDT");
  r.state = state;
  r.cumulative_filled = Q(cumulative);
  return r;
}

model::Fill fill(std::string_view client_id, std::string_view trade_id, std::string_view quantity,
                 std::string_view price = "100") {
  model::Fill f;
  f.client_order_id = id(client_id);
  f.exchange_order_id = model::ExchangeOrderId::truncating(fmt::format("ex-{}", client_id));
  f.trade_id = model::ExchangeTradeId::truncating(trade_id);
  f.symbol = model::Symbol::truncating("BTCUSDT");
  f.side = model::Side::Buy;
  f.price = *Price::parse(price);
  f.quantity = Q(quantity);
  f.fee = model::Fee{model::Asset::truncating("BTC"), Q("0.001")};
  return f;
}

// Records every event: typed, and as one line each ("<Hummingbot name> <client id> [trade qty]").
struct EventLog final : model::OrderEventSink {
  void on_order_created(const model::OrderCreated& e) override {
    created.push_back(e);
    lines.push_back(fmt::format("{} {}", model::hummingbot_name(e), e.client_order_id));
  }
  void on_order_filled(const model::OrderFilled& e) override {
    filled.push_back(e);
    lines.push_back(
        fmt::format("{} {} {} {}", model::hummingbot_name(e), e.client_order_id, e.trade_id, e.amount));
  }
  void on_order_cancelled(const model::OrderCancelled& e) override {
    lines.push_back(fmt::format("{} {}", model::hummingbot_name(e), e.client_order_id));
  }
  void on_order_completed(const model::OrderCompleted& e) override {
    completed.push_back(e);
    lines.push_back(fmt::format("{} {}", model::hummingbot_name(e), e.client_order_id));
  }
  void on_order_failed(const model::OrderFailed& e) override {
    failed.push_back(e);
    lines.push_back(fmt::format("{} {}", model::hummingbot_name(e), e.client_order_id));
  }
  void on_order_expired(const model::OrderExpired& e) override {
    lines.push_back(fmt::format("{} {}", model::hummingbot_name(e), e.client_order_id));
  }
  void on_order_lost(const model::OrderLost& e) override {
    lines.push_back(fmt::format("{} {}", model::hummingbot_name(e), e.client_order_id));
  }
  std::vector<std::string> lines;
  std::vector<model::OrderCreated> created;
  std::vector<model::OrderFilled> filled;
  std::vector<model::OrderCompleted> completed;
  std::vector<model::OrderFailed> failed;
};

class OrderTrackerTest : public ::testing::Test {
 protected:
  OrderTrackerTest()
      : scheduler_(Timestamp::from_ms(1'700'000'000'000)), tracker_(scheduler_, log_, config()) {}
  static OrderTrackerConfig config() {
    OrderTrackerConfig c;
    c.finished_capacity = 3;
    c.finished_ttl = std::chrono::seconds(60);
    return c;
  }
  const model::InFlightOrder& track(const char* client_id, const char* quantity = "1") {
    auto o = tracker_.start_tracking(request(client_id, quantity));
    EXPECT_TRUE(o) << o.error().describe();
    return **o;
  }
  SimScheduler scheduler_;
  EventLog log_;
  OrderTracker tracker_;
};

TEST_F(OrderTrackerTest, TracksTheOrderBeforeItsRequestIsSent) {
  const auto& o = track("a1");
  EXPECT_EQ(o.state(), OrderState::PendingCreate);
  EXPECT_EQ(tracker_.find(id("a1")), &o);
  EXPECT_EQ(tracker_.active_count(), 1u);
  EXPECT_TRUE(log_.lines.empty());  // nothing is created until the venue says so
}

TEST_F(OrderTrackerTest, NeverTracksAClientOrderIdTwice) {
  track("a1");
  auto again = tracker_.start_tracking(request("a1"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::InvalidArgument);
  // Still refused once the order is finished and cached.
  ASSERT_TRUE(tracker_.on_place_result(id("a1"), report("a1", OrderState::Expired)));
  EXPECT_FALSE(tracker_.start_tracking(request("a1")));
}

TEST_F(OrderTrackerTest, RefusesInvalidRequests) {
  EXPECT_FALSE(tracker_.start_tracking(request("bad id")));
  EXPECT_FALSE(tracker_.start_tracking(request("")));
  EXPECT_FALSE(tracker_.start_tracking(request("a2", "0")));
}

TEST_F(OrderTrackerTest, AcknowledgementEmitsOneCreatedEventHowEverOftenItIsReported) {
  track("a1");
  ASSERT_TRUE(tracker_.on_place_result(id("a1"), report("a1", OrderState::Open)));
  ASSERT_TRUE(tracker_.on_order_report(report("a1", OrderState::Open)));
  ASSERT_TRUE(tracker_.on_order_query_result(id("a1"), report("a1", OrderState::Open)));
  EXPECT_EQ(log_.lines, (std::vector<std::string>{"BuyOrderCreated a1"}));
  EXPECT_EQ(log_.created.at(0).exchange_order_id, "ex-a1");
}

TEST_F(OrderTrackerTest, DefiniteRejectionFailsTheOrderWithTheVenuesReason) {
  track("a1");
  ASSERT_TRUE(tracker_.on_place_result(id("a1"), fail(ErrorCode::Rejected, "-2010 insufficient balance")));
  EXPECT_EQ(tracker_.find(id("a1"))->state(), OrderState::Failed);
  ASSERT_EQ(log_.failed.size(), 1u);
  EXPECT_EQ(log_.failed[0].code, ErrorCode::Rejected);
  EXPECT_EQ(log_.failed[0].message, "-2010 insufficient balance");
  EXPECT_EQ(log_.lines, (std::vector<std::string>{"OrderFailure a1"}));
}

TEST_F(OrderTrackerTest, UnsentOrderFailsWithDisconnected) {
  track("a1");
  ASSERT_TRUE(tracker_.on_place_result(id("a1"), fail(ErrorCode::Disconnected, "transport down")));
  ASSERT_EQ(log_.failed.size(), 1u);
  EXPECT_EQ(log_.failed[0].code, ErrorCode::Disconnected);
}

TEST_F(OrderTrackerTest, AmbiguousCreateStaysPendingAndIsQueriedBeforeAnythingElse) {
  track("a1");
  ASSERT_TRUE(tracker_.on_place_result(id("a1"), fail(ErrorCode::Ambiguous, "timeout")));
  EXPECT_EQ(tracker_.find(id("a1"))->state(), OrderState::PendingCreate);
  EXPECT_TRUE(log_.lines.empty());
  EXPECT_EQ(tracker_.orders_to_query(), (std::vector<ClientOrderId>{id("a1")}));
  EXPECT_TRUE(tracker_.orders_to_query().empty());  // asked once
  ASSERT_TRUE(tracker_.on_order_query_result(id("a1"), report("a1", OrderState::Open)));
  EXPECT_EQ(log_.lines, (std::vector<std::string>{"BuyOrderCreated a1"}));
}

TEST_F(OrderTrackerTest, SilentLiveOrdersAreQueriedOncePerInterval) {
  track("a1");
  ASSERT_TRUE(tracker_.on_place_result(id("a1"), report("a1", OrderState::Open)));
  scheduler_.advance_by(std::chrono::seconds(9));
  EXPECT_TRUE(tracker_.orders_to_query().empty());
  scheduler_.advance_by(std::chrono::seconds(1));
  EXPECT_EQ(tracker_.orders_to_query().size(), 1u);
  scheduler_.advance_by(std::chrono::seconds(5));
  EXPECT_TRUE(tracker_.orders_to_query().empty());
  scheduler_.advance_by(std::chrono::seconds(5));
  EXPECT_EQ(tracker_.orders_to_query().size(), 1u);
}

TEST_F(OrderTrackerTest, RoutesPushesByExchangeOrderId) {
  track("a1");
  ASSERT_TRUE(tracker_.on_place_result(id("a1"), report("a1", OrderState::Open)));
  model::Fill f = fill("a1", "t1", "0.4");
  f.client_order_id = ClientOrderId();
  ASSERT_TRUE(tracker_.on_fill(f));
  model::OrderReport r = report("a1", OrderState::Canceled, "0.4");
  r.client_order_id = ClientOrderId();
  ASSERT_TRUE(tracker_.on_order_report(r));
  EXPECT_EQ(tracker_.find_by_exchange_id(model::ExchangeOrderId::truncating("ex-a1"))->state(),
            OrderState::Canceled);
  EXPECT_EQ(log_.lines,
            (std::vector<std::string>{"BuyOrderCreated a1", "OrderFilled a1 t1 0.4", "OrderCancelled a1"}));
}

TEST_F(OrderTrackerTest, FillBeforeAcknowledgementEmitsCreatedThenFilled) {
  track("a1");
  ASSERT_TRUE(tracker_.on_fill(fill("a1", "t1", "1")));
  ASSERT_TRUE(tracker_.on_place_result(id("a1"), report("a1", OrderState::Filled, "1")));
  EXPECT_EQ(log_.lines,
            (std::vector<std::string>{"BuyOrderCreated a1", "OrderFilled a1 t1 1", "BuyOrderCompleted a1"}));
  ASSERT_EQ(log_.completed.size(), 1u);
  EXPECT_EQ(log_.completed[0].base_amount, Q("1"));
  EXPECT_EQ(log_.completed[0].quote_amount, *Notional::parse("100"));
  EXPECT_EQ(log_.completed[0].fees.amount_of(model::Asset::truncating("BTC")), Q("0.001"));
}

TEST_F(OrderTrackerTest, NotFoundIsCountedAndConfirmedBeforeTheOrderIsLost) {
  track("a1");
  ASSERT_TRUE(tracker_.on_place_result(id("a1"), fail(ErrorCode::Ambiguous, "timeout")));
  const auto not_found = [&] {
    return tracker_.on_order_query_result(id("a1"), fail(ErrorCode::NotFound, "-2013"));
  };
  ASSERT_TRUE(not_found());
  ASSERT_TRUE(not_found());
  EXPECT_FALSE(tracker_.find(id("a1"))->is_lost());
  ASSERT_TRUE(not_found());
  EXPECT_TRUE(tracker_.find(id("a1"))->is_lost());
  ASSERT_TRUE(not_found());  // already lost: no second event
  EXPECT_EQ(log_.lines, (std::vector<std::string>{"OrderLost a1"}));
  EXPECT_EQ(tracker_.find(id("a1"))->state(), OrderState::PendingCreate);  // lost is not failed
  EXPECT_EQ(tracker_.lost_count(), 1u);
  EXPECT_EQ(tracker_.active_count(), 1u);
}

TEST_F(OrderTrackerTest, NotFoundCountRestartsWhenTheVenueSpeaksOfTheOrder) {
  track("a1");
  ASSERT_TRUE(tracker_.on_place_result(id("a1"), fail(ErrorCode::Ambiguous, "timeout")));
  const auto not_found = [&] {
    return tracker_.on_cancel_result(id("a1"), fail(ErrorCode::NotFound, "-2011"));
  };
  ASSERT_TRUE(not_found());
  ASSERT_TRUE(not_found());
  ASSERT_TRUE(tracker_.on_order_report(report("a1", OrderState::Open)));
  ASSERT_TRUE(not_found());
  ASSERT_TRUE(not_found());
  EXPECT_FALSE(tracker_.find(id("a1"))->is_lost());
}

TEST_F(OrderTrackerTest, LostOrderStillTakesLateFillsAndEndsNormally) {
  track("a1");
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(tracker_.on_order_query_result(id("a1"), fail(ErrorCode::NotFound, "-2013")));
  }
  ASSERT_TRUE(tracker_.find(id("a1"))->is_lost());
  ASSERT_TRUE(tracker_.on_fill(fill("a1", "t1", "0.5")));
  EXPECT_FALSE(tracker_.find(id("a1"))->is_lost());
  ASSERT_TRUE(tracker_.on_fill(fill("a1", "t2", "0.5")));
  EXPECT_EQ(log_.lines,
            (std::vector<std::string>{"OrderLost a1", "BuyOrderCreated a1", "OrderFilled a1 t1 0.5",
                                      "OrderFilled a1 t2 0.5", "BuyOrderCompleted a1"}));
}

TEST_F(OrderTrackerTest, NotFoundForAFinishedOrderIsIgnored) {
  track("a1");
  ASSERT_TRUE(tracker_.on_place_result(id("a1"), report("a1", OrderState::Expired)));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(tracker_.on_cancel_result(id("a1"), fail(ErrorCode::NotFound, "-2011")));
  }
  EXPECT_EQ(log_.lines, (std::vector<std::string>{"BuyOrderCreated a1", "OrderExpired a1"}));
}

TEST_F(OrderTrackerTest, EachFillIsAppliedOnceAcrossPushesAndQueries) {
  track("a1");
  ASSERT_TRUE(tracker_.on_place_result(id("a1"), report("a1", OrderState::Open)));
  const std::vector<model::Fill> fills{fill("a1", "t1", "0.25"), fill("a1", "t2", "0.25")};
  ASSERT_TRUE(tracker_.on_fill(fills[0]));
  ASSERT_TRUE(tracker_.on_fill(fills[0]));
  ASSERT_TRUE(tracker_.on_fills_query_result(id("a1"), std::span<const model::Fill>(fills)));
  EXPECT_EQ(tracker_.find(id("a1"))->filled(), Q("0.5"));
  EXPECT_EQ(log_.filled.size(), 2u);
  EXPECT_EQ(tracker_.stats().duplicate_fills, 2u);
}

TEST_F(OrderTrackerTest, FilledReportWaitsForItsFillsThenAsksForThem) {
  track("a1");
  ASSERT_TRUE(tracker_.on_place_result(id("a1"), report("a1", OrderState::Open)));
  ASSERT_TRUE(tracker_.on_order_report(report("a1", OrderState::Filled, "1")));
  EXPECT_EQ(tracker_.find(id("a1"))->state(), OrderState::Open);
  EXPECT_TRUE(log_.completed.empty());
  scheduler_.advance_by(std::chrono::seconds(4));
  EXPECT_TRUE(tracker_.fills_to_query().empty());
  scheduler_.advance_by(std::chrono::seconds(1));
  EXPECT_EQ(tracker_.fills_to_query(), (std::vector<ClientOrderId>{id("a1")}));
  EXPECT_TRUE(tracker_.fills_to_query().empty());  // asked once per fill_wait
  const std::vector<model::Fill> fills{fill("a1", "t1", "0.3"), fill("a1", "t2", "0.7")};
  ASSERT_TRUE(tracker_.on_fills_query_result(id("a1"), std::span<const model::Fill>(fills)));
  EXPECT_EQ(log_.lines, (std::vector<std::string>{"BuyOrderCreated a1", "OrderFilled a1 t1 0.3",
                                                  "OrderFilled a1 t2 0.7", "BuyOrderCompleted a1"}));
  EXPECT_TRUE(tracker_.fills_to_query().empty());
}

TEST_F(OrderTrackerTest, FillWaitIsBoundedAndMissingFillsStillCountLater) {
  track("a1");
  ASSERT_TRUE(tracker_.on_order_report(report("a1", OrderState::Canceled, "0.4")));
  scheduler_.advance_by(std::chrono::seconds(59));
  tracker_.poll();
  EXPECT_EQ(tracker_.find(id("a1"))->state(), OrderState::Open);
  scheduler_.advance_by(std::chrono::seconds(1));
  tracker_.poll();
  EXPECT_EQ(tracker_.find(id("a1"))->state(), OrderState::Canceled);
  EXPECT_EQ(tracker_.stats().fills_short, 1u);
  EXPECT_EQ(tracker_.fills_to_query().size(), 1u);  // still owed
  ASSERT_TRUE(tracker_.on_fill(fill("a1", "t1", "0.4")));
  EXPECT_EQ(log_.lines,
            (std::vector<std::string>{"BuyOrderCreated a1", "OrderCancelled a1", "OrderFilled a1 t1 0.4"}));
  EXPECT_EQ(tracker_.find(id("a1"))->filled(), Q("0.4"));
}

TEST_F(OrderTrackerTest, DuplicateFinalReportsGiveExactlyOneTerminalEvent) {
  track("a1");
  ASSERT_TRUE(tracker_.on_place_result(id("a1"), report("a1", OrderState::Open)));
  ASSERT_TRUE(tracker_.cancel_requested(id("a1")));
  EXPECT_EQ(tracker_.find(id("a1"))->state(), OrderState::PendingCancel);
  ASSERT_TRUE(tracker_.on_order_report(report("a1", OrderState::Canceled)));
  ASSERT_TRUE(tracker_.on_cancel_result(id("a1"), report("a1", OrderState::Canceled)));
  ASSERT_TRUE(tracker_.on_order_query_result(id("a1"), report("a1", OrderState::Canceled)));
  EXPECT_EQ(log_.lines, (std::vector<std::string>{"BuyOrderCreated a1", "OrderCancelled a1"}));
  EXPECT_FALSE(tracker_.cancel_requested(id("a1")));  // final: nothing to cancel
}

TEST_F(OrderTrackerTest, RefusedCancelGoesBackAndAmbiguousCancelIsQueried) {
  track("a1");
  ASSERT_TRUE(tracker_.on_place_result(id("a1"), report("a1", OrderState::Open)));
  ASSERT_TRUE(tracker_.cancel_requested(id("a1")));
  ASSERT_TRUE(tracker_.on_cancel_result(id("a1"), fail(ErrorCode::RateLimited, "429")));
  EXPECT_EQ(tracker_.find(id("a1"))->state(), OrderState::Open);
  ASSERT_TRUE(tracker_.cancel_requested(id("a1")));
  ASSERT_TRUE(tracker_.on_cancel_result(id("a1"), fail(ErrorCode::Ambiguous, "502")));
  EXPECT_EQ(tracker_.find(id("a1"))->state(), OrderState::PendingCancel);
  EXPECT_EQ(tracker_.orders_to_query(), (std::vector<ClientOrderId>{id("a1")}));
}

TEST_F(OrderTrackerTest, FinishedOrdersTakeLateFillsWithoutASecondTerminalEvent) {
  track("a1");
  ASSERT_TRUE(tracker_.on_order_report(report("a1", OrderState::Canceled)));
  ASSERT_TRUE(tracker_.on_fill(fill("a1", "t1", "0.1")));
  ASSERT_TRUE(tracker_.on_order_report(report("a1", OrderState::Canceled, "0.1")));
  EXPECT_EQ(log_.lines,
            (std::vector<std::string>{"BuyOrderCreated a1", "OrderCancelled a1", "OrderFilled a1 t1 0.1"}));
  EXPECT_EQ(tracker_.finished_count(), 1u);
  EXPECT_EQ(tracker_.active_count(), 0u);
}

TEST_F(OrderTrackerTest, FinishedOrdersAreKeptBoundedByCount) {
  for (const char* c : {"a1", "a2", "a3", "a4"}) {
    track(c);
    ASSERT_TRUE(tracker_.on_order_report(report(c, OrderState::Canceled)));
  }
  tracker_.poll();
  EXPECT_EQ(tracker_.finished_count(), 3u);
  EXPECT_EQ(tracker_.find(id("a1")), nullptr);
  EXPECT_NE(tracker_.find(id("a2")), nullptr);
  auto late = tracker_.on_fill(fill("a1", "t1", "0.1"));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code(), ErrorCode::NotFound);
  EXPECT_EQ(tracker_.stats().unknown_fills, 1u);
  EXPECT_EQ(tracker_.stats().evicted, 1u);
}

TEST_F(OrderTrackerTest, FinishedOrdersAreKeptBoundedByAge) {
  track("a1");
  ASSERT_TRUE(tracker_.on_order_report(report("a1", OrderState::Canceled)));
  track("a2");  // live orders are never dropped
  scheduler_.advance_by(std::chrono::seconds(59));
  tracker_.poll();
  EXPECT_NE(tracker_.find(id("a1")), nullptr);
  scheduler_.advance_by(std::chrono::seconds(1));
  tracker_.poll();
  EXPECT_EQ(tracker_.find(id("a1")), nullptr);
  EXPECT_EQ(tracker_.find_by_exchange_id(model::ExchangeOrderId::truncating("ex-a1")), nullptr);
  EXPECT_NE(tracker_.find(id("a2")), nullptr);
}

TEST_F(OrderTrackerTest, OverfillIsRefusedCountedAndFlagged) {
  track("a1");
  ASSERT_TRUE(tracker_.on_fill(fill("a1", "t1", "0.8")));
  auto over = tracker_.on_fill(fill("a1", "t2", "0.3"));
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code(), ErrorCode::Corrupt);
  EXPECT_EQ(tracker_.stats().refused_inputs, 1u);
  EXPECT_EQ(tracker_.find(id("a1"))->anomalies(), 1u);
  EXPECT_EQ(tracker_.find(id("a1"))->filled(), Q("0.8"));
}

TEST_F(OrderTrackerTest, InformationAboutUnknownOrdersIsCountedAndRefused) {
  EXPECT_EQ(tracker_.on_order_report(report("zz", OrderState::Open)).error().code(), ErrorCode::NotFound);
  EXPECT_EQ(tracker_.on_fill(fill("zz", "t1", "0.1")).error().code(), ErrorCode::NotFound);
  EXPECT_EQ(tracker_.stats().unknown_reports, 1u);
  EXPECT_EQ(tracker_.stats().unknown_fills, 1u);
}

}  // namespace
}  // namespace colibri::connector
