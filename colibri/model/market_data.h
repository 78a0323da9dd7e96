#pragma once
// Market-data vocabulary shared by venues, data files, books and strategies.
//
// Views, not owners: BookDiff and BookSnapshot refer to level arrays owned by whoever produced
// them (a parser's reusable buffers, a memory-mapped log). They are valid until the producer's
// next message; a consumer that needs them longer copies them.

#include <cstdint>
#include <span>
#include <string_view>

#include "colibri/core/decimal.h"
#include "colibri/core/time.h"

namespace colibri::model {

// The side of an order or of a trade's aggressor (taker).
enum class Side : std::uint8_t { Buy, Sell };
// The side of a book.
enum class BookSide : std::uint8_t { Bid, Ask };

[[nodiscard]] constexpr std::string_view to_string(Side s) noexcept { return s == Side::Buy ? "BUY" : "SELL"; }
[[nodiscard]] constexpr std::string_view to_string(BookSide s) noexcept { return s == BookSide::Bid ? "bid" : "ask"; }

// Venue sequence number of book updates (Binance's U / u / pu / lastUpdateId).
using UpdateId = std::int64_t;
inline constexpr UpdateId kNoUpdateId = -1;

// One price level: the aggregate quantity resting at `price`. In a diff, quantity zero removes
// the level (removing an absent level is normal and harmless).
struct PriceLevel {
  Price price;
  Quantity quantity;
  friend constexpr bool operator==(const PriceLevel&, const PriceLevel&) noexcept = default;
};

// An incremental book update covering venue update ids [first_update_id, last_update_id].
struct BookDiff {
  UpdateId first_update_id = kNoUpdateId;       // Binance "U"
  UpdateId last_update_id = kNoUpdateId;        // Binance "u"
  UpdateId prev_last_update_id = kNoUpdateId;   // Binance futures "pu"; kNoUpdateId on spot
  Timestamp exchange_time = Timestamp::none();  // Binance "E"
  Timestamp local_time = Timestamp::none();     // when we received it
  std::span<const PriceLevel> bids;
  std::span<const PriceLevel> asks;
};

// A full book image as of update id `last_update_id` (Binance REST depth "lastUpdateId").
struct BookSnapshot {
  UpdateId last_update_id = kNoUpdateId;
  Timestamp exchange_time = Timestamp::none();  // none when the venue does not send one
  Timestamp local_time = Timestamp::none();
  std::span<const PriceLevel> bids;  // best first
  std::span<const PriceLevel> asks;  // best first
};

// One public trade on the venue.
struct PublicTrade {
  Price price;
  Quantity quantity;
  Side aggressor = Side::Buy;  // the taker's side (Binance: m == true means the buyer was maker -> Sell)
  std::int64_t trade_id = 0;
  Timestamp exchange_time = Timestamp::none();  // trade time ("T") when sent, else event time
  Timestamp local_time = Timestamp::none();
};

// The venue's own best bid and ask (Binance bookTicker), used to cross-check a rebuilt book.
struct BookTicker {
  UpdateId update_id = kNoUpdateId;
  PriceLevel best_bid;
  PriceLevel best_ask;
  Timestamp exchange_time = Timestamp::none();  // none on spot (no "E")
  Timestamp local_time = Timestamp::none();
};

}  // namespace colibri::model
