#pragma once
// Order latency models (DESIGN.md decision 5; hftbacktest's LatencyModel):
//   entry latency     local request time -> the exchange acts on the request (exchange time)
//   response latency  the exchange acts -> the answer (or user-stream push) reaches the bot
// Both timelines are the Scheduler's one simulated timeline: the backtest feeds the exchange side
// at exchange time and the bot at local time (see sim_exchange_api.h).
//
// Implementations are immutable after construction and safe to share on one thread; queries are
// noexcept and allocation-free.

#include <string>
#include <string_view>
#include <vector>

#include "colibri/core/result.h"
#include "colibri/core/time.h"

namespace colibri::connector::sim {

class LatencyModel {
 public:
  virtual ~LatencyModel() = default;
  // Latency from sending a request at local time `request_time` to the exchange acting on it (>= 0).
  [[nodiscard]] virtual Duration entry(Timestamp request_time) const noexcept = 0;
  // Latency from the exchange acting at `exchange_time` to the bot receiving the answer (>= 0).
  [[nodiscard]] virtual Duration response(Timestamp exchange_time) const noexcept = 0;
};

// The same latencies for every request (negative values are treated as zero).
class ConstantLatency final : public LatencyModel {
 public:
  ConstantLatency(Duration entry, Duration response) noexcept
      : entry_(entry.count() < 0 ? Duration(0) : entry),
        response_(response.count() < 0 ? Duration(0) : response) {}
  [[nodiscard]] Duration entry(Timestamp) const noexcept override { return entry_; }
  [[nodiscard]] Duration response(Timestamp) const noexcept override { return response_; }

 private:
  Duration entry_;
  Duration response_;
};

// Latencies interpolated from a record of real requests (hftbacktest's IntpOrderLatency).
//
// File format (CSV, UTF-8): one request per line, three integers in nanoseconds since the epoch:
//     request_time,exchange_time,response_time
// e.g. "1723161600000000000,1723161600004100000,1723161600008300000". Lines that are empty or
// start with '#' are ignored, as is one header line starting with a letter. Rows must be sorted by
// request time (strictly increasing) and satisfy request <= exchange <= response; exchange times
// must not decrease (the venue processes requests in order).
//
// entry(t):    between the rows whose request times bracket t, linear interpolation of
//              exchange - request;   response(t): the same over exchange times, of
//              response - exchange. Before the first row / after the last: that row's value.
// Integer interpolation (128-bit, rounded toward -infinity), O(log rows) by binary search.
class RecordedLatency final : public LatencyModel {
 public:
  struct Row {
    Timestamp request;
    Timestamp exchange;
    Timestamp response;
  };

  // Reads a file in the format above. InvalidArgument / Corrupt naming "file:line" on bad input,
  // Io when the file cannot be read, InvalidArgument when it holds no rows.
  [[nodiscard]] static Result<RecordedLatency> load(const std::string& path);
  // The same from text already in memory; `source_name` names it in errors.
  [[nodiscard]] static Result<RecordedLatency> parse(std::string_view text, std::string_view source_name);
  // From rows (validated as above; errors name the row index).
  [[nodiscard]] static Result<RecordedLatency> from_rows(std::vector<Row> rows);

  [[nodiscard]] Duration entry(Timestamp request_time) const noexcept override;
  [[nodiscard]] Duration response(Timestamp exchange_time) const noexcept override;
  [[nodiscard]] std::size_t size() const noexcept { return rows_.size(); }

 private:
  explicit RecordedLatency(std::vector<Row> rows) noexcept : rows_(std::move(rows)) {}
  // Invariants: rows_ non-empty; request strictly increasing; exchange non-decreasing;
  // request <= exchange <= response in every row.
  std::vector<Row> rows_;
};

}  // namespace colibri::connector::sim
