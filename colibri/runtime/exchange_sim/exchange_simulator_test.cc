// The simulator over real sockets on 127.0.0.1 (TLS where it matters), driven by colibri::net's
// clients; JSON answers are read with yaml-cpp (JSON is YAML). Every wait is bounded (run_until).

#include "colibri/runtime/exchange_sim/exchange_simulator.h"

#include <algorithm>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "colibri/core/live_scheduler.h"
#include "colibri/net/http_client.h"
#include "colibri/venue/binance/signing.h"
#include "colibri/testing/exchange_sim_server.h"
#include "colibri/testing/live_loop.h"

namespace colibri::exchange_sim {
namespace {

constexpr const char* kKey = "alice-key-0123456789";
constexpr const char* kSecret = "alice-secret-abcdefghijklmnopqrstuvwxyz";

using testing::run_until;

struct Answer {
  int status = 0;
  std::string body;
  YAML::Node json;
  std::string retry_after;
  std::optional<Error> error;  // transport error
};

struct Harness {
  explicit Harness(bool tls = false, std::int64_t seconds = 600)
      : exchange(scheduler, fmt::format(R"(
accounts:
  - name: alice
    api_key: {}
    secret: {}
    balances: {{BTC: 1, USDT: 100000}}
  - name: bob
    api_key: bob-key
    secret: bob-secret
    balances: {{USDT: 50}}
)",
                                        kKey, kSecret),
                 tls, seconds),
        endpoint(exchange.endpoint()) {
    endpoint.request_timeout = std::chrono::seconds(3);
    client = std::make_unique<net::HttpClient>(scheduler, endpoint);
  }

  Answer request(net::HttpRequest request) {
    std::optional<Result<net::HttpResponse>> result;
    client->request(std::move(request), [&](Result<net::HttpResponse> r) { result = std::move(r); });
    EXPECT_TRUE(run_until(scheduler, [&] { return result.has_value(); }));
    Answer a;
    if (!result) return a;
    if (!*result) {
      a.error = result->error();
      return a;
    }
    a.status = (*result)->status;
    a.body = (*result)->body;
    if (const std::string* r = (*result)->header("Retry-After")) a.retry_after = *r;
    try {
      a.json = YAML::Load(a.body);
    } catch (const YAML::Exception&) {
    }
    return a;
  }
  Answer get(const std::string& target) { return request({"GET", target, {}, ""}); }

  // A signed request: params in the query (GET/DELETE) or the body (POST), signature last.
  Answer send_signed(const std::string& method, const std::string& path, std::string params,
                     const std::string& key = kKey, const std::string& secret = kSecret,
                     std::optional<std::int64_t> timestamp = std::nullopt) {
    if (!params.empty()) params += '&';
    params += fmt::format("timestamp={}", timestamp.value_or(scheduler.now().ms()));
    params += "&signature=" + venue::binance::sign_hmac_sha256(Secret(secret), params);
    net::HttpRequest r{method, path, {net::HttpHeader{"X-MBX-APIKEY", key}}, ""};
    if (method == "POST") {
      r.body = params;
      r.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    } else {
      r.target += "?" + params;
    }
    return request(std::move(r));
  }

  YAML::Node state() { return get("/sim/state").json; }

  void set_faults(const std::string& yaml) {
    Answer a = request({"POST", "/sim/faults", {}, yaml});
    ASSERT_EQ(a.status, 200) << a.body;
  }

