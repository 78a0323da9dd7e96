#include "colibri/venue/binance/api_parser.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace colibri::venue::binance {
namespace {

using model::OrderState;
using ::testing::HasSubstr;

Price price(std::string_view text) { return *Price::parse(text); }
Quantity quantity(std::string_view text) { return *Quantity::parse(text); }

// Fixtures follow the shapes of Binance's spot API documentation (rest-api.md, web-socket-api.md,
// user-data-stream.md), with our own values.

constexpr std::string_view kExchangeInfo = R"({
  "timezone": "UTC",
  "serverTime": 1723161254123,
  "rateLimits": [
    {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
    {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 50},
    {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 160000},
    {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61000}
  ],
  "exchangeFilters": [],
  "symbols": [
    {
      "symbol": "BTCUSDT",
      "status": "TRADING",
      "baseAsset": "BTC",
      "baseAssetPrecision": 8,
      "quoteAsset": "USDT",
      "quotePrecision": 8,
      "quoteAssetPrecision": 8,
      "baseCommissionPrecision": 8,
      "quoteCommissionPrecision": 8,
      "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
      "icebergAllowed": true,
      "ocoAllowed": true,
      "otoAllowed": true,
      "quoteOrderQtyMarketAllowed": true,
      "allowTrailingStop": true,
      "cancelReplaceAllowed": true,
      "isSpotTradingAllowed": true,
      "isMarginTradingAllowed": true,
      "filters": [
        {"filterType": "PRICE_FILTER", "minPrice": "0.01000000", "maxPrice": "1000000.00000000", "tickSize": "0.01000000"},
        {"filterType": "LOT_SIZE", "minQty": "0.00001000", "maxQty": "9000.00000000", "stepSize": "0.00001000"},
        {"filterType": "ICEBERG_PARTS", "limit": 10},
        {"filterType": "MARKET_LOT_SIZE", "minQty": "0.00000000", "maxQty": "123.45678900", "stepSize": "0.00000000"},
        {"filterType": "TRAILING_DELTA", "minTrailingAboveDelta": 10, "maxTrailingAboveDelta": 2000,
         "minTrailingBelowDelta": 10, "maxTrailingBelowDelta": 2000},
        {"filterType": "PERCENT_PRICE_BY_SIDE", "bidMultiplierUp": "5", "bidMultiplierDown": "0.2",
         "askMultiplierUp": "5", "askMultiplierDown": "0.2", "avgPriceMins": 5},
        {"filterType": "NOTIONAL", "minNotional": "5.00000000", "applyMinToMarket": true,
         "maxNotional": "9000000.00000000", "applyMaxToMarket": false, "avgPriceMins": 5},
        {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
        {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5}
      ],
      "permissions": [],
      "permissionSets": [["SPOT", "MARGIN", "TRD_GRP_004"]],
      "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
      "allowedSelfTradePreventionModes": ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"]
    },
    {
      "symbol": "ETHBTC",
      "status": "BREAK",
      "baseAsset": "ETH",
      "quoteAsset": "BTC",
      "orderTypes": ["LIMIT", "MARKET"],
      "filters": [
        {"filterType": "PRICE_FILTER", "minPrice": "0.00001000", "maxPrice": "922327.00000000", "tickSize": "0.00001000"},
        {"filterType": "LOT_SIZE", "minQty": "0.00010000", "maxQty": "100000.00000000", "stepSize": "0.00010000"},
        {"filterType": "MIN_NOTIONAL", "minNotional": "0.00010000", "applyToMarket": true, "avgPriceMins": 5}
      ]
    },
    {
      "symbol": "NOTICKUSDT",
      "status": "TRADING",
      "baseAsset": "NOTICK",
      "quoteAsset": "USDT",
      "orderTypes": ["LIMIT"],
      "filters": [
        {"filterType": "PRICE_FILTER", "minPrice": "0", "maxPrice": "0", "tickSize": "0.00000000"},
        {"filterType": "LOT_SIZE", "minQty": "1", "maxQty": "100", "stepSize": "1"}
      ]
    },
    {
      "symbol": "NOLOTUSDT",
      "status": "TRADING",
      "baseAsset": "NOLOT",
      "quoteAsset": "USDT",
      "orderTypes": ["LIMIT"],
      "filters": [{"filterType": "PRICE_FILTER", "minPrice": "0", "maxPrice": "0", "tickSize": "0.1"}]
    },
    {
      "symbol": "BADUSDT",
      "status": "TRADING",
      "baseAsset": "BAD",
      "quoteAsset": "USDT",
      "orderTypes": ["LIMIT"],
      "filters": [
        {"filterType": "PRICE_FILTER", "minPrice": "0", "maxPrice": "0", "tickSize": "0.0.1"},
        {"filterType": "LOT_SIZE", "minQty": "1", "maxQty": "100", "stepSize": "1"}
      ]
    }
  ],
  "sors": [{"baseAsset": "BTC", "symbols": ["BTCUSDT", "BTCUSDC"]}]
})";

TEST(ApiParserExchangeInfo, TradingRulesFromTheFilters) {
  ApiParser parser;
  auto parsed = parser.parse_exchange_info(kExchangeInfo);
  ASSERT_TRUE(parsed) << parsed.error().describe();
  const ExchangeInfo& info = **parsed;
  EXPECT_EQ(info.server_time, Timestamp::from_ms(1723161254123));
  ASSERT_EQ(info.symbols.size(), 2u);

  const SymbolInfo& btc = info.symbols[0];
  EXPECT_EQ(btc.rules.symbol, "BTCUSDT");
  EXPECT_EQ(btc.rules.base, "BTC");
  EXPECT_EQ(btc.rules.quote, "USDT");
  EXPECT_TRUE(btc.trading());
  EXPECT_EQ(btc.rules.tick_size, price("0.01"));
  EXPECT_EQ(btc.rules.lot_size, quantity("0.00001"));
  EXPECT_EQ(btc.rules.min_quantity, quantity("0.00001"));
  EXPECT_EQ(btc.rules.max_quantity, quantity("9000"));  // LOT_SIZE's, not MARKET_LOT_SIZE's
  EXPECT_EQ(btc.rules.min_notional, Notional::from_quantity(quantity("5")));
  EXPECT_EQ(btc.max_notional, quantity("9000000"));
  EXPECT_EQ(btc.min_price, price("0.01"));
  EXPECT_EQ(btc.max_price, price("1000000"));
  EXPECT_EQ(btc.rules.price_decimals(), 2);
  EXPECT_EQ(btc.rules.quantity_decimals(), 5);
  EXPECT_TRUE(btc.rules.validate());
  ASSERT_TRUE(btc.percent_price_by_side.has_value());
  EXPECT_EQ(btc.percent_price_by_side->bid_up, *Multiplier::parse("5"));
  EXPECT_EQ(btc.percent_price_by_side->bid_down, *Multiplier::parse("0.2"));
  EXPECT_EQ(btc.percent_price_by_side->ask_down.raw(), 20'000'000);
  EXPECT_EQ(btc.percent_price_by_side->avg_price_mins, 5);
  EXPECT_TRUE(btc.limit_allowed);
  EXPECT_TRUE(btc.limit_maker_allowed);
  EXPECT_TRUE(btc.market_allowed);

  // Legacy MIN_NOTIONAL; a symbol in BREAK is listed (the connector decides).
  const SymbolInfo& eth = info.symbols[1];
  EXPECT_EQ(eth.rules.symbol, "ETHBTC");
  EXPECT_FALSE(eth.trading());
  EXPECT_EQ(eth.rules.min_notional, Notional::from_quantity(quantity("0.0001")));
  EXPECT_FALSE(eth.percent_price_by_side.has_value());
  EXPECT_FALSE(eth.limit_maker_allowed);
}

TEST(ApiParserExchangeInfo, UnusableSymbolsAreSkippedWithTheReason) {
  ApiParser parser;
  auto parsed = parser.parse_exchange_info(kExchangeInfo);
  ASSERT_TRUE(parsed);
  const auto& skipped = (*parsed)->skipped;
  ASSERT_EQ(skipped.size(), 3u);
  EXPECT_EQ(skipped[0].symbol, "NOTICKUSDT");
  EXPECT_THAT(skipped[0].reason, HasSubstr("tick"));
  EXPECT_EQ(skipped[1].symbol, "NOLOTUSDT");
  EXPECT_EQ(skipped[1].reason, "no LOT_SIZE filter");
  EXPECT_EQ(skipped[2].symbol, "BADUSDT");
  EXPECT_THAT(skipped[2].reason, HasSubstr("filters[0] member \"tickSize\""));
  EXPECT_THAT(skipped[2].reason, HasSubstr("0.0.1"));
}

TEST(ApiParserExchangeInfo, RateLimitsNameTheLimiterPoolsAndHeaders) {
  ApiParser parser;
  auto parsed = parser.parse_exchange_info(kExchangeInfo);
  ASSERT_TRUE(parsed);
  const auto& limits = (*parsed)->rate_limits;
  ASSERT_EQ(limits.size(), 4u);
  EXPECT_EQ(limits[0].pool_id(), "REQUEST_WEIGHT");
  EXPECT_EQ(limits[0].usage_header(), "X-MBX-USED-WEIGHT-1M");
  EXPECT_EQ(limits[0].interval(), std::chrono::minutes(1));
  EXPECT_EQ(limits[0].limit, 6000);
  EXPECT_EQ(limits[1].pool_id(), "ORDERS_10S");
  EXPECT_EQ(limits[1].usage_header(), "X-MBX-ORDER-COUNT-10S");
  EXPECT_EQ(limits[1].interval(), std::chrono::seconds(10));
  EXPECT_EQ(limits[2].pool_id(), "ORDERS_1D");
  EXPECT_EQ(limits[2].usage_header(), "X-MBX-ORDER-COUNT-1D");
  EXPECT_EQ(limits[2].interval(), std::chrono::hours(24));
  EXPECT_EQ(limits[2].limit, 160000);
  EXPECT_EQ(limits[3].pool_id(), "RAW_REQUESTS");
  EXPECT_EQ(limits[3].usage_header(), "");
  EXPECT_EQ(limits[3].interval(), std::chrono::minutes(5));
}

// -1015 comes without Retry-After; its message names the ORDERS limit that is full.
TEST(ApiParserErrors, TooManyOrdersMessageNamesTheFullOrderLimit) {
  const auto ten_seconds = order_limit_in_message("Too many new orders; current limit is 50 orders per 10 SECOND.");
  ASSERT_TRUE(ten_seconds.has_value());
  EXPECT_EQ(ten_seconds->type, RateLimitType::Orders);
  EXPECT_EQ(ten_seconds->usage_header(), "X-MBX-ORDER-COUNT-10S");
  EXPECT_EQ(ten_seconds->limit, 50);
  EXPECT_EQ(ten_seconds->count, 50) << "full";
  const auto day = order_limit_in_message("Too many new orders; current limit is 160000 orders per 1 DAY.");
  ASSERT_TRUE(day.has_value());
  EXPECT_EQ(day->usage_header(), "X-MBX-ORDER-COUNT-1D");
  EXPECT_EQ(day->count, 160000);
  for (const char* other : {"Too many new orders.", "current limit is 50 orders per 10 FORTNIGHT.",
                            "current limit is 0 orders per 10 SECOND.", "current limit is 50 orders per SECOND.",
                            "current limit is -5 orders per 10 SECOND.", "current limit is 50 orders per 10",
                            "current limit is 99999999999999999999 orders per 10 SECOND.", ""}) {
    EXPECT_FALSE(order_limit_in_message(other).has_value()) << other;
  }
}

TEST(ApiParserExchangeInfo, MalformedJsonFailsTheWholeMessage) {
  ApiParser parser;
  std::string broken(kExchangeInfo);
  broken.resize(broken.size() / 2);
  auto parsed = parser.parse_exchange_info(broken);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code(), ErrorCode::Corrupt);
  EXPECT_FALSE(parser.parse_exchange_info(R"({"serverTime":1})"));  // no symbols
  EXPECT_FALSE(parser.parse_exchange_info(
      R"({"symbols":[],"rateLimits":[{"rateLimitType":"ORDERS","interval":"WEEK","intervalNum":1,"limit":1}]})"));
  // A kind of limit the connector does not track is left out.
  auto other = parser.parse_exchange_info(
      R"({"symbols":[],"rateLimits":[{"rateLimitType":"CONNECTIONS","interval":"MINUTE","intervalNum":5,"limit":300}]})");
  ASSERT_TRUE(other) << other.error().describe();
  EXPECT_TRUE((*other)->rate_limits.empty());
}

