#pragma once
// ApiParser: Binance spot's answers to the requests of requests.h and the events of the user-data
// stream, into the model's order vocabulary (what ExchangeBase's ExchangeApiListener consumes), with
// simdjson On-Demand behind a pimpl (market data is MessageParser's, message_parser.h, which also
// parses the REST depth snapshot).
//
// | parse_...           | Binance JSON                                     | result |
// |---------------------|--------------------------------------------------|---------------------------------|
// | exchange_info       | GET /api/v3/exchangeInfo                         | ExchangeInfo: rules per symbol,
// | |                     |                                                  | rate limits | | account | GET
// /api/v3/account                              | Balances (total = free+locked)  | | order               |
// POST/DELETE/GET /api/v3/order (ACK/RESULT/FULL)  | OrderUpdate (+ fills of FULL)   | | open_orders | GET
// /api/v3/openOrders                           | OrderUpdates                    | | my_trades           |
// GET /api/v3/myTrades                             | Fills                           | | server_time | GET
// /api/v3/time                                 | Timestamp                       | | error               |
// {"code":-2010,"msg":"..."}                       | ApiError (api_errors.h)         | | user_stream | a
// WebSocket API frame: {"subscriptionId":N,      | UserStreamMessage: an event     | |                     |
// "event":{..}}, a bare event, {"stream","data"},  | (executionReport, outbound-     | | | or a response
// {"id","status","result"|"error"}   | AccountPosition, balanceUpdate, | |                     | |
// eventStreamTerminated) or a     | |                     | | WsApiResponse                   |
//
// Mapping to the model (docs/BINANCE_PROTOCOL.md):
//  - order status X / "status": NEW, PENDING_NEW -> Open; PARTIALLY_FILLED -> PartiallyFilled;
//    FILLED -> Filled; CANCELED, PENDING_CANCEL (unused by Binance) -> Canceled resp. still live;
//    REJECTED -> Failed; EXPIRED, EXPIRED_IN_MATCH (self-trade prevention) -> Expired. An ACK answer
//    has no status: Open with nothing filled (the venue knows the order; later reports supersede).
//  - our client order id: "origClientOrderId" in a cancel answer, else "clientOrderId"; in an
//    executionReport "C" (the order a cancel refers to) when not empty, else "c".
//  - an executionReport with execution type TRADE carries one Fill (trade id t, price L, quantity
//    l, fee n in N, maker m, time T). Deliver the fill BEFORE the report: the tracker then sees the
//    report covered by fills instead of a final report waiting for them.
//  - FULL answers' fills are taker fills (they happened on arrival) at transactTime.
//  - myTrades has no client order id: the caller names the order it asked about (by orderId).
//
// What is checked: the JSON syntax of everything simdjson reads or walks (members we do not use are
// checked by its structural pass: brackets, string quoting, UTF-8); every member we use has its
// documented type and appears at most once; prices and quantities are exact decimals (Price /
// Quantity::parse), ids and times non-negative integers, enums one of Binance's words. Errors are
// Corrupt and name the message, the member (with the array index) and the offending text, e.g.
// `executionReport member "L": invalid price "1.2.3": ...`. Input size is capped (kMaxMessageBytes).
// Unknown members are skipped; unknown event types are UserEventKind::Other, not errors.
//
// Lifetime: what a parse_ call returns (spans, views, pointers) belongs to the parser and stays valid
// until its next parse_ call. Allocation: buffers grow to the largest message seen and are reused;
// parse_user_stream of an executionReport does not allocate in steady state (exchange_info does:
// start-up). Not thread-safe: one parser per event-loop thread.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "colibri/core/decimal.h"
#include "colibri/core/result.h"
#include "colibri/core/time.h"
#include "colibri/model/order.h"
#include "colibri/model/trading_rules.h"
#include "colibri/venue/binance/api_errors.h"

