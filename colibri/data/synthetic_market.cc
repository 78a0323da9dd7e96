#include "colibri/data/synthetic_market.h"

#include "colibri/data/event_log.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <vector>

namespace colibri::data {

namespace {

constexpr double kNanosPerSecond = 1e9;
constexpr std::int64_t kNanosPerMilli = 1'000'000;
constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
constexpr double kTwoPi = 6.283185307179586;

// xoshiro256** (Blackman & Vigna) seeded through splitmix64: small, fast, and the same sequence
// on every platform, unlike <random>'s distributions whose algorithms are unspecified.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (auto& word : state_) {
      seed += 0x9e3779b97f4a7c15ULL;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31);
    }
  }
  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }
  // Uniform in [0, 1).
  double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool coin() noexcept { return (next() >> 63) != 0; }
  double exponential(double mean) noexcept { return -std::log1p(-uniform()) * mean; }
  double normal() noexcept {
    const double radius = std::sqrt(-2.0 * std::log1p(-uniform()));
    return radius * std::cos(kTwoPi * uniform());
  }
  double lognormal(double median, double sigma) noexcept { return median * std::exp(sigma * normal()); }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4] = {};
};

// One price level of the simulated book. `generation` changes each time the level is created,
// so that the expiry of an order placed on an earlier incarnation of the level does nothing.
struct Level {
  std::int64_t lots = 0;
  std::uint64_t generation = 0;
};

// A resting limit order, known only by where it rests and when it will be cancelled.
struct RestingOrder {
  std::int64_t expiry_ns = 0;
  std::int64_t tick = 0;
  std::int64_t lots = 0;
  std::uint64_t generation = 0;
  bool is_bid = false;
};
struct ExpiresLater {
  bool operator()(const RestingOrder& a, const RestingOrder& b) const noexcept {
    return a.expiry_ns > b.expiry_ns;
  }
};

