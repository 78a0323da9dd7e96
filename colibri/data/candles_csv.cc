#include "colibri/data/candles_csv.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <string_view>

#include "colibri/data/line_reader.h"
#include "colibri/data/tardis_csv.h"  // parse_decimal_or_exponent

namespace colibri::data {

namespace {

constexpr std::string_view kHeader = "timestamp,open,high,low,close,volume";
constexpr std::size_t kColumns = 6;
constexpr std::array<std::string_view, kColumns> kColumnNames = {"timestamp", "open",  "high",
                                                                 "low",       "close", "volume"};

// Reads `count` decimal digits at `pos`; false when any is not a digit.
bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

Result<Timestamp> parse_date_time(std::string_view text) {
  // YYYY-MM-DD?HH:MM:SS[.f{1,9}][Z]
  auto bad = [&] { return fail(ErrorCode::InvalidArgument, "invalid candle time \"{}\"", text); };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(text, 0, 4, year) || text.size() < 19 || text[4] != '-' ||
      !read_digits(text, 5, 2, month) || text[7] != '-' || !read_digits(text, 8, 2, day) ||
      (text[10] != ' ' && text[10] != 'T') || !read_digits(text, 11, 2, hour) || text[13] != ':' ||
      !read_digits(text, 14, 2, minute) || text[16] != ':' || !read_digits(text, 17, 2, second)) {
    return bad();
  }
  std::string_view rest = text.substr(19);
  std::int64_t fraction_ns = 0;
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    std::size_t digits = 0;
    std::int64_t scale = 100'000'000;
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
      if (++digits > 9) return bad();
      fraction_ns += (rest.front() - '0') * scale;
      scale /= 10;
      rest.remove_prefix(1);
    }
    if (digits == 0) return bad();
  }
  if (rest == "Z") rest.remove_prefix(1);
  if (!rest.empty()) return bad();
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return bad();
  const auto days = std::chrono::sys_days(date).time_since_epoch().count();
  const std::int64_t seconds = static_cast<std::int64_t>(days) * 86'400 + hour * 3'600 + minute * 60 + second;
  return Timestamp::from_ns(seconds * 1'000'000'000 + fraction_ns);
}

Result<Timestamp> parse_epoch_count(std::string_view text) {
  std::int64_t count = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (ec != std::errc() || end != text.data() + text.size() || count < 0) {
    return fail(ErrorCode::InvalidArgument, "invalid candle time \"{}\"", text);
  }
  if (count < 100'000'000'000) return Timestamp::from_ns(count * 1'000'000'000);  // seconds
  if (count < 100'000'000'000'000) return Timestamp::from_ns(count * 1'000'000);  // milliseconds
  if (count < 100'000'000'000'000'000) return Timestamp::from_ns(count * 1'000);  // microseconds
  return Timestamp::from_ns(count);                                               // nanoseconds
}

// Parses a decimal, rounding digits past the 8th decimal to nearest (ties to even) instead of
// refusing them: candle exporters compute volumes (and sometimes prices) in floating point and
// print artefacts such as "218102.59507500002" (line 249 of the sample).
template <typename T>
Result<T> parse_rounded(std::string_view text) {
  const std::size_t point = text.find('.');
  if (point == std::string_view::npos || text.size() - point - 1 <= 8 ||
      text.find_first_of("eE") != std::string_view::npos) {
    return parse_decimal_or_exponent<T>(text);
  }
  const std::string_view dropped = text.substr(point + 9);
  auto kept = T::parse(text.substr(0, point + 9));
  if (!kept) return kept;
  if (dropped.find_first_not_of("0123456789") != std::string_view::npos) {
    return fail(ErrorCode::InvalidArgument, "invalid decimal \"{}\"", text);
  }
  const bool tail_nonzero = dropped.find_first_not_of('0', 1) != std::string_view::npos;
  const bool last_kept_odd = (text[point + 8] - '0') % 2 == 1;
  const bool away = dropped[0] > '5' || (dropped[0] == '5' && (tail_nonzero || last_kept_odd));
  if (!away) return kept;
  const T unit = T::from_raw(kept->is_negative() || text.front() == '-' ? -1 : 1);
  return kept->checked_add(unit);
}

