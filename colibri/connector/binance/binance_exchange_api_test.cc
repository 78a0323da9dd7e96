// BinanceExchangeApi under ExchangeBase, against the exchange simulator (runtime/exchange_sim) over
// real sockets and TLS (verification on, the simulator's CA) on 127.0.0.1. Every wait is bounded.
// After each test the bot's open orders and balances are compared with the simulator's /sim/state.

#include "colibri/connector/binance/binance_exchange_api.h"

#include <map>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "colibri/connector/binance/rate_limits.h"
#include "colibri/connector/exchange_base.h"
#include "colibri/connector/market_events.h"
#include "colibri/core/clock.h"
#include "colibri/net/http_client.h"
#include "colibri/venue/binance/sequence_policy.h"
#include "colibri/venue/binance/signing.h"
#include "colibri/testing/exchange_sim_server.h"
#include "colibri/testing/live_loop.h"

namespace colibri::connector::binance {
namespace {

constexpr const char* kKey = "alice-key-0123456789";
constexpr const char* kSecret = "alice-secret-abcdefghijklmnopqrstuvwxyz";
const model::Symbol kSymbol = model::Symbol::truncating("BTCUSDT");

using testing::run_until;

struct Harness {
  // `own_weight_window`: the window of the REQUEST_WEIGHT pool of the api's own limiter (Binance's
  // minute unless a test shortens it).
  explicit Harness(const std::string& faults = "", const std::string& secret = kSecret,
                   Duration rotate_after = std::chrono::hours(23),
                   Duration own_weight_window = std::chrono::minutes(1))
      : exchange(scheduler, fmt::format(R"(
accounts:
  - name: alice
    api_key: {}
    secret: {}
    balances: {{BTC: 1, USDT: 100000}}
)",
                                        kKey, kSecret)) {
    net::Endpoint endpoint = exchange.endpoint();
    endpoint.request_timeout = std::chrono::seconds(2);
    admin = std::make_unique<net::HttpClient>(scheduler, endpoint);
    if (!faults.empty()) set_faults(faults);

    BinanceApiConfig api_config;
    api_config.rest = endpoint;
    api_config.streams = endpoint;
    api_config.ws_api = endpoint;
    api_config.api_key = Secret(kKey);
    api_config.api_secret = Secret(secret);
    api_config.poll_interval = std::chrono::seconds(1);
    api_config.stream_rotate_after = rotate_after;
    api_config.stream_rotate_overlap = std::chrono::milliseconds(300);
    for (RatePool& pool : api_config.own_rate_limits.pools) {
      if (pool.id == binance_spot::kRequestWeight) pool.interval = own_weight_window;
    }
    api = std::make_unique<BinanceExchangeApi>(scheduler, api_config);

    ExchangeBaseConfig base_config;
    base_config.name = "binance";
    base_config.rate_limits = binance_spot::rate_limits();
    base_config.tracker.query_after = std::chrono::seconds(2);
    auto fees = model::FeeSchedule::create(model::Asset::truncating("BTC"), model::Asset::truncating("USDT"),
                                           *model::FeeRate::parse_percent("0.1"),
                                           *model::FeeRate::parse_percent("0.1"));
    EXPECT_TRUE(fees.has_value());
    base = std::make_unique<ExchangeBase>(
        scheduler, *api, base_config,
        std::vector<MarketSetup>{MarketSetup{kSymbol, *fees, &policy, std::nullopt}});
    clock = std::make_unique<Clock>(scheduler, std::chrono::milliseconds(100));
    clock->add_iterator(*base);
    base->start_trading();
    clock->start();
  }

  ~Harness() {
    clock->stop();
    clock.reset();
    base.reset();
    api.reset();
    admin.reset();
  }

  net::HttpResponse admin_request(net::HttpRequest request) {
    std::optional<Result<net::HttpResponse>> result;
    admin->request(std::move(request), [&](Result<net::HttpResponse> r) { result = std::move(r); });
    EXPECT_TRUE(run_until(scheduler, [&] { return result.has_value(); }));
    if (!result || !*result) return {};
    return **result;
  }
  void set_faults(const std::string& yaml) {
    EXPECT_EQ(admin_request({"POST", "/sim/faults", {}, yaml}).status, 200);
  }
  YAML::Node state() { return YAML::Load(admin_request({"GET", "/sim/state", {}, ""}).body); }

  // A signed REST request of alice's from another client (the test's own): the same account and IP.
  net::HttpResponse signed_by_alice(std::string method, const std::string& path, std::string params) {
    params += fmt::format("&timestamp={}", scheduler.now().ms());
    params += "&signature=" + venue::binance::sign_hmac_sha256(Secret(kSecret), params);
    return admin_request({std::move(method), path + "?" + params, {net::HttpHeader{"X-MBX-APIKEY", kKey}}, ""});
  }