TEST(ApiParserAccount, BalancesAreFreePlusLocked) {
  ApiParser parser;
  auto balances = parser.parse_account(R"({
    "makerCommission": 15, "takerCommission": 15, "buyerCommission": 0, "sellerCommission": 0,
    "commissionRates": {"maker": "0.00150000", "taker": "0.00150000", "buyer": "0.00000000", "seller": "0.00000000"},
    "canTrade": true, "canWithdraw": true, "canDeposit": true, "brokered": false,
    "requireSelfTradePrevention": false, "preventSor": false, "updateTime": 123456789, "accountType": "SPOT",
    "balances": [
      {"asset": "BTC", "free": "4723846.89208129", "locked": "0.00000000"},
      {"asset": "USDT", "free": "1000.50000000", "locked": "250.25000000"},
      {"asset": "AVERYLONGASSETCODE", "free": "1.00000000", "locked": "0.00000000"}
    ],
    "permissions": ["SPOT"], "uid": 354937868})");
  ASSERT_TRUE(balances) << balances.error().describe();
  ASSERT_EQ(balances->size(), 2u);
  EXPECT_EQ((*balances)[0], (model::Balance{model::Asset::truncating("BTC"), quantity("4723846.89208129"),
                                            quantity("4723846.89208129")}));
  EXPECT_EQ((*balances)[1],
            (model::Balance{model::Asset::truncating("USDT"), quantity("1250.75"), quantity("1000.5")}));
  EXPECT_EQ(parser.skipped_assets(), 1u);
}

