#include "colibri/venue/binance/requests.h"

#include <array>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "colibri/testing/markets.h"

namespace colibri::venue::binance {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Binance's published example keys (REST and WebSocket API "SIGNED request example (HMAC)").
const Secret kSecret{"NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"};
const Secret kApiKey{"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"};
constexpr Timestamp kNow = Timestamp::from_ms(1723161254000);

model::OrderRequest limit_buy() {
  model::OrderRequest r;
  r.client_order_id = model::ClientOrderId::truncating("clbB0lz1abcdef12");
  r.symbol = model::Symbol::truncating("BTCUSDT");
  r.side = model::Side::Buy;
  r.type = model::OrderType::Limit;
  r.price = *Price::parse("61837.63");
  r.quantity = *Quantity::parse("0.015");
  return r;
}

// Signatures below were computed independently:
//   echo -n '<payload>' | openssl dgst -hex -sha256 -hmac '<kSecret>'
TEST(RequestBuilder, LimitOrderIsSignedOverTheExactQueryString) {
  RequestBuilder builder;
  auto query =
      builder.place_order(limit_buy(), testing::btcusdt_rules(), OrderResponseType::Full, kNow, kSecret);
  ASSERT_TRUE(query) << query.error().describe();
  EXPECT_EQ(*query,
            "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.015&price=61837.63"
            "&newClientOrderId=clbB0lz1abcdef12&newOrderRespType=FULL&recvWindow=5000&timestamp=1723161254000"
            "&signature=9f4adca173d75c075d34fee86af446734a145b0399cffe1f8732d4b5d157c5b1");
}

TEST(RequestBuilder, PricesAndQuantitiesAreWrittenAtTheInstrumentsPrecision) {
  model::TradingRules rules = testing::btcusdt_rules();
  rules.tick_size = *Price::parse("0.10");
  rules.lot_size = *Quantity::parse("0.00001");
  model::OrderRequest order = limit_buy();
  order.price = *Price::parse("61837.6");
  order.quantity = *Quantity::parse("2");
  RequestBuilder builder;
  auto query = builder.place_order(order, rules, OrderResponseType::Ack, kNow, kSecret);
  ASSERT_TRUE(query) << query.error().describe();
  EXPECT_THAT(std::string(*query), HasSubstr("&quantity=2.00000&price=61837.6&"));
  EXPECT_THAT(std::string(*query), HasSubstr("&newOrderRespType=ACK&"));
}

TEST(RequestBuilder, LimitMakerSendsNoTimeInForceAndMarketNoPrice) {
  RequestBuilder builder;
  model::OrderRequest maker = limit_buy();
  maker.type = model::OrderType::LimitMaker;
  maker.side = model::Side::Sell;
  auto query = builder.place_order(maker, testing::btcusdt_rules(), OrderResponseType::Result, kNow, kSecret);
  ASSERT_TRUE(query);
  EXPECT_THAT(std::string(*query),
              HasSubstr("symbol=BTCUSDT&side=SELL&type=LIMIT_MAKER&quantity=0.015&price=61837.63&"));
  EXPECT_THAT(std::string(*query), Not(HasSubstr("timeInForce")));

  model::OrderRequest market = limit_buy();
  market.type = model::OrderType::Market;
  market.price = Price::zero();
  query = builder.place_order(market, testing::btcusdt_rules(), OrderResponseType::Full, kNow, kSecret);
  ASSERT_TRUE(query);
  EXPECT_THAT(std::string(*query),
              HasSubstr("symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.015&newClientOrderId="));
  EXPECT_THAT(std::string(*query), Not(HasSubstr("price")));
}

TEST(RequestBuilder, ImmediateOrCancelAndFillOrKill) {
  RequestBuilder builder;
  model::OrderRequest order = limit_buy();
  order.time_in_force = model::TimeInForce::ImmediateOrCancel;
  EXPECT_THAT(std::string(*builder.place_order(order, testing::btcusdt_rules(), OrderResponseType::Full, kNow,
                                               kSecret)),
              HasSubstr("&timeInForce=IOC&"));
  order.time_in_force = model::TimeInForce::FillOrKill;
  EXPECT_THAT(std::string(*builder.place_order(order, testing::btcusdt_rules(), OrderResponseType::Full, kNow,
                                               kSecret)),
              HasSubstr("&timeInForce=FOK&"));
}

TEST(RequestBuilder, RefusesOrdersOffTheTickOrLotInsteadOfRounding) {
  RequestBuilder builder;
  const model::TradingRules rules = testing::btcusdt_rules();
  model::OrderRequest order = limit_buy();
  order.price = *Price::parse("61837.635");
  auto query = builder.place_order(order, rules, OrderResponseType::Full, kNow, kSecret);
  ASSERT_FALSE(query);
  EXPECT_EQ(query.error().code(), ErrorCode::InvalidArgument);
  EXPECT_THAT(query.error().message(),
              HasSubstr("price 61837.635 is not a positive multiple of the tick 0.01"));

  order = limit_buy();
  order.quantity = *Quantity::parse("0.0155");
  query = builder.place_order(order, rules, OrderResponseType::Full, kNow, kSecret);
  ASSERT_FALSE(query);
  EXPECT_THAT(query.error().message(), HasSubstr("quantity 0.0155"));

  order = limit_buy();
  order.quantity = Quantity::zero();
  EXPECT_FALSE(builder.place_order(order, rules, OrderResponseType::Full, kNow, kSecret));
  order = limit_buy();
  order.price = Price::zero();
  EXPECT_FALSE(builder.place_order(order, rules, OrderResponseType::Full, kNow, kSecret));
  order = limit_buy();
  order.symbol = model::Symbol::truncating("ETHUSDT");
  query = builder.place_order(order, rules, OrderResponseType::Full, kNow, kSecret);
  ASSERT_FALSE(query);
  EXPECT_THAT(query.error().message(), HasSubstr("symbol \"ETHUSDT\" is not the rules' \"BTCUSDT\""));
  order = limit_buy();
  order.client_order_id = model::ClientOrderId{};
  EXPECT_FALSE(builder.place_order(order, rules, OrderResponseType::Full, kNow, kSecret));
  order.client_order_id = model::ClientOrderId::truncating("clb order#1");
  query = builder.place_order(order, rules, OrderResponseType::Full, kNow, kSecret);
  ASSERT_FALSE(query);
  EXPECT_THAT(query.error().message(),
              HasSubstr("client order id \"clb order#1\" has a character Binance refuses"));
  order.client_order_id = model::ClientOrderId::truncating("x.A:/z_0-9");  // every kind Binance allows
  EXPECT_TRUE(builder.place_order(order, rules, OrderResponseType::Full, kNow, kSecret));
}

TEST(RequestBuilder, CancelAndQueryNameTheOrderByOurId) {
  RequestBuilder builder;
  const auto symbol = model::Symbol::truncating("BTCUSDT");
  const auto id = model::ClientOrderId::truncating("clbB0lz1abcdef12");
  const std::string expected =
      "symbol=BTCUSDT&origClientOrderId=clbB0lz1abcdef12&recvWindow=5000&timestamp=1723161254000"
      "&signature=518236752ecbbe15091b2bdc3cd24d7bda2901ddc2445f65e5c3de01a96222f3";
  EXPECT_EQ(*builder.cancel_order(symbol, id, kNow, kSecret), expected);
  EXPECT_EQ(*builder.query_order(symbol, id, kNow, kSecret), expected);
  EXPECT_FALSE(builder.cancel_order(model::Symbol{}, id, kNow, kSecret));
  EXPECT_FALSE(builder.query_order(symbol, model::ClientOrderId{}, kNow, kSecret));
}

TEST(RequestBuilder, AccountOpenOrdersAndTrades) {
  RequestBuilder builder;
  EXPECT_THAT(std::string(builder.account(kNow, kSecret)),
              HasSubstr("omitZeroBalances=true&recvWindow=5000&timestamp=1723161254000&signature="));
  EXPECT_THAT(std::string(builder.open_orders(model::Symbol::truncating("BTCUSDT"), kNow, kSecret)),
              HasSubstr("symbol=BTCUSDT&recvWindow=5000&"));
  EXPECT_THAT(std::string(builder.open_orders(model::Symbol{}, kNow, kSecret)),
              ::testing::StartsWith("recvWindow=5000&timestamp="));
  auto trades = builder.my_trades(model::Symbol::truncating("BTCUSDT"),
                                  model::ExchangeOrderId::truncating("28"), kNow, kSecret);
  ASSERT_TRUE(trades);
  EXPECT_THAT(std::string(*trades), ::testing::StartsWith("symbol=BTCUSDT&orderId=28&recvWindow=5000&"));
}

TEST(RequestBuilder, RecvWindowMayCarryMicroseconds) {
  RequestBuilder builder(std::chrono::microseconds(6'000'346));
  EXPECT_THAT(std::string(builder.account(kNow, kSecret)), HasSubstr("&recvWindow=6000.346&"));
}

TEST(RequestBuilder, ExchangeInfoSymbolsArePercentEncoded) {
  RequestBuilder builder;
  const std::array symbols = {model::Symbol::truncating("BTCUSDT"), model::Symbol::truncating("ETHUSDT")};
  EXPECT_EQ(*builder.exchange_info(symbols), "symbols=%5B%22BTCUSDT%22%2C%22ETHUSDT%22%5D");
  EXPECT_EQ(*builder.exchange_info({}), "");
  const std::array odd = {model::Symbol::truncating("BTC\"USDT")};
  EXPECT_FALSE(builder.exchange_info(odd));
}

TEST(RequestBuilder, DepthLimitMustBeWithinBinancesRange) {
  RequestBuilder builder;
  EXPECT_EQ(*builder.depth(model::Symbol::truncating("BTCUSDT"), 1000), "symbol=BTCUSDT&limit=1000");
  EXPECT_FALSE(builder.depth(model::Symbol::truncating("BTCUSDT"), 0));
  EXPECT_FALSE(builder.depth(model::Symbol::truncating("BTCUSDT"), 5001));
}

TEST(PercentEncode, KeepsUnreservedCharactersAndEncodesEverythingElse) {
  std::string out;
  percent_encode("AZaz09-_.~", out);
  EXPECT_EQ(out, "AZaz09-_.~");
  out.clear();
  percent_encode("a b&c=d/\"[]%+", out);
  EXPECT_EQ(out, "a%20b%26c%3Dd%2F%22%5B%5D%25%2B");
  out.clear();
  percent_encode("\xe8\xbf\x99", out);  // UTF-8 bytes, as Binance's example for non-ASCII symbols
  EXPECT_EQ(out, "%E8%BF%99");
}

TEST(WsApiRequest, ReproducesBinancesPublishedSignedExample) {
  // WebSocket API "SIGNED request example (HMAC)": order.place with these params.
  const std::array params = {
      WsParam{"symbol", "BTCUSDT"},
      WsParam{"side", "SELL"},
      WsParam{"type", "LIMIT"},
      WsParam{"timeInForce", "GTC"},
      WsParam{"quantity", "0.01000000"},
      WsParam{"price", "52000.00"},
      WsParam{"newOrderRespType", "ACK"},
      WsParam{"recvWindow", "100", false},
      WsParam{"timestamp", "1645423376532", false},
      WsParam{"apiKey", kApiKey.reveal()},
  };
  auto json = ws_api_request("4885f793-e5ad-4c3b-8f6c-55d891472b71", "order.place", params, &kSecret);
  ASSERT_TRUE(json) << json.error().describe();
  EXPECT_EQ(
      *json,
      R"({"id":"4885f793-e5ad-4c3b-8f6c-55d891472b71","method":"order.place","params":{"symbol":"BTCUSDT",)"
      R"("side":"SELL","type":"LIMIT","timeInForce":"GTC","quantity":"0.01000000","price":"52000.00",)"
      R"("newOrderRespType":"ACK","recvWindow":100,"timestamp":1645423376532,)"
      R"("apiKey":"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",)"
      R"("signature":"cc15477742bd704c29492d96c7ead9414dfd8e0ec4a00f947bb5bb454ddbd08a"}})");
}

TEST(WsApiRequest, SubscribesToTheUserDataStreamWithASortedSignedPayload) {
  // echo -n 'apiKey=<kApiKey>&recvWindow=5000&timestamp=1723161254000' | openssl dgst -sha256 -hmac ...
  auto json = ws_subscribe_user_data("uds-1", kApiKey, kSecret, kNow);
  ASSERT_TRUE(json) << json.error().describe();
  EXPECT_EQ(
      *json,
      R"({"id":"uds-1","method":"userDataStream.subscribe.signature","params":{)"
      R"("apiKey":"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A","recvWindow":5000,)"
      R"("timestamp":1723161254000,)"
      R"("signature":"a7b248ca4af7c85648e4391dc8586b0a5ae1a7c8488c5426d5d0cf2ae36187f1"}})");
}

TEST(WsApiRequest, TimeRequestHasNoParams) {
  EXPECT_EQ(*ws_time_request("t-7"), R"({"id":"t-7","method":"time"})");
}

TEST(WsApiRequest, RefusesValuesItCannotSignUnambiguouslyWithoutShowingThem) {
  const Secret bad_key{"key with spaces \"and quotes\""};
  auto json = ws_subscribe_user_data("uds-1", bad_key, kSecret, kNow);
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().code(), ErrorCode::InvalidArgument);
  EXPECT_THAT(json.error().message(), HasSubstr("\"apiKey\""));
  EXPECT_THAT(json.error().message(), Not(HasSubstr("spaces")));
  EXPECT_FALSE(ws_time_request("id with space"));
  EXPECT_FALSE(ws_time_request(""));
  const std::array twice = {WsParam{"a", "1"}, WsParam{"a", "2"}};
  EXPECT_FALSE(ws_api_request("x", "m", twice, &kSecret));
  const std::array not_number = {WsParam{"recvWindow", "5e3", false}};
  EXPECT_FALSE(ws_api_request("x", "m", not_number, nullptr));
  const std::array reserved = {WsParam{"signature", "abc"}};
  EXPECT_FALSE(ws_api_request("x", "m", reserved, &kSecret));
}

}  // namespace
}  // namespace colibri::venue::binance
