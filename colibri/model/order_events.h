#pragma once
// Order events: one struct per lifecycle fact, each carrying the order's side (DESIGN.md "Order
// lifecycle"). The connector's order tracker emits them; strategies, the recorder and remote control
// consume them. Hummingbot's names (BuyOrderCreated, SellOrderCompleted, OrderFailure, ...) are
// given by hummingbot_name() for what users see (logs, remote control), not as duplicate types.
//
// Per order, the tracker emits: at most one OrderCreated (the first word from the venue that the
// order exists), one OrderFilled per applied fill (also late fills after the end), and exactly one
// terminal event — OrderCompleted (filled), OrderCancelled, OrderExpired or OrderFailed — once the
// order ends. OrderLost is not terminal: the order is still watched and may still end normally.
//
// Value types. OrderFailed owns its message (a std::string: failures are off the hot path); the
// others are trivially copyable and never allocate.

#include <cstdint>
#include <string>
#include <string_view>

#include "colibri/core/decimal.h"
#include "colibri/core/result.h"
#include "colibri/core/time.h"
#include "colibri/model/fees.h"
#include "colibri/model/market_data.h"
#include "colibri/model/order.h"

namespace colibri::model {

// The venue accepted the order (Hummingbot: BuyOrderCreated / SellOrderCreated).
struct OrderCreated {
  ClientOrderId client_order_id{};
  ExchangeOrderId exchange_order_id{};  // empty when the venue has not told it yet
  Symbol symbol{};
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  Price price{};
  Quantity quantity{};
  Timestamp time = Timestamp::none();  // when the tracker learned it (Scheduler time)
};

// One fill applied to one of our orders (Hummingbot: OrderFilled).
struct OrderFilled {
  ClientOrderId client_order_id{};
  ExchangeOrderId exchange_order_id{};
  ExchangeTradeId trade_id{};
  Symbol symbol{};
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  Price price{};
  Quantity amount{};  // base asset
  Fee fee{};
  Liquidity liquidity = Liquidity::Maker;
  Timestamp time = Timestamp::none();  // exchange time of the trade (tracker time when unknown)
};

// The order was cancelled; what filled before stays filled (Hummingbot: OrderCancelled).
struct OrderCancelled {
  ClientOrderId client_order_id{};
  ExchangeOrderId exchange_order_id{};
  Symbol symbol{};
  Side side = Side::Buy;
  Quantity filled{};  // base filled before the cancel
  Timestamp time = Timestamp::none();
};

// The order filled completely (Hummingbot: BuyOrderCompleted / SellOrderCompleted).
struct OrderCompleted {
  ClientOrderId client_order_id{};
  ExchangeOrderId exchange_order_id{};
  Symbol symbol{};
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  Quantity base_amount{};   // base filled
  Notional quote_amount{};  // sum of price × quantity of the fills
  FeeTotals fees{};         // by asset
  Timestamp time = Timestamp::none();
};

// The venue definitely refused the order, or it was never sent (Hummingbot: OrderFailure).
struct OrderFailed {
  ClientOrderId client_order_id{};
  Symbol symbol{};
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  ErrorCode code = ErrorCode::Rejected;
  std::string message{};
  Timestamp time = Timestamp::none();
};

// The venue ended the order (IOC/FOK remainder, post-only, self-trade prevention) (Hummingbot:
// OrderExpired).
struct OrderExpired {
  ClientOrderId client_order_id{};
  ExchangeOrderId exchange_order_id{};
  Symbol symbol{};
  Side side = Side::Buy;
  Quantity filled{};  // base filled before it expired
  Timestamp time = Timestamp::none();
};

// The venue says, again and again, that it does not know the order. Not terminal: the order is still
// watched, still takes fills, and may still end normally. (Hummingbot reports such orders with
// OrderFailure and keeps them as "lost orders"; colibri keeps the two apart.)
struct OrderLost {
  ClientOrderId client_order_id{};
  ExchangeOrderId exchange_order_id{};
  Symbol symbol{};
  Side side = Side::Buy;
  Quantity filled{};
  Timestamp time = Timestamp::none();
};

enum class OrderEventKind : std::uint8_t { Created, Filled, Cancelled, Completed, Failed, Expired, Lost };

// Hummingbot's MarketEvent name of an event kind for a side: "BuyOrderCreated", "SellOrderCreated",
// "OrderFilled", "OrderCancelled", "BuyOrderCompleted", "SellOrderCompleted", "OrderFailure",
// "OrderExpired"; "OrderLost" (no Hummingbot equivalent, see OrderLost).
[[nodiscard]] std::string_view hummingbot_name(OrderEventKind kind, Side side) noexcept;

[[nodiscard]] inline std::string_view hummingbot_name(const OrderCreated& e) noexcept {
  return hummingbot_name(OrderEventKind::Created, e.side);
}
[[nodiscard]] inline std::string_view hummingbot_name(const OrderFilled& e) noexcept {
  return hummingbot_name(OrderEventKind::Filled, e.side);
}
[[nodiscard]] inline std::string_view hummingbot_name(const OrderCancelled& e) noexcept {
  return hummingbot_name(OrderEventKind::Cancelled, e.side);
}
[[nodiscard]] inline std::string_view hummingbot_name(const OrderCompleted& e) noexcept {
  return hummingbot_name(OrderEventKind::Completed, e.side);
}
[[nodiscard]] inline std::string_view hummingbot_name(const OrderFailed& e) noexcept {
  return hummingbot_name(OrderEventKind::Failed, e.side);
}
[[nodiscard]] inline std::string_view hummingbot_name(const OrderExpired& e) noexcept {
  return hummingbot_name(OrderEventKind::Expired, e.side);
}
[[nodiscard]] inline std::string_view hummingbot_name(const OrderLost& e) noexcept {
  return hummingbot_name(OrderEventKind::Lost, e.side);
}

// Where order events go (the tracker's output). Implementations forward to the EventBus, a strategy,
// the recorder. Called on the event-loop thread, synchronously, in lifecycle order; a sink must not
// call back into the tracker that emits to it.
class OrderEventSink {
 public:
  virtual ~OrderEventSink() = default;
  virtual void on_order_created(const OrderCreated& event) = 0;
  virtual void on_order_filled(const OrderFilled& event) = 0;
  virtual void on_order_cancelled(const OrderCancelled& event) = 0;
  virtual void on_order_completed(const OrderCompleted& event) = 0;
  virtual void on_order_failed(const OrderFailed& event) = 0;
  virtual void on_order_expired(const OrderExpired& event) = 0;
  virtual void on_order_lost(const OrderLost& event) = 0;
};

}  // namespace colibri::model