// The simulation of one run. Prices are integer tick indices, quantities integer lots; the fair
// price is a double in ticks. Times are ns relative to start_time (negative during warm-up).
//
// Invariants: (1) every bid tick <= bid_touch() and every ask tick >= ask_touch(), and
// bid_touch() < ask_touch(), so the book is never crossed or locked; (2) no level holds zero
// lots; (3) `changed_` lists (with repeats) every level mutated since the last diff, and
// `updates_` counts those mutations.
class SyntheticMarket {
 public:
  SyntheticMarket(const SyntheticMarketConfig& config, MarketEventSink& sink)
      : config_(config),
        sink_(sink),
        rng_(config.seed),
        latency_rng_(config.seed ^
                     0x6c617465'6e637921ULL),  // its own stream: optional events do not shift the model
        fair_(static_cast<double>(config.initial_price.raw() / config.tick_size.raw())),
        lot_(config.lot_size.to_double()) {}

  SyntheticMarketStats run() {
    const std::int64_t interval = config_.depth_interval.count();
    const std::int64_t end = config_.seconds * 1'000'000'000;
    const double total_rate = config_.fair_jump_rate + config_.limit_order_rate + config_.market_order_rate;
    now_ = -config_.warmup.count();
    std::int64_t next_arrival = total_rate > 0 ? now_ + delay(1.0 / total_rate) : kNever;
    std::int64_t next_boundary = 0;  // the snapshot, then one diff per interval
    last_update_id_ = config_.snapshot_update_id;
    next_trade_id_ = config_.first_trade_id;

    while (true) {
      const std::int64_t next_expiry = orders_.empty() ? kNever : orders_.front().expiry_ns;
      const std::int64_t next_event =
          std::min({next_arrival, next_expiry, requote_at_[kBid], requote_at_[kAsk]});
      if (next_boundary <= next_event) {  // events at the boundary itself belong to its interval
        if (next_boundary > end) break;
        now_ = next_boundary;
        if (now_ == 0) {
          emit_snapshot();
        } else {
          emit_diff();
        }
        next_boundary += interval;
        continue;
      }
      now_ = next_event;
      if (next_event == next_arrival) {
        const double pick = rng_.uniform() * total_rate;
        if (pick < config_.fair_jump_rate) {
          jump_fair_price();
        } else if (pick < config_.fair_jump_rate + config_.limit_order_rate) {
          place_limit_order(rng_.coin(), rng_.exponential(bps_to_ticks(config_.placement_mean_bps)),
                            rng_.lognormal(config_.limit_size_median, config_.limit_size_sigma));
        } else {
          execute_market_order(rng_.coin());
        }
        next_arrival = now_ + delay(1.0 / total_rate);
      } else if (next_event == next_expiry) {
        std::pop_heap(orders_.begin(), orders_.end(), ExpiresLater{});
        const RestingOrder order = orders_.back();
        orders_.pop_back();
        expire(order);
      } else {
        const bool is_bid = next_event == requote_at_[kBid];
        requote_at_[is_bid ? kBid : kAsk] = kNever;
        place_limit_order(is_bid, 0.0, rng_.lognormal(config_.touch_size_median, config_.touch_size_sigma));
      }
    }
    stats_.last_update_id = last_update_id_;
    return stats_;
  }

 private:
  static constexpr int kBid = 0;
  static constexpr int kAsk = 1;

  // Best levels first: bids by descending tick, asks by ascending tick.
  using Bids = std::map<std::int64_t, Level, std::greater<>>;
  using Asks = std::map<std::int64_t, Level, std::less<>>;

  std::int64_t bid_touch() const { return static_cast<std::int64_t>(std::ceil(fair_)) - 1; }
  std::int64_t ask_touch() const { return static_cast<std::int64_t>(std::floor(fair_)) + 1; }
  double bps_to_ticks(double bps) const { return bps * 1e-4 * fair_; }
  std::int64_t delay(double mean_seconds) {
    return static_cast<std::int64_t>(rng_.exponential(mean_seconds) * kNanosPerSecond);
  }
  std::int64_t to_lots(double size) const { return std::max<std::int64_t>(1, std::llround(size / lot_)); }

  void note_change(bool is_bid, std::int64_t tick) {
    changed_.push_back({is_bid, tick});
    ++updates_;
  }

  // Makers re-quote the touch, after a reaction delay, whenever the best level left it.
  void check_touch(bool is_bid) {
    const int side = is_bid ? kBid : kAsk;
    if (requote_at_[side] != kNever) return;
    const bool at_touch = is_bid ? (!bids_.empty() && bids_.begin()->first == bid_touch())
                                 : (!asks_.empty() && asks_.begin()->first == ask_touch());
    if (!at_touch) requote_at_[side] = now_ + delay(config_.requote_delay_ms * 1e-3);
  }

  void jump_fair_price() {
    const double size = rng_.exponential(bps_to_ticks(config_.fair_jump_mean_bps));
    fair_ = std::max(fair_ + (rng_.coin() ? size : -size), 100.0);
    // Quotes now on the wrong side of the fair price are pulled (cancelled) at once.
    while (!bids_.empty() && bids_.begin()->first > bid_touch()) {
      note_change(true, bids_.begin()->first);
      bids_.erase(bids_.begin());
    }
    while (!asks_.empty() && asks_.begin()->first < ask_touch()) {
      note_change(false, asks_.begin()->first);
      asks_.erase(asks_.begin());
    }
    // The makers whose quotes move the price quote the new touch at once.
    requote_now(true);
    requote_now(false);
  }

  void requote_now(bool is_bid) {
    const bool at_touch = is_bid ? (!bids_.empty() && bids_.begin()->first == bid_touch())
                                 : (!asks_.empty() && asks_.begin()->first == ask_touch());
    if (at_touch) return;
    requote_at_[is_bid ? kBid : kAsk] = kNever;
    place_limit_order(is_bid, 0.0, rng_.lognormal(config_.touch_size_median, config_.touch_size_sigma));
  }

  template <typename Book>
  void add_to(Book& book, bool is_bid, std::int64_t tick, std::int64_t lots) {
    auto [it, created] = book.try_emplace(tick);
    if (created) it->second.generation = ++generation_;
    it->second.lots += lots;
    note_change(is_bid, tick);
    orders_.push_back(
        {now_ + delay(config_.order_lifetime_seconds), tick, lots, it->second.generation, is_bid});
    std::push_heap(orders_.begin(), orders_.end(), ExpiresLater{});
    stats_.peak_resting_orders = std::max(stats_.peak_resting_orders, orders_.size());
    stats_.peak_book_levels = std::max(stats_.peak_book_levels, bids_.size() + asks_.size());
  }

  void place_limit_order(bool is_bid, double distance_ticks, double size) {
    const double max_ticks = bps_to_ticks(config_.max_distance_bps);
    const auto distance = static_cast<std::int64_t>(std::min(distance_ticks, max_ticks));
    const std::int64_t lots = to_lots(size);
    if (is_bid) {
      const std::int64_t tick = bid_touch() - distance;
      if (tick > 0) add_to(bids_, true, tick, lots);
    } else {
      add_to(asks_, false, ask_touch() + distance, lots);
    }
  }

  template <typename Book>
  void expire_from(Book& book, const RestingOrder& order) {
    auto it = book.find(order.tick);
    if (it == book.end() || it->second.generation != order.generation) return;  // pulled or emptied since
    const bool was_best = it == book.begin();
    it->second.lots -= std::min(order.lots, it->second.lots);
    note_change(order.is_bid, order.tick);
    if (it->second.lots == 0) book.erase(it);
    if (was_best) check_touch(order.is_bid);
  }

  void expire(const RestingOrder& order) {
    if (order.is_bid) {
      expire_from(bids_, order);
    } else {
      expire_from(asks_, order);
    }
  }

  // A market order walks the opposite side from its best level; one trade per level touched.
  template <typename Book>
  void sweep(Book& book, bool buyer_is_taker, std::int64_t lots) {
    while (lots > 0 && !book.empty()) {
      auto it = book.begin();
      const std::int64_t filled = std::min(lots, it->second.lots);
      lots -= filled;
      it->second.lots -= filled;
      emit_trade(it->first, filled, buyer_is_taker);
      note_change(!buyer_is_taker, it->first);
      if (it->second.lots == 0) book.erase(it);
    }
    check_touch(!buyer_is_taker);
  }

  void execute_market_order(bool is_buy) {
    const double size = std::min(rng_.lognormal(config_.market_size_median, config_.market_size_sigma),
                                 config_.max_market_size);
    if (is_buy) {
      sweep(asks_, true, to_lots(size));
    } else {
      sweep(bids_, false, to_lots(size));
    }
  }

  // --- emission

  Timestamp exchange_time() const {
    const std::int64_t ms_floor = now_ >= 0 ? now_ / kNanosPerMilli * kNanosPerMilli : now_;
    return config_.start_time + Duration(ms_floor);
  }
  Timestamp local_time(Timestamp exchange) {
    Timestamp local = exchange + config_.min_feed_latency +
                      Duration(static_cast<std::int64_t>(
                          latency_rng_.exponential(static_cast<double>(config_.mean_feed_jitter.count()))));
    if (local < last_local_) local = last_local_;
    last_local_ = local;
    return local;
  }
  Price price_of(std::int64_t tick) const { return Price::from_raw(tick * config_.tick_size.raw()); }
  Quantity quantity_of(std::int64_t lots) const { return Quantity::from_raw(lots * config_.lot_size.raw()); }

  void emit_trade(std::int64_t tick, std::int64_t lots, bool buyer_is_taker) {
    if (!recording_) return;
    model::PublicTrade trade;
    trade.price = price_of(tick);
    trade.quantity = quantity_of(lots);
    trade.aggressor = buyer_is_taker ? model::Side::Buy : model::Side::Sell;
    trade.trade_id = next_trade_id_++;
    trade.exchange_time = exchange_time();
    trade.local_time = local_time(trade.exchange_time);
    ++stats_.trades;
    sink_.on_trade(trade);
  }

  void emit_snapshot() {
    bid_levels_.clear();
    ask_levels_.clear();
    for (const auto& [tick, level] : bids_) bid_levels_.push_back({price_of(tick), quantity_of(level.lots)});
    for (const auto& [tick, level] : asks_) ask_levels_.push_back({price_of(tick), quantity_of(level.lots)});
    model::BookSnapshot snapshot;
    snapshot.last_update_id = last_update_id_;
    snapshot.exchange_time = exchange_time();
    snapshot.local_time = local_time(snapshot.exchange_time);
    snapshot.bids = bid_levels_;
    snapshot.asks = ask_levels_;
    changed_.clear();
    updates_ = 0;
    recording_ = true;
    ++stats_.snapshots;
    sink_.on_snapshot(snapshot);
  }

  void emit_diff() {
    if (updates_ == 0) return;
    stats_.peak_diff_levels = std::max(stats_.peak_diff_levels, changed_.size());
    // Bids (true) first, best first; then asks, best first.
    std::sort(changed_.begin(), changed_.end(), [](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first;
      return a.first ? a.second > b.second : a.second < b.second;
    });
    changed_.erase(std::unique(changed_.begin(), changed_.end()), changed_.end());
    bid_levels_.clear();
    ask_levels_.clear();
    for (const auto& [is_bid, tick] : changed_) {
      std::int64_t lots = 0;
      if (is_bid) {
        if (auto it = bids_.find(tick); it != bids_.end()) lots = it->second.lots;
        bid_levels_.push_back({price_of(tick), quantity_of(lots)});
      } else {
        if (auto it = asks_.find(tick); it != asks_.end()) lots = it->second.lots;
        ask_levels_.push_back({price_of(tick), quantity_of(lots)});
      }
    }
    model::BookDiff diff;
    diff.first_update_id = last_update_id_ + 1;
    diff.last_update_id = last_update_id_ + updates_;
    diff.exchange_time = exchange_time();
    diff.local_time = local_time(diff.exchange_time);
    diff.bids = bid_levels_;
    diff.asks = ask_levels_;
    last_update_id_ = diff.last_update_id;
    stats_.level_updates += updates_;
    changed_.clear();
    updates_ = 0;
    ++stats_.diffs;
    sink_.on_diff(diff);

    if (config_.emit_book_ticker && !bids_.empty() && !asks_.empty()) {
      model::BookTicker ticker;
      ticker.update_id = last_update_id_;
      ticker.best_bid = {price_of(bids_.begin()->first), quantity_of(bids_.begin()->second.lots)};
      ticker.best_ask = {price_of(asks_.begin()->first), quantity_of(asks_.begin()->second.lots)};
      ticker.exchange_time = diff.exchange_time;
      ticker.local_time = diff.local_time;  // sent with the diff; draws no latency, shifts nothing
      ++stats_.tickers;
      sink_.on_ticker(ticker);
    }
  }

  const SyntheticMarketConfig& config_;
  MarketEventSink& sink_;
  Rng rng_;
  Rng latency_rng_;
  double fair_;
  double lot_;
  std::int64_t now_ = 0;
  Bids bids_;
  Asks asks_;
  std::uint64_t generation_ = 0;
  std::vector<RestingOrder> orders_;  // a min-heap on expiry_ns
  std::int64_t requote_at_[2] = {kNever, kNever};
  std::vector<std::pair<bool, std::int64_t>> changed_;
  std::int64_t updates_ = 0;
  bool recording_ = false;
  model::UpdateId last_update_id_ = model::kNoUpdateId;
  std::int64_t next_trade_id_ = 0;
  Timestamp last_local_ = Timestamp::none();
  std::vector<model::PriceLevel> bid_levels_;  // reused buffers of the emitted views
  std::vector<model::PriceLevel> ask_levels_;
  SyntheticMarketStats stats_;
};

}  // namespace

