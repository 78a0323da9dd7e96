#include "colibri/connector/sim/latency_model.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include "colibri/core/decimal.h"

namespace colibri::connector::sim {
namespace {

// y1 + (y2 - y1) * (x - x1) / (x2 - x1), exactly in 128 bits, rounded toward -infinity.
std::int64_t interpolate(std::int64_t x, std::int64_t x1, std::int64_t y1, std::int64_t x2, std::int64_t y2) {
  if (x2 == x1) return y1;
  const Int128 num = static_cast<Int128>(y2 - y1) * (x - x1);
  return y1 + static_cast<std::int64_t>(detail::divide(num, x2 - x1, Rounding::Down));
}

Result<std::int64_t> parse_ns(std::string_view field, std::string_view where) {
  while (!field.empty() && std::isspace(static_cast<unsigned char>(field.front()))) field.remove_prefix(1);
  while (!field.empty() && std::isspace(static_cast<unsigned char>(field.back()))) field.remove_suffix(1);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (field.empty() || ec != std::errc() || end != field.data() + field.size()) {
    return fail(ErrorCode::InvalidArgument, "{}: \"{}\" is not an integer time in nanoseconds", where, field);
  }
  return value;
}

}  // namespace

Result<RecordedLatency> RecordedLatency::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::Io, "cannot open latency file {}", path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return fail(ErrorCode::Io, "cannot read latency file {}", path);
  return parse(text.str(), path);
}

Result<RecordedLatency> RecordedLatency::parse(std::string_view text, std::string_view source_name) {
  std::vector<Row> rows;
  std::size_t line_no = 0;
  bool header_allowed = true;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = fmt::format("{}:{}", source_name, line_no);
    if (std::isalpha(static_cast<unsigned char>(line.front()))) {
      if (!header_allowed)
        return fail(ErrorCode::InvalidArgument, "{}: unexpected header \"{}\"", where, line);
      header_allowed = false;
      continue;
    }
    header_allowed = false;
    std::int64_t fields[3] = {};
    for (int i = 0; i < 3; ++i) {
      const std::size_t comma = line.find(',');
      if ((i < 2) == (comma == std::string_view::npos)) {
        return fail(ErrorCode::InvalidArgument, "{}: expected 3 fields request,exchange,response", where);
      }
      auto value = parse_ns(line.substr(0, comma), where);
      if (!value) return fail(std::move(value.error()));
      fields[i] = *value;
      line = comma == std::string_view::npos ? std::string_view() : line.substr(comma + 1);
    }
    const Row row{Timestamp::from_ns(fields[0]), Timestamp::from_ns(fields[1]),
                  Timestamp::from_ns(fields[2])};
    if (row.exchange < row.request || row.response < row.exchange) {
      return fail(ErrorCode::Corrupt, "{}: times must satisfy request <= exchange <= response", where);
    }
    if (!rows.empty() && row.request <= rows.back().request) {
      return fail(ErrorCode::Corrupt, "{}: request times must increase", where);
    }
    if (!rows.empty() && row.exchange < rows.back().exchange) {
      return fail(ErrorCode::Corrupt, "{}: exchange times must not decrease", where);
    }
    rows.push_back(row);
  }
  if (rows.empty()) return fail(ErrorCode::InvalidArgument, "{}: no latency rows", source_name);
  return RecordedLatency(std::move(rows));
}

Result<RecordedLatency> RecordedLatency::from_rows(std::vector<Row> rows) {
  if (rows.empty()) return fail(ErrorCode::InvalidArgument, "no latency rows");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (r.exchange < r.request || r.response < r.exchange) {
      return fail(ErrorCode::InvalidArgument,
                  "latency row {}: times must satisfy request <= exchange <= response", i);
    }
    if (i > 0 && (r.request <= rows[i - 1].request || r.exchange < rows[i - 1].exchange)) {
      return fail(ErrorCode::InvalidArgument,
                  "latency row {}: rows must be sorted by request and exchange time", i);
    }
  }
  return RecordedLatency(std::move(rows));
}

Duration RecordedLatency::entry(Timestamp request_time) const noexcept {
  // First row with request > t; t lies between the row before it and it.
  const auto next = std::upper_bound(rows_.begin(), rows_.end(), request_time,
                                     [](Timestamp t, const Row& r) { return t < r.request; });
  if (next == rows_.begin()) return rows_.front().exchange - rows_.front().request;
  if (next == rows_.end()) return rows_.back().exchange - rows_.back().request;
  const Row& a = *(next - 1);
  const Row& b = *next;
  return Duration(interpolate(request_time.ns(), a.request.ns(), (a.exchange - a.request).count(),
                              b.request.ns(), (b.exchange - b.request).count()));
}

Duration RecordedLatency::response(Timestamp exchange_time) const noexcept {
  const auto next = std::upper_bound(rows_.begin(), rows_.end(), exchange_time,
                                     [](Timestamp t, const Row& r) { return t < r.exchange; });
  if (next == rows_.begin()) return rows_.front().response - rows_.front().exchange;
  if (next == rows_.end()) return rows_.back().response - rows_.back().exchange;
  const Row& a = *(next - 1);
  const Row& b = *next;
  return Duration(interpolate(exchange_time.ns(), a.exchange.ns(), (a.response - a.exchange).count(),
                              b.exchange.ns(), (b.response - b.exchange).count()));
}

}  // namespace colibri::connector::sim