  // Another client on the bot's IP (the test's own) brings the simulator's request weight of the
  // current minute to exactly `target`, with snapshots (250, 50, 25, 5) and pings (1).
  void use_weight_up_to(std::int64_t target) {
    std::int64_t used = state()["usedWeight1m"].as<std::int64_t>();
    ASSERT_LE(used, target);
    const std::pair<std::int64_t, const char*> requests[] = {{250, "/api/v3/depth?symbol=BTCUSDT&limit=5000"},
                                                             {50, "/api/v3/depth?symbol=BTCUSDT&limit=1000"},
                                                             {25, "/api/v3/depth?symbol=BTCUSDT&limit=500"},
                                                             {5, "/api/v3/depth?symbol=BTCUSDT&limit=100"},
                                                             {1, "/api/v3/ping"}};
    for (const auto& [weight, target_path] : requests) {
      for (; target - used >= weight; used += weight) {
        ASSERT_EQ(admin_request({"GET", target_path, {}, ""}).status, 200) << "at " << used;
      }
    }
    ASSERT_EQ(state()["usedWeight1m"].as<std::int64_t>(), target) << "nothing else was counted meanwhile";
  }

  // With the user stream up, the simulator's rate-limit windows start now and another client uses
  // `weight` of the IP's minute; then Binance ends the user-data subscription, so that the
  // connector's next WebSocket API request is the new subscription.
  void use_weight_then_end_the_subscription(std::int64_t weight) {
    ASSERT_TRUE(run_until(scheduler, [&] { return api->user_stream_up(); }));
    ASSERT_EQ(admin_request({"POST", "/sim/reset-limits", {}, ""}).status, 200);
    use_weight_up_to(weight);
    ASSERT_EQ(admin_request({"POST", "/sim/terminate-user-streams", {}, ""}).body, R"({"terminated":1})");
  }

  bool wait_ready() {
    return run_until(scheduler, [&] { return base->ready(); });
  }
  const model::InFlightOrder* order(const model::ClientOrderId& id) const { return base->order(id); }
  bool wait_state(const model::ClientOrderId& id, model::OrderState state,
                  Duration limit = std::chrono::seconds(10)) {
    return run_until(
        scheduler, [&] { return order(id) != nullptr && order(id)->state() == state; }, limit);
  }

  // The bot's view equals the simulator's: open orders (ids) and every balance (total, available).
  void expect_agrees_with_simulator() {
    // Let the last user-stream events arrive.
    run_until(
        scheduler, [] { return false; }, std::chrono::milliseconds(300));
    const YAML::Node alice = state()["accounts"][0];
    std::vector<std::string> sim_open;
    for (const auto& o : alice["openOrders"]) sim_open.push_back(o["clientOrderId"].as<std::string>());
    std::vector<std::string> bot_open;
    for (const model::InFlightOrder* o : base->open_orders())
      bot_open.emplace_back(o->client_order_id().view());
    std::sort(sim_open.begin(), sim_open.end());
    std::sort(bot_open.begin(), bot_open.end());
    EXPECT_EQ(bot_open, sim_open);
    for (const auto& b : alice["balances"]) {
      const auto asset = model::Asset::truncating(b["asset"].as<std::string>());
      EXPECT_EQ(base->total_balance(asset), *Quantity::parse(b["total"].as<std::string>())) << asset.view();
      EXPECT_EQ(base->available_balance(asset), *Quantity::parse(b["free"].as<std::string>()))
          << asset.view();
    }
  }

  LiveScheduler scheduler;
  testing::ExchangeSimServer exchange;
  std::unique_ptr<net::HttpClient> admin;
  std::unique_ptr<BinanceExchangeApi> api;
  std::unique_ptr<ExchangeBase> base;
  std::unique_ptr<Clock> clock;
  venue::binance::SpotSequencePolicy policy;
};

Price best_bid(const ExchangeBase& base) { return base.order_book(kSymbol)->best_bid()->price; }

// A bid well under the market: rests.
Price resting_bid(const ExchangeBase& base) {
  const Price bid = best_bid(base);
  return *Price::parse(fmt::format("{}", static_cast<std::int64_t>(bid.to_double() * 0.9)));
}

TEST(BinanceExchangeApi, StartsSynchronisedAndReadyOverTls) {
  Harness h;
  ASSERT_TRUE(h.wait_ready()) << "rules, balances, book and user stream within 10 s";
  EXPECT_TRUE(h.api->clock_synchronised());
  EXPECT_TRUE(run_until(h.scheduler, [&] { return h.api->user_stream_up(); }));
  EXPECT_GE(h.api->stats().snapshots, 1u);
  EXPECT_NE(h.base->trading_rules(kSymbol), nullptr);
  EXPECT_TRUE(run_until(h.scheduler, [&] { return h.api->book_ticker(kSymbol) != nullptr; }));
  h.expect_agrees_with_simulator();
}

TEST(BinanceExchangeApi, LimitOrderRestsAndIsCancelled) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  auto id = h.base->buy(kSymbol, *Quantity::parse("0.01"), model::OrderType::Limit, resting_bid(*h.base));
  ASSERT_TRUE(id.has_value()) << id.error().describe();
  ASSERT_TRUE(h.wait_state(*id, model::OrderState::Open));
  h.expect_agrees_with_simulator();
  ASSERT_TRUE(h.base->cancel(kSymbol, *id).has_value());
  ASSERT_TRUE(h.wait_state(*id, model::OrderState::Canceled));
  h.expect_agrees_with_simulator();
}