  LiveScheduler scheduler;
  testing::ExchangeSimServer exchange;
  net::Endpoint endpoint;
  std::unique_ptr<net::HttpClient> client;
};

// Collects the frames of one WebSocket.
struct WsProbe {
  WsProbe(Harness& h, const std::string& target) : harness(h) {
    net::connect_websocket(h.scheduler, h.endpoint, target, [this](auto r) {
      ASSERT_TRUE(r.has_value()) << r.error().describe();
      connection = *r;
      connection->set_handlers({[this](std::string_view text) { frames.emplace_back(text); },
                                [this](const Error& e) { closed = e; }});
    });
    EXPECT_TRUE(run_until(h.scheduler, [&] { return connection != nullptr; }));
  }
  ~WsProbe() {
    if (connection) {
      connection->set_handlers({});
      connection->abort();
    }
  }
  bool wait_frames(std::size_t n, Duration limit = std::chrono::seconds(5)) {
    return run_until(
        harness.scheduler, [&] { return frames.size() >= n; }, limit);
  }
  Harness& harness;
  std::shared_ptr<net::WebSocketConnection> connection;
  std::vector<std::string> frames;
  std::optional<Error> closed;
};

// A WS API connection subscribed to alice's user data stream.
struct UserStream : WsProbe {
  explicit UserStream(Harness& h) : WsProbe(h, "/ws-api/v3") {
    const std::int64_t ts = h.scheduler.now().ms();
    const std::string payload = fmt::format("apiKey={}&timestamp={}", kKey, ts);
    connection->send(fmt::format(
        R"({{"id":"sub-1","method":"userDataStream.subscribe.signature","params":{{"apiKey":"{}","timestamp":{},"signature":"{}"}}}})",
        kKey, ts, venue::binance::sign_hmac_sha256(Secret(kSecret), payload)));
    EXPECT_TRUE(wait_frames(1));
    EXPECT_NE(frames[0].find(R"("result":{"subscriptionId":0})"), std::string::npos) << frames[0];
    EXPECT_NE(frames[0].find(R"("id":"sub-1")"), std::string::npos) << frames[0];
    frames.clear();
  }
  // The events received, in order, parsed.
  std::vector<YAML::Node> events() const {
    std::vector<YAML::Node> out;
    for (const std::string& f : frames) out.push_back(YAML::Load(f)["event"]);
    return out;
  }
};

std::string best_ask(Harness& h) {
  Answer depth = h.get("/api/v3/depth?symbol=BTCUSDT&limit=5");
  EXPECT_EQ(depth.status, 200) << depth.body;
  return depth.json["asks"][0][0].as<std::string>();
}

TEST(ExchangeSim, PublicEndpointsAnswerInBinanceShapes) {
  Harness h;
  EXPECT_EQ(h.get("/api/v3/ping").body, "{}");
  Answer time = h.get("/api/v3/time");
  EXPECT_NEAR(time.json["serverTime"].as<double>(), static_cast<double>(h.scheduler.now().ms()), 5000);
  Answer info = h.get("/api/v3/exchangeInfo");
  ASSERT_EQ(info.status, 200);
  const YAML::Node symbol = info.json["symbols"][0];
  EXPECT_EQ(symbol["symbol"].as<std::string>(), "BTCUSDT");
  EXPECT_EQ(symbol["filters"][0]["tickSize"].as<std::string>(), "0.01000000");
  EXPECT_EQ(symbol["filters"][1]["stepSize"].as<std::string>(), "0.00001000");
  EXPECT_EQ(symbol["filters"][2]["filterType"].as<std::string>(), "NOTIONAL");
  Answer depth = h.get("/api/v3/depth?symbol=BTCUSDT&limit=10");
  ASSERT_EQ(depth.status, 200);
  EXPECT_GT(depth.json["lastUpdateId"].as<std::int64_t>(), 0);
  EXPECT_EQ(depth.json["bids"].size(), 10u);
  EXPECT_LT(std::stod(depth.json["bids"][0][0].as<std::string>()),
            std::stod(depth.json["asks"][0][0].as<std::string>()));
  Answer ticker = h.get("/api/v3/ticker/bookTicker?symbol=BTCUSDT");
  EXPECT_EQ(ticker.json["bidPrice"].as<std::string>(), depth.json["bids"][0][0].as<std::string>());
  EXPECT_EQ(h.get("/api/v3/depth?symbol=ETHUSDT").json["code"].as<int>(), -1121);
  EXPECT_EQ(h.get("/api/v3/depth").json["code"].as<int>(), -1102);
  run_until(
      h.scheduler, [&] { return false; }, std::chrono::milliseconds(500));
  Answer trades = h.get("/api/v3/trades?symbol=BTCUSDT&limit=5");
  ASSERT_EQ(trades.status, 200);
  EXPECT_GT(trades.json.size(), 0u);
}

TEST(ExchangeSim, SignedMarketOrderFillsAndSimStateAgreesOverTls) {
  Harness h(true);
  UserStream user(h);
  Answer placed =
      h.send_signed("POST", "/api/v3/order",
                    "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newClientOrderId=my-order-1");
  ASSERT_EQ(placed.status, 200) << placed.body;
  EXPECT_EQ(placed.json["status"].as<std::string>(), "FILLED");
  EXPECT_EQ(placed.json["clientOrderId"].as<std::string>(), "my-order-1");
  EXPECT_EQ(placed.json["executedQty"].as<std::string>(), "0.01000000");
  ASSERT_GE(placed.json["fills"].size(), 1u);
  EXPECT_EQ(placed.json["fills"][0]["commissionAsset"].as<std::string>(), "BTC");

  const YAML::Node state = h.state();
  const YAML::Node alice = state["accounts"][0];
  EXPECT_EQ(alice["name"].as<std::string>(), "alice");
  ASSERT_EQ(alice["fills"].size(), placed.json["fills"].size());
  EXPECT_EQ(alice["openOrders"].size(), 0u);
  // The account endpoint and the truth agree on every balance.
  Answer account = h.send_signed("GET", "/api/v3/account", "");
  ASSERT_EQ(account.status, 200) << account.body;
  ASSERT_EQ(account.json["balances"].size(), alice["balances"].size());
  for (std::size_t i = 0; i < alice["balances"].size(); ++i) {
    EXPECT_EQ(account.json["balances"][i]["free"].as<std::string>(),
              alice["balances"][i]["free"].as<std::string>());
  }
  // 1 BTC + 0.01 - 0.1 % fee in BTC.
  EXPECT_EQ(alice["balances"][0]["asset"].as<std::string>(), "BTC");
  EXPECT_EQ(alice["balances"][0]["total"].as<std::string>(), "1.00999000");
  EXPECT_EQ(account.json["makerCommission"].as<int>(), 10);  // 0.1 % in basis points
  EXPECT_EQ(account.json["commissionRates"]["maker"].as<std::string>(), "0.00100000");
  Answer my_trades = h.send_signed("GET", "/api/v3/myTrades", "symbol=BTCUSDT");
  ASSERT_EQ(my_trades.json.size(), alice["fills"].size());
  EXPECT_EQ(my_trades.json[0]["isBuyer"].as<bool>(), true);
  EXPECT_EQ(my_trades.json[0]["isMaker"].as<bool>(), false);

  // The user stream: NEW, one TRADE per fill (the last one FILLED), then the balances.
  ASSERT_TRUE(user.wait_frames(2 + placed.json["fills"].size()));
  const auto events = user.events();
  EXPECT_EQ(events[0]["e"].as<std::string>(), "executionReport");
  EXPECT_EQ(events[0]["x"].as<std::string>(), "NEW");
  EXPECT_EQ(events[0]["c"].as<std::string>(), "my-order-1");
  const std::size_t fills = placed.json["fills"].size();
  EXPECT_EQ(events[fills]["x"].as<std::string>(), "TRADE");
  EXPECT_EQ(events[fills]["X"].as<std::string>(), "FILLED");
  EXPECT_EQ(events[fills]["z"].as<std::string>(), "0.01000000");
  EXPECT_EQ(events[fills + 1]["e"].as<std::string>(), "outboundAccountPosition");
}

TEST(ExchangeSim, LimitOrderRestsIsListedAndCancels) {
  Harness h;
  UserStream user(h);
  Answer placed = h.send_signed("POST", "/api/v3/order",
                                "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=1000."
                                "00&newClientOrderId=rest-1");
  ASSERT_EQ(placed.status, 200) << placed.body;
  EXPECT_EQ(placed.json["status"].as<std::string>(), "NEW");
  const std::string order_id = placed.json["orderId"].as<std::string>();
  Answer open = h.send_signed("GET", "/api/v3/openOrders", "symbol=BTCUSDT");
  ASSERT_EQ(open.json.size(), 1u);
  EXPECT_EQ(open.json[0]["clientOrderId"].as<std::string>(), "rest-1");
  Answer queried = h.send_signed("GET", "/api/v3/order", "symbol=BTCUSDT&orderId=" + order_id);
  EXPECT_EQ(queried.json["status"].as<std::string>(), "NEW");
  EXPECT_EQ(queried.json["price"].as<std::string>(), "1000.00000000");
  // 1000 × 0.01 = 10 USDT locked.
  Answer account = h.send_signed("GET", "/api/v3/account", "");
  EXPECT_EQ(account.json["balances"][1]["locked"].as<std::string>(), "10.00000000");

  Answer canceled = h.send_signed("DELETE", "/api/v3/order",
                                  "symbol=BTCUSDT&origClientOrderId=rest-1&newClientOrderId=cxl-1");
  ASSERT_EQ(canceled.status, 200) << canceled.body;
  EXPECT_EQ(canceled.json["status"].as<std::string>(), "CANCELED");
  EXPECT_EQ(canceled.json["origClientOrderId"].as<std::string>(), "rest-1");
  EXPECT_EQ(canceled.json["clientOrderId"].as<std::string>(), "cxl-1");
  Answer again = h.send_signed("DELETE", "/api/v3/order", "symbol=BTCUSDT&orderId=" + order_id);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.json["code"].as<int>(), -2011);
  EXPECT_EQ(again.json["msg"].as<std::string>(), "Unknown order sent.");
  EXPECT_EQ(
      h.send_signed("GET", "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=nope").json["code"].as<int>(),
      -2013);
  EXPECT_EQ(h.send_signed("DELETE", "/api/v3/openOrders", "symbol=BTCUSDT").json["code"].as<int>(), -2011);
  EXPECT_EQ(h.state()["accounts"][0]["openOrders"].size(), 0u);

