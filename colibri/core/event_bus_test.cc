#include "colibri/core/event_bus.h"

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "colibri/core/test_allocations.h"

namespace colibri {
namespace {

struct OrderFilled {
  int order = 0;
};
struct OrderCancelled {
  int order = 0;
};
struct BookChanged {};

TEST(EventBus, DeliversToListenersOfThatTypeInSubscriptionOrder) {
  EventBus bus;
  std::vector<std::string> calls;
  Subscription a = bus.subscribe<OrderFilled>(
      [&](const OrderFilled& e) { calls.push_back("a" + std::to_string(e.order)); });
  Subscription b = bus.subscribe<OrderFilled>(
      [&](const OrderFilled& e) { calls.push_back("b" + std::to_string(e.order)); });
  Subscription c =
      bus.subscribe<OrderCancelled>([&](const OrderCancelled&) { calls.push_back("cancelled"); });
  bus.publish(OrderFilled{7});
  bus.publish(BookChanged{});  // nobody listens: nothing happens
  EXPECT_EQ(calls, (std::vector<std::string>{"a7", "b7"}));
  EXPECT_EQ(bus.listener_count<OrderFilled>(), 2u);
  EXPECT_EQ(bus.listener_count<BookChanged>(), 0u);
}

TEST(EventBus, BusesAreIndependent) {
  EventBus first, second;
  int calls = 0;
  Subscription sub = first.subscribe<OrderFilled>([&](const OrderFilled&) { ++calls; });
  second.publish(OrderFilled{});
  EXPECT_EQ(calls, 0);
  first.publish(OrderFilled{});
  EXPECT_EQ(calls, 1);
}

TEST(EventBus, DestroyingOrResettingTheSubscriptionUnsubscribes) {
  EventBus bus;
  int calls = 0;
  {
    Subscription scoped = bus.subscribe<OrderFilled>([&](const OrderFilled&) { ++calls; });
    bus.publish(OrderFilled{});
  }
  bus.publish(OrderFilled{});
  EXPECT_EQ(calls, 1);

  Subscription sub = bus.subscribe<OrderFilled>([&](const OrderFilled&) { ++calls; });
  EXPECT_TRUE(sub.active());
  sub.reset();
  sub.reset();  // idempotent
  EXPECT_FALSE(sub.active());
  bus.publish(OrderFilled{});
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(bus.listener_count<OrderFilled>(), 0u);
}

TEST(EventBus, MovedSubscriptionKeepsTheListener) {
  EventBus bus;
  int calls = 0;
  Subscription moved_to;
  {
    Subscription original = bus.subscribe<OrderFilled>([&](const OrderFilled&) { ++calls; });
    moved_to = std::move(original);
  }
  bus.publish(OrderFilled{});
  EXPECT_EQ(calls, 1);
  Subscription other = bus.subscribe<OrderFilled>([&](const OrderFilled&) { calls += 10; });
  moved_to = std::move(other);  // the first listener goes, the second stays
  bus.publish(OrderFilled{});
  EXPECT_EQ(calls, 11);
  EXPECT_EQ(bus.listener_count<OrderFilled>(), 1u);
}

TEST(EventBus, ListenerUnsubscribingItselfDuringDispatchIsNotCalledAgain) {
  EventBus bus;
  std::vector<std::string> calls;
  Subscription once;
  once = bus.subscribe<OrderFilled>([&](const OrderFilled&) {
    calls.push_back("once");
    once.reset();  // destroys nothing that is running: the callable lives until the dispatch ends
    calls.push_back("still alive");
  });
  Subscription always = bus.subscribe<OrderFilled>([&](const OrderFilled&) { calls.push_back("always"); });
  bus.publish(OrderFilled{});
  bus.publish(OrderFilled{});
  EXPECT_EQ(calls, (std::vector<std::string>{"once", "still alive", "always", "always"}));
}

TEST(EventBus, ListenerRemovedByAnotherDuringDispatchIsNotCalledInThatDispatch) {
  EventBus bus;
  std::vector<std::string> calls;
  Subscription later;
  Subscription remover = bus.subscribe<OrderFilled>([&](const OrderFilled&) {
    calls.push_back("remover");
    later.reset();
  });
  later = bus.subscribe<OrderFilled>([&](const OrderFilled&) { calls.push_back("later"); });
  bus.publish(OrderFilled{});
  EXPECT_EQ(calls, std::vector<std::string>{"remover"});
  EXPECT_EQ(bus.listener_count<OrderFilled>(), 1u);
}

TEST(EventBus, ListenerAddedDuringDispatchIsCalledFromTheNextPublish) {
  EventBus bus;
  std::vector<std::string> calls;
  std::vector<Subscription> added;
  Subscription adder = bus.subscribe<OrderFilled>([&](const OrderFilled& e) {
    calls.push_back("adder" + std::to_string(e.order));
    if (added.empty()) {
      added.push_back(bus.subscribe<OrderFilled>(
          [&](const OrderFilled& f) { calls.push_back("new" + std::to_string(f.order)); }));
      EXPECT_EQ(bus.listener_count<OrderFilled>(), 2u);
    }
  });
  bus.publish(OrderFilled{1});
  bus.publish(OrderFilled{2});
  EXPECT_EQ(calls, (std::vector<std::string>{"adder1", "adder2", "new2"}));
}

TEST(EventBus, ListenerAddedAndRemovedWithinOneDispatchIsNeverCalled) {
  EventBus bus;
  int calls = 0;
  Subscription outer = bus.subscribe<OrderFilled>([&](const OrderFilled&) {
    Subscription temporary = bus.subscribe<OrderFilled>([&](const OrderFilled&) { ++calls; });
  });
  bus.publish(OrderFilled{});
  bus.publish(OrderFilled{});
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(bus.listener_count<OrderFilled>(), 1u);
}

TEST(EventBus, ListenerMayPublishAnotherEventWhichIsDispatchedAtOnce) {
  EventBus bus;
  std::vector<std::string> calls;
  Subscription on_fill = bus.subscribe<OrderFilled>([&](const OrderFilled& e) {
    calls.push_back("fill" + std::to_string(e.order));
    bus.publish(OrderCancelled{e.order});
    calls.push_back("fill done");
  });
  Subscription on_cancel = bus.subscribe<OrderCancelled>(
      [&](const OrderCancelled& e) { calls.push_back("cancel" + std::to_string(e.order)); });
  Subscription second_fill_listener =
      bus.subscribe<OrderFilled>([&](const OrderFilled&) { calls.push_back("fill 2nd"); });
  bus.publish(OrderFilled{3});
  EXPECT_EQ(calls, (std::vector<std::string>{"fill3", "cancel3", "fill done", "fill 2nd"}));
}

TEST(EventBus, ListenerMayPublishTheSameEventTypeAgain) {
  EventBus bus;
  std::vector<int> seen;
  Subscription sub;
  sub = bus.subscribe<OrderFilled>([&](const OrderFilled& e) {
    seen.push_back(e.order);
    if (e.order < 3) bus.publish(OrderFilled{e.order + 1});
    if (e.order == 2) sub.reset();  // removed inside a nested dispatch
  });
  Subscription tail =
      bus.subscribe<OrderFilled>([&](const OrderFilled& e) { seen.push_back(100 + e.order); });
  bus.publish(OrderFilled{1});
  // 1 → [2 → [3 → 103], removes itself → 102] → 101: each nested dispatch completes first.
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3, 103, 102, 101}));
  bus.publish(OrderFilled{1});
  EXPECT_EQ(seen.back(), 101);
  EXPECT_EQ(bus.listener_count<OrderFilled>(), 1u);
}

