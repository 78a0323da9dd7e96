#pragma once
// Connector: what a strategy sees of one exchange account (Hummingbot's ConnectorBase). The same
// interface in backtest, paper and live (DESIGN.md decision 4): a strategy cannot tell which.
//
// Orders: buy() and sell() quantize the request through the market's TradingRules (bids round
// down, asks round up, sizes round down), check it, and return the new client order id at once;
// the order is tracked from that moment (DESIGN.md promise 1) and its life is told by events on
// events(): OrderCreated, OrderFilled, OrderCancelled, OrderCompleted, OrderFailed, OrderExpired,
// OrderLost. A request that cannot be placed (not ready, unknown market, below the minimum size or
// notional, not covered by the available balance) returns an error and nothing is sent.
//
// Not thread-safe: every call on the bot's event-loop thread.

#include <functional>
#include <string_view>
#include <vector>

#include "colibri/core/event_bus.h"
#include "colibri/core/result.h"
#include "colibri/model/fees.h"
#include "colibri/model/in_flight_order.h"
#include "colibri/model/order.h"
#include "colibri/model/order_book.h"
#include "colibri/model/trading_rules.h"

namespace colibri::connector {

// The outcome of cancel_all() for one order (Hummingbot's CancellationResult).
struct CancellationResult {
  model::ClientOrderId client_order_id;
  bool success = false;  // the order reached a final state before the timeout
};

class Connector {
 public:
  virtual ~Connector() = default;

  [[nodiscard]] virtual std::string_view name() const = 0;
  // Trading rules and balances known, connected, and every subscribed book in sync.
  [[nodiscard]] virtual bool ready() const = 0;
  // Null for a market this connector does not trade.
  [[nodiscard]] virtual const model::TradingRules* trading_rules(const model::Symbol& symbol) const = 0;
  // The market's book; null when unknown or not in sync (never priced from a stale book).
  [[nodiscard]] virtual const model::OrderBook* order_book(const model::Symbol& symbol) const = 0;

  // Balances as the exchange reported them, and what is free for new orders (the exchange's
  // available amount less what our not-yet-acknowledged orders will lock).
  [[nodiscard]] virtual Quantity total_balance(const model::Asset& asset) const = 0;
  [[nodiscard]] virtual Quantity available_balance(const model::Asset& asset) const = 0;

  // Places an order; the price is ignored for Market orders. Returns its client order id.
  virtual Result<model::ClientOrderId> buy(const model::Symbol& symbol, Quantity amount, model::OrderType type,
                                           Price price) = 0;
  virtual Result<model::ClientOrderId> sell(const model::Symbol& symbol, Quantity amount, model::OrderType type,
                                            Price price) = 0;
  // Requests a cancel. NotFound for an unknown order; InvalidArgument when it has already ended.
  virtual Result<void> cancel(const model::Symbol& symbol, const model::ClientOrderId& id) = 0;
  // Cancels every open order and calls `done` once all have ended or `timeout` has passed.
  virtual void cancel_all(Duration timeout, std::function<void(std::vector<CancellationResult>)> done) = 0;

  // Orders not yet final (lost ones included).
  [[nodiscard]] virtual std::vector<const model::InFlightOrder*> open_orders() const = 0;
  [[nodiscard]] virtual const model::InFlightOrder* order(const model::ClientOrderId& id) const = 0;
  // The fee a fill would pay.
  [[nodiscard]] virtual model::Fee estimate_fee(const model::Symbol& symbol, model::Side side, Price price,
                                                Quantity amount, model::Liquidity liquidity) const = 0;

  // Order events, and market events (book updates, public trades) of subscribed markets.
  [[nodiscard]] virtual EventBus& events() = 0;
};

}  // namespace colibri::connector
