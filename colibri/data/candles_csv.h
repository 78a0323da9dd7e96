#pragma once
// Reader of OHLCV candle CSV files: header `timestamp,open,high,low,close,volume`, one bar per
// row, plain or gzip. Used for coarse backtests, indicators' warm-up and charts.
//
// `timestamp` is the bar's open time, either
//   - a UTC date-time "YYYY-MM-DD HH:MM:SS[.fraction]" ('T' instead of the space and a trailing
//     'Z' are accepted; up to 9 fraction digits), or
//   - an integer count since the epoch whose unit follows from its size: seconds below 10^11,
//     milliseconds below 10^14, microseconds below 10^17, nanoseconds otherwise.
// Prices and volume parse exactly (plain decimals or exponent notation), except that digits past
// the 8th decimal, floating-point artefacts of exporters ("218102.59507500002" in the sample),
// are rounded to the nearest 10^-8, ties to even. Volume is in whatever
// unit the file uses (base or quote); Candle does not say which.
//
// Validation, per row: low <= min(open, close), high >= max(open, close), low > 0, volume >= 0,
// and open times strictly increasing. The first violation stops reading with InvalidArgument:
// "<file>:<line>: column <name>: <what> \"<value>\"". Candle files are small and hand-made or
// exported once, so unlike the tick readers there is no skip mode: a bad bar means a bad file.
//
// Streaming: constant memory (one line) with the callback form. Not thread-safe; no state is
// kept between calls.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>
#include <vector>

#include "colibri/core/decimal.h"
#include "colibri/core/result.h"
#include "colibri/core/time.h"

namespace colibri::data {

// One OHLCV bar.
struct Candle {
  Timestamp open_time;
  Price open;
  Price high;
  Price low;
  Price close;
  Quantity volume;
  friend bool operator==(const Candle&, const Candle&) = default;
};

// Calls `on_candle` for each bar in file order and returns how many there were. Errors:
// NotFound / Io / Corrupt for the file, InvalidArgument for a bad header or row (see above).
// Candles delivered before an error stay delivered.
[[nodiscard]] Result<std::int64_t> read_candles_csv(const std::filesystem::path& path,
                                                    const std::function<void(const Candle&)>& on_candle);

// Reads the whole file into memory (45,000 one-minute bars are about 2.5 MB).
[[nodiscard]] Result<std::vector<Candle>> read_candles_csv(const std::filesystem::path& path);

// Parses a candle timestamp as described above; InvalidArgument naming the text otherwise.
[[nodiscard]] Result<Timestamp> parse_candle_time(std::string_view text);

}  // namespace colibri::data
