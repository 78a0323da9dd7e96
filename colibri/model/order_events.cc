#include "colibri/model/order_events.h"

namespace colibri::model {

std::string_view hummingbot_name(OrderEventKind kind, Side side) noexcept {
  const bool buy = side == Side::Buy;
  switch (kind) {
    case OrderEventKind::Created:
      return buy ? "BuyOrderCreated" : "SellOrderCreated";
    case OrderEventKind::Filled:
      return "OrderFilled";
    case OrderEventKind::Cancelled:
      return "OrderCancelled";
    case OrderEventKind::Completed:
      return buy ? "BuyOrderCompleted" : "SellOrderCompleted";
    case OrderEventKind::Failed:
      return "OrderFailure";
    case OrderEventKind::Expired:
      return "OrderExpired";
    case OrderEventKind::Lost:
      return "OrderLost";
  }
  return "Unknown";
}

}  // namespace colibri::model
