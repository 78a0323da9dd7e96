// The Binance protocol on the order path (DESIGN.md budget: depth frame -> order request bytes,
// p99 <= 5 us; this is the request-building and answer-parsing part of it):
//
//   BM_PlaceOrderQuery        RequestBuilder::place_order: a LIMIT order's query string, percent-
//                             encoded, formatted at the instrument's precision and HMAC-SHA256 signed
//   BM_SignOnly               the HMAC-SHA256 of that query string alone (RequestSigner, keyed once)
//   BM_SignKeyingEachTime     the same keying the secret for every signature (sign_hmac_sha256)
//   BM_ExecutionReportTrade   ApiParser::parse_user_stream of an executionReport with a fill (the
//                             most frequent user-stream frame while quoting)
//   BM_OrderAnswerFull        ApiParser::parse_order of a FULL answer with two fills
//   BM_ExchangeInfoSymbol     parse_exchange_info of a one-symbol answer (start-up path)

#include <array>
#include <string>

#include <benchmark/benchmark.h>

#include "colibri/testing/markets.h"
#include "colibri/venue/binance/api_parser.h"
#include "colibri/venue/binance/requests.h"
#include "colibri/venue/binance/signing.h"

namespace colibri::venue::binance {
namespace {

const Secret kSecret{"NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"};

model::OrderRequest order() {
  model::OrderRequest r;
  r.client_order_id = model::ClientOrderId::truncating("clbB0lz1abcdef12");
  r.symbol = model::Symbol::truncating("BTCUSDT");
  r.price = *Price::parse("61837.63");
  r.quantity = *Quantity::parse("0.015");
  return r;
}

void BM_PlaceOrderQuery(benchmark::State& state) {
  RequestBuilder builder(kSecret);
  const model::TradingRules rules = testing::btcusdt_rules();
  const model::OrderRequest request = order();
  Timestamp now = Timestamp::from_ms(1723161254000);
  for (auto _ : state) {
    now += std::chrono::milliseconds(1);
    auto query = builder.place_order(request, rules, OrderResponseType::Full, now);
    benchmark::DoNotOptimize(query);
  }
}
BENCHMARK(BM_PlaceOrderQuery);

void BM_SignOnly(benchmark::State& state) {
  RequestBuilder builder(kSecret);
  const std::string query(*builder.place_order(order(), testing::btcusdt_rules(), OrderResponseType::Full,
                                               Timestamp::from_ms(1723161254000)));
  const RequestSigner signer(kSecret);
  std::array<char, kSignatureHexDigits> out{};
  for (auto _ : state) {
    signer.sign(query, out);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_SignOnly);

void BM_SignKeyingEachTime(benchmark::State& state) {
  const std::string query(200, 'q');
  for (auto _ : state) {
    auto signature = sign_hmac_sha256(kSecret, query);
    benchmark::DoNotOptimize(signature);
  }
}
BENCHMARK(BM_SignKeyingEachTime);

void BM_ExecutionReportTrade(benchmark::State& state) {
  const std::string json =
      R"({"subscriptionId":0,"event":{"e":"executionReport","E":1723161255000,"s":"BTCUSDT","c":"clbB0lz1abcdef12",)"
      R"("S":"SELL","o":"LIMIT_MAKER","f":"GTC","q":"0.01000000","p":"61837.63000000","P":"0.00000000",)"
      R"("F":"0.00000000","g":-1,"C":"","x":"TRADE","X":"PARTIALLY_FILLED","r":"NONE","i":11619060599,)"
      R"("l":"0.00400000","z":"0.00400000","L":"61837.63000000","n":"0.24735052","N":"USDT","T":1723161254999,)"
      R"("t":3735683259,"I":1,"w":false,"m":true,"M":false,"O":1723161254000,"Z":"247.35052000","Y":"247.35052",)"
      R"("Q":"0.00000000","W":1723161254000,"V":"EXPIRE_MAKER"}})";
  ApiParser parser;
  for (auto _ : state) {
    auto parsed = parser.parse_user_stream(json);
    if (!parsed) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * json.size()));
}
BENCHMARK(BM_ExecutionReportTrade);

void BM_OrderAnswerFull(benchmark::State& state) {
  const std::string json =
      R"({"symbol":"BTCUSDT","orderId":28,"orderListId":-1,"clientOrderId":"clbB0lz1abcdef12",)"
      R"("transactTime":1507725176595,"price":"61837.63000000","origQty":"0.01500000","executedQty":"0.01500000",)"
      R"("origQuoteOrderQty":"0.000000","cummulativeQuoteQty":"927.56445000","status":"FILLED","timeInForce":"GTC",)"
      R"("type":"LIMIT","side":"BUY","workingTime":1507725176595,"selfTradePreventionMode":"NONE","fills":[)"
      R"({"price":"61837.63000000","qty":"0.01000000","commission":"0.00001000","commissionAsset":"BTC","tradeId":56},)"
      R"({"price":"61837.63000000","qty":"0.00500000","commission":"0.00000500","commissionAsset":"BTC","tradeId":57}]})";
  ApiParser parser;
  for (auto _ : state) {
    auto parsed = parser.parse_order(json);
    if (!parsed) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_OrderAnswerFull);

void BM_ExchangeInfoSymbol(benchmark::State& state) {
  const std::string json =
      R"({"timezone":"UTC","serverTime":1723161254123,"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT",)"
      R"("interval":"MINUTE","intervalNum":1,"limit":6000}],"exchangeFilters":[],"symbols":[{"symbol":"BTCUSDT",)"
      R"("status":"TRADING","baseAsset":"BTC","quoteAsset":"USDT","orderTypes":["LIMIT","LIMIT_MAKER","MARKET"],)"
      R"("filters":[{"filterType":"PRICE_FILTER","minPrice":"0.01000000","maxPrice":"1000000.00000000",)"
      R"("tickSize":"0.01000000"},{"filterType":"LOT_SIZE","minQty":"0.00001000","maxQty":"9000.00000000",)"
      R"("stepSize":"0.00001000"},{"filterType":"NOTIONAL","minNotional":"5.00000000","applyMinToMarket":true,)"
      R"("maxNotional":"9000000.00000000","applyMaxToMarket":false,"avgPriceMins":5}]}]})";
  ApiParser parser;
  for (auto _ : state) {
    auto parsed = parser.parse_exchange_info(json);
    if (!parsed) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_ExchangeInfoSymbol);

}  // namespace
}  // namespace colibri::venue::binance
BENCHMARK_MAIN();