TEST(BinanceExchangeApi, MarketOrderFillsOnceAndBalancesAgree) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  auto id = h.base->buy(kSymbol, *Quantity::parse("0.01"), model::OrderType::Market, Price{});
  ASSERT_TRUE(id.has_value()) << id.error().describe();
  ASSERT_TRUE(h.wait_state(*id, model::OrderState::Filled));
  EXPECT_EQ(h.order(*id)->filled(), *Quantity::parse("0.01"));
  h.expect_agrees_with_simulator();
  EXPECT_EQ(h.state()["accounts"][0]["orders"].as<int>(), 1);
}

TEST(BinanceExchangeApi, DroppedReplyIsResolvedWithoutPlacingTwice) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  h.set_faults(R"({"drop_reply": {"rate": 1, "one_shot": true, "only": "POST /api/v3/order", "ms": 3000}})");
  auto id = h.base->buy(kSymbol, *Quantity::parse("0.01"), model::OrderType::Limit, resting_bid(*h.base));
  ASSERT_TRUE(id.has_value());
  // The reply never comes: after the 2 s request timeout the place is Ambiguous; the order stays
  // tracked and is resolved from the user stream or a query, never sent again.
  // Meanwhile queries have their own connection: a fresh snapshot is not held behind the hung place.
  const std::uint64_t snapshots = h.api->stats().snapshots;
  h.api->subscribe_market_data(kSymbol);
  ASSERT_TRUE(run_until(
      h.scheduler, [&] { return h.api->stats().snapshots > snapshots; }, std::chrono::milliseconds(1500)));
  EXPECT_EQ(h.api->stats().ambiguous, 0u) << "the place is still waiting for its answer";
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.api->stats().ambiguous >= 1; }));
  ASSERT_TRUE(h.wait_state(*id, model::OrderState::Open, std::chrono::seconds(15)));
  EXPECT_EQ(h.base->stats().resends, 0u);
  EXPECT_EQ(h.state()["accounts"][0]["orders"].as<int>(), 1) << "placed exactly once";
  h.expect_agrees_with_simulator();
  ASSERT_TRUE(h.base->cancel(kSymbol, *id).has_value());
  ASSERT_TRUE(h.wait_state(*id, model::OrderState::Canceled));
  h.expect_agrees_with_simulator();
}

TEST(BinanceExchangeApi, ServerErrorAfterAcceptIsAmbiguousAndResolved) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  h.set_faults(R"({"server_error": {"rate": 1, "one_shot": true, "only": "POST /api/v3/order"}})");
  auto id = h.base->buy(kSymbol, *Quantity::parse("0.01"), model::OrderType::Limit, resting_bid(*h.base));
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(h.wait_state(*id, model::OrderState::Open, std::chrono::seconds(15)));
  EXPECT_EQ(h.state()["accounts"][0]["orders"].as<int>(), 1) << "placed exactly once";
  h.expect_agrees_with_simulator();
}

TEST(BinanceExchangeApi, RateLimitSendsNothingUntilRetryAfter) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  h.set_faults(
      R"({"rate_limit": {"rate": 1, "one_shot": true, "only": "POST /api/v3/order", "retry_after": 2}})");
  const Timestamp start = h.scheduler.now();
  auto id = h.base->buy(kSymbol, *Quantity::parse("0.01"), model::OrderType::Limit, resting_bid(*h.base));
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.api->stats().rate_limited > 0; }));
  // Queries and polls the bot would make meanwhile are held too.
  h.api->query_balances();
  ASSERT_TRUE(h.wait_state(*id, model::OrderState::Open, std::chrono::seconds(10)));
  EXPECT_GE(h.scheduler.now() - start, std::chrono::seconds(2)) << "resent only after Retry-After";
  EXPECT_EQ(h.state()["requestsWhileRateLimited"].as<int>(), 0);
  EXPECT_GE(h.api->stats().rest_deferred, 1u);
  EXPECT_EQ(h.state()["accounts"][0]["orders"].as<int>(), 1);
  h.expect_agrees_with_simulator();
}

TEST(BinanceExchangeApi, ClockSkewResyncsAndResendsWithTheSameId) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  h.set_faults(R"({"clock_skew": {"rate": 1, "one_shot": true, "only": "POST /api/v3/order"}})");
  auto id = h.base->buy(kSymbol, *Quantity::parse("0.01"), model::OrderType::Limit, resting_bid(*h.base));
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(h.wait_state(*id, model::OrderState::Open));
  EXPECT_EQ(h.api->stats().clock_resyncs, 1u);
  const YAML::Node alice = h.state()["accounts"][0];
  ASSERT_EQ(alice["openOrders"].size(), 1u);
  EXPECT_EQ(alice["openOrders"][0]["clientOrderId"].as<std::string>(), std::string(id->view()));
  h.expect_agrees_with_simulator();
}

