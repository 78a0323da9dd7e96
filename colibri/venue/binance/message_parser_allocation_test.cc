// Counts heap allocations with a replaced global operator new (for this whole test binary; only
// the window between start() and stop() counts) to show that parsing allocates nothing once the
// parser's buffers have grown to the message sizes seen.

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "colibri/testing/markets.h"
#include "colibri/venue/binance/api_parser.h"
#include "colibri/venue/binance/message_parser.h"
#include "colibri/venue/binance/requests.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};

void* counted_allocation(std::size_t size) noexcept {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
}  // namespace

void* operator new(std::size_t size) {
  if (void* p = counted_allocation(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  if (void* p = counted_allocation(size)) return p;
  throw std::bad_alloc();
}
// simdjson grows its buffers with the nothrow forms.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return counted_allocation(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return counted_allocation(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace colibri::venue::binance {
namespace {

// Heap allocations made between construction and count().
class AllocationCount {
 public:
  AllocationCount() {
    g_allocations = 0;
    g_counting = true;
  }
  ~AllocationCount() { g_counting = false; }
  AllocationCount(const AllocationCount&) = delete;
  AllocationCount& operator=(const AllocationCount&) = delete;
  long count() const { return g_allocations.load(); }
};

const std::vector<std::string> kMessages = {
    R"({"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161255208,"s":"BTCUSDT",)"
    R"("U":50093239189,"u":50093239202,"b":[["61737.63000000","0.00000000"],["61730.17000000","1.25"]],)"
    R"("a":[["61837.64000000","1.54698000"],["61839.85000000","0.00000000"]]}})",
    R"({"e":"depthUpdate","E":1723161256299,"T":1723161256298,"s":"BTCUSDT","U":5123107832006,)"
    R"("u":5123107837557,"pu":5123107831937,"b":[["58710.20","0.014"]],"a":[]})",
    R"({"lastUpdateId":50093239218,"bids":[["61837.63000000","3.78826000"],["61837.62000000","0.617"]],)"
    R"("asks":[["61837.64000000","0.00105000"]]})",
    R"({"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,)"
    R"("p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}})",
    R"({"e":"aggTrade","E":1,"s":"BTCUSDT","a":26129,"p":"0.01633102","q":"4.7","f":1,"l":2,"T":3,"m":true})",
    R"({"stream":"ethusdt@bookTicker","data":{"u":35346513501,"s":"ETHUSDT","b":"2683.80000000",)"
    R"("B":"3.02920000","a":"2683.81000000","A":"31.43950000"}})",
    R"({"u":1007202248045,"e":"bookTicker","s":"BTCUSD_PERP","ps":"BTCUSD","b":"61668.6","B":"1243",)"
    R"("a":"61668.7","A":"871","T":1723161601262,"E":1723161601269})",
    R"({"e":"kline","E":1,"s":"BTCUSDT","k":{"t":1,"o":"1.0","x":false,"n":[1,2,{"z":null}]}})",
    R"({"result":null,"id":1})",
};

TEST(MessageParser, ParsingAllocatesNothingInSteadyState) {
  std::vector<std::vector<char>> padded;
  for (const std::string& json : kMessages) {
    std::vector<char> buffer(json.begin(), json.end());
    buffer.resize(json.size() + MessageParser::kPadding, '\0');
    padded.push_back(std::move(buffer));
  }
  MessageParser parser;
  const Timestamp local = Timestamp::from_ns(1);
  {
    AllocationCount warm_up;
    for (const std::string& json : kMessages) ASSERT_TRUE(parser.parse(json, local)) << json;
    EXPECT_GT(warm_up.count(), 0) << "the counter sees the parser's first buffers";
  }
  AllocationCount steady;
  for (int round = 0; round < 100; ++round) {
    for (std::size_t i = 0; i < kMessages.size(); ++i) {
      ASSERT_TRUE(parser.parse(kMessages[i], local));
      ASSERT_TRUE(parser.parse_padded(std::string_view(padded[i].data(), kMessages[i].size()), local));
    }
  }
  EXPECT_EQ(steady.count(), 0);
}

// The order path: an executionReport (with a fill) parsed, and a new order's query string signed.
TEST(ApiParser, UserStreamEventsAndOrderRequestsAllocateNothingInSteadyState) {
  const std::vector<std::string> events = {
      R"({"subscriptionId":0,"event":{"e":"executionReport","E":1723161255000,"s":"BTCUSDT","c":"clbB0lz1abcdef12",)"
      R"("S":"SELL","o":"LIMIT_MAKER","f":"GTC","q":"0.01000000","p":"61837.63000000","P":"0.00000000",)"
      R"("F":"0.00000000","g":-1,"C":"","x":"TRADE","X":"PARTIALLY_FILLED","r":"NONE","i":11619060599,)"
      R"("l":"0.00400000","z":"0.00400000","L":"61837.63000000","n":"0.24735052","N":"USDT","T":1723161254999,)"
      R"("t":3735683259,"I":1,"w":false,"m":true,"M":false,"O":1723161254000,"Z":"247.35052000","Y":"0","Q":"0"}})",
      R"({"subscriptionId":0,"event":{"e":"outboundAccountPosition","E":1,"u":1,)"
      R"("B":[{"a":"BTC","f":"1.00000000","l":"0.01000000"},{"a":"USDT","f":"89.01995974","l":"703.69807400"}]}})",
      R"({"id":"t-1","status":200,"result":{"serverTime":1656400526260},"rateLimits":[{"rateLimitType":)"
      R"("REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":70}]})",
  };
  ApiParser parser;
  RequestBuilder builder;
  const Secret secret{"NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"};
  const model::TradingRules rules = testing::btcusdt_rules();
  model::OrderRequest order;
  order.client_order_id = model::ClientOrderId::truncating("clbB0lz1abcdef12");
  order.symbol = model::Symbol::truncating("BTCUSDT");
  order.price = *Price::parse("61837.63");
  order.quantity = *Quantity::parse("0.015");
  const Timestamp now = Timestamp::from_ms(1723161254000);
  for (const std::string& json : events) ASSERT_TRUE(parser.parse_user_stream(json)) << json;
  ASSERT_TRUE(builder.place_order(order, rules, OrderResponseType::Full, now, secret));
  AllocationCount steady;
  for (int round = 0; round < 100; ++round) {
    for (const std::string& json : events) ASSERT_TRUE(parser.parse_user_stream(json));
    ASSERT_TRUE(builder.place_order(order, rules, OrderResponseType::Full,
                                    now + std::chrono::milliseconds(round), secret));
  }
  EXPECT_EQ(steady.count(), 0);
}

}  // namespace
}  // namespace colibri::venue::binance
