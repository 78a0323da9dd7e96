#pragma once
// Binance spot requests, client side: the query strings of the REST endpoints a connector uses and
// the JSON of the WebSocket API requests it sends, signed as Binance documents for HMAC keys
// (signing.h). No networking: the transport sends what these build.
//
// REST (https://api.binance.com). Parameters are written in a fixed order, names and values
// percent-encoded (RFC 3986: everything but A-Z a-z 0-9 - _ . ~ becomes %XX), and a SIGNED request
// ends with `recvWindow`, `timestamp` and `&signature=<hex HMAC-SHA256 of everything before it>`.
// The same text is signed and sent: as the query string of GET and DELETE, as the query string
// (or the form body) of POST. Prices and quantities are written at the instrument's precision
// (TradingRules::price_decimals / quantity_decimals: DESIGN.md decision 1) and must already be on
// the tick and lot: a request that is not is refused here (InvalidArgument), never rounded.
//
// | endpoint                    | builder                | signed | weight kind (rate_limiter.h)     |
// |-----------------------------|------------------------|--------|----------------------------------|
// | POST   /api/v3/order        | place_order()          | yes    | POST /api/v3/order               |
// | DELETE /api/v3/order        | cancel_order()         | yes    | DELETE /api/v3/order             |
// | GET    /api/v3/order        | query_order()          | yes    | GET /api/v3/order                |
// | GET    /api/v3/openOrders   | open_orders()          | yes    | GET /api/v3/openOrders[?all]     |
// | DELETE /api/v3/openOrders   | cancel_all_orders()    | yes    | DELETE /api/v3/openOrders        |
// | GET    /api/v3/account      | account()              | yes    | GET /api/v3/account              |
// | GET    /api/v3/myTrades     | my_trades()            | yes    | GET /api/v3/myTrades[?orderId]   |
// | GET    /api/v3/exchangeInfo | exchange_info()        | no     | GET /api/v3/exchangeInfo         |
// | GET    /api/v3/depth        | depth()                | no     | GET /api/v3/depth?limit=...      |
// | GET    /api/v3/time         | (no parameters)        | no     | GET /api/v3/time                 |
//
// WebSocket API (wss://ws-api.binance.com/ws-api/v3): {"id":..,"method":..,"params":{..}}. A signed
// request's signature is the HMAC of its params other than `signature`, sorted by name, joined as
// name=value&... (Binance's "SIGNED request example (HMAC)"); values are written raw, so a value
// with a character outside the percent-encoding's unreserved set is refused (InvalidArgument) rather
// than signed in a form Binance might read differently.
//
// Secrets: the API secret only reaches signing.h; the API key appears in the WebSocket request it
// authenticates and nowhere else (REST sends it as the X-MBX-APIKEY header, which the transport
// adds). No error message here contains either.
//
// Allocation: a RequestBuilder keeps its buffer; after the first requests (capacity reached),
// building a query string does not allocate. Not thread-safe: one per event-loop thread.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "colibri/core/result.h"
#include "colibri/core/secret.h"
#include "colibri/core/time.h"
#include "colibri/model/order.h"
#include "colibri/model/trading_rules.h"
#include "colibri/venue/binance/signing.h"

namespace colibri::venue::binance {

// One REST endpoint: its method and path.
struct Endpoint {
  std::string_view method;
  std::string_view path;
};
inline constexpr Endpoint kOrderPlace{.method = "POST", .path = "/api/v3/order"};
inline constexpr Endpoint kOrderCancel{.method = "DELETE", .path = "/api/v3/order"};
inline constexpr Endpoint kOrderQuery{.method = "GET", .path = "/api/v3/order"};
inline constexpr Endpoint kOpenOrders{.method = "GET", .path = "/api/v3/openOrders"};
inline constexpr Endpoint kCancelAllOrders{.method = "DELETE", .path = "/api/v3/openOrders"};
inline constexpr Endpoint kAccount{.method = "GET", .path = "/api/v3/account"};
inline constexpr Endpoint kMyTrades{.method = "GET", .path = "/api/v3/myTrades"};
inline constexpr Endpoint kExchangeInfo{.method = "GET", .path = "/api/v3/exchangeInfo"};
inline constexpr Endpoint kDepth{.method = "GET", .path = "/api/v3/depth"};
inline constexpr Endpoint kServerTime{.method = "GET", .path = "/api/v3/time"};
inline constexpr std::string_view kApiKeyHeader = "X-MBX-APIKEY";
// Response headers with Binance's own rate-limit counts: X-MBX-USED-WEIGHT-1M (request weight of
// the IP in the current minute) and X-MBX-ORDER-COUNT-10S / -1D (orders of the account).
inline constexpr std::string_view kUsedWeightHeaderPrefix = "X-MBX-USED-WEIGHT-";
inline constexpr std::string_view kOrderCountHeaderPrefix = "X-MBX-ORDER-COUNT-";
inline constexpr std::string_view kUsedWeight1mHeader = "X-MBX-USED-WEIGHT-1M";
inline constexpr std::string_view kOrderCount10sHeader = "X-MBX-ORDER-COUNT-10S";
inline constexpr std::string_view kOrderCount1dHeader = "X-MBX-ORDER-COUNT-1D";

// newOrderRespType: what the answer to a new order holds (ACK: ids only; RESULT: the order's state;
// FULL: RESULT plus the fills that happened at once).
enum class OrderResponseType : std::uint8_t { Ack, Result, Full };

// recvWindow: how long after `timestamp` Binance still accepts a signed request (at most 60 s).
inline constexpr Duration kDefaultRecvWindow = std::chrono::milliseconds(5000);

// Appends `text` percent-encoded (RFC 3986 unreserved characters stay) to `out`.
void percent_encode(std::string_view text, std::string& out);

// Builds the query string of one request at a time into its own buffer; each call replaces the
// previous text. The view returned stays valid until the next call.
class RequestBuilder {
 public:
  // Signs with `secret` (keyed once: signing.h's RequestSigner).
  explicit RequestBuilder(const Secret& secret, Duration recv_window = kDefaultRecvWindow)
      : signer_(secret), recv_window_(recv_window) {}