TEST(BinanceExchangeApi, DepthGapResynchronisesTheBook) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  const std::uint64_t before = h.api->stats().snapshots;
  h.set_faults(R"({"depth_gap": {"rate": 1, "one_shot": true}})");
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.api->stats().book_resyncs >= 1; }));
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.api->stats().snapshots > before && h.base->ready(); }));
  h.expect_agrees_with_simulator();
}

// The api's own requests (here the snapshot a depth gap asks for) ask its own limiter, which the
// usage headers keep at the exchange's count: with the IP's minute used up by another client, the
// snapshot waits instead of drawing a 429, and goes out once the window has room (DESIGN.md
// promise 7). The api's window is shortened to 5 s; the simulator's minute is restarted meanwhile
// (/sim/reset-limits), as a real minute would roll over.
TEST(BinanceExchangeApi, OwnRequestsWaitUntilTheIpsMinuteHasRoom) {
  Harness h("", kSecret, std::chrono::hours(23), std::chrono::seconds(5));
  ASSERT_TRUE(h.wait_ready());
  ASSERT_EQ(h.admin_request({"POST", "/sim/reset-limits", {}, ""}).status, 200);
  h.use_weight_up_to(5980);
  const std::uint64_t answers = h.api->stats().balance_answers;
  h.api->query_balances();  // its answer (weight 20) reports the whole minute: 6000
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.api->stats().balance_answers > answers; }));
  const std::uint64_t snapshots = h.api->stats().snapshots;
  h.set_faults(R"({"depth_gap": {"rate": 1, "one_shot": true}})");
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.api->stats().rest_held_for_rate >= 1; }))
      << "the resync's snapshot (weight 50) does not fit in the minute";
  EXPECT_FALSE(h.base->ready()) << "the book is out of sync until the snapshot comes";
  EXPECT_EQ(h.api->stats().snapshots, snapshots);
  EXPECT_EQ(h.state()["refusedForRate"].as<int>(), 0) << "the snapshot was held, not refused";

  ASSERT_EQ(h.admin_request({"POST", "/sim/reset-limits", {}, ""}).status, 200);
  ASSERT_TRUE(run_until(
      h.scheduler, [&] { return h.api->stats().snapshots > snapshots && h.base->ready(); },
      std::chrono::seconds(12)))
      << "sent when the api's window has room";
  EXPECT_EQ(h.api->stats().snapshots, snapshots + 1);
  const YAML::Node state = h.state();
  EXPECT_EQ(state["refusedForRate"].as<int>(), 0);
  EXPECT_EQ(state["ipBans"].as<int>(), 0);
  EXPECT_EQ(h.api->stats().rate_limited, 0u);
  h.expect_agrees_with_simulator();
}

TEST(BinanceExchangeApi, AFrameHandedInIsHandledLikeOneFromTheStream) {
  // handle_market_frame, bench/bench_live_latency.cc's entry point, is the stream's own path: a
  // trade reaches ExchangeBase's events once (deduplicated by id), a frame that does not parse is
  // counted and survived.
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  std::vector<std::int64_t> trades;
  Subscription sub = h.base->events().subscribe<PublicTradeEvent>([&](const PublicTradeEvent& e) {
    if (e.trade.trade_id >= 9'000'000'000'000) trades.push_back(e.trade.trade_id);
  });
  const std::string trade =
      R"({"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":9000000000001,)"
      R"("p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}})";
  const std::uint64_t bad = h.api->stats().bad_messages;
  h.api->handle_market_frame(trade);
  h.api->handle_market_frame(trade);  // seen already (as on the other connection during a rotation)
  h.api->handle_market_frame("{not json");
  EXPECT_EQ(trades, (std::vector<std::int64_t>{9'000'000'000'001}));
  EXPECT_EQ(h.api->stats().bad_messages, bad + 1);
  EXPECT_TRUE(h.base->ready());
}

TEST(BinanceExchangeApi, WebSocketDropReconnectsAndResubscribes) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.api->user_stream_up(); }));
  h.set_faults(R"({"ws_disconnect": {"rate": 1, "one_shot": true}})");
  // The next frame on any WebSocket (market or user data) drops its connection.
  auto id = h.base->buy(kSymbol, *Quantity::parse("0.01"), model::OrderType::Market, Price{});
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(h.wait_state(*id, model::OrderState::Filled));
  ASSERT_TRUE(run_until(h.scheduler, [&] {
    return h.api->stats().user_reconnects + h.api->stats().market_reconnects >= 1 && h.api->user_stream_up();
  }));
  h.expect_agrees_with_simulator();
}

TEST(BinanceExchangeApi, FillMissingFromTheStreamComesFromTheAnswer) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  h.set_faults(R"({"user_drop_fill": {"rate": 1}})");
  auto id = h.base->buy(kSymbol, *Quantity::parse("0.01"), model::OrderType::Market, Price{});
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(h.wait_state(*id, model::OrderState::Filled));
  EXPECT_EQ(h.order(*id)->filled(), *Quantity::parse("0.01"));
  h.expect_agrees_with_simulator();
}

