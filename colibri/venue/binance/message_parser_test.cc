#include "colibri/venue/binance/message_parser.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace colibri::venue::binance {
namespace {

using model::PriceLevel;
using model::Side;
using ::testing::HasSubstr;

constexpr Timestamp kLocal = Timestamp::from_ns(1'723'161'254'000'000'123);

Price price(std::string_view text) { return *Price::parse(text); }
Quantity quantity(std::string_view text) { return *Quantity::parse(text); }
PriceLevel level(std::string_view p, std::string_view q) { return {price(p), quantity(q)}; }
std::vector<PriceLevel> levels(std::span<const PriceLevel> span) { return {span.begin(), span.end()}; }

// Parses text that must parse; the message stays valid until the parser's next call.
const ParsedMessage& parse_ok(MessageParser& parser, std::string_view json) {
  auto parsed = parser.parse(json, kLocal);
  EXPECT_TRUE(parsed) << json << "\n -> " << parsed.error().describe();
  static const ParsedMessage kEmpty;
  return parsed ? **parsed : kEmpty;
}

constexpr std::string_view kSpotDiff =
    R"({"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161255208,"s":"BTCUSDT",)"
    R"("U":50093239189,"u":50093239202,)"
    R"("b":[["61737.63000000","0.00000000"],["61730.17000000","1.25000000"]],)"
    R"("a":[["61837.64000000","1.54698000"]]}})";

TEST(MessageParser, ParsesSpotDepthDiffInEnvelope) {
  MessageParser parser;
  const ParsedMessage& m = parse_ok(parser, kSpotDiff);
  ASSERT_EQ(m.kind, MessageKind::DepthDiff);
  EXPECT_EQ(m.stream, "btcusdt@depth@100ms");
  EXPECT_EQ(m.event_type, "depthUpdate");
  EXPECT_EQ(m.symbol, "BTCUSDT");
  EXPECT_EQ(m.diff.first_update_id, 50093239189);
  EXPECT_EQ(m.diff.last_update_id, 50093239202);
  EXPECT_EQ(m.diff.prev_last_update_id, model::kNoUpdateId);
  EXPECT_EQ(m.diff.exchange_time, Timestamp::from_ms(1723161255208));
  EXPECT_EQ(m.diff.local_time, kLocal);
  EXPECT_EQ(levels(m.diff.bids), (std::vector{level("61737.63", "0"), level("61730.17", "1.25")}));
  EXPECT_EQ(levels(m.diff.asks), (std::vector{level("61837.64", "1.54698")}));
  EXPECT_EQ(m.diff.bids[0].price.raw(), 6173763000000);
}

TEST(MessageParser, ParsesBareUsdmDepthDiffWithPreviousUpdateId) {
  MessageParser parser;
  const ParsedMessage& m = parse_ok(
      parser, R"({"e":"depthUpdate","E":1723161256299,"T":1723161256298,"s":"BTCUSDT","U":5123107832006,)"
              R"("u":5123107837557,"pu":5123107831937,"b":[["58710.20","0.014"]],"a":[]})");
  ASSERT_EQ(m.kind, MessageKind::DepthDiff);
  EXPECT_EQ(m.stream, "");
  EXPECT_EQ(m.diff.first_update_id, 5123107832006);
  EXPECT_EQ(m.diff.last_update_id, 5123107837557);
  EXPECT_EQ(m.diff.prev_last_update_id, 5123107831937);
  EXPECT_EQ(m.diff.exchange_time, Timestamp::from_ms(1723161256299));
  EXPECT_EQ(levels(m.diff.bids), (std::vector{level("58710.2", "0.014")}));
  EXPECT_TRUE(m.diff.asks.empty());
}

TEST(MessageParser, ParsesCoinmDepthDiffInEnvelope) {
  MessageParser parser;
  const ParsedMessage& m = parse_ok(
      parser,
      R"({"stream":"btcusd_perp@depth@0ms","data":{"e":"depthUpdate","E":1723161257440,"T":1723161257432,)"
      R"("s":"BTCUSD_PERP","ps":"BTCUSD","U":1007198631260,"u":1007198631565,"pu":1007198631198,)"
      R"("b":[["61773.6","1001"],["61778.7","0"]],"a":[["61804.8","12"]]}})");
  ASSERT_EQ(m.kind, MessageKind::DepthDiff);
  EXPECT_EQ(m.symbol, "BTCUSD_PERP");
  EXPECT_EQ(m.diff.prev_last_update_id, 1007198631198);
  EXPECT_EQ(levels(m.diff.bids), (std::vector{level("61773.6", "1001"), level("61778.7", "0")}));
  EXPECT_EQ(levels(m.diff.asks), (std::vector{level("61804.8", "12")}));
}

