#pragma once
// Strategy: the base of every trading strategy (Hummingbot's StrategyBase), and StrategyContext,
// what a strategy is given to work with.
//
// Contract:
//  - A Strategy is a TimeIterator: add it to the Clock AFTER its connectors, so that on each tick
//    it sees this tick's connector state. Clock::start() (or adding it to a started clock) calls
//    start(), which subscribes the event callbacks on every connector's EventBus; stop() (or
//    removal) unsubscribes them: a stopped strategy receives nothing. Each tick calls on_tick().
//  - Strategies see only the Connector interface and the connector's events: an order is what
//    Connector::order() says and what OrderCreated / OrderFilled / OrderCancelled /
//    OrderCompleted / OrderFailed / OrderExpired / OrderLost told; never a half-state of the
//    tracker (DESIGN.md decision 6). Callbacks receive the connector the event came from.
//  - A callback runs synchronously inside the connector's publish; it may place and cancel
//    orders (the connector queues requests, nothing re-enters the callback for the same event).
//  - Stopping a strategy does not cancel its orders: the runtime does that with
//    Connector::cancel_all (DESIGN.md reliability promise 11).
//
// Ownership: the context's connectors and scheduler are not owned; they must outlive the
// strategy. Not thread-safe: everything runs on the bot's event-loop thread (DESIGN.md decision 2).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "colibri/connector/connector.h"
#include "colibri/connector/market_events.h"
#include "colibri/core/clock.h"
#include "colibri/core/event_bus.h"
#include "colibri/core/log.h"
#include "colibri/core/scheduler.h"
#include "colibri/model/order_events.h"

namespace colibri::strategy {

// What a strategy works with. Pointers are not owned and never null once validated.
struct StrategyContext {
  std::string name = "strategy";                  // prefixes the strategy's log lines
  std::vector<connector::Connector*> connectors;  // the markets it may trade and whose events it hears
  Scheduler* scheduler = nullptr;                 // now() and timers (DESIGN.md decision 3)

  // InvalidArgument naming the field when the scheduler or a connector is null, or there is no
  // connector at all.
  [[nodiscard]] Result<void> validate() const;
};

// One market of one connector (Hummingbot's MarketTradingPairTuple, without the asset names:
// those come from the connector's TradingRules once it is ready).
struct MarketTradingPair {
  connector::Connector* connector = nullptr;
  model::Symbol symbol;
};

class Strategy : public TimeIterator {
 public:
  // Throws StartupError (InvalidArgument) when the context does not validate: a wiring error at
  // start-up.
  explicit Strategy(StrategyContext context);
  ~Strategy() override;
  Strategy(const Strategy&) = delete;
  Strategy& operator=(const Strategy&) = delete;

  // --- TimeIterator (final: strategies override the on_* hooks)
  void start(Clock& clock, Timestamp now) final;
  void stop(Clock& clock) final;
  void tick(Timestamp now) final;

  [[nodiscard]] const StrategyContext& context() const noexcept { return context_; }
  [[nodiscard]] std::string_view name() const noexcept { return context_.name; }
  [[nodiscard]] bool is_started() const noexcept { return started_; }
  // The time of the latest tick (Hummingbot's current_timestamp); the start time before the first
  // tick; Timestamp::none() before start.
  [[nodiscard]] Timestamp current_timestamp() const noexcept { return current_timestamp_; }

 protected:
  [[nodiscard]] Scheduler& scheduler() const noexcept { return *context_.scheduler; }

  // --- hooks; the defaults do nothing
  virtual void on_start(Timestamp /*now*/) {}
  virtual void on_stop() {}
  virtual void on_tick(Timestamp now) = 0;
  virtual void on_order_created(connector::Connector& /*from*/, const model::OrderCreated& /*event*/) {}
  virtual void on_order_filled(connector::Connector& /*from*/, const model::OrderFilled& /*event*/) {}
  virtual void on_order_cancelled(connector::Connector& /*from*/, const model::OrderCancelled& /*event*/) {}
  virtual void on_order_completed(connector::Connector& /*from*/, const model::OrderCompleted& /*event*/) {}
  virtual void on_order_failed(connector::Connector& /*from*/, const model::OrderFailed& /*event*/) {}
  virtual void on_order_expired(connector::Connector& /*from*/, const model::OrderExpired& /*event*/) {}
  virtual void on_order_lost(connector::Connector& /*from*/, const model::OrderLost& /*event*/) {}
  virtual void on_order_book_updated(connector::Connector& /*from*/,
                                     const connector::OrderBookUpdated& /*event*/) {}
  virtual void on_order_book_out_of_sync(connector::Connector& /*from*/,
                                         const connector::OrderBookOutOfSync& /*event*/) {}
  virtual void on_public_trade(connector::Connector& /*from*/, const connector::PublicTradeEvent& /*event*/) {
  }

  // Log lines prefixed with the strategy's name. Formatting is skipped below the log level; keep
  // them off hot paths anyway.
  template <typename... Args>
  void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) const {
    if (level < logging::level()) return;
    const std::string text = fmt::format(format, std::forward<Args>(args)...);
    switch (level) {
      case LogLevel::Debug:
        log_debug("[{}] {}", context_.name, text);
        break;
      case LogLevel::Info:
        log_info("[{}] {}", context_.name, text);
        break;
      case LogLevel::Warn:
        log_warn("[{}] {}", context_.name, text);
        break;
      case LogLevel::Error:
        log_error("[{}] {}", context_.name, text);
        break;
      case LogLevel::Off:
        break;
    }
  }

 private:
  void subscribe(connector::Connector& connector);

  StrategyContext context_;
  std::vector<Subscription> subscriptions_;  // empty while stopped
  Timestamp current_timestamp_ = Timestamp::none();
  bool started_ = false;
};

}  // namespace colibri::strategy
