#include "colibri/connector/rate_limiter.h"

#include <algorithm>
#include <cassert>
#include <limits>

#include "colibri/core/ascii.h"

namespace colibri::connector {

namespace {

// A header value as a non-negative count: digits, surrounding blanks allowed, at most 18 digits.
bool parse_count(std::string_view text, std::int64_t& out) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty() || text.size() > 18) return false;
  std::int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

}  // namespace

Result<RateLimiter> RateLimiter::create(const RateLimitConfig& config) {
  RateLimiter limiter;
  if (config.pools.size() > std::numeric_limits<std::uint32_t>::max() / kMaxEntriesPerPool) {
    return fail(ErrorCode::InvalidArgument, "rate limits: too many pools ({})", config.pools.size());
  }
  std::uint64_t ring_size = 0;
  limiter.pools_.reserve(config.pools.size());
  for (const RatePool& pool : config.pools) {
    if (pool.id.empty()) return fail(ErrorCode::InvalidArgument, "rate limits: a pool has no id");
    for (const PoolState& seen : limiter.pools_) {
      if (seen.id == pool.id) return fail(ErrorCode::InvalidArgument, "rate pool {}: defined twice", pool.id);
    }
    if (pool.limit <= 0) {
      return fail(ErrorCode::InvalidArgument, "rate pool {}: limit must be positive, got {}", pool.id,
                  pool.limit);
    }
    if (pool.interval.count() <= 0) {
      return fail(ErrorCode::InvalidArgument, "rate pool {}: interval must be positive, got {} ns", pool.id,
                  pool.interval.count());
    }
    PoolState state;
    state.id = pool.id;
    state.usage_header = pool.usage_header;
    state.limit = pool.limit;
    state.interval_ns = pool.interval.count();
    if (pool.limit < static_cast<std::int64_t>(kMaxEntriesPerPool)) {
      // Every entry holds weight >= 1, so limit + 1 entries (one past the limit after a raise from
      // a response header) cover the window exactly.
      state.capacity = static_cast<std::uint32_t>(pool.limit) + 1;
      state.merge_gap_ns = 0;
    } else {
      // An entry takes the requests of `gap` from its opening and expires with its latest one, so
      // the live entries opened within interval + gap of now, at least gap apart: at most
      // interval / gap + 2 <= capacity of them.
      state.capacity = kMaxEntriesPerPool;
      const std::int64_t slots = kMaxEntriesPerPool - 2;
      state.merge_gap_ns = (state.interval_ns + slots - 1) / slots;
    }
    state.first = static_cast<std::uint32_t>(ring_size);
    ring_size += state.capacity;
    limiter.pools_.push_back(std::move(state));
  }
  limiter.ring_ = ZeroedArray<Entry>(ring_size);

  limiter.kinds_.reserve(config.kinds.size());
  for (const RequestKind& kind : config.kinds) {
    if (kind.id.empty()) return fail(ErrorCode::InvalidArgument, "rate limits: a request kind has no id");
    for (const KindState& seen : limiter.kinds_) {
      if (seen.id == kind.id)
        return fail(ErrorCode::InvalidArgument, "request kind {}: defined twice", kind.id);
    }
    if (kind.weights.empty()) {
      return fail(ErrorCode::InvalidArgument, "request kind {}: consumes no pool", kind.id);
    }
    KindState state{kind.id, static_cast<std::uint32_t>(limiter.links_.size()),
                    static_cast<std::uint32_t>(kind.weights.size())};
    for (const PoolWeight& link : kind.weights) {
      auto pool = limiter.find_pool(link.pool);
      if (!pool) {
        return fail(ErrorCode::InvalidArgument, "request kind {}: unknown rate pool \"{}\"", kind.id,
                    link.pool);
      }
      const PoolState& target = limiter.pools_[pool->index];
      for (std::uint32_t i = state.first_link; i < limiter.links_.size(); ++i) {
        if (limiter.links_[i].pool == pool->index) {
          return fail(ErrorCode::InvalidArgument, "request kind {}: rate pool {} linked twice", kind.id,
                      link.pool);
        }
      }
      if (link.weight <= 0) {
        return fail(ErrorCode::InvalidArgument,
                    "request kind {}: weight in rate pool {} must be positive, got {}", kind.id, link.pool,
                    link.weight);
      }
      if (link.weight > target.limit) {
        return fail(
            ErrorCode::InvalidArgument,
            "request kind {}: weight {} in rate pool {} is above the pool's limit {} (never grantable)",
            kind.id, link.weight, link.pool, target.limit);
      }
      limiter.links_.push_back(Link{pool->index, link.weight});
    }
    limiter.kinds_.push_back(std::move(state));
  }
  return limiter;
}

Result<RequestKindId> RateLimiter::find_kind(std::string_view id) const {
  for (std::size_t i = 0; i < kinds_.size(); ++i) {
    if (kinds_[i].id == id) return RequestKindId{static_cast<std::uint32_t>(i)};
  }
  return fail(ErrorCode::NotFound, "no request kind \"{}\" in the rate limits", id);
}

