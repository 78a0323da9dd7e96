#pragma once
// Small helpers to write Binance's JSON by hand (the simulator's answers are flat and known).

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "colibri/core/decimal.h"

namespace colibri::exchange_sim {

// Appends `text` as a JSON string, quotes included.
inline void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

[[nodiscard]] inline std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

// A decimal as Binance sends it: a string with 8 decimals ("0.01000000").
template <typename Fixed>
[[nodiscard]] std::string json_decimal(const Fixed& value) {
  return "\"" + value.to_string(8) + "\"";
}

}  // namespace colibri::exchange_sim
