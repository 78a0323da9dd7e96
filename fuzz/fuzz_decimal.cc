// libFuzzer target: Price, Quantity and Notional parsing. Any byte string must parse or fail
// cleanly (no crash, no UB under ASan/UBSan), and whatever parses must round-trip exactly through
// its text forms: parse(to_string()) == value, also via the fixed 8-decimal form and format_to().

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "colibri/core/decimal.h"

namespace {

[[noreturn]] void violated(const char* what, std::string_view input, const std::string& text) {
  std::fprintf(stderr, "fuzz_decimal: %s: input \"%.*s\" printed as \"%s\"\n", what,
               static_cast<int>(input.size()), input.data(), text.c_str());
  std::abort();
}

template <typename T>
void check_fixed(std::string_view input) {
  const colibri::Result<T> value = T::parse(input);
  if (!value) return;
  const std::string shortest = value->to_string();
  const colibri::Result<T> again = T::parse(shortest);
  if (!again || *again != *value) violated("shortest text does not round-trip", input, shortest);
  const std::string eight = value->to_string(T::kDecimals);
  const colibri::Result<T> from_eight = T::parse(eight);
  if (!from_eight || *from_eight != *value) violated("8-decimal text does not round-trip", input, eight);
  char buffer[48];
  if (std::string_view(buffer, value->format_to(buffer)) != shortest) {
    violated("format_to differs from to_string", input, shortest);
  }
}

void check_notional(std::string_view input) {
  const colibri::Result<colibri::Notional> value = colibri::Notional::parse(input);
  if (!value) return;
  const std::string text = value->to_string();
  const colibri::Result<colibri::Notional> again = colibri::Notional::parse(text);
  if (!again || *again != *value) violated("notional text does not round-trip", input, text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_fixed<colibri::Price>(input);
  check_fixed<colibri::Quantity>(input);
  check_notional(input);
  return 0;
}
