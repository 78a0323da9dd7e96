#pragma once
// RateLimiter: a venue's request rate limits, respected before the venue has to say so
// (DESIGN.md reliability promise 7). Hummingbot's AsyncThrottler semantics (weighted pools, request
// kinds linked to several pools) at O(log n) per request instead of a rescan of the whole log.
//
// Vocabulary
//   pool   one limit of the venue: at most `limit` weight inside any window of `interval`
//          (Binance: REQUEST_WEIGHT 6000 per minute, ORDERS 50 per 10 s and 160000 per day).
//   kind   one kind of request (an endpoint, e.g. "POST /api/v3/order"): it consumes a weight in
//          each pool it is linked to (a new order counts 1 in REQUEST_WEIGHT and 1 in both ORDERS
//          pools). A request is granted only when every linked pool has room; then it is
//          recorded in all of them, or in none.
//
// Windows are SLIDING, and conservative: weight recorded at t counts until t + interval, so in no
// window of `interval` anywhere on the time line does the recorded weight exceed `limit`. Binance
// counts in fixed windows (the minute on its clock); any sequence that respects every sliding window
// respects every fixed window, whatever the alignment and skew of the two clocks, which a fixed
// window on our side cannot promise. Price: a burst straddling a fixed boundary is refused where
// Binance would have accepted it. See docs/CONNECTOR.md.
//
// Each pool keeps a ring buffer of (time, cumulative weight) entries, preallocated at creation:
//   - an acquire expires old entries (amortized O(1)), checks the running sum (O(1) per linked pool)
//     and appends (O(1)); a refusal finds the earliest grant time by binary search (O(log n));
//   - entries recorded at the same timestamp share one entry (exact); in pools with a limit of
//     kMaxEntriesPerPool or more, an entry takes every request within interval / (kMaxEntriesPerPool
//     - 2) of its first one and expires with its last one, i.e. earlier requests are held a little
//     longer (conservative; at most 21 s in 24 h for Binance's daily ORDERS pool), which bounds memory
//     at kMaxEntriesPerPool entries (64 KiB) per pool.
// Nothing allocates after create().
//
// Time comes from the caller (`now`, from the Scheduler); nothing here reads a clock. `now` should
// not go backwards; if it does, the request is recorded at the latest time already seen
// (conservative).
//
// Not thread-safe: owned by the bot's event-loop thread, like the ExchangeBase that uses it.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "colibri/core/result.h"
#include "colibri/core/time.h"
#include "colibri/core/zeroed_array.h"

namespace colibri::connector {

// ---------------------------------------------------------------------------------------------
// Configuration (start-up; may allocate)

struct RatePool {
  std::string id;          // e.g. "REQUEST_WEIGHT"; unique, non-empty
  std::int64_t limit = 0;  // most weight inside any window of `interval` (> 0)
  Duration interval{};     // (> 0)
  // Optional: the response header in which the venue reports its own count for this pool
  // (Binance "X-MBX-USED-WEIGHT-1M"); matched case-insensitively by update_from_header().
  std::string usage_header;
};

struct PoolWeight {
  std::string pool;         // a RatePool id
  std::int64_t weight = 1;  // (> 0, <= the pool's limit)
};

struct RequestKind {
  std::string id;                   // e.g. "POST /api/v3/order"; unique, non-empty
  std::vector<PoolWeight> weights;  // one or more pools, each at most once
};

struct RateLimitConfig {
  std::vector<RatePool> pools;
  std::vector<RequestKind> kinds;
};

// Handles resolved once at start-up so that the hot path never looks up a string.
struct RequestKindId {
  std::uint32_t index = 0;
  friend bool operator==(RequestKindId, RequestKindId) = default;
};
struct RatePoolId {
  std::uint32_t index = 0;
  friend bool operator==(RatePoolId, RatePoolId) = default;
};

// The answer to acquire(): granted (and recorded), or refused with the earliest time at which the
// same request would be granted if nothing else were recorded in between (nothing recorded).
struct RateAdmission {
  bool granted = false;
  Timestamp retry_at;  // refused: the earliest grant time (> now); granted: now

  explicit operator bool() const noexcept { return granted; }
};

// What update_from_header() made of one response header.
enum class RateHeader : std::uint8_t {
  Applied,     // a pool's usage header; the pool's count is now at least the venue's figure
  NotTracked,  // not the usage header of any pool (ignore it)
  Malformed,   // a pool's usage header whose value is not a non-negative integer (count it)
};

class RateLimiter {
 public:
  // Upper bound of ring entries per pool (see the top of this file).
  static constexpr std::uint32_t kMaxEntriesPerPool = 4096;

  // Validates `config` and preallocates every pool's ring. InvalidArgument naming the pool or kind
  // for: an empty or duplicate id, a non-positive limit or interval, a kind without pools, a link to
  // an unknown pool or to the same pool twice, a non-positive weight, or a weight above the pool's
  // limit (such a request could never be granted).
  [[nodiscard]] static Result<RateLimiter> create(const RateLimitConfig& config);