Result<void> validate(const SyntheticMarketConfig& c) {
  auto bad = [](const char* field, const std::string& value) {
    return fail(ErrorCode::InvalidArgument, "synthetic market: {} must be {}", field, value);
  };
  if (!c.tick_size.is_positive()) return bad("tick_size", "positive");
  if (!c.lot_size.is_positive()) return bad("lot_size", "positive");
  if (!c.initial_price.is_positive() || !c.initial_price.is_multiple_of(c.tick_size)) {
    return bad("initial_price", "positive and a multiple of tick_size");
  }
  if (c.seconds <= 0) return bad("seconds", "positive");
  if (c.depth_interval.count() <= 0) return bad("depth_interval", "positive");
  if (c.warmup.count() < 0 || c.min_feed_latency.count() < 0 || c.mean_feed_jitter.count() < 0) {
    return bad("warmup and latencies", "non-negative");
  }
  const double rates[] = {c.fair_jump_rate,     c.fair_jump_mean_bps,     c.limit_order_rate,
                          c.placement_mean_bps, c.max_distance_bps,       c.limit_size_median,
                          c.limit_size_sigma,   c.order_lifetime_seconds, c.requote_delay_ms,
                          c.touch_size_median,  c.touch_size_sigma,       c.market_order_rate,
                          c.market_size_median, c.market_size_sigma,      c.max_market_size};
  for (double r : rates) {
    if (!std::isfinite(r) || r < 0) return bad("model parameters", "finite and non-negative");
  }
  return {};
}

