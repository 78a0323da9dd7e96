#include "colibri/runtime/backtest_engine.h"

#include <algorithm>
#include <optional>
#include <unistd.h>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "colibri/connector/exchange_base.h"
#include "colibri/connector/sim/latency_model.h"
#include "colibri/connector/sim/ledger.h"
#include "colibri/connector/sim/matching_engine.h"
#include "colibri/connector/sim/queue_model.h"
#include "colibri/connector/sim/sequenced_feed.h"
#include "colibri/connector/sim/sim_exchange_api.h"
#include "colibri/core/clock.h"
#include "colibri/core/event_bus.h"
#include "colibri/core/sim_scheduler.h"
#include "colibri/data/event_log.h"
#include "colibri/data/market_file.h"
#include "colibri/venue/binance/sequence_policy.h"

namespace colibri::runtime {
namespace {

namespace sim = connector::sim;

constexpr sim::AccountId kAccount = 1;
// Bounds on the shutdown phase, in scheduler callbacks (it normally needs a handful).
constexpr std::size_t kMaxShutdownSteps = 10'000'000;
constexpr std::size_t kMaxDrainSteps = 1'000'000;

// The fees of one market: the simulator charges and the connector estimates with the same
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
    refresh();
  }

  // When the next record is due; Timestamp::none() when the stream is exhausted. Computed once
  // per record (the replay loop asks several times).
  [[nodiscard]] Timestamp due() const noexcept { return due_; }

  // Delivers the next record (due() must not be none) and records its due time.
  [[nodiscard]] Result<void> deliver(data::MarketEventSink& sink) {
    auto delivered = cursor_->next(sink);
    if (!delivered) return fail(std::move(delivered.error()));
    last_ = due_;
    ++records_;
    refresh();
    return {};
  }

  // How far this cursor has read file `file`: 0 before it, its size after it.
  [[nodiscard]] std::size_t read_up_to(std::size_t file) const noexcept {
    const std::size_t current = next_file_ - 1;  // the file cursor_ walks (or walked last)
    if (file < current || (file == current && !cursor_)) return readers_[file].size();
    if (file > current) return 0;
    return cursor_->offset();
  }

  // The time used for a record without a time before any record had one.
  void set_fallback(Timestamp t) noexcept {
    fallback_ = t;
    refresh();
  }
  [[nodiscard]] std::uint64_t records() const noexcept { return records_; }

 private:
  void open_next() {
    cursor_.reset();
    if (next_file_ < readers_.size()) cursor_.emplace(readers_[next_file_++].cursor());
  }

  void refresh() noexcept {
    while (cursor_ && cursor_->at_end()) open_next();
    if (!cursor_) {
      due_ = Timestamp::none();
      return;
    }
    const Timestamp t = side_ == Side::Exchange ? cursor_->peek_exchange_time() : cursor_->peek_local_time();
    if (t.is_none()) {
      due_ = last_.is_none() ? fallback_ : last_;
    } else {
      due_ = (!last_.is_none() && t < last_) ? last_ : t;
    }
  }

  const std::vector<data::EventLogReader>& readers_;
  Side side_;
  std::size_t next_file_ = 0;
  std::optional<data::EventLogCursor> cursor_;
  Timestamp last_ = Timestamp::none();
  Timestamp fallback_ = Timestamp::none();
  Timestamp due_ = Timestamp::none();
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

// The sequence rules of the market a log declares (both sides of the replay use them).
const model::BookSequencePolicy& policy_for(data::EventLogInfo::Market market) {
  static const venue::binance::SpotSequencePolicy spot;
  static const venue::binance::FuturesSequencePolicy futures;
  static const model::UnsequencedPolicy unsequenced;
  switch (market) {
    case data::EventLogInfo::Market::BinanceSpot: return spot;
    case data::EventLogInfo::Market::BinanceUsdM:
    case data::EventLogInfo::Market::BinanceCoinM: return futures;
    case data::EventLogInfo::Market::Unsequenced: return unsequenced;
  }
  return unsequenced;
}

// One market of a run: its logs, the two cursors over them, its matching engine and the feeds.
// Not movable (the cursors refer to the readers, the feed to the engine).
struct MarketReplay {
  MarketReplay(const BacktestMarket& market, std::vector<data::EventLogReader> logs, MarketFees market_fees, std::unique_ptr<sim::QueueModel> queue_model, sim::Ledger& ledger)
      : symbol(model::Symbol::truncating(market.rules.symbol)),
        base(model::Asset::truncating(market.rules.base)),
        data_files(market.data_files.size()),
        readers(std::move(logs)),
        exchange_side(readers, StreamCursor::Side::Exchange),
        local_side(readers, StreamCursor::Side::Local),
        fees(market_fees),
        policy(policy_for(readers.front().info().market)),
        queue(std::move(queue_model)),
        engine(market.rules, *queue, ledger),
        exchange_feed(engine, policy) {
    for (const auto& reader : readers) {
      total_records += reader.info().messages;
      total_events += reader.info().events;
    }
  }
  MarketReplay(const MarketReplay&) = delete;
  MarketReplay& operator=(const MarketReplay&) = delete;