// Every order of the members, with the envelope's "stream" before and after "data".
TEST(MessageParser, ParsesDepthDiffWithMembersInAnyOrder) {
  std::vector<std::string> members = {R"("e":"depthUpdate")",
                                      R"("E":1723161255208)",
                                      R"("s":"ETHUSDT")",
                                      R"("U":7)",
                                      R"("u":9)",
                                      R"("pu":6)",
                                      R"("b":[["1.5","2"],["1.4","0"]])",
                                      R"("a":[["1.6","3"]])"};
  std::sort(members.begin(), members.end());
  MessageParser parser;
  int permutations = 0;
  do {
    std::string data = "{";
    for (const std::string& member : members) data += member + ",";
    data.back() = '}';
    const std::string json = permutations % 2 == 0 ? R"({"stream":"x@depth","data":)" + data + "}"
                                                   : R"({"data":)" + data + R"(,"stream":"x@depth"})";
    const ParsedMessage& m = parse_ok(parser, json);
    ASSERT_EQ(m.kind, MessageKind::DepthDiff) << json;
    ASSERT_EQ(m.stream, "x@depth");
    ASSERT_EQ(m.symbol, "ETHUSDT");
    ASSERT_EQ(m.diff.first_update_id, 7);
    ASSERT_EQ(m.diff.last_update_id, 9);
    ASSERT_EQ(m.diff.prev_last_update_id, 6);
    ASSERT_EQ(levels(m.diff.bids), (std::vector{level("1.5", "2"), level("1.4", "0")})) << json;
    ASSERT_EQ(levels(m.diff.asks), (std::vector{level("1.6", "3")})) << json;
    ++permutations;
  } while (std::next_permutation(members.begin(), members.end()));
  EXPECT_EQ(permutations, 40320);
}

TEST(MessageParser, SkipsUnknownMembersOfAnyShape) {
  MessageParser parser;
  const ParsedMessage& m = parse_ok(
      parser, R"({"x":{"b":[["bad"]],"e":"trade"},"stream":"s","extra":[1,{"a":null},"]"],"data":)"
              R"({"k":{"nested":[[["deep"]]]},"e":"trade","E":1,"s":"BTCUSDT","t":12,"p":"1.00000000",)"
              R"("q":"2.00000000","T":3,"m":false,"M":true,"z":-1.5e7,"n":null,"X":"MARKET"},"after":true})");
  ASSERT_EQ(m.kind, MessageKind::Trade);
  EXPECT_EQ(m.trade.trade_id, 12);
  EXPECT_EQ(m.trade.price, price("1"));
}

TEST(MessageParser, UnescapesMemberKeys) {
  MessageParser parser;
  const ParsedMessage& m = parse_ok(
      parser, R"({"\u0065":"trade","E":1,"s":"BTCUSDT","t":12,"p":"1","q":"2","\u0054":3,"m":true})");
  ASSERT_EQ(m.kind, MessageKind::Trade);
  EXPECT_EQ(m.trade.exchange_time, Timestamp::from_ms(3));
}

TEST(MessageParser, ParsesSpotRestSnapshot) {
  MessageParser parser;
  const ParsedMessage& m =
      parse_ok(parser, R"({"lastUpdateId":50093239218,)"
                       R"("bids":[["61837.63000000","3.78826000"],["61837.62000000","0.61700000"]],)"
                       R"("asks":[["61837.64000000","0.00105000"]]})");
  ASSERT_EQ(m.kind, MessageKind::DepthSnapshot);
  EXPECT_EQ(m.stream, "");
  EXPECT_EQ(m.symbol, "");
  EXPECT_EQ(m.snapshot.last_update_id, 50093239218);
  EXPECT_TRUE(m.snapshot.exchange_time.is_none());
  EXPECT_EQ(m.snapshot.local_time, kLocal);
  EXPECT_EQ(levels(m.snapshot.bids), (std::vector{level("61837.63", "3.78826"), level("61837.62", "0.617")}));
  EXPECT_EQ(levels(m.snapshot.asks), (std::vector{level("61837.64", "0.00105")}));
}

TEST(MessageParser, ParsesFuturesRestSnapshotWithEventTimeAndSymbol) {
  MessageParser parser;
  const ParsedMessage& m = parse_ok(
      parser, R"({"asks":[["61804.8","7"]],"lastUpdateId":1007198635033,"E":1723161257835,"T":1723161257823,)"
              R"("symbol":"BTCUSD_PERP","pair":"BTCUSD","bids":[["61804.7","35"],["61802.0","8"]]})");
  ASSERT_EQ(m.kind, MessageKind::DepthSnapshot);
  EXPECT_EQ(m.symbol, "BTCUSD_PERP");
  EXPECT_EQ(m.snapshot.last_update_id, 1007198635033);
  EXPECT_EQ(m.snapshot.exchange_time, Timestamp::from_ms(1723161257835));
  EXPECT_EQ(levels(m.snapshot.bids), (std::vector{level("61804.7", "35"), level("61802", "8")}));
  EXPECT_EQ(levels(m.snapshot.asks), (std::vector{level("61804.8", "7")}));
}

TEST(MessageParser, ParsesSpotTradeWithBuyerMakerAsSellAggressor) {
  MessageParser parser;
  const ParsedMessage& m = parse_ok(
      parser,
      R"({"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,)"
      R"("p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}})");
  ASSERT_EQ(m.kind, MessageKind::Trade);
  EXPECT_EQ(m.stream, "btcusdt@trade");
  EXPECT_EQ(m.symbol, "BTCUSDT");
  EXPECT_EQ(m.trade.trade_id, 3735683259);
  EXPECT_EQ(m.trade.price, price("61837.63"));
  EXPECT_EQ(m.trade.quantity, quantity("0.02"));
  EXPECT_EQ(m.trade.aggressor, Side::Sell);
  EXPECT_EQ(m.trade.exchange_time, Timestamp::from_ms(1723161255342));
  EXPECT_EQ(m.trade.local_time, kLocal);
}

