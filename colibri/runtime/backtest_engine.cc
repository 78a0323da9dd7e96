#include "colibri/runtime/backtest_engine.h"

#include <optional>
#include <utility>

#include "colibri/connector/exchange_base.h"
#include "colibri/connector/sim/latency_model.h"
#include "colibri/connector/sim/ledger.h"
#include "colibri/connector/sim/matching_engine.h"
#include "colibri/connector/sim/queue_model.h"
#include "colibri/connector/sim/sim_exchange_api.h"
#include "colibri/core/clock.h"
#include "colibri/core/event_bus.h"
#include "colibri/core/sim_scheduler.h"
#include "colibri/data/event_log.h"

namespace colibri::runtime {
namespace {

namespace sim = connector::sim;

constexpr sim::AccountId kAccount = 1;
// Bounds on the shutdown phase, in scheduler callbacks (it normally needs a handful).
constexpr std::size_t kMaxShutdownSteps = 10'000'000;
constexpr std::size_t kMaxDrainSteps = 1'000'000;

// The fees of the one market: the simulator charges and the connector estimates with the same
// schedule (model/fees.h).
struct MarketFees {
  model::FeeSchedule engine;
  model::FeeSchedule connector;
};

Result<MarketFees> make_fees(const BacktestConfig& config, const model::Asset& base,
                             const model::Asset& quote) {
  auto schedule = model::FeeSchedule::create(base, quote, config.maker_fee, config.taker_fee);
  if (!schedule) return fail(std::move(schedule.error()));
  return MarketFees{*schedule, *schedule};
}

// One side's walk through the stream of files: the records in file order, each due at its exchange
// (or local) time, clamped so that due times never decrease (see the header).
class StreamCursor {
 public:
  enum class Side : std::uint8_t { Exchange, Local };
  StreamCursor(const std::vector<data::EventLogReader>& readers, Side side) : readers_(readers), side_(side) {
    open_next();
  }

  // When the next record is due; Timestamp::none() when the stream is exhausted.
  [[nodiscard]] Timestamp due() {
    while (cursor_ && cursor_->at_end()) open_next();
    if (!cursor_) return Timestamp::none();
    const Timestamp t = side_ == Side::Exchange ? cursor_->peek_exchange_time() : cursor_->peek_local_time();
    if (t.is_none()) return last_.is_none() ? fallback_ : last_;
    return (!last_.is_none() && t < last_) ? last_ : t;
  }

  // Delivers the next record (due() must not be none) and records its due time.
  [[nodiscard]] Result<void> deliver(data::MarketEventSink& sink) {
    const Timestamp t = due();
    auto delivered = cursor_->next(sink);
    if (!delivered) return fail(std::move(delivered.error()));
    last_ = t;
    ++records_;
    return {};
  }

  // The time used for a record without a time before any record had one.
  void set_fallback(Timestamp t) noexcept { fallback_ = t; }
  [[nodiscard]] std::uint64_t records() const noexcept { return records_; }

 private:
  void open_next() {
    cursor_.reset();
    if (next_file_ < readers_.size()) cursor_.emplace(readers_[next_file_++].cursor());
  }

  const std::vector<data::EventLogReader>& readers_;
  Side side_;
  std::size_t next_file_ = 0;
  std::optional<data::EventLogCursor> cursor_;
  Timestamp last_ = Timestamp::none();
  Timestamp fallback_ = Timestamp::none();
  std::uint64_t records_ = 0;
};

connector::ExchangeBaseConfig connector_config() {
  connector::ExchangeBaseConfig c;
  c.name = "sim";
  // The simulated exchange does not rate-limit: nothing is counted.
  c.place_kind = c.cancel_kind = c.query_order_kind = c.query_fills_kind = c.balances_kind = "";
  c.open_orders_kind = "";
  return c;
}

// Everything one run wires together, in construction order (destroyed in reverse: the strategy and
// the subscriptions before the connector, the connector before the api, the scheduler last).
struct Session {
  Session(const BacktestConfig& config, Timestamp start, const MarketFees& fees)
      : scheduler(start),
        latency(config.entry_latency, config.response_latency),
        fees(fees),
        engine(config.rules, queue, ledger),
        api(scheduler, latency, ledger, kAccount),
        connector(scheduler, api, connector_config(), markets(config)),
        clock(scheduler, config.tick_size) {
    api.add_market(engine, this->fees.engine);
  }

  std::vector<connector::MarketSetup> markets(const BacktestConfig& config) const {
    std::vector<connector::MarketSetup> m;
    // Unsequenced: the simulated feed is gap-free by construction; rules are asked of the api.
    m.push_back(connector::MarketSetup{model::Symbol::truncating(config.rules.symbol), fees.connector,
                                       nullptr, std::nullopt});
    return m;
  }