  // Pages both cursors have passed leave memory: a long replay stays flat.
  void release_read_pages() {
    for (std::size_t i = 0; i < readers.size(); ++i) {
      readers[i].release_before(std::min(exchange_side.read_up_to(i), local_side.read_up_to(i)));
    }
  }

  model::Symbol symbol;
  model::Asset base;
  std::size_t data_files;
  std::vector<data::EventLogReader> readers;
  StreamCursor exchange_side;
  StreamCursor local_side;
  MarketFees fees;
  const model::BookSequencePolicy& policy;
  std::unique_ptr<sim::QueueModel> queue;
  sim::MatchingEngine engine;
  sim::SequencedFeed exchange_feed;
  data::MarketEventSink* local_feed = nullptr;  // set once the api knows the market
  std::uint64_t total_records = 0;
  std::uint64_t total_events = 0;
};

// Everything one run wires together, in construction order (destroyed in reverse: the strategies
// and the subscriptions before the connector, the connector before the api, the engines before
// the ledger, the scheduler last).
struct Session {
  Session(const BacktestConfig& config, Timestamp start, std::unique_ptr<sim::LatencyModel> latency_model,
          std::vector<std::unique_ptr<MarketReplay>>& replays, sim::Ledger& ledger)
      : scheduler(start),
        latency(std::move(latency_model)),
        api(scheduler, *latency, ledger, kAccount),
        connector(scheduler, api, connector_config(), setups(replays)),
        clock(scheduler, config.tick_size) {
    for (auto& m : replays) api.add_market(m->engine, m->fees.engine);
    for (auto& m : replays) m->local_feed = api.local_feed(m->symbol);
  }

  static std::vector<connector::MarketSetup> setups(const std::vector<std::unique_ptr<MarketReplay>>& replays) {
    std::vector<connector::MarketSetup> m;
    // Rules are asked of the api.
    for (const auto& r : replays) m.push_back(connector::MarketSetup{r->symbol, r->fees.connector, &r->policy, std::nullopt});
    return m;
  }

  SimScheduler scheduler;
  std::unique_ptr<sim::LatencyModel> latency;
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

// Converted recordings live here for the duration of one run.
class ScratchDir {
 public:
  ScratchDir() = default;
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  Result<std::filesystem::path> path(const std::filesystem::path& parent) {
    if (!path_.empty()) return path_;
    std::error_code ec;
    const std::filesystem::path base = parent.empty() ? std::filesystem::temp_directory_path(ec) : parent;
    if (ec) return fail(ErrorCode::Io, "backtest: no temporary directory: {}", ec.message());
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto candidate = base / fmt::format("colibri-backtest-{}-{}", ::getpid(), attempt);
      if (std::filesystem::create_directories(candidate, ec)) {
        path_ = candidate;
        return path_;
      }
    }
    return fail(ErrorCode::Io, "{}: cannot create a scratch directory", base.string());
  }

