#include "colibri/model/in_flight_order.h"

#include <string>

#include <gtest/gtest.h>

namespace colibri::model {
namespace {

Price P(const char* s) { return *Price::parse(s); }
Quantity Q(const char* s) { return *Quantity::parse(s); }
const Timestamp kT0 = Timestamp::from_ms(1'700'000'000'000);
Timestamp at(int seconds) { return kT0 + std::chrono::seconds(seconds); }

OrderRequest request(Side side = Side::Buy) {
  OrderRequest r;
  r.client_order_id = ClientOrderId::truncating("cb-1");
  r.symbol = Symbol::truncating("BTCUSDT");
  r.side = side;
  r.price = P("100");
  r.quantity = Q("1");
  return r;
}

// Builds orders and venue inputs with fresh trade ids.
class Venue {
 public:
  Fill fill(const char* quantity, const char* price = "100") {
    Fill f;
    f.client_order_id = ClientOrderId::truncating("cb-1");
    f.trade_id = ExchangeTradeId::truncating(fmt::format("t{}", ++trades_));
    f.symbol = Symbol::truncating("BTCUSDT");
    f.side = Side::Buy;
    f.price = P(price);
    f.quantity = Q(quantity);
    f.fee = Fee{Asset::truncating("BTC"), Q("0.001")};
    return f;
  }
  static OrderReport report(OrderState state, const char* cumulative = "0") {
    OrderReport r;
    r.client_order_id = ClientOrderId::truncating("cb-1");
    r.exchange_order_id = ExchangeOrderId::truncating("42");
    r.symbol = Symbol::truncating("BTCUSDT");
    r.state = state;
    r.cumulative_filled = Q(cumulative);
    return r;
  }