TEST(MessageParser, ParsesFuturesTradeWithBuyAggressor) {
  MessageParser parser;
  const ParsedMessage& m = parse_ok(
      parser,
      R"({"e":"trade","E":1723161257687,"T":1723161257679,"s":"BTCUSD_PERP","t":849714402,"p":"61804.8",)"
      R"("q":"4","X":"MARKET","m":false})");
  ASSERT_EQ(m.kind, MessageKind::Trade);
  EXPECT_EQ(m.trade.trade_id, 849714402);
  EXPECT_EQ(m.trade.price, price("61804.8"));
  EXPECT_EQ(m.trade.quantity, quantity("4"));
  EXPECT_EQ(m.trade.aggressor, Side::Buy);
  EXPECT_EQ(m.trade.exchange_time, Timestamp::from_ms(1723161257679));
}

TEST(MessageParser, TradeWithoutTradeTimeUsesEventTime) {
  MessageParser parser;
  const ParsedMessage& m =
      parse_ok(parser, R"({"e":"trade","E":1723161257687,"s":"X","t":1,"p":"1","q":"1","m":false})");
  ASSERT_EQ(m.kind, MessageKind::Trade);
  EXPECT_EQ(m.trade.exchange_time, Timestamp::from_ms(1723161257687));
}

TEST(MessageParser, ParsesAggTradeWithAggregateId) {
  MessageParser parser;
  const ParsedMessage& m = parse_ok(
      parser,
      R"({"e":"aggTrade","E":1723161257687,"s":"BTCUSDT","a":26129,"p":"0.01633102","q":"4.70443515",)"
      R"("f":100,"l":105,"T":1723161257600,"m":true,"M":true})");
  ASSERT_EQ(m.kind, MessageKind::Trade);
  EXPECT_EQ(m.event_type, "aggTrade");
  EXPECT_EQ(m.trade.trade_id, 26129);
  EXPECT_EQ(m.trade.price, price("0.01633102"));
  EXPECT_EQ(m.trade.quantity, quantity("4.70443515"));
  EXPECT_EQ(m.trade.aggressor, Side::Sell);
  EXPECT_EQ(m.trade.exchange_time, Timestamp::from_ms(1723161257600));
}

TEST(MessageParser, ParsesSpotBookTickerWithoutEventType) {
  MessageParser parser;
  const ParsedMessage& m = parse_ok(
      parser, R"({"stream":"ethusdt@bookTicker","data":{"u":35346513501,"s":"ETHUSDT","b":"2683.80000000",)"
              R"("B":"3.02920000","a":"2683.81000000","A":"31.43950000"}})");
  ASSERT_EQ(m.kind, MessageKind::BookTicker);
  EXPECT_EQ(m.event_type, "");
  EXPECT_EQ(m.symbol, "ETHUSDT");
  EXPECT_EQ(m.ticker.update_id, 35346513501);
  EXPECT_EQ(m.ticker.best_bid, level("2683.8", "3.0292"));
  EXPECT_EQ(m.ticker.best_ask, level("2683.81", "31.4395"));
  EXPECT_TRUE(m.ticker.exchange_time.is_none());
  EXPECT_EQ(m.ticker.local_time, kLocal);
}

TEST(MessageParser, ParsesFuturesBookTicker) {
  MessageParser parser;
  const ParsedMessage& m = parse_ok(
      parser,
      R"({"u":1007202248045,"e":"bookTicker","s":"BTCUSD_PERP","ps":"BTCUSD","b":"61668.6","B":"1243",)"
      R"("a":"61668.7","A":"871","T":1723161601262,"E":1723161601269})");
  ASSERT_EQ(m.kind, MessageKind::BookTicker);
  EXPECT_EQ(m.ticker.update_id, 1007202248045);
  EXPECT_EQ(m.ticker.best_bid, level("61668.6", "1243"));
  EXPECT_EQ(m.ticker.best_ask, level("61668.7", "871"));
  EXPECT_EQ(m.ticker.exchange_time, Timestamp::from_ms(1723161601269));
}

TEST(MessageParser, OtherMessagesAreUnknownNotErrors) {
  const std::vector<std::string_view> messages = {
      R"({"result":null,"id":1})",
      R"({"id":2,"result":["btcusdt@depth"]})",
      R"({"error":{"code":2,"msg":"Invalid request"},"id":3})",
      R"({})",
      R"(  {"e":"kline","E":1,"s":"BTCUSDT","k":{"t":1,"o":"1.0","x":false}}  )",
      R"({"e":"24hrTicker","E":1,"s":"X","p":"-0.5","q":"99999999999999999","b":"1","B":"2","a":"3"})",
      R"({"e":"outboundAccountPosition","E":1,"u":2,"B":[{"a":"ETH","f":"1.0","l":"0"}]})",
      R"({"e":"ACCOUNT_UPDATE","E":1,"T":2,"a":{"m":"ORDER","B":[],"P":[]}})",
      R"({"e":"balanceUpdate","E":1,"a":"BTC","d":"1.5","T":2})",
      R"({"stream":"!bookTicker@arr","data":[{"u":1,"s":"X","b":"1","B":"1","a":"2","A":"1"}]})",
      R"([{"u":1},{"u":2}])",
      R"([])",
  };
  MessageParser parser;
  for (std::string_view json : messages) {
    const ParsedMessage& m = parse_ok(parser, json);
    EXPECT_EQ(m.kind, MessageKind::Unknown) << json;
  }
  EXPECT_EQ(parse_ok(parser, messages[4]).event_type, "kline");
}

TEST(MessageParser, EnvelopeIgnoresMembersBesideData) {
  MessageParser parser;
  const ParsedMessage& m = parse_ok(
      parser,
      R"({"lastUpdateId":1,"bids":[["1","1"]],"stream":"s","data":{"e":"depthUpdate","E":1,"s":"X","U":2,)"
      R"("u":3,"b":[],"a":[["2","1"]]},"b":[["9","9"]],"u":4})");
  ASSERT_EQ(m.kind, MessageKind::DepthDiff);
  EXPECT_EQ(m.diff.last_update_id, 3);
  EXPECT_TRUE(m.diff.bids.empty());
  EXPECT_EQ(levels(m.diff.asks), (std::vector{level("2", "1")}));
}

