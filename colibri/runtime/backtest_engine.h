#pragma once
// BacktestEngine: strategies over one or more markets of one simulated exchange, replayed from
// binary event logs in simulated time (DESIGN.md decisions 3, 4 and 5; hftbacktest's two-timestamp
// replay).
//
// Markets. Each market has its trading rules and its own data files; all markets share one quote
// asset (the portfolio's unit of account) and have distinct base assets; one account (one ledger)
// trades them all through one connector.
//
// Inputs. Event logs are replayed in place; Binance recordings (gzip text) are first converted,
// each run of consecutive recordings into one event log in a scratch directory (local times
// corrected as data/local_time.h says), deleted when the run ends. A market's files must all hold
// its symbol and the same market type (Binance spot, futures, unsequenced), which picks the book
// sequence policy both sides of that market use.
//
// Wiring (all owned by one run()):
//   SimScheduler ── Clock (tick_size) ── [ExchangeBase, then the strategies in order]
//   per market: event logs ──exchange cursor──▶ SequencedFeed ─▶ MatchingEngine (EXCHANGE time)
//                          ──local cursor─────▶ SimExchangeApi::local_feed ─▶ the connector's BookSync (LOCAL time)
//   ExchangeBase ──▶ SimExchangeApi (ConstantLatency, or RecordedLatency from latency_file) ──▶ the market's
//                    MatchingEngine ──▶ Ledger
// The strategies see only the Connector (the real ExchangeBase): the code path of live trading.
//
// Replay. A market's files are one stream, in the order given. Two cursors walk it independently
// (the same mapped files, streamed: memory does not grow with the data). The main loop repeatedly
// takes t = the earliest of (every market's next exchange time and next local time, the
// scheduler's next timer), advances the SimScheduler to t — running every timer due at or before
// t (clock ticks, latency deliveries) — and then delivers the records due at t. At equal times the
// order is fixed:
//   1. timers due at t, in the scheduler's order (clock ticks, requests reaching the engine,
//      answers reaching the bot);
//   2. records whose exchange time is t, to the matching engines, market by market in config
//      order, in file order within a market;
//   3. records whose local time is t, to the bot's feeds, in the same order.
// Timers scheduled by 2 or 3 for time t run after them. Times that step backwards within the
// stream (a recorder's clock, a file boundary) are clamped to the latest time seen on that
// cursor: such a record is delivered at once, in file order, never before an earlier record.
// A record without an exchange time (Timestamp::none()) counts as the latest exchange time seen;
// likewise for local time.
//
// End of run. When every cursor is exhausted the strategies are removed from the clock (they stop
// and place nothing more), the connector's open orders are cancelled with cancel_all, and the
// scheduler runs (ticks included) until the cancel_all reports or shutdown_timeout of simulated
// time has passed; then the clock stops and pending deliveries are drained (bounded).
//
// Observation. Every sample_interval (on the grid start + k × interval) the run takes one
// SeriesSample per market of the exchange's book, our best quotes, the ledger's balances and the
// portfolio's equity; after each fill it notes that market's mid 1 s and 10 s later (adverse
// selection); PerformanceTracker turns these into per-market and portfolio metrics. These timers only read state: they do not change what the strategy sees. Samples,
// fills and closed orders stream to an optional BacktestRecorder as they happen, so memory stays
// flat with data length (set keep_fills = false to stop collecting fills in the result too).
//
// Determinism: the same files, config and strategies give the same result, fill for fill.
// Not thread-safe: run() drives everything on the calling thread.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "colibri/connector/connector.h"
#include "colibri/core/result.h"
#include "colibri/core/scheduler.h"
#include "colibri/core/time.h"
#include "colibri/model/book_sync.h"
#include "colibri/model/fees.h"
#include "colibri/model/order.h"
#include "colibri/model/order_events.h"
#include "colibri/model/trading_rules.h"
#include "colibri/runtime/performance.h"
#include "colibri/strategy/strategy.h"