 private:
  int trades_ = 0;
};

// An order brought into `state` through the public inputs. PendingCancel is acknowledged (Open
// before the cancel) unless `acknowledged` is false.
InFlightOrder order_in(OrderState state, Venue& venue, bool acknowledged = true) {
  InFlightOrder o(request(), kT0);
  auto check = [](const Result<OrderChange>& c) { EXPECT_TRUE(c) << c.error().describe(); };
  switch (state) {
    case OrderState::PendingCreate:
      break;
    case OrderState::Open:
      check(o.on_report(Venue::report(OrderState::Open), at(1)));
      break;
    case OrderState::PartiallyFilled:
      check(o.on_report(Venue::report(OrderState::Open), at(1)));
      check(o.on_fill(venue.fill("0.4"), at(2)));
      break;
    case OrderState::PendingCancel:
      if (acknowledged) check(o.on_report(Venue::report(OrderState::Open), at(1)));
      check(o.on_cancel_requested(at(2)));
      break;
    case OrderState::Filled:
      check(o.on_fill(venue.fill("1"), at(1)));
      break;
    case OrderState::Canceled:
      check(o.on_report(Venue::report(OrderState::Open), at(1)));
      check(o.on_report(Venue::report(OrderState::Canceled), at(2)));
      break;
    case OrderState::Expired:
      check(o.on_report(Venue::report(OrderState::Expired), at(1)));
      break;
    case OrderState::Failed:
      check(o.on_create_rejected(at(1)));
      break;
  }
  EXPECT_EQ(o.state(), state);
  return o;
}

// Asserts the input was accepted through table row `id` and left the order in `after`.
void expect_row(const Result<OrderChange>& change, std::string_view id, OrderState after) {
  ASSERT_TRUE(change) << change.error().describe();
  ASSERT_NE(change->row, nullptr);
  EXPECT_EQ(change->row->id, id);
  EXPECT_EQ(change->after, after) << to_string(change->after);
}

const OrderState kAllStates[] = {OrderState::PendingCreate, OrderState::Open,   OrderState::PartiallyFilled,
                                 OrderState::PendingCancel, OrderState::Filled, OrderState::Canceled,
                                 OrderState::Expired,       OrderState::Failed};

TEST(InFlightOrder, TransitionTableIsCompleteAndUnambiguous) {
  for (OrderState state : kAllStates) {
    for (std::size_t i = 0; i < kOrderInputCount; ++i) {
      const auto input = static_cast<OrderInput>(i);
      int matches = 0;
      for (const Transition& row : transition_table()) {
        if ((row.from & states_of(state)) && (row.inputs & inputs_of(input))) ++matches;
      }
      EXPECT_EQ(matches, 1) << to_string(state) << " x " << to_string(input);
    }
  }
}

TEST(InFlightOrder, TransitionRowsOnlyLeaveFinalStatesAlone) {
  for (const Transition& row : transition_table()) {
    if ((row.from & kFinalStates) != 0) {
      EXPECT_EQ(row.from & kLiveStates, 0) << row.id;
      EXPECT_TRUE(row.to == Target::Keep || row.to == Target::Refuse) << row.id;
    }
  }
}

// --- one test per row of the transition table (ids as in in_flight_order.cc and the docs)

TEST(InFlightOrder, C1_DefiniteRejectionFailsPendingOrder) {
  Venue v;
  InFlightOrder o = order_in(OrderState::PendingCreate, v);
  auto c = o.on_create_rejected(at(3));
  expect_row(c, "C1", OrderState::Failed);
  EXPECT_TRUE(c->became_final);
  EXPECT_FALSE(c->acknowledged_now);

  InFlightOrder cancelling = order_in(OrderState::PendingCancel, v, /*acknowledged=*/false);
  expect_row(cancelling.on_create_rejected(at(3)), "C1", OrderState::Failed);

  InFlightOrder reported = order_in(OrderState::PendingCreate, v);
  expect_row(reported.on_report(Venue::report(OrderState::Failed), at(3)), "C1", OrderState::Failed);
}

TEST(InFlightOrder, C2_RejectionAfterAcknowledgementIsAnAnomalyNotAFailure) {
  for (OrderState s : {OrderState::Open, OrderState::PartiallyFilled, OrderState::PendingCancel}) {
    Venue v;
    InFlightOrder o = order_in(s, v);
    expect_row(o.on_create_rejected(at(3)), "C2", s);
    EXPECT_EQ(o.anomalies(), 1u);
  }
}

TEST(InFlightOrder, C3_UnreachableRejectionOfRestingOrderKeepsState) {
  // Classification turns a rejection of an acknowledged order into RejectedAfterAck (C2); the row
  // exists so that the table is total.
  const Transition* row = find_transition(OrderState::Open, OrderInput::CreateRejected);
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->id, "C3");
  EXPECT_EQ(row->to, Target::Keep);
}

TEST(InFlightOrder, C4_AmbiguousCreateStaysPendingCreate) {
  Venue v;
  InFlightOrder o = order_in(OrderState::PendingCreate, v);
  expect_row(o.on_create_ambiguous(at(3)), "C4", OrderState::PendingCreate);
  EXPECT_TRUE(o.is_create_ambiguous());
  expect_row(o.on_report(Venue::report(OrderState::Open), at(4)), "A1", OrderState::Open);
  EXPECT_FALSE(o.is_create_ambiguous());
}

TEST(InFlightOrder, C5_AmbiguousCreateAnswerAfterAcknowledgementChangesNothing) {
  Venue v;
  InFlightOrder o = order_in(OrderState::Open, v);
  expect_row(o.on_create_ambiguous(at(3)), "C5", OrderState::Open);
  EXPECT_FALSE(o.is_create_ambiguous());
}

TEST(InFlightOrder, A1_AcknowledgementOpensPendingOrder) {
  Venue v;
  InFlightOrder o = order_in(OrderState::PendingCreate, v);
  auto c = o.on_report(Venue::report(OrderState::Open), at(3));
  expect_row(c, "A1", OrderState::Open);
  EXPECT_TRUE(c->acknowledged_now);
  EXPECT_EQ(o.exchange_order_id(), "42");  // learned later, from the report
}

TEST(InFlightOrder, A2_StaleOpenReportNeverUndoesFills) {
  Venue v;
  InFlightOrder o = order_in(OrderState::PartiallyFilled, v);
  auto c = o.on_report(Venue::report(OrderState::Open), at(3));
  expect_row(c, "A2", OrderState::PartiallyFilled);
  EXPECT_FALSE(c->acknowledged_now);

  // A PartiallyFilled report before its fill: stays Open until the fill arrives.
  InFlightOrder open = order_in(OrderState::Open, v);
  expect_row(open.on_report(Venue::report(OrderState::PartiallyFilled, "0.3"), at(3)), "A2",
             OrderState::Open);
  EXPECT_EQ(open.reported_filled(), Q("0.3"));
  EXPECT_TRUE(open.fills_owed());
}

TEST(InFlightOrder, A3_LateAcknowledgementWhilePendingCancelKeepsPendingCancel) {
  Venue v;
  InFlightOrder o = order_in(OrderState::PendingCancel, v, /*acknowledged=*/false);
  auto c = o.on_report(Venue::report(OrderState::Open), at(3));
  expect_row(c, "A3", OrderState::PendingCancel);
  EXPECT_TRUE(c->acknowledged_now);
}

TEST(InFlightOrder, F1_FillBeforeAcknowledgementBecomesPartiallyFilled) {
  Venue v;
  InFlightOrder o = order_in(OrderState::PendingCreate, v);
  auto c = o.on_fill(v.fill("0.25"), at(3));
  expect_row(c, "F1", OrderState::PartiallyFilled);
  EXPECT_TRUE(c->acknowledged_now);
  EXPECT_TRUE(c->fill_applied);
  for (OrderState s : {OrderState::Open, OrderState::PartiallyFilled}) {
    InFlightOrder resting = order_in(s, v);
    expect_row(resting.on_fill(v.fill("0.1"), at(3)), "F1", OrderState::PartiallyFilled);
  }
}

TEST(InFlightOrder, F1_FillWhilePendingCancelBecomesPartiallyFilled) {
  Venue v;
  InFlightOrder o = order_in(OrderState::PendingCancel, v);
  expect_row(o.on_fill(v.fill("0.5"), at(3)), "F1", OrderState::PartiallyFilled);
  EXPECT_TRUE(o.cancel_requested());  // the cancel is still out there
  expect_row(o.on_report(Venue::report(OrderState::Canceled, "0.5"), at(4)), "R2", OrderState::Canceled);
}

TEST(InFlightOrder, F2_CompletingFillFillsFromAnyLiveState) {
  for (OrderState s : {OrderState::PendingCreate, OrderState::Open, OrderState::PartiallyFilled,
                       OrderState::PendingCancel}) {
    Venue v;
    InFlightOrder o = order_in(s, v);
    auto c = o.on_fill(v.fill(s == OrderState::PartiallyFilled ? "0.6" : "1"), at(3));
    expect_row(c, "F2", OrderState::Filled);
    EXPECT_TRUE(c->became_final);
    EXPECT_EQ(o.filled(), Q("1"));
  }
}

TEST(InFlightOrder, F3_FillCoveringAwaitedCancelEndsCanceled) {
  Venue v;
  InFlightOrder o = order_in(OrderState::PendingCancel, v);
  expect_row(o.on_report(Venue::report(OrderState::Canceled, "0.3"), at(3)), "R5", OrderState::PendingCancel);
  ASSERT_EQ(o.awaited_final(), OrderState::Canceled);
  expect_row(o.on_fill(v.fill("0.1"), at(4)), "F1", OrderState::PartiallyFilled);
  auto c = o.on_fill(v.fill("0.2"), at(5));
  expect_row(c, "F3", OrderState::Canceled);
  EXPECT_TRUE(c->became_final);
  EXPECT_FALSE(o.awaited_final());
}

TEST(InFlightOrder, R1_UnreachableCoveredFilledReportOnLiveOrder) {
  // A Filled report claims the whole quantity; once fills cover it, F2 has already filled the order.
  const Transition* row = find_transition(OrderState::Open, OrderInput::ReportFilled);
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->id, "R1");
  EXPECT_EQ(row->to, Target::Filled);
}