struct Malformed {
  std::string json;
  std::string error;  // a substring of the expected error message
};

std::string diff_with(std::string_view replaced_member, std::string_view replacement) {
  std::string json = R"({"e":"depthUpdate","E":1723161255208,"s":"BTCUSDT","U":10,"u":12,"pu":9,)"
                     R"("b":[["1.5","2"]],"a":[["1.6","3"]]})";
  const std::size_t at = json.find(replaced_member);
  EXPECT_NE(at, std::string::npos) << replaced_member;
  json.replace(at, replaced_member.size(), replacement);
  return json;
}

std::string trade_with(std::string_view replaced_member, std::string_view replacement) {
  std::string json = R"({"e":"trade","E":1,"s":"BTCUSDT","t":12,"p":"1.5","q":"2","T":3,"m":true})";
  const std::size_t at = json.find(replaced_member);
  EXPECT_NE(at, std::string::npos) << replaced_member;
  json.replace(at, replaced_member.size(), replacement);
  return json;
}

TEST(MessageParser, RejectsMalformedMessagesNamingTheProblem) {
  const std::string ticker = R"({"u":1,"s":"X","b":"1.5","B":"2","a":"1.6","A":"3"})";
  const std::string snapshot = R"({"lastUpdateId":5,"bids":[["1","2"]],"asks":[["3","4"]]})";
  const std::vector<Malformed> cases = {
      // Not JSON, not an object, truncated, trailing content.
      {"", "message: malformed JSON"},
      {"   ", "message: malformed JSON"},
      {"not json", "message"},
      {"42", "message: expected a JSON object"},
      {R"("text")", "message: expected a JSON object"},
      {"null", "message: expected a JSON object"},
      {"{", "malformed JSON"},
      {R"({"e":"depthUpdate")", "malformed JSON"},
      {R"({"e":"depthUpdate","b":[["1","2"],["3")", "malformed JSON"},
      {R"({"e":"trade",})", "malformed JSON"},
      {R"({"e" "trade"})", "malformed JSON"},
      {R"({"e":"trade" "E":1})", "malformed JSON"},
      {R"({"e":"tr)", "malformed JSON"},
      {R"([1,2)", "malformed JSON"},
      {R"({"result":null,"id":1} x)", "message"},
      {R"({"result":null,"id":1}})", "message"},
      {R"({"result":null,"id":1}{})", "message"},
      {"[1]]", "message"},
      // Malformed JSON inside members the message does not use.
      {R"({"e":"kline","k":[1,}})", R"(member "k": malformed JSON)"},
      {R"({"e":"kline","k":{"x":1]})", R"(member "k": malformed JSON)"},
      {R"({"result":tru,"id":1})", R"(member "result": malformed JSON)"},
      {R"({"result":nul,"id":1})", R"(member "result": malformed JSON)"},
      {R"({"result":null,"id":01})", R"(member "id": malformed JSON)"},
      {R"({"result":null,"id":-})", R"(member "id": malformed JSON)"},
      {R"({"result":null,"id":"\x"})", R"(member "id": malformed JSON)"},
      {R"({"e":"trade","T":tru})", R"(member "T": malformed JSON)"},
      {R"({"e":"trade","T":1.})", R"(member "T": malformed JSON)"},
      {R"({"stream":"s","data":{},"extra":[}})", R"(member "extra": malformed JSON)"},
      {R"({"stream":"s","data":[1,}]})", R"(member "data": malformed JSON)"},
      {R"([{"a":1},{"a":tru}])", R"(message": malformed JSON)"},
      {R"({"k":)" + std::string(40, '[') + std::string(40, ']') + "}",
       R"(member "k": nested deeper than 32)"},
      {"{\"s\":\"\xff\xfe\"}", "malformed JSON"},
      {R"({"e":"trade","s":"bad \q escape"})", "malformed JSON"},
      // Envelope.
      {R"({"stream":"x","data":5})", R"(member "data": expected an object, got a number)"},
      {R"({"stream":7,"data":{}})", R"(member "stream")"},
      {R"({"stream":"x","stream":"y","data":{}})", R"(duplicate member "stream")"},
      {R"({"data":{},"data":{}})", R"(duplicate member "data")"},
      // Event type.
      {R"({"e":5,"E":1})", R"(member "e": expected a string, got a number)"},
      // Depth diff members.
      {diff_with(R"("U":10,)", ""), R"(missing member "U")"},
      {diff_with(R"("u":12,)", ""), R"(missing member "u")"},
      {diff_with(R"("E":1723161255208,)", ""), R"(missing member "E")"},
      {diff_with(R"("s":"BTCUSDT",)", ""), R"(missing member "s")"},
      {diff_with(R"("b":[["1.5","2"]],)", ""), R"(missing member "b")"},
      {diff_with(R"(,"a":[["1.6","3"]])", ""), R"(missing member "a")"},
      {diff_with(R"("U":10)", R"("U":"10")"), R"(member "U": expected a number, got a string)"},
      {diff_with(R"("U":10)", R"("U":1.5)"), R"(member "U": "1.5" is not a 64-bit integer)"},
      {diff_with(R"("U":10)", R"("U":1e3)"), R"(member "U": "1e3" is not a 64-bit integer)"},
      {diff_with(R"("U":10)", R"("U":010)"), R"(member "U": malformed JSON)"},
      {diff_with(R"("U":10)", R"("U":-)"), R"(member "U": malformed JSON)"},
      {diff_with(R"("U":10)", R"("U":99999999999999999999)"), R"(member "U": "99999999999999999999" is not)"},
      {diff_with(R"("U":10)", R"("U":-3)"), R"(member "U": negative value -3)"},
      {diff_with(R"("U":10)", R"("U":null)"), R"(member "U": expected a number, got null)"},
      {diff_with(R"("U":10)", R"("U":10,"U":11)"), R"(duplicate member "U")"},
      {diff_with(R"("pu":9)", R"("pu":true)"), R"(member "pu": expected a number, got a boolean)"},
      {diff_with(R"("E":1723161255208)", R"("E":9300000000000)"), R"(member "E": time 9300000000000 ms)"},
      {diff_with(R"("s":"BTCUSDT")", R"("s":["BTCUSDT"])"), R"(member "s": expected a string, got an array)"},
      {diff_with(R"("b":[["1.5","2"]])", R"("b":"1.5")"), R"(member "b": expected an array, got a string)"},
      {diff_with(R"("b":[["1.5","2"]])", R"("b":{"1.5":"2"})"),
       R"(member "b": expected an array, got an object)"},
      {diff_with(R"(["1.5","2"])", R"("1.5")"), R"(member "b" level 0: expected [price, quantity])"},
      {diff_with(R"(["1.5","2"])", R"(["1.5"])"), R"(member "b" level 0: expected [price, quantity], got 1)"},
      {diff_with(R"(["1.5","2"])", R"([])"), R"(member "b" level 0: expected [price, quantity], got 0)"},
      {diff_with(R"(["1.5","2"])", R"(["1.5","2","0"])"), R"(member "b" level 0: more than 2 elements)"},
      {diff_with(R"(["1.5","2"])", R"([1.5,2])"), R"(member "b" level 0: expected decimal strings)"},
      {diff_with(R"(["1.5","2"])", R"(["1.5","2"],["1.2.3","1"])"),
       R"(member "b" level 1: invalid price "1.2.3")"},
      {diff_with(R"(["1.5","2"])", R"(["","1"])"), R"(member "b" level 0: invalid price "")"},
      {diff_with(R"(["1.5","2"])", R"(["1e5","1"])"), R"(member "b" level 0: invalid price "1e5")"},
      {diff_with(R"(["1.5","2"])", R"(["0","1"])"), R"(member "b" level 0: price 0 is not positive)"},
      {diff_with(R"(["1.5","2"])", R"(["-1.5","1"])"), R"(member "b" level 0: price -1.5 is not positive)"},
      {diff_with(R"(["1.6","3"])", R"(["1.6","-3"])"), R"(member "a" level 0: negative quantity -3)"},
      {diff_with(R"(["1.6","3"])", R"(["1.6","0.000000001"])"), R"(member "a" level 0: invalid quantity)"},
      {diff_with(R"(["1.6","3"])", R"(["1.6","99999999999"])"), R"(member "a" level 0: invalid quantity)"},
      {diff_with(R"("b":[["1.5","2"]])", R"("b":[["1.5","2"]],"bids":[])"), R"(bid levels given twice)"},
      // Trade members.
      {trade_with(R"("p":"1.5",)", ""), R"(missing member "p")"},
      {trade_with(R"("p":"1.5")", R"("p":"abc")"), R"(member "p": invalid price "abc")"},
      {trade_with(R"("p":"1.5")", R"("p":"0")"), R"(member "p": price 0 is not positive)"},
      {trade_with(R"("p":"1.5")", R"("p":1.5)"), R"(member "p": expected a string, got a number)"},
      {trade_with(R"("q":"2")", R"("q":"-2")"), R"(member "q": negative quantity -2)"},
      {trade_with(R"("m":true)", R"("m":"true")"), R"(member "m": expected a boolean, got a string)"},
      {trade_with(R"(,"m":true)", ""), R"(missing member "m")"},
      {trade_with(R"("t":12,)", ""), R"(missing member "t")"},
      {trade_with(R"("T":3,)", R"("E":4,)"), R"(duplicate member "E")"},
      {R"({"e":"trade","s":"X","t":1,"p":"1","q":"1","m":true})", R"(missing member "E")"},
      {trade_with(R"("e":"trade")", R"("e":"aggTrade")"), R"(missing member "a")"},
      // Book ticker members.
      {R"({"u":1,"s":"X","b":"1.5","a":"1.6","A":"3"})", R"(missing member "B")"},
      {R"({"u":1,"s":"X","b":"1.5","B":"2","a":"x","A":"3"})", R"(member "a": invalid price "x")"},
      {R"({"u":1,"s":"X","b":"1.5","B":"-2","a":"1.6","A":"3"})", R"(member "B": negative quantity)"},
      {R"({"u":"1","s":"X","b":"1.5","B":"2","a":"1.6","A":"3"})", R"(member "u": expected a number)"},
      {R"({"e":"bookTicker","u":1,"s":"X","b":"1.5","B":"2","a":"1.6","A":"3","E":-5})",
       R"(member "E": negative)"},
      // Snapshot members.
      {R"({"lastUpdateId":5,"asks":[]})", R"(missing member "bids")"},
      {R"({"lastUpdateId":"5","bids":[],"asks":[]})", R"(member "lastUpdateId": expected a number)"},
      {R"({"lastUpdateId":5,"bids":[],"asks":null})", R"(member "asks": expected an array, got null)"},
      {R"({"lastUpdateId":5,"bids":[["1","x"]],"asks":[]})",
       R"(member "bids" level 0: invalid quantity "x")"},
      {R"({"lastUpdateId":5,"bids":[],"asks":[],"E":1.0})", R"(member "E": "1.0" is not)"},
  };
  MessageParser parser;
  for (const Malformed& c : cases) {
    auto parsed = parser.parse(c.json, kLocal);
    ASSERT_FALSE(parsed) << c.json << " parsed as " << to_string((*parsed)->kind);
    EXPECT_EQ(parsed.error().code(), ErrorCode::Corrupt) << c.json;
    EXPECT_THAT(parsed.error().message(), HasSubstr(c.error)) << c.json;
    // The parser stays usable after any error.
    ASSERT_TRUE(parser.parse(kSpotDiff, kLocal)) << "after " << c.json;
  }
  EXPECT_TRUE(parser.parse(ticker, kLocal));
  EXPECT_TRUE(parser.parse(snapshot, kLocal));
}