 private:
  std::filesystem::path path_;
};

// The event logs to replay for `market`: logs as given, each run of consecutive recordings
// converted into one.
Result<std::vector<std::filesystem::path>> prepare_inputs(const BacktestConfig& config, const BacktestMarket& market,
                                                          ScratchDir& scratch) {
  std::vector<std::filesystem::path> logs;
  std::vector<std::filesystem::path> recordings;
  auto flush = [&]() -> Result<void> {
    if (recordings.empty()) return {};
    auto dir = scratch.path(config.scratch_dir);
    if (!dir) return fail(std::move(dir.error()));
    auto out = *dir / fmt::format("{}-input-{}.clog", market.rules.symbol, logs.size());
    data::EventLogInfo info;
    info.tick_size = market.rules.tick_size;
    info.lot_size = market.rules.lot_size;
    data::MarketReplayOptions options;
    options.symbol = market.rules.symbol;
    auto converted = data::convert_to_event_log(recordings, out, info, options);
    if (!converted) return fail(std::move(converted.error()));
    // A snapshot carries no symbol: only diffs and trades show the recording is of this market.
    if (converted->recordings.diffs + converted->recordings.trades == 0) {
      return fail(ErrorCode::InvalidArgument, "{}: no {} diff or trade in the recording{}",
                  recordings.front().string(), market.rules.symbol, recordings.size() > 1 ? "s" : "");
    }
    logs.push_back(std::move(out));
    recordings.clear();
    return {};
  };
  for (const auto& path : market.data_files) {
    auto format = data::detect_format(path);
    if (!format) return fail(std::move(format.error()));
    if (*format == data::MarketFileFormat::BinanceRecording) {
      recordings.push_back(path);
      continue;
    }
    if (auto ok = flush(); !ok) return fail(std::move(ok.error()));
    logs.push_back(path);
  }
  if (auto ok = flush(); !ok) return fail(std::move(ok.error()));
  return logs;
}

// Orders in flight, for orders.csv: what OrderCreated said, then fills, until a final event.
class OrderBookkeeping {
 public:
  explicit OrderBookkeeping(BacktestRecorder* recorder) : recorder_(recorder) {}

  void created(const model::OrderCreated& e) {
    if (recorder_ == nullptr) return;
    OrderRecord& r = open_[e.client_order_id];
    r.client_order_id = e.client_order_id;
    r.symbol = e.symbol;
    r.side = e.side;
    r.type = e.type;
    r.price = e.price;
    r.quantity = e.quantity;
    r.created = e.time;
  }
  void filled(const model::OrderFilled& e) {
    if (recorder_ == nullptr) return;
    if (auto it = open_.find(e.client_order_id); it != open_.end()) it->second.filled += e.amount;
  }
  void closed(const model::ClientOrderId& id, const model::Symbol& symbol, model::Side side,
              std::string_view status, Timestamp time, std::string message = {}) {
    if (recorder_ == nullptr) return;
    auto it = open_.find(id);
    OrderRecord r;
    if (it != open_.end()) {
      r = std::move(it->second);
      open_.erase(it);
    } else {  // failed before it was created
      r.client_order_id = id;
      r.symbol = symbol;
      r.side = side;
    }
    r.status = status;
    r.ended = time;
    r.message = std::move(message);
    recorder_->on_order_closed(r);
  }
  // The orders still open at the end, in client order id order (deterministic).
  void flush_open() {
    if (recorder_ == nullptr) return;
    std::vector<OrderRecord> rest;
    for (auto& [id, r] : open_) rest.push_back(std::move(r));
    open_.clear();
    std::sort(rest.begin(), rest.end(),
              [](const OrderRecord& a, const OrderRecord& b) { return a.client_order_id.view() < b.client_order_id.view(); });
    for (OrderRecord& r : rest) {
      r.status = "open";
      recorder_->on_order_closed(r);
    }
  }

 private:
  BacktestRecorder* recorder_;
  std::unordered_map<model::ClientOrderId, OrderRecord> open_;
};

constexpr std::uint64_t kProgressEvery = 65'536;

}  // namespace

