#pragma once
// Readers of Tardis.dev "normalized" CSV files (https://docs.tardis.dev/downloadable-csv-files):
//   incremental_book_L2  exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount
//   trades               exchange,symbol,timestamp,local_timestamp,id,side,price,amount
// Timestamps are µs since the epoch: `timestamp` is the exchange time, `local_timestamp` the time
// Tardis received the message. Files may be plain `.csv` or gzip `.csv.gz` (detected from content).
//
// Streaming: rows are read one line at a time; memory is bounded by the longest line and, for the
// book, by the largest message (one snapshot), never by the file.
//
// Book messages. Consecutive rows with the same local_timestamp and the same is_snapshot form one
// message: a run of is_snapshot=true rows is a model::BookSnapshot (levels sorted best first,
// zero amounts dropped) and, as Tardis documents, replaces the whole book; other runs are one
// model::BookDiff (levels in file order; amount 0 removes the level). A message's exchange time is
// the `timestamp` of its first row.
//
// Update ids. Tardis carries no venue sequence numbers: every snapshot and diff has
// first/last/prev update id == model::kNoUpdateId. A BookSync consumer must use a sequence policy
// that treats kNoUpdateId as "continuity unknown, assumed": apply each diff to the book built from
// the latest snapshot, in file order, and never report a gap (Tardis recorded the venue's own
// sequence checks; a gap cannot be detected from this file).
//
// Trades. `side` is the aggressor (taker) side: "buy" / "sell". model::PublicTrade has no unknown
// side, so rows with side "unknown" are not delivered; they are counted in
// CsvReadReport::unknown_aggressor_trades. A numeric `id` becomes trade_id; a non-numeric one
// (BitMEX uses UUIDs) is replaced by the row's data-row number (1-based), which is increasing.
//
// Numbers parse exactly (no double): "6421.5", "18640", and exponent notation such as "1e-05" or
// "2.5E+3", which some Tardis exports contain.
//
// Errors. A bad row produces an error "<file>:<line>: column <name>: <what> \"<value>\"". With
// BadRowPolicy::Skip (the default) the row is counted in bad_rows, the first error is kept, and
// reading goes on (a bad book row drops only that row from its message); with BadRowPolicy::Fail
// the error is returned and the reader stops. I/O failures (cannot open, corrupt gzip) and a
// missing or unexpected header are always errors.
//
// Not thread-safe: one reader belongs to one thread. Readers own their file handle (closed on
// destruction) and are movable, not copyable.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "colibri/core/decimal.h"
#include "colibri/core/result.h"
#include "colibri/data/market_event_sink.h"


namespace colibri::data {

enum class BadRowPolicy : std::uint8_t {
  Skip,  // count the row, keep the first error, go on
  Fail,  // return the row's error and stop
};

// What a reader has seen so far.
struct CsvReadReport {
  std::int64_t rows = 0;                      // data rows read (header excluded), good and bad
  std::int64_t bad_rows = 0;                  // rows skipped because they did not parse
  std::int64_t messages = 0;                  // events delivered to the sink
  std::int64_t snapshots = 0;                 // of which book snapshots
  std::int64_t diffs = 0;                     // of which book diffs
  std::int64_t trades = 0;                    // of which trades
  std::int64_t unknown_aggressor_trades = 0;  // trade rows with side "unknown" (not delivered)
  std::optional<Error> first_error;           // the first bad row's error, when bad_rows > 0
};


// Streams an incremental_book_L2 file, one message per next() call.
class TardisBookReader {
 public:
  // Opens `path` and checks its header. Errors: NotFound / Io when the file cannot be read,
  // InvalidArgument when the header is not incremental_book_L2's.
  static Result<TardisBookReader> open(const std::filesystem::path& path,
                                       BadRowPolicy policy = BadRowPolicy::Skip);
  TardisBookReader(TardisBookReader&&) noexcept;
  TardisBookReader& operator=(TardisBookReader&&) noexcept;
  ~TardisBookReader();

  // Delivers the next message (one snapshot or one diff) to `sink`. Returns true when a message
  // was delivered, false at the end of the file. Errors: the bad row (BadRowPolicy::Fail), Io or
  // Corrupt on a read failure. After an error or false, further calls return false.
  [[nodiscard]] Result<bool> next(MarketEventSink& sink);
  // Delivers every remaining message; returns the report, or the first error that stops reading.
  [[nodiscard]] Result<CsvReadReport> read_all(MarketEventSink& sink);

  [[nodiscard]] const CsvReadReport& report() const noexcept;

 private:
  struct State;
  explicit TardisBookReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Streams a trades file, one model::PublicTrade per next() call.
class TardisTradeReader {
 public:
  // Same errors as TardisBookReader::open, for the trades header.
  static Result<TardisTradeReader> open(const std::filesystem::path& path,
                                        BadRowPolicy policy = BadRowPolicy::Skip);
  TardisTradeReader(TardisTradeReader&&) noexcept;
  TardisTradeReader& operator=(TardisTradeReader&&) noexcept;
  ~TardisTradeReader();

  // As TardisBookReader::next, one trade per call.
  [[nodiscard]] Result<bool> next(MarketEventSink& sink);
  [[nodiscard]] Result<CsvReadReport> read_all(MarketEventSink& sink);

  [[nodiscard]] const CsvReadReport& report() const noexcept;

 private:
  struct State;
  explicit TardisTradeReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Convenience: open + read_all.
[[nodiscard]] Result<CsvReadReport> read_tardis_book(const std::filesystem::path& path, MarketEventSink& sink,
                                                     BadRowPolicy policy = BadRowPolicy::Skip);
[[nodiscard]] Result<CsvReadReport> read_tardis_trades(const std::filesystem::path& path,
                                                       MarketEventSink& sink,
                                                       BadRowPolicy policy = BadRowPolicy::Skip);

// Exact parse of a decimal that may use exponent notation ("1e-05", "-2.5E+3", "0.1"); plain
// decimals go straight to T::parse. Errors as T::parse (InvalidArgument / OutOfRange).
template <typename T>
[[nodiscard]] Result<T> parse_decimal_or_exponent(std::string_view text);

namespace detail {
// The plain-decimal spelling of `text` when it uses exponent notation, e.g. "1.5e-05" ->
// "0.000015"; nullopt when `text` is not of the form mantissa[eE][+-]digits (T::parse then reports
// the error). Exponents beyond ±40 are refused (nullopt): no Price or Quantity needs them.
std::optional<std::string> expand_exponent(std::string_view text);
}  // namespace detail

template <typename T>
Result<T> parse_decimal_or_exponent(std::string_view text) {
  if (text.find_first_of("eE") != std::string_view::npos) {
    if (auto plain = detail::expand_exponent(text)) return T::parse(*plain);
  }
  return T::parse(text);
}

}  // namespace colibri::data