TEST(BinanceExchangeApi, WhileTheUserStreamIsDownTheBotIsNotReadyAndPolls) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.api->user_stream_up(); }));
  auto id = h.base->buy(kSymbol, *Quantity::parse("0.01"), model::OrderType::Limit, resting_bid(*h.base));
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(h.wait_state(*id, model::OrderState::Open));
  // Every WebSocket drops at once (market and user data).
  EXPECT_EQ(h.admin_request({"POST", "/sim/disconnect", {}, ""}).status, 200);
  ASSERT_TRUE(run_until(h.scheduler, [&] { return !h.api->user_stream_up(); }));
  EXPECT_FALSE(h.base->ready()) << "strategies stop quoting while account updates may be missed";
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.api->user_stream_up() && h.base->ready(); }));
  EXPECT_GE(h.api->stats().user_reconnects, 1u);
  EXPECT_GE(h.api->stats().market_reconnects, 1u);
  EXPECT_GE(h.api->stats().polls, 1u) << "open orders and balances polled on the way";
  h.expect_agrees_with_simulator();
}

TEST(BinanceExchangeApi, MarketStreamIsReplacedWithoutAGapInTheBook) {
  Harness h("", kSecret, std::chrono::milliseconds(700));  // Binance: 23 h, before its 24 h limit
  ASSERT_TRUE(h.wait_ready());
  const std::uint64_t snapshots = h.api->stats().snapshots;
  bool stayed_ready = true;
  ASSERT_TRUE(run_until(h.scheduler, [&] {
    stayed_ready = stayed_ready && h.base->ready();
    return h.api->stats().market_rotations >= 3;
  }));
  run_until(
      h.scheduler, [] { return false; }, std::chrono::milliseconds(400));  // the last overlap ends
  const std::uint64_t diffs = h.api->stats().depth_diffs;
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.api->stats().depth_diffs >= diffs + 3; }))
      << "the new connection carries the book on";
  EXPECT_TRUE(stayed_ready && h.base->ready());
  EXPECT_EQ(h.api->stats().book_resyncs, 0u);
  EXPECT_EQ(h.api->stats().snapshots, snapshots) << "no new snapshot: the book never left sync";
  EXPECT_EQ(h.api->stats().market_reconnects, 0u);
  h.expect_agrees_with_simulator();
}

TEST(BinanceExchangeApi, DuplicatedUserEventsApplyEachFillOnce) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  h.set_faults(R"({"user_duplicate": {"rate": 1}})");
  auto id = h.base->buy(kSymbol, *Quantity::parse("0.01"), model::OrderType::Market, Price{});
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(h.wait_state(*id, model::OrderState::Filled));
  EXPECT_EQ(h.order(*id)->filled(), *Quantity::parse("0.01"));
  h.expect_agrees_with_simulator();
}

TEST(BinanceExchangeApi, ReorderedUserEventsStillEndCancelled) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  h.set_faults(R"({"user_reorder": {"rate": 1, "ms": 300}})");
  auto id = h.base->buy(kSymbol, *Quantity::parse("0.01"), model::OrderType::Limit, resting_bid(*h.base));
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(h.wait_state(*id, model::OrderState::Open));
  ASSERT_TRUE(h.base->cancel(kSymbol, *id).has_value());
  ASSERT_TRUE(h.wait_state(*id, model::OrderState::Canceled));
  h.expect_agrees_with_simulator();
}

TEST(BinanceExchangeApi, CancelAnsweredUnknownLeavesTheOrderOpenUntilCancelledAgain) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  auto id = h.base->buy(kSymbol, *Quantity::parse("0.01"), model::OrderType::Limit, resting_bid(*h.base));
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(h.wait_state(*id, model::OrderState::Open));
  h.set_faults(R"({"cancel_unknown": {"rate": 1, "one_shot": true}})");
  ASSERT_TRUE(h.base->cancel(kSymbol, *id).has_value());
  // -2011 without cancelling: NotFound is counted, not taken as a cancel; the order is still live.
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.base->tracker().stats().not_found_answers >= 1; }));
  EXPECT_FALSE(model::is_final(h.order(*id)->state()));
  EXPECT_EQ(h.state()["accounts"][0]["openOrders"].size(), 1u);
  auto again = h.base->cancel(kSymbol, *id);
  ASSERT_TRUE(again.has_value()) << again.error().describe() << " in state "
                                 << to_string(h.order(*id)->state());
  ASSERT_TRUE(h.wait_state(*id, model::OrderState::Canceled)) << to_string(h.order(*id)->state());
  h.expect_agrees_with_simulator();
}