namespace {

// The checks a config must pass before anything is opened.
Result<void> check_config(const BacktestConfig& config, const std::vector<StrategyFactory>& make_strategies) {
  if (config.markets.empty()) return fail(ErrorCode::InvalidArgument, "backtest: no market");
  if (make_strategies.empty() || std::ranges::any_of(make_strategies, [](const auto& f) { return !f; }))
    return fail(ErrorCode::InvalidArgument, "backtest: no strategy factory");
  for (std::size_t i = 0; i < config.markets.size(); ++i) {
    const BacktestMarket& market = config.markets[i];
    if (auto ok = market.rules.validate(); !ok) return fail(std::move(ok.error()));
    if (market.data_files.empty()) {
      return fail(ErrorCode::InvalidArgument, "backtest: no data file for {}", market.rules.symbol);
    }
    const BacktestMarket& first = config.markets.front();
    if (market.rules.quote != first.rules.quote) {
      return fail(ErrorCode::InvalidArgument,
                  "backtest: {} is quoted in {}, {} in {}: the markets of one backtest share one quote asset",
                  market.rules.symbol, market.rules.quote, first.rules.symbol, first.rules.quote);
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (config.markets[j].rules.base == market.rules.base) {
        return fail(ErrorCode::InvalidArgument, "backtest: {} and {} both trade {}: one market per base asset",
                    config.markets[j].rules.symbol, market.rules.symbol, market.rules.base);
      }
    }
  }
  if (auto ok = Clock::check_tick_size(config.tick_size); !ok) return fail(std::move(ok.error()));
  if (config.sample_interval <= Duration::zero()) {
    return fail(ErrorCode::InvalidArgument, "backtest: the sample interval must be positive");
  }
  for (const AssetAmount& b : config.starting_balances) {
    if (b.amount.is_negative()) {
      return fail(ErrorCode::InvalidArgument, "backtest: negative starting balance of {}", b.asset);
    }
  }
  return {};
}

// Opens a market's logs (converting its recordings into `scratch`) and checks they hold its symbol
// and one market type.
Result<std::vector<data::EventLogReader>> open_market_logs(const BacktestConfig& config, const BacktestMarket& market,
                                                           ScratchDir& scratch) {
  auto inputs = prepare_inputs(config, market, scratch);
  if (!inputs) return fail(std::move(inputs.error()));
  std::vector<data::EventLogReader> readers;
  readers.reserve(inputs->size());
  for (std::size_t i = 0; i < inputs->size(); ++i) {
    auto reader = data::EventLogReader::open((*inputs)[i]);
    if (!reader) return fail(std::move(reader.error()));
    const data::EventLogInfo& info = reader->info();
    if (!info.symbol.empty() && info.symbol != market.rules.symbol) {
      return fail(ErrorCode::InvalidArgument, "{}: holds {}, but the market is {}", (*inputs)[i].string(),
                  info.symbol, market.rules.symbol);
    }
    if (!readers.empty() && info.market != readers.front().info().market) {
      return fail(ErrorCode::InvalidArgument, "{}: another market type than {}'s first data file",
                  (*inputs)[i].string(), market.rules.symbol);
    }
    readers.push_back(std::move(*reader));
  }
  return readers;
}

void take_earliest(Timestamp& t, Timestamp candidate) noexcept {
  if (!candidate.is_none() && (t.is_none() || candidate < t)) t = candidate;
}

}  // namespace