TEST(MessageParser, ErrorMessagesEscapeAndTruncateReceivedText) {
  MessageParser parser;
  auto parsed = parser.parse(diff_with(R"("U":10)", R"("U":123456789012345678901234567890)"), kLocal);
  ASSERT_FALSE(parsed);
  EXPECT_THAT(parsed.error().message(), HasSubstr(R"(member "U": "123456789012345678901234..." is not)"));
  parsed = parser.parse(R"({"\u001b[2J":tru})", kLocal);
  ASSERT_FALSE(parsed);
  EXPECT_THAT(parsed.error().message(), HasSubstr(R"(member "\x1b[2J": malformed JSON)"));
}

// Level arrays in Binance's exact form take a fast path; any other valid form (whitespace, more
// or fewer decimals, "-0") takes the general walk. Both read the same levels.
TEST(MessageParser, LevelsReadTheSameWithOrWithoutTheFastPath) {
  MessageParser parser;
  const auto diff_levels = [&](std::string_view bids) {
    const std::string json = std::string(R"({"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":)") +
                             std::string(bids) + R"(,"a":[]})";
    const ParsedMessage& m = parse_ok(parser, json);
    EXPECT_EQ(m.kind, MessageKind::DepthDiff) << json;
    return levels(m.diff.bids);
  };
  const std::vector<PriceLevel> expected = {level("61737.63", "0"), level("61730.17", "1.25"), level("1", "2")};
  EXPECT_EQ(diff_levels(R"([["61737.63000000","0.00000000"],["61730.17000000","1.25000000"],["1","2"]])"), expected);
  EXPECT_EQ(diff_levels(R"([ ["61737.63000000", "0.00000000"], ["61730.17","1.25"] ,["1.0","2"]])"), expected);
  EXPECT_EQ(diff_levels(R"([["61737.63","-0"],["61730.1700000000","1.25"],["0001","2.00000000"]])"), expected);
  EXPECT_EQ(diff_levels("[]"), std::vector<PriceLevel>{});
  EXPECT_EQ(diff_levels("[ ]"), std::vector<PriceLevel>{});
  // Malformed levels are reported the same way whichever form surrounds them.
  for (const char* bad : {R"([["61737.63000000","0.00000000"],["0.00000000","1.00000000"]])",
                          R"([["61737.63000000","-1.00000000"]])", R"([["61737.63000000","1.000000001"]])",
                          R"([["61737.63000000","1.00000000","3"]])", R"([["61737.63000000"]])",
                          R"([["61737.63000000",1.5]])", R"([["61737.63000000","1.5"],])",
                          R"([["617\u0033","1"]])"}) {
    const std::string json =
        std::string(R"({"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":)") + bad + R"(,"a":[]})";
    auto parsed = parser.parse(json, kLocal);
    EXPECT_FALSE(parsed) << bad;
    if (!parsed) {
      EXPECT_THAT(parsed.error().message(), HasSubstr("member \"b\"")) << bad;
    }
  }
}

// Parses `json` with the default parser and with the general walk alone, expecting the same
// message or the same error. Returns whether the one-pass reader read it.
bool one_pass_agrees_with_general(std::string_view json) {
  MessageParser parser;
  MessageParser general(MessageParser::Reading::GeneralOnly);
  const auto parsed = parser.parse(json, kLocal);
  const auto walked = general.parse(json, kLocal);
  EXPECT_FALSE(general.last_read_one_pass());
  EXPECT_EQ(parsed.has_value(), walked.has_value()) << json;
  if (parsed && walked) {
    EXPECT_TRUE(same_message(**parsed, **walked)) << json;
  } else if (!parsed && !walked) {
    EXPECT_EQ(parsed.error().message(), walked.error().message()) << json;
    EXPECT_FALSE(parser.last_read_one_pass()) << json;
  }
  return parser.last_read_one_pass();
}

// Binance's forms of each market, bare and in the envelope (see the recordings in ../shared/data).
const std::vector<std::string> kBinanceForms = {
    // spot depthUpdate, trade, bookTicker
    R"({"e":"depthUpdate","E":1723161255208,"s":"BTCUSDT","U":50093239189,"u":50093239202,)"
    R"("b":[["61737.63000000","0.00000000"],["61730.17000000","1.25000000"]],"a":[["61837.64000000","1.54698000"]]})",
    R"({"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,"p":"61837.63000000","q":"0.02000000",)"
    R"("T":1723161255342,"m":true,"M":true})",
    R"({"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"})",
    // USD-M
    R"({"e":"depthUpdate","E":1723161256299,"T":1723161256298,"s":"BTCUSDT","U":5123107832006,)"
    R"("u":5123107837557,"pu":5123107831937,"b":[["58710.20","0.014"]],"a":[]})",
    R"({"e":"trade","E":1723161256322,"T":1723161256322,"s":"BTCUSDT","t":5266583935,"p":"61800.30",)"
    R"("q":"0.006","X":"MARKET","m":false})",
    R"({"e":"bookTicker","u":5123107839020,"s":"BTCUSDT","b":"61800.20","B":"2.507","a":"61800.30","A":"2.510",)"
    R"("T":1723161256313,"E":1723161256313})",
    // COIN-M
    R"({"e":"depthUpdate","E":1723161257440,"T":1723161257432,"s":"BTCUSD_PERP","ps":"BTCUSD",)"
    R"("U":1007198631260,"u":1007198631565,"pu":1007198631198,"b":[["61773.6","1001"],["61778.7","0"]],"a":[]})",
    R"({"u":1007202248045,"e":"bookTicker","s":"BTCUSD_PERP","ps":"BTCUSD","b":"61668.6","B":"1243",)"
    R"("a":"61668.7","A":"871","T":1723161601262,"E":1723161601269})",
};

std::string enveloped(std::string_view data) {
  return std::string(R"({"stream":"btcusdt@depth@100ms","data":)") + std::string(data) + "}";
}

TEST(MessageParser, OnePassReaderReadsBinancesExactForms) {
  for (const std::string& json : kBinanceForms) {
    EXPECT_TRUE(one_pass_agrees_with_general(json)) << json;
    EXPECT_TRUE(one_pass_agrees_with_general(enveloped(json))) << json;
  }
  // Ids and times at their limits, zero ticker prices, decimals of any length up to 8 places.
  EXPECT_TRUE(one_pass_agrees_with_general(
      R"({"u":0,"s":"","b":"0","B":"0.0","a":"0.00000000000","A":"92233720368.54775807","E":9223372036854})"));
  EXPECT_TRUE(one_pass_agrees_with_general(
      R"({"e":"trade","E":0,"s":"X","t":999999999999999999,"p":"0.00000001","q":"-0","m":false})"));

  MessageParser parser;
  const ParsedMessage& m = parse_ok(parser, enveloped(kBinanceForms[6]));
  EXPECT_TRUE(parser.last_read_one_pass());
  EXPECT_EQ(m.stream, "btcusdt@depth@100ms");
  EXPECT_EQ(m.event_type, "depthUpdate");
  EXPECT_EQ(m.symbol, "BTCUSD_PERP");
  EXPECT_EQ(m.diff.prev_last_update_id, 1007198631198);
  EXPECT_EQ(levels(m.diff.bids), (std::vector{level("61773.6", "1001"), level("61778.7", "0")}));
}

// Anything but Binance's exact form is read by the general walk, with its result or its error.
TEST(MessageParser, OnePassReaderFallsBackOnAnyDeviation) {
  const std::string& diff = kBinanceForms[0];
  const std::string& trade = kBinanceForms[1];
  const std::string& ticker = kBinanceForms[2];
  const auto with = [](const std::string& json, std::string_view from, std::string_view to) {
    std::string changed = json;
    const std::size_t at = changed.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    changed.replace(at, from.size(), to);
    return changed;
  };
  const std::vector<std::string> deviations = {
      // member order
      with(diff, R"("E":1723161255208,"s":"BTCUSDT")", R"("s":"BTCUSDT","E":1723161255208)"),
      with(ticker, R"("b":"61837.63000000","B":"3.78826000")", R"("B":"3.78826000","b":"61837.63000000")"),
      with(trade, R"("m":true,"M":true)", R"("M":true,"m":true)"),
      R"({"data":)" + diff + R"(,"stream":"btcusdt@depth"})",
      // extra or missing members
      with(diff, R"("U":)", R"("x":1,"U":)"),
      with(trade, R"(,"M":true)", R"(,"M":true,"n":null)"),
      with(diff, R"("u":50093239202,)", ""),
      with(ticker, R"(,"A":"1.54698000")", ""),
      with(trade, R"("E":1723161255343,)", ""),
      R"({"stream":"s","data":)" + diff + R"(,"x":1})",
      with(kBinanceForms[4], R"(,"X")", R"(,"T":1,"X")"),  // "T" twice: a duplicate member
      // whitespace
      " " + diff,
      diff + " ",
      with(diff, R"("E":)", R"("E": )"),
      with(ticker, R"(,"B")", R"( ,"B")"),
      with(diff, R"([["61737.63000000",)", R"([ ["61737.63000000",)"),
      // escapes and text outside printable ASCII
      with(diff, R"("BTCUSDT")", R"("BTC\u0055SDT")"),
      with(trade, R"("s")", R"("\u0073")"),
      with(trade, R"("e":"trade")", R"("e":"tr\u0061de")"),
      with(ticker, R"("BTCUSDT")", "\"BTC\xE2\x82\xACUSDT\""),
      with(ticker, R"("BTCUSDT")", "\"BTC\tUSDT\""),
      with(ticker, R"("BTCUSDT")", '"' + std::string(65, 'S') + '"'),
      // unexpected types and number forms
      with(diff, R"("U":50093239189)", R"("U":"50093239189")"),
      with(diff, R"("E":1723161255208)", R"("E":1723161255208.0)"),
      with(diff, R"("E":1723161255208)", R"("E":1.723161255208e12)"),
      with(diff, R"("U":50093239189)", R"("U":050093239189)"),
      with(diff, R"("U":50093239189)", R"("U":-1)"),
      with(diff, R"("U":50093239189)", R"("U":1234567890123456789)"),
      with(diff, R"("U":50093239189)", R"("U":123456789012345678901)"),
      with(diff, R"("E":1723161255208)", R"("E":9223372036855)"),  // past year 2262
      with(trade, R"("m":true)", R"("m":1)"),
      with(trade, R"("m":true)", R"("m":tru)"),
      with(trade, R"("p":"61837.63000000")", R"("p":61837.63)"),
      with(trade, R"("p":"61837.63000000")", R"("p":"0")"),
      with(trade, R"("q":"0.02000000")", R"("q":"-0.02")"),
      with(trade, R"("q":"0.02000000")", R"("q":"0.020000001")"),
      with(ticker, R"("b":"61837.63000000")", R"("b":"123456789012.5")"),
      with(ticker, R"("b":"61837.63000000")", R"("b":"1e5")"),
      with(ticker, R"("b":"61837.63000000")", R"("b":"-1")"),
      with(diff, R"("b":[[)", R"("b":[[61737.63,)"),
      with(diff, R"("a":[["61837.64000000","1.54698000"]])", R"("a":{})"),
      with(diff, R"("e":"depthUpdate")", R"("e":"depthUpdateX")"),
      with(ticker, R"("u":50093239212)", R"("u":null)"),
      // truncated or followed by something
      diff.substr(0, diff.size() - 1),
      diff.substr(0, diff.find(R"(,"a")")),
      diff + "}",
      diff + diff,
      enveloped(diff) + "x",
      enveloped(diff).substr(0, enveloped(diff).size() - 1),
  };
  for (const std::string& json : deviations) EXPECT_FALSE(one_pass_agrees_with_general(json)) << json;
}

// The stream and symbol of a message read in one pass are kept by the parser, as the general
// walk's unescaped strings are: the caller may reuse its buffer at once.
TEST(MessageParser, OnePassMessageDoesNotReferToTheCallersText) {
  std::string buffer = enveloped(kBinanceForms[1]);
  const std::size_t size = buffer.size();
  buffer.append(MessageParser::kPadding, '\0');
  MessageParser parser;
  auto parsed = parser.parse_padded(std::string_view(buffer.data(), size), kLocal);
  ASSERT_TRUE(parsed) << parsed.error().describe();
  ASSERT_TRUE(parser.last_read_one_pass());
  std::fill(buffer.begin(), buffer.end(), 'x');
  EXPECT_EQ((*parsed)->stream, "btcusdt@depth@100ms");
  EXPECT_EQ((*parsed)->symbol, "BTCUSDT");
  EXPECT_EQ((*parsed)->event_type, "trade");
}

TEST(MessageParser, RejectsMoreLevelsThanTheCap) {
  std::string json = R"({"e":"depthUpdate","E":1,"s":"X","U":1,"u":2,"a":[],"b":[)";
  for (std::size_t i = 0; i < MessageParser::kMaxLevels; ++i) json += R"(["1","1"],)";
  std::string at_cap = json;
  at_cap.back() = ']';
  at_cap += '}';
  MessageParser parser;
  auto parsed = parser.parse(at_cap, kLocal);
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ((*parsed)->diff.bids.size(), MessageParser::kMaxLevels);

  json += R"(["1","1"]]})";
  parsed = parser.parse(json, kLocal);
  ASSERT_FALSE(parsed);
  EXPECT_THAT(parsed.error().message(), HasSubstr("more than 100000 levels"));
}

TEST(MessageParser, RejectsMessagesLargerThanTheLimit) {
  std::string json = R"({"result":null,"pad":")";
  json.append(MessageParser::kMaxMessageBytes, 'x');
  json += R"("})";
  MessageParser parser;
  auto parsed = parser.parse(json, kLocal);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code(), ErrorCode::Corrupt);
  EXPECT_THAT(parsed.error().message(), HasSubstr("exceeds the limit"));
  auto padded = parser.parse_padded(json, kLocal);
  ASSERT_FALSE(padded);
}

