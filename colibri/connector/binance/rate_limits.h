#pragma once
// Binance spot's request rate limits (api.binance.com, /api/v3) as a RateLimitConfig, as documented
// on developers.binance.com (REST API "Limits" and each endpoint's "Weight"): the table ExchangeBase's
// limiter runs on for a Binance connector, and the Binance api's own limiter for the requests it
// makes itself. Venue limits change: exchangeInfo's rateLimits is the authority at run time, and a
// later change may build the pools from it.

#include <string_view>

#include "colibri/connector/rate_limiter.h"

namespace colibri::connector {

namespace binance_spot {

// Pools. REQUEST_WEIGHT and RAW_REQUESTS count per IP; the ORDERS pools count per account, and
// Binance counts *unfilled* orders (fills give some back): counting every order is conservative.
inline constexpr std::string_view kRequestWeight = "REQUEST_WEIGHT";  // 6000 per minute
inline constexpr std::string_view kRawRequests = "RAW_REQUESTS";      // 61000 per 5 minutes
inline constexpr std::string_view kOrders10s = "ORDERS_10S";          // 50 per 10 seconds
inline constexpr std::string_view kOrders1d = "ORDERS_1D";            // 160000 per day

// Request kinds (method and path; a parameter in the name where Binance's weight depends on it).
inline constexpr std::string_view kPlaceOrder = "POST /api/v3/order";                   // 1 + orders
inline constexpr std::string_view kTestOrder = "POST /api/v3/order/test";               // 1
inline constexpr std::string_view kCancelReplace = "POST /api/v3/order/cancelReplace";  // 1 + orders
inline constexpr std::string_view kCancelOrder = "DELETE /api/v3/order";                // 1
inline constexpr std::string_view kCancelAllOrders = "DELETE /api/v3/openOrders";       // 1
inline constexpr std::string_view kQueryOrder = "GET /api/v3/order";                    // 4
inline constexpr std::string_view kOpenOrders = "GET /api/v3/openOrders";               // 6 (one symbol)
inline constexpr std::string_view kOpenOrdersAll = "GET /api/v3/openOrders?all";        // 80 (no symbol)
inline constexpr std::string_view kAccount = "GET /api/v3/account";                     // 20
inline constexpr std::string_view kMyTrades = "GET /api/v3/myTrades";                   // 20
inline constexpr std::string_view kMyTradesByOrder = "GET /api/v3/myTrades?orderId";    // 5
inline constexpr std::string_view kExchangeInfo = "GET /api/v3/exchangeInfo";           // 20
inline constexpr std::string_view kDepth100 = "GET /api/v3/depth?limit=100";            // 5   (1-100)
inline constexpr std::string_view kDepth500 = "GET /api/v3/depth?limit=500";            // 25  (101-500)
inline constexpr std::string_view kDepth1000 = "GET /api/v3/depth?limit=1000";          // 50  (501-1000)
inline constexpr std::string_view kDepth5000 = "GET /api/v3/depth?limit=5000";          // 250 (1001-5000)
inline constexpr std::string_view kBookTicker = "GET /api/v3/ticker/bookTicker";        // 2 (one symbol)
inline constexpr std::string_view kServerTime = "GET /api/v3/time";                     // 1
inline constexpr std::string_view kPing = "GET /api/v3/ping";                           // 1
inline constexpr std::string_view kStartUserStream = "POST /api/v3/userDataStream";     // 2
inline constexpr std::string_view kKeepAliveUserStream = "PUT /api/v3/userDataStream";  // 2

// The pools above, and every kind above linked to REQUEST_WEIGHT (its weight) and RAW_REQUESTS (1);
// order placements also to ORDERS_10S and ORDERS_1D (1 each). Usage headers (venue/binance):
// X-MBX-USED-WEIGHT-1M, X-MBX-ORDER-COUNT-10S, X-MBX-ORDER-COUNT-1D.
[[nodiscard]] RateLimitConfig rate_limits();

}  // namespace binance_spot

}  // namespace colibri::connector