// A deposit reaches the bot as balanceUpdate (a delta on the balance it knows) and then
// outboundAccountPosition; a deposit of an asset the bot has never seen makes it read the account.
TEST(BinanceExchangeApi, DepositBalanceUpdateMakesTheBotsBalanceTheExchanges) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.api->user_stream_up(); }));
  const auto usdt = model::Asset::truncating("USDT");
  const Quantity before = h.base->total_balance(usdt);
  const Quantity free_before = h.base->available_balance(usdt);
  const net::HttpResponse deposit =
      h.admin_request({"POST", "/sim/deposit", {}, "account=alice&asset=USDT&amount=250.5"});
  ASSERT_EQ(deposit.status, 200) << deposit.body;
  // The first change the bot shows is already the exchange's figure (the delta, applied in order).
  Quantity first_seen = before;
  ASSERT_TRUE(run_until(h.scheduler, [&] {
    first_seen = h.base->total_balance(usdt);
    return first_seen != before;
  }));
  EXPECT_EQ(first_seen, before + *Quantity::parse("250.5"));
  EXPECT_EQ(h.base->available_balance(usdt), free_before + *Quantity::parse("250.5"));
  EXPECT_EQ(h.api->stats().balance_updates, 1u) << "the balanceUpdate itself was applied";
  h.expect_agrees_with_simulator();

  const auto bnb = model::Asset::truncating("BNB");
  const std::uint64_t answers = h.api->stats().balance_answers;
  ASSERT_EQ(h.admin_request({"POST", "/sim/deposit", {}, "account=alice&asset=BNB&amount=3"}).status, 200);
  // The position that follows also names BNB; the account is read as well (the delta alone
  // could not be applied).
  ASSERT_TRUE(run_until(h.scheduler, [&] {
    return h.base->total_balance(bnb) == Quantity::from_int(3) && h.api->stats().balance_answers > answers;
  })) << "an unknown asset: the account is read";
  h.expect_agrees_with_simulator();
}

// Regression: balanceUpdate is a delta. Arriving after the outboundAccountPosition that already
// includes it (user_reorder), or twice (user_duplicate), it was added again: the bot counted a
// deposit twice until the next balance refresh. A delta no later than the position is skipped.
TEST(BinanceExchangeApi, LateOrRepeatedBalanceUpdateIsNotCountedTwice) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.api->user_stream_up(); }));
  const auto usdt = model::Asset::truncating("USDT");
  const Quantity before = h.base->total_balance(usdt);
  // The next user event (the deposit's balanceUpdate) is held until the one after it has gone.
  h.set_faults(R"({"user_reorder": {"rate": 1, "one_shot": true, "ms": 5000}})");
  ASSERT_EQ(h.admin_request({"POST", "/sim/deposit", {}, "account=alice&asset=USDT&amount=100"}).status, 200);
  const auto deltas_heard = [&] { return h.api->stats().balance_updates + h.api->stats().balance_updates_skipped; };
  ASSERT_TRUE(run_until(h.scheduler, [&] { return deltas_heard() == 1; }));
  EXPECT_EQ(h.base->total_balance(usdt), before + Quantity::from_int(100));
  EXPECT_EQ(h.api->stats().balance_updates_skipped, 1u);
  h.set_faults(R"({"user_reorder": {"rate": 0}, "user_duplicate": {"rate": 1}})");
  ASSERT_EQ(h.admin_request({"POST", "/sim/deposit", {}, "account=alice&asset=USDT&amount=10"}).status, 200);
  ASSERT_TRUE(run_until(h.scheduler, [&] { return deltas_heard() == 3; }));
  EXPECT_EQ(h.base->total_balance(usdt), before + Quantity::from_int(110));
  EXPECT_EQ(h.api->stats().balance_updates, 1u) << "the second deposit's delta, once";
  h.expect_agrees_with_simulator();
}

// Binance may end a user-data subscription on its own (eventStreamTerminated, the connection stays
// open): the connector subscribes again, and what happens to orders afterwards still arrives.
TEST(BinanceExchangeApi, StreamTerminatedSubscribesAgainAndEventsKeepComing) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.api->user_stream_up(); }));
  const std::uint64_t connects = h.api->stats().user_connects;
  const net::HttpResponse ended = h.admin_request({"POST", "/sim/terminate-user-streams", {}, ""});
  ASSERT_EQ(ended.body, R"({"terminated":1})");
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.api->stats().stream_terminated == 1; }));
  ASSERT_TRUE(run_until(h.scheduler, [&] {
    return h.api->stats().user_connects > connects && h.api->user_stream_up() && h.base->ready();
  }));
  EXPECT_EQ(h.api->stats().user_reconnects, 1u) << "subscribed again on the same connection";
  EXPECT_EQ(h.api->stats().user_connects, connects + 1);
  EXPECT_EQ(h.api->stats().market_reconnects, 0u);

  // The place's answer is held for 5 s (longer than the 2 s request timeout), so while the place
  // is still waiting only the user stream can tell the bot that the order filled.
  h.set_faults(R"({"drop_reply": {"rate": 1, "one_shot": true, "only": "POST /api/v3/order", "ms": 5000}})");
  auto id = h.base->buy(kSymbol, *Quantity::parse("0.01"), model::OrderType::Market, Price{});
  ASSERT_TRUE(id.has_value()) << id.error().describe();
  ASSERT_TRUE(h.wait_state(*id, model::OrderState::Filled, std::chrono::milliseconds(1500)));
  EXPECT_EQ(h.api->stats().ambiguous, 0u) << "the place has not timed out: the fill came by the stream";
  EXPECT_EQ(h.order(*id)->filled(), *Quantity::parse("0.01"));
  EXPECT_EQ(h.state()["accounts"][0]["orders"].as<int>(), 1);
  h.expect_agrees_with_simulator();
}