  ASSERT_TRUE(user.wait_frames(4));
  const auto events = user.events();
  EXPECT_EQ(events[0]["x"].as<std::string>(), "NEW");
  EXPECT_EQ(events[2]["x"].as<std::string>(), "CANCELED");
  EXPECT_EQ(events[2]["c"].as<std::string>(), "cxl-1");
  EXPECT_EQ(events[2]["C"].as<std::string>(), "rest-1");
}

TEST(ExchangeSim, RejectionsUseBinanceCodes) {
  Harness h;
  const auto code = [](const Answer& a) { return a.json["code"].as<int>(); };
  // Filters and balances.
  EXPECT_EQ(
      code(h.send_signed("POST", "/api/v3/order",
                         "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=1000.001")),
      -1013);
  Answer poor = h.send_signed("POST", "/api/v3/order",
                              "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=1000",
                              "bob-key", "bob-secret");
  EXPECT_EQ(code(poor), -2010);
  EXPECT_EQ(poor.json["msg"].as<std::string>(), "Account has insufficient balance for requested action.");
  EXPECT_EQ(code(h.send_signed("POST", "/api/v3/order",
                               "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=0.01&price=1000")),
            -1102);
  EXPECT_EQ(
      code(h.send_signed("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=STOP_LOSS&quantity=0.001")),
      -1116);
  const std::string ask = best_ask(h);
  Answer maker = h.send_signed("POST", "/api/v3/order",
                               "symbol=BTCUSDT&side=BUY&type=LIMIT_MAKER&quantity=0.001&price=" + ask);
  EXPECT_EQ(code(maker), -2010);
  EXPECT_EQ(maker.json["msg"].as<std::string>(), "Order would immediately match and take.");
}