TEST(ApiParserAccount, ErrorsNameTheBalanceAndMember) {
  ApiParser parser;
  auto balances = parser.parse_account(
      R"({"balances":[{"asset":"BTC","free":"1","locked":"0"},{"asset":"ETH","locked":"0"}]})");
  ASSERT_FALSE(balances);
  EXPECT_EQ(balances.error().message(), "account balances[1]: missing member \"free\"");
  balances = parser.parse_account(R"({"balances":[{"asset":"BTC","free":"-1","locked":"0"}]})");
  ASSERT_FALSE(balances);
  EXPECT_THAT(balances.error().message(),
              HasSubstr("account balances[0] member \"free\": \"-1\" is not non-negative"));
  balances = parser.parse_account(R"({"balances":[{"asset":"BTC","free":1.5,"locked":"0"}]})");
  ASSERT_FALSE(balances);
  EXPECT_THAT(balances.error().message(), HasSubstr("member \"free\": expected a string, got a number"));
  // An empty asset code is no asset: the message is refused, not booked under "" (found by
  // fuzz_binance_rest).
  balances = parser.parse_account(R"({"balances":[{"asset":"","free":"1","locked":"0"}]})");
  ASSERT_FALSE(balances);
  EXPECT_THAT(balances.error().message(), HasSubstr("member \"asset\": empty"));
  EXPECT_FALSE(parser.parse_account(R"({"canTrade":true})"));
  EXPECT_FALSE(parser.parse_account(R"([])"));
}

constexpr std::string_view kFullAnswer = R"({
  "symbol": "BTCUSDT",
  "orderId": 28,
  "orderListId": -1,
  "clientOrderId": "clbB0lz1abcdef12",
  "transactTime": 1507725176595,
  "price": "0.00000000",
  "origQty": "10.00000000",
  "executedQty": "10.00000000",
  "origQuoteOrderQty": "0.000000",
  "cummulativeQuoteQty": "10.00000000",
  "status": "FILLED",
  "timeInForce": "GTC",
  "type": "MARKET",
  "side": "SELL",
  "workingTime": 1507725176595,
  "selfTradePreventionMode": "NONE",
  "fills": [
    {"price": "4000.00000000", "qty": "1.00000000", "commission": "4.00000000", "commissionAsset": "USDT", "tradeId": 56},
    {"price": "3999.00000000", "qty": "5.00000000", "commission": "19.99500000", "commissionAsset": "USDT", "tradeId": 57},
    {"price": "3998.00000000", "qty": "4.00000000", "commission": "15.99200000", "commissionAsset": "USDT", "tradeId": 58}
  ]
})";

TEST(ApiParserOrder, FullAnswerCarriesTheFillsAsTakerFills) {
  ApiParser parser;
  auto parsed = parser.parse_order(kFullAnswer);
  ASSERT_TRUE(parsed) << parsed.error().describe();
  const OrderUpdate& order = **parsed;
  EXPECT_FALSE(order.ack_only);
  EXPECT_EQ(order.report.client_order_id, "clbB0lz1abcdef12");
  EXPECT_EQ(order.report.exchange_order_id, "28");
  EXPECT_EQ(order.report.symbol, "BTCUSDT");
  EXPECT_EQ(order.report.state, OrderState::Filled);
  EXPECT_EQ(order.report.cumulative_filled, quantity("10"));
  EXPECT_EQ(order.report.time, Timestamp::from_ms(1507725176595));
  EXPECT_EQ(order.side, model::Side::Sell);
  EXPECT_EQ(order.type, model::OrderType::Market);
  EXPECT_EQ(order.time_in_force, model::TimeInForce::GoodTillCancel);
  ASSERT_EQ(order.fills.size(), 3u);
  const model::Fill& fill = order.fills[1];
  EXPECT_EQ(fill.client_order_id, "clbB0lz1abcdef12");
  EXPECT_EQ(fill.exchange_order_id, "28");
  EXPECT_EQ(fill.trade_id, "57");
  EXPECT_EQ(fill.symbol, "BTCUSDT");
  EXPECT_EQ(fill.side, model::Side::Sell);
  EXPECT_EQ(fill.price, price("3999"));
  EXPECT_EQ(fill.quantity, quantity("5"));
  EXPECT_EQ(fill.fee, (model::Fee{model::Asset::truncating("USDT"), quantity("19.995")}));
  EXPECT_EQ(fill.liquidity, model::Liquidity::Taker);
  EXPECT_EQ(fill.time, Timestamp::from_ms(1507725176595));
}

TEST(ApiParserOrder, AckAnswerIsAnAcknowledgedOpenOrder) {
  ApiParser parser;
  auto parsed = parser.parse_order(
      R"({"symbol":"BTCUSDT","orderId":28,"orderListId":-1,"clientOrderId":"6gCrw2kRUAF9CvJDGP16IP","transactTime":1507725176595})");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_TRUE((*parsed)->ack_only);
  EXPECT_EQ((*parsed)->report.state, OrderState::Open);
  EXPECT_EQ((*parsed)->report.cumulative_filled, Quantity::zero());
  EXPECT_EQ((*parsed)->report.client_order_id, "6gCrw2kRUAF9CvJDGP16IP");
  EXPECT_TRUE((*parsed)->fills.empty());
}