// Binance's usage headers reach ExchangeBase's limiter: what another program on the same IP and
// account did (here the test's own client) holds the bot's requests back before the exchange has
// to refuse them (DESIGN.md promise 7).
// Regression (flaky in CI, disabled from 2026-11-22): ORDERS_1D read as 1 instead of >= 6 under
// ASan. The test waited for the order to be Open, but the user stream's NEW can make it Open
// before the place's REST answer, whose headers carry the counts, has been read; the place's
// answer is held here so that it always comes second, and the test waits for the counts
// themselves. It also waited for a safe point in the wall clock's minute (up to 13 s, and still
// raced the 10 s window under load): the simulator's windows now start when the test says.
TEST(BinanceExchangeApi, UsageHeadersKeepTheLimiterAtTheExchangesCount) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  // Every window of the simulator (10 s of orders, the minute of weight) starts now, from zero.
  ASSERT_EQ(h.admin_request({"POST", "/sim/reset-limits", {}, ""}).status, 200);
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(h.signed_by_alice("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.001").status,
              200);
  }
  // The bot's place is answered 300 ms late: Open comes from the user stream's NEW first.
  h.set_faults(R"({"latency": {"rate": 1, "only": "POST /api/v3/order", "ms": 300}})");
  auto id = h.base->buy(kSymbol, *Quantity::parse("0.01"), model::OrderType::Limit, resting_bid(*h.base));
  ASSERT_TRUE(id.has_value()) << id.error().describe();
  ASSERT_TRUE(h.wait_state(*id, model::OrderState::Open));
  // Its own order is all the bot counts until the answer's headers are read.
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.base->rate_usage("ORDERS_10S") != 1; }));
  EXPECT_EQ(h.base->rate_usage("ORDERS_10S"), 6) << "the bot placed 1; the exchange counts 6";
  EXPECT_GE(h.base->rate_usage("ORDERS_1D"), 6);
  EXPECT_GT(h.api->stats().rate_usage_headers, 0u);
  EXPECT_GT(h.base->stats().rate_usage_reports, 0u);
  EXPECT_EQ(h.base->stats().rate_usage_malformed, 0u);
  h.expect_agrees_with_simulator();

  // Another client uses the IP's minute up to the bot's next request: the account read (20)
  // that brings it to the whole 6000, and whose answer tells the bot.
  h.use_weight_up_to(6000 - 20);
  const std::uint64_t answers = h.api->stats().balance_answers;
  h.api->query_balances();  // any answer of the bot's carries the count
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.api->stats().balance_answers > answers; }));
  EXPECT_EQ(h.state()["usedWeight1m"].as<std::int64_t>(), 6000);
  EXPECT_GE(*h.base->rate_usage("REQUEST_WEIGHT"), 6000);
  const std::uint64_t placed = h.base->stats().orders_placed;
  const std::uint64_t throttled = h.base->stats().throttled;
  auto held = h.base->buy(kSymbol, *Quantity::parse("0.01"), model::OrderType::Limit, resting_bid(*h.base));
  ASSERT_TRUE(held.has_value()) << held.error().describe();
  run_until(h.scheduler, [] { return false; }, std::chrono::milliseconds(500));
  EXPECT_GT(h.base->stats().throttled, throttled);
  EXPECT_EQ(h.base->stats().orders_placed, placed) << "held by the limiter, not refused by the exchange";
  EXPECT_EQ(h.state()["accounts"][0]["orders"].as<int>(), 6);
  EXPECT_EQ(h.api->stats().rate_limited, 0u);
  EXPECT_EQ(h.state()["refusedForRate"].as<int>(), 0) << "the simulator, which enforces 6000, refused nothing";
}

// Another client of the account used its ten seconds of orders: the bot's order is refused with
// -1015 (no Retry-After). Only orders wait, until the bot's limiter sees room in ORDERS_10S (the
// message names the full limit); the account can still be read meanwhile; the order is then
// placed, once, with the same client order id.
TEST(BinanceExchangeApi, OrderLimitUsedByAnotherClientHoldsOnlyOrdersAndLosesNothing) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  ASSERT_EQ(h.admin_request({"POST", "/sim/reset-limits", {}, ""}).status, 200);  // ten seconds from now
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(h.signed_by_alice("POST", "/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.001").status,
              200)
        << i;
  }
  auto id = h.base->buy(kSymbol, *Quantity::parse("0.01"), model::OrderType::Limit, resting_bid(*h.base));
  ASSERT_TRUE(id.has_value()) << id.error().describe();
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.api->stats().rate_limited > 0; }));
  const Timestamp refused = h.scheduler.now();
  EXPECT_EQ(h.base->rate_usage("ORDERS_10S"), 50) << "the exchange's full window";
  EXPECT_EQ(h.order(*id)->state(), model::OrderState::PendingCreate) << "still tracked, waiting";
  const std::uint64_t answers = h.api->stats().balance_answers;
  h.api->query_balances();
  ASSERT_TRUE(run_until(
      h.scheduler, [&] { return h.api->stats().balance_answers > answers; }, std::chrono::seconds(3)))
      << "other requests are not held";
  ASSERT_TRUE(h.wait_state(*id, model::OrderState::Open, std::chrono::seconds(15)));
  EXPECT_GE(h.scheduler.now() - refused, std::chrono::seconds(9)) << "the order waited for the window";
  EXPECT_EQ(h.api->stats().rate_limited, 1u) << "resent once, when there was room";
  EXPECT_EQ(h.base->stats().resends, 1u);
  EXPECT_EQ(h.state()["accounts"][0]["orders"].as<int>(), 51) << "the bot's order placed exactly once";
  h.expect_agrees_with_simulator();
}

