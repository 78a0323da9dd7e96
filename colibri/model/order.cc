#include "colibri/model/order.h"

namespace colibri::model {

std::string_view to_string(OrderType type) noexcept {
  switch (type) {
    case OrderType::Limit: return "LIMIT";
    case OrderType::LimitMaker: return "LIMIT_MAKER";
    case OrderType::Market: return "MARKET";
  }
  return "UNKNOWN";
}

std::string_view to_string(TimeInForce tif) noexcept {
  switch (tif) {
    case TimeInForce::GoodTillCancel: return "GTC";
    case TimeInForce::ImmediateOrCancel: return "IOC";
    case TimeInForce::FillOrKill: return "FOK";
  }
  return "UNKNOWN";
}

std::string_view to_string(Liquidity liquidity) noexcept { return liquidity == Liquidity::Maker ? "maker" : "taker"; }

std::string_view to_string(OrderState state) noexcept {
  switch (state) {
    case OrderState::PendingCreate: return "PENDING_CREATE";
    case OrderState::Open: return "OPEN";
    case OrderState::PartiallyFilled: return "PARTIALLY_FILLED";
    case OrderState::PendingCancel: return "PENDING_CANCEL";
    case OrderState::Filled: return "FILLED";
    case OrderState::Canceled: return "CANCELED";
    case OrderState::Expired: return "EXPIRED";
    case OrderState::Failed: return "FAILED";
  }
  return "UNKNOWN";
}

}  // namespace colibri::model
