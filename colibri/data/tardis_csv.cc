#include "colibri/data/tardis_csv.h"

#include "colibri/data/line_reader.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <system_error>
#include <utility>
#include <vector>


namespace colibri::data {

namespace detail {

std::optional<std::string> expand_exponent(std::string_view text) {
  const std::size_t e = text.find_first_of("eE");
  if (e == std::string_view::npos) return std::nullopt;
  std::string_view mantissa = text.substr(0, e);
  std::string_view exponent_text = text.substr(e + 1);
  if (!exponent_text.empty() && exponent_text.front() == '+') exponent_text.remove_prefix(1);
  int exponent = 0;
  const auto [end, ec] =
      std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);
  if (ec != std::errc() || end != exponent_text.data() + exponent_text.size() || exponent_text.empty()) {
    return std::nullopt;
  }
  if (exponent > 40 || exponent < -40) return std::nullopt;

  std::string sign;
  if (!mantissa.empty() && mantissa.front() == '-') {
    sign = "-";
    mantissa.remove_prefix(1);
  }
  // Split the mantissa into its digits and the position of the decimal point.
  std::string digits;
  std::size_t point = mantissa.size();
  for (std::size_t i = 0; i < mantissa.size(); ++i) {
    const char c = mantissa[i];
    if (c == '.' && point == mantissa.size()) {
      point = i;
    } else if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else {
      return std::nullopt;
    }
  }
  if (digits.empty()) return std::nullopt;
  // The decimal point moves `exponent` places: it sits after `int_digits` digits.
  const long int_digits = static_cast<long>(point) + exponent;
  std::string out = sign;
  if (int_digits <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-int_digits), '0');
    out += digits;
  } else if (static_cast<std::size_t>(int_digits) >= digits.size()) {
    out += digits;
    out.append(static_cast<std::size_t>(int_digits) - digits.size(), '0');
  } else {
    out += digits.substr(0, static_cast<std::size_t>(int_digits));
    out += '.';
    out += digits.substr(static_cast<std::size_t>(int_digits));
  }
  return out;
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Row parsing shared by both readers

namespace {

constexpr std::string_view kBookHeader =
    "exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount";
constexpr std::string_view kTradesHeader = "exchange,symbol,timestamp,local_timestamp,id,side,price,amount";
constexpr std::size_t kColumns = 8;
constexpr std::array<std::string_view, kColumns> kBookColumns = {
    "exchange", "symbol", "timestamp", "local_timestamp", "is_snapshot", "side", "price", "amount"};
constexpr std::array<std::string_view, kColumns> kTradeColumns = {
    "exchange", "symbol", "timestamp", "local_timestamp", "id", "side", "price", "amount"};

using Fields = std::array<std::string_view, kColumns>;

// Splits a Tardis CSV row (no quoting in these formats). Returns the number of fields found,
// which may exceed kColumns (the extra ones are not stored).
std::size_t split_row(std::string_view line, Fields& fields) {
  std::size_t count = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    const std::string_view field =
        line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (count < kColumns) fields[count] = field;
    ++count;
    if (comma == std::string_view::npos) return count;
    start = comma + 1;
  }
}

// A row error: "<file>:<line>: column <name>: <what> "<value>"".
Error row_error(const LineReader& source, std::string_view column, std::string_view what,
                std::string_view value) {
  return Error(ErrorCode::InvalidArgument, fmt::format("{}:{}: column {}: {} \"{}\"", source.name(),
                                                       source.line_number(), column, what, value));
}

Result<Timestamp> parse_micros(const LineReader& source, std::string_view column,
                               std::string_view text) {
  std::int64_t micros = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), micros);
  std::int64_t nanos = 0;
  if (ec != std::errc() || end != text.data() + text.size() || micros < 0 ||
      __builtin_mul_overflow(micros, std::int64_t{1000}, &nanos)) {
    return fail(row_error(source, column, "invalid timestamp (µs)", text));
  }
  return Timestamp::from_ns(nanos);
}

