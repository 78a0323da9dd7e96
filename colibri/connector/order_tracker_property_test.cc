// Property tests of OrderTracker: a consistent venue's information about a few orders is delivered
// duplicated, reordered and interleaved with our own cancels, "not found" answers, ambiguous
// answers and the passing of time. Whatever the order, the tracker must hold only possible states,
// apply each fill once, and end every order the venue ended with exactly one terminal event of the
// right kind.

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "colibri/connector/order_tracker.h"
#include "colibri/core/sim_scheduler.h"

namespace colibri::connector {
namespace {

using model::ClientOrderId;
using model::OrderState;

constexpr std::int64_t kLot = 1'000'000;     // 0.01 in raw units
constexpr std::int64_t kLotsPerOrder = 100;  // every order is for 1.00
enum class Outcome { Filled, Canceled, Expired, Rejected, Silent };

// What the venue really did with one order.
struct Truth {
  ClientOrderId id;
  Outcome outcome = Outcome::Silent;
  std::vector<model::Fill> fills;
};

enum class Step {
  PlaceOk,
  PlaceAmbiguous,
  PlaceRejected,
  ReportOpen,
  ReportPartial,
  Fill,
  FillsAnswer,
  FinalPush,
  FinalCancelAnswer,
  FinalQueryAnswer,
  NotFound,
  CancelRequest,
  CancelRefused,
  CancelAmbiguous,
  Tick
};
struct Event {
  Step step;
  std::size_t order;
  std::size_t fill = 0;  // Fill: which; ReportPartial/FillsAnswer: how many of the first fills
};

// Counts every event per client order id.
struct Counter final : model::OrderEventSink {
  struct PerOrder {
    int created = 0, filled = 0, terminal = 0, lost = 0;
    std::string terminal_kind;
    bool created_after_terminal = false;
    std::int64_t filled_raw = 0;
  };
  void on_order_created(const model::OrderCreated& e) override {
    auto& o = of[e.client_order_id.str()];
    ++o.created;
    if (o.terminal > 0) o.created_after_terminal = true;
  }
  void on_order_filled(const model::OrderFilled& e) override {
    auto& o = of[e.client_order_id.str()];
    ++o.filled;
    o.filled_raw += e.amount.raw();
  }
  void end(const ClientOrderId& id, const char* kind) {
    auto& o = of[id.str()];
    ++o.terminal;
    o.terminal_kind = kind;
  }
  void on_order_cancelled(const model::OrderCancelled& e) override { end(e.client_order_id, "cancelled"); }
  void on_order_completed(const model::OrderCompleted& e) override { end(e.client_order_id, "completed"); }
  void on_order_failed(const model::OrderFailed& e) override { end(e.client_order_id, "failed"); }
  void on_order_expired(const model::OrderExpired& e) override { end(e.client_order_id, "expired"); }
  void on_order_lost(const model::OrderLost& e) override { ++of[e.client_order_id.str()].lost; }
  std::map<std::string, PerOrder> of;
};

model::OrderRequest request_for(const ClientOrderId& id) {
  model::OrderRequest r;
  r.client_order_id = id;
  r.symbol = model::Symbol::truncating("BTCUSDT");
  r.side = model::Side::Sell;
  r.price = Price::from_int(100);
  r.quantity = Quantity::from_raw(kLotsPerOrder * kLot);
  return r;
}

model::OrderReport report_for(const Truth& t, OrderState state, std::size_t fills) {
  model::OrderReport r;
  r.client_order_id = t.id;
  r.exchange_order_id = model::ExchangeOrderId::truncating(fmt::format("ex-{}", t.id));
  r.symbol = model::Symbol::truncating("BTCUSDT");
  r.state = state;
  for (std::size_t i = 0; i < fills && i < t.fills.size(); ++i) r.cumulative_filled += t.fills[i].quantity;
  return r;
}

Truth make_truth(std::size_t index, std::mt19937& rng) {
  Truth t;
  t.id = ClientOrderId::truncating(fmt::format("o{}", index));
  t.outcome = static_cast<Outcome>(std::uniform_int_distribution<int>(0, 4)(rng));
  if (t.outcome == Outcome::Rejected) return t;
  // Lots to fill: all of them for Filled, fewer otherwise.
  std::int64_t lots = t.outcome == Outcome::Filled
                          ? kLotsPerOrder
                          : std::uniform_int_distribution<std::int64_t>(0, kLotsPerOrder - 1)(rng);
  std::size_t trade = 0;
  while (lots > 0) {
    const std::int64_t take = std::min(lots, std::uniform_int_distribution<std::int64_t>(1, 60)(rng));
    model::Fill f;
    f.client_order_id = t.id;
    f.exchange_order_id = model::ExchangeOrderId::truncating(fmt::format("ex-{}", t.id));
    f.trade_id = model::ExchangeTradeId::truncating(fmt::format("{}-t{}", t.id, trade++));
    f.symbol = model::Symbol::truncating("BTCUSDT");
    f.side = model::Side::Sell;
    f.price = Price::from_int(100 + static_cast<std::int64_t>(trade));
    f.quantity = Quantity::from_raw(take * kLot);
    f.fee = model::Fee{model::Asset::truncating("USDT"), Quantity::from_raw(take)};
    t.fills.push_back(f);
    lots -= take;
  }
  return t;
}

std::vector<Event> make_events(const std::vector<Truth>& truths, std::mt19937& rng) {
  std::vector<Event> events;
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  for (std::size_t o = 0; o < truths.size(); ++o) {
    const Truth& t = truths[o];
    for (int i = pick(5); i > 0; --i) events.push_back({Step::NotFound, o});
    for (int i = pick(3); i > 0; --i) events.push_back({Step::CancelRequest, o});
    for (int i = pick(2); i > 0; --i)
      events.push_back({pick(2) ? Step::CancelRefused : Step::CancelAmbiguous, o});
    for (int i = pick(3); i > 0; --i) events.push_back({Step::Tick, o});
    if (t.outcome == Outcome::Rejected) {
      events.push_back({Step::PlaceRejected, o});
      continue;
    }
    events.push_back({pick(3) ? Step::PlaceOk : Step::PlaceAmbiguous, o});
    for (int i = pick(3); i > 0; --i) events.push_back({Step::ReportOpen, o});
    for (std::size_t f = 0; f < t.fills.size(); ++f) {
      for (int copies = 1 + pick(3); copies > 0; --copies) events.push_back({Step::Fill, o, f});
      if (pick(3) == 0) events.push_back({Step::ReportPartial, o, f + 1});
    }
    for (int i = pick(3); i > 0; --i) {
      events.push_back(
          {Step::FillsAnswer, o, static_cast<std::size_t>(pick(static_cast<int>(t.fills.size()) + 1))});
    }
    if (t.outcome != Outcome::Silent) {
      for (int copies = 1 + pick(2); copies > 0; --copies) {
        const Step kinds[] = {Step::FinalPush, Step::FinalCancelAnswer, Step::FinalQueryAnswer};
        events.push_back({kinds[pick(3)], o});
      }
    }
  }
  std::shuffle(events.begin(), events.end(), rng);
  return events;
}

OrderState final_state(Outcome outcome) {
  switch (outcome) {
    case Outcome::Filled:
      return OrderState::Filled;
    case Outcome::Canceled:
      return OrderState::Canceled;
    case Outcome::Expired:
      return OrderState::Expired;
    default:
      return OrderState::Failed;
  }
}

const char* terminal_kind(Outcome outcome) {
  switch (outcome) {
    case Outcome::Filled:
      return "completed";
    case Outcome::Canceled:
      return "cancelled";
    case Outcome::Expired:
      return "expired";
    case Outcome::Rejected:
      return "failed";
    case Outcome::Silent:
      return "";
  }
  return "";
}

RC_GTEST_PROP(OrderTrackerProperty, ReorderedDuplicatedInformationKeepsEveryOrderConsistent, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint32_t>();
  const auto order_count = *rc::gen::inRange<std::size_t>(1, 4);
  std::mt19937 rng(seed);
  std::vector<Truth> truths;
  for (std::size_t i = 0; i < order_count; ++i) truths.push_back(make_truth(i, rng));
  const std::vector<Event> events = make_events(truths, rng);

  SimScheduler scheduler(Timestamp::from_ms(1'700'000'000'000));
  Counter counter;
  OrderTrackerConfig config;
  config.finished_ttl = std::chrono::hours(1);
  OrderTracker tracker(scheduler, counter, config);
  for (const Truth& t : truths) RC_ASSERT(tracker.start_tracking(request_for(t.id)).has_value());

  std::vector<std::set<std::string>> delivered(truths.size());  // unique trade ids handed over
  std::vector<std::int64_t> delivered_raw(truths.size(), 0);
  std::vector<std::optional<OrderState>> final_seen(truths.size());
  auto deliver = [&](std::size_t o, const model::Fill& f) {
    if (delivered[o].insert(f.trade_id.str()).second) delivered_raw[o] += f.quantity.raw();
  };

  auto check = [&] {
    std::uint64_t ended_short = 0;  // final orders still owed fills: only fill_wait_max ends those
    for (std::size_t o = 0; o < truths.size(); ++o) {
      const model::InFlightOrder* order = tracker.find(truths[o].id);
      RC_ASSERT(order != nullptr);
      RC_ASSERT(order->filled() <= order->quantity());
      RC_ASSERT(order->filled().raw() == delivered_raw[o]);  // each unique fill applied exactly once
      RC_ASSERT(order->fill_count() == delivered[o].size());
      if (final_seen[o]) RC_ASSERT(order->state() == *final_seen[o]);  // final never leaves final
      if (order->is_final()) final_seen[o] = order->state();
      RC_ASSERT(!(order->is_lost() && order->is_final()));
      const auto& seen = counter.of[truths[o].id.str()];
      RC_ASSERT(seen.created <= 1);
      RC_ASSERT(seen.terminal <= 1);
      RC_ASSERT(!seen.created_after_terminal);
      RC_ASSERT(seen.filled == static_cast<int>(delivered[o].size()));
      RC_ASSERT(seen.filled_raw == delivered_raw[o]);
      RC_ASSERT(seen.terminal == (order->is_final() ? 1 : 0));
      if (order->is_final() && order->fills_owed()) ++ended_short;
    }
    RC_ASSERT(tracker.stats().fills_short >= ended_short);
  };

  for (const Event& e : events) {
    const Truth& t = truths[e.order];
    const OrderState end = final_state(t.outcome);
    switch (e.step) {
      case Step::PlaceOk:
        RC_ASSERT(tracker.on_place_result(t.id, report_for(t, OrderState::Open, 0)).has_value());
        break;
      case Step::PlaceAmbiguous:
        RC_ASSERT(tracker.on_place_result(t.id, fail(ErrorCode::Ambiguous, "timeout")).has_value());
        break;
      case Step::PlaceRejected:
        RC_ASSERT(tracker.on_place_result(t.id, fail(ErrorCode::Rejected, "-2010")).has_value());
        break;
      case Step::ReportOpen:
        RC_ASSERT(tracker.on_order_report(report_for(t, OrderState::Open, 0)).has_value());
        break;
      case Step::ReportPartial:
        RC_ASSERT(tracker.on_order_report(report_for(t, OrderState::PartiallyFilled, e.fill)).has_value());
        break;
      case Step::Fill:
        deliver(e.order, t.fills[e.fill]);
        RC_ASSERT(tracker.on_fill(t.fills[e.fill]).has_value());
        break;
      case Step::FillsAnswer: {
        const std::span<const model::Fill> answer(t.fills.data(), e.fill);
        for (const model::Fill& f : answer) deliver(e.order, f);
        RC_ASSERT(tracker.on_fills_query_result(t.id, answer).has_value());
        break;
      }
      case Step::FinalPush:
        RC_ASSERT(tracker.on_order_report(report_for(t, end, t.fills.size())).has_value());
        break;
      case Step::FinalCancelAnswer:
        RC_ASSERT(tracker.on_cancel_result(t.id, report_for(t, end, t.fills.size())).has_value());
        break;
      case Step::FinalQueryAnswer:
        RC_ASSERT(tracker.on_order_query_result(t.id, report_for(t, end, t.fills.size())).has_value());
        break;
      case Step::NotFound:
        RC_ASSERT(tracker.on_order_query_result(t.id, fail(ErrorCode::NotFound, "-2013")).has_value());
        break;
      case Step::CancelRequest: {
        auto r = tracker.cancel_requested(t.id);
        RC_ASSERT(r.has_value() == tracker.find(t.id)->is_live());
        break;
      }
      case Step::CancelRefused:
        RC_ASSERT(tracker.on_cancel_result(t.id, fail(ErrorCode::RateLimited, "429")).has_value());
        break;
      case Step::CancelAmbiguous:
        RC_ASSERT(tracker.on_cancel_result(t.id, fail(ErrorCode::Ambiguous, "502")).has_value());
        break;
      case Step::Tick:
        scheduler.advance_by(std::chrono::seconds(25));
        tracker.poll();
        (void)tracker.orders_to_query();
        (void)tracker.fills_to_query();
        break;
    }
    check();
  }

  // Everything delivered; let any fill wait run out.
  scheduler.advance_by(config.fill_wait_max);
  tracker.poll();
  check();
  RC_ASSERT(tracker.stats().refused_inputs == 0u);
  for (std::size_t o = 0; o < truths.size(); ++o) {
    const Truth& t = truths[o];
    const model::InFlightOrder* order = tracker.find(t.id);
    const auto& seen = counter.of[t.id.str()];
    RC_ASSERT(order->anomalies() == 0u);
    if (t.outcome == Outcome::Silent) {
      RC_ASSERT(order->is_live());
      RC_ASSERT(seen.terminal == 0);
    } else {
      RC_ASSERT(order->state() == final_state(t.outcome));
      RC_ASSERT(seen.terminal == 1);
      RC_ASSERT(seen.terminal_kind == std::string(terminal_kind(t.outcome)));
      RC_ASSERT(seen.created == (t.outcome == Outcome::Rejected ? 0 : 1));
    }
  }
}

// A fill delivered any number of times, through any path, counts once; the sum of applied fills
// equals the sum of the distinct fills.
RC_GTEST_PROP(OrderTrackerProperty, FillsAreAppliedOnceWhateverTheRepetition, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint32_t>();
  std::mt19937 rng(seed);
  Truth t = make_truth(0, rng);
  if (t.outcome == Outcome::Rejected) t = Truth{ClientOrderId::truncating("o0"), Outcome::Silent, {}};
  SimScheduler scheduler;
  Counter counter;
  OrderTracker tracker(scheduler, counter);
  RC_ASSERT(tracker.start_tracking(request_for(t.id)).has_value());
  const auto deliveries = *rc::gen::container<std::vector<std::size_t>>(rc::gen::inRange<std::size_t>(0, 64));
  std::set<std::size_t> distinct;
  std::int64_t expected = 0;
  for (std::size_t d : deliveries) {
    if (t.fills.empty()) break;
    const std::size_t f = d % t.fills.size();
    if (distinct.insert(f).second) expected += t.fills[f].quantity.raw();
    if (d % 2 == 0) {
      RC_ASSERT(tracker.on_fill(t.fills[f]).has_value());
    } else {
      RC_ASSERT(
          tracker.on_fills_query_result(t.id, std::span<const model::Fill>(&t.fills[f], 1)).has_value());
    }
  }
  RC_ASSERT(tracker.find(t.id)->filled().raw() == expected);
  RC_ASSERT(counter.of[t.id.str()].filled == static_cast<int>(distinct.size()));
}

}  // namespace
}  // namespace colibri::connector