TEST(ApiParserOrder, ResultAnswerAndExactDecimals) {
  ApiParser parser;
  auto parsed = parser.parse_order(
      R"({"symbol":"ETHBTC","orderId":4293153,"orderListId":-1,"clientOrderId":"clbS1","transactTime":1499405658657,)"
      R"("price":"0.10264410","origQty":"1.00000000","executedQty":"0.35000000","origQuoteOrderQty":"0.000000",)"
      R"("cummulativeQuoteQty":"0.03592543","status":"PARTIALLY_FILLED","timeInForce":"IOC","type":"LIMIT",)"
      R"("side":"BUY","workingTime":1499405658657,"selfTradePreventionMode":"NONE"})");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  const OrderUpdate& order = **parsed;
  EXPECT_EQ(order.report.state, OrderState::PartiallyFilled);
  EXPECT_EQ(order.price.raw(), 10'264'410);
  EXPECT_EQ(order.price.to_string(), "0.1026441");
  EXPECT_EQ(order.price.to_string(8), "0.10264410");  // round trip at the venue's precision
  EXPECT_EQ(order.cumulative_quote.to_string(8), "0.03592543");
  EXPECT_EQ(order.report.cumulative_filled, quantity("0.35"));
  EXPECT_EQ(order.time_in_force, model::TimeInForce::ImmediateOrCancel);
  EXPECT_EQ(order.type, model::OrderType::Limit);
}

TEST(ApiParserOrder, CancelAnswerNamesOurOrderByOrigClientOrderId) {
  ApiParser parser;
  auto parsed = parser.parse_order(
      R"({"symbol":"LTCBTC","origClientOrderId":"clbB0lz1abcdef12","orderId":4,"orderListId":-1,)"
      R"("clientOrderId":"cancelMyOrder1","transactTime":1684804350068,"price":"2.00000000","origQty":"1.00000000",)"
      R"("executedQty":"0.00000000","origQuoteOrderQty":"0.000000","cummulativeQuoteQty":"0.00000000",)"
      R"("status":"CANCELED","timeInForce":"GTC","type":"LIMIT","side":"BUY","selfTradePreventionMode":"NONE"})");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ((*parsed)->report.client_order_id, "clbB0lz1abcdef12");
  EXPECT_EQ((*parsed)->report.state, OrderState::Canceled);
  EXPECT_EQ((*parsed)->report.time, Timestamp::from_ms(1684804350068));
}

TEST(ApiParserOrder, QueryAnswerUsesUpdateTimeAndMapsOtherTypes) {
  ApiParser parser;
  auto parsed = parser.parse_order(
      R"({"symbol":"LTCBTC","orderId":1,"orderListId":-1,"clientOrderId":"myOrder1","price":"0.1","origQty":"1.0",)"
      R"("executedQty":"0.0","cummulativeQuoteQty":"0.0","status":"NEW","timeInForce":"GTC","type":"STOP_LOSS_LIMIT",)"
      R"("side":"BUY","stopPrice":"0.0","icebergQty":"0.0","time":1499827319559,"updateTime":1499827319560,)"
      R"("isWorking":true,"workingTime":1499827319559,"origQuoteOrderQty":"0.000000","selfTradePreventionMode":"NONE"})");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ((*parsed)->report.time, Timestamp::from_ms(1499827319560));
  EXPECT_EQ((*parsed)->report.state, OrderState::Open);
  EXPECT_FALSE((*parsed)->type.has_value());  // not a type colibri places
}

TEST(ApiParserOrder, EveryOrderStatusMaps) {
  const Quantity none = Quantity::zero();
  const Quantity some = quantity("0.5");
  EXPECT_EQ(*order_state_from("NEW", none), OrderState::Open);
  EXPECT_EQ(*order_state_from("PENDING_NEW", none), OrderState::Open);
  EXPECT_EQ(*order_state_from("PARTIALLY_FILLED", some), OrderState::PartiallyFilled);
  EXPECT_EQ(*order_state_from("FILLED", some), OrderState::Filled);
  EXPECT_EQ(*order_state_from("CANCELED", some), OrderState::Canceled);
  EXPECT_EQ(*order_state_from("PENDING_CANCEL", none), OrderState::Open);
  EXPECT_EQ(*order_state_from("PENDING_CANCEL", some), OrderState::PartiallyFilled);
  EXPECT_EQ(*order_state_from("REJECTED", none), OrderState::Failed);
  EXPECT_EQ(*order_state_from("EXPIRED", some), OrderState::Expired);
  EXPECT_EQ(*order_state_from("EXPIRED_IN_MATCH", none), OrderState::Expired);
  auto unknown = order_state_from("DONE", none);
  ASSERT_FALSE(unknown);
  EXPECT_THAT(unknown.error().message(), HasSubstr("\"DONE\""));
}

TEST(ApiParserOrder, ErrorsNameTheMemberAndTheOffendingText) {
  ApiParser parser;
  std::string bad(kFullAnswer);
  bad.replace(bad.find("\"3999.00000000\""), 15, "\"39.99.0\"");
  auto parsed = parser.parse_order(bad);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code(), ErrorCode::Corrupt);
  EXPECT_THAT(parsed.error().message(), HasSubstr("order fills[1] member \"price\""));
  EXPECT_THAT(parsed.error().message(), HasSubstr("39.99.0"));

  parsed = parser.parse_order(R"({"symbol":"BTCUSDT","orderId":"28","clientOrderId":"a","transactTime":1})");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message(), "order member \"orderId\": expected a number, got a string");
  parsed = parser.parse_order(R"({"symbol":"BTCUSDT","orderId":28,"clientOrderId":"a","status":"NEW"})");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message(), "order: missing member \"executedQty\"");
  parsed = parser.parse_order(R"({"symbol":"BTCUSDT","orderId":28,"orderId":29,"clientOrderId":"a"})");
  ASSERT_FALSE(parsed);
  EXPECT_THAT(parsed.error().message(), HasSubstr("duplicate member \"orderId\""));
  parsed = parser.parse_order(
      R"({"symbol":"BTCUSDT","orderId":28,"clientOrderId":"a","price":"1","origQty":"1","executedQty":"0",)"
      R"("cummulativeQuoteQty":"0","status":"WAITING","side":"BUY"})");
  ASSERT_FALSE(parsed);
  EXPECT_THAT(parsed.error().message(), HasSubstr("member \"status\": unknown order status \"WAITING\""));
  // Identifiers may not be empty (found by fuzz_binance_rest: an order without a symbol).
  std::string no_symbol(kFullAnswer);
  no_symbol.replace(no_symbol.find("\"BTCUSDT\""), 9, "\"\"");
  parsed = parser.parse_order(no_symbol);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message(), "order member \"symbol\": empty");
  EXPECT_FALSE(parser.parse_order(R"({"symbol":"BTCUSDT","orderId":-5,"clientOrderId":"a"})"));
  EXPECT_FALSE(parser.parse_order(R"({"symbol":"BTCUSDT","orderId":5,"clientOrderId":"a"} x)"));
  EXPECT_FALSE(parser.parse_order(std::string(R"({"symbol":"BTCUSDT","orderId":5,"clientOrderId":")") +
                                  std::string(40, 'x') + "\"}"));
}