Error row_error(const LineReader& source, std::size_t column, std::string_view what,
                std::string_view value) {
  return Error(ErrorCode::InvalidArgument,
               fmt::format("{}:{}: column {}: {} \"{}\"", source.name(), source.line_number(),
                           kColumnNames[column], what, value));
}

}  // namespace

Result<Timestamp> parse_candle_time(std::string_view text) {
  if (text.size() >= 5 && text[4] == '-') return parse_date_time(text);
  return parse_epoch_count(text);
}

Result<std::int64_t> read_candles_csv(const std::filesystem::path& path,
                                      const std::function<void(const Candle&)>& on_candle) {
  auto source = LineReader::open(path);
  if (!source) return fail(std::move(source.error()));
  std::string_view line;
  auto got = source->next_line(line);
  if (!got) return fail(std::move(got.error()));
  if (!*got || line != kHeader) {
    return fail(ErrorCode::InvalidArgument, "{}:1: not a candle file: header \"{}\", expected \"{}\"",
                source->name(), *got ? line : std::string_view(), kHeader);
  }

  std::int64_t count = 0;
  Timestamp previous_open = Timestamp::none();
  std::array<std::string_view, kColumns> fields;
  while (true) {
    got = source->next_line(line);
    if (!got) return fail(std::move(got.error()));
    if (!*got) return count;
    if (line.empty()) continue;

    std::size_t found = 0;
    for (std::size_t start = 0;;) {
      const std::size_t comma = line.find(',', start);
      if (found < kColumns)
        fields[found] = line.substr(start, comma == std::string_view::npos ? comma : comma - start);
      ++found;
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (found != kColumns) {
      return fail(ErrorCode::InvalidArgument, "{}:{}: expected {} columns, found {}", source->name(),
                  source->line_number(), kColumns, found);
    }

    Candle candle;
    auto open_time = parse_candle_time(fields[0]);
    if (!open_time) return fail(row_error(*source, 0, "invalid time", fields[0]));
    candle.open_time = *open_time;
    Price* prices[] = {&candle.open, &candle.high, &candle.low, &candle.close};
    for (std::size_t i = 0; i < 4; ++i) {
      auto price = parse_rounded<Price>(fields[i + 1]);
      if (!price) return fail(row_error(*source, i + 1, "invalid price", fields[i + 1]));
      *prices[i] = *price;
    }
    auto volume = parse_rounded<Quantity>(fields[5]);
    if (!volume || volume->is_negative()) return fail(row_error(*source, 5, "invalid volume", fields[5]));
    candle.volume = *volume;

    if (!candle.low.is_positive()) return fail(row_error(*source, 3, "low not positive", fields[3]));
    if (candle.high < std::max(candle.open, candle.close)) {
      return fail(row_error(*source, 2, "high below max(open, close)", fields[2]));
    }
    if (candle.low > std::min(candle.open, candle.close)) {
      return fail(row_error(*source, 3, "low above min(open, close)", fields[3]));
    }
    if (!previous_open.is_none() && candle.open_time <= previous_open) {
      return fail(row_error(*source, 0, "time not after the previous bar's", fields[0]));
    }
    previous_open = candle.open_time;
    ++count;
    on_candle(candle);
  }
}

Result<std::vector<Candle>> read_candles_csv(const std::filesystem::path& path) {
  std::vector<Candle> candles;
  auto count = read_candles_csv(path, [&](const Candle& candle) { candles.push_back(candle); });
  if (!count) return fail(std::move(count.error()));
  return candles;
}

}  // namespace colibri::data
