#pragma once
// The key of a JSON member read with simdjson On-Demand, for Binance's parsers (market streams,
// REST and WebSocket API answers): without a copy when it has no escape (Binance never sends one),
// unescaped otherwise, which also validates the escape. Only for the parsers' own translation
// units: it brings in simdjson.

#include <string_view>

#include <simdjson.h>

namespace colibri::venue::binance {

// Reads `field`'s key into `key` (a view into the input, or into the parser's string buffer when
// unescaped). The raw key runs from after its opening quote to the closing quote that simdjson's
// structural pass has already found; backslash-escaped characters are stepped over.
[[nodiscard]] inline simdjson::error_code member_key(simdjson::ondemand::field& field, std::string_view& key) {
  const char* begin = field.key().raw();
  const char* end = begin;
  while (*end != '"') end += *end == '\\' ? 2 : 1;
  key = std::string_view(begin, static_cast<std::size_t>(end - begin));
  if (key.find('\\') == std::string_view::npos) return simdjson::SUCCESS;
  return field.unescaped_key().get(key);
}

}  // namespace colibri::venue::binance
