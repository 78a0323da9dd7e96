#include "colibri/connector/binance/rate_limits.h"

#include <string>

#include "colibri/venue/binance/requests.h"

namespace colibri::connector {

namespace binance_spot {

RateLimitConfig rate_limits() {
  RateLimitConfig config;
  config.pools = {
      RatePool{std::string(kRequestWeight), 6000, std::chrono::minutes(1), std::string(venue::binance::kUsedWeight1mHeader)},
      RatePool{std::string(kRawRequests), 61000, std::chrono::minutes(5), ""},
      RatePool{std::string(kOrders10s), 50, std::chrono::seconds(10), std::string(venue::binance::kOrderCount10sHeader)},
      RatePool{std::string(kOrders1d), 160000, std::chrono::hours(24), std::string(venue::binance::kOrderCount1dHeader)},
  };
  const auto weighted = [](std::string_view kind, std::int64_t weight) {
    return RequestKind{
        std::string(kind),
        {PoolWeight{std::string(kRequestWeight), weight}, PoolWeight{std::string(kRawRequests), 1}}};
  };
  const auto order = [&](std::string_view kind, std::int64_t weight) {
    RequestKind k = weighted(kind, weight);
    k.weights.push_back(PoolWeight{std::string(kOrders10s), 1});
    k.weights.push_back(PoolWeight{std::string(kOrders1d), 1});
    return k;
  };
  config.kinds = {
      order(kPlaceOrder, 1),     weighted(kTestOrder, 1),       order(kCancelReplace, 1),
      weighted(kCancelOrder, 1), weighted(kCancelAllOrders, 1), weighted(kQueryOrder, 4),
      weighted(kOpenOrders, 6),  weighted(kOpenOrdersAll, 80),  weighted(kAccount, 20),
      weighted(kMyTrades, 20),   weighted(kMyTradesByOrder, 5), weighted(kExchangeInfo, 20),
      weighted(kDepth100, 5),    weighted(kDepth500, 25),       weighted(kDepth1000, 50),
      weighted(kDepth5000, 250), weighted(kBookTicker, 2),      weighted(kServerTime, 1),
      weighted(kPing, 1),        weighted(kStartUserStream, 2), weighted(kKeepAliveUserStream, 2),
  };
  return config;
}

}  // namespace binance_spot

}  // namespace colibri::connector