TEST(ExchangeSim, AuthenticationFailuresUseBinanceCodes) {
  Harness h;
  Answer unknown_key = h.send_signed("GET", "/api/v3/account", "", "nobody");
  EXPECT_EQ(unknown_key.status, 401);
  EXPECT_EQ(unknown_key.json["code"].as<int>(), -2015);
  Answer no_key = h.get("/api/v3/account?timestamp=1&signature=00");
  EXPECT_EQ(no_key.status, 401);
  EXPECT_EQ(no_key.json["code"].as<int>(), -2014);
  Answer bad_signature = h.send_signed("GET", "/api/v3/account", "", kKey, "not-the-secret");
  EXPECT_EQ(bad_signature.status, 400);
  EXPECT_EQ(bad_signature.json["code"].as<int>(), -1022);
  EXPECT_EQ(bad_signature.json["msg"].as<std::string>(), "Signature for this request is not valid.");
  EXPECT_EQ(bad_signature.body.find(kKey), std::string::npos);
  Answer stale = h.send_signed("GET", "/api/v3/account", "", kKey, kSecret, h.scheduler.now().ms() - 10'000);
  EXPECT_EQ(stale.json["code"].as<int>(), -1021);
  EXPECT_EQ(stale.json["msg"].as<std::string>(), "Timestamp for this request is outside of the recvWindow.");
  Answer ahead = h.send_signed("GET", "/api/v3/account", "", kKey, kSecret, h.scheduler.now().ms() + 5'000);
  EXPECT_EQ(ahead.json["code"].as<int>(), -1021);
  Answer wide = h.send_signed("GET", "/api/v3/account", "recvWindow=20000", kKey, kSecret,
                              h.scheduler.now().ms() - 10'000);
  EXPECT_EQ(wide.status, 200) << wide.body;
  Answer unsigned_request =
      h.request({"GET", "/api/v3/account?timestamp=1", {net::HttpHeader{"X-MBX-APIKEY", kKey}}, ""});
  EXPECT_EQ(unsigned_request.json["code"].as<int>(), -1102);
  // The state never shows keys or secrets.
  const std::string state = h.get("/sim/state").body;
  EXPECT_EQ(state.find(kKey), std::string::npos);
  EXPECT_EQ(state.find(kSecret), std::string::npos);
}

TEST(ExchangeSim, SignatureCoversQueryThenBodyExactlyAsSent) {
  Harness h;
  // Binance's totalParams: the query string concatenated with the body, as sent.
  const std::string query = "symbol=BTCUSDT&side=BUY";
  const std::string body =
      fmt::format("type=LIMIT&timeInForce=GTC&quantity=0.01&price=1000&timestamp={}", h.scheduler.now().ms());
  const std::string signature = venue::binance::sign_hmac_sha256(Secret(kSecret), query + body);
  Answer placed = h.request({"POST",
                             "/api/v3/order?" + query,
                             {net::HttpHeader{"X-MBX-APIKEY", kKey}},
                             body + "&signature=" + signature});
  EXPECT_EQ(placed.status, 200) << placed.body;
  // The signature first in the query: what remains is signed as sent.
  const std::string rest = fmt::format("symbol=BTCUSDT&timestamp={}", h.scheduler.now().ms());
  Answer open = h.request(
      {"GET",
       "/api/v3/openOrders?signature=" + venue::binance::sign_hmac_sha256(Secret(kSecret), rest) + "&" + rest,
       {net::HttpHeader{"X-MBX-APIKEY", kKey}},
       ""});
  EXPECT_EQ(open.status, 200) << open.body;
  EXPECT_EQ(open.json.size(), 1u);
}

// Follows Binance's spot rules for a local book: buffer the stream, take the REST snapshot, drop
// frames with u <= lastUpdateId, the first applied frame has U <= lastUpdateId + 1 <= u, and each
// next frame's U is the previous u + 1.
struct DepthCheck {
  std::int64_t last_update_id = 0;
  std::int64_t previous_u = -1;
  int applied = 0;
  int gaps = 0;
  void on_frame(const YAML::Node& frame) {
    const auto first = frame["U"].as<std::int64_t>();
    const auto last = frame["u"].as<std::int64_t>();
    if (last <= last_update_id) return;
    if (previous_u < 0) {
      EXPECT_LE(first, last_update_id + 1);
      EXPECT_GE(last, last_update_id + 1);
    } else if (first != previous_u + 1) {
      ++gaps;
    }
    previous_u = last;
    ++applied;
  }
};

TEST(ExchangeSim, DepthStreamContinuesTheRestSnapshot) {
  Harness h;
  WsProbe stream(h, "/stream?streams=btcusdt@depth@100ms/btcusdt@trade");
  ASSERT_TRUE(stream.wait_frames(1));
  Answer snapshot = h.get("/api/v3/depth?symbol=BTCUSDT&limit=1000");
  DepthCheck check;
  check.last_update_id = snapshot.json["lastUpdateId"].as<std::int64_t>();
  // Wait for depth frames, not frames: a busy synthetic minute can send a dozen trades between two
  // 100 ms depth frames (counting all frames here made the test flaky).
  const auto depth_count = [&stream] {
    return std::count_if(stream.frames.begin(), stream.frames.end(),
                         [](const std::string& f) { return f.find("@depth@100ms") != std::string::npos; });
  };
  const auto depth_before = depth_count();
  ASSERT_TRUE(run_until(h.scheduler, [&] { return depth_count() >= depth_before + 6; }, std::chrono::seconds(10)));
  int depth_frames = 0;
  int trade_frames = 0;
  for (const std::string& f : stream.frames) {
    const YAML::Node wrapped = YAML::Load(f);
    const std::string name = wrapped["stream"].as<std::string>();
    if (name == "btcusdt@trade") {
      ++trade_frames;
      EXPECT_EQ(wrapped["data"]["e"].as<std::string>(), "trade");
      continue;
    }
    ASSERT_EQ(name, "btcusdt@depth@100ms");
    ++depth_frames;
    check.on_frame(wrapped["data"]);
  }
  EXPECT_GT(depth_frames, 3);
  EXPECT_GT(check.applied, 3);
  EXPECT_EQ(check.gaps, 0);
  EXPECT_GT(trade_frames, 0);
}

TEST(ExchangeSim, RawStreamsAndLiveSubscribe) {
  Harness h;
  WsProbe ticker(h, "/ws/btcusdt@bookTicker");
  ASSERT_TRUE(ticker.wait_frames(1));
  const YAML::Node t = YAML::Load(ticker.frames[0]);
  EXPECT_EQ(t["s"].as<std::string>(), "BTCUSDT");
  EXPECT_TRUE(t["b"].IsDefined() && t["A"].IsDefined());
  WsProbe bare(h, "/ws");
  bare.connection->send(R"({"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":7})");
  ASSERT_TRUE(bare.wait_frames(2));
  EXPECT_EQ(bare.frames[0], R"({"result":null,"id":7})");
  EXPECT_EQ(YAML::Load(bare.frames[1])["e"].as<std::string>(), "trade");
}

TEST(ExchangeSim, DepositPushesBalanceUpdateAndUnsubscribeTerminatesTheStream) {
  Harness h;
  UserStream user(h);
  Answer deposited = h.request({"POST", "/sim/deposit", {}, "account=alice&asset=USDT&amount=250.5"});
  ASSERT_EQ(deposited.status, 200) << deposited.body;
  ASSERT_TRUE(user.wait_frames(2));
  const auto events = user.events();
  EXPECT_EQ(events[0]["e"].as<std::string>(), "balanceUpdate");
  EXPECT_EQ(events[0]["a"].as<std::string>(), "USDT");
  EXPECT_EQ(events[0]["d"].as<std::string>(), "250.50000000");
  EXPECT_EQ(events[1]["e"].as<std::string>(), "outboundAccountPosition");
  EXPECT_EQ(events[1]["B"][0]["f"].as<std::string>(), "100250.50000000");
  EXPECT_EQ(h.request({"POST", "/sim/deposit", {}, "account=nobody&asset=USDT&amount=1"}).status, 400);
  user.connection->send(R"({"id":9,"method":"userDataStream.unsubscribe","params":{"subscriptionId":0}})");
  ASSERT_TRUE(user.wait_frames(4));
  EXPECT_EQ(user.frames[2].rfind(R"({"id":9,"status":200,"result":{},"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT",)", 0), 0u)
      << user.frames[2];
  EXPECT_EQ(YAML::Load(user.frames[3])["event"]["e"].as<std::string>(), "eventStreamTerminated");
  user.frames.clear();
  EXPECT_EQ(h.request({"POST", "/sim/deposit", {}, "account=alice&asset=BTC&amount=1"}).status, 200);
  run_until(
      h.scheduler, [] { return false; }, std::chrono::milliseconds(200));
  EXPECT_TRUE(user.frames.empty());  // unsubscribed
}

TEST(ExchangeSim, WsApiTimeAndSubscriptionErrors) {
  Harness h;
  WsProbe api(h, "/ws-api/v3");
  api.connection->send(R"({"id":1,"method":"time"})");
  ASSERT_TRUE(api.wait_frames(1));
  EXPECT_NE(api.frames[0].find(R"("id":1,"status":200,"result":{"serverTime":)"), std::string::npos)
      << api.frames[0];
  const std::int64_t ts = h.scheduler.now().ms();
  api.connection->send(fmt::format(
      R"({{"id":"s","method":"userDataStream.subscribe.signature","params":{{"apiKey":"{}","timestamp":{},"signature":"{}"}}}})",
      kKey, ts, std::string(64, '0')));
  ASSERT_TRUE(api.wait_frames(2));
  EXPECT_NE(api.frames[1].find(R"("code":-1022)"), std::string::npos) << api.frames[1];
  api.connection->send(
      R"({"id":"t","method":"userDataStream.subscribe.signature","params":{"apiKey":"nobody","timestamp":1,"signature":"00"}})");
  ASSERT_TRUE(api.wait_frames(3));
  EXPECT_NE(api.frames[2].find(R"("code":-2015)"), std::string::npos) << api.frames[2];
}

// --- faults: each observable from the outside

TEST(ExchangeSimFaults, DroppedReplyAfterTheOrderWasAccepted) {
  Harness h;
  h.set_faults(R"({"drop_reply": {"rate": 1, "one_shot": true, "only": "POST /api/v3/order", "ms": 5000}})");
  h.client = std::make_unique<net::HttpClient>(h.scheduler, [&] {
    net::Endpoint e = h.endpoint;
    e.request_timeout = std::chrono::milliseconds(300);
    return e;
  }());
  Answer lost = h.send_signed("POST", "/api/v3/order",
                              "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=1000&"
                              "newClientOrderId=dropped-1");
  ASSERT_TRUE(lost.error.has_value());
  EXPECT_EQ(lost.error->code(), ErrorCode::Ambiguous);
  // The exchange has it: a query finds it, /sim/state lists it.
  Answer queried = h.send_signed("GET", "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=dropped-1");
  EXPECT_EQ(queried.json["status"].as<std::string>(), "NEW");
  EXPECT_EQ(h.state()["accounts"][0]["openOrders"].size(), 1u);
  EXPECT_EQ(h.state()["faults"]["drop_reply"]["fired"].as<int>(), 1);
}

TEST(ExchangeSimFaults, ServerErrorAfterAcceptingAndAddedLatency) {
  Harness h;
  h.set_faults(
      R"({"server_error": {"rate": 1, "one_shot": true, "status": 503}, "latency": {"rate": 1, "ms": 200, "only": "GET /api/v3/time"}})");
  Answer failed = h.send_signed(
      "POST", "/api/v3/order",
      "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=1000&newClientOrderId=e5xx");
  EXPECT_EQ(failed.status, 503);
  EXPECT_EQ(h.state()["accounts"][0]["openOrders"].size(), 1u);
  const Timestamp before = h.scheduler.now();
  Answer slow = h.get("/api/v3/time");
  EXPECT_EQ(slow.status, 200);
  EXPECT_GE(h.scheduler.now() - before, std::chrono::milliseconds(200));
}

TEST(ExchangeSimFaults, RateLimitWithRetryAfterCountsEarlyRequests) {
  Harness h;
  h.set_faults(R"({"rate_limit": {"rate": 1, "one_shot": true, "retry_after": 1}})");
  Answer limited = h.get("/api/v3/ping");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.retry_after, "1");
  EXPECT_EQ(limited.json["code"].as<int>(), -1003);
  EXPECT_EQ(h.get("/api/v3/ping").status, 429);  // still inside Retry-After
  EXPECT_EQ(h.state()["requestsWhileRateLimited"].as<int>(), 1);
  run_until(
      h.scheduler, [] { return false; }, std::chrono::milliseconds(1100));
  EXPECT_EQ(h.get("/api/v3/ping").status, 200);
  h.set_faults(R"({"rate_limit": {"rate": 1, "one_shot": true, "status": 418, "retry_after": 2}})");
  Answer banned = h.get("/api/v3/ping");
  EXPECT_EQ(banned.status, 418);
  EXPECT_EQ(banned.retry_after, "2");
}

TEST(ExchangeSimFaults, ClockSkewAndUnknownOrderOnCancel) {
  Harness h;
  h.set_faults(
      R"({"clock_skew": {"rate": 1, "one_shot": true}, "cancel_unknown": {"rate": 1, "one_shot": true}})");
  Answer skewed = h.send_signed("GET", "/api/v3/account", "");
  EXPECT_EQ(skewed.json["code"].as<int>(), -1021);
  Answer placed = h.send_signed(
      "POST", "/api/v3/order",
      "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=1000&newClientOrderId=c1");
  ASSERT_EQ(placed.status, 200) << placed.body;  // one-shot: the skew is gone
  Answer cancel = h.send_signed("DELETE", "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=c1");
  EXPECT_EQ(cancel.json["code"].as<int>(), -2011);
  EXPECT_EQ(h.state()["accounts"][0]["openOrders"].size(), 1u);  // still open
  EXPECT_EQ(h.send_signed("DELETE", "/api/v3/order", "symbol=BTCUSDT&origClientOrderId=c1").status, 200);
}

TEST(ExchangeSimFaults, WebSocketDisconnectAndAdminDisconnect) {
  Harness h;
  WsProbe a(h, "/ws/btcusdt@depth@100ms");
  ASSERT_TRUE(a.wait_frames(1));
  h.set_faults(R"({"ws_disconnect": {"rate": 1, "one_shot": true}})");
  ASSERT_TRUE(run_until(h.scheduler, [&] { return a.closed.has_value(); }));
  WsProbe b(h, "/ws/btcusdt@depth@100ms");
  ASSERT_TRUE(b.wait_frames(1));
  EXPECT_EQ(h.request({"POST", "/sim/disconnect", {}, ""}).status, 200);
  ASSERT_TRUE(run_until(h.scheduler, [&] { return b.closed.has_value(); }));
}

TEST(ExchangeSimFaults, DepthGapBreaksTheSequence) {
  Harness h;
  WsProbe stream(h, "/ws/btcusdt@depth@100ms");
  ASSERT_TRUE(stream.wait_frames(2));
  h.set_faults(R"({"depth_gap": {"rate": 1, "one_shot": true}})");
  const std::size_t before = stream.frames.size();
  ASSERT_TRUE(stream.wait_frames(before + 3));
  int gaps = 0;
  std::int64_t previous = -1;
  for (const std::string& f : stream.frames) {
    const YAML::Node frame = YAML::Load(f);
    if (previous >= 0 && frame["U"].as<std::int64_t>() != previous + 1) ++gaps;
    previous = frame["u"].as<std::int64_t>();
  }
  EXPECT_EQ(gaps, 1);
}

std::vector<std::string> kinds(const std::vector<YAML::Node>& events) {
  std::vector<std::string> out;
  for (const YAML::Node& e : events) {
    out.push_back(e["e"].as<std::string>() == "executionReport" ? e["x"].as<std::string>()
                                                                : e["e"].as<std::string>());
  }
  return out;
}

// A market buy of 0.00001 (one fill at the best ask): NEW, TRADE, outboundAccountPosition.
Answer small_market_buy(Harness& h, const std::string& id) {
  return h.send_signed("POST", "/api/v3/order",
                       "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.00001&newClientOrderId=" + id);
}

TEST(ExchangeSimFaults, UserStreamDuplicatesAndReorders) {
  Harness h;
  UserStream user(h);
  h.set_faults(R"({"user_duplicate": {"rate": 1, "one_shot": true}})");
  ASSERT_EQ(small_market_buy(h, "dup").json["fills"].size(), 1u);
  ASSERT_TRUE(user.wait_frames(4));
  EXPECT_EQ(kinds(user.events()),
            (std::vector<std::string>{"NEW", "NEW", "TRADE", "outboundAccountPosition"}));
  EXPECT_EQ(user.frames[0], user.frames[1]);
  user.frames.clear();
  h.set_faults(R"({"user_reorder": {"rate": 1, "one_shot": true}})");
  ASSERT_EQ(small_market_buy(h, "reorder").json["fills"].size(), 1u);
  ASSERT_TRUE(user.wait_frames(3));
  EXPECT_EQ(kinds(user.events()), (std::vector<std::string>{"TRADE", "NEW", "outboundAccountPosition"}));
}

TEST(ExchangeSimFaults, UserStreamFillDelayedOrMissing) {
  Harness h;
  UserStream user(h);
  h.set_faults(R"({"user_delay_fill": {"rate": 1, "one_shot": true, "ms": 300}})");
  ASSERT_EQ(small_market_buy(h, "late").json["fills"].size(), 1u);
  ASSERT_TRUE(user.wait_frames(2));
  EXPECT_EQ(kinds(user.events()), (std::vector<std::string>{"NEW", "outboundAccountPosition"}));
  ASSERT_TRUE(user.wait_frames(3));
  EXPECT_EQ(kinds(user.events())[2], "TRADE");
  user.frames.clear();
  h.set_faults(R"({"user_drop_fill": {"rate": 1, "one_shot": true}})");
  ASSERT_EQ(small_market_buy(h, "lost").json["fills"].size(), 1u);
  ASSERT_TRUE(user.wait_frames(2));
  run_until(
      h.scheduler, [] { return false; }, std::chrono::milliseconds(300));
  EXPECT_EQ(kinds(user.events()), (std::vector<std::string>{"NEW", "outboundAccountPosition"}));
  EXPECT_EQ(h.state()["accounts"][0]["fills"].size(), 2u);  // the exchange has both fills
}

TEST(ExchangeSimConfig, FaultsFileErrorsNameTheLine) {
  FaultSet faults;
  std::uint64_t seed = 0;
  auto bad = parse_faults("latency: {rate: 2}\n", "f.yml", faults, seed);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("f.yml:1: latency.rate"), std::string::npos) << bad.error().message();
  auto unknown = parse_faults("seed: 3\nnot_a_fault: {}\n", "f.yml", faults, seed);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().message().find("f.yml:2: not_a_fault: unknown fault"), std::string::npos);
  ASSERT_TRUE(parse_faults("seed: 3\ndepth_gap: {rate: 0.5}\n", "f.yml", faults, seed).has_value());
  EXPECT_EQ(seed, 3u);
  EXPECT_EQ(faults[FaultKind::DepthGap].rate, 0.5);
}

TEST(ExchangeSimConfig, AccountErrorsNeverShowSecrets) {
  auto dup = parse_accounts(
      "accounts:\n  - {name: a, api_key: K1, secret: TOPSECRET}\n  - {name: b, api_key: K1, secret: S2}\n",
      "acc.yml");
  ASSERT_FALSE(dup.has_value());
  EXPECT_NE(dup.error().message().find("used by two accounts"), std::string::npos);
  EXPECT_EQ(dup.error().message().find("TOPSECRET"), std::string::npos);
  EXPECT_EQ(dup.error().message().find("K1"), std::string::npos);
  auto missing = parse_accounts("accounts:\n  - {name: a, api_key: K1}\n", "acc.yml");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message().find("accounts[0].secret: missing"), std::string::npos)
      << missing.error().message();
}

}  // namespace
}  // namespace colibri::exchange_sim
