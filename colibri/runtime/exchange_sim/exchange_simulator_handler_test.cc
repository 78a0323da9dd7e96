// ExchangeSimulator driven as a net::ServerHandler without sockets (net/http/loopback.h), on a
// SimScheduler: deterministic and quick. The regressions of what fuzz/fuzz_exchange_sim.cc found
// live here, each named after what it reproduces; the transport-level tests are in
// exchange_simulator_test.cc.

#include <functional>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "colibri/core/sim_scheduler.h"
#include "colibri/data/synthetic_market.h"
#include "colibri/net/http/loopback.h"
#include "colibri/runtime/exchange_sim/exchange_simulator.h"
#include "colibri/venue/binance/signing.h"

namespace colibri::exchange_sim {
namespace {

constexpr const char* kKey = "alice-key";
constexpr const char* kSecret = "alice-secret";
constexpr std::int64_t kStartMs = 1'723'161'600'000;

// One synthetic minute, generated once for every test of this file.
std::shared_ptr<const data::EventTape> market() {
  static const std::shared_ptr<const data::EventTape> tape = [] {
    auto t = std::make_shared<data::EventTape>();
    data::SyntheticMarketConfig synth;
    synth.seconds = 60;
    synth.emit_book_ticker = false;
    EXPECT_TRUE(data::generate(synth, *t).has_value());
    return t;
  }();
  return tape;
}

// Parses a JSON document (nullopt when it is not JSON). Strict, unlike YAML.
std::optional<simdjson::dom::element> json(const std::string& text) {
  static simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text).get(root) != simdjson::SUCCESS) return std::nullopt;
  return root;
}

std::int64_t code_of(const std::string& body) {
  auto root = json(body);
  std::int64_t code = 0;
  if (!root || (*root)["code"].get(code) != simdjson::SUCCESS) ADD_FAILURE() << "no code in " << body;
  return code;
}

// A WebSocket API answer as the simulator sends it: `body` without its closing brace, then the
// IP's REQUEST_WEIGHT count of the minute in rateLimits, as Binance appends it by default.
std::string ws_answer(std::string_view body, int weight) {
  return fmt::format(
      R"({},"rateLimits":[{{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":{}}}]}})",
      body, weight);
}