// Checks the header line: the first line of the file must be exactly `expected`.
Result<void> check_header(LineReader& source, std::string_view expected, std::string_view kind) {
  std::string_view line;
  auto got = source.next_line(line);
  if (!got) return fail(std::move(got.error()));
  if (!*got)
    return fail(ErrorCode::InvalidArgument, "{}: empty file (expected a Tardis {} header)", source.name(),
                kind);
  if (line != expected) {
    return fail(ErrorCode::InvalidArgument, "{}:1: not a Tardis {} file: header \"{}\", expected \"{}\"",
                source.name(), kind, line, expected);
  }
  return {};
}

// Records a bad row under `policy`: returns the error to stop with (Fail), or nothing (Skip).
std::optional<Error> note_bad_row(CsvReadReport& report, BadRowPolicy policy, Error error) {
  ++report.bad_rows;
  if (policy == BadRowPolicy::Fail) return error;
  if (!report.first_error) report.first_error = std::move(error);
  return std::nullopt;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// TardisBookReader

namespace detail {
struct BookRow {
  Timestamp exchange_time;
  Timestamp local_time;
  bool is_snapshot = false;
  bool is_bid = false;
  model::PriceLevel level;
};
}  // namespace detail

// Invariants: (1) `pending` holds the first row of the next message when `has_pending`;
// (2) the level buffers are cleared at the start of each message and reused (no steady-state
// allocation once they have grown to the largest message).
struct TardisBookReader::State {
  LineReader source;
  BadRowPolicy policy;
  CsvReadReport report;
  detail::BookRow pending;
  bool has_pending = false;
  bool finished = false;
  std::vector<model::PriceLevel> bids;
  std::vector<model::PriceLevel> asks;

  // Reads rows until the next good one. Returns false at the end of the file.
  Result<bool> read_row(detail::BookRow& row) {
    std::string_view line;
    Fields fields;
    while (true) {
      auto got = source.next_line(line);
      if (!got) return fail(std::move(got.error()));
      if (!*got) return false;
      if (line.empty()) continue;
      ++report.rows;
      auto parsed = parse(line, fields, row);
      if (parsed) return true;
      if (auto stop = note_bad_row(report, policy, std::move(parsed.error()))) return fail(std::move(*stop));
    }
  }

  Result<void> parse(std::string_view line, Fields& fields, detail::BookRow& row) const {
    const std::size_t count = split_row(line, fields);
    if (count != kColumns) {
      return fail(ErrorCode::InvalidArgument, "{}:{}: expected {} columns, found {}", source.name(),
                  source.line_number(), kColumns, count);
    }
    auto exchange_time = parse_micros(source, kBookColumns[2], fields[2]);
    if (!exchange_time) return fail(std::move(exchange_time.error()));
    auto local_time = parse_micros(source, kBookColumns[3], fields[3]);
    if (!local_time) return fail(std::move(local_time.error()));
    if (fields[4] == "true") {
      row.is_snapshot = true;
    } else if (fields[4] == "false") {
      row.is_snapshot = false;
    } else {
      return fail(row_error(source, kBookColumns[4], "expected true or false, found", fields[4]));
    }
    if (fields[5] == "bid") {
      row.is_bid = true;
    } else if (fields[5] == "ask") {
      row.is_bid = false;
    } else {
      return fail(row_error(source, kBookColumns[5], "expected bid or ask, found", fields[5]));
    }
    auto price = parse_decimal_or_exponent<Price>(fields[6]);
    if (!price || !price->is_positive())
      return fail(row_error(source, kBookColumns[6], "invalid price", fields[6]));
    auto amount = parse_decimal_or_exponent<Quantity>(fields[7]);
    if (!amount || amount->is_negative()) {
      return fail(row_error(source, kBookColumns[7], "invalid amount", fields[7]));
    }
    row.exchange_time = *exchange_time;
    row.local_time = *local_time;
    row.level = model::PriceLevel{*price, *amount};
    return {};
  }

  void add(const detail::BookRow& row) {
    if (row.is_snapshot && row.level.quantity.is_zero()) return;  // not a level of the image
    (row.is_bid ? bids : asks).push_back(row.level);
  }

  Result<bool> next(MarketEventSink& sink) {
    if (finished) return false;
    if (!has_pending) {
      auto got = read_row(pending);
      if (!got) return finish(std::move(got.error()));
      if (!*got) return finish();
    }
    has_pending = false;
    bids.clear();
    asks.clear();
    const detail::BookRow first = pending;
    add(first);
    detail::BookRow row;
    while (true) {
      auto got = read_row(row);
      if (!got) return finish(std::move(got.error()));
      if (!*got) {
        finished = true;  // deliver this last message, then report the end
        break;
      }
      if (row.local_time != first.local_time || row.is_snapshot != first.is_snapshot) {
        pending = row;
        has_pending = true;
        break;
      }
      add(row);
    }
    ++report.messages;
    if (first.is_snapshot) {
      std::sort(bids.begin(), bids.end(), [](const auto& a, const auto& b) { return a.price > b.price; });
      std::sort(asks.begin(), asks.end(), [](const auto& a, const auto& b) { return a.price < b.price; });
      ++report.snapshots;
      model::BookSnapshot snapshot;
      snapshot.exchange_time = first.exchange_time;
      snapshot.local_time = first.local_time;
      snapshot.bids = bids;
      snapshot.asks = asks;
      sink.on_snapshot(snapshot);
    } else {
      ++report.diffs;
      model::BookDiff diff;
      diff.exchange_time = first.exchange_time;
      diff.local_time = first.local_time;
      diff.bids = bids;
      diff.asks = asks;
      sink.on_diff(diff);
    }
    return true;
  }

  Result<bool> finish() {
    finished = true;
    return false;
  }
  Result<bool> finish(Error error) {
    finished = true;
    return fail(std::move(error));
  }
};

TardisBookReader::TardisBookReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
TardisBookReader::TardisBookReader(TardisBookReader&&) noexcept = default;
TardisBookReader& TardisBookReader::operator=(TardisBookReader&&) noexcept = default;
TardisBookReader::~TardisBookReader() = default;

Result<TardisBookReader> TardisBookReader::open(const std::filesystem::path& path, BadRowPolicy policy) {
  auto source = LineReader::open(path);
  if (!source) return fail(std::move(source.error()));
  if (auto header = check_header(*source, kBookHeader, "incremental_book_L2"); !header) {
    return fail(std::move(header.error()));
  }
  return TardisBookReader(
      std::make_unique<State>(State{std::move(*source), policy, {}, {}, false, false, {}, {}}));
}

Result<bool> TardisBookReader::next(MarketEventSink& sink) { return state_->next(sink); }

Result<CsvReadReport> TardisBookReader::read_all(MarketEventSink& sink) {
  while (true) {
    auto got = next(sink);
    if (!got) return fail(std::move(got.error()));
    if (!*got) return state_->report;
  }
}

const CsvReadReport& TardisBookReader::report() const noexcept { return state_->report; }

// ---------------------------------------------------------------------------------------------
// TardisTradeReader

struct TardisTradeReader::State {
  LineReader source;
  BadRowPolicy policy;
  CsvReadReport report;
  bool finished = false;

  // Parses one row; returns false for a good row with an unknown aggressor (not delivered).
  Result<bool> parse(std::string_view line, model::PublicTrade& trade) {
    Fields fields;
    const std::size_t count = split_row(line, fields);
    if (count != kColumns) {
      return fail(ErrorCode::InvalidArgument, "{}:{}: expected {} columns, found {}", source.name(),
                  source.line_number(), kColumns, count);
    }
    auto exchange_time = parse_micros(source, kTradeColumns[2], fields[2]);
    if (!exchange_time) return fail(std::move(exchange_time.error()));
    auto local_time = parse_micros(source, kTradeColumns[3], fields[3]);
    if (!local_time) return fail(std::move(local_time.error()));
    bool known_side = true;
    if (fields[5] == "buy") {
      trade.aggressor = model::Side::Buy;
    } else if (fields[5] == "sell") {
      trade.aggressor = model::Side::Sell;
    } else if (fields[5] == "unknown") {
      known_side = false;
    } else {
      return fail(row_error(source, kTradeColumns[5], "expected buy, sell or unknown, found", fields[5]));
    }
    auto price = parse_decimal_or_exponent<Price>(fields[6]);
    if (!price || !price->is_positive())
      return fail(row_error(source, kTradeColumns[6], "invalid price", fields[6]));
    auto amount = parse_decimal_or_exponent<Quantity>(fields[7]);
    if (!amount || !amount->is_positive()) {
      return fail(row_error(source, kTradeColumns[7], "invalid amount", fields[7]));
    }
    std::int64_t id = 0;
    const std::string_view id_text = fields[4];
    const auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
    if (id_text.empty() || ec != std::errc() || end != id_text.data() + id_text.size()) id = report.rows;
    trade.trade_id = id;
    trade.price = *price;
    trade.quantity = *amount;
    trade.exchange_time = *exchange_time;
    trade.local_time = *local_time;
    return known_side;
  }

  Result<bool> next(MarketEventSink& sink) {
    if (finished) return false;
    std::string_view line;
    model::PublicTrade trade;
    while (true) {
      auto got = source.next_line(line);
      if (!got) {
        finished = true;
        return fail(std::move(got.error()));
      }
      if (!*got) {
        finished = true;
        return false;
      }
      if (line.empty()) continue;
      ++report.rows;
      auto parsed = parse(line, trade);
      if (!parsed) {
        if (auto stop = note_bad_row(report, policy, std::move(parsed.error()))) {
          finished = true;
          return fail(std::move(*stop));
        }
        continue;
      }
      if (!*parsed) {
        ++report.unknown_aggressor_trades;
        continue;
      }
      ++report.messages;
      ++report.trades;
      sink.on_trade(trade);
      return true;
    }
  }
};

TardisTradeReader::TardisTradeReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
TardisTradeReader::TardisTradeReader(TardisTradeReader&&) noexcept = default;
TardisTradeReader& TardisTradeReader::operator=(TardisTradeReader&&) noexcept = default;
TardisTradeReader::~TardisTradeReader() = default;

Result<TardisTradeReader> TardisTradeReader::open(const std::filesystem::path& path, BadRowPolicy policy) {
  auto source = LineReader::open(path);
  if (!source) return fail(std::move(source.error()));
  if (auto header = check_header(*source, kTradesHeader, "trades"); !header)
    return fail(std::move(header.error()));
  return TardisTradeReader(std::make_unique<State>(State{std::move(*source), policy, {}, false}));
}

Result<bool> TardisTradeReader::next(MarketEventSink& sink) { return state_->next(sink); }

Result<CsvReadReport> TardisTradeReader::read_all(MarketEventSink& sink) {
  while (true) {
    auto got = next(sink);
    if (!got) return fail(std::move(got.error()));
    if (!*got) return state_->report;
  }
}

const CsvReadReport& TardisTradeReader::report() const noexcept { return state_->report; }

Result<CsvReadReport> read_tardis_book(const std::filesystem::path& path, MarketEventSink& sink,
                                       BadRowPolicy policy) {
  auto reader = TardisBookReader::open(path, policy);
  if (!reader) return fail(std::move(reader.error()));
  return reader->read_all(sink);
}

Result<CsvReadReport> read_tardis_trades(const std::filesystem::path& path, MarketEventSink& sink,
                                         BadRowPolicy policy) {
  auto reader = TardisTradeReader::open(path, policy);
  if (!reader) return fail(std::move(reader.error()));
  return reader->read_all(sink);
}

}  // namespace colibri::data