  SimScheduler scheduler;
  sim::ConstantLatency latency;
  MarketFees fees;
  sim::RiskAverseQueueModel queue;
  sim::Ledger ledger;
  sim::MatchingEngine engine;
  sim::SimExchangeApi api;
  connector::ExchangeBase connector;
  Clock clock;
};

std::vector<AssetAmount> balances_of(const sim::Ledger& ledger) {
  std::vector<AssetAmount> out;
  ledger.for_each_balance(kAccount, [&](const model::Balance& b) {
    out.push_back(AssetAmount{b.asset, b.total});
  });
  return out;
}

}  // namespace

Result<BacktestResult> BacktestEngine::run(const StrategyFactory& make_strategy) const {
  // --- set-up: every config error becomes one Result here.
  if (config_.data_files.empty()) return fail(ErrorCode::InvalidArgument, "backtest: no data file");
  if (!make_strategy) return fail(ErrorCode::InvalidArgument, "backtest: no strategy factory");
  if (auto ok = config_.rules.validate(); !ok) return fail(std::move(ok.error()));
  if (auto ok = Clock::check_tick_size(config_.tick_size); !ok) return fail(std::move(ok.error()));
  for (const AssetAmount& b : config_.starting_balances) {
    if (b.amount.is_negative()) {
      return fail(ErrorCode::InvalidArgument, "backtest: negative starting balance of {}", b.asset);
    }
  }
  auto fees = make_fees(config_, model::Asset::truncating(config_.rules.base),
                        model::Asset::truncating(config_.rules.quote));
  if (!fees) return fail(std::move(fees.error()));

  std::vector<data::EventLogReader> readers;
  readers.reserve(config_.data_files.size());
  for (const auto& path : config_.data_files) {
    auto reader = data::EventLogReader::open(path);
    if (!reader) return fail(std::move(reader.error()));
    readers.push_back(std::move(*reader));
  }
  StreamCursor exchange_side(readers, StreamCursor::Side::Exchange);
  StreamCursor local_side(readers, StreamCursor::Side::Local);
  const Timestamp first_exchange = exchange_side.due();
  const Timestamp first_local = local_side.due();
  Timestamp start = first_exchange;
  if (start.is_none() || (!first_local.is_none() && first_local < start)) start = first_local;
  if (start.is_none())
    return fail(ErrorCode::InvalidArgument, "backtest: the data files hold no timed record");
  exchange_side.set_fallback(start);
  local_side.set_fallback(start);

  std::unique_ptr<Session> session;
  try {
    session = std::make_unique<Session>(config_, start, *fees);
  } catch (const StartupError& e) {
    return fail(e.error());
  }
  Session& s = *session;
  const model::Symbol symbol = s.engine.symbol();
  data::MarketEventSink* local_feed = s.api.local_feed(symbol);
  if (local_feed == nullptr) return fail(ErrorCode::InvalidArgument, "backtest: no market for {}", symbol);

  for (const AssetAmount& b : config_.starting_balances) {
    if (auto ok = s.ledger.deposit(kAccount, b.asset, b.amount); !ok) return fail(std::move(ok.error()));
  }

  BacktestResult result;
  result.start_time = start;
  result.starting_balances = balances_of(s.ledger);
  EventBus& bus = s.connector.events();
  const Subscription subscriptions[] = {
      bus.subscribe<model::OrderFilled>([&](const model::OrderFilled& e) { result.fills.push_back(e); }),
      bus.subscribe<model::OrderCreated>([&](const model::OrderCreated&) { ++result.orders.created; }),
      bus.subscribe<model::OrderCompleted>([&](const model::OrderCompleted&) { ++result.orders.completed; }),
      bus.subscribe<model::OrderCancelled>([&](const model::OrderCancelled&) { ++result.orders.cancelled; }),
      bus.subscribe<model::OrderFailed>([&](const model::OrderFailed&) { ++result.orders.failed; }),
      bus.subscribe<model::OrderExpired>([&](const model::OrderExpired&) { ++result.orders.expired; }),
      bus.subscribe<model::OrderLost>([&](const model::OrderLost&) { ++result.orders.lost; }),
  };
  (void)subscriptions;

  std::unique_ptr<strategy::Strategy> strategy;
  try {
    strategy = make_strategy(s.connector, s.scheduler);
  } catch (const StartupError& e) {
    return fail(e.error());
  }
  if (!strategy)
    return fail(ErrorCode::InvalidArgument, "backtest: the strategy factory returned no strategy");

  s.connector.start_trading();
  s.clock.add_iterator(s.connector);
  s.clock.add_iterator(*strategy);
  s.clock.start();

  // --- replay (the order at equal times is documented in the header)
  while (true) {
    const Timestamp te = exchange_side.due();
    const Timestamp tl = local_side.due();
    if (te.is_none() && tl.is_none()) break;
    const Timestamp t = te.is_none() ? tl : (tl.is_none() || te <= tl) ? te : tl;
    s.scheduler.advance_to(t);
    for (Timestamp d = te; !d.is_none() && d <= t; d = exchange_side.due()) {
      if (auto ok = exchange_side.deliver(s.engine); !ok) return fail(std::move(ok.error()));
    }
    for (Timestamp d = local_side.due(); !d.is_none() && d <= t; d = local_side.due()) {
      if (auto ok = local_side.deliver(*local_feed); !ok) return fail(std::move(ok.error()));
    }
  }
  result.records = exchange_side.records();

  // --- shutdown (DESIGN.md promise 11): stop the strategy, cancel its orders, wait (bounded).
  s.clock.remove_iterator(*strategy);
  bool cancel_done = false;
  bool all_cancelled = true;
  s.connector.cancel_all(config_.shutdown_timeout, [&](std::vector<connector::CancellationResult> outcomes) {
    cancel_done = true;
    for (const auto& o : outcomes) all_cancelled = all_cancelled && o.success;
  });
  const Timestamp deadline = s.scheduler.now() + config_.shutdown_timeout + config_.tick_size;
  for (std::size_t steps = 0; !cancel_done && steps < kMaxShutdownSteps; ++steps) {
    const auto next = s.scheduler.next_due();
    if (!next || *next > deadline) break;
    s.scheduler.run_next();
  }
  s.clock.stop();
  s.scheduler.run_until_idle(kMaxDrainSteps);  // answers still in flight reach the connector

  result.shutdown_complete = cancel_done && all_cancelled;
  result.open_orders_at_end = s.connector.open_orders().size();
  result.final_balances = balances_of(s.ledger);
  result.end_time = s.scheduler.now();
  result.elapsed = result.end_time - result.start_time;
  strategy.reset();  // before the connector it refers to
  return result;
}

}  // namespace colibri::runtime
