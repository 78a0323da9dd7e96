#pragma once
// Case-insensitive comparison of ASCII text: HTTP header names, Binance's rate-limit headers,
// words in colibri's own files ("BUY", "buy"). Only 'A'..'Z' and 'a'..'z' fold into each other;
// every other byte (UTF-8 included) matches only itself, whatever the C locale says.
// Header-only: on the path of every HTTP answer.

#include <cstddef>
#include <string>
#include <string_view>

namespace colibri {

// 'A'..'Z' as 'a'..'z'; any other byte unchanged.
[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// `text` with 'A'..'Z' as 'a'..'z' (Binance's stream names: "btcusdt@depth").
[[nodiscard]] inline std::string to_ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

// `a` and `b` are the same text but for the case of ASCII letters ("Content-Length", "content-length").
[[nodiscard]] constexpr bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// `text` begins with `prefix` but for the case of ASCII letters ("x-mbx-used-weight-1m" with
// "X-MBX-USED-WEIGHT-").
[[nodiscard]] constexpr bool starts_with_ignoring_case(std::string_view text,
                                                       std::string_view prefix) noexcept {
  return text.size() >= prefix.size() && equals_ignoring_case(text.substr(0, prefix.size()), prefix);
}

}  // namespace colibri
