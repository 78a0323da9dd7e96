#pragma once
// SimExchangeApi: connector::ExchangeApi over simulated MatchingEngines, for one account
// (DESIGN.md decisions 4 and 5). ExchangeBase cannot tell it from the Binance api.
//
// Two clocks, one timeline. The Scheduler's time is the one simulated timeline; every replayed
// market event carries two times on it. The backtest runtime (the owner of this api) delivers
// each event twice:
//   at its EXCHANGE time to the engine          engine.on_snapshot/on_diff/on_trade
//   at its LOCAL time to the bot, through here  publish_snapshot/publish_diff/publish_trade
//                                               (or local_feed(symbol), a MarketEventSink)
// A request made at local time t reaches its engine at t + entry(t) (the engine acts then, so it
// sees every market event whose exchange time is earlier); its answer reaches the listener at
// e + response(e), where e is when the engine acted. User-stream pushes (OrderReport, Fill,
// Balance) caused at exchange time e travel the same way. Everything this api delivers goes out
// in the order it was produced (a due time earlier than the previous delivery's is raised to
// it: one ordered connection, like Binance's user stream); pushes an action produced precede its
// answer, as Binance's executionReport often beats the REST response.
//
// Guarantees of the ExchangeApi contract: every request gets exactly one answer, always through
// the Scheduler (never inside the request call); errors carry Binance codes (see
// matching_engine.h); a symbol without an engine is Rejected "-1121 Invalid symbol.".
//
// Market data: subscribe_market_data(symbol) takes effect at the venue after the entry latency;
// from then on published events are forwarded to the listener as they are published, and a
// snapshot of the book as the bot's side of the feed shows it (kept here, at local time, until
// that answer: a market is subscribed once, and afterwards only the bot's own book follows the
// feed) follows after the response latency, like a REST depth snapshot fetched after the stream
// opened. A second subscription to the same symbol is ignored.
//
// Not thread-safe: the scheduler's thread. The api, its engines, ledger and latency model must
// outlive every timer it scheduled (run the scheduler dry or destroy it first).
// Allocation: each request and each delivery schedules one timer whose callback captures its
// message (std::function: a heap allocation per message); the engine's own costs are in
// matching_engine.h. A pooled message queue would remove it (deferred).

#include <memory>
#include <string_view>
#include <vector>

#include "colibri/connector/exchange_api.h"
#include "colibri/connector/sim/latency_model.h"
#include "colibri/connector/sim/matching_engine.h"
#include "colibri/core/scheduler.h"
#include "colibri/data/market_event_sink.h"
#include "colibri/model/order_book.h"

namespace colibri::connector::sim {

class SimExchangeApi final : public ExchangeApi, private ExecutionListener {
 public:
  SimExchangeApi(Scheduler& scheduler, const LatencyModel& latency, Ledger& ledger, AccountId account);
  ~SimExchangeApi() override;

  // Trades `engine`'s symbol for this account with `fees` (registers the account on the engine;
  // throws StartupError for fees the engine cannot simulate, see MatchingEngine::add_account).
  void add_market(MatchingEngine& engine, const model::FeeSchedule& fees);

  // --- ExchangeApi
  void set_listener(ExchangeApiListener* listener) override { listener_ = listener; }
  [[nodiscard]] std::string_view name() const override { return "sim"; }
  void place_order(const model::OrderRequest& request) override;
  void cancel_order(const model::Symbol& symbol, const model::ClientOrderId& id) override;
  void query_order(const model::Symbol& symbol, const model::ClientOrderId& id) override;
  void query_fills(const model::Symbol& symbol, const model::ClientOrderId& id) override;
  void query_balances() override;
  void query_open_orders(const model::Symbol& symbol) override;
  void query_trading_rules() override;
  void subscribe_market_data(const model::Symbol& symbol) override;

  // --- the bot's side of the market-data feed, at LOCAL time (called by the backtest runtime).
  // Events for a symbol without an engine are ignored.
  void publish_snapshot(const model::Symbol& symbol, const model::BookSnapshot& snapshot);
  void publish_diff(const model::Symbol& symbol, const model::BookDiff& diff);
  void publish_trade(const model::Symbol& symbol, const model::PublicTrade& trade);
  // The same as a sink bound to one symbol (valid while the api lives); nullptr if unknown.
  [[nodiscard]] data::MarketEventSink* local_feed(const model::Symbol& symbol) noexcept;

  [[nodiscard]] AccountId account() const noexcept { return account_; }

 private:
  class LocalFeed;
  struct Market;

  [[nodiscard]] Market* find_market(const model::Symbol& symbol) noexcept;
  void publish_snapshot(Market& market, const model::BookSnapshot& snapshot);
  void publish_diff(Market& market, const model::BookDiff& diff);
  void publish_trade(Market& market, const model::PublicTrade& trade);
  // Runs `action` at the exchange, after the entry latency.
  template <typename Action>
  void at_exchange(Action&& action);
  // Runs `delivery(listener)` after the response latency (in production order).
  template <typename Delivery>
  void to_bot(Delivery&& delivery);
  static Result<model::OrderReport> invalid_symbol(const model::Symbol& symbol);

  // ExecutionListener: the account's user stream from the engines, at exchange time.
  void on_execution_report(const model::OrderReport& report) override;
  void on_execution(const model::Fill& fill) override;
  void on_balance_update(const model::Balance& balance) override;

  Scheduler& scheduler_;
  const LatencyModel& latency_;
  Ledger& ledger_;
  AccountId account_;
  ExchangeApiListener* listener_ = nullptr;
  std::vector<std::unique_ptr<Market>> markets_;
  Timestamp last_delivery_ = Timestamp::none();  // Invariant: no delivery is scheduled before it
};

}  // namespace colibri::connector::sim