namespace colibri::runtime {

struct AssetAmount {
  model::Asset asset;
  Quantity amount;
  friend bool operator==(const AssetAmount&, const AssetAmount&) = default;
};

// One market: its rules and the data files of its symbol, replayed in this order.
struct BacktestMarket {
  model::TradingRules rules;                      // symbol, assets, filters
  std::vector<std::filesystem::path> data_files;  // event logs or Binance recordings of rules.symbol
};

struct BacktestConfig {
  std::vector<BacktestMarket> markets;                    // one or more; one quote asset, distinct bases
  std::vector<AssetAmount> starting_balances;             // deposited in the simulated ledger before start
  Duration tick_size = std::chrono::seconds(1);           // the strategy clock
  Duration entry_latency = std::chrono::milliseconds(1);  // bot request -> engine acts
  Duration response_latency = std::chrono::milliseconds(1);      // engine acts -> bot hears
  // A record of real requests (connector/sim's RecordedLatency CSV); when set, its interpolated
  // latencies replace the two constants above.
  std::filesystem::path latency_file;
  model::FeeRate maker_fee = model::FeeRate::from_raw(100'000);  // 0.001 = 0.1 %
  model::FeeRate taker_fee = model::FeeRate::from_raw(100'000);
  std::string queue_model = "risk_averse";  // connector/sim's make_queue_model names
  double queue_power = 2.0;                  // n of the prob_power* queue models
  Duration shutdown_timeout = std::chrono::seconds(10);  // simulated time allowed for the final cancel_all
  Duration sample_interval = std::chrono::seconds(1);    // series rows; the Sharpe/Sortino return interval
  bool keep_fills = true;                                 // collect BacktestResult::fills
  std::filesystem::path scratch_dir;                      // converted recordings; empty: the system temp dir
};

// One row of the sampled series: one market at one instant, with the portfolio's quote balance
// and equity (the same in every market's row of that instant).
struct SeriesSample {
  Timestamp time = Timestamp::none();
  model::Symbol symbol;
  std::optional<Price> mid;        // the exchange's book; none before it exists
  std::optional<Price> best_bid;
  std::optional<Price> best_ask;
  std::optional<Price> bid_quote;  // our best open buy order
  std::optional<Price> ask_quote;  // our best open sell order
  Quantity base;                   // ledger totals (free + locked) of the market's base
  Quantity quote;                  // and of the portfolio's quote asset
  EquityPoint equity;              // zero while a market has no mid
};

// One of our orders, once it ended (or at the end of the run, still open).
struct OrderRecord {
  model::ClientOrderId client_order_id{};
  model::Symbol symbol;
  model::Side side = model::Side::Buy;
  model::OrderType type = model::OrderType::Limit;
  Price price{};
  Quantity quantity{};
  Quantity filled{};
  Timestamp created = Timestamp::none();  // none: failed before it was created
  Timestamp ended = Timestamp::none();    // none: still open
  std::string_view status;                // "filled", "cancelled", "failed", "expired", "open"
  std::string message;                    // why it failed
};

// Receives what a run produces, as it happens. Every method has a no-op default.
class BacktestRecorder {
 public:
  virtual ~BacktestRecorder() = default;
  virtual void on_fill(const model::OrderFilled& fill) { (void)fill; }
  virtual void on_order_closed(const OrderRecord& order) { (void)order; }
  virtual void on_sample(const SeriesSample& sample) { (void)sample; }
  // Every 65,536 records, and once at the end: records replayed so far (all markets) of `total`.
  virtual void on_progress(std::uint64_t replayed, std::uint64_t total) { (void)replayed, (void)total; }
};

// Counts of the connector's order events over the run.
struct OrderOutcomeCounts {
  std::uint64_t created = 0;
  std::uint64_t completed = 0;  // filled entirely
  std::uint64_t cancelled = 0;
  std::uint64_t failed = 0;
  std::uint64_t expired = 0;
  std::uint64_t lost = 0;
};

// One market's share of a run.
struct MarketResult {
  model::Symbol symbol;
  std::uint64_t records = 0;            // log records replayed
  std::uint64_t events = 0;             // level updates + trades + tickers in them
  std::uint64_t data_files = 0;         // files replayed (before conversion)
  PerformanceMetrics metrics;           // trading metrics only (PerformanceTracker::market_metrics)
  model::BookSyncStats exchange_book;   // the simulated exchange's view of the stream
};

struct BacktestResult {
  std::uint64_t records = 0;              // log records replayed, all markets (each is delivered once per side)
  std::uint64_t events = 0;               // level updates + trades + tickers in those records
  std::uint64_t samples = 0;              // sampling instants (each writes one row per market)
  std::vector<model::OrderFilled> fills;  // every OrderFilled the connector published (keep_fills)
  OrderOutcomeCounts orders;
  std::vector<AssetAmount> starting_balances;  // ledger totals after the deposits, per asset
  std::vector<AssetAmount> final_balances;     // ledger totals at the end, same asset order (+ new ones)
  Timestamp start_time = Timestamp::none();    // simulated time of the first record
  Timestamp end_time = Timestamp::none();      // simulated time when the run finished
  Duration elapsed{0};                         // end_time - start_time
  bool shutdown_complete = false;              // the final cancel_all confirmed every order in time
  std::uint64_t open_orders_at_end = 0;        // orders still not final after shutdown
  PerformanceMetrics metrics;                  // the portfolio's
  std::vector<MarketResult> markets;           // in config order
};

// Builds a strategy under test over the backtest's connector (which trades every market) and
// scheduler (both outlive it).
using StrategyFactory =
    std::function<std::unique_ptr<strategy::Strategy>(connector::Connector& connector, Scheduler& scheduler)>;

class BacktestEngine {
 public:
  explicit BacktestEngine(BacktestConfig config) : config_(std::move(config)) {}

  // Runs one backtest. Errors: InvalidArgument for a config that cannot run (no market, a market
  // without data, bad rules, two quote assets, a base twice, a bad tick size or balance),
  // NotFound/Io/Corrupt/Unsupported from opening a data file, and Corrupt when a record turns out
  // malformed mid-replay (the run stops there). Each factory is called once, in order, and its
  // strategy ticks in that order; a null strategy is InvalidArgument.
  // `recorder` (optional) receives samples, fills and closed orders as the run goes.
  [[nodiscard]] Result<BacktestResult> run(const std::vector<StrategyFactory>& make_strategies,
                                           BacktestRecorder* recorder = nullptr) const;
  [[nodiscard]] Result<BacktestResult> run(const StrategyFactory& make_strategy,
                                           BacktestRecorder* recorder = nullptr) const {
    return run(std::vector<StrategyFactory>{make_strategy}, recorder);
  }

  [[nodiscard]] const BacktestConfig& config() const noexcept { return config_; }

 private:
  BacktestConfig config_;
};

}  // namespace colibri::runtime