struct Direct {
  // `tweak` changes the simulator's configuration before it is created.
  explicit Direct(const std::function<void(ExchangeSimConfig&)>& tweak = {})
      : scheduler(Timestamp::from_ms(kStartMs)) {
    ExchangeSimConfig config;
    config.tape = market();
    config.accounts.market = default_market_rules();
    SimAccountConfig alice;
    alice.name = "alice";
    alice.api_key = Secret(kKey);
    alice.secret = Secret(kSecret);
    alice.balances = {{"BTC", Quantity::from_int(1)}, {"USDT", Quantity::from_int(100'000)}};
    config.accounts.accounts.push_back(std::move(alice));
    if (tweak) tweak(config);
    auto created = ExchangeSimulator::create(scheduler, std::move(config));
    EXPECT_TRUE(created.has_value()) << created.error().describe();
    sim = std::move(*created);
    sim->start();
  }

  // The answer, which must come at once.
  net::HttpResponse request(net::HttpRequest r) {
    auto reply = net::serve(*sim, std::move(r));
    EXPECT_EQ(reply->finishes, 1);
    return reply->response.value_or(net::HttpResponse{0, {}, ""});
  }

  // A signed request of alice: `params` then timestamp (default: now) and signature, in the query.
  net::HttpResponse send_signed(const std::string& method, const std::string& path, std::string params,
                                std::optional<std::string> timestamp = std::nullopt) {
    if (!params.empty()) params += '&';
    params += "timestamp=" + timestamp.value_or(std::to_string(scheduler.now().ms()));
    params += "&signature=" + venue::binance::sign_hmac_sha256(Secret(kSecret), params);
    return request({method, path + "?" + params, {net::HttpHeader{"X-MBX-APIKEY", kKey}}, ""});
  }

  std::shared_ptr<net::LoopbackWebSocket> api() { return net::LoopbackWebSocket::open(*sim, {"GET", "/ws-api/v3", {}, ""}); }

  // A validly signed userDataStream.subscribe.signature frame for alice.
  std::string subscribe_frame() const {
    const std::string ts = std::to_string(scheduler.now().ms());
    const std::string signature =
        venue::binance::sign_hmac_sha256(Secret(kSecret), std::string("apiKey=") + kKey + "&timestamp=" + ts);
    return fmt::format(
        R"({{"id":"s","method":"userDataStream.subscribe.signature","params":{{"apiKey":"{}","timestamp":{},"signature":"{}"}}}})",
        kKey, ts, signature);
  }

  SimScheduler scheduler;
  std::unique_ptr<ExchangeSimulator> sim;
};

TEST(ExchangeSimHandler, ServesWithoutATransport) {
  Direct d;
  const net::HttpResponse time = d.request({"GET", "/api/v3/time", {}, ""});
  EXPECT_EQ(time.status, 200);
  EXPECT_EQ(time.body, fmt::format(R"({{"serverTime":{}}})", kStartMs));
  const net::HttpResponse placed = d.send_signed(
      "POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newOrderRespType=ACK");
  EXPECT_EQ(placed.status, 200) << placed.body;
}

// Regression (fuzz): timestamp=-9223372036854775808 made `serverTime - timestamp` overflow (UB).
// A timestamp that is not a non-negative integer is refused as Binance refuses it: -1100.
TEST(ExchangeSimHandler, TimestampThatIsNotACountIsIllegalNotOverflowed) {
  Direct d;
  for (const char* ts : {"-9223372036854775808", "9223372036854775807999", "12ab", "+5", " 1", "1.5"}) {
    const net::HttpResponse r = d.send_signed("GET", "/api/v3/account", "", std::string(ts));
    EXPECT_EQ(r.status, 400) << ts;
    EXPECT_EQ(code_of(r.body), -1100) << ts << ": " << r.body;
  }
  EXPECT_EQ(code_of(d.send_signed("GET", "/api/v3/account", "", "1").body), -1021);
  EXPECT_EQ(code_of(d.send_signed("GET", "/api/v3/account", "recvWindow=-5").body), -1100);
  EXPECT_EQ(code_of(d.send_signed("GET", "/api/v3/account", "recvWindow=0").body), -1131);
  EXPECT_EQ(code_of(d.send_signed("GET", "/api/v3/account", "recvWindow=60001").body), -1131);
  EXPECT_EQ(d.send_signed("GET", "/api/v3/account", "recvWindow=59999.999").status, 200);
}

// Regression (fuzz): the same over the WebSocket API, where the recvWindow was not even range-checked.
TEST(ExchangeSimHandler, WsApiTimestampAndWindowAreCheckedLikeRest) {
  Direct d;
  auto ws = d.api();
  ws->receive(
      R"({"id":1,"method":"userDataStream.subscribe.signature","params":{"apiKey":"alice-key","timestamp":-9223372036854775808,"signature":"00"}})");
  ws->receive(
      R"({"id":2,"method":"userDataStream.subscribe.signature","params":{"apiKey":"alice-key","timestamp":1,"recvWindow":9223372036854775807,"signature":"00"}})");
  ASSERT_EQ(ws->frames().size(), 2u);
  EXPECT_NE(ws->frames()[0].find(R"("code":-1100)"), std::string::npos) << ws->frames()[0];
  EXPECT_NE(ws->frames()[1].find(R"("code":-1100)"), std::string::npos) << ws->frames()[1];
}

// Regression (fuzz): client bytes that are not UTF-8 (a fault name, a method) were copied into
// answers as they were: not JSON.
TEST(ExchangeSimHandler, AnswersEchoingClientBytesStayJson) {
  Direct d;
  const net::HttpResponse faults = d.request({"POST", "/sim/faults", {}, "{\"canc\xe9l_unknown\": {\"rate\": 1}}"});
  EXPECT_EQ(faults.status, 400);
  EXPECT_TRUE(json(faults.body).has_value()) << faults.body;
  auto ws = d.api();
  ws->receive("{\"id\":1,\"method\":\"p\xc3\xa9ng\"}");  // valid UTF-8, unknown method
  ws->receive(R"({"id":2,"method":"\ud800"})");          // a lone surrogate, escaped
  ASSERT_EQ(ws->frames().size(), 2u);
  for (const std::string& frame : ws->frames()) EXPECT_TRUE(json(frame).has_value()) << frame;
  EXPECT_NE(ws->frames()[0].find("p\xc3\xa9ng"), std::string::npos) << "valid UTF-8 is kept";
}

// Regression (fuzz): WebSocket frames were read as YAML: `{id: plain, method: ping}` was answered
// with "id":plain (not JSON); a non-map params made yaml-cpp throw out of the handler (a crash).
TEST(ExchangeSimHandler, WsApiReadsOnlyJsonAndEchoesIdsAsJson) {
  Direct d;
  auto ws = d.api();
  ws->receive("{id: plain, method: ping}");
  ws->receive(R"({"id":1.5,"method":"ping"})");
  ws->receive(R"({"id":"a\"b","method":"ping"})");
  ws->receive(R"({"id":3,"method":"userDataStream.unsubscribe","params":"x"})");
  ws->receive(R"({"id":4,"method":"userDataStream.subscribe.signature","params":["x"]})");
  ASSERT_EQ(ws->frames().size(), 5u);
  EXPECT_EQ(ws->frames()[0], R"({"id":null,"status":400,"error":{"code":-1102,"msg":"Malformed request."}})");
  EXPECT_NE(ws->frames()[1].find(R"({"id":null,"status":400)"), std::string::npos) << ws->frames()[1];
  EXPECT_EQ(ws->frames()[2], ws_answer(R"({"id":"a\"b","status":200,"result":{})", 2));
  EXPECT_EQ(ws->frames()[3], ws_answer(R"({"id":3,"status":200,"result":{})", 4)) << "no subscription: nothing ended";
  EXPECT_NE(ws->frames()[4].find(R"("code":-1102)"), std::string::npos) << ws->frames()[4];
  for (const std::string& frame : ws->frames()) EXPECT_TRUE(json(frame).has_value()) << frame;
}

// Regression (fuzz): a subscriptionId that was not an integer ("abc") read as -1, which meant
// "every subscription": the stream ended although the client named none of them.
TEST(ExchangeSimHandler, UnsubscribeWithAMalformedIdEndsNothing) {
  Direct d;
  auto ws = d.api();
  ws->receive(d.subscribe_frame());
  ASSERT_EQ(ws->frames().size(), 1u);
  EXPECT_EQ(ws->frames()[0], ws_answer(R"({"id":"s","status":200,"result":{"subscriptionId":0})", 2));
  ws->receive(R"({"id":1,"method":"userDataStream.unsubscribe","params":{"subscriptionId":"abc"}})");
  ws->receive(R"({"id":2,"method":"userDataStream.unsubscribe","params":{"subscriptionId":[0]}})");
  ws->receive(R"({"id":3,"method":"session.subscriptions"})");
  ASSERT_EQ(ws->frames().size(), 4u);
  EXPECT_NE(ws->frames()[1].find(R"("code":-1102)"), std::string::npos) << ws->frames()[1];
  EXPECT_NE(ws->frames()[2].find(R"("code":-1102)"), std::string::npos) << ws->frames()[2];
  EXPECT_EQ(ws->frames()[3], ws_answer(R"({"id":3,"status":200,"result":[{"subscriptionId":0}])", 8));
}

TEST(ExchangeSimHandler, TerminatingUserStreamsEndsSubscriptionsAndKeepsTheConnection) {
  Direct d;
  auto ws = d.api();
  ws->receive(d.subscribe_frame());
  const net::HttpResponse nobody =
      d.request({"POST", "/sim/terminate-user-streams?account=nobody", {}, ""});
  EXPECT_EQ(nobody.status, 400);
  const net::HttpResponse ended = d.request({"POST", "/sim/terminate-user-streams", {}, "account=alice"});
  EXPECT_EQ(ended.body, R"({"terminated":1})");
  ASSERT_EQ(ws->frames().size(), 2u);
  EXPECT_NE(ws->frames()[1].find(R"("subscriptionId":0,"event":{"e":"eventStreamTerminated")"), std::string::npos)
      << ws->frames()[1];
  EXPECT_TRUE(ws->is_open());
  // Nothing more reaches the ended subscription; a new one works on the same connection.
  d.send_signed("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01");
  EXPECT_EQ(ws->frames().size(), 2u);
  ws->receive(d.subscribe_frame());
  EXPECT_EQ(ws->frames().back(), ws_answer(R"({"id":"s","status":200,"result":{"subscriptionId":1})", 5));
  d.send_signed("POST", "/api/v3/order", "symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.01");
  EXPECT_GT(ws->frames().size(), 3u);
  EXPECT_NE(ws->frames()[3].find(R"("subscriptionId":1,"event":{"e":"executionReport")"), std::string::npos)
      << ws->frames()[3];
}

std::string header(const net::HttpResponse& r, std::string_view name) {
  const std::string* value = r.header(name);
  return value == nullptr ? "(none)" : *value;
}

// Binance's usage headers with the simulator's own counts, in fixed windows of its clock (the
// tests start on a minute, ten-second and day boundary).
TEST(ExchangeSimHandler, AnswersCarryTheIpsWeightAndTheAccountsOrderCounts) {
  Direct d;
  EXPECT_EQ(header(d.request({"GET", "/api/v3/ping", {}, ""}), "X-MBX-USED-WEIGHT-1M"), "1");
  EXPECT_EQ(header(d.request({"GET", "/api/v3/depth?symbol=BTCUSDT&limit=5000", {}, ""}), "X-MBX-USED-WEIGHT-1M"),
            "251");
  const net::HttpResponse account = d.send_signed("GET", "/api/v3/account", "");
  EXPECT_EQ(header(account, "X-MBX-USED-WEIGHT-1M"), "271");
  EXPECT_EQ(header(account, "X-MBX-ORDER-COUNT-10S"), "(none)") << "only order answers carry order counts";
  const net::HttpResponse placed =
      d.send_signed("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01");
  ASSERT_EQ(placed.status, 200) << placed.body;
  EXPECT_EQ(header(placed, "X-MBX-USED-WEIGHT-1M"), "272");
  EXPECT_EQ(header(placed, "X-MBX-ORDER-COUNT-10S"), "1");
  EXPECT_EQ(header(placed, "X-MBX-ORDER-COUNT-1D"), "1");
  const net::HttpResponse refused =
      d.send_signed("POST", "/api/v3/order", "symbol=ETHUSDT&side=BUY&type=MARKET&quantity=0.01");
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(header(refused, "X-MBX-ORDER-COUNT-10S"), "1") << "a refused order is not counted";
  auto ws = d.api();
  ws->receive(R"({"id":1,"method":"time"})");  // the WebSocket API weighs in the same minute
  ASSERT_EQ(ws->frames().size(), 1u);
  EXPECT_EQ(ws->frames()[0], ws_answer(fmt::format(R"({{"id":1,"status":200,"result":{{"serverTime":{}}})", kStartMs), 274))
      << "its answers carry the count in rateLimits";
  EXPECT_NE(d.sim->state_json().find(R"("usedWeight1m":274)"), std::string::npos) << d.sim->state_json();
  EXPECT_NE(d.sim->state_json().find(R"("orderCount10s":1,"orderCount1d":1)"), std::string::npos);

  d.scheduler.advance_by(std::chrono::seconds(10));  // a new ten-second window, the same minute and day
  const net::HttpResponse later =
      d.send_signed("POST", "/api/v3/order", "symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.01");
  EXPECT_EQ(header(later, "X-MBX-ORDER-COUNT-10S"), "1");
  EXPECT_EQ(header(later, "X-MBX-ORDER-COUNT-1D"), "2");
  EXPECT_EQ(header(later, "X-MBX-USED-WEIGHT-1M"), "275");
  d.scheduler.advance_by(std::chrono::seconds(50));  // the next minute
  EXPECT_EQ(header(d.request({"GET", "/api/v3/time", {}, ""}), "X-MBX-USED-WEIGHT-1M"), "1");

  // A refusal for rate carries the count too (and is not counted itself).
  ASSERT_EQ(d.request({"POST", "/sim/faults", {}, R"({"rate_limit": {"rate": 1, "one_shot": true}})"}).status, 200);
  const net::HttpResponse limited = d.request({"GET", "/api/v3/time", {}, ""});
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(header(limited, "X-MBX-USED-WEIGHT-1M"), "1");
}

// The windows start where the configuration says (here 4 s after the start, so the 10 s window
// rolls over 4 s in, not 10 s), and POST /sim/reset-limits starts them all again now, from zero.
TEST(ExchangeSimHandler, RateLimitWindowsStartAtTheirOriginAndAtAReset) {
  Direct d([](ExchangeSimConfig& c) { c.limit_windows_origin = Timestamp::from_ms(kStartMs + 4'000); });
  const auto place = [&] {
    return d.send_signed("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01");
  };
  EXPECT_EQ(header(place(), "X-MBX-ORDER-COUNT-10S"), "1");
  d.scheduler.advance_by(std::chrono::milliseconds(3'999));
  EXPECT_EQ(header(place(), "X-MBX-ORDER-COUNT-10S"), "2");
  d.scheduler.advance_by(std::chrono::milliseconds(1));  // origin + 0: a new ten seconds
  EXPECT_EQ(header(place(), "X-MBX-ORDER-COUNT-10S"), "1");
  EXPECT_EQ(header(place(), "X-MBX-ORDER-COUNT-1D"), "2") << "the day began 4 s in too";
  d.scheduler.advance_by(std::chrono::seconds(3));
  const net::HttpResponse reset = d.request({"POST", "/sim/reset-limits", {}, ""});
  ASSERT_EQ(reset.status, 200);
  EXPECT_EQ(reset.body, fmt::format(R"({{"limitWindowsOrigin":{}}})", kStartMs + 7'000));
  EXPECT_NE(d.sim->state_json().find(R"("usedWeight1m":0)"), std::string::npos) << d.sim->state_json();
  EXPECT_NE(d.sim->state_json().find(R"("orderCount10s":0,"orderCount1d":0)"), std::string::npos);
  const net::HttpResponse after = place();
  EXPECT_EQ(header(after, "X-MBX-ORDER-COUNT-10S"), "1");
  EXPECT_EQ(header(after, "X-MBX-ORDER-COUNT-1D"), "1");
  EXPECT_EQ(header(after, "X-MBX-USED-WEIGHT-1M"), "1");
  d.scheduler.advance_by(std::chrono::milliseconds(9'999));  // still the reset's ten seconds
  EXPECT_EQ(header(place(), "X-MBX-ORDER-COUNT-10S"), "2");
  d.scheduler.advance_by(std::chrono::milliseconds(1));
  EXPECT_EQ(header(place(), "X-MBX-ORDER-COUNT-10S"), "1");
}

// Over REQUEST_WEIGHT, Binance answers 429 -1003 with Retry-After until its minute ends, and does
// not count the refused request; an IP that keeps sending before then is banned: 418 with the
// ban's end, 2 minutes for the first ban, twice as long for the next.
TEST(ExchangeSimHandler, RequestWeightOverTheMinuteIs429ThenABan) {
  Direct d;
  for (int i = 0; i < 24; ++i) {  // 24 x 250 = 6000: the whole minute, still allowed
    ASSERT_EQ(d.request({"GET", "/api/v3/depth?symbol=BTCUSDT&limit=5000", {}, ""}).status, 200) << i;
  }
  const net::HttpResponse over = d.request({"GET", "/api/v3/ping", {}, ""});
  EXPECT_EQ(over.status, 429);
  EXPECT_EQ(code_of(over.body), -1003);
  EXPECT_NE(over.body.find("request weight per 1 MINUTE"), std::string::npos) << over.body;
  EXPECT_EQ(header(over, "Retry-After"), "60");
  EXPECT_EQ(header(over, "X-MBX-USED-WEIGHT-1M"), "6000") << "the refused request is not counted";
  d.scheduler.advance_by(std::chrono::milliseconds(30'500));
  for (int early = 1; early < 10; ++early) {
    const net::HttpResponse again = d.request({"GET", "/api/v3/ping", {}, ""});
    ASSERT_EQ(again.status, 429) << early;
    EXPECT_EQ(header(again, "Retry-After"), "30");
  }
  const net::HttpResponse banned = d.request({"GET", "/api/v3/ping", {}, ""});
  EXPECT_EQ(banned.status, 418) << "the tenth request before Retry-After passed";
  EXPECT_EQ(code_of(banned.body), -1003);
  EXPECT_EQ(header(banned, "Retry-After"), "120");
  EXPECT_NE(banned.body.find(fmt::format("banned until {}", kStartMs + 30'500 + 120'000)), std::string::npos);
  d.scheduler.advance_by(std::chrono::seconds(60));  // a new minute, but still banned
  EXPECT_EQ(d.request({"GET", "/api/v3/ping", {}, ""}).status, 418);
  d.scheduler.advance_by(std::chrono::seconds(60));
  const net::HttpResponse free = d.request({"GET", "/api/v3/ping", {}, ""});
  EXPECT_EQ(free.status, 200);
  EXPECT_NE(d.sim->state_json().find(R"("requestsWhileRateLimited":11,"refusedForRate":12,"ipBans":1)"),
            std::string::npos)
      << d.sim->state_json();

  // The next ban lasts twice as long.
  ASSERT_EQ(d.request({"POST", "/sim/faults", {}, R"({"rate_limit": {"rate": 1, "one_shot": true, "retry_after": 5}})"})
                .status,
            200);
  EXPECT_EQ(d.request({"GET", "/api/v3/ping", {}, ""}).status, 429);
  for (int early = 1; early < 10; ++early) ASSERT_EQ(d.request({"GET", "/api/v3/ping", {}, ""}).status, 429);
  EXPECT_EQ(header(d.request({"GET", "/api/v3/ping", {}, ""}), "Retry-After"), "240");
  // /sim/reset-limits lifts it.
  ASSERT_EQ(d.request({"POST", "/sim/reset-limits", {}, ""}).status, 200);
  EXPECT_EQ(d.request({"GET", "/api/v3/ping", {}, ""}).status, 200);
}

// The WebSocket API weighs in the same minute, and says when to retry in the error's data.
TEST(ExchangeSimHandler, WsApiOverTheMinuteIs429WithRetryAfter) {
  Direct d;
  for (int i = 0; i < 24; ++i) {
    ASSERT_EQ(d.request({"GET", "/api/v3/depth?symbol=BTCUSDT&limit=5000", {}, ""}).status, 200) << i;
  }
  d.scheduler.advance_by(std::chrono::seconds(15));
  auto ws = d.api();
  ws->receive(R"({"id":7,"method":"time"})");
  ASSERT_EQ(ws->frames().size(), 1u);
  const std::string& answer = ws->frames()[0];
  EXPECT_TRUE(json(answer).has_value()) << answer;
  EXPECT_NE(answer.find(R"({"id":7,"status":429,"error":{"code":-1003,)"), std::string::npos) << answer;
  EXPECT_NE(answer.find(fmt::format(R"("data":{{"serverTime":{},"retryAfter":{}}})", kStartMs + 15'000,
                                    kStartMs + 60'000)),
            std::string::npos)
      << answer;
  EXPECT_NE(answer.find(R"("limit":6000,"count":6000}])"), std::string::npos) << "the count, refusals too";
}

// Over an ORDERS limit the order is refused with 429 -1015 and no Retry-After, as Binance does;
// the answer still carries the counts. Other requests of the account and IP go on.
TEST(ExchangeSimHandler, OrdersOverTenSecondsAre1015) {
  Direct d;
  const auto place = [&] {
    return d.send_signed("POST", "/api/v3/order",
                         "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=1000");
  };
  for (int i = 0; i < 50; ++i) ASSERT_EQ(place().status, 200) << i;
  const net::HttpResponse over = place();
  EXPECT_EQ(over.status, 429);
  EXPECT_EQ(code_of(over.body), -1015);
  EXPECT_NE(over.body.find("Too many new orders; current limit is 50 orders per 10 SECOND."), std::string::npos)
      << over.body;
  EXPECT_EQ(header(over, "Retry-After"), "(none)");
  EXPECT_EQ(header(over, "X-MBX-ORDER-COUNT-10S"), "50");
  EXPECT_EQ(header(over, "X-MBX-ORDER-COUNT-1D"), "50");
  EXPECT_EQ(d.send_signed("GET", "/api/v3/openOrders", "symbol=BTCUSDT").status, 200) << "only orders wait";
  EXPECT_NE(d.sim->state_json().find(R"("orderCount10s":50,"orderCount1d":50)"), std::string::npos);
  d.scheduler.advance_by(std::chrono::seconds(10));
  const net::HttpResponse later = place();
  EXPECT_EQ(later.status, 200) << later.body;
  EXPECT_EQ(header(later, "X-MBX-ORDER-COUNT-10S"), "1");
  EXPECT_EQ(header(later, "X-MBX-ORDER-COUNT-1D"), "51");
}

// Regression (fuzz): a faults document whose key is a list made yaml-cpp throw out of the handler;
// huge `ms` / `retry_after` overflowed the scheduler's nanoseconds (UB); `status: 100000` made the
// simulator answer HTTP 100000. Each is now refused with the key named.
TEST(ExchangeSimHandler, FaultDocumentsOutOfRangeAreRefused) {
  Direct d;
  for (const char* doc : {"{[latency]: {rate: 1}}", R"({"latency": {"rate": 1, "ms": 9223372036854775807}})",
                          R"({"rate_limit": {"rate": 1, "retry_after": 9223372036854775807}})",
                          R"({"server_error": {"rate": 1, "status": 100000}})",
                          R"({"drop_reply": {"rate": 1, "ms": 86400001}})"}) {
    const net::HttpResponse r = d.request({"POST", "/sim/faults", {}, doc});
    EXPECT_EQ(r.status, 400) << doc << ": " << r.body;
    EXPECT_TRUE(json(r.body).has_value()) << r.body;
  }
  const net::HttpResponse day = d.request({"POST", "/sim/faults", {}, R"({"latency": {"rate": 1, "ms": 86400000}})"});
  EXPECT_EQ(day.status, 200) << day.body;
  auto held = net::serve(*d.sim, {"GET", "/api/v3/ping", {}, ""});
  EXPECT_EQ(held->finishes, 0) << "answered a day later";
  d.sim->stop();  // the replay's 5 ms timer would make a simulated day slow; the held answer stays
  d.scheduler.advance_by(std::chrono::hours(24));
  EXPECT_EQ(held->finishes, 1);
  ASSERT_TRUE(held->response.has_value());
  EXPECT_EQ(held->response->status, 200);
}

}  // namespace
}  // namespace colibri::exchange_sim