namespace colibri::venue::binance {

// An exact ratio with 8 decimals (PERCENT_PRICE_BY_SIDE's multipliers, "1.2", "0.2").
struct MultiplierTag {
  static constexpr const char* kName = "multiplier";
};
using Multiplier = Fixed<MultiplierTag>;

// --- exchangeInfo

enum class RateLimitType : std::uint8_t { RequestWeight, Orders, RawRequests };

// One of Binance's rate limits: at most `limit` in each `interval_num` x `interval_unit`.
struct RateLimitRule {
  RateLimitType type = RateLimitType::RequestWeight;
  char interval_unit = 'M';  // S, M, H, D: Binance's interval letter
  int interval_num = 1;
  std::int64_t limit = 0;
  std::int64_t count = -1;  // WebSocket API responses: the current usage; -1 when not given
  [[nodiscard]] Duration interval() const noexcept;
  // The RateLimiter pool id of rate_limiter.h's Binance preset: "REQUEST_WEIGHT", "RAW_REQUESTS",
  // "ORDERS_10S", "ORDERS_1D" (ORDERS_<num><unit>).
  [[nodiscard]] std::string pool_id() const;
  // The response header carrying Binance's count: X-MBX-USED-WEIGHT-1M, X-MBX-ORDER-COUNT-10S;
  // empty for RAW_REQUESTS (no header).
  [[nodiscard]] std::string usage_header() const;
  friend bool operator==(const RateLimitRule&, const RateLimitRule&) = default;
};

// The ORDERS limit named by a -1015 message ("Too many new orders; current limit is 50 orders per
// 10 SECOND."), with its count at the limit (the window is full). nullopt when the message names
// no limit in that form (Binance also sends a bare "Too many new orders.").
[[nodiscard]] std::optional<RateLimitRule> order_limit_in_message(std::string_view message) noexcept;

// PERCENT_PRICE_BY_SIDE: a bid must lie in [bid_down, bid_up] x the average price of the last
// avg_price_mins minutes, an ask in [ask_down, ask_up] x that price.
struct PercentPriceBySide {
  Multiplier bid_up;
  Multiplier bid_down;
  Multiplier ask_up;
  Multiplier ask_down;
  int avg_price_mins = 0;
};

// One symbol of exchangeInfo. TradingRules takes PRICE_FILTER tickSize, LOT_SIZE stepSize / minQty
// / maxQty and NOTIONAL (or the legacy MIN_NOTIONAL) minNotional; the rest of Binance's filters that
// a connector may check stay here (TradingRules is unchanged).
struct SymbolInfo {
  model::TradingRules rules;
  std::string status;     // "TRADING", "BREAK", "HALT", ...
  Price min_price;        // PRICE_FILTER; zero: no limit
  Price max_price;        // PRICE_FILTER; zero: no limit
  Quantity max_notional;  // NOTIONAL maxNotional (quote); zero: none given
  std::optional<PercentPriceBySide> percent_price_by_side;
  bool limit_allowed = false;        // "LIMIT" in orderTypes
  bool limit_maker_allowed = false;  // "LIMIT_MAKER"
  bool market_allowed = false;       // "MARKET"
  [[nodiscard]] bool trading() const noexcept { return status == "TRADING"; }
};

// A symbol whose rules could not be used (a missing filter, a zero tick): named with the reason.
struct SkippedSymbol {
  std::string symbol;
  std::string reason;
};

struct ExchangeInfo {
  Timestamp server_time = Timestamp::none();
  std::vector<RateLimitRule> rate_limits;
  std::vector<SymbolInfo> symbols;
  std::vector<SkippedSymbol> skipped;  // malformed JSON fails the whole parse; odd rules skip a symbol
};

// --- orders

// One order as Binance describes it (an order answer, an open order, an executionReport).
struct OrderUpdate {
  model::OrderReport report;  // our id, Binance's id, symbol, state, cumulative filled, time
  model::Side side = model::Side::Buy;
  std::optional<model::OrderType> type;  // nullopt: a type colibri does not place (STOP_LOSS, ...)
  std::optional<model::TimeInForce> time_in_force;
  Price price;                         // zero for market orders
  Quantity quantity;                   // origQty / q
  Quantity cumulative_quote;           // cummulativeQuoteQty / Z (quote asset)
  bool ack_only = false;               // an ACK answer: ids only, state Open, nothing filled (not known)
  std::span<const model::Fill> fills;  // FULL answers; the TRADE of an executionReport
};

enum class ExecutionType : std::uint8_t {
  New,
  Canceled,
  Replaced,
  Rejected,
  Trade,
  Expired,
  TradePrevention,
  Other,  // a word Binance added later: the report (from the order status) still counts
};
[[nodiscard]] std::string_view to_string(ExecutionType type) noexcept;

// Binance's order status word -> the model's state ("PENDING_CANCEL" stays live: Open, or
// PartiallyFilled when something filled). InvalidArgument for a word that is not a status.
[[nodiscard]] Result<model::OrderState> order_state_from(std::string_view status, Quantity cumulative_filled);

struct ExecutionReport {
  OrderUpdate order;  // fills: the one fill of a TRADE, else empty
  ExecutionType execution = ExecutionType::New;
  std::string_view reject_reason;  // "r": NONE, INSUFFICIENT_BALANCES, ...
  Timestamp event_time = Timestamp::none();
};

// balanceUpdate: a deposit, withdrawal or transfer changed `asset` by `delta` (may be negative).
struct BalanceDelta {
  model::Asset asset;
  Quantity delta;
  Timestamp clear_time = Timestamp::none();
};

enum class UserEventKind : std::uint8_t {
  ExecutionReport,
  AccountPosition,  // outboundAccountPosition: balances of the assets that changed
  BalanceUpdate,
  StreamTerminated,  // eventStreamTerminated: the subscription ended; subscribe again
  Other,             // listStatus, externalLockUpdate, anything new: not an error
};

struct UserEvent {
  UserEventKind kind = UserEventKind::Other;
  std::string_view event_type;  // "e"
  Timestamp event_time = Timestamp::none();
  ExecutionReport execution;                 // ExecutionReport
  std::span<const model::Balance> balances;  // AccountPosition (total = f + l, available = f)
  BalanceDelta balance_delta;                // BalanceUpdate
};

// The answer to a WebSocket API request.
struct WsApiResponse {
  std::string_view id;            // the request id echoed back (a string's text or a number's digits)
  int status = 0;                 // HTTP-like: 200 ok, 4xx, 5xx
  std::optional<ApiError> error;  // status != 200
  std::optional<std::int64_t> subscription_id;  // result.subscriptionId (userDataStream.subscribe*)
  Timestamp server_time = Timestamp::none();    // result.serverTime (time)
  std::span<const RateLimitRule> rate_limits;   // "rateLimits", with count
  [[nodiscard]] bool ok() const noexcept { return status == 200 && !error; }
};

struct UserStreamMessage {
  enum class Kind : std::uint8_t { Event, Response } kind = Kind::Event;
  std::int64_t subscription_id = -1;  // the envelope's subscriptionId; -1 when absent
  UserEvent event;                    // kind == Event
  WsApiResponse response;             // kind == Response
};

class ApiParser {
 public:
  static constexpr std::size_t kMaxMessageBytes = std::size_t{64}
                                                  << 20;  // exchangeInfo of all symbols: ~20 MB