Result<SyntheticMarketStats> generate(const SyntheticMarketConfig& config, MarketEventSink& sink) {
  if (auto valid = validate(config); !valid) return fail(std::move(valid.error()));
  return SyntheticMarket(config, sink).run();
}

Result<SyntheticMarketStats> write_synthetic_log(const SyntheticMarketConfig& config, const std::filesystem::path& path,
                                                 std::uint64_t* events) {
  if (auto ok = validate(config); !ok) return tl::unexpected<Error>(std::move(ok.error()));
  EventLogInfo info;
  info.symbol = config.symbol;
  info.market = EventLogInfo::Market::BinanceSpot;  // Binance spot update ids
  info.tick_size = config.tick_size;
  info.lot_size = config.lot_size;
  const std::filesystem::path partial = std::filesystem::path(path.string() + ".partial");
  auto writer = EventLogWriter::create(partial, info);
  if (!writer) return tl::unexpected<Error>(std::move(writer.error()));
  auto stats = generate(config, **writer);
  Result<void> finished = stats ? (*writer)->finish() : Result<void>{};
  if (events != nullptr) *events = (*writer)->events();
  writer->reset();
  std::error_code ec;
  if (!stats || !finished) {
    std::filesystem::remove(partial, ec);
    return tl::unexpected<Error>(stats ? std::move(finished.error()) : std::move(stats.error()));
  }
  std::filesystem::rename(partial, path, ec);
  if (ec) return fail(ErrorCode::Io, "{}: cannot rename: {}", path.string(), ec.message());
  return stats;
}

}  // namespace colibri::data