Result<RatePoolId> RateLimiter::find_pool(std::string_view id) const {
  for (std::size_t i = 0; i < pools_.size(); ++i) {
    if (pools_[i].id == id) return RatePoolId{static_cast<std::uint32_t>(i)};
  }
  return fail(ErrorCode::NotFound, "no rate pool \"{}\"", id);
}

RateLimiter::Entry& RateLimiter::entry(PoolState& pool, std::uint32_t i) noexcept {
  std::uint32_t slot = pool.head + i;
  if (slot >= pool.capacity) slot -= pool.capacity;
  return ring_[pool.first + slot];
}

void RateLimiter::expire(PoolState& pool, std::int64_t now_ns) noexcept {
  // Weight recorded at t counts while now < t + interval.
  const std::int64_t horizon = now_ns - pool.interval_ns;
  while (pool.size > 0) {
    const Entry& oldest = ring_[pool.first + pool.head];
    if (oldest.time_ns > horizon) break;
    pool.expired = oldest.cumulative;
    pool.head = pool.head + 1 == pool.capacity ? 0 : pool.head + 1;
    --pool.size;
  }
}

std::int64_t RateLimiter::earliest_room(PoolState& pool, std::int64_t weight, std::int64_t now_ns) noexcept {
  const std::int64_t excess = pool.recorded - pool.expired + weight - pool.limit;
  if (excess <= 0) return now_ns;
  // The window must lose `excess` weight: wait until the first entry whose running total reaches
  // expired + excess has left it. Such an entry exists because weight <= limit (create()).
  const std::int64_t target = pool.expired + excess;
  assert(pool.size > 0);  // excess > 0 means weight in the window, hence entries
  std::uint32_t low = 0;
  std::uint32_t high = pool.size - 1;
  while (low < high) {
    const std::uint32_t mid = low + (high - low) / 2;
    if (entry(pool, mid).cumulative >= target) {
      high = mid;
    } else {
      low = mid + 1;
    }
  }
  assert(entry(pool, low).cumulative >= target);
  return entry(pool, low).time_ns + pool.interval_ns;
}

void RateLimiter::record(PoolState& pool, std::int64_t weight, std::int64_t now_ns) noexcept {
  pool.recorded += weight;
  if (pool.size > 0) {
    Entry& newest = entry(pool, pool.size - 1);
    const std::int64_t time_ns = std::max(now_ns, newest.time_ns);
    // Merging moves earlier weight to a later time: it stays counted longer, never shorter. The
    // gap counts from the entry's opening, else steady traffic would keep one entry alive forever.
    if (time_ns - pool.newest_opened_ns < pool.merge_gap_ns || time_ns == newest.time_ns ||
        pool.size == pool.capacity) {
      newest.time_ns = time_ns;
      newest.cumulative = pool.recorded;
      return;
    }
    now_ns = time_ns;
  }
  ++pool.size;
  entry(pool, pool.size - 1) = Entry{now_ns, pool.recorded};
  pool.newest_opened_ns = now_ns;
}

RateAdmission RateLimiter::acquire(RequestKindId kind, Timestamp now) noexcept {
  assert(kind.index < kinds_.size());
  const KindState& state = kinds_[kind.index];
  const std::int64_t now_ns = now.ns();
  std::int64_t retry_ns = std::max(now_ns, blocked_until_.ns());
  const Link* links = links_.data() + state.first_link;
  for (std::uint32_t i = 0; i < state.link_count; ++i) {
    PoolState& pool = pools_[links[i].pool];
    expire(pool, now_ns);
    retry_ns = std::max(retry_ns, earliest_room(pool, links[i].weight, now_ns));
  }
  if (retry_ns > now_ns) return RateAdmission{false, Timestamp::from_ns(retry_ns)};
  for (std::uint32_t i = 0; i < state.link_count; ++i) record(pools_[links[i].pool], links[i].weight, now_ns);
  return RateAdmission{true, now};
}

void RateLimiter::block_until(Timestamp until) noexcept { blocked_until_ = std::max(blocked_until_, until); }

void RateLimiter::raise_usage(RatePoolId pool_id, std::int64_t used, Timestamp now) noexcept {
  assert(pool_id.index < pools_.size());
  PoolState& pool = pools_[pool_id.index];
  expire(pool, now.ns());
  const std::int64_t counted = pool.recorded - pool.expired;
  if (used > counted) record(pool, used - counted, now.ns());
}

RateHeader RateLimiter::update_from_header(std::string_view name, std::string_view value,
                                           Timestamp now) noexcept {
  for (std::size_t i = 0; i < pools_.size(); ++i) {
    if (pools_[i].usage_header.empty() || !equals_ignoring_case(pools_[i].usage_header, name)) continue;
    std::int64_t used = 0;
    if (!parse_count(value, used)) return RateHeader::Malformed;
    raise_usage(RatePoolId{static_cast<std::uint32_t>(i)}, used, now);
    return RateHeader::Applied;
  }
  return RateHeader::NotTracked;
}

std::int64_t RateLimiter::usage(RatePoolId pool_id, Timestamp now) noexcept {
  assert(pool_id.index < pools_.size());
  PoolState& pool = pools_[pool_id.index];
  expire(pool, now.ns());
  return pool.recorded - pool.expired;
}

}  // namespace colibri::connector