TEST(MessageParser, ParsePaddedReadsTheCallersBufferInPlace) {
  std::string buffer(kSpotDiff);
  buffer.append(MessageParser::kPadding, '\0');
  const std::string_view json(buffer.data(), kSpotDiff.size());
  MessageParser parser;
  auto parsed = parser.parse_padded(json, kLocal);
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ((*parsed)->kind, MessageKind::DepthDiff);
  EXPECT_EQ(levels((*parsed)->diff.asks), (std::vector{level("61837.64", "1.54698")}));
  // Garbage in the padding does not matter.
  std::fill(buffer.begin() + static_cast<std::ptrdiff_t>(json.size()), buffer.end(), '}');
  parsed = parser.parse_padded(json, kLocal);
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ((*parsed)->diff.last_update_id, 50093239202);
}

TEST(MessageParser, EachParseReplacesThePreviousMessage) {
  MessageParser parser;
  ASSERT_EQ(parse_ok(parser, kSpotDiff).kind, MessageKind::DepthDiff);
  const ParsedMessage& m = parse_ok(parser, R"({"result":null,"id":1})");
  EXPECT_EQ(m.kind, MessageKind::Unknown);
  EXPECT_EQ(m.stream, "");
  EXPECT_TRUE(m.diff.bids.empty());
  EXPECT_EQ(m.diff.last_update_id, model::kNoUpdateId);
}

}  // namespace
}  // namespace colibri::venue::binance