  ApiParser();
  ~ApiParser();
  ApiParser(ApiParser&&) noexcept;
  ApiParser& operator=(ApiParser&&) noexcept;
  ApiParser(const ApiParser&) = delete;
  ApiParser& operator=(const ApiParser&) = delete;

  [[nodiscard]] Result<const ExchangeInfo*> parse_exchange_info(std::string_view json);
  // Assets whose code is longer than model::Asset holds are skipped and counted (skipped_assets()).
  [[nodiscard]] Result<std::span<const model::Balance>> parse_account(std::string_view json);
  [[nodiscard]] Result<const OrderUpdate*> parse_order(std::string_view json);
  [[nodiscard]] Result<std::span<const OrderUpdate>> parse_open_orders(std::string_view json);
  // Every fill gets `order` as its client order id (myTrades does not send it).
  [[nodiscard]] Result<std::span<const model::Fill>> parse_my_trades(std::string_view json,
                                                                     const model::ClientOrderId& order);
  [[nodiscard]] Result<Timestamp> parse_server_time(std::string_view json);
  [[nodiscard]] Result<ApiError> parse_error(std::string_view json);
  [[nodiscard]] Result<const UserStreamMessage*> parse_user_stream(std::string_view json);

  // Assets skipped by the last parse_account or AccountPosition event.
  [[nodiscard]] std::size_t skipped_assets() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace colibri::venue::binance
