#include "colibri/runtime/live/live_bot.h"

#include <optional>

#include <fmt/format.h>

#include "colibri/connector/binance/rate_limits.h"
#include "colibri/connector/exchange_base.h"
#include "colibri/core/clock.h"
#include "colibri/core/event_bus.h"
#include "colibri/core/log.h"
#include "colibri/venue/binance/sequence_policy.h"

namespace colibri::live {

namespace {
constexpr Duration kFinalBalancesWait = std::chrono::seconds(2);
}  // namespace

// Declared in this order so that destruction runs strategy, clock, connector, api (each refers to
// the ones after it).
struct LiveBot::Parts {
  Parts(LiveScheduler& s, LiveBotConfig c) : scheduler(s), config(std::move(c)), api(s, config.api) {}

  LiveScheduler& scheduler;
  LiveBotConfig config;
  venue::binance::SpotSequencePolicy policy;
  connector::binance::BinanceExchangeApi api;
  std::unique_ptr<connector::ExchangeBase> base;
  std::unique_ptr<Clock> clock;
  std::unique_ptr<strategy::PureMarketMaking> pmm;
  std::vector<Subscription> subscriptions;
  LiveReport counts;
  Timestamp started = Timestamp::none();
  Timestamp finished = Timestamp::none();
  bool stopping = false;
  bool stopped = false;
  std::vector<std::function<void()>> on_stopped;
  TimerId final_balances_timer;
};

LiveBot::LiveBot(LiveScheduler& scheduler, LiveBotConfig config)
    : parts_(std::make_unique<Parts>(scheduler, std::move(config))) {
  Parts& p = *parts_;
  auto fees = value_or_throw(
      model::FeeSchedule::create(p.config.base, p.config.quote, p.config.maker_fee, p.config.taker_fee));
  connector::ExchangeBaseConfig base_config;
  base_config.name = "binance";
  base_config.client_order_id_prefix = p.config.client_order_id_prefix;
  base_config.rate_limits = connector::binance_spot::rate_limits();
  p.base =
      std::make_unique<connector::ExchangeBase>(scheduler, p.api, std::move(base_config),
                                                std::vector<connector::MarketSetup>{connector::MarketSetup{
                                                    p.config.symbol, fees, &p.policy, std::nullopt}});
  p.clock = std::make_unique<Clock>(scheduler, p.config.tick_size);
  strategy::StrategyContext context;
  context.name = "pure_market_making";
  context.connectors = {p.base.get()};
  context.scheduler = &scheduler;
  p.pmm = std::make_unique<strategy::PureMarketMaking>(
      std::move(context), strategy::MarketTradingPair{p.base.get(), p.config.symbol}, p.config.strategy);
  EventBus& bus = p.base->events();
  LiveReport& r = p.counts;
  p.subscriptions.push_back(
      bus.subscribe<model::OrderCreated>([&r](const model::OrderCreated&) { ++r.orders.created; }));
  p.subscriptions.push_back(
      bus.subscribe<model::OrderFilled>([&r](const model::OrderFilled& e) { r.fills.push_back(e); }));
  p.subscriptions.push_back(
      bus.subscribe<model::OrderCompleted>([&r](const model::OrderCompleted&) { ++r.orders.filled; }));
  p.subscriptions.push_back(
      bus.subscribe<model::OrderCancelled>([&r](const model::OrderCancelled&) { ++r.orders.cancelled; }));
  p.subscriptions.push_back(
      bus.subscribe<model::OrderFailed>([&r](const model::OrderFailed&) { ++r.orders.failed; }));
  p.subscriptions.push_back(
      bus.subscribe<model::OrderExpired>([&r](const model::OrderExpired&) { ++r.orders.expired; }));
  p.subscriptions.push_back(
      bus.subscribe<model::OrderLost>([&r](const model::OrderLost&) { ++r.orders.lost; }));
}

LiveBot::~LiveBot() {
  Parts& p = *parts_;
  if (!p.final_balances_timer.is_none()) p.scheduler.cancel(p.final_balances_timer);
  if (p.clock->is_started()) p.clock->stop();
}

void LiveBot::start() {
  Parts& p = *parts_;
  if (p.started != Timestamp::none()) return;
  p.started = p.scheduler.now();
  p.api.connect();
  p.base->start_trading();
  p.clock->add_iterator(*p.base);
  p.clock->add_iterator(*p.pmm);
  p.clock->start();
}

void LiveBot::request_stop(std::function<void()> done) {
  Parts& p = *parts_;
  if (p.stopped) {
    if (done) done();
    return;
  }
  if (done) p.on_stopped.push_back(std::move(done));
  if (p.stopping) return;
  p.stopping = true;
  log_info("live: stopping: the strategy places nothing more; cancelling open orders (at most {} s)",
           std::chrono::duration_cast<std::chrono::seconds>(p.config.stop_timeout).count());
  p.clock->remove_iterator(*p.pmm);  // nothing is placed after this
  p.base->cancel_all(p.config.stop_timeout, [&p](std::vector<connector::CancellationResult> outcomes) {
    bool all = true;
    for (const auto& o : outcomes) all = all && o.success;
    p.counts.stop_confirmed = all;
    p.counts.open_orders_at_stop = p.base->open_orders().size();
    p.clock->stop();
    // The cancels' balance events may trail their answers: take the account once more, so the
    // final balances are the venue's (bounded wait).
    const std::uint64_t answers = p.api.stats().balance_answers;
    const Timestamp give_up = p.scheduler.now() + kFinalBalancesWait;
    p.api.query_balances();
    p.final_balances_timer =
        p.scheduler.schedule_every(std::chrono::milliseconds(20), [&p, answers, give_up](Timestamp) {
          if (p.api.stats().balance_answers == answers && p.scheduler.now() < give_up) return;
          p.scheduler.cancel(p.final_balances_timer);
          p.stopped = true;
          p.finished = p.scheduler.now();
          std::vector<std::function<void()>> callbacks = std::move(p.on_stopped);
          for (auto& c : callbacks) c();
        });
  });
}

bool LiveBot::stopped() const noexcept { return parts_->stopped; }

const connector::ExchangeBase& LiveBot::connector() const noexcept { return *parts_->base; }

LiveReport LiveBot::report() const {
  const Parts& p = *parts_;
  LiveReport r = p.counts;
  r.orders.placed = p.base->stats().orders_placed;
  r.resends = p.base->stats().resends;
  r.tracker_errors = p.base->stats().tracker_errors;
  r.api = p.api.stats();
  for (const model::Asset& asset : {p.config.base, p.config.quote}) {
    r.balances.push_back({asset, p.base->total_balance(asset), p.base->available_balance(asset)});
  }
  if (!p.started.is_none()) r.run_time = (p.stopped ? p.finished : p.scheduler.now()) - p.started;
  return r;
}

std::string LiveReport::to_json() const {
  std::string out = "{\n";
  out += fmt::format("  \"run_seconds\": {:.3f},\n", std::chrono::duration<double>(run_time).count());
  out += fmt::format(
      "  \"orders\": {{\"placed\": {}, \"created\": {}, \"filled\": {}, \"cancelled\": {}, \"failed\": {}, "
      "\"expired\": {}, \"lost\": {}}},\n",
      orders.placed, orders.created, orders.filled, orders.cancelled, orders.failed, orders.expired,
      orders.lost);
  out += fmt::format("  \"stop\": {{\"confirmed\": {}, \"open_orders_left\": {}}},\n", stop_confirmed,
                     open_orders_at_stop);
  out += "  \"fills\": [";
  for (std::size_t i = 0; i < fills.size(); ++i) {
    const model::OrderFilled& f = fills[i];
    out += fmt::format(
        "{}\n    {{\"client_order_id\": \"{}\", \"trade_id\": \"{}\", \"side\": \"{}\", \"price\": \"{}\", "
        "\"amount\": \"{}\", \"fee\": \"{}\", \"fee_asset\": \"{}\", \"liquidity\": \"{}\", \"time_ms\": "
        "{}}}",
        i == 0 ? "" : ",", f.client_order_id.view(), f.trade_id.view(),
        f.side == model::Side::Buy ? "buy" : "sell", f.price, f.amount, f.fee.amount, f.fee.asset.view(),
        f.liquidity == model::Liquidity::Maker ? "maker" : "taker", f.time.is_none() ? 0 : f.time.ms());
  }
  out += fills.empty() ? "],\n" : "\n  ],\n";
  out += "  \"balances\": {";
  for (std::size_t i = 0; i < balances.size(); ++i) {
    out += fmt::format("{}\"{}\": {{\"total\": \"{}\", \"available\": \"{}\"}}", i == 0 ? "" : ", ",
                       balances[i].asset.view(), balances[i].total, balances[i].available);
  }
  out += "},\n";
  out += fmt::format(
      "  \"connection\": {{\"market_reconnects\": {}, \"market_rotations\": {}, \"user_stream_reconnects\": "
      "{}, "
      "\"book_resyncs\": {}, \"snapshots\": {}, \"user_stream_terminated\": {}, \"polls\": {}}},\n",
      api.market_reconnects, api.market_rotations, api.user_reconnects, api.book_resyncs, api.snapshots,
      api.stream_terminated, api.polls);
  out += fmt::format(
      "  \"faults_observed\": {{\"rate_limited\": {}, \"ambiguous\": {}, \"clock_resyncs\": {}, "
      "\"bad_messages\": {}, \"credential_errors\": {}, \"resends\": {}, \"tracker_errors\": {}}},\n",
      api.rate_limited, api.ambiguous, api.clock_resyncs, api.bad_messages, api.credential_errors, resends,
      tracker_errors);
  out += fmt::format("  \"rest_requests\": {}\n}}\n", api.rest_requests);
  return out;
}

}  // namespace colibri::live
