// parse_ws_request: JSON only, ids echoed as JSON, parameters with the text the client wrote.

#include "colibri/runtime/exchange_sim/ws_request.h"

#include <gtest/gtest.h>

namespace colibri::exchange_sim {
namespace {

TEST(WsRequest, ReadsMethodIdAndParamsAsWritten) {
  auto r = parse_ws_request(
      R"({"id":"a\"b","method":"userDataStream.subscribe.signature","params":{"apiKey":"k","recvWindow":5000.5,"timestamp":1723161600000 ,"x":{"y":1}}})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->id, R"("a\"b")");
  EXPECT_TRUE(r->id_valid);
  EXPECT_EQ(r->method, "userDataStream.subscribe.signature");
  ASSERT_TRUE(r->params_is_object);
  ASSERT_NE(r->param("recvWindow"), nullptr);
  EXPECT_EQ(*r->param("recvWindow"), "5000.5") << "numbers keep their text: the client signed it";
  EXPECT_EQ(*r->param("timestamp"), "1723161600000");
  EXPECT_EQ(*r->param("apiKey"), "k");
  EXPECT_EQ(r->param("x"), nullptr);
  EXPECT_EQ(r->other_params, std::vector<std::string>{"x"});
}

TEST(WsRequest, IdsThatAreNotIntegersStringsOrNullAreFlaggedAndEchoedAsNull) {
  EXPECT_EQ(parse_ws_request(R"({"id":7,"method":"ping"})")->id, "7");
  EXPECT_EQ(parse_ws_request(R"({"method":"ping"})")->id, "null");
  EXPECT_EQ(parse_ws_request(R"({"id":null,"method":"ping"})")->id, "null");
  for (const char* frame : {R"({"id":1.5,"method":"ping"})", R"({"id":{"a":[1]},"method":"ping"})",
                            R"({"id":true,"method":"ping"})", R"({"id":[],"method":"ping"})"}) {
    auto r = parse_ws_request(frame);
    ASSERT_TRUE(r.has_value()) << frame;
    EXPECT_FALSE(r->id_valid) << frame;
    EXPECT_EQ(r->id, "null") << frame;
    EXPECT_EQ(r->method, "ping") << frame;
  }
}

// Regression (fuzz_exchange_sim): frames were read as YAML, so `{id: plain, method: ping}` was
// accepted and its id echoed unquoted, making the answer invalid JSON.
TEST(WsRequest, AcceptsOnlyOneJsonObject) {
  for (const char* frame : {"{id: plain, method: ping}", "[1,2,3]", "\"ping\"", "", "{\"id\":1",
                            R"({"id":1,"method":"ping"} {"id":2})", R"({"id":1,"method":"ping",})",
                            R"({"id":1e999,"method":"ping"})", "{\"method\":\"p\xff\"}"}) {
    EXPECT_FALSE(parse_ws_request(frame).has_value()) << frame;
  }
}

TEST(WsRequest, ListParamsKeepTheirStrings) {
  auto r = parse_ws_request(R"({"method":"SUBSCRIBE","params":["btcusdt@trade",["x"],{"a":1},"btcusdt@depth"],"id":1})");
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(r->params_is_list);
  EXPECT_EQ(r->list, (std::vector<std::string>{"btcusdt@trade", "btcusdt@depth"}));
  auto not_a_string = parse_ws_request(R"({"method":["SUBSCRIBE"],"id":4})");
  ASSERT_TRUE(not_a_string.has_value());
  EXPECT_TRUE(not_a_string->method.empty());
}

}  // namespace
}  // namespace colibri::exchange_sim