TEST(InFlightOrder, R2_CancelConfirmedEndsCanceled) {
  for (OrderState s : {OrderState::PendingCreate, OrderState::Open, OrderState::PendingCancel}) {
    Venue v;
    InFlightOrder o = order_in(s, v);
    auto c = o.on_report(Venue::report(OrderState::Canceled), at(3));
    expect_row(c, "R2", OrderState::Canceled);
    EXPECT_TRUE(c->became_final);
    EXPECT_EQ(c->acknowledged_now, s == OrderState::PendingCreate);
  }
}

TEST(InFlightOrder, R3_ExchangeInitiatedExpiryEndsExpired) {
  Venue v;
  InFlightOrder ioc = order_in(OrderState::PendingCreate, v);
  expect_row(ioc.on_report(Venue::report(OrderState::Expired), at(3)), "R3", OrderState::Expired);
  InFlightOrder partial = order_in(OrderState::PartiallyFilled, v);
  expect_row(partial.on_report(Venue::report(OrderState::Expired, "0.4"), at(3)), "R3", OrderState::Expired);
}

TEST(InFlightOrder, R4_FilledReportWhilePendingCreateWaitsForFills) {
  Venue v;
  InFlightOrder o = order_in(OrderState::PendingCreate, v);
  auto c = o.on_report(Venue::report(OrderState::Filled, "1"), at(3));
  expect_row(c, "R4", OrderState::Open);
  EXPECT_TRUE(c->acknowledged_now);
  EXPECT_FALSE(c->became_final);
  EXPECT_EQ(o.awaited_final(), OrderState::Filled);
  EXPECT_EQ(o.awaited_since(), at(3));
  expect_row(o.on_fill(v.fill("0.5"), at(4)), "F1", OrderState::PartiallyFilled);
  expect_row(o.on_fill(v.fill("0.5"), at(5)), "F2", OrderState::Filled);
}

