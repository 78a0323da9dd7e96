#pragma once
// ClientOrderIdGenerator: client order ids that name one order forever (DESIGN.md reliability
// promise 2), across restarts, in the character set and length every venue accepts (Binance
// newClientOrderId: at most 36 of [A-Za-z0-9._:/-]; we use only [A-Za-z0-9_-]).
//
// Format: <prefix><side><start><counter>
//   prefix   0..10 chars of [A-Za-z0-9_-] chosen per bot (e.g. a broker id such as Hummingbot's
//            "x-XEKWYICX" for Binance, or a short bot name): two bots on one account differ here;
//   side     'B' or 'S' (Hummingbot puts the side first as well: "B"/"S" + pair + nonce);
//   start    the generator's start time in ns since the epoch, base 36, exactly 12 digits (years
//            1970-2119): every
//            run of a bot has its own start, so a restart never repeats an id of an earlier run
//            (two runs collide only if they start in the same nanosecond);
//   counter  base 36, no padding, from 0: unique within the run.
// Length <= 10 + 1 + 12 + 13 = 36. Lower-case letters are used for base 36, so ids also survive
// case-insensitive storage only as far as the prefix does (keep the prefix lower case to be safe).
//
// Not thread-safe: one generator per bot, used on its event-loop thread. next() does not allocate.

#include <cstdint>
#include <string_view>

#include "colibri/core/result.h"
#include "colibri/core/time.h"
#include "colibri/model/market_data.h"
#include "colibri/model/order.h"

namespace colibri::connector {

class ClientOrderIdGenerator {
 public:
  static constexpr std::size_t kMaxPrefix = 10;
  static constexpr std::size_t kStartDigits = 12;

  // `start` is the Scheduler's now() at start-up (wall time live). InvalidArgument when the prefix
  // is longer than kMaxPrefix or has a character outside [A-Za-z0-9_-], or `start` is none or outside
  // [1970, 2119) (36^12 ns: the start must fit 12 base-36 digits).
  static Result<ClientOrderIdGenerator> create(std::string_view prefix, Timestamp start);

  // A new id, never returned before by this generator nor by one started at another time.
  [[nodiscard]] model::ClientOrderId next(model::Side side) noexcept;

  [[nodiscard]] std::uint64_t issued() const noexcept { return counter_; }

 private:
  ClientOrderIdGenerator() = default;
  model::ClientOrderId stem_;  // prefix; the side goes after it
  char start_[kStartDigits] = {};
  std::uint64_t counter_ = 0;
};

// True when `id` is 1..36 chars of [A-Za-z0-9_-]: safe to send to every supported venue.
[[nodiscard]] bool is_valid_client_order_id(std::string_view id) noexcept;

}  // namespace colibri::connector