TEST(EventBus, PublishDoesNotAllocate) {
  EventBus bus;
  std::int64_t total = 0;
  std::array<std::int64_t, 8> big_capture{1};  // stored on the heap by std::function, at subscribe time
  Subscription a = bus.subscribe<OrderFilled>(
      [&total, big_capture](const OrderFilled& e) { total += e.order + big_capture[0]; });
  Subscription b = bus.subscribe<OrderFilled>([&total](const OrderFilled& e) { total += e.order; });
  Subscription c =
      bus.subscribe<OrderCancelled>([&](const OrderCancelled& e) { bus.publish(OrderFilled{e.order}); });
  const std::size_t before = testing::allocations_on_this_thread();
  for (int i = 0; i < 1'000; ++i) {
    bus.publish(OrderFilled{i});
    bus.publish(OrderCancelled{i});
    bus.publish(BookChanged{});
  }
  EXPECT_EQ(testing::allocations_on_this_thread(), before);
  EXPECT_GT(total, 0);
  // The counter itself works: subscribing does allocate.
  Subscription d = bus.subscribe<OrderFilled>([big_capture](const OrderFilled&) { (void)big_capture; });
  EXPECT_GT(testing::allocations_on_this_thread(), before);
}

TEST(EventBus, ThrowingListenerLeavesTheBusConsistent) {
  EventBus bus;
  std::vector<std::string> calls;
  std::optional<Subscription> added;
  Subscription thrower = bus.subscribe<OrderFilled>([&](const OrderFilled& e) {
    if (!added) added = bus.subscribe<OrderFilled>([&](const OrderFilled&) { calls.push_back("added"); });
    if (e.order == 1) throw std::runtime_error("listener bug");
  });
  EXPECT_THROW(bus.publish(OrderFilled{1}), std::runtime_error);
  bus.publish(OrderFilled{2});
  EXPECT_EQ(calls, std::vector<std::string>{"added"});
}

}  // namespace
}  // namespace colibri