TEST(InFlightOrder, R5_UncoveredFinalReportKeepsLiveState) {
  Venue v;
  InFlightOrder o = order_in(OrderState::PartiallyFilled, v);
  expect_row(o.on_report(Venue::report(OrderState::Filled, "1"), at(3)), "R5", OrderState::PartiallyFilled);
  EXPECT_EQ(o.awaited_final(), OrderState::Filled);
  InFlightOrder open = order_in(OrderState::Open, v);
  expect_row(open.on_report(Venue::report(OrderState::Expired, "0.2"), at(3)), "R5", OrderState::Open);
}

TEST(InFlightOrder, X1_CancelRequestedBecomesPendingCancel) {
  for (OrderState s : {OrderState::PendingCreate, OrderState::Open, OrderState::PartiallyFilled}) {
    Venue v;
    InFlightOrder o = order_in(s, v);
    expect_row(o.on_cancel_requested(at(3)), "X1", OrderState::PendingCancel);
    EXPECT_EQ(o.cancel_requested_at(), at(3));
  }
}

TEST(InFlightOrder, X2_RepeatedCancelRequestStaysPendingCancel) {
  Venue v;
  InFlightOrder o = order_in(OrderState::PendingCancel, v);
  expect_row(o.on_cancel_requested(at(3)), "X2", OrderState::PendingCancel);
}

TEST(InFlightOrder, X3_CancelRejectedGoesBackToTheStateBefore) {
  Venue v;
  InFlightOrder open = order_in(OrderState::PendingCancel, v);
  expect_row(open.on_cancel_rejected(at(3)), "X3", OrderState::Open);
  EXPECT_FALSE(open.cancel_requested());

  InFlightOrder partial = order_in(OrderState::PartiallyFilled, v);
  ASSERT_TRUE(partial.on_cancel_requested(at(3)));
  expect_row(partial.on_cancel_rejected(at(4)), "X3", OrderState::PartiallyFilled);

  InFlightOrder pending = order_in(OrderState::PendingCancel, v, /*acknowledged=*/false);
  expect_row(pending.on_cancel_rejected(at(3)), "X3", OrderState::PendingCreate);
}

TEST(InFlightOrder, X4_CancelRejectedAfterAFillMovedOnKeepsState) {
  Venue v;
  InFlightOrder o = order_in(OrderState::PendingCancel, v);
  ASSERT_TRUE(o.on_fill(v.fill("0.3"), at(3)));
  expect_row(o.on_cancel_rejected(at(4)), "X4", OrderState::PartiallyFilled);
}

TEST(InFlightOrder, X5_AmbiguousCancelStaysPendingCancel) {
  Venue v;
  InFlightOrder o = order_in(OrderState::PendingCancel, v);
  expect_row(o.on_cancel_ambiguous(at(3)), "X5", OrderState::PendingCancel);
}

