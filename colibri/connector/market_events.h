#pragma once
// Market events a connector publishes on its EventBus for the markets it follows (order events are
// the model's: model/order_events.h).

#include "colibri/model/book_sync.h"
#include "colibri/model/market_data.h"
#include "colibri/model/order.h"

namespace colibri::connector {

// The market's book changed (a snapshot or a diff was applied) and is in sync.
struct OrderBookUpdated {
  model::Symbol symbol;
  Timestamp time = Timestamp::none();  // local time of the update
};

// The market's book went out of sync (gap, crossed book): stop quoting on it.
struct OrderBookOutOfSync {
  model::Symbol symbol;
  model::OutOfSyncReason reason = model::OutOfSyncReason::None;
};

// A public trade on the market (Hummingbot: OrderBookTradeEvent).
struct PublicTradeEvent {
  model::Symbol symbol;
  model::PublicTrade trade;
};

}  // namespace colibri::connector