// The WebSocket API's answers carry the IP's weight in rateLimits (Binance counts REST and WS API
// requests in one per-IP REQUEST_WEIGHT): the connector hands those counts to the limiter the REST
// usage headers feed. Here the WebSocket API request is the user-data subscription, renewed after
// /sim/terminate-user-streams, whose answer reports what another client used.
TEST(BinanceExchangeApi, WsApiRateLimitsFeedTheLimiterLikeTheUsageHeaders) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  const BinanceApiStats before = h.api->stats();
  const std::uint64_t reports = h.base->stats().rate_usage_reports;
  h.use_weight_then_end_the_subscription(4000);
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.api->stats().user_connects > before.user_connects; }));
  EXPECT_EQ(h.api->stats().ws_rate_limit_counts, before.ws_rate_limit_counts + 1) << "the subscription's answer";
  // Every REST usage header is one report too: the rest came from the WebSocket API.
  EXPECT_EQ(h.base->stats().rate_usage_reports - reports,
            h.api->stats().rate_usage_headers - before.rate_usage_headers + 1);
  EXPECT_GE(h.base->rate_usage("REQUEST_WEIGHT"), 4002) << "another client's 4000 and the subscription's 2";
  EXPECT_EQ(h.base->stats().rate_usage_malformed, 0u);
  h.expect_agrees_with_simulator();
}

// A WebSocket API answer 429 (the IP's minute is used up) holds the REST requests too, and the
// connector does not subscribe again before retryAfter: nothing reaches the simulator while it
// says to wait, and no ban follows.
TEST(BinanceExchangeApi, WsApi429HoldsEveryRequestUntilRetryAfter) {
  Harness h;
  ASSERT_TRUE(h.wait_ready());
  const std::uint64_t placed = h.base->stats().orders_placed;
  h.use_weight_then_end_the_subscription(6000);
  ASSERT_TRUE(run_until(h.scheduler, [&] { return h.api->stats().rate_limited > 0; }))
      << "the new subscription is refused: 429, retryAfter at the minute's end";
  EXPECT_FALSE(h.api->user_stream_up());
  EXPECT_FALSE(h.base->ready()) << "no quoting while the stream is down";
  // Polls (every second while the stream is down) and the resubscription wait.
  run_until(h.scheduler, [] { return false; }, std::chrono::milliseconds(2500));
  EXPECT_EQ(h.state()["requestsWhileRateLimited"].as<int>(), 0) << "neither REST nor WebSocket API";
  EXPECT_EQ(h.state()["ipBans"].as<int>(), 0);
  EXPECT_EQ(h.base->stats().orders_placed, placed);
  EXPECT_GE(h.api->stats().rest_deferred, 1u) << "a poll, held";
  EXPECT_EQ(h.api->stats().rate_limited, 1u);
}

TEST(BinanceExchangeApi, WrongSecretIsACredentialErrorAndNeverShown) {
  Harness h("", "not-the-secret-of-alice");
  ASSERT_FALSE(run_until(
      h.scheduler, [&] { return h.base->ready(); }, std::chrono::seconds(2)))
      << "balances and the user stream need a valid signature";
  EXPECT_GE(h.api->stats().credential_errors, 1u);
  EXPECT_FALSE(h.api->user_stream_up());
  EXPECT_EQ(h.state()["accounts"][0]["orders"].as<int>(), 0);
}

TEST(BinanceExchangeApi, ParsesBaseUrls) {
  auto e = parse_base_url("https://127.0.0.1:8443", "/tmp/ca.pem");
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->port, 8443);
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->ca_file, "/tmp/ca.pem");
  auto w = parse_base_url("ws://localhost", "");
  ASSERT_TRUE(w.has_value());
  EXPECT_FALSE(w->tls);
  EXPECT_EQ(w->port, 80);
  EXPECT_FALSE(parse_base_url("127.0.0.1:1", "").has_value());
  EXPECT_FALSE(parse_base_url("https://h:99999", "").has_value());
  EXPECT_FALSE(parse_base_url("https://h/api", "").has_value());
}

}  // namespace
}  // namespace colibri::connector::binance
