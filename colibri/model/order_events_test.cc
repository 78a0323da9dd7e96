#include "colibri/model/order_events.h"

#include <gtest/gtest.h>

namespace colibri::model {
namespace {

TEST(OrderEvents, HummingbotNamesCarryTheSideWhereHummingbotDoes) {
  EXPECT_EQ(hummingbot_name(OrderCreated{.side = Side::Buy}), "BuyOrderCreated");
  EXPECT_EQ(hummingbot_name(OrderCreated{.side = Side::Sell}), "SellOrderCreated");
  EXPECT_EQ(hummingbot_name(OrderCompleted{.side = Side::Buy}), "BuyOrderCompleted");
  EXPECT_EQ(hummingbot_name(OrderCompleted{.side = Side::Sell}), "SellOrderCompleted");
  EXPECT_EQ(hummingbot_name(OrderFilled{.side = Side::Sell}), "OrderFilled");
  EXPECT_EQ(hummingbot_name(OrderCancelled{.side = Side::Buy}), "OrderCancelled");
  EXPECT_EQ(hummingbot_name(OrderFailed{.side = Side::Sell}), "OrderFailure");
  EXPECT_EQ(hummingbot_name(OrderExpired{.side = Side::Buy}), "OrderExpired");
  EXPECT_EQ(hummingbot_name(OrderLost{.side = Side::Buy}), "OrderLost");
}

}  // namespace
}  // namespace colibri::model
