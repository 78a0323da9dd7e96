#pragma once
// LiveBot: one live bot — the LiveScheduler's loop, a Clock, ExchangeBase over BinanceExchangeApi,
// and Hummingbot's pure market making on one market (DESIGN.md decisions 2 and 4: the same
// connector and strategy code as backtests).
//
// Lifecycle: start() connects and starts the clock (the strategy quotes once the connector is
// ready); request_stop() removes the strategy from the clock (nothing is placed after it), cancels
// every open order and waits for the venue's confirmation, at most `stop_timeout` (DESIGN.md
// promise 11), stops the clock, takes the account's balances once more (at most 2 s: the cancels'
// balance events may trail their answers) and calls `done`. report() can be read at any time.
//
// Thread-safety: none; everything on the scheduler's loop thread (request_stop too: a signal
// handler posts it with LiveScheduler::post).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "colibri/connector/binance/binance_exchange_api.h"
#include "colibri/connector/exchange_base.h"
#include "colibri/core/live_scheduler.h"
#include "colibri/model/fees.h"
#include "colibri/model/order_events.h"
#include "colibri/strategy/pure_market_making.h"

namespace colibri::live {

struct LiveBotConfig {
  model::Symbol symbol;
  model::Asset base;
  model::Asset quote;
  model::FeeRate maker_fee;
  model::FeeRate taker_fee;
  strategy::PureMarketMakingConfig strategy;
  connector::binance::BinanceApiConfig api;
  Duration tick_size = std::chrono::seconds(1);
  Duration stop_timeout = std::chrono::seconds(10);
  std::string client_order_id_prefix = "clb";
};

struct LiveReport {
  struct Orders {
    std::uint64_t placed = 0;  // requests sent (ExchangeBase)
    std::uint64_t created = 0;
    std::uint64_t filled = 0;  // completed
    std::uint64_t cancelled = 0;
    std::uint64_t failed = 0;
    std::uint64_t expired = 0;
    std::uint64_t lost = 0;
  } orders;
  std::vector<model::OrderFilled> fills;
  std::vector<model::Balance> balances;   // final, as the bot sees them
  std::uint64_t open_orders_at_stop = 0;  // still open after the stop's cancel wait
  bool stop_confirmed = false;            // every cancel confirmed within stop_timeout
  connector::binance::BinanceApiStats api;
  std::uint64_t resends = 0;
  std::uint64_t tracker_errors = 0;
  Duration run_time{};

  // The report as JSON (no secret is ever in it).
  [[nodiscard]] std::string to_json() const;
};

class LiveBot {
 public:
  // Throws StartupError for an invalid configuration (strategy parameters, fees).
  LiveBot(LiveScheduler& scheduler, LiveBotConfig config);
  ~LiveBot();
  LiveBot(const LiveBot&) = delete;
  LiveBot& operator=(const LiveBot&) = delete;

  void start();
  // Idempotent; `done` runs once, when the stop is complete (possibly on a later call's behalf).
  void request_stop(std::function<void()> done);
  [[nodiscard]] bool stopped() const noexcept;
  [[nodiscard]] LiveReport report() const;
  [[nodiscard]] const connector::ExchangeBase& connector() const noexcept;

  struct Parts;

 private:
  std::unique_ptr<Parts> parts_;
};

}  // namespace colibri::live