  // Start-up lookups, O(number of kinds / pools). NotFound naming the id.
  [[nodiscard]] Result<RequestKindId> find_kind(std::string_view id) const;
  [[nodiscard]] Result<RatePoolId> find_pool(std::string_view id) const;

  // Grants and records one request of `kind` at `now`, or refuses it, recording nothing, with the
  // earliest time it would be granted: the latest of block_until() and each linked pool's
  // earliest room. O(p) when granted and O(p log n) when refused, p = pools linked to the kind,
  // n = entries in a pool's window (amortized: expiring old entries is paid once per entry).
  // `kind` must come from find_kind() on this limiter. Never allocates.
  [[nodiscard]] RateAdmission acquire(RequestKindId kind, Timestamp now) noexcept;

  // After a rate-limit answer (HTTP 429/418 with Retry-After, Binance -1003): nothing is granted
  // before `until`, for any kind. Later calls can only extend the block.
  void block_until(Timestamp until) noexcept;
  [[nodiscard]] Timestamp blocked_until() const noexcept { return blocked_until_; }

  // The venue reports that `used` weight is in `pool`'s window (e.g. X-MBX-USED-WEIGHT-1M: it also
  // counts other programs on the same IP): the pool's count is raised to `used` if lower, never
  // lowered. The difference is recorded at `now`, so it lasts a full interval (conservative).
  void raise_usage(RatePoolId pool, std::int64_t used, Timestamp now) noexcept;
  // The same from one response header, name matched case-insensitively against the pools'
  // usage_header. O(number of pools); call it for the few "X-MBX-" headers of a response.
  RateHeader update_from_header(std::string_view name, std::string_view value, Timestamp now) noexcept;

  // Weight currently counted in `pool`'s window at `now` (expires old entries first).
  [[nodiscard]] std::int64_t usage(RatePoolId pool, Timestamp now) noexcept;
  [[nodiscard]] std::int64_t limit(RatePoolId pool) const noexcept { return pools_[pool.index].limit; }
  [[nodiscard]] std::size_t pool_count() const noexcept { return pools_.size(); }
  [[nodiscard]] std::size_t kind_count() const noexcept { return kinds_.size(); }

 private:
  // One entry of a pool's ring: weight recorded at `time_ns`, as a running total so that the weight
  // between two entries is a subtraction and the earliest-room search is a binary search.
  struct Entry {
    std::int64_t time_ns;
    std::int64_t cumulative;  // total weight ever recorded in the pool, up to and including this entry
  };

  // Invariants: (1) the live entries are ring_[first + (head + i) % capacity] for i in [0, size);
  // (2) their time_ns and cumulative strictly increase with i (time_ns non-decreasing when `now`
  // went backwards); (3) recorded == cumulative of the newest entry, or == expired when size == 0;
  // (4) recorded - expired is the weight counted in the window, and every live entry has
  // time_ns > (latest now seen) - interval_ns; (5) size <= capacity.
  struct PoolState {
    std::string id;
    std::string usage_header;
    std::int64_t limit = 0;
    std::int64_t interval_ns = 0;
    std::int64_t merge_gap_ns = 0;  // requests within this of an entry's opening share it (0: equal times)
    std::int64_t newest_opened_ns = 0;  // time of the first request merged into the newest entry
    std::uint32_t first = 0;            // offset of this pool's ring in ring_
    std::uint32_t capacity = 0;
    std::uint32_t head = 0;  // index of the oldest live entry, relative to first
    std::uint32_t size = 0;
    std::int64_t recorded = 0;  // total weight ever recorded
    std::int64_t expired = 0;   // total weight that has left the window
  };

  struct KindState {
    std::string id;
    std::uint32_t first_link = 0;  // offset in links_
    std::uint32_t link_count = 0;
  };

  struct Link {
    std::uint32_t pool;
    std::int64_t weight;
  };

  RateLimiter() = default;

  Entry& entry(PoolState& pool, std::uint32_t i) noexcept;
  void expire(PoolState& pool, std::int64_t now_ns) noexcept;
  // Earliest time >= now_ns at which `weight` fits in `pool` (after expire(now_ns)).
  std::int64_t earliest_room(PoolState& pool, std::int64_t weight, std::int64_t now_ns) noexcept;
  void record(PoolState& pool, std::int64_t weight, std::int64_t now_ns) noexcept;

  std::vector<PoolState> pools_;
  std::vector<KindState> kinds_;
  std::vector<Link> links_;
  ZeroedArray<Entry> ring_;  // every pool's ring, back to back; untouched entries cost no memory
  Timestamp blocked_until_ = Timestamp::from_ns(INT64_MIN + 1);
};

}  // namespace colibri::connector
