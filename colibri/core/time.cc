#include "colibri/core/time.h"

#include <ctime>

#include <fmt/format.h>

namespace colibri {

std::string Timestamp::to_iso8601() const {
  if (is_none()) return "none";
  std::int64_t seconds = ns_ / 1'000'000'000;
  std::int64_t nanos = ns_ % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    seconds -= 1;
  }
  const auto t = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, nanos);
}

}  // namespace colibri
