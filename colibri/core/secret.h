#pragma once
// Secret: a string that must never be shown (API keys and secrets, passphrases; DESIGN.md
// reliability promise 10).
//
// Formatting a Secret, with fmt or an ostream, prints "***"; the value is reached only through
// reveal(), so a secret cannot end up in a log line, a report or an error message by accident.
// Register the value with logging::register_secret() as well: if a revealed copy ever leaks into a
// log message, the logger still replaces it with "***".
// A Secret is a plain value: copyable, movable, no thread-safety beyond std::string's.

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace colibri {

class Secret {
 public:
  static constexpr std::string_view kMask = "***";

  Secret() = default;
  explicit Secret(std::string value) noexcept : value_(std::move(value)) {}

  // The value itself, for the one place that needs it (request signing, decryption).
  [[nodiscard]] const std::string& reveal() const noexcept { return value_; }
  [[nodiscard]] bool empty() const noexcept { return value_.empty(); }

  friend std::ostream& operator<<(std::ostream& out, const Secret& /*secret*/) { return out << kMask; }

 private:
  std::string value_;
};

}  // namespace colibri

template <>
struct fmt::formatter<colibri::Secret> : fmt::formatter<std::string_view> {
  auto format(const colibri::Secret& /*secret*/, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(colibri::Secret::kMask, ctx);
  }
};