TEST(ApiParserOpenOrders, ListsEveryOpenOrder) {
  ApiParser parser;
  auto parsed = parser.parse_open_orders(
      R"([{"symbol":"BTCUSDT","orderId":1,"orderListId":-1,"clientOrderId":"clbB1","price":"61000.00","origQty":"0.01",)"
      R"("executedQty":"0.00","cummulativeQuoteQty":"0","status":"NEW","timeInForce":"GTC","type":"LIMIT_MAKER",)"
      R"("side":"BUY","stopPrice":"0.0","icebergQty":"0.0","time":1,"updateTime":2,"isWorking":true,)"
      R"("workingTime":1,"origQuoteOrderQty":"0","selfTradePreventionMode":"NONE"},)"
      R"({"symbol":"BTCUSDT","orderId":2,"orderListId":-1,"clientOrderId":"clbS2","price":"62000.00","origQty":"0.01",)"
      R"("executedQty":"0.004","cummulativeQuoteQty":"248","status":"PARTIALLY_FILLED","timeInForce":"GTC",)"
      R"("type":"LIMIT","side":"SELL","time":3,"updateTime":4}])");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].report.client_order_id, "clbB1");
  EXPECT_EQ((*parsed)[0].type, model::OrderType::LimitMaker);
  EXPECT_EQ((*parsed)[0].report.state, OrderState::Open);
  EXPECT_EQ((*parsed)[1].report.state, OrderState::PartiallyFilled);
  EXPECT_EQ((*parsed)[1].report.cumulative_filled, quantity("0.004"));
  EXPECT_EQ((*parsed)[1].side, model::Side::Sell);
  EXPECT_TRUE(parser.parse_open_orders("[]")->empty());
  auto bad = parser.parse_open_orders(R"([{"symbol":"BTCUSDT"}])");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message(), HasSubstr("openOrders[0]: missing member"));
  EXPECT_FALSE(parser.parse_open_orders(R"({"symbol":"BTCUSDT"})"));
}

TEST(ApiParserOpenOrders, CancelAllAnswerListsTheCancelledOrdersByOurIds) {
  ApiParser parser;
  auto parsed = parser.parse_open_orders(
      R"([{"symbol":"BTCUSDT","origClientOrderId":"clbB1","orderId":11,"orderListId":-1,"clientOrderId":"pXLV6Hz6",)"
      R"("transactTime":1684804350068,"price":"61000.00","origQty":"0.01","executedQty":"0.002",)"
      R"("cummulativeQuoteQty":"122","status":"CANCELED","timeInForce":"GTC","type":"LIMIT","side":"BUY",)"
      R"("selfTradePreventionMode":"NONE"},)"
      R"({"symbol":"BTCUSDT","origClientOrderId":"clbS2","orderId":12,"orderListId":-1,"clientOrderId":"qAJ9",)"
      R"("transactTime":1684804350068,"price":"62000.00","origQty":"0.01","executedQty":"0","cummulativeQuoteQty":"0",)"
      R"("status":"CANCELED","timeInForce":"GTC","type":"LIMIT_MAKER","side":"SELL","selfTradePreventionMode":"NONE"}])");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].report.client_order_id, "clbB1");
  EXPECT_EQ((*parsed)[0].report.state, OrderState::Canceled);
  EXPECT_EQ((*parsed)[0].report.cumulative_filled, quantity("0.002"));
  EXPECT_EQ((*parsed)[1].report.client_order_id, "clbS2");
}

TEST(ApiParserMyTrades, FillsOfTheOrderAskedAbout) {
  ApiParser parser;
  const auto ours = model::ClientOrderId::truncating("clbB1");
  auto parsed = parser.parse_my_trades(
      R"([{"symbol":"BNBBTC","id":28457,"orderId":100234,"orderListId":-1,"price":"4.00000100","qty":"12.00000000",)"
      R"("quoteQty":"48.000012","commission":"10.10000000","commissionAsset":"BNB","time":1499865549590,)"
      R"("isBuyer":true,"isMaker":false,"isBestMatch":true},)"
      R"({"symbol":"BNBBTC","id":28458,"orderId":100234,"orderListId":-1,"price":"4.00000000","qty":"1.00000000",)"
      R"("quoteQty":"4","commission":"0","commissionAsset":"BNB","time":1499865549600,)"
      R"("isBuyer":true,"isMaker":true,"isBestMatch":true}])",
      ours);
  ASSERT_TRUE(parsed) << parsed.error().describe();
  ASSERT_EQ(parsed->size(), 2u);
  const model::Fill& first = (*parsed)[0];
  EXPECT_EQ(first.client_order_id, ours);
  EXPECT_EQ(first.exchange_order_id, "100234");
  EXPECT_EQ(first.trade_id, "28457");
  EXPECT_EQ(first.symbol, "BNBBTC");
  EXPECT_EQ(first.side, model::Side::Buy);
  EXPECT_EQ(first.price, price("4.000001"));
  EXPECT_EQ(first.quantity, quantity("12"));
  EXPECT_EQ(first.fee, (model::Fee{model::Asset::truncating("BNB"), quantity("10.1")}));
  EXPECT_EQ(first.liquidity, model::Liquidity::Taker);
  EXPECT_EQ(first.time, Timestamp::from_ms(1499865549590));
  EXPECT_EQ((*parsed)[1].liquidity, model::Liquidity::Maker);
  auto bad = parser.parse_my_trades(
      R"([{"symbol":"BNBBTC","id":1,"orderId":1,"price":"1","qty":"0",)"
      R"("commission":"0","commissionAsset":"BNB","time":1,"isBuyer":true,"isMaker":true}])",
      ours);
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message(), HasSubstr("myTrades[0] member \"qty\": \"0\" is not positive"));
}