  // symbol, side, type, [timeInForce], quantity, [price], newClientOrderId, newOrderRespType;
  // signed. LIMIT sends timeInForce and price; LIMIT_MAKER only price (Binance refuses a
  // timeInForce on it); MARKET neither. InvalidArgument naming the field when the symbol is not the
  // rules', the client order id is empty or has a character Binance refuses (it takes
  // [.A-Z:/a-z0-9_-]), the quantity is not positive or not on the lot, or a limit price is not
  // positive or not on the tick.
  [[nodiscard]] Result<std::string_view> place_order(const model::OrderRequest& request,
                                                     const model::TradingRules& rules,
                                                     OrderResponseType response_type, Timestamp server_time);
  // symbol, origClientOrderId; signed. InvalidArgument for an empty symbol or id.
  [[nodiscard]] Result<std::string_view> cancel_order(const model::Symbol& symbol,
                                                      const model::ClientOrderId& id, Timestamp server_time);
  // symbol, origClientOrderId; signed.
  [[nodiscard]] Result<std::string_view> query_order(const model::Symbol& symbol,
                                                     const model::ClientOrderId& id, Timestamp server_time);
  // [symbol]; signed. An empty symbol asks for every symbol (weight 80 instead of 6).
  [[nodiscard]] std::string_view open_orders(const model::Symbol& symbol, Timestamp server_time);
  // symbol; signed: cancels every open order of the symbol (the stop path; answered with the
  // cancelled orders, which ApiParser::parse_open_orders reads).
  [[nodiscard]] Result<std::string_view> cancel_all_orders(const model::Symbol& symbol,
                                                           Timestamp server_time);
  // omitZeroBalances=true; signed.
  [[nodiscard]] std::string_view account(Timestamp server_time);
  // symbol, [orderId]; signed. `exchange_order_id` empty: the symbol's recent trades.
  [[nodiscard]] Result<std::string_view> my_trades(const model::Symbol& symbol,
                                                   const model::ExchangeOrderId& exchange_order_id,
                                                   Timestamp server_time);
  // symbols=["A","B"] (percent-encoded JSON array), or nothing for every symbol.
  [[nodiscard]] Result<std::string_view> exchange_info(std::span<const model::Symbol> symbols);
  // symbol, limit (1..5000). InvalidArgument for another limit or an empty symbol.
  [[nodiscard]] Result<std::string_view> depth(const model::Symbol& symbol, int limit);

  [[nodiscard]] Duration recv_window() const noexcept { return recv_window_; }

 private:
  void add(std::string_view name, std::string_view value);
  void add(std::string_view name, std::int64_t value);
  void sign(Timestamp server_time);

  RequestSigner signer_;
  std::string text_;
  Duration recv_window_ = kDefaultRecvWindow;
};

// --- WebSocket API

// {"id":"<id>","method":"userDataStream.subscribe.signature","params":{"apiKey":..,"recvWindow":..,
// "timestamp":..,"signature":..}}: subscribes this connection to the account's user-data events.
// InvalidArgument when the id or the key holds characters that need escaping (ids are ours: use
// letters, digits, '-' and '_').
[[nodiscard]] Result<std::string> ws_subscribe_user_data(std::string_view request_id, const Secret& api_key,
                                                         const Secret& secret, Timestamp server_time,
                                                         Duration recv_window = kDefaultRecvWindow);
// {"id":"<id>","method":"time"}: the server time (for the clock estimator, time_sync.h).
[[nodiscard]] Result<std::string> ws_time_request(std::string_view request_id);

// One parameter of a WebSocket API request. `quoted`: written as a JSON string (else as a bare
// number or literal, which must then be one).
struct WsParam {
  std::string_view name;
  std::string_view value;
  bool quoted = true;
};

// The general form behind the two above: `params` in the given order, plus `signature` when a
// secret is given (the HMAC of the params sorted by name). At most 32 params. InvalidArgument
// naming the parameter for an empty name, a duplicate, or a value outside the safe character set
// (letters, digits, - _ . ~ for strings; an unquoted value must be a decimal number, true or false).
[[nodiscard]] Result<std::string> ws_api_request(std::string_view request_id, std::string_view method,
                                                 std::span<const WsParam> params, const Secret* secret);

}  // namespace colibri::venue::binance
