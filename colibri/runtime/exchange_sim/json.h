#pragma once
// Small helpers to write Binance's JSON by hand (the simulator's answers are flat and known);
// strings are quoted with core's json_string.

#include <string>

#include "colibri/core/decimal.h"
#include "colibri/core/json_text.h"

namespace colibri::exchange_sim {

// A decimal as Binance sends it: a string with 8 decimals ("0.01000000").
template <typename Fixed>
[[nodiscard]] std::string json_decimal(const Fixed& value) {
  return "\"" + value.to_string(8) + "\"";
}

}  // namespace colibri::exchange_sim