TEST(ApiParserServerTime, ReadsServerTime) {
  ApiParser parser;
  EXPECT_EQ(*parser.parse_server_time(R"({"serverTime": 1499827319559})"), Timestamp::from_ms(1499827319559));
  EXPECT_FALSE(parser.parse_server_time(R"({"serverTime": -1})"));
  EXPECT_FALSE(parser.parse_server_time(R"({"serverTime": 1.5})"));
  // Keys are matched after unescaping; a bad escape in a key is malformed JSON.
  EXPECT_EQ(*parser.parse_server_time(R"({"\u0073erverTime": 1499827319559})"), Timestamp::from_ms(1499827319559));
  EXPECT_FALSE(parser.parse_server_time(R"({"server\qTime": 1499827319559})"));
  EXPECT_FALSE(parser.parse_server_time(R"({})"));
  EXPECT_FALSE(parser.parse_server_time(R"({"serverTime": 99999999999999999999})"));
}

TEST(ApiParserError, ReadsBinancesErrorBody) {
  ApiParser parser;
  auto error =
      parser.parse_error(R"({"code":-2010,"msg":"Account has insufficient balance for requested action."})");
  ASSERT_TRUE(error) << error.error().describe();
  EXPECT_EQ(error->code, -2010);
  EXPECT_EQ(error->message, "Account has insufficient balance for requested action.");
  EXPECT_TRUE(error->retry_after.is_none());
  EXPECT_FALSE(parser.parse_error(R"({"msg":"no code"})"));
  EXPECT_FALSE(parser.parse_error(R"(<html>502 Bad Gateway</html>)"));
  EXPECT_FALSE(parser.parse_error(R"({"code":99999999999,"msg":""})"));
}

constexpr std::string_view kNewReport = R"({
  "subscriptionId": 0,
  "event": {
    "e": "executionReport", "E": 1499405658658, "s": "ETHBTC", "c": "mUvoqJxFIILMdfAW5iGSOW", "S": "BUY",
    "o": "LIMIT", "f": "GTC", "q": "1.00000000", "p": "0.10264410", "P": "0.00000000", "F": "0.00000000",
    "g": -1, "C": "", "x": "NEW", "X": "NEW", "r": "NONE", "i": 4293153, "l": "0.00000000", "z": "0.00000000",
    "L": "0.00000000", "n": "0", "N": null, "T": 1499405658657, "t": -1, "v": 3, "I": 8641984, "w": true,
    "m": false, "M": false, "O": 1499405658657, "Z": "0.00000000", "Y": "0.00000000", "Q": "0.00000000",
    "W": 1499405658657, "V": "NONE"
  }
})";

TEST(ApiParserUserStream, NewExecutionReportAcknowledgesTheOrder) {
  ApiParser parser;
  auto parsed = parser.parse_user_stream(kNewReport);
  ASSERT_TRUE(parsed) << parsed.error().describe();
  const UserStreamMessage& m = **parsed;
  ASSERT_EQ(m.kind, UserStreamMessage::Kind::Event);
  EXPECT_EQ(m.subscription_id, 0);
  ASSERT_EQ(m.event.kind, UserEventKind::ExecutionReport);
  EXPECT_EQ(m.event.event_time, Timestamp::from_ms(1499405658658));
  const ExecutionReport& er = m.event.execution;
  EXPECT_EQ(er.execution, ExecutionType::New);
  EXPECT_EQ(er.reject_reason, "NONE");
  EXPECT_EQ(er.order.report.client_order_id, "mUvoqJxFIILMdfAW5iGSOW");
  EXPECT_EQ(er.order.report.exchange_order_id, "4293153");
  EXPECT_EQ(er.order.report.symbol, "ETHBTC");
  EXPECT_EQ(er.order.report.state, OrderState::Open);
  EXPECT_EQ(er.order.report.time, Timestamp::from_ms(1499405658657));
  EXPECT_EQ(er.order.price, price("0.1026441"));
  EXPECT_EQ(er.order.quantity, quantity("1"));
  EXPECT_EQ(er.order.type, model::OrderType::Limit);
  EXPECT_TRUE(er.order.fills.empty());
}

std::string report(std::string_view x, std::string_view status, std::string_view extra) {
  return fmt::format(
      R"({{"e":"executionReport","E":1723161255000,"s":"BTCUSDT","c":"clbB0lz1abcdef12","S":"SELL","o":"LIMIT_MAKER",)"
      R"("f":"GTC","q":"0.01000000","p":"61837.63000000","P":"0.00000000","F":"0.00000000","g":-1,"x":"{}","X":"{}",)"
      R"("r":"NONE","i":11619060599,"T":1723161254999,"I":1,"w":false,"M":false,"O":1723161254000,)"
      R"("Y":"0","Q":"0",{}}})",
      x, status, extra);
}

TEST(ApiParserUserStream, TradeCarriesOneFill) {
  ApiParser parser;
  auto parsed = parser.parse_user_stream(report(
      "TRADE", "PARTIALLY_FILLED",
      R"("C":"","l":"0.00400000","z":"0.00400000","L":"61837.63000000","n":"0.24735052","N":"USDT","t":3735683259,)"
      R"("m":true,"Z":"247.35052000")"));
  ASSERT_TRUE(parsed) << parsed.error().describe();
  const ExecutionReport& er = (*parsed)->event.execution;
  EXPECT_EQ(er.execution, ExecutionType::Trade);
  EXPECT_EQ(er.order.report.state, OrderState::PartiallyFilled);
  EXPECT_EQ(er.order.report.cumulative_filled, quantity("0.004"));
  EXPECT_EQ(er.order.cumulative_quote, quantity("247.35052"));
  EXPECT_EQ(er.order.type, model::OrderType::LimitMaker);
  ASSERT_EQ(er.order.fills.size(), 1u);
  const model::Fill& fill = er.order.fills[0];
  EXPECT_EQ(fill.client_order_id, "clbB0lz1abcdef12");
  EXPECT_EQ(fill.exchange_order_id, "11619060599");
  EXPECT_EQ(fill.trade_id, "3735683259");
  EXPECT_EQ(fill.symbol, "BTCUSDT");
  EXPECT_EQ(fill.side, model::Side::Sell);
  EXPECT_EQ(fill.price, price("61837.63"));
  EXPECT_EQ(fill.quantity, quantity("0.004"));
  EXPECT_EQ(fill.fee, (model::Fee{model::Asset::truncating("USDT"), quantity("0.24735052")}));
  EXPECT_EQ(fill.liquidity, model::Liquidity::Maker);
  EXPECT_EQ(fill.time, Timestamp::from_ms(1723161254999));
}