TEST(InFlightOrder, N1_NotFoundConfirmedFlagsLostAndLateFillsStillApply) {
  Venue v;
  InFlightOrder o = order_in(OrderState::Open, v);
  auto c = o.on_not_found_confirmed(at(3));
  expect_row(c, "N1", OrderState::Open);
  EXPECT_TRUE(c->became_lost);
  EXPECT_TRUE(o.is_lost());
  auto fill = o.on_fill(v.fill("0.2"), at(4));
  expect_row(fill, "F1", OrderState::PartiallyFilled);
  EXPECT_TRUE(fill->found_again);
  EXPECT_FALSE(o.is_lost());
}

TEST(InFlightOrder, W1_FillWaitOverEndsInAwaitedStateWithWhatItHas) {
  Venue v;
  InFlightOrder o = order_in(OrderState::PendingCancel, v);
  ASSERT_TRUE(o.on_report(Venue::report(OrderState::Canceled, "0.3"), at(3)));
  auto c = o.on_fill_wait_over(at(10));
  expect_row(c, "W1", OrderState::Canceled);
  EXPECT_TRUE(c->became_final);
  EXPECT_TRUE(o.fills_owed());
  // The owed fill still counts when it comes.
  auto late = o.on_fill(v.fill("0.3"), at(11));
  expect_row(late, "Z1", OrderState::Canceled);
  EXPECT_TRUE(late->fill_applied);
  EXPECT_FALSE(late->became_final);
}

TEST(InFlightOrder, Z1_LateFillOnFinalOrderIsMergedIntoTotals) {
  Venue v;
  InFlightOrder o = order_in(OrderState::Canceled, v);
  auto c = o.on_fill(v.fill("0.2", "101"), at(3));
  expect_row(c, "Z1", OrderState::Canceled);
  EXPECT_TRUE(c->fill_applied);
  EXPECT_EQ(o.filled(), Q("0.2"));
  EXPECT_EQ(o.average_price(), P("101"));
}

TEST(InFlightOrder, Z2_CancelOfFinalOrderIsRefused) {
  Venue v;
  InFlightOrder o = order_in(OrderState::Filled, v);
  auto c = o.on_cancel_requested(at(3));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(find_transition(OrderState::Filled, OrderInput::CancelRequested)->id, "Z2");
}

TEST(InFlightOrder, Z3_StaleReportsOnFinalOrdersAreMergedNotApplied) {
  Venue v;
  InFlightOrder o = order_in(OrderState::Canceled, v);
  auto c = o.on_report(Venue::report(OrderState::Open), at(3));
  expect_row(c, "Z3", OrderState::Canceled);
  EXPECT_FALSE(c->acknowledged_now);
  EXPECT_EQ(o.anomalies(), 0u);

  InFlightOrder failed = order_in(OrderState::Failed, v);
  auto contradiction = failed.on_report(Venue::report(OrderState::Open), at(3));
  expect_row(contradiction, "Z3", OrderState::Failed);
  EXPECT_FALSE(contradiction->acknowledged_now);  // no OrderCreated after OrderFailed
  EXPECT_EQ(failed.anomalies(), 1u);

  InFlightOrder expired = order_in(OrderState::Expired, v);
  expect_row(expired.on_not_found_confirmed(at(3)), "Z3", OrderState::Expired);
  EXPECT_FALSE(expired.is_lost());
}

// --- failure paths and late information

TEST(InFlightOrder, DuplicateTradeIdIsAppliedOnce) {
  Venue v;
  InFlightOrder o = order_in(OrderState::Open, v);
  const Fill f = v.fill("0.3");
  ASSERT_TRUE(o.on_fill(f, at(3))->fill_applied);
  auto again = o.on_fill(f, at(4));
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->fill_applied);
  EXPECT_EQ(again->row, nullptr);
  EXPECT_EQ(o.filled(), Q("0.3"));
  EXPECT_EQ(o.fill_count(), 1u);
}

TEST(InFlightOrder, OverfillIsRefusedAndFlagged) {
  Venue v;
  InFlightOrder o = order_in(OrderState::PartiallyFilled, v);
  auto c = o.on_fill(v.fill("0.7"), at(3));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), ErrorCode::Corrupt);
  EXPECT_EQ(o.filled(), Q("0.4"));
  EXPECT_EQ(o.anomalies(), 1u);

  auto report = o.on_report(Venue::report(OrderState::PartiallyFilled, "1.5"), at(4));
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code(), ErrorCode::Corrupt);
  EXPECT_EQ(o.reported_filled(), Q("0"));
  EXPECT_EQ(o.anomalies(), 2u);
}