Result<BacktestResult> BacktestEngine::run(const std::vector<StrategyFactory>& make_strategies,
                                           BacktestRecorder* recorder) const {
  // --- set-up: every config error becomes one Result here.
  if (auto ok = check_config(config_, make_strategies); !ok) return fail(std::move(ok.error()));
  const auto quote = model::Asset::truncating(config_.markets.front().rules.quote);
  std::unique_ptr<sim::LatencyModel> latency =
      std::make_unique<sim::ConstantLatency>(config_.entry_latency, config_.response_latency);
  if (!config_.latency_file.empty()) {
    auto recorded = sim::RecordedLatency::load(config_.latency_file.string());
    if (!recorded) return fail(std::move(recorded.error()));
    latency = std::make_unique<sim::RecordedLatency>(std::move(*recorded));
  }

  ScratchDir scratch;
  sim::Ledger ledger;
  std::vector<std::unique_ptr<MarketReplay>> markets;
  std::uint64_t total_records = 0;
  std::uint64_t total_events = 0;
  for (const BacktestMarket& market : config_.markets) {
    const auto base = model::Asset::truncating(market.rules.base);
    auto fees = make_fees(config_, base, quote);
    if (!fees) return fail(std::move(fees.error()));
    auto queue_model = sim::make_queue_model(config_.queue_model, config_.queue_power);
    if (!queue_model) return fail(std::move(queue_model.error()));
    auto readers = open_market_logs(config_, market, scratch);
    if (!readers) return fail(std::move(readers.error()));
    try {
      markets.push_back(
          std::make_unique<MarketReplay>(market, std::move(*readers), *fees, std::move(*queue_model), ledger));
    } catch (const StartupError& e) {
      return fail(e.error());
    }
    total_records += markets.back()->total_records;
    total_events += markets.back()->total_events;
  }
  Timestamp start = Timestamp::none();
  for (const auto& m : markets) {
    take_earliest(start, m->exchange_side.due());
    take_earliest(start, m->local_side.due());
  }
  if (start.is_none())
    return fail(ErrorCode::InvalidArgument, "backtest: the data files hold no timed record");
  for (auto& m : markets) {
    m->exchange_side.set_fallback(start);
    m->local_side.set_fallback(start);
  }

  std::unique_ptr<Session> session;
  try {
    session = std::make_unique<Session>(config_, start, std::move(latency), markets, ledger);
  } catch (const StartupError& e) {
    return fail(e.error());
  }
  Session& s = *session;
  for (const auto& m : markets) {
    if (m->local_feed == nullptr) return fail(ErrorCode::InvalidArgument, "backtest: no market for {}", m->symbol);
  }

  for (const AssetAmount& b : config_.starting_balances) {
    if (auto ok = ledger.deposit(kAccount, b.asset, b.amount); !ok) return fail(std::move(ok.error()));
  }

  BacktestResult result;
  result.start_time = start;
  result.starting_balances = balances_of(ledger);
  std::vector<PortfolioMarket> holdings;
  for (const auto& m : markets) holdings.push_back(PortfolioMarket{m->base, ledger.balance(kAccount, m->base).total});
  PerformanceTracker performance(quote, ledger.balance(kAccount, quote).total, std::move(holdings),
                                 config_.sample_interval);
  OrderBookkeeping orders(recorder);
  bool replaying = true;  // after the data ends, marks would be stale: adverse-selection checks stop

  // The market an event is about (the connector only trades these).
  auto market_of = [&markets](const model::Symbol& symbol) -> std::size_t {
    for (std::size_t i = 0; i < markets.size(); ++i) {
      if (markets[i]->symbol == symbol) return i;
    }
    return 0;
  };
  auto exchange_mid = [&markets](std::size_t market) { return markets[market]->engine.book().mid_price(); };
  EventBus& bus = s.connector.events();
  const Subscription subscriptions[] = {
      bus.subscribe<model::OrderFilled>([&](const model::OrderFilled& e) {
        if (config_.keep_fills) result.fills.push_back(e);
        if (recorder != nullptr) recorder->on_fill(e);
        orders.filled(e);
        const std::size_t market = market_of(e.symbol);
        const std::optional<Price> mid = exchange_mid(market);
        performance.on_fill(market, e, mid);
        if (!mid) return;
        for (const auto horizon : {PerformanceTracker::Horizon::OneSecond, PerformanceTracker::Horizon::TenSeconds}) {
          const Duration after = horizon == PerformanceTracker::Horizon::OneSecond ? Duration(std::chrono::seconds(1))
                                                                                   : Duration(std::chrono::seconds(10));
          s.scheduler.schedule_after(after, [&, market, horizon, side = e.side, amount = e.amount, mid0 = *mid](Timestamp) {
            if (!replaying) return;
            if (const auto later = exchange_mid(market)) {
              performance.on_mid_after_fill(market, horizon, side, amount, mid0, *later);
            }
          });
        }
      }),
      bus.subscribe<model::OrderCreated>([&](const model::OrderCreated& e) {
        ++result.orders.created;
        performance.on_order_created(market_of(e.symbol), e.quantity, e.price);
        orders.created(e);
      }),
      bus.subscribe<model::OrderCompleted>([&](const model::OrderCompleted& e) {
        ++result.orders.completed;
        orders.closed(e.client_order_id, e.symbol, e.side, "filled", e.time);
      }),
      bus.subscribe<model::OrderCancelled>([&](const model::OrderCancelled& e) {
        ++result.orders.cancelled;
        orders.closed(e.client_order_id, e.symbol, e.side, "cancelled", e.time);
      }),
      bus.subscribe<model::OrderFailed>([&](const model::OrderFailed& e) {
        ++result.orders.failed;
        orders.closed(e.client_order_id, e.symbol, e.side, "failed", e.time, e.message);
      }),
      bus.subscribe<model::OrderExpired>([&](const model::OrderExpired& e) {
        ++result.orders.expired;
        orders.closed(e.client_order_id, e.symbol, e.side, "expired", e.time);
      }),
      bus.subscribe<model::OrderLost>([&](const model::OrderLost&) { ++result.orders.lost; }),
  };
  (void)subscriptions;

  std::vector<SeriesSample> samples(markets.size());
  std::vector<std::optional<Price>> mids(markets.size());
  std::vector<Quantity> bases(markets.size());
  auto take_sample = [&](Timestamp t) {
    for (std::size_t i = 0; i < markets.size(); ++i) {
      const MarketReplay& m = *markets[i];
      SeriesSample& sample = samples[i];
      sample = SeriesSample{};
      sample.time = t;
      sample.symbol = m.symbol;
      const model::OrderBook& book = m.engine.book();
      sample.mid = mids[i] = book.mid_price();
      if (const auto bid = book.best_bid()) sample.best_bid = bid->price;
      if (const auto ask = book.best_ask()) sample.best_ask = ask->price;
      sample.base = bases[i] = ledger.balance(kAccount, m.base).total;
    }
    for (const model::InFlightOrder* o : s.connector.open_orders()) {
      SeriesSample& sample = samples[market_of(o->symbol())];
      auto& best = o->side() == model::Side::Buy ? sample.bid_quote : sample.ask_quote;
      const bool better = !best || (o->side() == model::Side::Buy ? o->price() > *best : o->price() < *best);
      if (better) best = o->price();
    }
    const Quantity quote_total = ledger.balance(kAccount, quote).total;
    const EquityPoint equity = performance.on_sample(mids, bases, quote_total);
    ++result.samples;
    for (SeriesSample& sample : samples) {
      sample.quote = quote_total;
      sample.equity = equity;
      if (recorder != nullptr) recorder->on_sample(sample);
    }
  };

  std::vector<std::unique_ptr<strategy::Strategy>> strategies;
  for (const auto& factory : make_strategies) {
    try {
      strategies.push_back(factory(s.connector, s.scheduler));
    } catch (const StartupError& e) {
      return fail(e.error());
    }
    if (!strategies.back())
      return fail(ErrorCode::InvalidArgument, "backtest: the strategy factory returned no strategy");
  }

  s.connector.start_trading();
  s.clock.add_iterator(s.connector);
  for (auto& strategy : strategies) s.clock.add_iterator(*strategy);
  s.clock.start();
  const TimerId sampler = s.scheduler.schedule_every(config_.sample_interval, take_sample);

  // --- replay (the order at equal times is documented in the header)
  std::uint64_t replayed = 0;  // records delivered to the exchange side, all markets
  std::uint64_t next_progress = kProgressEvery;
  while (true) {
    Timestamp t = Timestamp::none();
    for (const auto& m : markets) {
      take_earliest(t, m->exchange_side.due());
      take_earliest(t, m->local_side.due());
    }
    if (t.is_none()) break;
    s.scheduler.advance_to(t);
    for (auto& m : markets) {
      for (Timestamp d = m->exchange_side.due(); !d.is_none() && d <= t; d = m->exchange_side.due()) {
        if (auto ok = m->exchange_side.deliver(m->exchange_feed); !ok) return fail(std::move(ok.error()));
        ++replayed;
      }
    }
    for (auto& m : markets) {
      for (Timestamp d = m->local_side.due(); !d.is_none() && d <= t; d = m->local_side.due()) {
        if (auto ok = m->local_side.deliver(*m->local_feed); !ok) return fail(std::move(ok.error()));
      }
    }
    if (replayed >= next_progress) {
      for (auto& m : markets) m->release_read_pages();
      if (recorder != nullptr) recorder->on_progress(replayed, total_records);
      next_progress += kProgressEvery;
    }
  }
  result.records = replayed;
  result.events = total_events;
  replaying = false;
  if (recorder != nullptr) recorder->on_progress(result.records, total_records);

  // --- shutdown (DESIGN.md promise 11): stop the strategies, cancel their orders, wait (bounded).
  for (auto& strategy : strategies) s.clock.remove_iterator(*strategy);
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
  s.scheduler.cancel(sampler);
  s.scheduler.run_until_idle(kMaxDrainSteps);  // answers still in flight reach the connector
  take_sample(s.scheduler.now());              // the final state, after the shutdown
  orders.flush_open();

  result.shutdown_complete = cancel_done && all_cancelled;
  result.open_orders_at_end = s.connector.open_orders().size();
  result.final_balances = balances_of(ledger);
  result.end_time = s.scheduler.now();
  result.elapsed = result.end_time - result.start_time;
  for (std::size_t i = 0; i < markets.size(); ++i) {
    mids[i] = markets[i]->engine.book().mid_price();
    bases[i] = ledger.balance(kAccount, markets[i]->base).total;
  }
  result.metrics = performance.finish(mids, bases, ledger.balance(kAccount, quote).total);
  for (std::size_t i = 0; i < markets.size(); ++i) {
    const MarketReplay& m = *markets[i];
    MarketResult market;
    market.symbol = m.symbol;
    market.records = m.exchange_side.records();
    market.events = m.total_events;
    market.data_files = m.data_files;
    market.metrics = performance.market_metrics(i, mids[i]);
    market.exchange_book = m.exchange_feed.sync().stats();
    result.markets.push_back(market);
  }
  strategies.clear();  // before the connector they refer to
  return result;
}

}  // namespace colibri::runtime