TEST(ApiParserUserStream, FillingTradeEndsTheOrder) {
  ApiParser parser;
  auto parsed = parser.parse_user_stream(report(
      "TRADE", "FILLED",
      R"("C":"","l":"0.00600000","z":"0.01000000","L":"61837.63000000","n":"0","N":"BNB","t":3735683260,"m":true,"Z":"0")"));
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ((*parsed)->event.execution.order.report.state, OrderState::Filled);
  EXPECT_EQ((*parsed)->event.execution.order.fills[0].fee.asset, "BNB");
}

TEST(ApiParserUserStream, CancelReportNamesTheCancelledOrderByC) {
  ApiParser parser;
  auto parsed = parser.parse_user_stream(report(
      "CANCELED", "CANCELED",
      R"("c":"web_cancel_request","C":"clbB0lz1abcdef12","l":"0","z":"0.004","L":"0","n":"0","N":null,"t":-1,)"
      R"("m":false,"Z":"247.35052")"));
  // "c" appears twice in this fixture (report() writes one): Binance never does; the parser refuses.
  ASSERT_FALSE(parsed);
  EXPECT_THAT(parsed.error().message(), HasSubstr("duplicate member \"c\""));

  const std::string cancel =
      R"({"e":"executionReport","E":2,"s":"BTCUSDT","c":"web_cancel_request","C":"clbB0lz1abcdef12","S":"BUY",)"
      R"("o":"LIMIT","f":"GTC","q":"0.01","p":"61000","x":"CANCELED","X":"CANCELED","r":"NONE","i":7,"l":"0",)"
      R"("z":"0.004","L":"0","n":"0","N":null,"T":1,"t":-1,"m":false,"Z":"244"})";
  parsed = parser.parse_user_stream(cancel);
  ASSERT_TRUE(parsed) << parsed.error().describe();
  const ExecutionReport& er = (*parsed)->event.execution;
  EXPECT_EQ(er.execution, ExecutionType::Canceled);
  EXPECT_EQ(er.order.report.client_order_id, "clbB0lz1abcdef12");
  EXPECT_EQ(er.order.report.state, OrderState::Canceled);
  EXPECT_EQ(er.order.report.cumulative_filled, quantity("0.004"));
  EXPECT_TRUE(er.order.fills.empty());
}

TEST(ApiParserUserStream, EveryExecutionTypeMaps) {
  struct Case {
    std::string_view x;
    std::string_view status;
    ExecutionType type;
    OrderState state;
  };
  const Case cases[] = {
      {"NEW", "NEW", ExecutionType::New, OrderState::Open},
      {"CANCELED", "CANCELED", ExecutionType::Canceled, OrderState::Canceled},
      {"REPLACED", "NEW", ExecutionType::Replaced, OrderState::Open},
      {"REJECTED", "REJECTED", ExecutionType::Rejected, OrderState::Failed},
      {"EXPIRED", "EXPIRED", ExecutionType::Expired, OrderState::Expired},
      {"TRADE_PREVENTION", "EXPIRED_IN_MATCH", ExecutionType::TradePrevention, OrderState::Expired},
      {"AMENDMENT", "NEW", ExecutionType::Other, OrderState::Open},
  };
  ApiParser parser;
  for (const Case& c : cases) {
    auto parsed = parser.parse_user_stream(
        report(c.x, c.status, R"("C":"","l":"0","z":"0","L":"0","n":"0","N":null,"t":-1,"m":false,"Z":"0")"));
    ASSERT_TRUE(parsed) << c.x << ": " << parsed.error().describe();
    EXPECT_EQ((*parsed)->event.execution.execution, c.type) << c.x;
    EXPECT_EQ(to_string((*parsed)->event.execution.execution),
              c.type == ExecutionType::Other ? "OTHER" : c.x);
    EXPECT_EQ((*parsed)->event.execution.order.report.state, c.state) << c.x;
    EXPECT_TRUE((*parsed)->event.execution.order.fills.empty());
  }
}

TEST(ApiParserUserStream, MalformedReportsNameTheMember) {
  ApiParser parser;
  auto parsed = parser.parse_user_stream(
      report("TRADE", "FILLED",
             R"("C":"","l":"0.006","z":"0.01","L":"61837.6.3","n":"0","N":"BNB","t":1,"m":true,"Z":"0")"));
  ASSERT_FALSE(parsed);
  EXPECT_THAT(parsed.error().message(), HasSubstr("executionReport member \"L\""));
  EXPECT_THAT(parsed.error().message(), HasSubstr("61837.6.3"));
  parsed = parser.parse_user_stream(
      report("TRADE", "FILLED",
             R"("C":"","l":"0.006","z":"0.01","L":"1","n":"0.1","N":null,"t":1,"m":true,"Z":"0")"));
  ASSERT_FALSE(parsed);
  EXPECT_THAT(parsed.error().message(), HasSubstr("member \"N\": null with a commission of 0.1"));
  parsed = parser.parse_user_stream(
      report("TRADE", "FILLED",
             R"("C":"","l":"0.006","z":"0.01","L":"1","n":"0","N":"BNB","t":-1,"m":true,"Z":"0")"));
  ASSERT_FALSE(parsed);
  EXPECT_THAT(parsed.error().message(), HasSubstr("member \"t\": -1 is outside"));
  parsed = parser.parse_user_stream(report(
      "NEW", "NEW", R"("C":"","l":"0","z":"0","L":"0","n":"0","N":null,"t":-1,"m":false,"Z":"0","i":5)"));
  ASSERT_FALSE(parsed);
  parsed = parser.parse_user_stream(R"({"e":"executionReport","E":1})");
  ASSERT_FALSE(parsed);
  EXPECT_THAT(parsed.error().message(), HasSubstr("executionReport: missing member"));
  EXPECT_FALSE(parser.parse_user_stream(R"({"e":"executionReport")"));
  EXPECT_FALSE(parser.parse_user_stream(R"([1,2])"));
  EXPECT_FALSE(parser.parse_user_stream(""));
}