TEST(InFlightOrder, FillOfAnotherSideOrSymbolIsRefused) {
  Venue v;
  InFlightOrder o = order_in(OrderState::Open, v);
  Fill sell = v.fill("0.1");
  sell.side = Side::Sell;
  EXPECT_EQ(o.on_fill(sell, at(3)).error().code(), ErrorCode::Corrupt);
  Fill eth = v.fill("0.1");
  eth.symbol = Symbol::truncating("ETHUSDT");
  EXPECT_EQ(o.on_fill(eth, at(3)).error().code(), ErrorCode::Corrupt);
  Fill nothing = v.fill("0.1");
  nothing.quantity = Quantity::zero();
  EXPECT_EQ(o.on_fill(nothing, at(3)).error().code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(o.filled(), Q("0"));
}

TEST(InFlightOrder, ConflictingExchangeOrderIdIsRefused) {
  Venue v;
  InFlightOrder o = order_in(OrderState::Open, v);
  OrderReport other = Venue::report(OrderState::Canceled);
  other.exchange_order_id = ExchangeOrderId::truncating("43");
  auto c = o.on_report(other, at(3));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code(), ErrorCode::Corrupt);
  EXPECT_EQ(o.state(), OrderState::Open);
  EXPECT_EQ(o.exchange_order_id(), "42");
}

TEST(InFlightOrder, ReportWithPendingStateIsInvalid) {
  Venue v;
  InFlightOrder o = order_in(OrderState::Open, v);
  EXPECT_EQ(o.on_report(Venue::report(OrderState::PendingCancel), at(3)).error().code(),
            ErrorCode::InvalidArgument);
}

TEST(InFlightOrder, FillWaitOverWithoutAwaitedReportIsInvalid) {
  Venue v;
  InFlightOrder o = order_in(OrderState::Open, v);
  EXPECT_EQ(o.on_fill_wait_over(at(3)).error().code(), ErrorCode::InvalidArgument);
}

TEST(InFlightOrder, TotalsAverageAndFeesByAsset) {
  Venue v;
  InFlightOrder o = order_in(OrderState::Open, v);
  Fill a = v.fill("0.25", "100");
  Fill b = v.fill("0.75", "104");
  b.fee = Fee{Asset::truncating("BNB"), Q("0.0002")};
  ASSERT_TRUE(o.on_fill(a, at(3)));
  ASSERT_TRUE(o.on_fill(b, at(4)));
  EXPECT_EQ(o.filled_quote(), *Notional::parse("103"));
  EXPECT_EQ(o.average_price(), P("103"));
  EXPECT_EQ(o.fees().amount_of(Asset::truncating("BTC")), Q("0.001"));
  EXPECT_EQ(o.fees().amount_of(Asset::truncating("BNB")), Q("0.0002"));
  EXPECT_EQ(o.state(), OrderState::Filled);
}

TEST(InFlightOrder, ManySmallFillsAreAllDeduplicated) {
  Venue v;
  InFlightOrder o = order_in(OrderState::Open, v);
  std::vector<Fill> fills;
  for (int i = 0; i < 20; ++i) fills.push_back(v.fill("0.05"));
  for (const Fill& f : fills) ASSERT_TRUE(o.on_fill(f, at(3))->fill_applied);
  for (const Fill& f : fills) ASSERT_FALSE(o.on_fill(f, at(4))->fill_applied);
  EXPECT_EQ(o.fill_count(), 20u);
  EXPECT_EQ(o.filled(), Q("1"));
  EXPECT_EQ(o.state(), OrderState::Filled);
}

TEST(InFlightOrder, AnySuccessfulWordFromVenueResetsNotFoundCount) {
  Venue v;
  InFlightOrder o = order_in(OrderState::Open, v);
  EXPECT_EQ(o.count_not_found(), 1u);
  EXPECT_EQ(o.count_not_found(), 2u);
  ASSERT_TRUE(o.on_report(Venue::report(OrderState::Open), at(3)));
  EXPECT_EQ(o.not_found_count(), 0u);
}

}  // namespace
}  // namespace colibri::model
