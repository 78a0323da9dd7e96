// LiveBot (PMM over ExchangeBase over BinanceExchangeApi) against the exchange simulator over TLS on
// 127.0.0.1: it quotes, stops cleanly (every order cancelled and confirmed), and places nothing after
// the stop. Every wait is bounded.

#include "colibri/runtime/live/live_bot.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "colibri/connector/exchange_base.h"
#include "colibri/net/http_client.h"
#include "colibri/testing/exchange_sim_server.h"
#include "colibri/testing/live_loop.h"

namespace colibri::live {
namespace {

using testing::run_until;

TEST(LiveBot, QuotesThenStopsCleanlyAndPlacesNothingAfterStop) {
  LiveScheduler scheduler;
  const testing::ExchangeSimServer exchange(scheduler, R"(
accounts:
  - name: bot
    api_key: bot-key
    secret: bot-secret-0123456789
    balances: {BTC: 1, USDT: 100000}
)");
  net::Endpoint endpoint = exchange.endpoint();
  endpoint.request_timeout = std::chrono::seconds(2);

  LiveBotConfig config;
  config.symbol = model::Symbol::truncating("BTCUSDT");
  config.base = model::Asset::truncating("BTC");
  config.quote = model::Asset::truncating("USDT");
  config.maker_fee = *model::FeeRate::parse_percent("0.1");
  config.taker_fee = *model::FeeRate::parse_percent("0.1");
  config.strategy.bid_spread = 1;  // percent: far enough not to fill in a few seconds
  config.strategy.ask_spread = 1;
  config.strategy.order_amount = *Quantity::parse("0.01");
  config.strategy.order_levels = 2;
  config.strategy.order_refresh_time = std::chrono::seconds(1);
  config.api.rest = endpoint;
  config.api.streams = endpoint;
  config.api.ws_api = endpoint;
  config.api.api_key = Secret("bot-key");
  config.api.api_secret = Secret("bot-secret-0123456789");
  config.tick_size = std::chrono::milliseconds(200);
  config.stop_timeout = std::chrono::seconds(5);

  net::HttpClient admin(scheduler, endpoint);
  auto state = [&] {
    std::optional<Result<net::HttpResponse>> answer;
    admin.request({"GET", "/sim/state", {}, ""}, [&](Result<net::HttpResponse> r) { answer = std::move(r); });
    EXPECT_TRUE(run_until(
        scheduler, [&] { return answer.has_value(); }, std::chrono::seconds(5)));
    return YAML::Load(answer && *answer ? (*answer)->body : std::string("{}"));
  };

  {
    LiveBot bot(scheduler, config);
    bot.start();
    ASSERT_TRUE(run_until(
        scheduler, [&] { return bot.connector().open_orders().size() == 4; }, std::chrono::seconds(10)))
        << "two levels on each side";
    run_until(
        scheduler, [] { return false; }, std::chrono::seconds(2));  // a refresh or two
    EXPECT_GE(state()["accounts"][0]["openOrders"].size(), 1u);

    bool done = false;
    bot.request_stop([&] { done = true; });
    ASSERT_TRUE(run_until(
        scheduler, [&] { return done; }, std::chrono::seconds(8)));
    const LiveReport report = bot.report();
    EXPECT_TRUE(report.stop_confirmed);
    EXPECT_EQ(report.open_orders_at_stop, 0u);
    EXPECT_GE(report.orders.placed, 4u);
    EXPECT_EQ(report.orders.failed, 0u);
    EXPECT_EQ(report.orders.lost, 0u);

    const YAML::Node after_stop = state()["accounts"][0];
    EXPECT_EQ(after_stop["openOrders"].size(), 0u);
    // The report's balances are the venue's.
    ASSERT_EQ(report.balances.size(), 2u);
    for (const auto& b : after_stop["balances"]) {
      for (const model::Balance& mine : report.balances) {
        if (mine.asset.view() != b["asset"].as<std::string>()) continue;
        EXPECT_EQ(mine.total, *Quantity::parse(b["total"].as<std::string>())) << mine.asset.view();
        EXPECT_EQ(mine.available, *Quantity::parse(b["free"].as<std::string>())) << mine.asset.view();
      }
    }
    const int placed = after_stop["orders"].as<int>();
    run_until(
        scheduler, [] { return false; }, std::chrono::seconds(2));
    EXPECT_EQ(state()["accounts"][0]["orders"].as<int>(), placed) << "nothing placed after the stop";
    EXPECT_EQ(bot.report().orders.placed, report.orders.placed);

    // The report is JSON and holds no secret.
    const std::string json = report.to_json();
    EXPECT_NO_THROW((void)YAML::Load(json)) << json;
    EXPECT_EQ(json.find("bot-secret"), std::string::npos);
    EXPECT_EQ(json.find("bot-key"), std::string::npos);
  }
}

}  // namespace
}  // namespace colibri::live
