#pragma once
// Order vocabulary shared by strategies, connectors, the simulated exchange and the store:
// identifiers, order requests, exchange reports about orders, fills and balances.
// The order state machine itself (InFlightOrder) is in in_flight_order.h.
//
// Identifiers are FixedStrings (inline, no allocation) so that an order travels the hot path
// without touching the heap.

#include <cstdint>
#include <string_view>

#include "colibri/core/decimal.h"
#include "colibri/core/fixed_string.h"
#include "colibri/core/time.h"
#include "colibri/model/market_data.h"

namespace colibri::model {

using Symbol = FixedString<24>;          // venue symbol, e.g. "BTCUSDT", "BTCUSD_PERP"
using Asset = FixedString<12>;           // asset code, e.g. "BTC", "USDT", "BNB"
using ClientOrderId = FixedString<36>;   // ours, unique forever (Binance newClientOrderId: <= 36)
using ExchangeOrderId = FixedString<24>; // the venue's (Binance: a 64-bit integer as text)
using ExchangeTradeId = FixedString<24>; // the venue's trade id: fills are deduplicated by it

enum class OrderType : std::uint8_t {
  Limit,       // rests on the book (GTC) unless time in force says otherwise
  LimitMaker,  // post-only: rejected (Binance -2010) if it would take liquidity
  Market,      // takes liquidity at once; price is ignored
};

enum class TimeInForce : std::uint8_t {
  GoodTillCancel,
  ImmediateOrCancel,  // what cannot fill at once expires
  FillOrKill,         // fills whole at once or expires
};

// Which side of a fill we were.
enum class Liquidity : std::uint8_t { Maker, Taker };

// The states of DESIGN.md "Order lifecycle". Final: Filled, Canceled, Expired, Failed.
enum class OrderState : std::uint8_t {
  PendingCreate,    // tracked, request sent or about to be; the venue has not confirmed
  Open,             // acknowledged, nothing filled
  PartiallyFilled,  // acknowledged, part filled
  PendingCancel,    // cancel requested, not confirmed
  Filled,
  Canceled,
  Expired,          // ended by the venue (IOC/FOK remainder, post-only, self-trade prevention)
  Failed,           // definitely rejected at creation
};

[[nodiscard]] constexpr bool is_final(OrderState s) noexcept {
  return s == OrderState::Filled || s == OrderState::Canceled || s == OrderState::Expired || s == OrderState::Failed;
}

[[nodiscard]] std::string_view to_string(OrderType type) noexcept;
[[nodiscard]] std::string_view to_string(TimeInForce tif) noexcept;
[[nodiscard]] std::string_view to_string(Liquidity liquidity) noexcept;
[[nodiscard]] std::string_view to_string(OrderState state) noexcept;

// What a strategy asks a connector to place, after quantizing (TradingRules).
struct OrderRequest {
  ClientOrderId client_order_id;
  Symbol symbol;
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  TimeInForce time_in_force = TimeInForce::GoodTillCancel;
  Price price;        // zero for market orders
  Quantity quantity;  // base asset
};

// A fee charged on a fill: an amount of one asset.
struct Fee {
  Asset asset;
  Quantity amount;
  friend bool operator==(const Fee&, const Fee&) = default;
};

// One execution of one of our orders.
struct Fill {
  ClientOrderId client_order_id;
  ExchangeOrderId exchange_order_id;
  ExchangeTradeId trade_id;  // unique per venue and symbol
  Symbol symbol;
  Side side = Side::Buy;
  Price price;
  Quantity quantity;  // base asset
  Fee fee;
  Liquidity liquidity = Liquidity::Maker;
  Timestamp time = Timestamp::none();  // exchange time of the trade
};

// The venue's word on an order (a REST answer or a user-stream update). Cumulative, so later
// reports supersede earlier ones; fills are reported separately (Fill), possibly later.
struct OrderReport {
  ClientOrderId client_order_id;
  ExchangeOrderId exchange_order_id;
  Symbol symbol;
  OrderState state = OrderState::Open;  // as the venue says: Open, PartiallyFilled, Filled, Canceled, Expired, Failed
  Quantity cumulative_filled;           // base filled so far according to the venue
  Timestamp time = Timestamp::none();   // exchange time of the report
};

// Total and free amount of one asset in an account.
struct Balance {
  Asset asset;
  Quantity total;
  Quantity available;
  friend bool operator==(const Balance&, const Balance&) = default;
};

}  // namespace colibri::model
