#pragma once
// ExchangeApi: the small, venue-specific half of a connector (DESIGN.md decisions 4 and 6).
// ExchangeBase (everything generic: order tracking, events, budget, throttling, quantizing) sits
// on top of one; the simulated exchange (connector/sim) and Binance (connector/binance)
// implement it. A strategy never sees this interface.
//
// Asynchronous and allocation-free by design: a request returns at once and its answer arrives
// later as exactly one call on the ExchangeApiListener, on the bot's event-loop thread (never
// from inside the request call itself, so the caller's state is consistent when it arrives).
// Pushed information (the venue's user stream and market data) arrives on the same listener, in
// any order relative to answers, possibly duplicated, reordered or late: the listener merges it.
//
// Errors of requests (Result's error code):
//   Rejected      the venue definitely refused (Binance -2010, -1013, filters): nothing exists
//   NotFound      the venue does not know the order (Binance -2011, -2013): count and confirm
//   Ambiguous     the outcome is unknown (timeout, HTTP 5xx, -1006, -1007, disconnect mid-request):
//                 the order may or may not exist; query before resending
//   RateLimited   refused for rate; on_rate_limited() says until when nothing may be sent
//   Disconnected  not executed (transport down, or a definite rejection for a retryable reason such
//                 as Binance -1021 after the clock was resynchronised): safe to resend with the
//                 same client order id (DESIGN.md promise 2; ExchangeBase does, a bounded number of
//                 times)
//   InvalidArgument  the request was malformed (a bug on our side): not sent
//
// Not thread-safe: owned by the event-loop thread.

#include <span>
#include <string_view>

#include "colibri/core/result.h"
#include "colibri/core/time.h"
#include "colibri/model/market_data.h"
#include "colibri/model/order.h"
#include "colibri/model/trading_rules.h"

namespace colibri::connector {

class ExchangeApiListener {
 public:
  virtual ~ExchangeApiListener() = default;

  // --- answers: exactly one per request, identified by the client order id where there is one
  // place_order: the venue's report of the new order (Open, PartiallyFilled, Filled, Expired...).
  virtual void on_place_result(const model::ClientOrderId& id, const Result<model::OrderReport>& result) = 0;
  // cancel_order: the report of the cancelled order (Canceled, or Filled if it filled first).
  virtual void on_cancel_result(const model::ClientOrderId& id, const Result<model::OrderReport>& result) = 0;
  virtual void on_order_query_result(const model::ClientOrderId& id, const Result<model::OrderReport>& result) = 0;
  // query_fills: every fill of that order so far (the listener deduplicates by trade id).
  virtual void on_fills_query_result(const model::ClientOrderId& id,
                                     const Result<std::span<const model::Fill>>& result) = 0;
  virtual void on_balances_result(const Result<std::span<const model::Balance>>& result) = 0;
  virtual void on_open_orders_result(const Result<std::span<const model::OrderReport>>& result) = 0;
  virtual void on_trading_rules_result(const Result<std::span<const model::TradingRules>>& result) = 0;

  // --- pushed by the venue (user stream)
  virtual void on_order_report(const model::OrderReport& report) = 0;
  virtual void on_fill(const model::Fill& fill) = 0;
  virtual void on_balance_update(const model::Balance& balance) = 0;
  // Nothing may be sent before `until` (HTTP 429/418 Retry-After, or our own limiter).
  virtual void on_rate_limited(Timestamp until) = 0;
  // The venue's own count for one of its rate limits, as an answer reported it (Binance: the
  // headers X-MBX-USED-WEIGHT-1M, X-MBX-ORDER-COUNT-10S, X-MBX-ORDER-COUNT-1D): `name` is the
  // header, `value` its text, untrusted. It includes requests the listener never made (other
  // programs on the IP or account, the api's own snapshots and time samples).
  virtual void on_rate_usage(std::string_view name, std::string_view value) = 0;
  // The user stream or the transport went down or came back.
  virtual void on_connection_state(bool connected) = 0;

  // --- market data for subscribed symbols
  virtual void on_book_snapshot(const model::Symbol& symbol, const model::BookSnapshot& snapshot) = 0;
  virtual void on_book_diff(const model::Symbol& symbol, const model::BookDiff& diff) = 0;
  virtual void on_public_trade(const model::Symbol& symbol, const model::PublicTrade& trade) = 0;
};

class ExchangeApi {
 public:
  virtual ~ExchangeApi() = default;

  // The listener must outlive the api; set before the first request.
  virtual void set_listener(ExchangeApiListener* listener) = 0;
  [[nodiscard]] virtual std::string_view name() const = 0;  // e.g. "binance", "sim"

  // Requests. Each returns at once; its answer follows on the listener (see the top of this file).
  virtual void place_order(const model::OrderRequest& request) = 0;
  virtual void cancel_order(const model::Symbol& symbol, const model::ClientOrderId& id) = 0;
  virtual void query_order(const model::Symbol& symbol, const model::ClientOrderId& id) = 0;
  virtual void query_fills(const model::Symbol& symbol, const model::ClientOrderId& id) = 0;
  virtual void query_balances() = 0;
  virtual void query_open_orders(const model::Symbol& symbol) = 0;
  virtual void query_trading_rules() = 0;
  // Starts the market-data feed for `symbol`: a snapshot, then diffs and trades, on the listener.
  virtual void subscribe_market_data(const model::Symbol& symbol) = 0;
};

}  // namespace colibri::connector