TEST(ApiParserUserStream, AccountPositionBalanceUpdateAndTermination) {
  ApiParser parser;
  auto parsed = parser.parse_user_stream(
      R"({"subscriptionId":3,"event":{"e":"outboundAccountPosition","E":1564034571105,"u":1564034571073,)"
      R"("B":[{"a":"ETH","f":"10000.000000","l":"0.000000"},{"a":"USDT","f":"89.01995974","l":"703.69807400"}]}})");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ((*parsed)->subscription_id, 3);
  ASSERT_EQ((*parsed)->event.kind, UserEventKind::AccountPosition);
  ASSERT_EQ((*parsed)->event.balances.size(), 2u);
  EXPECT_EQ(
      (*parsed)->event.balances[1],
      (model::Balance{model::Asset::truncating("USDT"), quantity("792.71803374"), quantity("89.01995974")}));

  parsed = parser.parse_user_stream(
      R"({"subscriptionId":0,"event":{"e":"balanceUpdate","E":1573200697110,"a":"BTC","d":"-100.00000000","T":1573200697068}})");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  ASSERT_EQ((*parsed)->event.kind, UserEventKind::BalanceUpdate);
  EXPECT_EQ((*parsed)->event.balance_delta.asset, "BTC");
  EXPECT_EQ((*parsed)->event.balance_delta.delta, quantity("-100"));
  EXPECT_EQ((*parsed)->event.balance_delta.clear_time, Timestamp::from_ms(1573200697068));

  parsed = parser.parse_user_stream(
      R"({"subscriptionId":0,"event":{"e":"balanceUpdate","E":1573200697110,"a":"","d":"1","T":1573200697068}})");
  ASSERT_FALSE(parsed);
  EXPECT_THAT(parsed.error().message(), HasSubstr("member \"a\": empty"));

  parsed = parser.parse_user_stream(
      R"({"subscriptionId":0,"event":{"e":"eventStreamTerminated","E":1728973001334}})");
  ASSERT_TRUE(parsed);
  EXPECT_EQ((*parsed)->event.kind, UserEventKind::StreamTerminated);
  EXPECT_EQ((*parsed)->event.event_time, Timestamp::from_ms(1728973001334));

  parsed = parser.parse_user_stream(
      R"({"subscriptionId":0,"event":{"e":"listStatus","E":1564035303637,"s":"ETHBTC","g":2,"c":"OCO",)"
      R"("l":"EXEC_STARTED","L":"EXECUTING","r":"NONE","C":"F4QN4G8DlFATFlIUQ0cjdD","T":1564035303625,)"
      R"("O":[{"s":"ETHBTC","i":17,"c":"AJYsMjErWJesZvqlJCTUgL"}]}})");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ((*parsed)->event.kind, UserEventKind::Other);
  EXPECT_EQ((*parsed)->event.event_type, "listStatus");
}

TEST(ApiParserUserStream, BareEventsAndTheListenKeyEnvelopeAlsoParse) {
  ApiParser parser;
  auto parsed = parser.parse_user_stream(R"({"e":"balanceUpdate","E":1,"a":"BNB","d":"0.5","T":1})");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ((*parsed)->subscription_id, -1);
  EXPECT_EQ((*parsed)->event.kind, UserEventKind::BalanceUpdate);
  parsed = parser.parse_user_stream(
      R"({"stream":"pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1","data":)"
      R"({"e":"outboundAccountPosition","E":1,"u":1,"B":[{"a":"BTC","f":"0.00046913","l":"0.00000000"}]}})");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  ASSERT_EQ((*parsed)->event.balances.size(), 1u);
  EXPECT_EQ((*parsed)->event.balances[0].total, quantity("0.00046913"));
}

TEST(ApiParserUserStream, WebSocketApiResponses) {
  ApiParser parser;
  auto parsed = parser.parse_user_stream(
      R"({"id":"uds-1","status":200,"result":{"subscriptionId":0},"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT",)"
      R"("interval":"MINUTE","intervalNum":1,"limit":6000,"count":2}]})");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  ASSERT_EQ((*parsed)->kind, UserStreamMessage::Kind::Response);
  const WsApiResponse& subscribed = (*parsed)->response;
  EXPECT_TRUE(subscribed.ok());
  EXPECT_EQ(subscribed.id, "uds-1");
  EXPECT_EQ(subscribed.subscription_id, 0);
  ASSERT_EQ(subscribed.rate_limits.size(), 1u);
  EXPECT_EQ(subscribed.rate_limits[0].count, 2);
  EXPECT_EQ(subscribed.rate_limits[0].pool_id(), "REQUEST_WEIGHT");

  parsed = parser.parse_user_stream(R"({"id":7,"status":200,"result":{"serverTime":1656400526260}})");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ((*parsed)->response.id, "7");
  EXPECT_EQ((*parsed)->response.server_time, Timestamp::from_ms(1656400526260));
  EXPECT_FALSE((*parsed)->response.subscription_id.has_value());

  parsed = parser.parse_user_stream(R"({"id":"x","status":200,"result":{}})");
  ASSERT_TRUE(parsed);
  EXPECT_TRUE((*parsed)->response.ok());

  parsed = parser.parse_user_stream(
      R"({"id":"uds-2","status":400,"error":{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}})");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  const WsApiResponse& rejected = (*parsed)->response;
  EXPECT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.status, 400);
  ASSERT_TRUE(rejected.error.has_value());
  EXPECT_EQ(rejected.error->code, -1021);
  EXPECT_THAT(rejected.error->message, HasSubstr("recvWindow"));

  parsed = parser.parse_user_stream(
      R"({"id":"fc93a61a-a192-4cf4-bb2a-a8f0f0c51e06","status":418,"error":{"code":-1003,"msg":"Way too much request )"
      R"(weight used; IP banned until 1659146400000. Please use WebSocket Streams for live updates to avoid bans.",)"
      R"("data":{"serverTime":1659142907531,"retryAfter":1659146400000}},"rateLimits":[{"rateLimitType":)"
      R"("REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":1200,"count":2411}]})");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ((*parsed)->response.status, 418);
  EXPECT_EQ((*parsed)->response.error->retry_after, Timestamp::from_ms(1659146400000));
  EXPECT_EQ((*parsed)->response.rate_limits[0].count, 2411);

  EXPECT_FALSE(parser.parse_user_stream(R"({"id":"x","status":"200"})"));
  EXPECT_FALSE(parser.parse_user_stream(R"({"id":"x","status":200,"error":"bad"})"));
}

}  // namespace
}  // namespace colibri::venue::binance
